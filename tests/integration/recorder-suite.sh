#!/usr/bin/env bash
# Suite 'recorder': carptop --batch --watch records a carpsim run in which a
# split brain (an IP alias on VHID 3 of fw2 only) and a reboot of the MASTER
# happen; `--batch --replay --events` must report both, with durations and
# start times within one poll interval of carpsim's own transition log.
. "$(dirname "$0")/lib.sh"

INTERVAL=0.5
start_sim rec --scenario healthy --interval "$INTERVAL"
REC_DIR="$XDG_STATE_HOME/carptop/recordings"

api() { # api NODE PATH [body]: a call to node 0/NODE's HTTPS API as a script would make it
	local port key secret
	eval "port=\$CARPSIM_PORT_0_$1 pin=\$CARPSIM_PIN_0_$1 kf=\$CARPSIM_KEYFILE_0_$1"
	key=$(sed -n 's/^key=//p' "$kf")
	secret=$(sed -n 's/^secret=//p' "$kf")
	# -k: carpsim's CA is per run; the public key pin is still checked.
	curl -sS -k --pinnedpubkey "$pin" -u "$key:$secret" -H 'Content-Type: application/json' \
		-X POST --data-binary "${3:-{\}}" "https://127.0.0.1:$port$2"
}

"$CARPTOP" -c "$CFG" --batch --watch --interval "$INTERVAL" --format json >"$WORK/watch.json" 2>"$WORK/watch.err" &
WATCH=$!
EXTRA_CLEANUP='kill $WATCH 2>/dev/null'
sleep 3

# Split brain: an IP alias on VHID 3 of fw2 only changes fw2's address set.
reply=$(api 1 /api/interfaces/vip_settings/add_item \
	'{"vip":{"mode":"ipalias","interface":"lan","subnet":"192.168.1.5","subnet_bits":"24","vhid":"3","descr":"split"}}')
uuid=$(printf '%s' "$reply" | jq -r .uuid)
api 1 /api/interfaces/vip_settings/reconfigure >/dev/null
sleep 5
api 1 "/api/interfaces/vip_settings/del_item/$uuid" >/dev/null
api 1 /api/interfaces/vip_settings/reconfigure >/dev/null
sleep 4
# The MASTER reboots: nobody is MASTER until fw2 takes over, then fw1 comes back.
api 0 /api/core/system/reboot >/dev/null
for _ in $(seq 1 60); do
	sleep 0.5
	ctl GET /ctl/transitions | grep -q 'fw1 vhid 1 UNKNOWN -> ' && break
done
sleep 6
kill -TERM $WATCH
wait $WATCH 2>/dev/null
EXTRA_CLEANUP=

# carpsim's clock and ours, read together.
sim_now=$(ctl GET /ctl/time)
wall_now=$(date +%s.%N)
ctl GET /ctl/transitions >"$WORK/transitions.txt"
diag <"$WORK/transitions.txt"

check "the watch recorded into the state directory" sh -c "ls '$REC_DIR'/*.ctr >/dev/null"
"$CARPTOP" --batch --replay "$REC_DIR" --events --format json >"$WORK/events.json" 2>"$WORK/events.err"
check "--events exits 0" [ $? -eq 0 ]
"$CARPTOP" --batch --replay "$REC_DIR" --events >"$WORK/events.txt" 2>&1
diag <"$WORK/events.txt"

# Compare: every split brain and every moment without MASTER in carpsim's
# log, and fw1's reboot, against what the replay reports.
/usr/bin/python3 - "$WORK/transitions.txt" "$WORK/events.json" "$sim_now" "$wall_now" "$INTERVAL" >"$WORK/compare.tap" <<'PY'
import json, sys
trans, events, sim_now, wall_now, interval = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
offset = wall_now - sim_now          # sim seconds (speed 1) -> wall clock
tol = interval                       # "within one poll interval"
# A start is seen by the first poll after it and stamped when that poll
# completes: up to one interval plus the poll's own duration (loopback: ms).
tol_start = interval + 0.1
ev = json.load(open(events))

# carpsim: per VHID the number of MASTERs after each transition.
sim = []   # (vhid, state, start, end)
cur = {}
for line in open(trans):
    f = line.split()
    if len(f) < 9:
        continue
    t, node, vhid, masters = float(f[0]), f[2], int(f[4]), int(f[8].split('=')[1])
    state = 'split-brain' if masters >= 2 else 'no-master' if masters == 0 else 'master'
    prev = cur.get(vhid)
    if prev and prev[0] == state:
        continue
    if prev and prev[0] != 'master':
        sim.append((vhid, prev[0], prev[1] + offset, t + offset))
    cur[vhid] = (state, t)
