/* The flight recorder's on-disk format (doc/recording.md), shared by the
 * writer (src/model/recorder.c) and the reader (src/app/replay.c): framing with a sync
 * byte, length and CRC-32, varints, and a snapshot as a table of numbered
 * fields that a record stores only where they changed. Pure: no I/O. */
#ifndef CARPTOP_RECFMT_H
#define CARPTOP_RECFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"
#include "util.h"

#define REC_MAGIC "CARPTOP-REC 1\n"
#define REC_MAGIC_LEN 14
#define REC_SYNC 0xC5
#define REC_MAX_PAYLOAD (1u << 20)
#define REC_VERSION 1

/* Record types: the first payload byte. */
enum rec_type {
	REC_HEADER = 'H',   /* a run of one process: clusters and nodes, time base */
	REC_KEY = 'K',      /* a node's snapshot in full */
	REC_DELTA = 'D',    /* a node's snapshot: only what changed since its last one */
	REC_ACTION = 'A',   /* an audit log line */
};

/* Snapshot fields by number (the number is the format: never reuse one). */
enum rec_field {
	RF_END = 0,
	RF_REACHABLE, RF_ERR, RF_ERROR, RF_HOSTNAME, RF_VERSION,
	RF_CARP_KNOWN, RF_ALLOW, RF_DEMOTION, RF_MAINTENANCE, RF_PREEMPT, RF_STATUS_MSG,
	RF_STATES, RF_STATE_LIMIT,
	RF_PFSYNC_KNOWN, RF_SYNCDEV, RF_SYNCPEER, RF_HOSTID, RF_CREATORS,
	RF_HASYNC_KNOWN, RF_SYNC_TARGET, RF_SYNC_ITEMS, RF_PEER_KNOWN, RF_PEER_REACHABLE, RF_PEER_VERSION,
	RF_PEER_ERROR,
	RF_FW_VERSION, RF_FW_STATE,
	RF_PARTIAL, RF_CONFIG_MARKER, RF_DURATION_MS,
	RF_VIPS,       /* the VIP rows without their status */
	RF_VIP_STATUS, /* one byte per row: the CARP status (changes alone on a flip) */
	RF_COUNT
};

/* A snapshot flattened: every field an integer or a byte string. */
struct rec_value {
	long long i;
	struct strbuf s;
};
struct rec_fields {
	struct rec_value v[RF_COUNT];
};
bool rec_field_is_text(enum rec_field f);

void rec_fields_init(struct rec_fields *f);
void rec_fields_free(struct rec_fields *f);
void rec_fields_copy(struct rec_fields *dst, const struct rec_fields *src);
void rec_fields_from_snapshot(struct rec_fields *f, const struct snapshot *s);
/* dst must be initialised; `taken` becomes its poll time. */
void rec_fields_to_snapshot(const struct rec_fields *f, struct snapshot *dst, double taken);

/* Append the fields of `cur` that differ from `base` (all when base is NULL)
 * as tag/value pairs and the end tag. Returns the number of changed fields. */
int rec_fields_encode(struct strbuf *out, const struct rec_fields *base, const struct rec_fields *cur);
/* Apply encoded pairs to f (a delta on top, or a key record onto a fresh f).
 * Returns 0, or -1 on malformed input (f may be partly changed). */
int rec_fields_decode(struct rec_fields *f, const uint8_t **p, const uint8_t *end);

/* Varints (LEB128), zigzag for signed values, length-prefixed strings. */
void rec_put_uvar(struct strbuf *out, uint64_t v);
void rec_put_svar(struct strbuf *out, int64_t v);
void rec_put_str(struct strbuf *out, const char *s, size_t n);
int rec_get_uvar(const uint8_t **p, const uint8_t *end, uint64_t *v);
int rec_get_svar(const uint8_t **p, const uint8_t *end, int64_t *v);
/* A string into a strbuf (reset first). */
int rec_get_str(const uint8_t **p, const uint8_t *end, struct strbuf *s);

/* Frame a payload: sync byte, varint length, payload, CRC-32 (little endian). */
void rec_frame(struct strbuf *out, const uint8_t *payload, size_t len);

/* Read the frame at *pos of buf[0..len). Returns 1 with the payload, 0 at a
 * clean end, -1 for a torn tail (the frame runs past the end), -2 for a bad
 * frame (no sync byte or a CRC mismatch: the caller resyncs at *pos + 1). */
int rec_unframe(const uint8_t *buf, size_t len, size_t *pos, const uint8_t **payload, size_t *plen);

#endif
