/* jsondiff — walks two cJSON trees side by side and lists their leaves with
 * a verdict each. Object keys are matched through a sorted index so a wide
 * object costs n log n, not n squared; nesting is bounded so hostile input
 * cannot exhaust the stack. */
#include "warroom/jsondiff.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	char symbol;
	const char *name;
} kinds[] = {
	[JSONDIFF_SAME] = {' ', "unchanged"},
	[JSONDIFF_CHANGED] = {'~', "changed"},
	[JSONDIFF_ADDED] = {'+', "added"},
	[JSONDIFF_REMOVED] = {'-', "removed"},
};

char jsondiff_symbol(enum jsondiff_kind k)
{
	return (size_t)k < ARRAY_SIZE(kinds) ? kinds[k].symbol : '?';
}

const char *jsondiff_kind_name(enum jsondiff_kind k)
{
	return (size_t)k < ARRAY_SIZE(kinds) ? kinds[k].name : "?";
}

static char *print_value(const cJSON *v)
{
	char *s = cJSON_PrintUnformatted(v);
	if (!s) /* cJSON only fails here when out of memory */
		return xstrdup("?");
	char *own = xstrdup(s);
	cJSON_free(s);
	return own;
}

static void add_entry(struct jsondiff *d, enum jsondiff_kind kind, const char *path,
		      const cJSON *l, const cJSON *r)
{
	struct jsondiff_entry en = {
		.kind = kind,
		.path = xstrdup(path),
		.left = l ? print_value(l) : NULL,
		.right = r ? print_value(r) : NULL,
	};
	VEC_PUSH(d->v, d->n, d->cap, en);
	d->count[kind]++;
}

/* RFC 6901: '~' becomes "~0" and '/' becomes "~1". */
static void path_push(struct strbuf *path, const char *key)
{
	sb_addc(path, '/');
	for (const char *p = key; *p; p++) {
		if (*p == '~')
			sb_adds(path, "~0");
		else if (*p == '/')
			sb_adds(path, "~1");
		else
			sb_addc(path, *p);
	}
}

static int is_container(const cJSON *v)
{
	return cJSON_IsObject(v) || cJSON_IsArray(v);
}

/* A whole subtree present on one side only: every leaf of it is reported. */
static int walk_one(struct jsondiff *d, struct strbuf *path, const cJSON *v,
		    enum jsondiff_kind kind, int depth, struct err *e)
{
	if (depth > JSONDIFF_MAX_DEPTH)
		return err_set(e, "JSON nested deeper than %d levels", JSONDIFF_MAX_DEPTH);
	if (!is_container(v) || !v->child) {
		add_entry(d, kind, sb_str(path), kind == JSONDIFF_REMOVED ? v : NULL,
			  kind == JSONDIFF_ADDED ? v : NULL);
		return 0;
	}
	size_t mark = path->len;
	int i = 0;
	for (const cJSON *c = v->child; c; c = c->next, i++) {
		if (cJSON_IsObject(v)) {
			path_push(path, c->string ? c->string : "");
		} else {
			sb_addf(path, "/%d", i);
		}
		int rc = walk_one(d, path, c, kind, depth + 1, e);
		path->len = mark;
		path->buf[mark] = '\0';
		if (rc < 0)
			return -1;
	}
	return 0;
}

struct keyref {
	const char *key;
	const cJSON *item;
	size_t order;
	int matched;
};

