/* The console's keys as one table: {key, inactive in read-only, help text,
 * command}. The help overlay, the function bar, the read-only greying and
 * the KEYS section of carptop(1) (checked by test-keytab) all come from it;
 * ui/keys.c maps each command to its handler. No curses here: keys are
 * carptop's own codes, ui/ translates curses key codes to them. */
#ifndef CARPTOP_KEYTAB_H
#define CARPTOP_KEYTAB_H

#include <stdbool.h>
#include <stddef.h>

/* Printable ASCII keys are themselves; control keys are their control code. */
#define KEYC_CTRL(c) ((c) & 0x1f)
enum {
	KEYC_BASE = 0x110000, /* above every Unicode code point */
	KEYC_UP, KEYC_DOWN, KEYC_LEFT, KEYC_RIGHT,
	KEYC_PGUP, KEYC_PGDN, KEYC_HOME, KEYC_END,
	KEYC_ENTER, KEYC_ESC, KEYC_TAB, KEYC_BTAB, KEYC_BACKSPACE,
	KEYC_F1, KEYC_F2, KEYC_F3, KEYC_F4, KEYC_F5, KEYC_F6,
	KEYC_F7, KEYC_F8, KEYC_F9, KEYC_F10, KEYC_F11, KEYC_F12,
	KEYC_RESIZE, KEYC_MOUSE,
};

/* What a key asks for. Each has one handler in ui/keys.c. */
enum ui_cmd {
	UC_HELP = 0,
	UC_QUIT,
	UC_SCREEN_OVERVIEW,
	UC_SCREEN_PAIR,
	UC_SCREEN_NODE,
	UC_SCREEN_EVENTS,
	UC_SCREEN_DRIFT,
	UC_SCREEN_WORKFLOW,
	UC_UP,
	UC_DOWN,
	UC_PAGE_UP,
	UC_PAGE_DOWN,
	UC_TOP,
	UC_BOTTOM,
	UC_OPEN,
	UC_BACK,
	UC_OTHER_NODE,
	UC_PREV_CLUSTER,
	UC_NEXT_CLUSTER,
	UC_POLL_NOW,
	UC_REDRAW,
	UC_MOUSE,
	UC_FILTER,
	UC_SORT,
	UC_FINDINGS,
	UC_SUSPEND,
	/* Mutating: each asks for confirmation, and is refused in read-only. */
	UC_MAINTENANCE,
	UC_CARP_DISABLE,
	UC_CARP_ENABLE,
	UC_SYNC,
	/* Workflows (the workflow view): refused in read-only like the above;
	 * each shows what it will do and asks before anything is sent. */
	UC_WF_RUN,
	UC_WF_RESUME,
	UC_WF_ROLLBACK,
	UC_WF_ABORT,
	/* The ssh transport's local trust (no node call): a passphrase for an
	 * encrypted identity file, accepting an unknown host key. Inactive in
	 * read-only and wall mode like the mutating keys. */
	UC_SSH_PASSPHRASE,
	UC_SSH_HOSTKEY,
	/* Replay of a recording (--replay): move through time. */
	UC_REPLAY_PREV,
	UC_REPLAY_NEXT,
	UC_REPLAY_TIME,
	UC_REPLAY_FASTER,
	UC_REPLAY_SLOWER,
	UC_REPLAY_PAUSE,
	UC__COUNT
};

/* The screens a key belongs to, for the function bar (the order of
 * enum ui_screen in ui/ui_int.h: bit 1 << screen). 0: every screen. */
#define KS_OVERVIEW 0x01u
#define KS_PAIR     0x02u
#define KS_NODE     0x04u
#define KS_EVENTS   0x08u
#define KS_DRIFT    0x10u
#define KS_WORKFLOW 0x20u

struct key_binding {
	int key;               /* KEYC_* or a character */
	const char *label;     /* as the help, the bar and carptop(1) spell it: "q", "F10", "Ctrl-L" */
	bool ro_inactive;      /* mutating: greyed and refused in read-only and wall mode */
	enum ui_cmd cmd;
	const char *help;      /* one line for the help overlay and the man page */
	const char *bar;       /* short name in the function bar, NULL = not in the bar */
	unsigned screens;      /* KS_*: the screens whose bar shows it; 0 = all */
};

extern const struct key_binding key_table[];
extern const size_t n_key_table;

/* The binding for a key, or NULL. */
const struct key_binding *keytab_find(int key);
/* The first binding of a command (for the function bar), or NULL. */
const struct key_binding *keytab_for_cmd(enum ui_cmd cmd);

#endif
