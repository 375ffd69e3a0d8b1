#!/usr/bin/env bash
# Suite 'api': carptop's HTTPS API transport against carpsim, the emulator
# of OPNsense nodes: roles as the emulator has them, every error class as a
# precise node state, a hanging node that delays nothing else, connection
# reuse, and the maintenance toggle read -> act -> verify.
. "$(dirname "$0")/lib.sh"

node_field() { jq -r ".clusters[0].nodes[$1].$2" "$OUT"; }
vhid_status() { jq -r ".clusters[0].vhids[] | select(.vhid == $1) | .nodes[\"$2\"].status" "$OUT"; }

# --- healthy, split-brain and maintenance: roles as the emulator shows them
for scen in healthy split-brain maintenance; do
	start_sim "$scen" --scenario "$scen"
	carptop_json
	case $scen in
	healthy)
		check "healthy: exit 0" [ "$RC" -eq 0 ]
		check "healthy: fw1 MASTER on VHID 1 and 3" [ "$(vhid_status 1 fw1)$(vhid_status 3 fw1)" = MASTERMASTER ]
		check "healthy: fw2 BACKUP on VHID 1 and 3" [ "$(vhid_status 1 fw2)$(vhid_status 3 fw2)" = BACKUPBACKUP ]
		check "healthy: state counts read" [ "$(node_field 0 states.current)" -gt 0 ]
		check "healthy: version read" [ "$(node_field 1 version)" = 26.7.2 ]
		;;
	split-brain)
		check "split-brain: exit 2" [ "$RC" -eq 2 ]
		check "split-brain: both MASTER on VHID 3" [ "$(vhid_status 3 fw1)$(vhid_status 3 fw2)" = MASTERMASTER ]
		check "split-brain: verdict names it" [ "$(jqv '.clusters[0].vhids[] | select(.vhid==3) | .verdict')" = split-brain ]
		;;
	maintenance)
		check "maintenance: fw2 MASTER" [ "$(vhid_status 1 fw2)" = MASTER ]
		check "maintenance: fw1 flag and demotion" [ "$(node_field 0 carp.maintenance) $(node_field 0 carp.demotion)" = "true 240" ]
		;;
	esac
	# What the emulator's kernel state says, node by node (its own log of
	# transitions ends in these states).
	want=$(ctl GET /ctl/text/0/1/ifconfig | awk '/carp:/ { printf "%s", $2 }')
	got="$(vhid_status 1 fw2)$(vhid_status 3 fw2)"
	check "$scen: fw2 roles match the emulator ($want)" [ "$got" = "$want" ]
done

# --- error classes: each a precise node state, never OK
start_sim errors
expect_error() { # expect_error NODE KIND MESSAGE-PART description
	carptop_json
	local kind msg
	kind=$(node_field "$1" error_kind)
	msg=$(node_field "$1" error)
	if [ "$kind" = "$2" ] && printf '%s' "$msg" | grep -qi -- "$3" && [ "$RC" -ne 0 ]; then
		ok "$4 ($kind: $msg)"
	else
		not_ok "$4: got kind=$kind msg=$msg rc=$RC"
	fi
}
ctl POST /ctl/plug/0/1/refuse >/dev/null
sleep 0.2
expect_error 1 connection-refused "refused" "plug pulled (refuse): connection refused"
ctl POST /ctl/plug/0/1/hang >/dev/null
sleep 0.2
t0=$(date +%s%N)
expect_error 1 timeout "did not answer\|timed out" "plug pulled (hang): timeout"
t1=$(date +%s%N)
check "hang: the batch round ends within the node timeout plus margin ($(( (t1 - t0) / 1000000 )) ms)" [ $(( (t1 - t0) / 1000000 )) -lt 8000 ]
check "hang: the other node is still read" [ "$(node_field 0 reachable)" = true ]
# carpsim runs every node from a few driver threads: a waiting request is
# suspended, never slept on. More hanging requests than drivers, and the
# other node and the control server still answer; once the plug is back in,
# every hung request is answered. A slow node serves its requests side by
# side: 4 of 1.5 s each all end within 4 s (one after another: 6 s).
api_get() { # api_get NODE PATH SECONDS: prints the HTTP status
	local kf
	kf=$(eval echo "\$CARPSIM_KEYFILE_0_$1")
	curl -sk -m "$3" -o /dev/null -w '%{http_code}' -u "$(sed -n 's/^key=//p' "$kf"):$(sed -n 's/^secret=//p' "$kf")" \
		"https://127.0.0.1:$(eval echo "\$CARPSIM_PORT_0_$1")$2"
}
pids=
for i in 1 2 3 4 5 6 7 8; do
	api_get 1 /api/diagnostics/interface/get_vip_status 20 >"$WORK/hung.$i" &
	pids="$pids $!"