static int keyref_cmp(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int walk(struct jsondiff *d, struct strbuf *path, const cJSON *l, const cJSON *r,
		int depth, struct err *e);

static int walk_objects(struct jsondiff *d, struct strbuf *path, const cJSON *l,
			const cJSON *r, int depth, struct err *e)
{
	size_t nr = 0;
	for (const cJSON *c = r->child; c; c = c->next)
		nr++;
	struct keyref *idx = xcalloc(nr ? nr : 1, sizeof(*idx));
	unsigned char *taken = xcalloc(nr ? nr : 1, 1); /* by the right's order */
	size_t i = 0;
	for (const cJSON *c = r->child; c; c = c->next, i++)
		idx[i] = (struct keyref){c->string ? c->string : "", c, i, 0};
	qsort(idx, nr, sizeof(*idx), keyref_cmp);

	size_t mark = path->len;
	int rc = 0;
	for (const cJSON *c = l->child; c && rc == 0; c = c->next) {
		const char *key = c->string ? c->string : "";
		/* the first right-hand entry with this key that is still unmatched */
		struct keyref probe = {key, NULL, 0, 0};
		size_t lo = 0, hi = nr;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (keyref_cmp(&idx[mid], &probe) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		while (lo < nr && idx[lo].matched && !strcmp(idx[lo].key, key))
			lo++;
		path_push(path, key);
		if (lo < nr && !strcmp(idx[lo].key, key)) {
			idx[lo].matched = 1;
			taken[idx[lo].order] = 1;
			rc = walk(d, path, c, idx[lo].item, depth + 1, e);
		} else {
			rc = walk_one(d, path, c, JSONDIFF_REMOVED, depth + 1, e);
		}
		path->len = mark;
		path->buf[mark] = '\0';
	}
	/* keys only the right has, in the right's own order */
	i = 0;
	for (const cJSON *c = r->child; c && rc == 0; c = c->next, i++) {
		if (taken[i])
			continue;
		path_push(path, c->string ? c->string : "");
		rc = walk_one(d, path, c, JSONDIFF_ADDED, depth + 1, e);
		path->len = mark;
		path->buf[mark] = '\0';
	}
	free(idx);
	free(taken);
	return rc;
}

static int walk_arrays(struct jsondiff *d, struct strbuf *path, const cJSON *l,
		       const cJSON *r, int depth, struct err *e)
{
	const cJSON *a = l->child, *b = r->child;
	size_t mark = path->len;
	int rc = 0;
	for (int i = 0; (a || b) && rc == 0; i++) {
		sb_addf(path, "/%d", i);
		if (a && b)
			rc = walk(d, path, a, b, depth + 1, e);
		else if (a)
			rc = walk_one(d, path, a, JSONDIFF_REMOVED, depth + 1, e);
		else
			rc = walk_one(d, path, b, JSONDIFF_ADDED, depth + 1, e);
		path->len = mark;
		path->buf[mark] = '\0';
		a = a ? a->next : NULL;
		b = b ? b->next : NULL;
	}
	return rc;
}

static int walk(struct jsondiff *d, struct strbuf *path, const cJSON *l, const cJSON *r,
		int depth, struct err *e)
{
	if (depth > JSONDIFF_MAX_DEPTH)
		return err_set(e, "JSON nested deeper than %d levels", JSONDIFF_MAX_DEPTH);
	int both_objects = cJSON_IsObject(l) && cJSON_IsObject(r);
	int both_arrays = cJSON_IsArray(l) && cJSON_IsArray(r);
	if ((both_objects || both_arrays) && (l->child || r->child))
		return both_objects ? walk_objects(d, path, l, r, depth, e)
				    : walk_arrays(d, path, l, r, depth, e);
	enum jsondiff_kind k = cJSON_Compare(l, r, 1) ? JSONDIFF_SAME : JSONDIFF_CHANGED;
	add_entry(d, k, sb_str(path), l, r);
	return 0;
}

int jsondiff_compute(const cJSON *left, const cJSON *right, struct jsondiff *out,
		     struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct strbuf path = {0};
	sb_adds(&path, ""); /* so path.buf is never NULL when truncated */
	int rc;
	if (!left && !right)
		rc = 0;
	else if (!left)
		rc = walk_one(out, &path, right, JSONDIFF_ADDED, 0, e);
	else if (!right)
		rc = walk_one(out, &path, left, JSONDIFF_REMOVED, 0, e);
	else
		rc = walk(out, &path, left, right, 0, e);
	sb_release(&path);
	if (rc < 0)
		jsondiff_free(out);
	return rc;
}

static cJSON *parse_side(const char *text, const char *side, struct err *e)
{
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithOpts(text ? text : "", &end, 1);
	if (!v) {
		size_t off = end && text ? (size_t)(end - text) : 0;
		err_set(e, "%s document is not valid JSON (at byte %zu)", side, off);
	}
	return v;
}

int jsondiff_texts(const char *left, const char *right, struct jsondiff *out,
		   struct err *e)
{
	memset(out, 0, sizeof(*out));
	cJSON *l = parse_side(left, "left", e);
	if (!l)
		return -1;
	cJSON *r = parse_side(right, "right", e);
	if (!r) {
		cJSON_Delete(l);
		return -1;
	}
	int rc = jsondiff_compute(l, r, out, e);
	cJSON_Delete(l);
	cJSON_Delete(r);
	return rc;
}

void jsondiff_free(struct jsondiff *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].path);
		free(d->v[i].left);
		free(d->v[i].right);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

long jsondiff_next_change(const struct jsondiff *d, long from, int dir)
{
	long n = (long)d->n;
	if (n == 0)
		return -1;
	long step = dir >= 0 ? 1 : -1;
	long i = from;
	for (long k = 0; k < n; k++) {
		i = ((i + step) % n + n) % n;
		if (d->v[i].kind != JSONDIFF_SAME)
			return i;
	}
	return -1;
}

void jsondiff_summary(const struct jsondiff *d, struct strbuf *sb)
{
	sb_addf(sb, "%zu changed, %zu added, %zu removed, %zu unchanged",
		d->count[JSONDIFF_CHANGED], d->count[JSONDIFF_ADDED],
		d->count[JSONDIFF_REMOVED], d->count[JSONDIFF_SAME]);
}

void jsondiff_render(const struct jsondiff *d, int verbose, struct strbuf *sb)
{
	size_t folded = 0;
	for (size_t i = 0; i < d->n; i++) {
		const struct jsondiff_entry *en = &d->v[i];
		const char *path = en->path[0] ? en->path : "/";
		if (en->kind == JSONDIFF_SAME && !verbose) {
			folded++;
			continue;
		}
		if (folded) {
			sb_addf(sb, "    # (%zu unchanged fields hidden)\n", folded);
			folded = 0;
		}
		sb_addf(sb, "  %c %s: ", jsondiff_symbol(en->kind), path);
		if (en->kind == JSONDIFF_CHANGED)
			sb_addf(sb, "%s -> %s\n", en->left, en->right);
		else
			sb_addf(sb, "%s\n", en->left ? en->left : en->right);
	}
	if (folded)
		sb_addf(sb, "    # (%zu unchanged fields hidden)\n", folded);
	jsondiff_summary(d, sb);
	sb_addc(sb, '\n');
}
