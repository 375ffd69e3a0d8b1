# The SSH side of carpsim for the shell suites (workflow-suite.sh with
# TRANSPORT=ssh, parity.sh): one real sshd per emulated node on loopback,
# as test-ssh-integration.c starts them. Sourced; needs root (sshd), sshd,
# ssh-keygen, csh, curl, php-cli and unshare (ssh_harness_usable says which
# is missing).
#
#   ssh_harness_config SIM_DIR API_CFG > ssh.yaml
#
# carpsim must be running (SIM_DIR/carpsim.env). Writes per-run ed25519 host
# keys, a client key and known_hosts under SIM_DIR/ssh, starts the sshds and
# prints API_CFG (carpsim's carptop.yaml) with every node's `api:` block
# replaced by an `ssh:` block for the same node. MIXED=1: the primaries
# (fw1) keep the API, the secondaries (fw2) use SSH.
#
# Each node's login runs the opnsense-shell stand-in (ForceCommand), which
# exports CARPSIM_CTL/_PAIR/_NODE and execs `csh -c "<command>"` as OPNsense
# does; the shims in tests/ssh/shims answer from carpsim's control server.
# SetEnv SHLVL=1 keeps root's ~/.bashrc (sshd runs the ForceCommand through
# root's login shell) out of the sessions: the test machine's shell setup
# must not stall a login (as a stale pyenv lock once did).
#
# The sshd follows the emulated node, as carpsim's HTTPS listener does, so
# a node that is down looks down over SSH too (carptop shows it unreachable,
# its roles UNKNOWN, never OK):
#   - a watcher polls carpsim's GET /ctl/state every 0.1 s and keeps a node's
#     sshd running only while the node is up and its plug is in: powered off,
#     rebooting or plug "refuse" -> sshd and every session are killed
#     (connection refused, open sessions drop); plug "hang" -> sshd and its
#     sessions are stopped with SIGSTOP (connections are accepted by the
#     kernel but nothing answers: timeouts) and continued on "up";
#   - in the gap between two looks, a shim that gets 503 from carpsim (the
#     node went down) kills its own session's sshd processes (the
#     connection drops, as when a real node goes away mid-command) instead
#     of failing like a command (CARPSIM_DROP_ON_DOWN in node.env).
#
# carptop's CARP change stream (doc/ssh-stream.md) runs `nc -dU
# /var/run/devd.pipe` on the node; the `nc` shim reads a fake devd instead
# (tests/ssh/fakedevd.py, one for all nodes), which follows carpsim's
# transition log and hands each node's clients devd's CARP lines as the
# roles change. Per node: `touch $d/devd.drop` closes its stream clients
# once (as a devd restart would); `touch $d/devd.pipe.off` makes the socket
# look absent (nc fails, carptop falls back to its ifconfig loop).
#
# The caller's EXTRA_CLEANUP gets ssh_harness_stop (lib.sh evals it on
# exit), so no sshd outlives the suite, pass or fail; a new
# ssh_harness_config stops the previous one first. The watcher also ends
# itself (and its sshds) when the shell that started it is gone.

SSH_HARNESS_DIR=${SSH_HARNESS_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
# Kept when this file is sourced again (the workflow suite does, per run).
SSH_HARNESS_H=${SSH_HARNESS_H:-}
SSH_HARNESS_WATCHER=${SSH_HARNESS_WATCHER:-}
SSH_HARNESS_DEVD=${SSH_HARNESS_DEVD:-}

# Prints why the harness cannot run here (and returns 1), or nothing.
ssh_harness_usable() {
	local t
	if [ "$(id -u)" != 0 ]; then
		echo "sshd needs root"
		return 1
	fi
	for t in /usr/sbin/sshd /usr/bin/ssh-keygen /bin/csh /usr/bin/curl /usr/bin/php /usr/bin/unshare; do
		if [ ! -x "$t" ]; then
			echo "$t is missing (scripts/deps.sh installs it)"
			return 1
		fi
	done
	return 0
}

# The pids below $1, deepest first, then $1.
_ssh_h_tree() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		_ssh_h_tree "$c"
	done
	echo "$1"
}

_ssh_h_signal() { # _ssh_h_signal SIG PID: the pid and everything below it
	local pids
	pids=$(_ssh_h_tree "$2")
	# shellcheck disable=SC2086
	[ -n "$pids" ] && kill "-$1" $pids 2>/dev/null
	return 0
}

