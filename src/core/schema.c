/* schema — the one generic loader: walks a node tree against a table of
 * fields, writes typed values into C structs and reports every problem with
 * its line:col instead of stopping at the first. Definitions and references
 * are collected on the way so cross-file checks run once everything is read. */
#include "warroom/schema.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/units.h"
#include "warroom/util.h"

#define MAX_FIELDS 64

static void report(struct schema_ctx *ctx, enum diag_severity sev, const struct node *n,
		   const char *fmt, va_list ap)
{
	struct strbuf sb = {0};
	sb_vaddf(&sb, fmt, ap);
	diag_add(ctx->diags, sev, ctx->file, n ? n->line : 0, n ? n->col : 0, "%s", sb_str(&sb));
	sb_release(&sb);
}

void schema_error(struct schema_ctx *ctx, const struct node *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(ctx, DIAG_ERROR, n, fmt, ap);
	va_end(ap);
}

void schema_warning(struct schema_ctx *ctx, const struct node *n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(ctx, DIAG_WARNING, n, fmt, ap);
	va_end(ap);
}

void schema_ctx_init(struct schema_ctx *ctx, struct diags *d, struct arena *a)
{
	*ctx = (struct schema_ctx){.diags = d, .arena = a, .file = "<input>"};
}

void schema_ctx_release(struct schema_ctx *ctx)
{
	free(ctx->defs);
	free(ctx->refs);
	free(ctx->slots);
	ctx->defs = ctx->refs = NULL;
	ctx->slots = NULL;
	ctx->n_defs = ctx->n_refs = ctx->cap_defs = ctx->cap_refs = ctx->n_slots = 0;
}

/* ---- definitions and references ---------------------------------------------------- */

