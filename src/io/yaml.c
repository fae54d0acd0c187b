/* yaml — libyaml's event stream folded into a node tree. libyaml checks the
 * syntax; this file adds what a loader of outside input needs on top: bounds
 * on depth, size and alias expansion (billion laughs), duplicate keys, and
 * messages that say where and what in the user's words. libyaml is most of
 * a big program's load, so a big file is cut in two and parsed on two cores
 * when the halves provably join into the whole file's tree. */
#include "warroom/yaml.h"

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "warroom/treecache.h"
#include "warroom/util.h"

const struct yaml_limits yaml_default_limits = {
	.max_bytes = YAML_MAX_BYTES,
	.max_depth = YAML_MAX_DEPTH,
	.max_nodes = YAML_MAX_NODES,
	.max_expand = YAML_MAX_EXPAND,
	.split_bytes = YAML_SPLIT_BYTES,
	.cache_bytes = YAML_CACHE_BYTES,
};

struct anchor {
	const char *name;
	struct node *node;
};

struct frame {
	struct node *node;
	size_t first; /* index of its first child in the pending stack */
};

struct builder {
	const char *file;
	const char *buf;
	size_t len;
	const struct yaml_limits *lim;
	struct arena *arena;
	struct diags *diags;
	size_t errors;
	struct frame *frames;
	size_t n_frames, cap_frames;
	struct node **pending; /* children of the open collections, in order */
	size_t n_pending, cap_pending;
	struct anchor *anchors; /* open-addressing hash */
	size_t n_anchors, cap_anchors;
	size_t nodes, expanded, documents;
	size_t deepest;  /* most collections open at once */
	int line_offset; /* lines before buf in the file (the second half) */
	struct node *root;
};

static void b_error(struct builder *b, int line, int col, const char *fmt, ...) PRINTF_LIKE(4, 5);
static void b_error(struct builder *b, int line, int col, const char *fmt, ...)
{
	struct strbuf sb = {0};
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	diag_add(b->diags, DIAG_ERROR, b->file, line, col, "%s", sb_str(&sb));
	sb_release(&sb);
	b->errors++;
}

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static struct anchor *anchor_slot(struct builder *b, const char *name)
{
	size_t mask = b->cap_anchors - 1;
	for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask)
		if (!b->anchors[i].name || strcmp(b->anchors[i].name, name) == 0)
			return &b->anchors[i];
}

static void anchor_set(struct builder *b, const char *name, struct node *n)
{
	if ((b->n_anchors + 1) * 2 > b->cap_anchors) {
		struct anchor *old = b->anchors;
		size_t old_cap = b->cap_anchors;
		b->cap_anchors = old_cap ? old_cap * 2 : 64;
		b->anchors = xcalloc(b->cap_anchors, sizeof(*b->anchors));
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].name)
				*anchor_slot(b, old[i].name) = old[i];
		free(old);
	}
	struct anchor *a = anchor_slot(b, name);
	if (!a->name) {
		a->name = arena_strdup(b->arena, name);
		b->n_anchors++;
	}
	a->node = n; /* YAML lets a later anchor of the same name take over */
}

static struct node *anchor_get(struct builder *b, const char *name)
{
	if (!b->cap_anchors)
		return NULL;
	struct anchor *a = anchor_slot(b, name);
	return a->name ? a->node : NULL;
}

static struct node *new_node(struct builder *b, enum node_kind kind, const yaml_mark_t *m)
{
	if (++b->nodes > b->lim->max_nodes) {
		b_error(b, (int)m->line + 1, (int)m->column + 1,
			"document has more than %zu nodes (the limit)", b->lim->max_nodes);
		return NULL;
	}
	struct node *n = arena_alloc(b->arena, sizeof(*n));
	n->kind = kind;
	n->line = (int)m->line + 1 + b->line_offset;
	n->col = (int)m->column + 1;
	return n;
}

/* Attach a finished node to the open collection (or make it the root). */
static void add_child(struct builder *b, struct node *n)
{
	if (b->n_frames == 0) {
		b->root = n;
		return;
	}
	VEC_PUSH(b->pending, b->n_pending, b->cap_pending, n);
}

