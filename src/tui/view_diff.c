/* view_diff — two JSON documents compared field by field (jsondiff), drawn
 * side by side or in one column on narrow terminals, with Terraform's
 * markers (~ + -) as well as colour, unchanged fields folded into a count,
 * long values wrapped, and n/N to jump between differences. Fed from two
 * files, or by `:diff snapshot|source TYPE ID` from the store and the
 * target API for the selected account. */
#include <stdlib.h>
#include <string.h>

#include "warroom/drift.h"
#include "warroom/jsondiff.h"
#include "warroom/plan.h"
#include "warroom/targetapi.h"
#include "warroom/tui.h"
#include "warroom/widgets.h"

#define FETCH_TIMEOUT_MS 5000 /* the console waits on one entity, no longer */

#define SIDE_BY_SIDE_MIN 100 /* narrower terminals get the unified column */

struct dline {
	long entry;          /* index into the diff, -1 for a fold or a blank */
	char *left, *right;  /* owned; right NULL in unified mode */
	enum theme_role role;
};

struct diffview {
	char *left_label, *right_label;
	struct jsondiff d;
	int have;
	char error[1600];
	int verbose, unified;
	struct dline *lines;
	size_t n, cap;
	int laid_w;          /* width the lines were laid out for; 0: stale */
	long current;        /* the difference n/N last jumped to */
};

static const enum theme_role kind_role[] = {
	[JSONDIFF_SAME] = ROLE_NORMAL,
	[JSONDIFF_CHANGED] = ROLE_CHANGED,
	[JSONDIFF_ADDED] = ROLE_ADDED,
	[JSONDIFF_REMOVED] = ROLE_REMOVED,
};

static void lines_free(struct diffview *dv)
{
	for (size_t i = 0; i < dv->n; i++) {
		free(dv->lines[i].left);
		free(dv->lines[i].right);
	}
	free(dv->lines);
	dv->lines = NULL;
	dv->n = dv->cap = 0;
	dv->laid_w = 0;
}

static void push(struct diffview *dv, long entry, char *left, char *right, enum theme_role role)
{
	struct dline l = {entry, left, right, role};
	VEC_PUSH(dv->lines, dv->n, dv->cap, l);
}

/* Wraps "S path: value" into the column; each piece is one line. */
static void push_wrapped(struct diffview *dv, long entry, const char *l, const char *r, int colw,
			 enum theme_role role)
{
	char **ll = NULL, **rl = NULL;
	size_t nl = widgets_wrap(l ? l : "", colw, &ll);
	size_t nr = r ? widgets_wrap(r, colw, &rl) : 0;
	size_t n = nl > nr ? nl : nr;
	for (size_t i = 0; i < n; i++)
		push(dv, i == 0 ? entry : -2 - entry, xstrdup(i < nl ? ll[i] : ""),
		     r ? xstrdup(i < nr ? rl[i] : "") : NULL, role);
	widgets_lines_free(ll, nl);
	widgets_lines_free(rl, nr);
}

static void layout(struct diffview *dv, int w)
{
	lines_free(dv);
	dv->laid_w = w;
	int unified = dv->unified || w < SIDE_BY_SIDE_MIN;
	int colw = unified ? w - 1 : (w - 3) / 2;
	size_t folded = 0;
	for (size_t i = 0; i <= dv->d.n; i++) {
		const struct jsondiff_entry *en = i < dv->d.n ? &dv->d.v[i] : NULL;
		if (en && en->kind == JSONDIFF_SAME && !dv->verbose) {
			folded++;
			continue;
		}
		if (folded) {
			char *f = xasprintf("    (%zu unchanged field%s; v shows them)", folded,
					    folded == 1 ? "" : "s");
			push(dv, -1, f, unified ? NULL : xstrdup(""), ROLE_DIM);
			folded = 0;
		}
		if (!en)
			break;
		char sym = jsondiff_symbol(en->kind);
		const char *path = en->path[0] ? en->path : "/";
		enum theme_role role = kind_role[en->kind];
		if (unified) {
			if (en->kind == JSONDIFF_CHANGED) {
				char *s = xasprintf("%c %s: %s -> %s", sym, path, en->left, en->right);
				push_wrapped(dv, (long)i, s, NULL, colw, role);
				free(s);
			} else {
				char *s = xasprintf("%c %s: %s", sym, path,
						    en->left ? en->left : en->right);
				push_wrapped(dv, (long)i, s, NULL, colw, role);
				free(s);
			}
		} else {
			char *l = en->left ? xasprintf("%c %s: %s", sym, path, en->left)
					   : xstrdup("");
			char *r = en->right ? xasprintf("%c %s: %s", sym, path, en->right)
					    : xstrdup("");
			push_wrapped(dv, (long)i, l, r, colw, role);
			free(l);
			free(r);
		}
	}
}

