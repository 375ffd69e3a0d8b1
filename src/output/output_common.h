/* What the batch renderers share (output_common.c), and the renderers
 * themselves for their dispatch (output.c). Callers outside src/output use
 * output.h, which includes this for struct output_opts and output_overall. */
#ifndef CARPTOP_OUTPUT_COMMON_H
#define CARPTOP_OUTPUT_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include "pair.h"
#include "util.h"

struct output_opts {
	double now;  /* wall clock: "generated" and data ages are measured against it */
	bool demo;   /* the data is simulated (--demo): every format says so */
};

/* The worst cluster verdict, for the exit code (severity_exit_code). No
 * clusters at all is UNKNOWN: nothing was checked. */
enum severity output_overall(const struct pair_view *views, size_t n);

/* ---- For the renderers (output_*.c) and their dispatch. ---- */

/* One renderer per format (output_<format>.c), called by output_render. */
void out_render_text(struct strbuf *sb, const struct pair_view *views, size_t n, const struct output_opts *o);
void out_render_json(struct strbuf *sb, const struct pair_view *views, size_t n, const struct output_opts *o);
void out_render_nagios(struct strbuf *sb, const struct pair_view *views, size_t n, const struct output_opts *o);
void out_render_prom(struct strbuf *sb, const struct pair_view *views, size_t n, const struct output_opts *o);

/* The words of the machine formats are owned here, not borrowed from the
 * UI's name functions: they are a published contract (the JSON schema). */
const char *out_verdict_word(enum severity s);       /* ok, warning, critical, unknown (info -> ok) */
const char *out_severity_word(enum severity s);      /* ok, info, warning, unknown, critical */
const char *out_severity_upper(enum severity s);     /* OK, INFO, WARNING, UNKNOWN, CRITICAL */
int out_status_code(enum severity s);                /* 0 ok, 1 warning, 2 critical, 3 unknown */
const char *out_vhid_verdict_word(enum vhid_verdict v); /* ok, split-brain, no-master, ... */
const char *out_role_word(enum node_role r);         /* primary, secondary */
const char *out_transport_word(enum transport t);    /* api, ssh, sim, none */

/* A node's name, role, whether it is up and its ages are the view's
 * (v->node[i], src/view.h): one rule for every format. */
/* TLS verification is switched off for this node's API. */
bool out_node_insecure(const struct pair_view *v, int i);
/* The one wording of that warning, for every format. */
void out_insecure_text(char *dst, size_t n, const struct pair_view *v, int i);

/* Status of node i on a VHID: "UNKNOWN" when the node is not up (its last
 * known roles are not current), "ABSENT" when it is up but lacks the VHID,
 * else the CARP status ("MASTER", ...). */
const char *out_side_status(const struct pair_view *v, const struct vhid_row *r, int i);

/* `v` with `decimals` (0..6) fraction digits, always with '.', whatever
 * LC_NUMERIC says (the UI may have called setlocale). */
void out_fixed(char *dst, size_t n, double v, int decimals);

/* Append remote text inert (text_sanitize) to sb. */
void out_add_safe(struct strbuf *sb, const char *s);

#endif