static size_t sat_add(size_t a, size_t c)
{
	return a + c < a ? SIZE_MAX : a + c;
}

static int key_cmp(const void *pa, const void *pb)
{
	const struct node_pair *a = *(struct node_pair *const *)pa;
	const struct node_pair *c = *(struct node_pair *const *)pb;
	int r = strcmp(a->key->u.str, c->key->u.str);
	if (r)
		return r;
	return a < c ? -1 : a > c;
}

static void report_duplicate(struct builder *b, const struct node *first, const struct node *again)
{
	b_error(b, again->line, again->col, "duplicate key '%s' (first at line %d)", again->u.str,
		first->line);
}

/* Duplicate keys are errors (YAML says so; libyaml leaves it to loaders).
 * Small maps compare pairwise; big ones sort a copy so a hostile file with
 * a million keys costs n log n, not n squared. */
static void check_keys(struct builder *b, struct node *map)
{
	size_t n = map->n;
	struct node_pair *p = map->u.pairs;
	for (size_t i = 0; i < n; i++)
		if (p[i].key->kind != NODE_SCALAR)
			b_error(b, p[i].key->line, p[i].key->col,
				"a key must be a plain string, not %s",
				node_kind_article(p[i].key->kind));
	if (n <= 16) {
		for (size_t i = 1; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (p[i].key->kind == NODE_SCALAR && p[j].key->kind == NODE_SCALAR &&
				    p[i].key->n == p[j].key->n &&
				    memcmp(p[i].key->u.str, p[j].key->u.str, p[i].key->n) == 0) {
					report_duplicate(b, p[j].key, p[i].key);
					break;
				}
		return;
	}
	struct node_pair **sorted = xmalloc(n * sizeof(*sorted));
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i].key->kind == NODE_SCALAR)
			sorted[m++] = &p[i];
	qsort(sorted, m, sizeof(*sorted), key_cmp);
	for (size_t i = 1; i < m; i++)
		if (strcmp(sorted[i]->key->u.str, sorted[i - 1]->key->u.str) == 0) {
			size_t j = i - 1;
			while (j > 0 && strcmp(sorted[j - 1]->key->u.str, sorted[i]->key->u.str) == 0)
				j--;
			report_duplicate(b, sorted[j]->key, sorted[i]->key);
		}
	free(sorted);
}

static int open_collection(struct builder *b, enum node_kind kind, const yaml_char_t *anchor,
			   const yaml_mark_t *m)
{
	if (b->n_frames >= b->lim->max_depth) {
		b_error(b, (int)m->line + 1, (int)m->column + 1,
			"nesting is deeper than %zu levels (the limit)", b->lim->max_depth);
		return -1;
	}
	struct node *n = new_node(b, kind, m);
	if (!n)
		return -1;
	if (anchor)
		anchor_set(b, (const char *)anchor, n); /* weight 0 marks it open */
	struct frame f = {n, b->n_pending};
	VEC_PUSH(b->frames, b->n_frames, b->cap_frames, f);
	if (b->n_frames > b->deepest)
		b->deepest = b->n_frames;
	return 0;
}

static void close_collection(struct builder *b)
{
	struct frame f = b->frames[--b->n_frames];
	struct node *n = f.node;
	size_t count = b->n_pending - f.first;
	/* pending is still NULL when the first collection is empty */
	struct node **kids = count ? b->pending + f.first : NULL;
	size_t weight = 1;
	for (size_t i = 0; i < count; i++)
		weight = sat_add(weight, kids[i]->weight);
	n->weight = weight > UINT32_MAX ? UINT32_MAX : (uint32_t)weight;
	if (n->kind == NODE_SEQ) {
		n->n = (uint32_t)count;
		n->u.items = arena_alloc(b->arena, count * sizeof(*n->u.items));
		if (count)
			memcpy(n->u.items, kids, count * sizeof(*kids));
	} else {
		n->n = (uint32_t)(count / 2);
		n->u.pairs = arena_alloc(b->arena, n->n * sizeof(*n->u.pairs));
		for (size_t i = 0; i < n->n; i++) {
			n->u.pairs[i].key = kids[2 * i];
			n->u.pairs[i].value = kids[2 * i + 1];
		}
		check_keys(b, n);
	}
	b->n_pending = f.first;
	add_child(b, n);
}

