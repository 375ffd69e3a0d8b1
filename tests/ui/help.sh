#!/bin/sh
# The help overlay (?) lists every key of the key table with its help text.
# The keys are read from the KEYS section of carptop(1), which test-keytab
# holds identical to the table.
. "$(dirname "$0")/lib.sh"

keys=$(man_keys)
count=$(printf '%s\n' "$keys" | wc -l)
[ "$count" -ge 20 ] && ok "carptop(1) documents $count keys" || not_ok "carptop(1) documents only $count keys"

start 120 50 --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'overview shown'
key '?'
check_screen '^│ carptop [0-9.]+ keys|^┌─ carptop [0-9.]+ keys' 'help overlay open'
screen=$(capture)
missing=0
printf '%s\n' "$keys" | {
	while IFS= read -r k; do
		help=$(man_help "$k")
		if ! printf '%s\n' "$screen" | grep -Fq -- "│ $(printf '%-8s' "$k")$help"; then
			echo "# help overlay lacks: '$k' -> '$help'"
			missing=$((missing + 1))
		fi
	done
	exit $missing
}
check_eq "$?" 0 'help overlay: every key with its help text'
check_screen '^│ any other key closes this help\. Theme: default +│$' 'help overlay: how to close it, the theme'
check_absent 'refused' 'help overlay: nothing refused outside read-only'

key x
if wait_gone 'keys ─'; then ok 'any other key closes the help'; else not_ok 'any other key closes the help'; fi
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'back on the overview'

# F1 opens it too; at 80x24 it scrolls.
start 80 24 --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'overview shown (80x24)'
key F1
check_screen '^│ Up/Down/PgUp/PgDn scroll; any other key closes this help' 'help at 80x24 says it scrolls'
check_absent '^│ F10 ' 'help at 80x24: F10 below the fold'
key PgDn PgDn PgDn
check_screen '^│ F10 +quit +│$' 'help at 80x24: scrolled to F10'
key Esc
if wait_gone 'keys ─'; then ok 'Esc closes the help'; else not_ok 'Esc closes the help'; fi

finish
