#!/bin/sh
# Batch for monitoring: prometheus exits 0 whenever the metrics were
# written (the status is in the metrics), 3 when they could not be; nagios,
# text and json keep 0-3; usage errors exit 3 with a message.
CARPTOP=${1:?usage: $0 path/to/carptop}
n=0 failed=0
check() { # DESCRIPTION WANT GOT
	n=$((n + 1))
	if [ "$2" = "$3" ]; then echo "ok $n - $1"; else echo "not ok $n - $1 (got $3, want $2)"; failed=$((failed + 1)); fi
}
run() { "$CARPTOP" "$@" >/dev/null 2>&1 </dev/null; echo $?; }

check 'split-brain prometheus: 0 (metrics written)' 0 "$(run --demo=split-brain --batch --format prometheus)"
check 'split-brain nagios: 2' 2 "$(run --demo=split-brain --batch --format nagios)"
check 'split-brain json: 2' 2 "$(run --demo=split-brain --batch --format json)"
check 'split-brain text: 2' 2 "$(run --demo=split-brain --batch)"
check 'maintenance nagios: 1' 1 "$(run --demo=maintenance --batch --format nagios)"
check 'healthy nagios: 0' 0 "$(run --demo --batch --format nagios)"
prom=$("$CARPTOP" --demo=split-brain --batch --format prometheus 2>/dev/null)
case $prom in
*'carptop_cluster_status{cluster="demo"} 2'*) check 'prometheus: the status is in the metrics' yes yes ;;
*) check 'prometheus: the status is in the metrics' yes no ;;
esac
if [ -w /dev/full ]; then
	"$CARPTOP" --demo=split-brain --batch --format prometheus >/dev/full 2>/dev/null
	check 'prometheus that cannot be written: 3' 3 $?
fi
check 'add-alias without address: 3' 3 "$(run --demo --batch --run add-alias vhid=3)"
msg=$("$CARPTOP" --demo --batch --run add-alias vhid=3 2>&1 >/dev/null)
case $msg in
*"add-alias needs address=A/P"*) check 'add-alias without address: says what is missing' yes yes ;;
*) check 'add-alias without address: says what is missing' yes "$msg" ;;
esac
check '--wall --batch: 3' 3 "$(run --demo --wall --batch)"
msg=$("$CARPTOP" --demo --wall --batch 2>&1 >/dev/null)
case $msg in
*"--wall is a display and --batch prints once"*) check '--wall --batch: a message' yes yes ;;
*) check '--wall --batch: a message' yes "$msg" ;;
esac
echo "1..$n"
[ "$failed" -eq 0 ]
