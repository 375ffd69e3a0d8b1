/* Shared by the config-check and drift tests: the how-to's example pair as
 * text, string edits that plant a change (an edit that finds nothing fails
 * the test, so a fixture never silently stops testing), and an offline view
 * built from two texts exactly as --from-xml builds it. */
#ifndef CARPTOP_TEST_DOCTOR_LIB_H
#define CARPTOP_TEST_DOCTOR_LIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "config_checks.h"
#include "config.h"
#include "confslim.h"
#include "pair.h"
#include "snapshot.h"
#include "testlib.h"
#include "util.h"
#include "view.h"
#include "xmlconf.h"

#define EX_MASTER FIXTURES_DIR "/examples/Carp_example_master.xml"
#define EX_BACKUP FIXTURES_DIR "/examples/Carp_example_backup.xml"

static char *ex_text[2];

static inline void ex_load(void)
{
	if (!ex_text[0])
		ex_text[0] = test_read_file(EX_MASTER, NULL);
	if (!ex_text[1])
		ex_text[1] = test_read_file(EX_BACKUP, NULL);
	if (!ex_text[0] || !ex_text[1]) {
		printf("Bail out! cannot read the example pair under %s/examples\n", FIXTURES_DIR);
		exit(1);
	}
}

static inline void ex_unload(void)
{
	free(ex_text[0]);
	free(ex_text[1]);
	ex_text[0] = ex_text[1] = NULL;
}

/* A copy of src with the n-th (1-based; 0 = every) occurrence of `from`
 * replaced by `to`. */
static inline char *edit_nth(const char *src, const char *from, const char *to, int nth)
{
	struct strbuf sb;
	const char *p = src, *hit;
	int seen = 0, done = 0;
	sb_init(&sb);
	while ((hit = strstr(p, from)) != NULL) {
		seen++;
		sb_addn(&sb, p, (size_t)(hit - p));
		if (nth == 0 || seen == nth) {
			sb_add(&sb, to);
			done++;
		} else {
			sb_addn(&sb, hit, strlen(from));
		}
		p = hit + strlen(from);
	}
	sb_add(&sb, p);
	if (!done)
		printf("# edit: '%s' (occurrence %d) not found\n", from, nth);
	test_report(done > 0, __FILE__, __LINE__, "fixture edit applies");
	return sb_steal(&sb);
}

static inline char *edit(const char *src, const char *from, const char *to)
{
	return edit_nth(src, from, to, 1);
}

/* Replace *text by an edited copy. */
static inline void edit_in(char **text, const char *from, const char *to, int nth)
{
	char *n = edit_nth(*text, from, to, nth);
	free(*text);
	*text = n;
}

/* Set: doc_build slims both configs as the live app does (src/confslim.h):
 * the primary first against nothing, the secondary against it, then the
 * primary read again when it dropped a section that differs. The same
 * assertions then hold for the slim path. */
static bool doc_slim_mode;

static inline bool doc_parse(const char *text, int i, struct xmlconf *c)
{
	char *cause = NULL;
	if (xmlconf_parse(text, strlen(text), i ? "fw2.xml" : "fw1.xml", c, &cause) < 0) {
		printf("# parse: %s\n", cause);
		free(cause);
		test_report(0, __FILE__, __LINE__, "fixture parses");
		return false;
	}
	return true;
}

struct doc_view {
	struct xmlconf conf[CLUSTER_NODES];
	struct snapshot snap[CLUSTER_NODES];
	struct cluster_conf cc;
	struct pair_view v;
	bool ok;
};

/* Parse both texts and run the config checks as --from-xml does. */
static inline bool doc_build(struct doc_view *d, const char *primary, const char *secondary)
{
	const char *text[2] = { primary, secondary };
	static char name0[] = "fw1", name1[] = "fw2";
	int i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < CLUSTER_NODES; i++) {
		if (!doc_parse(text[i], i, &d->conf[i]))
			return false;
		if (doc_slim_mode)
			conf_slim(&d->conf[i], i ? &d->conf[0] : NULL);
		snapshot_init(&d->snap[i]);
	}
	if (doc_slim_mode && conf_slim_lacks(&d->conf[0], &d->conf[1])) {
		xmlconf_free(&d->conf[0]);
		if (!doc_parse(text[0], 0, &d->conf[0]))
			return false;
		conf_slim(&d->conf[0], &d->conf[1]);
		test_report(!conf_slim_lacks(&d->conf[0], &d->conf[1]) && !conf_slim_lacks(&d->conf[1], &d->conf[0]),
			    __FILE__, __LINE__, "after one read again, both slim configs hold every differing section");
	}
	d->cc.name = (char *)"t";
	d->cc.nodes[0].name = name0;
	d->cc.nodes[1].name = name1;
	d->cc.nodes[1].role = ROLE_SECONDARY;
	{
		const struct snapshot *sp[CLUSTER_NODES] = { &d->snap[0], &d->snap[1] };
		const struct xmlconf *cp[CLUSTER_NODES] = { &d->conf[0], &d->conf[1] };
		view_build_offline(&d->v, &d->cc, sp, cp, 0);
	}
	d->ok = true;
	return true;
}

static inline void doc_free(struct doc_view *d)
{
	int i;
	pair_free(&d->v);
	for (i = 0; i < CLUSTER_NODES; i++) {
		snapshot_clear(&d->snap[i]);
		xmlconf_free(&d->conf[i]);
	}
}

static inline void doc_dump(const struct doc_view *d)
{
	size_t i;
	for (i = 0; i < d->v.n_findings; i++)
		printf("#   finding %s %s node %d vhid %d: %s\n", severity_name(d->v.findings[i].severity),
		       d->v.findings[i].id, d->v.findings[i].node, d->v.findings[i].vhid, d->v.findings[i].message);
	for (i = 0; i < d->v.n_drift; i++)
		printf("#   drift %s %s [%s|%s] [%s|%s]\n", d->v.drift[i].section, d->v.drift[i].path,
		       d->v.drift[i].absent[0] ? "absent" : "", d->v.drift[i].value[0],
		       d->v.drift[i].absent[1] ? "absent" : "", d->v.drift[i].value[1]);
}

static inline size_t n_with_id(const struct doc_view *d, const char *id)
{
	size_t i, n = 0;
	for (i = 0; i < d->v.n_findings; i++)
		n += str_eq(d->v.findings[i].id, id);
	return n;
}

/* The first finding with id (and, unless sev < 0, that severity). */
static inline const struct finding *with_id(const struct doc_view *d, const char *id, int sev)
{
	size_t i;
	for (i = 0; i < d->v.n_findings; i++)
		if (str_eq(d->v.findings[i].id, id) && (sev < 0 || (int)d->v.findings[i].severity == sev))
			return &d->v.findings[i];
	return NULL;
}

#endif
