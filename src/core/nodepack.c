/* nodepack — trees to flat blobs and back, for the YAML tree cache. Writing
 * walks the tree children first, so every node's children sit before it in
 * the blob; reading can then check each offset against what it has already
 * built, which rules out cycles and bounds depth and weight in one pass. */
#include "warroom/nodepack.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PACK_MAGIC "WRTREE\r\n" /* the \r\n catches a blob mangled as text */
#define PACK_FORMAT 2u
#define PACK_ORDER 0x01020304u  /* written natively: a blob from another byte order fails */
#define PACK_NONE UINT32_MAX    /* no root: an empty document */

/* The blob: head, then n_nodes records, n_slots child indices, n_strs bytes
 * of NUL-terminated strings. The sum covers every byte after itself. */
struct pack_head {
	uint64_t sum;
	char magic[8];
	uint32_t format, order;
	uint32_t n_nodes, n_slots, n_strs, root;
	unsigned char key[NODEPACK_KEY_BYTES];
};

/* A record's low bits: the kind, then flags; the column above them (a file
 * is at most 32 MiB, so a column fits in 27 bits). */
enum { PACK_KIND_BITS = 2, PACK_QUOTED = 1 << 2, PACK_ALIAS = 1 << 3, PACK_SHARED = 1 << 4 };
#define PACK_COL_SHIFT 5
#define PACK_COL_MAX (UINT32_MAX >> PACK_COL_SHIFT)

/* The blob's own check. The key (a SHA-256 of the file) already says which
 * tree this is; the sum only has to notice a file damaged on disk, such as
 * blocks of zeros after a crash, and SHA-256 over the blob too cost more than
 * the rest of reading it. Four independent multiply-rotate lanes over
 * 8-byte words, folded with the length. */
static uint64_t rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static uint64_t blob_sum(const unsigned char *p, size_t len)
{
	const uint64_t k1 = 0x9e3779b185ebca87ULL, k2 = 0xc2b2ae3d27d4eb4fULL;
	uint64_t v[4] = {k1, k2, ~k1, ~k2};
	size_t i = 0;
	for (; i + 32 <= len; i += 32)
		for (int l = 0; l < 4; l++) {
			uint64_t w;
			memcpy(&w, p + i + 8 * l, 8);
			v[l] = rotl64(v[l] + w * k2, 31) * k1;
		}
	uint64_t h = (uint64_t)len * k1;
	for (int l = 0; l < 4; l++)
		h = rotl64(h ^ (rotl64(v[l] * k2, 31) * k1), 27) * k1 + k2;
	for (; i < len; i++)
		h = rotl64(h ^ (p[i] * k1), 11) * k2;
	h ^= h >> 33;
	h *= k2;
	h ^= h >> 29;
	return h;
}

/* ref: a scalar's string offset; a collection's first slot (a sequence has
 * n slots, a mapping 2n: key, value, key, value...), or, marked SHARED, the
 * earlier node whose children it shares (a YAML alias of a collection).
 * Weights are not kept: reading sums them again from the children. */
struct pack_node {
	uint32_t line, bits, n, ref;
};

/* ---- writing ---------------------------------------------------------------------- */

/* Open addressing from a pointer (a node, or a shared child array) to what
 * it became in the blob. */
struct ptr_slot {
	const void *key;
	uint32_t val;
};

struct ptr_map {
	struct ptr_slot *v;
	size_t n, cap; /* cap a power of two, kept at most half full */
};

static size_t ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

static struct ptr_slot *ptr_find(const struct ptr_map *m, const void *key)
{
	size_t mask = m->cap - 1;
	for (size_t i = ptr_hash(key) & mask;; i = (i + 1) & mask)
		if (!m->v[i].key || m->v[i].key == key)
			return &m->v[i];
}

static void ptr_put(struct ptr_map *m, const void *key, uint32_t val)
{
	if (2 * (m->n + 1) > m->cap) {
		struct ptr_map bigger = {xcalloc(m->cap ? 2 * m->cap : 1024, sizeof(struct ptr_slot)),
					 0, m->cap ? 2 * m->cap : 1024};
		for (size_t i = 0; i < m->cap; i++)
			if (m->v[i].key) {
				*ptr_find(&bigger, m->v[i].key) = m->v[i];
				bigger.n++;
			}
		free(m->v);
		*m = bigger;
	}
	struct ptr_slot *s = ptr_find(m, key);
	if (!s->key)
		m->n++;
	s->key = key;
	s->val = val;
}

