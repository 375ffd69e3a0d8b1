# Shared by the tests/ui/*.sh scripts (sourced, not run). Each test drives
# carptop inside its own private tmux server, like tmux's regress/ scripts:
#   tmux -S $SCRATCH/carptop-test-$$-N -f /dev/null ...
# (a socket inside the scratch directory, so nothing is left behind)
# and compares what capture-pane shows with exact expected text. The server
# and the scratch directory are removed on every exit, pass or fail.
#
#   . "$(dirname "$0")/lib.sh"      (with $1 = path to the carptop binary)
#   start 100 30 --demo             start carptop in a W x H pane
#   key 2; wait_for 'VHID  INTERFACE'
#   check_line '^ +1 +WAN ' 'VHID 1 row'
#   finish                          prints "N passed, M failed", sets the exit code

set -u

CARPTOP=${1:?usage: $0 path/to/carptop}
case $CARPTOP in /*) ;; *) CARPTOP=$(pwd)/$CARPTOP ;; esac
UI_TESTS=$(cd "$(dirname "$0")" && pwd)
SRCROOT=$(cd "$UI_TESTS/../.." && pwd)
MAN_PAGE=$SRCROOT/doc/carptop.1
STARTS=0
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/carptop-ui.XXXXXX")
SOCK=$SCRATCH/carptop-test-$$-0
PASSED=0
FAILED=0

unset NO_COLOR CARPTOP_THEME CARPTOP_THEMEDIR CARPTOP_MUTATION_REPORT TMUX
# The console records every poll (doc/recording.md) and keeps audit logs and
# journals: in the scratch directory, never in the user's home.
XDG_STATE_HOME=$SCRATCH/state
export XDG_STATE_HOME
# A UTF-8 locale for tmux and carptop alike, whatever CI has (often none).
LC_ALL=C.UTF-8
export LC_ALL

cleanup() {
	tmux -S "$SOCK" kill-server 2>/dev/null
	rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

if ! command -v tmux >/dev/null 2>&1; then
	echo "tmux is not installed: cannot run the console tests"
	exit 77
fi

t() { tmux -S "$SOCK" "$@"; }

# Each start gets a server of its own: a server being killed may still hold
# its socket for a moment, and a new session must not land on it.
new_server() {
	t kill-server 2>/dev/null
	STARTS=$((STARTS + 1))
	SOCK=$SCRATCH/carptop-test-$$-$STARTS
}

# start W H [ENV=VALUE...] ARGS...: carptop in a fresh pane. The pane stays
# after carptop exits so its exit status can be read.
start() {
	w=$1 h=$2
	shift 2
	envs=""
	while [ $# -gt 0 ]; do
		case $1 in
		[A-Z]*=*) envs="$envs $(quote "$1")" ;;
		*) break ;;
		esac
		shift
	done
	args=""
	for a in "$@"; do args="$args $(quote "$a")"; done
	new_server
	STATUS_FILE=$SCRATCH/status.$STARTS
	# The shell records carptop's exit status itself: tmux may leave an
	# exited pane process unreaped for a while, its status unknown.
	t -f /dev/null start-server \; set-option -g remain-on-exit on \; \
		set-option -g default-terminal tmux-256color \; \
		new-session -d -x "$w" -y "$h" -s test \
		"env$envs $(quote "$CARPTOP")$args; echo \$? > $(quote "$STATUS_FILE")"
}
STATUS_FILE=/nonexistent

# start_shell W H: a plain shell with a known prompt (to see the terminal
# after carptop leaves).
start_shell() {
	new_server
	t -f /dev/null start-server \; set-option -g remain-on-exit on \; \
		new-session -d -x "$1" -y "$2" -s test "env PS1='PROMPT\$ ' ENV=/dev/null sh -i"
}

quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

capture() { t capture-pane -p -t test; }
capture_e() { t capture-pane -p -e -t test; }
pane() { t display-message -p -t test "#{$1}"; }

# key LABEL...: send keys as carptop(1) spells them.
key() {
	for k in "$@"; do
		case $k in
		Up | Down | Home | End | Enter | Tab | F1 | F3 | F4 | F6 | F10) t send-keys -t test "$k" ;;
		PgUp) t send-keys -t test PPage ;;
		PgDn) t send-keys -t test NPage ;;
		Esc) t send-keys -t test Escape ;;
		Ctrl-L) t send-keys -t test C-l ;;
		Ctrl-Z) t send-keys -t test C-z ;;
		*) t send-keys -t test -l "$k" ;;
		esac
	done
}

# click X Y: a left click at column X, line Y (from 0), as an xterm sends
# it once the program asked for the mouse (X10 encoding: ESC [ M, then the
# button, column and line, each plus 32 and counted from 1).
click() {
	t send-keys -t test -H 1b 5b 4d 20 "$(printf %x $(($1 + 33)))" "$(printf %x $(($2 + 33)))"
	t send-keys -t test -H 1b 5b 4d 23 "$(printf %x $(($1 + 33)))" "$(printf %x $(($2 + 33)))"
}

# line_of REGEX: the line (from 0) of the first screen line matching REGEX,
# waiting up to 5 s for it; -1 when none does.
line_of() {
	if wait_for "$1"; then
		capture | grep -En -- "$1" | head -n 1 | cut -d: -f1 | awk '{ print $1 - 1 }'
	else
		echo -1
	fi
}

ok() {
	PASSED=$((PASSED + 1))
	echo "ok $((PASSED + FAILED)) - $1"
}

not_ok() {
	FAILED=$((FAILED + 1))
	echo "not ok $((PASSED + FAILED)) - $1"
	echo "# screen was:"
	capture 2>/dev/null | sed 's/^/#   |/'
}

# wait_for REGEX [SECONDS]: until the screen shows a line matching REGEX
# (not waiting when carptop has already exited).
wait_for() {
	deadline=$(($(date +%s) + ${2:-5}))
	while [ "$(date +%s)" -le "$deadline" ]; do
		if capture | grep -Eq -- "$1"; then
			return 0
		fi
		[ "$(pane pane_dead)" = 1 ] && return 1
		sleep 0.05
	done
	return 1
}

# wait_gone REGEX [SECONDS]
wait_gone() {
	deadline=$(($(date +%s) + ${2:-5}))
	while [ "$(date +%s)" -le "$deadline" ]; do
		if ! capture | grep -Eq -- "$1"; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# check_screen REGEX DESCRIPTION: some line matches (waits up to 5 s).
check_screen() {
	if wait_for "$1" "${3:-5}"; then ok "$2"; else not_ok "$2 (no line matches /$1/)"; fi
}

# check_absent REGEX DESCRIPTION: no line matches, now.
check_absent() {
	if capture | grep -Eq -- "$1"; then not_ok "$2 (a line matches /$1/)"; else ok "$2"; fi
}

# check_eq GOT WANT DESCRIPTION
check_eq() {
	if [ "$1" = "$2" ]; then ok "$3"; else not_ok "$3 (got '$1', want '$2')"; fi
}

# wait_exit [SECONDS]: until carptop (started by start) has exited; prints
# its exit status, or "still-running".
wait_exit() {
	deadline=$(($(date +%s) + ${1:-5}))
	while [ "$(date +%s)" -le "$deadline" ]; do
		if [ -s "$STATUS_FILE" ]; then
			cat "$STATUS_FILE"
			return 0
		fi
		sleep 0.05
	done
	echo "still-running"
	return 1
}

# The keys of the key table as documented in carptop(1) (test-keytab keeps
# the two identical): one label a line.
man_keys() {
	awk '/^\.SH KEYS/ { on = 1; next } /^\.SH / { on = 0 } on && prev == ".TP" && /^\.B / { sub(/^\.B /, ""); gsub(/\\-/, "-"); gsub(/"/, ""); print } { prev = $0 }' "$MAN_PAGE"
}

# The help text of a key label in carptop(1).
man_help() {
	awk -v want="$1" '/^\.SH KEYS/ { on = 1; next } /^\.SH / { on = 0 } on && take { gsub(/\\-/, "-"); gsub(/\\e/, "\\"); print; take = 0 } on && prev == ".TP" && /^\.B / { l = $0; sub(/^\.B /, "", l); gsub(/\\-/, "-", l); gsub(/"/, "", l); if (l == want) take = 1 } { prev = $0 }' "$MAN_PAGE"
}

finish() {
	t kill-server 2>/dev/null
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] && [ "$PASSED" -gt 0 ]
	exit $?
}