# carpsim: fw1 down from its first UNKNOWN to its first state after it.
down = [float(l.split()[0]) for l in open(trans) if ' fw1 vhid 1 ' in l and '-> UNKNOWN' in l]
up = [float(l.split()[0]) for l in open(trans) if ' fw1 vhid 1 UNKNOWN -> ' in l]

n = 0
def check(ok, what):
    global n
    n += 1
    print(('ok' if ok else 'not ok'), n, '-', what)

kinds = {s[1] for s in sim if s[3] - s[2] > tol}
# No split brain or time without MASTER that carpsim did not have (a poll of
# one node seen before its peer's of the same round must not make one).
for iv in ev['intervals']:
    if iv['state'] in ('split-brain', 'no-master'):
        real = [s for s in sim if s[0] == iv['vhid'] and s[1] == iv['state'] and abs(s[2] - iv['start_t']) <= tol_start]
        check(bool(real), 'replay VHID %d %s at %s (%.3f s) is in carpsim\'s log' %
              (iv['vhid'], iv['state'], iv['start'], iv['duration_s']))
check('split-brain' in kinds, 'carpsim logged a split brain (%s)' % sorted(kinds))
check('no-master' in kinds, 'carpsim logged a time without MASTER')
for vhid, state, start, end in sim:
    if end - start <= tol:
        continue  # shorter than a poll: a poll may rightly miss it
    best = None
    for iv in ev['intervals']:
        if iv['vhid'] == vhid and iv['state'] == state:
            d = abs(iv['start_t'] - start)
            if best is None or d < abs(best['start_t'] - start):
                best = iv
    if not best:
        check(False, 'VHID %d %s of %.3f s: not in the replay' % (vhid, state, end - start))
        continue
    ds, dd = best['start_t'] - start, best['duration_s'] - (end - start)
    check(abs(ds) <= tol_start and abs(dd) <= tol,
          'VHID %d %s: carpsim %.3f s, replay %.3f s (start %+.3f s, duration %+.3f s)' %
          (vhid, state, end - start, best['duration_s'], ds, dd))
if down and up:
    out = [o for o in ev['outages'] if o['node'] == 'fw1']
    check(len(out) == 1, 'one outage of fw1 in the replay (%d)' % len(out))
    if out:
        s0, e0 = down[0] + offset, up[0] + offset
        ds, dd = out[0]['start_t'] - s0, out[0]['duration_s'] - (e0 - s0)
        check(abs(ds) <= tol_start and abs(dd) <= tol,
              'fw1 reboot: carpsim %.3f s down, replay %.3f s (start %+.3f s, duration %+.3f s)' %
              (e0 - s0, out[0]['duration_s'], ds, dd))
else:
    check(False, 'carpsim logged the reboot of fw1')
print('#', n, 'comparisons')
PY
while read -r line; do
	case $line in
	ok*) ok "${line#ok * - }" ;;
	"not ok"*) not_ok "${line#not ok * - }" ;;
	*) echo "$line" ;;
	esac
done <"$WORK/compare.tap"

# The state at a moment of the split brain, as --batch --format json shows it live.
at=$(jq -r '[.intervals[] | select(.state == "split-brain" and .vhid == 3)][0].start_t + 0.3' "$WORK/events.json")
at_iso=$(date -d "@$at" +%Y-%m-%dT%H:%M:%S.%3N)
"$CARPTOP" --batch --replay "$REC_DIR" --at "$at_iso" --format json >"$WORK/at.json" 2>"$WORK/at.err"
rc=$?
check "--at during the split brain: exit 2 (CRITICAL, as live)" [ "$rc" -eq 2 ]
check "--at: VHID 3 verdict split-brain" [ "$(jq -r '.clusters[0].vhids[] | select(.vhid==3) | .verdict' "$WORK/at.json")" = split-brain ]
check "--at: the same JSON shape as live (top-level keys)" \
	[ "$(jq -c 'keys' "$WORK/at.json")" = "$(tail -n +1 "$WORK/watch.json" | jq -sc '.[0] | keys')" ]