void view_diff_set(struct tui *t, const char *left_label, const char *left,
		   const char *right_label, const char *right)
{
	struct view *v = &t->views[TV_DIFF];
	struct diffview *dv = v->priv;
	if (!dv)
		return;
	jsondiff_free(&dv->d);
	lines_free(dv);
	free(dv->left_label);
	free(dv->right_label);
	dv->left_label = xstrdup(left_label);
	dv->right_label = xstrdup(right_label);
	dv->error[0] = '\0';
	struct err e = {{0}};
	dv->have = jsondiff_texts(left, right, &dv->d, &e) == 0;
	if (!dv->have)
		snprintf(dv->error, sizeof(dv->error), "%s (left %.200s, right %.200s)", e.msg,
			 left_label, right_label);
	dv->current = -1;
	v->cursor = v->top = 0;
	t->dirty = 1;
}

static void diff_open(struct tui *t, struct view *v)
{
	(void)t;
	struct diffview *dv = xcalloc(1, sizeof(*dv));
	dv->current = -1;
	v->priv = dv;
}

static void diff_close(struct tui *t, struct view *v)
{
	(void)t;
	struct diffview *dv = v->priv;
	jsondiff_free(&dv->d);
	lines_free(dv);
	free(dv->left_label);
	free(dv->right_label);
	free(dv);
	v->priv = NULL;
}

static void diff_draw(struct tui *t, struct view *v, int y, int x, int h, int w)
{
	struct diffview *dv = v->priv;
	(void)x;
	if (!dv->have) {
		tui_put(t, y, 0, w, ROLE_TITLE, " Diff");
		tui_put(t, y + 2, 2, w - 2, dv->error[0] ? ROLE_FAIL : ROLE_DIM,
			dv->error[0] ? dv->error
				     : "nothing to compare yet (open a diff from a run or with "
				       "`warroom console --diff LEFT RIGHT`)");
		return;
	}
	if (dv->laid_w != w)
		layout(dv, w);
	int unified = dv->unified || w < SIDE_BY_SIDE_MIN;
	struct strbuf sb = {0};
	sb_addf(&sb, " Diff  ");
	jsondiff_summary(&dv->d, &sb);
	sb_addf(&sb, "  %s%s", unified ? "unified" : "side by side",
		dv->verbose ? ", verbose" : "");
	tui_put(t, y, 0, w, ROLE_TITLE, sb_str(&sb));
	sb_reset(&sb);
	int colw = (w - 3) / 2;
	if (unified) {
		sb_addf(&sb, "--- %s  +++ %s", dv->left_label, dv->right_label);
		tui_put(t, y + 1, 0, w, ROLE_COLUMN, sb_str(&sb));
	} else {
		tui_put(t, y + 1, 0, colw, ROLE_COLUMN, dv->left_label);
		tui_put(t, y + 1, colw, 3, ROLE_COLUMN, "");
		tui_put(t, y + 1, colw + 3, w - colw - 3, ROLE_COLUMN, dv->right_label);
	}
	sb_release(&sb);
	int body = h - 2;
	v->rows = (long)dv->n;
	/* the view scrolls by its top line: the cursor is the top */
	if (v->cursor > (long)dv->n - body)
		v->cursor = (long)dv->n - body;
	if (v->cursor < 0)
		v->cursor = 0;
	v->top = v->cursor;
	v->page = body;
	const char *bar = widgets_box(t->utf8)->v;
	for (int i = 0; i < body && v->top + i < (long)dv->n; i++) {
		const struct dline *l = &dv->lines[v->top + i];
		int is_current = dv->current >= 0 && (l->entry == dv->current);
		enum theme_role role = is_current ? ROLE_CURSOR : l->role;
		if (unified || !l->right) {
			tui_put(t, y + 2 + i, 0, w, role, l->left);
		} else {
			tui_put(t, y + 2 + i, 0, colw, role, l->left);
			tui_put(t, y + 2 + i, colw, 3, ROLE_BORDER, "");
			mvaddstr(y + 2 + i, colw + 1, bar);
			tui_put(t, y + 2 + i, colw + 3, w - colw - 3, role, l->right);
		}
	}
}

