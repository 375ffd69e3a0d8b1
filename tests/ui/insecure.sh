#!/bin/sh
# insecure: true (TLS verification off) is never silent: the pair view and
# the wall say so, as batch output does. Nodes on ports nothing listens on.
. "$(dirname "$0")/lib.sh"

printf 'key\nsecret\n' >"$SCRATCH/key.txt"
chmod 600 "$SCRATCH/key.txt"
cat >"$SCRATCH/c.yaml" <<YAML
clusters:
  - name: lab
    nodes:
      - name: fw1
        role: primary
        api: { url: "https://127.0.0.1:1", key_file: "$SCRATCH/key.txt", insecure: true, timeout: 2 }
      - name: fw2
        role: secondary
        api: { url: "https://127.0.0.1:2", key_file: "$SCRATCH/key.txt", timeout: 2 }
YAML
chmod 600 "$SCRATCH/c.yaml"
start 120 30 "XDG_STATE_HOME=$SCRATCH/state" -c "$SCRATCH/c.yaml"
key 2
check_screen '^> fw1  primary  api .*INSECURE TLS' 'pair view: fw1 marked INSECURE TLS'
check_absent 'fw2  secondary  api .*INSECURE TLS' 'pair view: fw2 (verified) not marked'
start 120 30 "XDG_STATE_HOME=$SCRATCH/state" -c "$SCRATCH/c.yaml" --wall
check_screen 'fw1 INSECURE: TLS verification off \(api insecure: true\)' 'wall: fw1 INSECURE said plainly'
check_absent 'fw2 INSECURE' 'wall: fw2 not'
finish