static bool ptr_get(const struct ptr_map *m, const void *key, uint32_t *val)
{
	if (!m->cap)
		return false;
	const struct ptr_slot *s = ptr_find(m, key);
	if (s->key)
		*val = s->val;
	return s->key != NULL;
}

/* Strings are kept once: a big accounts file says "id" ten thousand times.
 * The table holds offsets into strs, plus one (0 is empty). */
struct packer {
	struct pack_node *nodes;
	size_t n_nodes, cap_nodes;
	uint32_t *slots;
	size_t n_slots, cap_slots;
	struct strbuf strs;
	uint32_t *str_tab;
	size_t n_str_tab, cap_str_tab;
	struct ptr_map seen;
	bool too_big;
};

static size_t str_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29));
}

static uint32_t *str_find(struct packer *p, const char *s, size_t n)
{
	size_t mask = p->cap_str_tab - 1;
	for (size_t i = str_hash(s, n) & mask;; i = (i + 1) & mask) {
		uint32_t at = p->str_tab[i];
		if (!at)
			return &p->str_tab[i];
		const char *t = p->strs.buf + at - 1;
		if (strlen(t) == n && memcmp(t, s, n) == 0)
			return &p->str_tab[i];
	}
}

static uint32_t put_str(struct packer *p, const char *s, size_t n)
{
	if (2 * (p->n_str_tab + 1) > p->cap_str_tab) {
		uint32_t *old = p->str_tab;
		size_t old_cap = p->cap_str_tab;
		p->cap_str_tab = old_cap ? 2 * old_cap : 1024;
		p->str_tab = xcalloc(p->cap_str_tab, sizeof(*p->str_tab));
		for (size_t i = 0; i < old_cap; i++)
			if (old[i]) {
				const char *t = p->strs.buf + old[i] - 1;
				*str_find(p, t, strlen(t)) = old[i];
			}
		free(old);
	}
	/* a string with a NUL inside is kept whole and not shared */
	bool plain = memchr(s, '\0', n) == NULL;
	uint32_t *slot = plain ? str_find(p, s, n) : NULL;
	if (slot && *slot)
		return *slot - 1;
	if (p->strs.len + n + 1 >= UINT32_MAX) {
		p->too_big = true;
		return 0;
	}
	uint32_t at = (uint32_t)p->strs.len;
	sb_add(&p->strs, s, n);
	sb_addc(&p->strs, '\0');
	if (slot) {
		*slot = at + 1;
		p->n_str_tab++;
	}
	return at;
}

static uint32_t reserve_slots(struct packer *p, size_t k)
{
	if (p->n_slots + k >= UINT32_MAX) {
		p->too_big = true;
		return 0;
	}
	VEC_RESERVE(p->slots, p->cap_slots, p->n_slots + k);
	uint32_t at = (uint32_t)p->n_slots;
	p->n_slots += k;
	return at;
}

static uint32_t put_node(struct packer *p, const struct node *n)
{
	uint32_t idx;
	if (ptr_get(&p->seen, n, &idx) || p->too_big)
		return p->too_big ? 0 : idx;
	if (n->line < 0 || n->col < 0 || (uint32_t)n->col > PACK_COL_MAX) {
		p->too_big = true;
		return 0;
	}
	struct pack_node rec = {
		.line = (uint32_t)n->line,
		.bits = (uint32_t)n->col << PACK_COL_SHIFT | (uint32_t)n->kind |
			(n->quoted ? PACK_QUOTED : 0) | (n->alias ? PACK_ALIAS : 0),
		.n = n->n,
	};
	size_t k = n->kind == NODE_SEQ ? n->n : 2 * (size_t)n->n;
	const void *arr = n->kind == NODE_SEQ ? (const void *)n->u.items : (const void *)n->u.pairs;
	bool own = false;
	if (n->kind == NODE_SCALAR) {
		rec.ref = put_str(p, n->u.str, n->n);
	} else if (k && ptr_get(&p->seen, arr, &rec.ref)) {
		rec.bits |= PACK_SHARED; /* an alias: its anchor's children, by the anchor */
	} else {
		own = k > 0;
		rec.ref = reserve_slots(p, k);
		for (size_t i = 0; i < k && !p->too_big; i++) {
			const struct node *c = n->kind == NODE_SEQ ? n->u.items[i]
				: i % 2 ? n->u.pairs[i / 2].value : n->u.pairs[i / 2].key;
			uint32_t ci = put_node(p, c);
			p->slots[rec.ref + i] = ci;
		}
	}
	if (p->too_big || p->n_nodes + 1 >= PACK_NONE) {
		p->too_big = true;
		return 0;
	}
	VEC_PUSH(p->nodes, p->n_nodes, p->cap_nodes, rec);
	idx = (uint32_t)(p->n_nodes - 1);
	ptr_put(&p->seen, n, idx);
	if (own)
		ptr_put(&p->seen, arr, idx);
	return idx;
}