static int diff_request(struct tui *t, struct view *v, enum request r)
{
	struct diffview *dv = v->priv;
	switch (r) {
	case REQ_VERBOSE:
		dv->verbose = !dv->verbose;
		dv->laid_w = 0;
		tui_message(t, 0, dv->verbose ? "unchanged fields shown" : "unchanged fields folded");
		return 1;
	case REQ_UNIFIED:
		dv->unified = !dv->unified;
		dv->laid_w = 0;
		return 1;
	case REQ_NEXT_DIFF:
	case REQ_PREV_DIFF: {
		if (!dv->have)
			return 1;
		long next = jsondiff_next_change(&dv->d, dv->current, r == REQ_NEXT_DIFF ? 1 : -1);
		if (next < 0) {
			tui_message(t, 0, "no differences");
			return 1;
		}
		dv->current = next;
		for (size_t i = 0; i < dv->n; i++)
			if (dv->lines[i].entry == next) {
				v->cursor = (long)i > 2 ? (long)i - 2 : 0;
				break;
			}
		tui_message(t, 0, "difference at %s", dv->d.v[next].path[0] ? dv->d.v[next].path : "/");
		return 1;
	}
	case REQ_ENTER:
		return 1;
	default:
		return 0;
	}
}

/* ---- `:diff snapshot|source TYPE ID` ---------------------------------------------------- */

/* The left side of a fetched diff: one entity of the account, or -1 with a
 * message. *label is allocated. The right side is always the target now. */
typedef int (*diff_left_fn)(struct tui *t, const struct account *a, struct targetapi *api,
			    enum entity_type type, const char *id, struct entity_set *out,
			    char **label, struct err *e);

static int left_snapshot(struct tui *t, const struct account *a, struct targetapi *api,
			 enum entity_type type, const char *id, struct entity_set *out, char **label,
			 struct err *e)
{
	(void)api;
	struct entity_set snap = {0};
	int64_t taken = 0;
	int found = drift_snapshot_load(t->store, a->id, &snap, &taken, e);
	if (found == 0)
		err_set(e, "%s has no cutover snapshot yet (warroom drift --snapshot takes one)", a->id);
	char when[40];
	util_iso8601(taken, when, sizeof(when));
	struct entity *en = found > 0 ? entity_set_find(&snap, type, id) : NULL;
	if (found > 0 && !en)
		err_set(e, "the snapshot of %s taken %s has no %s '%s'", a->id, when,
			entity_type_name(type), id);
	if (en) {
		/* moved out of the snapshot: the set's slot forgets it */
		for (size_t i = 0; i < snap.n; i++)
			if (snap.items[i] == en)
				snap.items[i] = snap.items[--snap.n];
		entity_set_add(out, en);
		*label = xasprintf("cutover snapshot %s", when);
	}
	entity_set_free(&snap);
	return en ? 0 : -1;
}

static int left_reference(struct tui *t, const struct account *a, struct targetapi *api,
			  enum entity_type type, const char *id, struct entity_set *out, char **label,
			  struct err *e)
{
	(void)t;
	if (targetapi_fetch_one(api, a->id, TARGETAPI_REFERENCE, type, id, out, e) < 0)
		return -1;
	/* the reference dataset the simulator serves for the tenant (not the
	 * source read by an importer) comes in the target's shape: canonical
	 * on both sides, the target's bookkeeping is not a difference */
	targetapi_to_canonical(out);
	*label = xstrdup("reference dataset (canonical)");
	return 0;
}

static const struct {
	const char *word;
	diff_left_fn left;
	int canonical;       /* the target's copy turned into the canonical shape */
	int gone_is_drift;   /* a 404 from the target: the entity was removed since */
	const char *right_label;
} diff_kinds[] = {
	{"snapshot", left_snapshot, 0, 1, "target now"},
	{"source", left_reference, 1, 0, "target now (canonical)"},
};

const char *view_diff_kind(size_t i)
{
	return i < ARRAY_SIZE(diff_kinds) ? diff_kinds[i].word : NULL;
}

/* The client says "GET /path: ..."; the operator wants the whole URL. */
static void name_url(struct err *e, const char *base)
{
	if (!util_has_prefix(e->msg, "GET /"))
		return;
	/* no answer at all: the client's own words already carry the URL */
	const char *rest = strstr(e->msg, ": GET ");
	char *m = rest ? xstrdup(rest + 2) : xasprintf("GET %s%s", base, e->msg + 4);
	snprintf(e->msg, sizeof(e->msg), "%s", m);
	free(m);
}

