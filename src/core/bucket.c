/* bucket — bisection of two entity sets by hashed-id buckets: compare
 * summaries, split only what differs, fetch only small leaves. The same
 * code computes summaries for the local side and inside the simulator, so
 * both sides agree on buckets and checksums by construction. */
#include "warroom/bucket.h"

#include <stdlib.h>
#include <string.h>

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

uint64_t bucket_id_hash(const char *id)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, then mixed */
	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return mix64(h);
}

uint32_t bucket_of(uint64_t id_hash, unsigned level, unsigned n)
{
	uint64_t h = mix64(id_hash ^ (0x9e3779b97f4a7c15ULL * (level + 1)));
	return (uint32_t)(((h >> 32) * (uint64_t)n) >> 32);
}

static uint64_t load64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

void bucket_sum_add(struct bucket_sum *s, uint64_t id_hash, const unsigned char hash[CANON_HASH_LEN])
{
	/* The id is mixed in so that a moved content (same hash, other id) counts. */
	struct bucket_sum one = {1, load64(hash) ^ id_hash, load64(hash + 8) ^ mix64(id_hash + 1)};
	bucket_sum_merge(s, &one);
}

void bucket_sum_merge(struct bucket_sum *into, const struct bucket_sum *s)
{
	uint64_t old = into->lo;
	into->lo += s->lo;
	into->hi += s->hi + (into->lo < old);
	into->count += s->count;
}

int bucket_sum_equal(const struct bucket_sum *a, const struct bucket_sum *b)
{
	return a->count == b->count && a->lo == b->lo && a->hi == b->hi;
}

void bucket_sum_hex(const struct bucket_sum *s, char out[BUCKET_SUM_HEX])
{
	snprintf(out, BUCKET_SUM_HEX, "%016llx%016llx", (unsigned long long)s->hi,
		 (unsigned long long)s->lo);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int bucket_sum_parse_hex(const char *hex, struct bucket_sum *s)
{
	if (!hex || strlen(hex) != 32)
		return -1;
	uint64_t v[2] = {0, 0};
	for (int i = 0; i < 32; i++) {
		int d = hexval(hex[i]);
		if (d < 0)
			return -1;
		v[i / 16] = v[i / 16] << 4 | (uint64_t)d;
	}
	s->hi = v[0];
	s->lo = v[1];
	return 0;
}

int bucket_path_parse(const char *text, unsigned n, uint32_t *path, unsigned *depth,
		      struct err *e)
{
	*depth = 0;
	if (!text || !*text)
		return 0;
	const char *p = text;
	for (;;) {
		if (*depth >= BUCKET_MAX_DEPTH)
			return err_set(e, "bucket path '%s' is deeper than %d", text, BUCKET_MAX_DEPTH);
		if (*p < '0' || *p > '9')
			return err_set(e, "bucket path '%s' is not numbers joined by '.'", text);
		unsigned long v = 0;
		while (*p >= '0' && *p <= '9' && v < BUCKET_MAX_FANOUT)
			v = v * 10 + (unsigned long)(*p++ - '0');
		if (v >= n)
			return err_set(e, "bucket %lu in path '%s' is not below n=%u", v, text, n);
		path[(*depth)++] = (uint32_t)v;
		if (!*p)
			return 0;
		if (*p++ != '.')
			return err_set(e, "bucket path '%s' is not numbers joined by '.'", text);
	}
}

void bucket_path_format(const uint32_t *path, unsigned depth, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < depth && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%u", i ? "." : "", path[i]);
}

/* ---- local index --------------------------------------------------------- */

void bucket_index_add(struct bucket_index *x, const char *id, const unsigned char hash[CANON_HASH_LEN])
{
	struct bucket_item it = {.id = xstrdup(id), .id_hash = bucket_id_hash(id)};
	memcpy(it.hash, hash, CANON_HASH_LEN);
	VEC_PUSH(x->items, x->n, x->cap, it);
	x->sorted_n = 0;
}

void bucket_index_free(struct bucket_index *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->items[i].id);
	free(x->items);
	free(x->start);
	memset(x, 0, sizeof(*x));
}

/* Groups the items by level-0 bucket (a counting sort), so a request for a
 * path scans one level-0 bucket instead of every item. */