void nodepack_seal(void *blob, size_t len, const unsigned char key[NODEPACK_KEY_BYTES])
{
	struct pack_head h;
	if (len < sizeof(h))
		return;
	unsigned char *b = blob;
	memcpy(b + offsetof(struct pack_head, key), key, NODEPACK_KEY_BYTES);
	h.sum = blob_sum(b + sizeof(h.sum), len - sizeof(h.sum));
	memcpy(b, &h.sum, sizeof(h.sum));
}

int nodepack_write(const struct node *root, const unsigned char key[NODEPACK_KEY_BYTES],
		   struct strbuf *out, struct err *e)
{
	struct packer p = {0};
	uint32_t r = root ? put_node(&p, root) : PACK_NONE;
	int rc = 0;
	if (p.too_big) {
		rc = err_set(e, "the tree is too big to keep in the cache");
	} else {
		struct pack_head h = {
			.format = PACK_FORMAT,
			.order = PACK_ORDER,
			.n_nodes = (uint32_t)p.n_nodes,
			.n_slots = (uint32_t)p.n_slots,
			.n_strs = (uint32_t)p.strs.len,
			.root = r,
		};
		memcpy(h.magic, PACK_MAGIC, sizeof(h.magic));
		memcpy(h.key, key, NODEPACK_KEY_BYTES);
		size_t start = out->len;
		sb_add(out, (const char *)&h, sizeof(h));
		if (p.n_nodes)
			sb_add(out, (const char *)p.nodes, p.n_nodes * sizeof(*p.nodes));
		if (p.n_slots)
			sb_add(out, (const char *)p.slots, p.n_slots * sizeof(*p.slots));
		if (p.strs.len)
			sb_add(out, p.strs.buf, p.strs.len);
		nodepack_seal(out->buf + start, out->len - start, key);
	}
	free(p.nodes);
	free(p.slots);
	sb_release(&p.strs);
	free(p.str_tab);
	free(p.seen.v);
	return rc;
}

/* ---- reading ---------------------------------------------------------------------- */

static uint32_t sat_add32(uint32_t a, uint32_t b)
{
	return a > UINT32_MAX - b ? UINT32_MAX : a + b;
}

struct reader {
	const struct pack_node *recs; /* in the blob, which is 8-byte aligned */
	const uint32_t *slots;
	uint32_t n_slots, n_strs;
	const char *strs;
	struct node *out;
	uint8_t *depth;
	const struct nodepack_limits *lim;
	struct arena *a;
};

static int read_node(struct reader *r, uint32_t i, struct err *e)
{
	const struct pack_node *rec = &r->recs[i];
	struct node *n = &r->out[i];
	uint32_t kind = rec->bits & ((1u << PACK_KIND_BITS) - 1);
	if (kind > NODE_MAP || rec->line > INT_MAX)
		return err_set(e, "node %u is not one the cache writes", i);
	*n = (struct node){
		.line = (int)rec->line,
		.col = (int)(rec->bits >> PACK_COL_SHIFT),
		.n = rec->n,
		.weight = 1,
		.kind = (enum node_kind)kind,
		.quoted = (rec->bits & PACK_QUOTED) != 0,
		.alias = (rec->bits & PACK_ALIAS) != 0,
	};
	r->depth[i] = 0;
	if (n->kind == NODE_SCALAR) {
		if ((uint64_t)rec->ref + rec->n >= r->n_strs || r->strs[rec->ref + rec->n] != '\0' ||
		    (rec->bits & PACK_SHARED))
			return err_set(e, "scalar %u runs past the strings", i);
		n->u.str = r->strs + rec->ref;
		return 0;
	}
	if (rec->bits & PACK_SHARED) {
		const struct node *of = rec->ref < i ? &r->out[rec->ref] : NULL;
		if (!of || of->kind != n->kind || of->n != n->n || !n->n)
			return err_set(e, "node %u shares the children of a node that has none like them", i);
		n->u = of->u;
		n->weight = of->weight;
		r->depth[i] = r->depth[rec->ref];
		return 0;
	}
	uint64_t k = n->kind == NODE_SEQ ? rec->n : 2 * (uint64_t)rec->n;
	if (rec->ref + k > r->n_slots)
		return err_set(e, "node %u lists children past the slots", i);
	const uint32_t *kids = r->slots + rec->ref;
	uint32_t w = 1;
	uint8_t d = 0;
	for (uint64_t j = 0; j < k; j++) {
		if (kids[j] >= i)
			return err_set(e, "node %u has a child that does not come before it", i);
		w = sat_add32(w, r->out[kids[j]].weight);
		if (r->depth[kids[j]] > d)
			d = r->depth[kids[j]];
	}
	if ((size_t)d + 1 > r->lim->max_depth)
		return err_set(e, "node %u nests deeper than %zu", i, r->lim->max_depth);
	r->depth[i] = (uint8_t)(d + 1);
	n->weight = w;
	if (n->kind == NODE_SEQ) {
		n->u.items = arena_alloc(r->a, k * sizeof(*n->u.items));
		for (uint64_t j = 0; j < k; j++)
			n->u.items[j] = &r->out[kids[j]];
	} else {
		n->u.pairs = arena_alloc(r->a, rec->n * sizeof(*n->u.pairs));
		for (uint32_t j = 0; j < rec->n; j++) {
			n->u.pairs[j].key = &r->out[kids[2 * j]];
			n->u.pairs[j].value = &r->out[kids[2 * j + 1]];
		}
	}
	return 0;
}