/* An entity the target does not have is the operator's typo more often than
 * an outage: say so before the request. */
static void name_unknown(struct err *e, const struct account *a, enum entity_type type,
			 const char *id)
{
	if (!strstr(e->msg, ": 404"))
		return;
	char *m = xasprintf("unknown %s '%s' for %s: %s", entity_type_name(type), id, a->id, e->msg);
	snprintf(e->msg, sizeof(e->msg), "%s", m);
	free(m);
}

/* An entity the target no longer has is an empty object, so that each of
 * its fields shows as removed. */
static char *doc_text(const struct entity_set *s)
{
	return s->n ? cJSON_Print(s->items[0]->doc) : xstrdup("{}");
}

void view_diff_command(struct tui *t, const char *args)
{
	char kind[16] = "", tname[40] = "", id[256] = "", extra[2] = "";
	int got = sscanf(args, "%15s %39s %255s %1s", kind, tname, id, extra);
	size_t k = 0;
	while (k < ARRAY_SIZE(diff_kinds) && strcmp(kind, diff_kinds[k].word))
		k++;
	if (got != 3 || k == ARRAY_SIZE(diff_kinds)) {
		tui_message(t, 1, "usage: :diff snapshot TYPE ID  or  :diff source TYPE ID "
				  "(TYPE: services, teams, users, ...)");
		return;
	}
	if (strpbrk(id, "/?#%&\\")) { /* it goes into a URL path as it is */
		tui_message(t, 1, "'%s' is not an entity id", id);
		return;
	}
	struct err e = {{0}};
	enum entity_type type;
	if (entity_type_parse(tname, &type, &e) < 0) {
		tui_message(t, 1, "%s", e.msg);
		return;
	}
	const struct account *a = t->store ? tui_account(t) : NULL;
	if (!a) {
		tui_message(t, 1, ":diff %s needs a program with accounts", kind);
		return;
	}
	char *base = targetapi_account_url(a, &e);
	if (!base) {
		tui_message(t, 1, "%s: %s", a->id, e.msg);
		return;
	}
	tui_message(t, 0, "fetching %s %s '%s' of %s ...", kind, entity_type_name(type), id, a->id);
	tui_draw_now(t);

	struct targetapi api;
	struct entity_set left = {0}, right = {0};
	char *left_label = NULL;
	int gone = 0;
	int rc = targetapi_open(&api, base, &e);
	if (!rc) {
		api.timeout_ms = FETCH_TIMEOUT_MS;
		rc = diff_kinds[k].left(t, a, &api, type, id, &left, &left_label, &e);
		if (!rc) {
			rc = targetapi_fetch_one(&api, a->id, TARGETAPI_TARGET, type, id, &right, &e);
			if (rc && diff_kinds[k].gone_is_drift && strstr(e.msg, ": 404")) {
				gone = 1; /* shown as every field removed */
				rc = 0;
			}
		}
		if (rc) {
			name_url(&e, api.base);
			name_unknown(&e, a, type, id);
		}
		targetapi_close(&api);
	}
	if (!rc) {
		if (diff_kinds[k].canonical)
			targetapi_to_canonical(&right);
		char *l = doc_text(&left), *r = doc_text(&right);
		char *ll = xasprintf("%s: %s %s", left_label, entity_type_plural(type), id);
		char *rl = xasprintf("%s: %s %s%s", diff_kinds[k].right_label,
				     entity_type_plural(type), id, gone ? " (gone: 404)" : "");
		tui_show(t, TV_DIFF);
		view_diff_set(t, ll, l, rl, r);
		struct diffview *dv = t->views[TV_DIFF].priv;
		struct strbuf sb = {0};
		if (dv && dv->have)
			jsondiff_summary(&dv->d, &sb);
		tui_message(t, dv && !dv->have, "%s %s of %s: %s", kind, entity_type_name(type),
			    a->id, dv && dv->have ? sb_str(&sb) : dv ? dv->error : "");
		sb_release(&sb);
		free(l);
		free(r);
		free(ll);
		free(rl);
	} else {
		tui_message(t, 1, "%s", e.msg);
	}
	free(left_label);
	entity_set_free(&left);
	entity_set_free(&right);
	free(base);
}

const struct view_ops view_diff_ops = {
	.name = "diff",
	.title = "Diff",
	.scope = KS_DIFF,
	.open = diff_open,
	.close = diff_close,
	.draw = diff_draw,
	.request = diff_request,
};
