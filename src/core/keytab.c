#include "keytab.h"

/* One row per key. Several keys may share a command (q and F10); each is its
 * own row so the help and the man page show every key that works.
 * Mutating commands have single-letter keys only because every one of them
 * asks "[y/N]" first and shows the current state (STYLE.md: nothing
 * destructive on a single key without confirmation). */
const struct key_binding key_table[] = {
	{ '?', "?", false, UC_HELP, "show this help (any key closes it)", "Help", 0 },
	{ KEYC_F1, "F1", false, UC_HELP, "show this help", NULL, 0 },
	{ '1', "1", false, UC_SCREEN_OVERVIEW, "overview: one line per cluster", "All", 0 },
	{ '2', "2", false, UC_SCREEN_PAIR, "pair view of the selected cluster: nodes, VHIDs, pfsync, findings", "Pair", 0 },
	{ '3', "3", false, UC_SCREEN_NODE, "node detail: everything in the selected node's last poll", "Node", 0 },
	{ '4', "4", false, UC_SCREEN_EVENTS, "event log: changes the console saw, with times", "Log", 0 },
	{ '5', "5", false, UC_SCREEN_DRIFT, "configuration drift between the nodes", "Drift", 0 },
	{ '6', "6", false, UC_SCREEN_WORKFLOW, "workflows (guided maintenance)", "Flow", 0 },
	{ KEYC_UP, "Up", false, UC_UP, "select the previous cluster or VHID; scroll up", NULL, 0 },
	{ 'k', "k", false, UC_UP, "as Up", NULL, 0 },
	{ KEYC_DOWN, "Down", false, UC_DOWN, "select the next cluster or VHID; scroll down", NULL, 0 },
	{ 'j', "j", false, UC_DOWN, "as Down", NULL, 0 },
	{ KEYC_PGUP, "PgUp", false, UC_PAGE_UP, "scroll up a page; overview and wall: the previous page", NULL, 0 },
	{ KEYC_PGDN, "PgDn", false, UC_PAGE_DOWN, "scroll down a page; overview and wall: the next page (the overview says page 3/42)", NULL, 0 },
	{ KEYC_HOME, "Home", false, UC_TOP, "go to the top; overview: the first (worst) cluster; wall: the first page", NULL, 0 },
	{ KEYC_END, "End", false, UC_BOTTOM, "go to the bottom; overview: the last cluster; wall: the last page", NULL, 0 },
	{ KEYC_ENTER, "Enter", false, UC_OPEN, "open: overview -> pair view -> node detail", NULL, 0 },
	{ KEYC_ESC, "Esc", false, UC_BACK, "back to the previous screen (overview at the top)", NULL, 0 },
	{ KEYC_TAB, "Tab", false, UC_OTHER_NODE, "select the other node of the pair (the target of m, d, e)", NULL, 0 },
	{ '[', "[", false, UC_PREV_CLUSTER, "previous cluster; wall: the previous page", NULL, 0 },
	{ ']', "]", false, UC_NEXT_CLUSTER, "next cluster; wall: the next page", NULL, 0 },
	{ 'r', "r", false, UC_POLL_NOW, "poll every node now", NULL, 0 },
	{ KEYC_CTRL('l'), "Ctrl-L", false, UC_REDRAW, "redraw the whole screen", NULL, 0 },
	{ 'M', "M", false, UC_MOUSE, "mouse on/off (off at start): click a line or a bar entry", NULL, 0 },
	{ KEYC_CTRL('z'), "Ctrl-Z", false, UC_SUSPEND, "suspend carptop to the shell (fg brings it back)", NULL, 0 },
	{ '/', "/", false, UC_FILTER, "filter the overview, findings and event log by text; Enter keeps it, Esc clears it", "Filter", KS_OVERVIEW | KS_PAIR | KS_EVENTS },
	{ KEYC_F3, "F3", false, UC_FILTER, "as /", NULL, 0 },
	{ KEYC_F4, "F4", false, UC_FILTER, "as /", NULL, 0 },
	{ KEYC_F6, "F6", false, UC_SORT, "overview: sort by the next column (worst verdict first at start)", "Sort", KS_OVERVIEW },
	{ '>', ">", false, UC_SORT, "as F6", NULL, 0 },
	{ 'f', "f", false, UC_FINDINGS, "pair view: select in the findings list (Up/Down), Enter opens one: full text, id, why, hint, nodes, VHIDs", "Findings", KS_PAIR },
	{ 'm', "m", true, UC_MAINTENANCE, "enter or leave persistent maintenance on the selected node (interlocks first, then asks)", "Maint", KS_PAIR | KS_NODE },
	{ 'd', "d", true, UC_CARP_DISABLE, "disable CARP on the selected node: its VIPs go away (interlocks first, then asks)", "Disable", KS_PAIR | KS_NODE },
	{ 'e', "e", true, UC_CARP_ENABLE, "enable CARP on the selected node again (a recovery, allowed on the only live node; asks)", "Enable", KS_PAIR | KS_NODE },
	{ 's', "s", true, UC_SYNC, "sync the configuration from the primary to the secondary (asks first)", "Sync", KS_PAIR | KS_NODE | KS_DRIFT },
	{ 'w', "w", true, UC_WF_RUN, "workflow view: run the selected workflow on the selected cluster (its parameters, the plan, asks first)", "Run", KS_WORKFLOW },
	{ 'R', "R", true, UC_WF_RESUME, "workflow view: resume the cluster's unfinished workflow from its journal (asks first)", "Resume", KS_WORKFLOW },
	{ 'U', "U", true, UC_WF_ROLLBACK, "workflow view: undo the steps of the cluster's unfinished workflow (asks first)", "Undo", KS_WORKFLOW },
	{ 'X', "X", true, UC_WF_ABORT, "abort the cluster's running workflow: nothing more is sent, it stays resumable (asks first)", "Abort", KS_WORKFLOW },
	{ 'P', "P", true, UC_SSH_PASSPHRASE, "ssh node whose identity file is encrypted: type its passphrase (not shown, kept in memory only)", NULL, 0 },
	{ 'K', "K", true, UC_SSH_HOSTKEY, "ssh node with an unknown host key: show its fingerprint and accept it into known_hosts (asks first)", NULL, 0 },
	{ ',', ",", false, UC_REPLAY_PREV, "replay: go to the previous event", NULL, 0 },
	{ '.', ".", false, UC_REPLAY_NEXT, "replay: go to the next event", NULL, 0 },
	{ 't', "t", false, UC_REPLAY_TIME, "replay: jump to a time (ISO 8601, or HH:MM[:SS] on the day shown)", NULL, 0 },
	{ '+', "+", false, UC_REPLAY_FASTER, "replay: play faster", NULL, 0 },
	{ '-', "-", false, UC_REPLAY_SLOWER, "replay: play slower", NULL, 0 },
	{ ' ', "Space", false, UC_REPLAY_PAUSE, "replay: play / pause", NULL, 0 },
	{ 'q', "q", false, UC_QUIT, "quit", "Quit", 0 },
	{ KEYC_F10, "F10", false, UC_QUIT, "quit", NULL, 0 },
};
const size_t n_key_table = sizeof(key_table) / sizeof(key_table[0]);

const struct key_binding *keytab_find(int key)
{
	size_t i;
	for (i = 0; i < n_key_table; i++)
		if (key_table[i].key == key)
			return &key_table[i];
	return NULL;
}

const struct key_binding *keytab_for_cmd(enum ui_cmd cmd)
{
	size_t i;
	for (i = 0; i < n_key_table; i++)
		if (key_table[i].cmd == cmd)
			return &key_table[i];
	return NULL;
}
