#!/bin/sh
# Themes: a broken theme file is reported as FILE:LINE:COL on the status line
# and the default theme is used; --no-color and NO_COLOR give attributes only;
# the shipped themes load.
. "$(dirname "$0")/lib.sh"

ESC=$(printf '\033')
# Colour SGR parameters: 30-37, 38;..., 40-47, 48;..., 90-97, 100-107.
sgr_params() {
	t capture-pane -p -e -t test | grep -o "${ESC}\[[0-9;]*m" | tr -d "${ESC}[m" | tr ';' '\n'
}
has_colour() {
	sgr_params | grep -Eqx '3[0-8]|4[0-8]|9[0-7]|10[0-7]'
}

mkdir -p "$SCRATCH/themes"
printf 'name: broken\nparts:\n  ok: green\n  warning: { fg: yelow }\n' > "$SCRATCH/themes/broken.yaml"

start 100 30 "CARPTOP_THEMEDIR=$SCRATCH/themes" CARPTOP_THEME=broken --demo
check_screen "^default theme in use: $SCRATCH/themes/broken\\.yaml:4:18: part 'warning': fg 'yelow' is" 'broken theme: file:line:col on the status line, default theme used'
if has_colour; then ok 'broken theme: still in colour (the default theme)'; else not_ok 'broken theme: still in colour'; fi
key x
if wait_gone '^default theme in use: '; then ok 'any key acknowledges the message'; else not_ok 'any key acknowledges the message'; fi

start 100 30 CARPTOP_THEME=nosuch --demo
check_screen "^default theme in use: theme 'nosuch' not found \(looked for " 'missing theme: said so'

for name in default light high-contrast monochrome; do
	start 100 30 "CARPTOP_THEME=$name" --demo
	check_screen '^ demo  [A-Z]+( |$)|^>demo ' "theme $name: console up"
	check_absent '^default theme in use' "theme $name: loads without error"
done
# The light theme's RGB colours reach the terminal as 256-colour indexes.
start 100 30 CARPTOP_THEME=light --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'light: up'
if t capture-pane -p -e -t test | grep -q "${ESC}\[38;5;"; then ok 'light: RGB mapped to xterm-256 colours'; else not_ok 'light: RGB mapped to xterm-256 colours'; fi

start 100 30 --demo --no-color
check_screen '^ demo  [A-Z]+( |$)|^>demo ' '--no-color: up'
if has_colour; then not_ok '--no-color: no colour at all'; else ok '--no-color: no colour at all'; fi
if sgr_params | grep -qx 7; then ok '--no-color: reverse video instead'; else not_ok '--no-color: reverse video instead'; fi

start 100 30 NO_COLOR=1 --demo=split-brain
check_screen '^ CRITICAL: demo: VHID 3 split brain' 'NO_COLOR: banner still there'
if has_colour; then not_ok 'NO_COLOR: no colour at all'; else ok 'NO_COLOR: no colour at all'; fi

# Text is drawn inert: a theme whose name carries escape sequences (set the
# window title, clear the screen) shows them as '?' and they do nothing.
printf 'name: "\\e]2;PWNED\\a\\e[2Jevil"\nparts:\n  ok: green\n' > "$SCRATCH/themes/evil.yaml"
start 100 40 "CARPTOP_THEMEDIR=$SCRATCH/themes" CARPTOP_THEME=evil --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'hostile theme name: console up'
key '?'
check_screen 'Theme: \?\]2;PWNED\?\?\[2Jevil +│$' 'hostile theme name shown inert in the help'
case $(pane pane_title) in
*PWNED*) not_ok 'the window title was not changed' ;;
*) ok 'the window title was not changed' ;;
esac
check_screen '^ carptop [0-9.]+  (Overview|Pair) ' 'the screen was not cleared (header still there)'

# The default theme in colour: the check above can fail.
start 100 30 --demo
check_screen '^ demo  [A-Z]+( |$)|^>demo ' 'default: up'
if has_colour; then ok 'default: in colour'; else not_ok 'default: in colour'; fi

finish