done
sleep 0.5
check "hang: 8 hung requests, the other node answers at once" [ "$(api_get 0 /api/diagnostics/interface/get_vip_status 2)" = 200 ]
check "hang: 8 hung requests, the control server answers at once" [ -n "$(curl -sS -m 2 "$CARPSIM_CTL/ctl/time")" ]
ctl POST /ctl/plug/0/1/up >/dev/null
wait $pids
check "hang: every hung request answered once the plug is back in ($(cat "$WORK"/hung.* | tr '\n' ' '))" \
	[ "$(cat "$WORK"/hung.*)" = 200200200200200200200200 ]
ctl POST /ctl/latency/0/1/1500 >/dev/null
pids=
for i in 1 2 3 4; do
	api_get 1 /api/diagnostics/interface/get_vip_status 4 >"$WORK/slow.$i" &
	pids="$pids $!"
done
sleep 0.2
check "latency: 4 slow requests, the other node answers at once" [ "$(api_get 0 /api/diagnostics/interface/get_vip_status 1)" = 200 ]
wait $pids
check "latency: 4 slow requests to one node answered side by side ($(cat "$WORK"/slow.* | tr '\n' ' '))" [ "$(cat "$WORK"/slow.*)" = 200200200200 ]
ctl POST /ctl/latency/0/1/0 >/dev/null
sleep 0.3

ctl POST "/ctl/fault/0/1?path=/api/diagnostics/interface/get_vip_status&count=1&status=500" >/dev/null
expect_error 1 server-error "Unexpected error" "HTTP 500 with errorMessage"
ctl POST "/ctl/fault/0/1?path=/api/diagnostics/interface/get_vip_status&count=1&status=404" >/dev/null
expect_error 1 not-found "not found\|absent" "HTTP 404: endpoint absent"
ctl POST "/ctl/fault/0/1?path=/api/diagnostics/interface/get_vip_status&count=1&kind=malformed" >/dev/null
expect_error 1 bad-reply "json\|malformed\|parse" "malformed JSON"
ctl POST "/ctl/fault/0/1?path=/api/diagnostics/interface/get_vip_status&count=1&kind=truncated" >/dev/null
expect_error 1 bad-reply "json\|truncated\|parse" "truncated JSON"
ctl POST "/ctl/deny/0/1?prefix=/api/diagnostics/interface/get_vip_status" >/dev/null
expect_error 1 forbidden "privilege\|Status" "HTTP 403 names the privilege"
ctl POST "/ctl/deny/0/1" >/dev/null

# 401: a wrong secret in the key file
cp "$CARPSIM_KEYFILE_0_1" "$WORK/good.apikey"
printf 'key=%s\nsecret=wrong\n' "$(sed -n 's/^key=//p' "$WORK/good.apikey")" >"$CARPSIM_KEYFILE_0_1"
chmod 600 "$CARPSIM_KEYFILE_0_1"
expect_error 1 auth-failed "key\|secret\|401" "HTTP 401: key or secret rejected"
check "401: the secret never appears in any output" absent wrong "$OUT" "$WORK/err.txt"
cp "$WORK/good.apikey" "$CARPSIM_KEYFILE_0_1"