# A torn segment: cut the last record in half; the replay goes up to the tear.
seg=$(ls "$REC_DIR"/*.ctr | head -1)
size=$(stat -c %s "$seg")
cp "$seg" "$WORK/torn.ctr"
truncate -s $((size - 5)) "$WORK/torn.ctr"
"$CARPTOP" --batch --replay "$WORK/torn.ctr" --events --format json >"$WORK/torn.json" 2>"$WORK/torn.err"
check "torn segment: replays (exit $?), says so on stderr" grep -q "torn" "$WORK/torn.err"
check "torn segment: same split brain as the whole one" \
	[ "$(jq -c '[.intervals[] | select(.state=="split-brain") | .start_t]' "$WORK/torn.json")" = \
	  "$(jq -c '[.intervals[] | select(.state=="split-brain") | .start_t]' "$WORK/events.json")" ]

# A one-shot --batch records only with --record.
before=$(ls "$REC_DIR" | wc -l)
"$CARPTOP" -c "$CFG" --batch --format json >/dev/null 2>&1
check "one-shot --batch does not record" [ "$(ls "$REC_DIR" | wc -l)" -eq "$before" ]
"$CARPTOP" -c "$CFG" --batch --format json --record "$WORK/once.ctr" >/dev/null 2>&1
check "one-shot --batch --record FILE records two nodes" \
	[ "$(jq '[.events[] | select(.kind=="first-poll")] | length' <("$CARPTOP" --batch --replay "$WORK/once.ctr" --events --format json))" -eq 2 ]
"$CARPTOP" --batch --replay "$WORK/nothere" --events >/dev/null 2>"$WORK/err.txt"
check "a missing recording: exit 3 with the reason" sh -c "[ $? -eq 3 ] && grep -q 'No such file' '$WORK/err.txt'"

# carptop itself killed with SIGKILL while it records (the unit test
# `recorder` kills the writer alone): every record it finished is whole, at
# most the one it was writing is cut, and each round it printed (a round is
# printed after both of its snapshots were recorded) is in the file.
for wait_s in 0.7 1.1 1.6; do
	f="$WORK/kill-$wait_s.ctr"
	"$CARPTOP" --demo --batch --watch --interval 0.05 --format json --record "$f" >"$WORK/kill.json" 2>/dev/null &
	kpid=$!
	sleep "$wait_s"
	kill -KILL "$kpid"
	wait "$kpid" 2>/dev/null
	res=$(/usr/bin/python3 - "$f" "$WORK/kill.json" <<'PY'
import json, sys, zlib
data = open(sys.argv[1], 'rb').read()
dec, text, docs = json.JSONDecoder(), open(sys.argv[2]).read(), 0
while True:  # whole documents printed (the last may be cut by the kill)
    text = text.lstrip()
    try:
        _, end = dec.raw_decode(text)
    except ValueError:
        break
    docs, text = docs + 1, text[end:]
MAGIC = b"CARPTOP-REC 1\n"
pos, snaps, why = len(MAGIC), 0, "ok"
if not data.startswith(MAGIC):
    why = "no header"
while why == "ok" and pos < len(data):
    if data[pos] != 0xC5:
        why = "no frame at byte %d" % pos
        break
    n, shift, q = 0, 0, pos + 1
    while q < len(data):
        b = data[q]; q += 1
        n |= (b & 0x7F) << shift; shift += 7
        if not b & 0x80:
            break
    if q + n + 4 > len(data):
        tail = len(data) - pos  # the record being written: cut, and the last thing
        break
    payload = data[q:q + n]
    if zlib.crc32(payload) != int.from_bytes(data[q + n:q + n + 4], "little"):
        why = "bad CRC at byte %d" % pos
        break
    snaps += payload[:1] in (b"K", b"D")
    pos = q + n + 4
print(why, docs, snaps)
PY
	)
	read -r why docs snaps <<<"$res"
	check "SIGKILL after ${wait_s} s: whole records up to at most one cut one ($why)" [ "$why" = ok ]
	check "SIGKILL after ${wait_s} s: every printed round recorded ($docs printed, $snaps snapshots)" \
		[ "${docs:-0}" -gt 2 ] && [ "${snaps:-0}" -ge $((2 * ${docs:-0})) ]
	"$CARPTOP" --batch --replay "$f" --events --format json >"$WORK/kill-ev.json" 2>"$WORK/kill-ev.err"
	check "SIGKILL after ${wait_s} s: replays (exit $?), nothing skipped" \
		[ "$(jq .skipped_records "$WORK/kill-ev.json")" = 0 ]
done

mkdir -p "$WORK/empty"
"$CARPTOP" --batch --replay "$WORK/empty" --events >/dev/null 2>"$WORK/err.txt"
check "a directory without segments: exit 3 with the reason" sh -c "[ $? -eq 3 ] && grep -q 'no recording segments' '$WORK/err.txt' && ! grep -q 'runtime error' '$WORK/err.txt'"
"$CARPTOP" --batch --replay "$WORK/transitions.txt" --events >/dev/null 2>"$WORK/err.txt"
check "not a recording: exit 3 with the reason" sh -c "[ $? -eq 3 ] && grep -q 'not a carptop recording' '$WORK/err.txt'"

done_testing