static int on_scalar(struct builder *b, const yaml_event_t *ev)
{
	struct node *n = new_node(b, NODE_SCALAR, &ev->start_mark);
	if (!n)
		return -1;
	n->n = (uint32_t)ev->data.scalar.length; /* the file is under 4 GiB */
	n->u.str = arena_strndup(b->arena, (const char *)ev->data.scalar.value, n->n);
	n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
		    (ev->data.scalar.tag && strcmp((const char *)ev->data.scalar.tag,
						   YAML_STR_TAG) == 0);
	n->weight = 1;
	if (ev->data.scalar.anchor)
		anchor_set(b, (const char *)ev->data.scalar.anchor, n);
	add_child(b, n);
	return 0;
}

static int on_alias(struct builder *b, const yaml_event_t *ev)
{
	const char *name = (const char *)ev->data.alias.anchor;
	int line = (int)ev->start_mark.line + 1 + b->line_offset;
	int col = (int)ev->start_mark.column + 1;
	struct node *target = anchor_get(b, name);
	if (!target) {
		b_error(b, line, col, "alias *%s names no anchor defined before it", name);
		return -1;
	}
	if (target->weight == 0) {
		b_error(b, line, col, "alias *%s refers to a node that contains it", name);
		return -1;
	}
	b->expanded = sat_add(b->expanded, target->weight);
	if (b->expanded > b->lim->max_expand) {
		b_error(b, line, col, "aliases expand to more than %zu nodes (the limit)",
			b->lim->max_expand);
		return -1;
	}
	/* A shallow copy: shares the anchor's children, keeps its own place. */
	struct node *n = arena_alloc(b->arena, sizeof(*n));
	*n = *target;
	n->line = line;
	n->col = col;
	n->alias = true;
	add_child(b, n);
	return 0;
}