static void index_group(struct bucket_index *x, unsigned n)
{
	if (x->sorted_n == n)
		return;
	free(x->start);
	x->start = xcalloc(n + 1, sizeof(*x->start));
	uint32_t *b = xmalloc((x->n ? x->n : 1) * sizeof(*b));
	for (size_t i = 0; i < x->n; i++) {
		b[i] = bucket_of(x->items[i].id_hash, 0, n);
		x->start[b[i] + 1]++;
	}
	for (unsigned i = 0; i < n; i++)
		x->start[i + 1] += x->start[i];
	struct bucket_item *out = xmalloc((x->n ? x->n : 1) * sizeof(*out));
	size_t *fill = xmalloc((n + 1) * sizeof(*fill));
	memcpy(fill, x->start, (n + 1) * sizeof(*fill));
	for (size_t i = 0; i < x->n; i++)
		out[fill[b[i]]++] = x->items[i];
	free(fill);
	free(b);
	free(x->items);
	x->items = out;
	x->cap = x->n;
	x->sorted_n = n;
}

static int in_path(uint64_t h, unsigned n, const uint32_t *path, unsigned depth)
{
	for (unsigned i = 0; i < depth; i++)
		if (bucket_of(h, i, n) != path[i])
			return 0;
	return 1;
}

static void index_range(struct bucket_index *x, unsigned n, const uint32_t *path, unsigned depth,
			size_t *from, size_t *to)
{
	index_group(x, n);
	*from = depth ? x->start[path[0]] : 0;
	*to = depth ? x->start[path[0] + 1] : x->n;
}

void bucket_index_sums(struct bucket_index *x, unsigned n, const uint32_t *path, unsigned depth,
		       struct bucket_sum *out)
{
	memset(out, 0, n * sizeof(*out));
	size_t from, to;
	index_range(x, n, path, depth, &from, &to);
	for (size_t i = from; i < to; i++) {
		const struct bucket_item *it = &x->items[i];
		if (in_path(it->id_hash, n, path, depth))
			bucket_sum_add(&out[bucket_of(it->id_hash, depth, n)], it->id_hash, it->hash);
	}
}

void bucket_index_items(struct bucket_index *x, unsigned n, const uint32_t *path,
			unsigned depth, const struct bucket_item ***items, size_t *count)
{
	size_t from, to, cap = 0;
	index_range(x, n, path, depth, &from, &to);
	*items = NULL;
	*count = 0;
	for (size_t i = from; i < to; i++)
		if (in_path(x->items[i].id_hash, n, path, depth))
			VEC_PUSH(*items, *count, cap, &x->items[i]);
}

static int local_sums(void *ctx, unsigned n, const uint32_t *path, unsigned depth,
		      struct bucket_sum *out, struct err *e)
{
	(void)e;
	bucket_index_sums(ctx, n, path, depth, out);
	return 0;
}

void bucket_list_free(struct bucket_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].id);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int local_items(void *ctx, unsigned n, const uint32_t *path, unsigned depth,
		       struct bucket_list *out, struct err *e)
{
	(void)e;
	const struct bucket_item **v;
	size_t count;
	bucket_index_items(ctx, n, path, depth, &v, &count);
	for (size_t i = 0; i < count; i++) {
		struct bucket_item it = *v[i];
		it.id = xstrdup(v[i]->id);
		VEC_PUSH(out->items, out->n, out->cap, it);
	}
	free(v);
	return 0;
}

void bucket_side_local(struct bucket_side *s, struct bucket_index *x)
{
	memset(s, 0, sizeof(*s));
	s->ctx = x;
	s->sums = local_sums;
	s->items = local_items;
}

/* ---- comparison ---------------------------------------------------------- */

void bucket_result_free(struct bucket_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].id);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

const char *bucket_diff_kind_name(enum bucket_diff_kind k)
{
	static const char *const names[] = {"missing", "extra", "changed"};
	return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "?";
}

static int item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bucket_item *)a)->id, ((const struct bucket_item *)b)->id);
}

static void diff_push(struct bucket_result *r, enum bucket_diff_kind k, const char *id)
{
	struct bucket_diff d = {k, xstrdup(id)};
	VEC_PUSH(r->v, r->n, r->cap, d);
}

