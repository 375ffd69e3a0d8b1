#!/bin/sh
# The console on a recording (--replay): a demo pair recorded healthy, then
# in maintenance (fw2 MASTER) appended to the same file. The replay starts
# paused at the first poll, read-only, with a time bar; . and , step through
# the events, t jumps to a time, + - change the speed, Space plays.
. "$(dirname "$0")/lib.sh"

export XDG_STATE_HOME="$SCRATCH/state"
REC=$SCRATCH/pair.ctr
"$CARPTOP" --demo --batch --count 2 --interval 0.5 --record "$REC" >/dev/null
sleep 1
"$CARPTOP" --demo=maintenance --batch --count 2 --interval 0.5 --record "$REC" >/dev/null

start 130 30 --replay "$REC"
key 1 # one cluster opens on its pair view; the overview shows who is MASTER in one line
check_screen '^REPLAY 20[0-9-]{8} [0-9:]{8}\.[0-9]{3} \[-+\] x1 paused ' 'time bar: paused at the start, x1'
check_screen '^>demo +OK +1:fw1 3:fw1 ' 'overview at the start: fw1 MASTER'
check_screen 'READ-ONLY' 'header: read-only'

# Step forward event by event until fw2 is MASTER (the second run).
i=0
while [ $i -lt 12 ] && ! capture | grep -Eq '^>demo +[A-Z]+ +1:fw2 3:fw2 '; do
	key .
	sleep 0.2
	i=$((i + 1))
done
check_screen '^>demo +[A-Z]+ +1:fw2 3:fw2 ' 'after . steps: fw2 MASTER as recorded'
check_screen '^REPLAY .*\[#+-*\] x1 paused' 'time bar moved on, still paused'
key 4
check_screen 'demo/fw1 +maintenance mode entered$' 'event log: the recorded maintenance'
check_screen 'demo/fw1 +VHID 1 MASTER -> BACKUP$' 'event log: the recorded role change'
key 1
i=0
while [ $i -lt 12 ] && ! capture | grep -Eq '^>demo +OK +1:fw1 3:fw1 '; do
	key ,
	sleep 0.2
	i=$((i + 1))
done
check_screen '^>demo +OK +1:fw1 3:fw1 ' ', steps back: fw1 MASTER again'

key + +
check_screen ' x5 paused' '+ twice: x5'
key -
check_screen ' x2 paused' '- once: x2'
key ' '
check_screen ' x2 playing' 'Space: playing'
check_screen 'end of the recording' 'plays to the end and stops' 10
check_screen ' x2 paused' 'paused at the end (once the message is gone)' 8

key t
check_screen '^go to time' 't asks for a time'
key 0 0 : 0 0 Enter
check_screen 'outside the recording: showing its start' 't 00:00: before the recording, shows its start'
check_screen '^>demo +OK +1:fw1 3:fw1 ' 'and fw1 MASTER again'

key m
check_screen 'read-only: .* refused' 'm is refused in a replay'

key q
check_eq "$(wait_exit)" 0 'q quits with status 0'
check_eq "$(ls "$XDG_STATE_HOME/carptop/recordings" 2>/dev/null | wc -l)" 0 'a replay records nothing'

# Live, the event log shows the same per-VHID judgement.
start 130 30 --demo=split-brain
key 4
check_screen 'demo/- +VHID 3: MASTER on fw1 and fw2 \(split brain\)$' 'live event log: the split brain at the pair level'
check_screen 'demo/- +VHID 1: MASTER on fw1$' 'live event log: who is MASTER of VHID 1'

start 100 30 --replay "$SCRATCH/missing.ctr"
check_eq "$(wait_exit)" 3 'a missing recording: exit 3'
finish
