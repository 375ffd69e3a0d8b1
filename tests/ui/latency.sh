#!/bin/sh
# Keys act within 100 ms while the nodes are being polled (here every 0.2 s):
# the keyboard and the backends share one poll() loop and nothing blocks.
# Measured from send-keys to the changed screen, tmux round trips included.
#
# The demo cannot make a node hang; hang.sh stalls a node of carpsim (the
# emulator) and checks the console stays responsive.
. "$(dirname "$0")/lib.sh"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

start 100 30 --demo --interval 0.2
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'console up, polling every 0.2 s'
sleep 1

worst=0 total=0 n=0 slow=0
for round in 1 2 3 4 5 6 7 8 9 10; do
	for pair in '4:Event log' '1:Overview' '2:Pair' '5:Drift'; do
		k=${pair%%:*} title=${pair#*:}
		t0=$(now_ms)
		key "$k"
		while ! capture | head -n 1 | grep -q "^ carptop [0-9.]*  $title"; do
			if [ $(($(now_ms) - t0)) -gt 2000 ]; then
				break
			fi
		done
		dt=$(($(now_ms) - t0))
		n=$((n + 1))
		total=$((total + dt))
		[ "$dt" -gt "$worst" ] && worst=$dt
		[ "$dt" -gt 100 ] && slow=$((slow + 1))
	done
done
echo "# $n key presses: mean $((total / n)) ms, worst $worst ms, $slow over 100 ms"
check_eq "$slow" 0 "every key acted within 100 ms (worst $worst ms)"

# The polls went on meanwhile: the data is fresh, not STALE.
key 2
check_screen 'data [01]s old' 'polling continued during the key presses'
check_absent 'STALE' 'nothing stale'

finish