# Node directory d: start its sshd and wait until it listens.
_ssh_h_start() {
	local d=$1 port mark
	port=$(cat "$d/port")
	mark=$(wc -l <"$d/sshd.log" 2>/dev/null || echo 0)
	/usr/sbin/sshd -D -e -f "$d/sshd_config" >>"$d/sshd.log" 2>&1 </dev/null &
	echo $! >"$d/listener.pid"
	for _ in $(seq 1 200); do
		tail -n +"$((mark + 1))" "$d/sshd.log" | grep -q "Server listening on 127.0.0.1 port $port" && return 0
		kill -0 "$(cat "$d/listener.pid")" 2>/dev/null || break
		sleep 0.02
	done
	echo "sshd for $d did not start:" >&2
	tail -n 5 "$d/sshd.log" >&2
	return 1
}

_ssh_h_kill() { # node directory: its sshd and every session
	local d=$1 pid
	pid=$(cat "$d/listener.pid" 2>/dev/null)
	if [ -n "$pid" ]; then
		_ssh_h_signal KILL "$pid"
		wait "$pid" 2>/dev/null
	fi
	rm -f "$d/listener.pid"
}

# The watcher: sshd per node follows carpsim's idea of the node (see top).
_ssh_h_watch() {
	local h=$1 ctl=$2 parent=$3 st p nd up plug d want cur lost=0
	trap 'for d in "$h"/node-*; do _ssh_h_kill "$d"; done; exit 0' TERM INT
	# Until the suite's shell is gone, or its carpsim (5 s without an answer).
	while kill -0 "$parent" 2>/dev/null && [ "$lost" -lt 50 ]; do
		lost=$((lost + 1))
		if st=$(curl -s --fail --max-time 2 "$ctl/ctl/state"); then
			lost=0
			while read -r p nd up plug; do
				d="$h/node-$p-$nd"
				[ -d "$d" ] || continue
				if [ "$up" != up ] || [ "$plug" = refuse ]; then
					want=down
				elif [ "$plug" = hang ]; then
					want=stopped
				else
					want=running
				fi
				cur=$(cat "$d/state")
				[ "$want" = "$cur" ] && continue
				# A start that failed is tried again at the next look.
				case $want in
				down) _ssh_h_kill "$d" ;;
				stopped)
					if [ "$cur" = down ]; then
						_ssh_h_start "$d" || continue
					fi
					_ssh_h_signal STOP "$(cat "$d/listener.pid")"
					;;
				running)
					if [ "$cur" = stopped ]; then
						_ssh_h_signal CONT "$(cat "$d/listener.pid")"
					else
						_ssh_h_start "$d" || continue
					fi
					;;
				esac
				echo "$want" >"$d/state"
				echo "$(date +%T.%N) node $p/$nd: $cur -> $want"
			done <<<"$st"
		fi
		sleep 0.1
	done
	for d in "$h"/node-*; do _ssh_h_kill "$d"; done
}