static size_t sym_hash(int kind, const char *s)
{
	size_t h = 1469598103934665603u ^ (size_t)kind;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot holding (kind, name), or the empty slot where it would go. */
static size_t *def_slot(const struct schema_ctx *ctx, int kind, const char *name)
{
	size_t mask = ctx->n_slots - 1;
	for (size_t i = sym_hash(kind, name) & mask;; i = (i + 1) & mask) {
		size_t s = ctx->slots[i];
		if (!s)
			return &ctx->slots[i];
		const struct schema_sym *d = &ctx->defs[s - 1];
		if (d->kind == kind && strcmp(d->name, name) == 0)
			return &ctx->slots[i];
	}
}

static void rehash(struct schema_ctx *ctx)
{
	free(ctx->slots);
	ctx->n_slots = ctx->n_slots ? ctx->n_slots * 2 : 256;
	ctx->slots = xcalloc(ctx->n_slots, sizeof(*ctx->slots));
	for (size_t i = 0; i < ctx->n_defs; i++)
		*def_slot(ctx, ctx->defs[i].kind, ctx->defs[i].name) = i + 1;
}

void schema_define(struct schema_ctx *ctx, int kind, const char *what, const char *name,
		   const struct node *n)
{
	if ((ctx->n_defs + 1) * 2 > ctx->n_slots)
		rehash(ctx);
	size_t *slot = def_slot(ctx, kind, name);
	if (*slot) {
		const struct schema_sym *first = &ctx->defs[*slot - 1];
		if (strcmp(first->file, ctx->file) == 0)
			schema_error(ctx, n, "duplicate %s '%s' (first at line %d)", what, name,
				     first->line);
		else
			schema_error(ctx, n, "duplicate %s '%s' (first at %s:%d)", what, name,
				     first->file, first->line);
		return;
	}
	struct schema_sym s = {kind, name, ctx->file, n ? n->line : 0, n ? n->col : 0};
	VEC_PUSH(ctx->defs, ctx->n_defs, ctx->cap_defs, s);
	*slot = ctx->n_defs;
}

void schema_refer(struct schema_ctx *ctx, int kind, const char *name, const struct node *n)
{
	struct schema_sym s = {kind, name, ctx->file, n ? n->line : 0, n ? n->col : 0};
	VEC_PUSH(ctx->refs, ctx->n_refs, ctx->cap_refs, s);
}

bool schema_defined(const struct schema_ctx *ctx, int kind, const char *name)
{
	return ctx->n_slots && *def_slot(ctx, kind, name) != 0;
}

size_t schema_count_defs(const struct schema_ctx *ctx, int kind)
{
	size_t c = 0;
	for (size_t i = 0; i < ctx->n_defs; i++)
		c += ctx->defs[i].kind == kind;
	return c;
}

const char *schema_suggest(const char *word, const char *const *known, size_t n)
{
	size_t len = strlen(word);
	size_t cap = len / 3 < 1 ? 1 : len / 3 > 3 ? 3 : len / 3;
	const char *best = NULL;
	size_t best_d = cap + 1;
	for (size_t i = 0; i < n; i++) {
		size_t d = util_edit_distance(word, known[i], cap);
		if (d < best_d) {
			best_d = d;
			best = known[i];
		}
	}
	return best;
}

/* Suggestions compare against every definition; past this many the search
 * costs more than the hint is worth. */
#define SUGGEST_MAX_DEFS 20000

void schema_check_refs(struct schema_ctx *ctx, int ref_kind, unsigned def_mask,
		       const char *what)
{
	const char **names = NULL;
	size_t n_names = 0, cap_names = 0;
	bool gathered = false;
	for (size_t i = 0; i < ctx->n_refs; i++) {
		const struct schema_sym *r = &ctx->refs[i];
		if (r->kind != ref_kind)
			continue;
		bool found = false;
		for (int k = 0; k < 32 && !found; k++)
			if ((def_mask >> k) & 1u)
				found = schema_defined(ctx, k, r->name);
		if (found)
			continue;
		if (!gathered && ctx->n_defs <= SUGGEST_MAX_DEFS) {
			for (size_t j = 0; j < ctx->n_defs; j++)
				if ((def_mask >> ctx->defs[j].kind) & 1u)
					VEC_PUSH(names, n_names, cap_names, ctx->defs[j].name);
			gathered = true;
		}
		/* Past the kept diagnostics the message is only counted: no hint. */
		const char *hint = ctx->diags->n < DIAGS_MAX
					   ? schema_suggest(r->name, names, n_names)
					   : NULL;
		if (hint)
			diag_add(ctx->diags, DIAG_ERROR, r->file, r->line, r->col,
				 "unknown %s '%s' (did you mean '%s'?)", what, r->name, hint);
		else
			diag_add(ctx->diags, DIAG_ERROR, r->file, r->line, r->col,
				 "unknown %s '%s'", what, r->name);
	}
	free(names);
}

/* ---- scalar grammars ---------------------------------------------------------------- */

static int parse_int(const char *s, int64_t *out)
{
	if (!*s || isspace((unsigned char)*s))
		return -1;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static const struct {
	const char *word;
	int value;
} bool_words[] = {
	{"true", 1}, {"True", 1}, {"TRUE", 1}, {"yes", 1}, {"Yes", 1}, {"on", 1},
	{"false", 0}, {"False", 0}, {"FALSE", 0}, {"no", 0}, {"No", 0}, {"off", 0},
};

static int parse_bool(const char *s, int *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(bool_words); i++)
		if (strcmp(s, bool_words[i].word) == 0) {
			*out = bool_words[i].value;
			return 0;
		}
	return -1;
}

static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

/* ISO 8601 as plans write it: a date, or a date and time (T or space),
 * seconds and fraction optional, Z or an offset optional. */
static int parse_datetime(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h, mi, se;
	if (strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
		return -1;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	const char *p = s + 10;
	if (!*p)
		return 0;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi) || h > 23 || mi > 59)
		return -1;
	p += 5;
	if (*p == ':') {
		if (digits(p + 1, 2, &se) || se > 60)
			return -1;
		p += 3;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p))
				p++;
		}
	}
	if (*p == 'Z' || *p == 'z')
		return p[1] ? -1 : 0;
	if (*p == '+' || *p == '-') {
		int oh, om;
		if (digits(p + 1, 2, &oh) || oh > 23)
			return -1;
		p += 3;
		if (*p == ':')
			p++;
		if (digits(p, 2, &om) || om > 59)
			return -1;
		return p[2] ? -1 : 0;
	}
	return *p ? -1 : 0;
}

