#!/bin/sh
# A NOC's fleet (issue 16): 60 simulated pairs, 18 of them broken and
# scattered through the config. The overview turns whole pages (PgDn, PgUp,
# Home, End) and says "page N/M", lists the worst first and counts the
# pairs by verdict; the wall shows the broken ones first, as tiles where
# they fit and one line each where not (the pages turn through them), and
# the healthy ones as a strip of names with "+N OK" for those without room.
. "$(dirname "$0")/lib.sh"

# Every third cluster is broken: split brain (critical), a node down
# (critical) or a planned failover (maintenance: warning).
conf=$SCRATCH/noc.yaml
{
	echo "clusters:"
	i=1 s=0 d=0 m=0 o=0
	while [ $i -le 60 ]; do
		if [ $((i % 3)) -eq 0 ] && [ $s -lt 8 ]; then
			s=$((s + 1)); name=$(printf 'split-%02d' $s); scen=split-brain
		elif [ $((i % 3)) -eq 0 ] && [ $d -lt 6 ]; then
			d=$((d + 1)); name=$(printf 'down-%02d' $d); scen=node-down
		elif [ $((i % 3)) -eq 0 ] && [ $m -lt 4 ]; then
			m=$((m + 1)); name=$(printf 'maint-%02d' $m); scen=maintenance
		else
			o=$((o + 1)); name=$(printf 'ok-%02d' $o); scen=healthy
		fi
		printf '  - name: %s\n    nodes:\n' "$name"
		printf '      - {name: fw1, role: primary, sim: {scenario: %s}}\n' "$scen"
		printf '      - {name: fw2, role: secondary, sim: {scenario: %s}}\n' "$scen"
		i=$((i + 1))
	done
} > "$conf"

# The overview's rows in screen order: "name:VERDICT" each.
rows() { capture | sed -n 's/^[> ]\([a-z]*-[0-9][0-9]\) \+\([A-Z]\+\) .*/\1:\2/p' | tr '\n' ' '; }
verdicts() { rows | tr ' ' '\n' | sed -n 's/.*://p' | uniq -c | awk '{ printf "%s*%s ", $1, $2 }'; }
selected() { capture | sed -n 's/^>\([a-z]*-[0-9][0-9]\) .*/\1/p'; }
# wait_rows WANT: until the verdict run-lengths of the rows are WANT (the
# node-down nodes answer last).
wait_verdicts() {
	deadline=$(($(date +%s) + 10))
	while [ "$(verdicts)" != "$1" ] && [ "$(date +%s)" -le "$deadline" ]; do sleep 0.1; done
	# Within a verdict the alarm counts order the rows: wait until they
	# hold still for a second (every node has answered).
	prev=
	while [ "$(rows)" != "$prev" ] && [ "$(date +%s)" -le "$deadline" ]; do prev=$(rows); sleep 1; done
}
# check_sel WANT DESCRIPTION: the selected row becomes WANT within 5 s.
check_sel() {
	deadline=$(($(date +%s) + 5))
	while [ "$(selected)" != "$1" ] && [ "$(date +%s)" -le "$deadline" ]; do sleep 0.05; done
	check_eq "$(selected)" "$1" "$2"
}

# ---- the overview at 80x24: 17 rows a page, 4 pages --------------------
start 80 24 -c "$conf"
check_screen '^ 60 pairs: 14 CRITICAL, 4 WARNING, 42 OK\.  page 1/4 \(PgDn\)' '80x24: summary counts the pairs by verdict, page 1/4' 10
wait_verdicts '14*CRITICAL 3*WARNING '
check_eq "$(verdicts)" '14*CRITICAL 3*WARNING ' '80x24 page 1: worst first (14 CRITICAL, then the WARNINGs)'
check_eq "$(rows | tr ' ' '\n' | grep -c '^ok-')" 0 '80x24 page 1: no healthy pair before the broken ones'
check_sel "$(rows | cut -d: -f1)" '80x24: the worst pair is selected at start'
key Down Down
third=$(rows | cut -d' ' -f3 | cut -d: -f1)
check_sel "$third" 'Down Down: the third row'
key PgDn
check_screen 'page 2/4 \(PgDn\)' 'PgDn: page 2/4'
check_eq "$(verdicts)" '1*WARNING 16*OK ' 'page 2: the last WARNING, then OK pairs'
check_sel "$(rows | cut -d' ' -f3 | cut -d: -f1)" 'PgDn: the selection keeps its place on the page'
key PgDn PgDn
check_screen 'page 4/4 \(PgDn\)' 'PgDn twice more: page 4/4'
check_eq "$(rows | wc -w)" 9 'page 4: the last 9 pairs'
key PgDn
check_screen 'page 4/4 \(PgDn\)' 'PgDn on the last page stays there'
check_sel "$(rows | tr ' ' '\n' | sed -n '$p' | cut -d: -f1)" 'PgDn on the last page selects the last row'
key PgUp
check_screen 'page 3/4 \(PgDn\)' 'PgUp: page 3/4'
key Home
check_screen 'page 1/4 \(PgDn\)' 'Home: page 1/4'
check_sel "$(rows | cut -d: -f1 | cut -d' ' -f1)" 'Home: the first (worst) row is selected'
key End
check_screen 'page 4/4 \(PgDn\)' 'End: page 4/4'
# Enter opens the selected pair, and Esc comes back to its page.
key Enter
check_screen '^ carptop [0-9.]+  Pair  cluster ok-[0-9]+' 'Enter on the last row: a healthy pair'
key Esc
check_screen 'page 4/4 \(PgDn\)' 'Esc: back on page 4/4'
# The filter pages too: /ok- leaves 42 healthy pairs, 3 pages; the
# selection (the last pair) stays, on the last of them.
key / o k - Enter
check_screen '^ 60 pairs: .*  page 3/3 \(PgDn\)  42 shown' '/ok-: 42 shown, 3 pages, the selection on the last'
key Esc