/* libyaml's reader reports a byte offset; the scanner and parser a mark. */
static void offset_to_mark(const char *buf, size_t len, size_t off, int *line, int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (buf[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)buf[i] & 0xC0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* The byte at a (0-based, character-counted) line/column mark, or -1. */
static int char_at_mark(const char *buf, size_t len, size_t line, size_t col)
{
	size_t i = 0;
	for (size_t l = 0; l < line && i < len; i++)
		if (buf[i] == '\n')
			l++;
	for (size_t c = 0; c < col && i < len; c++) {
		i++;
		while (i < len && ((unsigned char)buf[i] & 0xC0) == 0x80)
			i++;
	}
	return i < len ? (unsigned char)buf[i] : -1;
}

static void report_parser_error(struct builder *b, const yaml_parser_t *p)
{
	int line, col;
	const char *problem = p->problem ? p->problem : "malformed YAML";
	if (p->error == YAML_READER_ERROR) {
		size_t off = p->problem_offset;
		if (strstr(problem, "trailing") && off > 0 && off <= b->len) {
			/* libyaml names the byte that fails to continue a sequence;
			 * the user's mistake is the byte that started it. */
			size_t lead = off - 1;
			while (lead > 0 && ((unsigned char)b->buf[lead] & 0xC0) == 0x80)
				lead--;
			offset_to_mark(b->buf, b->len, lead, &line, &col);
			b_error(b, line, col,
				"not valid UTF-8 (byte 0x%02x starts a sequence that is cut short)",
				(unsigned char)b->buf[lead]);
			return;
		}
		offset_to_mark(b->buf, b->len, off, &line, &col);
		if (p->problem_value >= 0 && strstr(problem, "UTF-8"))
			b_error(b, line, col, "not valid UTF-8 (byte 0x%02x): %s",
				(unsigned)p->problem_value & 0xFF, problem);
		else if (p->problem_value >= 0)
			b_error(b, line, col, "%s (0x%02x)", problem, (unsigned)p->problem_value);
		else
			b_error(b, line, col, "%s", problem);
		return;
	}
	if (p->error == YAML_MEMORY_ERROR) {
		b_error(b, 0, 0, "out of memory while parsing");
		return;
	}
	line = (int)p->problem_mark.line + 1;
	col = (int)p->problem_mark.column + 1;
	int ch = char_at_mark(b->buf, b->len, p->problem_mark.line, p->problem_mark.column);
	if (ch == '\t') {
		b_error(b, line, col, "tab character where YAML needs spaces (indent with spaces)");
		return;
	}
	if (p->context)
		b_error(b, line, col, "%s %s (line %d)", problem, p->context,
			(int)p->context_mark.line + 1);
	else
		b_error(b, line, col, "%s", problem);
}

static void builder_release(struct builder *b)
{
	free(b->frames);
	free(b->pending);
	free(b->anchors);
}

/* libyaml's events over buf into b (its arena set); 0, or -1 when it failed
 * or found errors (reported to b->diags). */
static int run_parser(struct builder *b)
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		b_error(b, 0, 0, "cannot start the YAML parser");
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)b->buf, b->len);
	yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
	int done = 0, failed = 0;
	while (!done && !failed) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			report_parser_error(b, &parser);
			failed = 1;
			break;
		}
		switch (ev.type) {
		case YAML_SCALAR_EVENT:
			failed = on_scalar(b, &ev) < 0;
			break;
		case YAML_SEQUENCE_START_EVENT:
			failed = open_collection(b, NODE_SEQ, ev.data.sequence_start.anchor,
						 &ev.start_mark) < 0;
			break;
		case YAML_MAPPING_START_EVENT:
			failed = open_collection(b, NODE_MAP, ev.data.mapping_start.anchor,
						 &ev.start_mark) < 0;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			close_collection(b);
			break;
		case YAML_ALIAS_EVENT:
			failed = on_alias(b, &ev) < 0;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++b->documents > 1) {
				b_error(b, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
					"a second YAML document; this file holds one");
				failed = 1;
			}
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	builder_release(b);
	return failed || b->errors ? -1 : 0;
}

/* ---- a big file in two halves ---------------------------------------------------- */

/* Where the second half starts: a line "- ..." at indentation `indent` that
 * no later content line is indented less than, so the half is one block
 * list at that indentation; the first such line after the middle. */
struct cut {
	size_t at;
	int indent;
	int lines; /* line breaks before `at` */
};

/* libyaml also breaks lines at \r, NEL, LS and PS; a first half holding one
 * would shift the second half's line numbers, so such files are not cut. */
static int only_newlines(const char *buf, size_t len)
{
	if (memchr(buf, '\r', len))
		return 0;
	const unsigned char *u = (const unsigned char *)buf;
	for (size_t i = 0; i + 1 < len; i++)
		if ((u[i] == 0xC2 && u[i + 1] == 0x85) ||
		    (u[i] == 0xE2 && i + 2 < len && u[i + 1] == 0x80 &&
		     (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)))
			return 0;
	return 1;
}