ssh_harness_stop() {
	local h=$SSH_HARNESS_H d p cmd
	[ -n "$h" ] || return 0
	if [ -n "$SSH_HARNESS_WATCHER" ]; then
		kill -TERM "$SSH_HARNESS_WATCHER" 2>/dev/null
		wait "$SSH_HARNESS_WATCHER" 2>/dev/null
	fi
	if [ -n "$SSH_HARNESS_DEVD" ]; then
		kill -TERM "$SSH_HARNESS_DEVD" 2>/dev/null
		wait "$SSH_HARNESS_DEVD" 2>/dev/null
	fi
	for d in "$h"/node-*; do
		[ -d "$d" ] && _ssh_h_kill "$d"
	done
	# Sessions of a listener that died first were reparented: they are the
	# processes whose command line names this run's directory.
	for p in /proc/[0-9]*; do
		cmd=$({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
		case $cmd in
		*"$h/"*) _ssh_h_signal KILL "${p#/proc/}" ;;
		esac
	done
	SSH_HARNESS_H=
	SSH_HARNESS_WATCHER=
	SSH_HARNESS_DEVD=
}

ssh_harness_config() {
	local sim_dir=$1 api_cfg=$2 h k p nd d port ports n_nodes why
	if ! why=$(ssh_harness_usable); then
		echo "ssh harness: $why" >&2
		return 1
	fi
	ssh_harness_stop
	# shellcheck disable=SC1091
	. "$sim_dir/carpsim.env"
	h="$sim_dir/ssh"
	rm -rf "$h"
	mkdir -p "$h" /run/sshd
	chmod 700 "$h"
	SSH_HARNESS_H=$h
	case " ${EXTRA_CLEANUP:-} " in
	*" ssh_harness_stop;"*) ;;
	*) EXTRA_CLEANUP="${EXTRA_CLEANUP:-} ssh_harness_stop;" ;;
	esac

	ssh-keygen -q -t ed25519 -N '' -C carptop-harness -f "$h/id_ed25519" || return 1
	cp "$h/id_ed25519.pub" "$h/authorized_keys"
	: >"$h/known_hosts"
	n_nodes=$((CARPSIM_PAIRS * 2))
	# All ports at once, bound together so they differ.
	ports=$(/usr/bin/python3 -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' "$n_nodes") || return 1
	read -r -a ports <<<"$ports"

	for ((k = 0; k < n_nodes; k++)); do
		p=$((k / 2))
		nd=$((k % 2))
		[ "${MIXED:-0}" = 1 ] && [ "$nd" = 0 ] && continue
		d="$h/node-$p-$nd"
		port=${ports[$k]}
		mkdir -p "$d/shims"
		cp "$SSH_HARNESS_DIR"/shims/* "$d/shims/"
		chmod 755 "$d/shims/"*
		echo "$port" >"$d/port"
		ssh-keygen -q -t ed25519 -N '' -C carptop-harness-host -f "$d/host_ed25519_key" || return 1
		echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$d/host_ed25519_key.pub")" >>"$h/known_hosts"
		cat >"$d/node.env" <<EOF
CARPSIM_CTL=$CARPSIM_CTL
CARPSIM_PAIR=$p
CARPSIM_NODE=$nd
CARPSIM_SHIM_LOG=$d/shim.log
CARPSIM_NODE_TMP=$d/tmp
CARPSIM_PHPSTUB=$SSH_HARNESS_DIR/phpstub
CARPSIM_DROP_ON_DOWN=1
CARPSIM_DEVD=$d/devd.pipe
SHIMS=$d/shims
EOF
		cat >"$d/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $d/host_ed25519_key
PidFile $d/sshd.pid
AuthorizedKeysFile $h/authorized_keys
StrictModes no
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
PrintMotd no
LogLevel VERBOSE
MaxAuthTries 6
SetEnv SHLVL=1
ForceCommand $d/shims/opnsense-shell $d/node.env
EOF
		: >"$d/sshd.log"
		echo down >"$d/state"
	done

	/usr/bin/python3 "$SSH_HARNESS_DIR/fakedevd.py" "$h" "$CARPSIM_CTL" "$api_cfg" >>"$h/devd.log" 2>&1 </dev/null &
	SSH_HARNESS_DEVD=$!
	# The watcher starts every sshd on its first look; wait for that.
	_ssh_h_watch "$h" "$CARPSIM_CTL" "$$" >>"$h/watch.log" 2>&1 </dev/null &
	SSH_HARNESS_WATCHER=$!
	for _ in $(seq 1 250); do
		local all=1
		for d in "$h"/node-*; do
			[ "$(cat "$d/state")" = running ] || all=0
		done
		for d in "$h"/node-*; do
			[ -S "$d/devd.pipe" ] || all=0
		done
		[ "$all" = 1 ] && break
		sleep 0.02
	done

	# carpsim's carptop.yaml, each ssh node's api: block swapped for ssh:.
	awk -v h="$h" -v ports="${ports[*]}" -v mixed="${MIXED:-0}" -v timeout="${SSH_HARNESS_TIMEOUT:-8}" '
		BEGIN { split(ports, port, " "); k = -1 }
		/^      - name: / { k++ }
		skip && /^          / { next }
		{ skip = 0 }
		/^        api:$/ && k >= 0 && !(mixed == 1 && k % 2 == 0) {
			print "        ssh:"
			print "          host: 127.0.0.1"
			print "          port: " port[k + 1]
			print "          user: root"
			print "          identity_file: " h "/id_ed25519"
			print "          known_hosts: " h "/known_hosts"
			print "          agent: false"
			print "          timeout: " timeout
			skip = 1
			next
		}
		{ print }' "$api_cfg"
}
