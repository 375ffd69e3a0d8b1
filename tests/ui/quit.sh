#!/bin/sh
# q (and F10) quit with status 0 and leave the terminal as it was: the
# alternate screen is left and the shell's prompt is back.
. "$(dirname "$0")/lib.sh"

start 100 30 --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'console up'
check_eq "$(pane alternate_on)" 1 'console runs on the alternate screen'
key q
check_eq "$(wait_exit)" 0 'q: exit status 0'

start 100 30 --demo --wall
check_screen 'all clusters OK' 'wall up'
key F10
check_eq "$(wait_exit)" 0 'F10 on the wall: exit status 0'

# From a shell: after q the shell's screen and prompt are back.
start_shell 100 30
check_screen '^PROMPT\$ ?$' 'shell prompt'
t send-keys -t test "printf 'before\\n'; $(quote "$CARPTOP") --demo; echo \"EXIT=\$?\"" Enter
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'console up from the shell'
check_absent '^before$' 'the console covers the shell'
key q
check_screen '^EXIT=0$' 'q: the shell sees status 0'
check_screen '^before$' 'the shell screen is back (alternate screen left)'
check_screen '^PROMPT\$ ?$' 'prompt back'
check_eq "$(pane alternate_on)" 0 'alternate screen off'
check_eq "$(pane cursor_flag)" 1 'cursor visible again'
# The terminal is in its normal modes: typed text echoes.
t send-keys -t test 'echo typed-after' Enter
check_screen '^typed-after$' 'echo and line editing work'

# A signal quits cleanly too.
t send-keys -t test "$(quote "$CARPTOP") --demo; echo \"EXIT=\$?\"" Enter
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'console up again'
# carptop is the shell's child in this pane (not any other carptop); read
# /proc rather than rely on pgrep being installed.
children() {
	for st in /proc/[0-9]*/status; do
		awk -v p="$1" '$1 == "PPid:" && $2 == p { found = 1 } END { exit !found }' "$st" 2>/dev/null &&
			basename "$(dirname "$st")"
	done
}
pid=$(children "$(pane pane_pid)" | head -n 1)
if [ -n "$pid" ]; then
	kill -TERM "$pid"
	check_screen '^EXIT=0$' 'SIGTERM: status 0, terminal restored'
	check_eq "$(pane alternate_on)" 0 'SIGTERM: alternate screen off'
else
	not_ok 'found the carptop process'
fi

finish