/* ---- the walk ---------------------------------------------------------------------- */

static const char *const type_words[] = {
	[SCHEMA_STR] = "a string",
	[SCHEMA_INT] = "an integer",
	[SCHEMA_BOOL] = "true or false",
	[SCHEMA_NUM] = "a number",
	[SCHEMA_ENUM] = "one of its values",
	[SCHEMA_DATETIME] = "an ISO 8601 date or time",
	[SCHEMA_DURATION] = "a duration",
	[SCHEMA_PERCENT] = "a percentage",
	[SCHEMA_STR_LIST] = "a list of strings",
	[SCHEMA_INT_LIST] = "a list of integers",
	[SCHEMA_OBJ] = "a mapping",
	[SCHEMA_LIST] = "a list",
	[SCHEMA_MAP_STR] = "a mapping of strings",
	[SCHEMA_CUSTOM] = "a value",
};

static void load_obj(struct schema_ctx *ctx, const struct schema_obj *o, const struct node *n,
		     void *out);

static bool visit(struct schema_ctx *ctx, const struct node *n)
{
	if (++ctx->visited <= SCHEMA_MAX_VISITS)
		return true;
	if (ctx->visited == SCHEMA_MAX_VISITS + 1)
		schema_error(ctx, n, "document too large to check (more than %d nodes)",
			     SCHEMA_MAX_VISITS);
	return false;
}

static bool want_kind(struct schema_ctx *ctx, const struct schema_field *f, const struct node *n,
		      enum node_kind kind)
{
	if (n->kind == kind)
		return true;
	schema_error(ctx, n, "'%s' must be %s, not %s", f->key, type_words[f->type],
		     node_kind_article(n->kind));
	return false;
}

static void *at(void *obj, size_t off)
{
	return (char *)obj + off;
}

static void enum_error(struct schema_ctx *ctx, const struct schema_field *f, const struct node *n)
{
	struct strbuf sb = {0};
	for (size_t i = 1; i < f->n_enums; i++) {
		if (i > 1)
			sb_adds(&sb, ", ");
		sb_adds(&sb, f->enums[i]);
	}
	const char *hint = schema_suggest(n->u.str, f->enums + 1, f->n_enums - 1);
	if (hint)
		schema_error(ctx, n, "'%s' is not a valid %s (did you mean '%s'? one of: %s)",
			     n->u.str, f->key, hint, sb_str(&sb));
	else
		schema_error(ctx, n, "'%s' is not a valid %s (one of: %s)", n->u.str, f->key,
			     sb_str(&sb));
	sb_release(&sb);
}

/* A string value: stored, then checked by the field, the context, and as a
 * definition or reference. Strings point into the document's arena. */
static char *take_string(struct schema_ctx *ctx, const struct schema_field *f, const struct node *n)
{
	char *s = (char *)n->u.str;
	if (f->check)
		f->check(ctx, n, s);
	if (ctx->on_string)
		ctx->on_string(ctx, n, s);
	if (f->ref) {
		if (f->flags & SCHEMA_ID)
			schema_define(ctx, f->ref, f->key, s, n);
		else
			schema_refer(ctx, f->ref, s, n);
	}
	return s;
}

