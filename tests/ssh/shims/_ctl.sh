# Sourced by the node shims: answer a command from carpsim's control server
# (CARPSIM_CTL, GET /ctl/text/<pair>/<node>/<what>, POST /ctl/configctl/...).
# The per-node faults file (CARPSIM_FAULTS) holds lines "hang <what> <s>"
# (sleep, then fail) and "half <what>" (print the first half, cut mid-line).
# Every call is logged to CARPSIM_SHIM_LOG, so a test can prove that a
# refused connection never ran anything.

ctl_log() {
	[ -n "$CARPSIM_SHIM_LOG" ] && printf '%s\n' "$*" >> "$CARPSIM_SHIM_LOG"
	return 0
}

ctl_fault() {
	[ -n "$CARPSIM_FAULTS" ] && [ -f "$CARPSIM_FAULTS" ] || return 1
	grep -E "^[a-z]+ $1( |\$)" "$CARPSIM_FAULTS" | head -n 1
}

# The emulated node is down (carpsim answers 503): a real node that powers
# off or reboots takes the SSH session with it, so end this session's sshd
# processes (found by opnsense-shell) instead of printing an error as a
# command would. The client then sees the connection drop: the node is
# unreachable, not a node whose commands fail. Without those pids (the
# fakectl.py tests) the command fails with a clear message instead.
ctl_down() {
	if [ -n "${CARPSIM_SESSION_PIDS:-}" ] && [ -n "${CARPSIM_DROP_ON_DOWN:-}" ]; then
		ctl_log "node $CARPSIM_PAIR/$CARPSIM_NODE is down ($1): dropping the SSH session"
		kill -KILL $CARPSIM_SESSION_PIDS 2>/dev/null
		sleep 1 # the session is going: print nothing more into it
	fi
	ctl_log "node $CARPSIM_PAIR/$CARPSIM_NODE is down ($1)"
	echo "carpsim shim: node $CARPSIM_PAIR/$CARPSIM_NODE is down ($1)" >&2
	exit 1
}

# ctl_get URL: curl that tells a down node (503) from other failures.
ctl_get() {
	out=$(curl -sS --max-time 20 -w '\n%{http_code}' "$@") || return 1
	code=${out##*
}
	body=${out%
*}
	[ "$code" = 503 ] && ctl_down "$1"
	printf '%s' "$body"
	[ "$code" = 200 ]
}

ctl_url() {
	printf '%s/ctl/%s/%s/%s' "$CARPSIM_CTL" "$1" "$CARPSIM_PAIR" "$CARPSIM_NODE"
}

# ctl_text WHAT: print what the emulated node's command prints.
ctl_text() {
	fault=$(ctl_fault "$1")
	case "$fault" in
	hang\ *)
		set -- $fault
		sleep "${3:-30}"
		echo "carpsim shim: $2 hung" >&2
		exit 1
		;;
	half\ *)
		text=$(ctl_get "$(ctl_url text)/$1") || exit 1
		# $(...) dropped the final newline: the output ends mid-line.
		printf '%s' "$(printf '%s' "$text" | head -c $((${#text} / 2)))"
		exit 0
		;;
	esac
	ctl_get "$(ctl_url text)/$1" || {
		echo "carpsim shim: node $CARPSIM_PAIR/$CARPSIM_NODE does not answer ($1)" >&2
		exit 1
	}
}

# ctl_configctl WORDS...: run a configctl action on the emulated node.
ctl_configctl() {
	ctl_get "$(ctl_url configctl)" --data-binary "$*" || exit 1
}
