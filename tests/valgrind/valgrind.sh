#!/usr/bin/env bash
# Suite 'valgrind': carptop from an unsanitised build under
#   valgrind --error-exitcode=1 --leak-check=full
# with the suppressions in carptop.supp (each one's reason is there and in
# doc/testing.md). Every valgrind log must end in "ERROR SUMMARY: 0 errors",
# and carptop's own exit status must be the expected one.
#   valgrind.sh CASE   CASE: demo-FORMAT | from-xml | add-alias | ssh-poll
# Env: CARPTOP, CARPSIM (add-alias, ssh-poll), FIXTURES. Prints TAP.
CASE=${1:?case}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/lib.sh"
SUPP="$HERE/carptop.supp"

# vg NAME EXPECTED_EXIT carptop-args...: run, then judge the log.
vg() {
	local name=$1 want=$2 rc=0
	shift 2
	valgrind --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible --suppressions="$SUPP" \
		--log-file="$WORK/$name.vg" "$CARPTOP" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
	if grep -q "ERROR SUMMARY: 0 errors" "$WORK/$name.vg"; then
		ok "$name: valgrind: no errors, no leaks"
	else
		not_ok "$name: valgrind reports errors or leaks"
		diag <"$WORK/$name.vg"
	fi
	# With no valgrind error, rc is carptop's own status.
	check "$name: carptop exits $want (got $rc)" [ "$rc" -eq "$want" ]
	[ "$rc" -eq "$want" ] || cat "$WORK/$name.out" "$WORK/$name.err" | tail -n 30 | diag
	grep -h "definitely lost\|indirectly lost\|possibly lost\|suppressed:" "$WORK/$name.vg" | diag
}

case $CASE in
demo-*)
	fmt=${CASE#demo-}
	# The default demo pair is healthy: exit 0; --count 2 polls twice.
	vg "demo $fmt" 0 --demo --batch --count 2 --interval 0.2 --format "$fmt"
	check "demo $fmt: output written" [ -s "$WORK/demo $fmt.out" ]
	;;
from-xml)
	for fmt in text json; do
		vg "from-xml $fmt" 0 --batch --from-xml "$FIXTURES/examples/Carp_example_master.xml" \
			"$FIXTURES/examples/Carp_example_backup.xml" --format "$fmt"
	done
	check "from-xml: no drift" [ "$(jq -c '.clusters[0].drift' "$WORK/from-xml json.out")" = '[]' ]
	;;
add-alias)
	start_sim alias --speed 5 || { not_ok "carpsim started"; done_testing; exit; }
	# Under valgrind carptop runs 20-50 times slower: carpsim's 3 s
	# request timeout would time out the TLS handshakes on a loaded machine.
	sed 's/^\( *timeout:\) .*/\1 30/' "$CFG" >"$WORK/slow.yaml"
	CFG="$WORK/slow.yaml"
	vg "add-alias" 0 -c "$CFG" --batch --run add-alias vhid=3 address=192.168.1.5/24 --yes
	check "add-alias: the alias is live on fw2" sh -c "curl -s $CARPSIM_CTL/ctl/text/0/1/ifconfig | grep -q 'inet 192.168.1.5 '"
	;;
ssh-poll)
	. "$HERE/../ssh/harness.sh"
	if ! why=$(ssh_harness_usable); then
		# Not a skip in CI: scripts/test.sh runs as root with sshd installed.
		not_ok "ssh harness usable: $why"
		done_testing
		exit
	fi
	start_sim ssh || { not_ok "carpsim started"; done_testing; exit; }
	export SSH_HARNESS_TIMEOUT=30 # valgrind is slow (see add-alias)
	ssh_harness_config "$SIM_DIR" "$CFG" >"$WORK/ssh.yaml" || { not_ok "ssh harness"; done_testing; exit; }
	EXTRA_CLEANUP=ssh_harness_stop
	# Hashed entries (|1|salt|hash, as ssh's HashKnownHosts writes them):
	# the libssh2 1.10 leak in carptop.supp is on this path.
	kh=$(awk '/known_hosts:/ { print $2; exit }' "$WORK/ssh.yaml")
	ssh-keygen -q -H -f "$kh" >/dev/null 2>&1 && rm -f "$kh.old"
	check "known_hosts is hashed" grep -q '^|1|' "$kh"
	# Three polls over one connection per node: the host key is checked
	# once per connection, so the libssh2 leak does not grow with polls.
	vg "ssh-poll" 0 -c "$WORK/ssh.yaml" --batch --count 3 --interval 0.5 --format json
	check "ssh-poll: both nodes read over ssh" [ "$(jq '[.clusters[0].nodes[] | select(.reachable == true)] | length' "$WORK/ssh-poll.out" 2>/dev/null | tail -n 1)" = 2 ]
	;;
*)
	not_ok "unknown case $CASE"
	;;
esac
done_testing