static void load_scalar(struct schema_ctx *ctx, const struct schema_field *f, const struct node *n,
			void *p)
{
	const char *s = n->u.str;
	switch (f->type) {
	case SCHEMA_STR:
		*(char **)p = take_string(ctx, f, n);
		break;
	case SCHEMA_INT:
		if (parse_int(s, p) < 0)
			schema_error(ctx, n, "'%s' must be an integer, not '%s'", f->key, s);
		break;
	case SCHEMA_BOOL:
		if (parse_bool(s, p) < 0)
			schema_error(ctx, n, "'%s' must be true or false, not '%s'", f->key, s);
		break;
	case SCHEMA_NUM:
		if (units_parse_number(s, p) < 0)
			schema_error(ctx, n, "'%s' must be a number, not '%s'", f->key, s);
		break;
	case SCHEMA_ENUM: {
		size_t i;
		for (i = 1; i < f->n_enums; i++)
			if (strcmp(s, f->enums[i]) == 0)
				break;
		if (i < f->n_enums)
			*(int *)p = (int)i;
		else
			enum_error(ctx, f, n);
		break;
	}
	case SCHEMA_DATETIME:
		if (parse_datetime(s) < 0)
			schema_error(ctx, n,
				     "'%s' must be an ISO 8601 date or time (2026-11-23 or "
				     "2026-11-23T10:00:00Z), not '%s'",
				     f->key, s);
		else
			*(char **)p = take_string(ctx, f, n);
		break;
	case SCHEMA_DURATION:
		if (units_parse_duration_ms(s, p) < 0)
			schema_error(ctx, n,
				     "'%s' must be a duration (500ms, 30s, 5m, 2h), not '%s'",
				     f->key, s);
		break;
	case SCHEMA_PERCENT:
		if (units_parse_percent(s, 0, p) < 0)
			schema_error(ctx, n, "'%s' must be a percentage such as \"0.5%%\", not '%s'",
				     f->key, s);
		break;
	default:
		break;
	}
}

static void load_list(struct schema_ctx *ctx, const struct schema_field *f, const struct node *n,
		      void *obj)
{
	size_t count = n->n;
	*(size_t *)at(obj, f->count_offset) = count;
	if (f->type == SCHEMA_STR_LIST) {
		char **v = arena_alloc(ctx->arena, count * sizeof(*v));
		for (size_t i = 0; i < count; i++) {
			const struct node *it = n->u.items[i];
			if (!visit(ctx, it))
				return;
			if (it->kind != NODE_SCALAR)
				schema_error(ctx, it, "items of '%s' must be strings, not %s", f->key,
					     node_kind_article(it->kind));
			else
				v[i] = take_string(ctx, f, it);
		}
		*(char ***)at(obj, f->offset) = v;
	} else if (f->type == SCHEMA_INT_LIST) {
		int64_t *v = arena_alloc(ctx->arena, count * sizeof(*v));
		for (size_t i = 0; i < count; i++) {
			const struct node *it = n->u.items[i];
			if (!visit(ctx, it))
				return;
			if (it->kind != NODE_SCALAR || parse_int(it->u.str, &v[i]) < 0)
				schema_error(ctx, it, "items of '%s' must be integers", f->key);
		}
		*(int64_t **)at(obj, f->offset) = v;
	} else {
		char *v = arena_alloc(ctx->arena, count * f->child->size);
		for (size_t i = 0; i < count; i++)
			load_obj(ctx, f->child, n->u.items[i], v + i * f->child->size);
		*(void **)at(obj, f->offset) = v;
	}
}

static void load_map_str(struct schema_ctx *ctx, const struct schema_field *f,
			 const struct node *n, void *obj)
{
	struct schema_kv *v = arena_alloc(ctx->arena, n->n * sizeof(*v));
	for (size_t i = 0; i < n->n; i++) {
		const struct node *k = n->u.pairs[i].key, *val = n->u.pairs[i].value;
		v[i].pos = (struct schema_pos){k->line, k->col};
		v[i].key = (char *)k->u.str;
		if (val->kind != NODE_SCALAR)
			schema_error(ctx, val, "values of '%s' must be strings, not %s", f->key,
				     node_kind_article(val->kind));
		else
			v[i].value = take_string(ctx, f, val);
	}
	*(struct schema_kv **)at(obj, f->offset) = v;
	*(size_t *)at(obj, f->count_offset) = n->n;
}

