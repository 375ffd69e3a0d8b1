#!/usr/bin/env bash
# The baseline: the reads of one carptop poll round (steady state), made for
# both nodes one after another by plain curl, as a monitoring script would.
# Usage: sequential-curl.sh CARPSIM_DIR   (reads carpsim.env for ports/keys)
set -eu
. "$1/carpsim.env"
for node in 0 1; do
	eval port=\$CARPSIM_PORT_0_$node keyfile=\$CARPSIM_KEYFILE_0_$node
	key=$(sed -n 's/^key=//p' "$keyfile")
	secret=$(sed -n 's/^secret=//p' "$keyfile")
	for path in diagnostics/interface/get_vip_status diagnostics/firewall/pf_states \
		diagnostics/interface/get_pfsync_nodes; do
		curl -sS --fail --cacert "$1/ca.pem" -u "$key:$secret" -o /dev/null "https://127.0.0.1:$port/api/$path"
	done
done