# ---- the overview at 200x50: 43 rows a page ---------------------------
start 200 50 -c "$conf"
check_screen 'page 1/2 \(PgDn\)' '200x50: page 1/2' 10
wait_verdicts '14*CRITICAL 4*WARNING 25*OK '
check_eq "$(verdicts)" '14*CRITICAL 4*WARNING 25*OK ' '200x50: worst first, then 25 OK on page 1'
key End
check_screen 'page 2/2 \(PgDn\)' '200x50 End: page 2/2'
check_eq "$(rows | wc -w)" 17 '200x50 page 2: the other 17 healthy pairs'

# ---- the wall at 80x24: too many for tiles ------------------------------
# 18 broken in one line each (16 a page: 2 pages), 42 healthy as names:
# 39 fit in the strip, the last cell says +3 OK.
wall_rows() { capture | sed -n 's/^ \(CRIT\|UNKN\|WARN\|MAINT\) \+\([a-z]*-[0-9][0-9]\) .*/\1:\2/p' | tr '\n' ' '; }
start 80 24 -c "$conf" --wall
check_screen '\+3 OK' 'wall 80x24: +3 OK for the healthy pairs that do not fit' 10
deadline=$(($(date +%s) + 10))
while { [ "$(wall_rows | wc -w)" != 16 ] || [ "$(wall_rows | tr ' ' '\n' | grep -c '^CRIT:')" != 14 ] ||
	! capture | grep -q '+3 OK'; } && [ "$(date +%s)" -le "$deadline" ]; do sleep 0.1; done
check_eq "$(wall_rows | wc -w)" 16 'wall 80x24: 16 broken pairs, one line each'
check_eq "$(wall_rows | tr ' ' '\n' | grep -c '^CRIT:')" 14 'wall 80x24 page 1: the 14 critical pairs first'
check_eq "$(wall_rows | tr ' ' '\n' | grep -c ':ok-')" 0 'wall 80x24: no healthy pair among the broken'
check_screen '^ 60 pairs: 14 CRITICAL, 4 WARNING, 42 OK +page 1/2  updated [0-9:]{8} ?$' 'wall 80x24: footer counts the pairs and says page 1/2'
check_screen '^ MAINT +maint-01 +fw1 in maintenance \(planned\), fw2 serving' 'wall 80x24: a planned failover names the node in maintenance'
check_eq "$(capture | grep -o 'ok-[0-9][0-9]' | sort -u | wc -l)" 39 'wall 80x24: 39 healthy names in the strip'
key PgDn
check_screen 'page 2/2  updated' 'wall PgDn: page 2/2'
check_eq "$(wall_rows)" 'MAINT:maint-03 MAINT:maint-04 ' 'wall page 2: the last two broken pairs'
key Home
check_screen 'page 1/2  updated' 'wall Home: page 1/2'
key ']'
check_screen 'page 2/2  updated' 'wall ]: page 2/2'

# ---- the wall at 200x50: the broken ones as tiles, all the rest named ----
start 200 50 -c "$conf" --wall
check_screen '┌─ split-01 ─' 'wall 200x50: tiles for the broken pairs' 10
check_screen 'ok-42' 'wall 200x50: the strip names every healthy pair'
# Pairs that have not answered yet are UNKNOWN (broken) for a moment.
deadline=$(($(date +%s) + 10))
while tiles=$(capture | /usr/bin/python3 "$UI_TESTS/tiles.py"); [ "$(printf '%s\n' "$tiles" | wc -l)" != 18 ] &&
	[ "$(date +%s)" -le "$deadline" ]; do sleep 0.2; done
check_eq "$(printf '%s\n' "$tiles" | wc -l)" 18 'wall 200x50: 18 tiles, one per broken pair'
check_eq "$(printf '%s\n' "$tiles" | grep -c '^ok-')" 0 'wall 200x50: no tile for a healthy pair'
check_eq "$(capture | grep -o 'ok-[0-9][0-9]' | sort -u | wc -l)" 42 'wall 200x50: 42 healthy names'
check_absent '\+[0-9]+ OK|page [0-9]' 'wall 200x50: everything on one page'

finish
