#!/bin/sh
# Suite 'doctor': carptop --batch --from-xml on the how-to's example pair
# (clean: exit 0, no drift, nothing above info) and on modified copies made
# here in a temporary directory: the backup's LAN CARP VIP /32 plus one
# firewall rule changed (both reported, with their severities and
# sections; the exit status is the worst), a CARP password changed (critical,
# never shown), and broken files (file:line from libxml2, exit 3).
# Usage: doctor.sh CARPTOP EXAMPLES_DIR. Prints TAP.
set -u
CARPTOP=${1:?path to carptop}
EX=${2:?directory of Carp_example_master.xml and Carp_example_backup.xml}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/carptop-doctor.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { # check "description" command...
	what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
diag() { sed 's/^/# /'; }

# run NAME FORMAT PRIMARY SECONDARY: output in $WORK/NAME.FORMAT, stderr in
# $WORK/NAME.err, exit status in $RC.
run() {
	"$CARPTOP" --batch --from-xml "$3" "$4" --format "$2" >"$WORK/$1.$2" 2>"$WORK/$1.err"
	RC=$?
}
jqv() { jq -r "$2" "$WORK/$1.json"; }

# Copies named as the nodes: the output names the nodes after the files.
cp "$EX/Carp_example_master.xml" "$WORK/fw1.xml"
cp "$EX/Carp_example_backup.xml" "$WORK/fw2.xml"

# --- the how-to's pair as it is: clean
for fmt in text json nagios prometheus; do
	run example "$fmt" "$EX/Carp_example_master.xml" "$EX/Carp_example_backup.xml"
	check "example pair, $fmt: exit 0" [ "$RC" -eq 0 ]
done
check "example pair: verdict ok" [ "$(jqv example .verdict)" = ok ]
check "example pair: drift is [] (compared, nothing differs)" [ "$(jqv example '.clusters[0].drift | length')" = 0 ]
check "example pair: nothing above info" \
	[ "$(jqv example '[.clusters[0].findings[] | select(.severity != "info" and .severity != "ok")] | length')" = 0 ]
check "example pair: no live check ran (no node-unreachable)" \
	[ "$(jqv example '[.clusters[0].findings[] | select(.id == "node-unreachable")] | length')" = 0 ]
check "example pair: text says no drift" grep -q '^  DRIFT: none in the sections the primary syncs$' "$WORK/example.text"
check "example pair: nagios OK" grep -q '^CARP OK - ' "$WORK/example.nagios"
check "example pair: text has no empty live VHID table above the configured one" \
	sh -c '! grep -q "no VHIDs known" "$1"' - "$WORK/example.text"
check "example pair: text has the VHID table of both configs" \
	sh -c "grep -q '^  1     wan        172\.18\.0\.100/24 skew 0  *172\.18\.0\.100/24 skew 100\$' '$WORK/example.text' &&
	       grep -q '^  3     lan        192\.168\.1\.1/24 skew 0  *192\.168\.1\.1/24 skew 100\$' '$WORK/example.text'"
check "example pair: prometheus status 0" grep -q '^carptop_cluster_status{cluster="from-xml"} 0$' "$WORK/example.prometheus"
check "example pair: nothing on stderr" [ ! -s "$WORK/example.err" ]

# --- done means: the backup's LAN CARP VIP is /32 and one rule differs
awk '/<subnet_bits>24<\/subnet_bits>/ { k++; if (k == 2) sub(/24/, "32") } { print }' \
	"$EX/Carp_example_backup.xml" >"$WORK/fw2.xml"
sed -i 's|<ipprotocol>inet6</ipprotocol>|<ipprotocol>inet46</ipprotocol>|' "$WORK/fw2.xml"
check "fixture: /32 planted" grep -q '<subnet_bits>32</subnet_bits>' "$WORK/fw2.xml"
check "fixture: rule changed" grep -q '<ipprotocol>inet46</ipprotocol>' "$WORK/fw2.xml"
for fmt in text json nagios prometheus; do
	run planted "$fmt" "$WORK/fw1.xml" "$WORK/fw2.xml"
	if [ "$fmt" = prometheus ]; then
		check "planted, prometheus: exit 0 (the status is in the metrics)" [ "$RC" -eq 0 ]
	else
		check "planted, $fmt: exit 1 (the worst finding is a warning)" [ "$RC" -eq 1 ]
	fi
done
check "planted: verdict warning" [ "$(jqv planted .verdict)" = warning ]
check "planted: vip-prefix warning on fw2, VHID 3" \
	[ "$(jqv planted '.clusters[0].findings[] | select(.id == "vip-prefix") | "\(.severity) \(.node) \(.vhid)"')" = "warning fw2 3" ]
check "planted: config drift warning for filter" \
	[ "$(jqv planted '[.clusters[0].findings[] | select(.id == "config-drift" and .severity == "warning" and (.message | startswith("config drift in filter:")))] | length')" = 1 ]
check "planted: config drift warning for virtualip" \
	[ "$(jqv planted '[.clusters[0].findings[] | select(.id == "config-drift" and (.message | startswith("config drift in virtualip:")))] | length')" = 1 ]
check "planted: three findings, nothing else" [ "$(jqv planted '.clusters[0].findings | length')" = 3 ]
check "planted: drift[] holds the rule" \
	[ "$(jqv planted '.clusters[0].drift[] | select(.section == "filter") | "\(.path) \(.primary) \(.secondary)"')" = "filter/rule[3]/ipprotocol inet6 inet46" ]
check "planted: drift[] holds the VIP prefix" \
	[ "$(jqv planted '.clusters[0].drift[] | select(.section == "virtualip") | "\(.path) \(.primary) \(.secondary)"')" = "virtualip/vip[vhid=3,lan]/subnet_bits 24 32" ]
check "planted: two drift items" [ "$(jqv planted '.clusters[0].drift | length')" = 2 ]
check "planted: nagios WARNING" grep -q '^CARP WARNING - from-xml: ' "$WORK/planted.nagios"
check "planted: nagios names the prefix" grep -q 'has prefix /32 but interface lan is /24' "$WORK/planted.nagios"
check "planted: prometheus status 1, 3 warnings" \
	sh -c "grep -q '^carptop_cluster_status{cluster=\"from-xml\"} 1\$' '$WORK/planted.prometheus' &&
	       grep -q '^carptop_findings{cluster=\"from-xml\",severity=\"warning\"} 3\$' '$WORK/planted.prometheus'"
check "planted: the VHID table marks the /32 only fw2 has" \
	grep -q '^ *192\.168\.1\.1/32  only in fw2, missing in fw1$' "$WORK/planted.text"
check "planted: text lists the drift" grep -q '^  filter  *filter/rule\[3\]/ipprotocol  *inet6  *inet46$' "$WORK/planted.text"

# --- worse: the LAN VIP's CARP password differs as well: critical, not shown
awk '/<password>opnsense<\/password>/ { k++; if (k == 2) sub(/opnsense/, "hunter2") } { print }' \
	"$WORK/fw2.xml" >"$WORK/fw2b.xml"
mv "$WORK/fw2b.xml" "$WORK/fw2.xml"
for fmt in text json nagios prometheus; do
	run password "$fmt" "$WORK/fw1.xml" "$WORK/fw2.xml"
	if [ "$fmt" = prometheus ]; then
		check "password, prometheus: exit 0 (the status is in the metrics)" [ "$RC" -eq 0 ]
	else
		check "password, $fmt: exit 2 (critical)" [ "$RC" -eq 2 ]
	fi
	check "password, $fmt: neither password shown" sh -c "! grep -qw -e hunter2 -e opnsense '$WORK/password.$fmt'"
done
check "password: vhid-config-mismatch critical on VHID 3" \
	[ "$(jqv password '.clusters[0].findings[] | select(.id == "vhid-config-mismatch") | "\(.severity) \(.vhid)"')" = "critical 3" ]
check "password: drift item hidden" \
	[ "$(jqv password '.clusters[0].drift[] | select(.path == "virtualip/vip[vhid=3,lan]/password") | "\(.primary) \(.secondary)"')" = "(hidden) (hidden)" ]

# --- broken files: a clear error with file:line, exit 3
head -n 300 "$EX/Carp_example_master.xml" >"$WORK/cut.xml"
run cut json "$WORK/cut.xml" "$WORK/fw2.xml"
check "truncated: exit 3" [ "$RC" -eq 3 ]
check "truncated: file:line: libxml2's reason" grep -Eq "cut\.xml:[0-9]+(:[0-9]+)?: Premature end of data" "$WORK/cut.err"
check "truncated: nothing on stdout" [ ! -s "$WORK/cut.json" ]
diag <"$WORK/cut.err"
sed 's|</system>|</sistem>|' "$EX/Carp_example_master.xml" >"$WORK/bad.xml"
run bad text "$WORK/bad.xml" "$WORK/fw2.xml"
check "malformed: exit 3" [ "$RC" -eq 3 ]
check "malformed: file:line:col and the mismatch" grep -Eq "bad\.xml:[0-9]+:[0-9]+: Opening and ending tag mismatch" "$WORK/bad.err"
diag <"$WORK/bad.err"
printf '<pfsense><system/></pfsense>\n' >"$WORK/pf.xml"
run pf text "$WORK/fw1.xml" "$WORK/pf.xml"
check "not an OPNsense config: exit 3" [ "$RC" -eq 3 ]
check "not an OPNsense config: says so" grep -q "pf.xml:1: root element is <pfsense>, not <opnsense>" "$WORK/pf.err"
run missing text "$WORK/fw1.xml" "$WORK/nonexistent.xml"
check "missing file: exit 3" [ "$RC" -eq 3 ]
check "missing file: cannot read" grep -q "nonexistent.xml: cannot read" "$WORK/missing.err"

# --- live: the sim transport reads config.xml (backend op config_start)
"$CARPTOP" --demo=drift --batch --format json >"$WORK/live.json" 2>"$WORK/live.err"
RC=$?
check "live drift demo: exit 2 (its VHID mismatch is critical)" [ "$RC" -eq 2 ]
check "live drift demo: drift[] holds the deleted rule" \
	[ "$(jqv live '.clusters[0].drift[] | select(.section == "filter") | "\(.path) \(.secondary)"')" = "filter/rule[3] null" ]
check "live drift demo: drift[] holds the /32" \
	[ "$(jqv live '.clusters[0].drift[] | select(.section == "virtualip") | "\(.primary) \(.secondary)"')" = "24 32" ]
check "live drift demo: config-drift findings" \
	[ "$(jqv live '[.clusters[0].findings[] | select(.id == "config-drift")] | length')" = 2 ]
check "live drift demo: vip-prefix on fw2" \
	[ "$(jqv live '.clusters[0].findings[] | select(.id == "vip-prefix") | .node')" = fw2 ]
"$CARPTOP" --demo --batch --format json >"$WORK/healthy.json" 2>/dev/null
RC=$?
check "live healthy demo: exit 0, drift []" \
	[ "$RC $(jqv healthy '.clusters[0].drift | length') $(jqv healthy '.clusters[0].findings | length')" = "0 0 0" ]
"$CARPTOP" --demo=node-down --batch --format json >"$WORK/down.json" 2>/dev/null
check "live, a node down: drift null (not compared)" [ "$(jqv down '.clusters[0].drift')" = null ]

# --- usage
"$CARPTOP" --batch --from-xml "$WORK/fw1.xml" >/dev/null 2>"$WORK/usage.err"
check "one file: exit 3" [ $? -eq 3 ]
check "one file: needs two files" grep -q "needs two files" "$WORK/usage.err"
"$CARPTOP" --demo --from-xml "$WORK/fw1.xml" "$WORK/fw2.xml" >/dev/null 2>"$WORK/usage.err"
check "with --demo: exit 3" [ $? -eq 3 ]
"$CARPTOP" --list-checks >"$WORK/list.txt"
check "--list-checks: the live table" grep -q '^vhid-split-brain ' "$WORK/list.txt"
check "--list-checks: the config table" grep -q '^vip-prefix ' "$WORK/list.txt"
check "--list-checks: drift" grep -q '^config-drift ' "$WORK/list.txt"

echo "1..$n"
[ "$n" -gt 0 ] && [ "$failed" -eq 0 ]
