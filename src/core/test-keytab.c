/* The key table: consistent, and documented key for key in carptop(1). */
#include <stdlib.h>
#include <string.h>

#include "keytab.h"
#include "testlib.h"

#define MAN_PAGE TEST_SRCDIR "/../doc/carptop.1"

static void test_table(void)
{
	size_t i, k;
	int dup_key = 0, dup_label = 0, ro_wrong = 0, no_help = 0;
	int cmd;

	for (i = 0; i < n_key_table; i++) {
		const struct key_binding *b = &key_table[i];
		bool mutating = b->cmd == UC_MAINTENANCE || b->cmd == UC_CARP_DISABLE || b->cmd == UC_CARP_ENABLE ||
				b->cmd == UC_SYNC || b->cmd == UC_WF_RUN || b->cmd == UC_WF_RESUME ||
				b->cmd == UC_WF_ROLLBACK || b->cmd == UC_WF_ABORT || b->cmd == UC_SSH_PASSPHRASE ||
				b->cmd == UC_SSH_HOSTKEY;
		for (k = i + 1; k < n_key_table; k++) {
			if (key_table[k].key == b->key)
				dup_key++;
			if (strcmp(key_table[k].label, b->label) == 0)
				dup_label++;
		}
		if (b->ro_inactive != mutating)
			ro_wrong++;
		if (!b->help || !*b->help || !b->label || !*b->label)
			no_help++;
		CHECK(keytab_find(b->key) == b);
	}
	CHECK_INT_EQ(dup_key, 0);
	CHECK_INT_EQ(dup_label, 0);
	CHECK_INT_EQ(ro_wrong, 0);
	CHECK_INT_EQ(no_help, 0);
	/* Every command has a key. */
	for (cmd = 0; cmd < UC__COUNT; cmd++)
		CHECK(keytab_for_cmd((enum ui_cmd)cmd) != NULL);
	CHECK(keytab_find('Z') == NULL);
	/* The quit key is in the function bar. */
	CHECK(keytab_for_cmd(UC_QUIT)->bar != NULL);
}

/* roff to plain: "\-" -> "-", "\e" -> "\", "\(em" etc. not used in KEYS. */
static void unroff(char *s)
{
	char *r = s, *w = s;
	while (*r) {
		if (r[0] == '\\' && r[1] == '-') {
			*w++ = '-';
			r += 2;
		} else if (r[0] == '\\' && r[1] == 'e') {
			*w++ = '\\';
			r += 2;
		} else if (r[0] == '\\' && r[1] == '&') {
			r += 2;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
}

static void test_man_page(void)
{
	char *page = test_read_file(MAN_PAGE, NULL);
	char *keys, *end, *line, *next, *prev = NULL;
	char labels[128][32], helps[128][256];
	size_t n = 0, i, k;
	int missing = 0, extra = 0, help_differs = 0;

	CHECK(page != NULL);
	if (!page)
		return;
	keys = strstr(page, "\n.SH KEYS\n");
	CHECK(keys != NULL);
	if (!keys) {
		free(page);
		return;
	}
	keys += 1;
	end = strstr(keys + 4, "\n.SH ");
	if (end)
		*end = '\0';
	/* Entries are ".TP" / ".B label" / help line; other .B lines are prose. */
	for (line = keys; line; prev = line, line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (prev && strcmp(prev, ".TP") == 0 && strncmp(line, ".B ", 3) == 0 && n < 128) {
			char *l = line + 3;
			size_t len;
			if (*l == '"') {
				l++;
				len = strlen(l);
				if (len && l[len - 1] == '"')
					l[len - 1] = '\0';
			}
			unroff(l);
			strncpy(labels[n], l, sizeof(labels[n]) - 1);
			labels[n][sizeof(labels[n]) - 1] = '\0';
			helps[n][0] = '\0';
			if (next) {
				char *h = next, *nl = strchr(h, '\n');
				size_t hl = nl ? (size_t)(nl - h) : strlen(h);
				if (hl >= sizeof(helps[n]))
					hl = sizeof(helps[n]) - 1;
				memcpy(helps[n], h, hl);
				helps[n][hl] = '\0';
				unroff(helps[n]);
			}
			n++;
		}
	}
	for (i = 0; i < n_key_table; i++) {
		for (k = 0; k < n; k++)
			if (strcmp(labels[k], key_table[i].label) == 0)
				break;
		if (k == n) {
			printf("# key '%s' is not in the KEYS section of doc/carptop.1\n", key_table[i].label);
			missing++;
		} else if (strcmp(helps[k], key_table[i].help) != 0) {
			printf("# key '%s': carptop.1 says \"%s\", the table \"%s\"\n", key_table[i].label, helps[k],
			       key_table[i].help);
			help_differs++;
		}
	}
	for (k = 0; k < n; k++) {
		for (i = 0; i < n_key_table; i++)
			if (strcmp(labels[k], key_table[i].label) == 0)
				break;
		if (i == n_key_table) {
			printf("# doc/carptop.1 documents key '%s', which the table does not have\n", labels[k]);
			extra++;
		}
	}
	CHECK_INT_EQ(n, n_key_table);
	CHECK_INT_EQ(missing, 0);
	CHECK_INT_EQ(extra, 0);
	CHECK_INT_EQ(help_differs, 0);
	free(page);
}

int main(void)
{
	RUN(test_table);
	RUN(test_man_page);
	return test_done();
}
