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
		text=$(curl -sS --fail-with-body --max-time 20 "$(ctl_url text)/$1") || exit 1
		# $(...) dropped the final newline: the output ends mid-line.
		printf '%s' "$(printf '%s' "$text" | head -c $((${#text} / 2)))"
		exit 0
		;;
	esac
	curl -sS --fail-with-body --max-time 20 "$(ctl_url text)/$1" || {
		echo "carpsim shim: node $CARPSIM_PAIR/$CARPSIM_NODE does not answer ($1)" >&2
		exit 1
	}
}

# ctl_configctl WORDS...: run a configctl action on the emulated node.
ctl_configctl() {
	curl -sS --fail-with-body --max-time 20 --data-binary "$*" "$(ctl_url configctl)" || exit 1
}