static void load_field(struct schema_ctx *ctx, const struct schema_field *f, const struct node *n,
		       void *obj)
{
	void *p = at(obj, f->offset);
	switch (f->type) {
	case SCHEMA_STR_LIST:
	case SCHEMA_INT_LIST:
	case SCHEMA_LIST:
		if (want_kind(ctx, f, n, NODE_SEQ))
			load_list(ctx, f, n, obj);
		break;
	case SCHEMA_MAP_STR:
		if (want_kind(ctx, f, n, NODE_MAP))
			load_map_str(ctx, f, n, obj);
		break;
	case SCHEMA_OBJ:
		if (!want_kind(ctx, f, n, NODE_MAP))
			break;
		if (!(f->flags & SCHEMA_INLINE)) {
			void *child = arena_alloc(ctx->arena, f->child->size);
			*(void **)p = child;
			p = child;
		}
		load_obj(ctx, f->child, n, p);
		break;
	case SCHEMA_CUSTOM:
		f->parse(ctx, n, p);
		break;
	default:
		if (want_kind(ctx, f, n, NODE_SCALAR))
			load_scalar(ctx, f, n, p);
		break;
	}
}

static void set_defaults(const struct schema_obj *o, void *out)
{
	for (size_t i = 0; i < o->n_fields; i++) {
		const struct schema_field *f = &o->fields[i];
		void *p = at(out, f->offset);
		switch (f->type) {
		case SCHEMA_INT:
		case SCHEMA_DURATION:
			*(int64_t *)p = f->def;
			break;
		case SCHEMA_BOOL:
			*(int *)p = (int)f->def;
			break;
		case SCHEMA_NUM:
		case SCHEMA_PERCENT:
			*(double *)p = f->def_num;
			break;
		default:
			break;
		}
	}
}

static void unknown_key(struct schema_ctx *ctx, const struct schema_obj *o, const struct node *k)
{
	const char *known[MAX_FIELDS];
	size_t n = o->n_fields < MAX_FIELDS ? o->n_fields : MAX_FIELDS;
	for (size_t i = 0; i < n; i++)
		known[i] = o->fields[i].key;
	const char *hint = schema_suggest(k->u.str, known, n);
	if (hint)
		schema_warning(ctx, k, "unknown key '%s' in %s (did you mean '%s'?)", k->u.str,
			       o->name, hint);
	else
		schema_warning(ctx, k, "unknown key '%s' in %s", k->u.str, o->name);
}

static void load_obj(struct schema_ctx *ctx, const struct schema_obj *o, const struct node *n,
		     void *out)
{
	if (!visit(ctx, n))
		return;
	struct schema_pos *pos = out;
	pos->line = n->line;
	pos->col = n->col;
	set_defaults(o, out);
	if (n->kind != NODE_MAP) {
		schema_error(ctx, n, "%s must be a mapping, not %s", o->name,
			     node_kind_article(n->kind));
		return;
	}
	bool seen[MAX_FIELDS] = {false};
	for (size_t i = 0; i < n->n; i++) {
		const struct node *k = n->u.pairs[i].key, *v = n->u.pairs[i].value;
		if (!visit(ctx, v))
			return;
		if (k->kind != NODE_SCALAR)
			continue; /* the parser reported it */
		size_t j;
		for (j = 0; j < o->n_fields; j++) /* first byte first: most keys differ there */
			if (o->fields[j].key[0] == k->u.str[0] && strcmp(o->fields[j].key, k->u.str) == 0)
				break;
		if (j == o->n_fields) {
			unknown_key(ctx, o, k);
			continue;
		}
		if (node_is_null(v))
			continue; /* `key:` with no value is the key left out */
		if (j < MAX_FIELDS)
			seen[j] = true;
		load_field(ctx, &o->fields[j], v, out);
	}
	for (size_t j = 0; j < o->n_fields && j < MAX_FIELDS; j++)
		if (!seen[j] && (o->fields[j].flags & (SCHEMA_REQUIRED | SCHEMA_ID)))
			schema_error(ctx, n, "%s is missing '%s'", o->name, o->fields[j].key);
	if (o->finish)
		o->finish(ctx, n, out);
}

size_t schema_load(struct schema_ctx *ctx, const char *file, const struct schema_obj *obj,
		   const struct node *n, void *out)
{
	size_t before = ctx->diags->errors;
	ctx->file = file;
	load_obj(ctx, obj, n, out);
	return ctx->diags->errors - before;
}