# TLS: untrusted (no CA configured), pin mismatch, pin match
sed '/ca_file:/d' "$CFG" >"$WORK/noca.yaml"
OUT="$WORK/out.json"
RC=0; "$CARPTOP" -c "$WORK/noca.yaml" --batch --format json >"$OUT" 2>/dev/null || RC=$?
check "TLS: a certificate from an unknown CA is refused (untrusted)" [ "$(node_field 0 error_kind)" = tls-untrusted ]
sed "s|ca_file: .*|pin: \"sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"|" "$CFG" >"$WORK/badpin.yaml"
RC=0; "$CARPTOP" -c "$WORK/badpin.yaml" --batch --format json >"$OUT" 2>/dev/null || RC=$?
check "TLS: pin mismatch" [ "$(node_field 0 error_kind)" = tls-pin-mismatch ]
awk -v p0="$CARPSIM_PIN_0_0" -v p1="$CARPSIM_PIN_0_1" '/ca_file:/ { sub(/ca_file: .*/, "pin: \"" (++k == 1 ? p0 : p1) "\"") } { print }' "$CFG" >"$WORK/pin.yaml"
RC=0; "$CARPTOP" -c "$WORK/pin.yaml" --batch --format json >"$OUT" 2>/dev/null || RC=$?
check "TLS: the right pin accepts the self-signed-style certificate" [ "$(node_field 0 reachable)$(node_field 1 reachable)" = truetrue ]

start_sim tls --cert 0:0:expired --cert 0:1:wrongname
carptop_json
check "TLS: expired certificate" [ "$(node_field 0 error_kind)" = tls-expired ]
check "TLS: name mismatch" [ "$(node_field 1 error_kind)" = tls-name-mismatch ]

# --- connection reuse: one TLS handshake per node across 10 polls
start_sim reuse
ctl POST /ctl/reset-stats/0/0 >/dev/null
ctl POST /ctl/reset-stats/0/1 >/dev/null
carptop_json --count 10 --interval 0.2
c0=$(stat_of 0 0 connections)
r0=$(stat_of 0 0 requests)
check "reuse: 10 polls of fw1 ($r0 requests) over at most api.connections=3 connections ($c0)" [ "$c0" -le 3 -a "$r0" -ge 30 ]
check "reuse: fw2 too ($(stat_of 0 1 connections) connections)" [ "$(stat_of 0 1 connections)" -le 3 ]
# With connections: 1, exactly one TLS handshake per node across 10 polls.
sed 's/timeout: \(.*\)/timeout: \1\n          connections: 1/' "$CFG" >"$WORK/one.yaml"
ctl POST /ctl/reset-stats/0/0 >/dev/null
ctl POST /ctl/reset-stats/0/1 >/dev/null
OUT="$WORK/out.json"
"$CARPTOP" -c "$WORK/one.yaml" --batch --format json --count 10 --interval 0.2 >"$OUT" 2>/dev/null
check "reuse: connections 1 -> one TLS handshake per node across 10 polls (fw1 $(stat_of 0 0 connections), fw2 $(stat_of 0 1 connections); $(stat_of 0 0 requests) requests)" \
	[ "$(stat_of 0 0 connections)" -eq 1 -a "$(stat_of 0 1 connections)" -eq 1 -a "$(stat_of 0 0 requests)" -ge 30 ]

# --- read-only: zero mutating calls
start_sim ro
RC=0; "$CARPTOP" -c "$CFG" --read-only --batch --run maintenance-enter node=fw1 --yes >"$WORK/ro.txt" 2>&1 || RC=$?
check "read-only: a workflow is refused (exit $RC)" [ "$RC" -ne 0 ]
check "read-only: zero mutating calls reached fw1" [ "$(stat_of 0 0 mutations)" -eq 0 ]

# --- maintenance toggle: read -> act -> verify, one toggle only
start_sim toggle
"$CARPTOP" -c "$CFG" --batch --run maintenance-enter node=fw1 --yes >"$WORK/m.txt" 2>&1
RC=$?
check "maintenance-enter: exit 0" [ "$RC" -eq 0 ]
log=$(ctl GET /ctl/requests/0/0)
first_post=$(printf '%s\n' "$log" | grep -n 'POST /api/diagnostics/interface/carp_status/maintenance' | head -1 | cut -d: -f1)
first_read=$(printf '%s\n' "$log" | grep -n 'get_vip_status 200' | head -1 | cut -d: -f1)
check "maintenance-enter: the flag was read before the toggle" [ -n "$first_read" -a -n "$first_post" -a "$first_read" -lt "$first_post" ]
check "maintenance-enter: exactly one toggle sent" [ "$(printf '%s\n' "$log" | grep -c 'carp_status/maintenance')" -eq 1 ]
last_post=$(printf '%s\n' "$log" | grep -n 'carp_status/maintenance' | tail -1 | cut -d: -f1)
check "maintenance-enter: verified by a read after the toggle" [ "$(printf '%s\n' "$log" | sed -n "$((last_post + 1)),\$p" | grep -c get_vip_status)" -ge 1 ]
"$CARPTOP" -c "$CFG" --batch --run maintenance-enter node=fw1 --yes >"$WORK/m2.txt" 2>&1
check "maintenance-enter again: no second toggle (already in maintenance)" [ "$(ctl GET /ctl/requests/0/0 | grep -c 'carp_status/maintenance')" -eq 1 ]