static int find_cut(const char *buf, size_t len, struct cut *c)
{
	const char *mid = memchr(buf + len / 2, '\n', len - len / 2);
	if (!mid)
		return 0;
	size_t start = (size_t)(mid - buf) + 1, e = len, best = 0, prev = 0;
	int min = INT_MAX, best_indent = -1, prev_indent = -1, just_found = 0;
	if (e > start && buf[e - 1] == '\n')
		e--;
	/* from the end back to the middle: the least indentation seen so far
	 * is the least of every content line after the one at hand */
	while (e > start) {
		const char *nl = memrchr(buf + start, '\n', e - start);
		size_t ls = nl ? (size_t)(nl - buf) + 1 : start;
		size_t i = ls;
		while (i < e && buf[i] == ' ')
			i++;
		if (i < e && buf[i] != '#') {
			int ind = (int)(i - ls);
			if (just_found && ind < best_indent) {
				/* the list's first item: the first half would not hold the list */
				best = prev;
				best_indent = prev_indent;
			}
			just_found = 0;
			if (ind <= min && buf[i] == '-' && (i + 1 == e || buf[i + 1] == ' ')) {
				prev = best;
				prev_indent = best_indent;
				best = ls;
				best_indent = ind;
				just_found = 1;
			}
			if (ind < min)
				min = ind;
		}
		if (!nl)
			break;
		e = ls - 1;
	}
	if (best_indent < 0 || !only_newlines(buf, best))
		return 0;
	int lines = 0;
	for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + best - p))); p++)
		lines++;
	*c = (struct cut){best, best_indent, lines};
	return 1;
}

struct half {
	struct builder b;
	struct diags d; /* thrown away: a failed half means a whole parse */
	int rc;
};

static void *parse_half(void *arg)
{
	struct half *h = arg;
	h->rc = run_parser(&h->b);
	return NULL;
}

static void half_init(struct half *h, const struct builder *whole, const char *buf, size_t len)
{
	memset(h, 0, sizeof(*h));
	h->b = (struct builder){.file = whole->file, .buf = buf, .len = len, .lim = whole->lim,
				.diags = &h->d, .arena = arena_new()};
}

/* The list the second half continues: the deepest list at `col` on the
 * first half's rightmost path (the collections still open where it was
 * cut). Aliases end the path: the whole file could not extend one. */
static struct node *open_list_at(struct node *n, int col, struct node **path, size_t *depth,
				 size_t max)
{
	struct node *found = NULL;
	size_t k = 0;
	while (n && !n->alias && n->kind != NODE_SCALAR && k < max) {
		path[k++] = n;
		if (n->kind == NODE_SEQ && n->col == col) {
			found = n;
			*depth = k;
		}
		if (!n->n)
			break;
		n = n->kind == NODE_SEQ ? n->u.items[n->n - 1] : n->u.pairs[n->n - 1].value;
	}
	return found;
}

/* Joins the halves as the whole file's parse would have built them; 0, or
 * -1 when the whole file must be parsed to know (a limit crossed together,
 * or the halves not fitting). */
static int join_halves(struct half *h1, struct half *h2, const struct cut *c,
		       const struct yaml_limits *lim, struct arena *into)
{
	struct node *tail = h2->b.root;
	if (!h1->b.root || !tail || tail->kind != NODE_SEQ || tail->alias ||
	    tail->col != c->indent + 1)
		return -1;
	struct node *path[YAML_MAX_DEPTH + 1];
	size_t max = lim->max_depth < YAML_MAX_DEPTH ? lim->max_depth : YAML_MAX_DEPTH;
	size_t depth = 0;
	struct node *list = open_list_at(h1->b.root, c->indent + 1, path, &depth, max);
	if (!list || depth - 1 + h2->b.deepest > lim->max_depth ||
	    h1->b.nodes + h2->b.nodes - 1 > lim->max_nodes ||
	    sat_add(h1->b.expanded, h2->b.expanded) > lim->max_expand)
		return -1;
	struct node **items = arena_alloc(into, ((size_t)list->n + tail->n) * sizeof(*items));
	if (list->n)
		memcpy(items, list->u.items, list->n * sizeof(*items));
	memcpy(items + list->n, tail->u.items, tail->n * sizeof(*items));
	list->u.items = items;
	list->n += tail->n;
	for (size_t i = 0; i < depth; i++) {
		size_t w = sat_add(path[i]->weight, tail->weight - 1);
		path[i]->weight = w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
	}
	return 0;
}

