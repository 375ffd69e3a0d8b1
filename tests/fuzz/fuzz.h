/* What every fuzz target shares (tests/fuzz/README.md): the libFuzzer entry
 * point, the split of one input into parts, a pair to render, and the
 * oracle that checks carptop's output promises on every rendering.
 *
 * The oracle abort()s, so libFuzzer (or the replay driver) reports the input:
 * - a control byte other than newline and tab in any batch format (C0, DEL,
 *   a UTF-8 C1 such as U+009B CSI, a NUL inside the output): text from a node
 *   or a file must reach a terminal or a monitoring system inert;
 * - JSON output that json-c cannot parse strictly, as valid UTF-8, as one
 *   whole value. */
#ifndef CARPTOP_FUZZ_H
#define CARPTOP_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "pair.h"
#include "snapshot.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parts of one input are separated by this line (it is in every
 * dictionary); an input without it is one part. */
#define FUZZ_SEP "\n--8<--\n"
#define FUZZ_MAX_PARTS 16

struct fuzz_parts {
	char *part[FUZZ_MAX_PARTS]; /* each a new buffer of exactly len[i] bytes + NUL */
	size_t len[FUZZ_MAX_PARTS];
	size_t n;                   /* parts found; the rest are "" */
};
void fuzz_split(const uint8_t *data, size_t size, struct fuzz_parts *p);
void fuzz_parts_free(struct fuzz_parts *p);

/* Exactly n bytes, no NUL after them: ASan sees a read past the length. */
char *fuzz_exact(const char *s, size_t n);

/* fw1 (primary) and fw2 (secondary) of cluster "fuzz" over `t`. */
void fuzz_cluster(struct cluster_conf *cc, enum transport t);

/* Fixed clock, so a run is reproducible. */
#define FUZZ_NOW 1764000000.0

/* Render views[0..n) in all four batch formats and apply the oracle. */
void fuzz_render_check(const struct pair_view *views, size_t n);
/* Build the pair view of two snapshots, render and check it, free it. */
void fuzz_pair_check(const struct cluster_conf *cc, const struct snapshot *s0, const struct snapshot *s1);
/* The oracle on one rendered text (format names the abort message). */
void fuzz_check_text(const char *what, const char *buf, size_t len);
/* A parser's message for a person (NULL: none) goes through text_sanitize,
 * as a snapshot's error or partial note does, and must come out inert. */
void fuzz_check_message(const char *msg);
/* The JSON oracle on one rendered text. */
void fuzz_check_json(const char *buf, size_t len);

#endif