int nodepack_read(const void *blob, size_t len, const unsigned char key[NODEPACK_KEY_BYTES],
		  const struct nodepack_limits *lim, struct arena *a, struct node **root,
		  struct err *e)
{
	*root = NULL;
	struct pack_head h;
	if (len < sizeof(h))
		return err_set(e, "%zu bytes is shorter than a cached tree's head", len);
	memcpy(&h, blob, sizeof(h));
	if (memcmp(h.magic, PACK_MAGIC, sizeof(h.magic)) != 0 || h.format != PACK_FORMAT ||
	    h.order != PACK_ORDER)
		return err_set(e, "not a cached tree of this version");
	if (memcmp(h.key, key, NODEPACK_KEY_BYTES) != 0)
		return err_set(e, "a cached tree of other contents");
	uint64_t want = sizeof(h) + (uint64_t)h.n_nodes * sizeof(struct pack_node) +
			(uint64_t)h.n_slots * sizeof(uint32_t) + h.n_strs;
	if (want != len)
		return err_set(e, "a cached tree of %zu bytes whose head says %llu", len,
			       (unsigned long long)want);
	const unsigned char *bytes = blob;
	if (blob_sum(bytes + sizeof(h.sum), len - sizeof(h.sum)) != h.sum)
		return err_set(e, "a cached tree whose checksum does not match: damaged");
	if (h.root != PACK_NONE && h.root >= h.n_nodes)
		return err_set(e, "a cached tree whose root is not one of its nodes");
	if (h.root == PACK_NONE)
		return 0;

	const unsigned char *p = bytes + sizeof(h);
	if ((uintptr_t)p % _Alignof(struct pack_node) != 0)
		return err_set(e, "a cached tree at an address records cannot be read from");
	const size_t nodes_bytes = (size_t)h.n_nodes * sizeof(struct pack_node);
	const size_t slots_bytes = (size_t)h.n_slots * sizeof(uint32_t);
	char *strs = arena_alloc(a, (size_t)h.n_strs + 1);
	memcpy(strs, p + nodes_bytes + slots_bytes, h.n_strs);
	struct reader r = {
		.recs = (const struct pack_node *)(const void *)p,
		.slots = (const uint32_t *)(const void *)(p + nodes_bytes),
		.n_slots = h.n_slots,
		.n_strs = h.n_strs,
		.strs = strs,
		.out = arena_alloc(a, (size_t)h.n_nodes * sizeof(struct node)),
		.depth = xmalloc((size_t)h.n_nodes),
		.lim = lim,
		.a = a,
	};
	int rc = 0;
	for (uint32_t i = 0; i < h.n_nodes && rc == 0; i++)
		rc = read_node(&r, i, e);
	if (rc == 0 && r.out[h.root].weight > lim->max_weight)
		rc = err_set(e, "a cached tree that expands to %u nodes, over %zu", r.out[h.root].weight,
			     lim->max_weight);
	if (rc == 0)
		*root = &r.out[h.root];
	free(r.depth);
	return rc;
}