# --- config drift, read live over the API (core/backup/download) --------------
drift_ok() { # the planted drift of --scenario drift: a rule deleted on fw2, VIP /32 on fw2
	jq -e '(.clusters[0].drift | length > 0)
		and any(.clusters[0].drift[]; .section == "filter" and .path == "filter/rule[3]" and .secondary == null)
		and any(.clusters[0].drift[]; .path == "virtualip/vip[vhid=3,lan]/subnet_bits" and .primary == "24" and .secondary == "32")' "$1" >/dev/null
}
downloads() { ctl GET "/ctl/requests/0/$1" | grep -c 'GET /api/core/backup/download/this 200'; }
start_sim drift --scenario drift
carptop_json --count 3 --interval 0.3
jq -s '.[-1]' "$OUT" >"$WORK/drift.json"
check "drift over the api: the planted rule and VIP prefix differences ($(jq -c '[.clusters[0].drift[]?.path]' "$WORK/drift.json"))" drift_ok "$WORK/drift.json"
check "drift over the api: reported as config-drift findings" [ "$(jq '[.clusters[0].findings[] | select(.id == "config-drift")] | length' "$WORK/drift.json")" -ge 2 ]
check "drift over the api: config.xml downloaded once per node in 3 rounds (marker unchanged: $(downloads 0), $(downloads 1))" [ "$(downloads 0)$(downloads 1)" = 11 ]
check "drift over the api: the config never reaches the output (no CARP password)" absent "<password>\|s3cret" "$OUT" "$WORK/err.txt"
start_sim nodrift
carptop_json
check "no drift over the api on a healthy pair (drift [] and known)" [ "$(jqv '.clusters[0].drift | tojson')" = "[]" ]
# The marker (the newest backup's id) is a slow read, but after an action of
# carptop's own it is read at the next poll: a workflow's checks never judge
# the config.xml from before its own change.
"$CARPTOP" -c "$CFG" --batch --run maintenance-enter node=fw1 --yes >"$WORK/m3.txt" 2>&1
marker_after_post() {
	local log post
	log=$(ctl GET /ctl/requests/0/0)
	post=$(printf '%s\n' "$log" | grep -n 'POST /api/diagnostics/interface/carp_status/maintenance' | head -1 | cut -d: -f1)
	[ -n "$post" ] && printf '%s\n' "$log" | sed -n "$((post + 1)),\$p" | grep -q 'GET /api/core/backup/backups/this 200'
}
check "after an action: the config marker is read again at the next poll" marker_after_post
# No backup kept on the node: the download is empty.
start_sim nobackup
ctl POST "/ctl/fault/0/1?path=/api/core/backup/download/this&count=1&kind=empty" >/dev/null
carptop_json --count 2 --interval 0.3
check "no backup on the node: a partial error says so" \
	[ "$(jq -s -r '.[-1].clusters[0].nodes[1].partial_errors[] | select(.what == "config") | .message' "$OUT" | grep -c 'keeps no configuration backup')" -eq 1 ]
check "no backup on the node: drift unknown, not empty" [ "$(jq -s -c '.[-1].clusters[0].drift' "$OUT")" = null ]
check "no backup on the node: the node itself is fine" [ "$(jq -s -r '.[-1].clusters[0].nodes[1].reachable' "$OUT")" = true ]
ctl POST "/ctl/deny/0/0?prefix=/api/core/backup/" >/dev/null
carptop_json --count 2 --interval 0.3
check "backup download forbidden: the partial error names the privilege" \
	[ "$(jq -s -r '.[-1].clusters[0].nodes[0].partial_errors[] | select(.what == "config") | .message' "$OUT" | grep -c 'Configuration History')" -eq 1 ]
ctl POST "/ctl/deny/0/0" >/dev/null

done_testing
