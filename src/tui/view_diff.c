/* view_diff — two JSON documents compared field by field (jsondiff), drawn
 * side by side or in one column on narrow terminals, with Terraform's
 * markers (~ + -) as well as colour, unchanged fields folded into a count,
 * long values wrapped, and n/N to jump between differences. */
#include <stdlib.h>
#include <string.h>

#include "warroom/jsondiff.h"
#include "warroom/tui.h"
#include "warroom/widgets.h"

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

const struct view_ops view_diff_ops = {
	.name = "diff",
	.title = "Diff",
	.scope = KS_DIFF,
	.open = diff_open,
	.close = diff_close,
	.draw = diff_draw,
	.request = diff_request,
};
