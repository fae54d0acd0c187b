/* bucket — comparing two large sets of entities without downloading either:
 * entities are bucketed by a hash of their string id (ids have no useful
 * order, so no key ranges), each bucket summarised by its count and an
 * order-independent checksum, and only buckets that differ are split again
 * (a new level re-buckets with another seed) until they are small enough to
 * fetch as (id, hash) lists and compare item by item.
 *
 * A path names a bucket at some depth: path[0] is its level-0 bucket,
 * path[1] its level-1 bucket within that, and so on; an entity is in path
 * when bucket_of(id, i, n) == path[i] for every level i of the path. Both
 * sides must use the same fan-out n. The text form of a path is its numbers
 * joined by '.' ("17.4"); the empty path "" is every entity. */
#ifndef WARROOM_BUCKET_H
#define WARROOM_BUCKET_H

#include <stddef.h>
#include <stdint.h>

#include "warroom/canon.h"
#include "warroom/util.h"

#define BUCKET_MAX_DEPTH 8
#define BUCKET_MAX_FANOUT 4096
#define BUCKET_SUM_HEX 33 /* 128-bit checksum as 32 hex digits + NUL */

/* 64-bit hash of an id, computed once per entity. */
uint64_t bucket_id_hash(const char *id);
/* The entity's bucket at `level` among n (from its bucket_id_hash). */
uint32_t bucket_of(uint64_t id_hash, unsigned level, unsigned n);

/* One bucket's summary. The checksum is a sum modulo 2^128 of a 128-bit
 * fingerprint of (id, content hash) per entity: order does not matter,
 * a changed, added or removed entity changes it. */
struct bucket_sum {
	uint64_t count;
	uint64_t lo, hi;
};
void bucket_sum_add(struct bucket_sum *s, uint64_t id_hash, const unsigned char hash[CANON_HASH_LEN]);
/* into += s: the summary of both sets together (counts add too). */
void bucket_sum_merge(struct bucket_sum *into, const struct bucket_sum *s);
int bucket_sum_equal(const struct bucket_sum *a, const struct bucket_sum *b);
void bucket_sum_hex(const struct bucket_sum *s, char out[BUCKET_SUM_HEX]);
int bucket_sum_parse_hex(const char *hex, struct bucket_sum *s); /* count untouched; 0 or -1 */

/* "17.4" <-> {17, 4}. Parse checks every part is < n and depth <= max. */
int bucket_path_parse(const char *text, unsigned n, uint32_t *path, unsigned *depth,
		      struct err *e);
void bucket_path_format(const uint32_t *path, unsigned depth, char *buf, size_t size);

/* One entity as the comparison sees it. */
struct bucket_item {
	char *id; /* owned by whoever owns the array */
	uint64_t id_hash;
	unsigned char hash[CANON_HASH_LEN];
};

/* A local set of items, e.g. everything read from the source: answers the
 * same two questions a remote side answers over HTTP. */
struct bucket_index {
	struct bucket_item *items;
	size_t n, cap;
	unsigned sorted_n; /* fan-out the items are grouped by (0 = not grouped) */
	size_t *start;     /* sorted_n + 1 offsets of each level-0 bucket */
};
/* Copies id. */
void bucket_index_add(struct bucket_index *x, const char *id, const unsigned char hash[CANON_HASH_LEN]);
void bucket_index_free(struct bucket_index *x);
/* Sums of the n sub-buckets of path (out has n entries, zeroed first). */
void bucket_index_sums(struct bucket_index *x, unsigned n, const uint32_t *path, unsigned depth,
		       struct bucket_sum *out);
/* The items in path, pointing into x (valid until x changes); caller frees
 * the array only. */
void bucket_index_items(struct bucket_index *x, unsigned n, const uint32_t *path,
			unsigned depth, const struct bucket_item ***items, size_t *count);

/* A side of the comparison: local (an index) or remote (an HTTP API). */
struct bucket_list {
	struct bucket_item *items; /* ids owned */
	size_t n, cap;
};
void bucket_list_free(struct bucket_list *l);
struct bucket_side {
	void *ctx;
	/* Fills out[0..n) with the sums of path's sub-buckets (zeroed first). */
	int (*sums)(void *ctx, unsigned n, const uint32_t *path, unsigned depth,
		    struct bucket_sum *out, struct err *e);
	/* Every (id, hash) in path. */
	int (*items)(void *ctx, unsigned n, const uint32_t *path, unsigned depth,
		     struct bucket_list *out, struct err *e);
	size_t requests;        /* calls made to this side */
	size_t items_fetched;   /* items it returned */
};
/* A side over a local index. */
void bucket_side_local(struct bucket_side *s, struct bucket_index *x);

struct bucket_opts {
	unsigned fanout;    /* buckets per split; default 64 */
	size_t leaf;        /* fetch items when the larger side has at most this many; default 128 */
	unsigned max_depth; /* fetch whatever is left at this depth; default 6 */
};

enum bucket_diff_kind { BUCKET_ONLY_LEFT, BUCKET_ONLY_RIGHT, BUCKET_CHANGED };
struct bucket_diff {
	enum bucket_diff_kind kind;
	char *id; /* owned */
};
struct bucket_result {
	struct bucket_diff *v;
	size_t n, cap;
	size_t buckets_compared; /* bucket summaries compared */
	size_t buckets_split;    /* differing buckets split further */
	size_t leaves_fetched;   /* buckets fetched as item lists */
	uint64_t left_count, right_count;
	struct bucket_sum left_sum, right_sum; /* each side's whole set, from level 0 */
};
void bucket_result_free(struct bucket_result *r);
const char *bucket_diff_kind_name(enum bucket_diff_kind k); /* "missing", "extra", "changed" */

/* Finds every id whose presence or content differs between left and right.
 * Differences come out sorted by id. */
int bucket_compare(struct bucket_side *left, struct bucket_side *right,
		   const struct bucket_opts *o, struct bucket_result *r, struct err *e);

#endif