static int parse_in_halves(struct builder *whole, struct arena *given, struct node_doc *doc)
{
	struct cut c;
	if (!whole->lim->split_bytes || whole->len < whole->lim->split_bytes ||
	    sysconf(_SC_NPROCESSORS_ONLN) < 2 || !find_cut(whole->buf, whole->len, &c))
		return -1;
	struct half *h = xcalloc(2, sizeof(*h));
	half_init(&h[0], whole, whole->buf, c.at);
	half_init(&h[1], whole, whole->buf + c.at, whole->len - c.at);
	h[1].b.line_offset = c.lines;
	pthread_t tid;
	int rc = -1;
	struct arena *into = given ? given : h[0].b.arena;
	if (pthread_create(&tid, NULL, parse_half, &h[1]) == 0) {
		parse_half(&h[0]);
		pthread_join(tid, NULL);
		if (h[0].rc == 0 && h[1].rc == 0)
			rc = join_halves(&h[0], &h[1], &c, whole->lim, into);
	}
	if (rc == 0) {
		if (given)
			arena_adopt(given, h[0].b.arena);
		arena_adopt(into, h[1].b.arena);
		doc->root = h[0].b.root;
		doc->arena = into;
		doc->file = arena_strdup(into, whole->file);
		doc->parts = 2;
	} else {
		arena_free(h[0].b.arena);
		arena_free(h[1].b.arena);
	}
	diags_free(&h[0].d);
	diags_free(&h[1].d);
	free(h);
	return rc;
}

int yaml_doc_parse(const char *file, const char *buf, size_t len,
		   const struct yaml_limits *limits, struct node_doc *doc, struct diags *d)
{
	struct arena *given = doc->arena;
	*doc = (struct node_doc){.arena = given};
	struct builder b = {
		.file = file,
		.buf = buf,
		.len = len,
		.lim = limits ? limits : &yaml_default_limits,
		.diags = d,
	};
	if (len > b.lim->max_bytes || len > UINT32_MAX) {
		b_error(&b, 0, 0, "file is %zu bytes, over the limit of %zu", len, b.lim->max_bytes);
		return -1;
	}
	struct treecache_key key;
	bool cache = b.lim->cache_bytes && len >= b.lim->cache_bytes;
	if (cache) {
		treecache_key(buf, len, b.lim, &key);
		struct arena *a = arena_new();
		struct node *root;
		if (treecache_get(&key, b.lim, a, &root)) {
			if (given)
				arena_adopt(given, a);
			else
				given = a;
			doc->root = root;
			doc->arena = given;
			doc->file = arena_strdup(given, file);
			doc->parts = 0;
			return 0;
		}
		arena_free(a);
	}
	size_t said = d ? d->errors + d->warnings : 0;
	if (parse_in_halves(&b, given, doc) < 0) {
		b.arena = given ? given : arena_new();
		if (run_parser(&b) < 0) {
			if (!given)
				arena_free(b.arena);
			return -1;
		}
		doc->root = b.root;
		doc->arena = b.arena;
		doc->file = arena_strdup(b.arena, file);
		doc->parts = 1;
	}
	if (cache && (!d || d->errors + d->warnings == said))
		treecache_put(&key, doc->root);
	return 0;
}

char *yaml_read_file(const char *path, size_t max_bytes, size_t *len, struct diags *d)
{
	struct err e;
	char *buf = util_read_file(path, max_bytes, len, &e);
	if (!buf) {
		/* util_read_file names the path; the diagnostic already does. */
		const char *msg = e.msg;
		size_t pl = strlen(path);
		if (strncmp(msg, path, pl) == 0 && msg[pl] == ':' && msg[pl + 1] == ' ')
			msg += pl + 2;
		diag_add(d, DIAG_ERROR, path, 0, 0, "%s", msg);
	}
	return buf;
}

int yaml_doc_parse_file(const char *path, const struct yaml_limits *limits,
			struct node_doc *doc, struct diags *d)
{
	const struct yaml_limits *lim = limits ? limits : &yaml_default_limits;
	size_t len;
	doc->root = NULL;
	char *buf = yaml_read_file(path, lim->max_bytes, &len, d);
	if (!buf)
		return -1;
	int rc = yaml_doc_parse(path, buf, len, lim, doc, d);
	free(buf);
	return rc;
}
