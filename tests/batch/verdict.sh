#!/bin/sh
# The verdict tells the truth when a node is down: one node MASTER, the
# other unreachable is CRITICAL "no redundancy" (Nagios exit 2, fw1 named
# as MASTER), never UNKNOWN; nothing known (both nodes down) is UNKNOWN,
# exit 3. And the guarded path is enforced by linkage: the carptop binary
# holds no test grant (backend.h), so only the engine can change a node.
set -u
CARPTOP=${1:?usage: $0 path/to/carptop}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/carptop-verdict.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export XDG_STATE_HOME="$WORK/state"
n=0 failed=0
check() { what=$1; shift; n=$((n + 1)); if "$@"; then echo "ok $n - $what"; else failed=$((failed + 1)); echo "not ok $n - $what"; fi; }

rc=0; "$CARPTOP" --demo=node-down --batch --format nagios >"$WORK/nag.txt" 2>&1 || rc=$?
check "node-down nagios: exit 2 (CRITICAL), not 3" [ "$rc" -eq 2 ]
check "node-down nagios: names fw1 as MASTER" grep -q '^CARP CRITICAL - DEMO demo: VHID 1 no redundancy: MASTER fw1, fw2 unreachable' "$WORK/nag.txt"
rc=0; "$CARPTOP" --demo=node-down --batch --format json >"$WORK/out.json" 2>&1 || rc=$?
check "node-down json: schema version 2" grep -q '"version":2' "$WORK/out.json"
check "node-down json: VHID verdict no-redundancy" grep -q '"verdict":"no-redundancy"' "$WORK/out.json"
rc=0; "$CARPTOP" --demo=node-down --batch --format prometheus >"$WORK/prom.txt" 2>&1 || rc=$?
check "node-down prometheus: carptop_vhid_masters counts fw1's MASTER" grep -q '^carptop_vhid_masters{cluster="demo",vhid="1"} 1$' "$WORK/prom.txt"
rc=0; "$CARPTOP" --demo=node-down --batch >"$WORK/text.txt" 2>&1 || rc=$?
check "node-down text: MASTER on fw1 shown, verdict no-redundancy" grep -Eq '^  1 +WAN .*MASTER skew 0 +UNKNOWN +no-redundancy$' "$WORK/text.txt"

# Both nodes down: ports nothing listens on (connection refused).
printf 'key\nsecret\n' >"$WORK/key.txt"
chmod 600 "$WORK/key.txt"
cat >"$WORK/down.yaml" <<YAML
clusters:
  - name: lab
    nodes:
      - name: fw1
        role: primary
        api: { url: "https://127.0.0.1:1", key_file: "$WORK/key.txt", insecure: true, timeout: 2 }
      - name: fw2
        role: secondary
        api: { url: "https://127.0.0.1:2", key_file: "$WORK/key.txt", insecure: true, timeout: 2 }
YAML
chmod 600 "$WORK/down.yaml"
rc=0; "$CARPTOP" -c "$WORK/down.yaml" --batch --format nagios >"$WORK/down.txt" 2>&1 || rc=$?
check "both nodes down: exit 3 (UNKNOWN: nothing known)" [ "$rc" -eq 3 ]
check "both nodes down: says UNKNOWN" grep -q '^CARP UNKNOWN' "$WORK/down.txt"
[ "$rc" -eq 3 ] || sed 's/^/# /' "$WORK/down.txt"

if command -v nm >/dev/null 2>&1; then
	check "linkage: carptop defines no test grant (weak, undefined)" sh -c "nm '$CARPTOP' | grep -q ' w carptop_test_grant$'"
	check "linkage: carptop has no app_action entry point" sh -c "! nm '$CARPTOP' | grep -q ' T app_action$'"
fi
echo "1..$n"
[ "$failed" -eq 0 ]