static int fetch_side(struct bucket_side *s, unsigned n, const uint32_t *path, unsigned depth,
		      struct bucket_list *l, struct err *e)
{
	s->requests++;
	if (s->items(s->ctx, n, path, depth, l, e))
		return -1;
	s->items_fetched += l->n;
	if (l->n)
		qsort(l->items, l->n, sizeof(*l->items), item_cmp);
	return 0;
}

static int compare_leaf(struct bucket_side *left, struct bucket_side *right, unsigned n,
			const uint32_t *path, unsigned depth, struct bucket_result *r,
			struct err *e)
{
	struct bucket_list a = {0}, b = {0};
	int rc = -1;
	r->leaves_fetched++;
	if (fetch_side(left, n, path, depth, &a, e) || fetch_side(right, n, path, depth, &b, e))
		goto out;
	size_t i = 0, j = 0;
	while (i < a.n || j < b.n) {
		int c = i == a.n ? 1 : j == b.n ? -1 : strcmp(a.items[i].id, b.items[j].id);
		if (c < 0) {
			diff_push(r, BUCKET_ONLY_LEFT, a.items[i++].id);
		} else if (c > 0) {
			diff_push(r, BUCKET_ONLY_RIGHT, b.items[j++].id);
		} else {
			if (memcmp(a.items[i].hash, b.items[j].hash, CANON_HASH_LEN))
				diff_push(r, BUCKET_CHANGED, a.items[i].id);
			i++, j++;
		}
	}
	rc = 0;
out:
	bucket_list_free(&a);
	bucket_list_free(&b);
	return rc;
}

static int compare_at(struct bucket_side *left, struct bucket_side *right,
		      const struct bucket_opts *o, uint32_t *path, unsigned depth,
		      struct bucket_result *r, struct err *e)
{
	unsigned n = o->fanout;
	struct bucket_sum *sl = xcalloc(n, sizeof(*sl)), *sr = xcalloc(n, sizeof(*sr));
	int rc = -1;
	left->requests++;
	if (left->sums(left->ctx, n, path, depth, sl, e))
		goto out;
	right->requests++;
	if (right->sums(right->ctx, n, path, depth, sr, e))
		goto out;
	if (depth == 0) {
		for (unsigned b = 0; b < n; b++) {
			bucket_sum_merge(&r->left_sum, &sl[b]);
			bucket_sum_merge(&r->right_sum, &sr[b]);
		}
		r->left_count = r->left_sum.count;
		r->right_count = r->right_sum.count;
	}
	for (unsigned b = 0; b < n; b++) {
		r->buckets_compared++;
		if (bucket_sum_equal(&sl[b], &sr[b]))
			continue;
		path[depth] = b;
		uint64_t big = sl[b].count > sr[b].count ? sl[b].count : sr[b].count;
		int leaf = big <= o->leaf || depth + 1 >= o->max_depth || !sl[b].count || !sr[b].count;
		if (leaf ? compare_leaf(left, right, n, path, depth + 1, r, e)
			 : (r->buckets_split++, compare_at(left, right, o, path, depth + 1, r, e)))
			goto out;
	}
	rc = 0;
out:
	free(sl);
	free(sr);
	return rc;
}

static int diff_cmp(const void *a, const void *b)
{
	return strcmp(((const struct bucket_diff *)a)->id, ((const struct bucket_diff *)b)->id);
}

int bucket_compare(struct bucket_side *left, struct bucket_side *right,
		   const struct bucket_opts *o, struct bucket_result *r, struct err *e)
{
	struct bucket_opts opts = {64, 128, 6};
	if (o) {
		if (o->fanout)
			opts.fanout = o->fanout;
		if (o->leaf)
			opts.leaf = o->leaf;
		if (o->max_depth)
			opts.max_depth = o->max_depth;
	}
	if (opts.fanout < 2 || opts.fanout > BUCKET_MAX_FANOUT)
		return err_set(e, "bucket fan-out %u is not within 2..%d", opts.fanout, BUCKET_MAX_FANOUT);
	if (opts.max_depth > BUCKET_MAX_DEPTH)
		opts.max_depth = BUCKET_MAX_DEPTH;
	memset(r, 0, sizeof(*r));
	uint32_t path[BUCKET_MAX_DEPTH];
	if (compare_at(left, right, &opts, path, 0, r, e)) {
		bucket_result_free(r);
		return -1;
	}
	if (r->n)
		qsort(r->v, r->n, sizeof(*r->v), diff_cmp);
	return 0;
}
