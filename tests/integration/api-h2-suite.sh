#!/usr/bin/env bash
# Suite 'api': HTTP/2 in front of a node. carptop asks for h2 over TLS
# (CURL_HTTP_VERSION_2TLS) and lets curl multiplex, so over h2 one
# connection per node carries a whole round, whatever api.connections says.
# carpsim speaks HTTP/1.1 only: nghttpx (Debian's nghttp2-proxy) is put in
# front of fw1 as an h2 TLS front, fw2 is reached directly. Checked: every
# request carptop makes to the front is h2, three rounds arrive over one
# client connection (the front's access log has the client's port), and
# the round really is parallel reads (several requests per round); fw2,
# over HTTP/1.1 with the default 3 connections, opens more than one, so
# the check can tell the two apart. Skipped (not passed) without nghttpx.
. "$(dirname "$0")/lib.sh"

if ! command -v nghttpx >/dev/null 2>&1; then
	echo "1..0 # SKIP nghttpx is not installed (apt-get install nghttp2-proxy; scripts/deps.sh)"
	exit 0
fi
if ! command -v openssl >/dev/null 2>&1; then
	echo "1..0 # SKIP openssl is not installed: no certificate for the h2 front"
	exit 0
fi

start_sim h2 --scenario healthy

# The front's own certificate, for 127.0.0.1, trusted by carptop as its CA.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	-keyout "$WORK/front.key" -out "$WORK/front.pem" 2>/dev/null
FPORT=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
: >"$WORK/nghttpx.err"
nghttpx --conf=/dev/null --no-ocsp --frontend="127.0.0.1,$FPORT" --backend="127.0.0.1,$CARPSIM_PORT_0_0;;tls" --insecure --workers=1 \
	--accesslog-file="$WORK/access.log" --accesslog-format='$remote_port $alpn $request $status' \
	--errorlog-file="$WORK/nghttpx.err" "$WORK/front.key" "$WORK/front.pem" &
FRONT=$!
EXTRA_CLEANUP="kill $FRONT 2>/dev/null; wait $FRONT 2>/dev/null"
for _ in $(seq 1 100); do
	curl -sk -o /dev/null "https://127.0.0.1:$FPORT/" && break
	sleep 0.05
done

# fw1 through the front (its CA), fw2 as carpsim wrote it.
awk -v url="https://127.0.0.1:$FPORT" -v ca="$WORK/front.pem" -v old="https://127.0.0.1:$CARPSIM_PORT_0_0" '
	$1 == "url:" && $2 == old { sub(old, url); fix = 1 }
	fix && $1 == "ca_file:" { sub(/ca_file: .*/, "ca_file: " ca); fix = 0 }
	{ print }' "$CFG" >"$WORK/h2.yaml"
check "fw1 goes through the front" grep -q "url: https://127.0.0.1:$FPORT" "$WORK/h2.yaml"
: >"$WORK/access.log"
ctl POST /ctl/reset-stats/0/1 >/dev/null
"$CARPTOP" -c "$WORK/h2.yaml" --batch --count 3 --interval 1 --format json --no-record >"$WORK/out.json" 2>"$WORK/err.txt"
check "carptop read both nodes through and past the front (exit 0)" [ $? -eq 0 ]
check "fw1 reachable through the h2 front" \
	[ "$(jq -rs '.[-1].clusters[0].nodes[] | select(.name == "fw1") | .reachable' "$WORK/out.json")" = true ]
sleep 0.5 # the front writes its log line after the response
requests=$(wc -l <"$WORK/access.log")
not_h2=$(awk '$2 != "h2"' "$WORK/access.log" | wc -l)
conns=$(awk '{ print $1 }' "$WORK/access.log" | sort -u | wc -l)
echo "# front: $requests requests over $conns client connection(s), $not_h2 not h2"
awk '{ print $1, $2, $4 }' "$WORK/access.log" | sort | uniq -c | diag
check "every request to the front is HTTP/2" [ "$requests" -gt 0 ] && [ "$not_h2" -eq 0 ]
check "three rounds of fw1 over one connection (got $conns)" [ "$conns" -eq 1 ]
check "a round is several reads: at least 3 per round (got $requests for 3 rounds)" [ "$requests" -ge 9 ]
fw2=$(stat_of 0 1 connections)
check "over HTTP/1.1, fw2 opened more than one connection (got $fw2): the check tells them apart" [ "${fw2:-0}" -gt 1 ]
check "nghttpx reported no error" absent -i "error\|fatal" "$WORK/nghttpx.err"
done_testing
