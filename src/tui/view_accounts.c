/* view_accounts — the dashboard: one row per account, columns declared once
 * in a table (title, width, how to sort), sort by any column, `/` filter by
 * text or column:value, group by wave, marks for acting on many at once.
 * Cells are computed on reload, so drawing and sorting never touch the store. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "warroom/engine.h"
#include "warroom/integ.h"
#include "warroom/plan.h"
#include "warroom/runner.h"
#include "warroom/samples.h"
#include "warroom/store.h"
#include "warroom/tui.h"
#include "warroom/widgets.h"

enum col { C_ACCOUNT, C_WAVE, C_MODE, C_PHASE, C_STEP, C_STATE, C_WINDOW, C_PASS, C_PARITY,
	   C_INTEG, C_BLOCKERS, C_NEXT, C_ROLLBACK, C__COUNT };

static const struct {
	const char *title;
	int width;      /* at 80 columns the table drops the columns past `min_cols` */
	int min_cols;   /* terminal width needed to show this column */
	int numeric;    /* sort by number */
} cols[C__COUNT] = {
	[C_ACCOUNT] = {"ACCOUNT", 14, 0, 0},   [C_WAVE] = {"WAVE", 7, 0, 0},
	[C_MODE] = {"MODE", 12, 120, 0},       [C_PHASE] = {"PHASE", 10, 0, 0},
	[C_STEP] = {"STEP", 14, 0, 0},         [C_STATE] = {"STATE", 8, 0, 0},
	[C_WINDOW] = {"WINDOW", 16, 140, 0},   [C_PASS] = {"PASS", 16, 0, 1},
	[C_PARITY] = {"PARITY", 8, 150, 0},    [C_INTEG] = {"INTEG", 12, 160, 1},
	[C_BLOCKERS] = {"BLOCKERS", 18, 170, 0}, [C_NEXT] = {"NEXT / OWNER", 20, 180, 0},
	[C_ROLLBACK] = {"RBK", 7, 190, 0},
};

struct row {
	const struct account *ac;
	const char *cell[C__COUNT]; /* in the view's cells arena */
	double pass; /* NAN when not measured */
	double integ; /* healthy share of integrations; NAN when never measured */
	int64_t integ_passed, integ_total, integ_ms; /* the newest integration sample */
	const char *state; /* badge key */
	int marked;
	int extras;        /* spark and the runner's facts loaded (visible rows only) */
	char *spark;       /* pass-rate trend; NULL when no samples */
};

struct accounts {
	struct row *rows;
	size_t n;
	size_t *shown; /* indexes into rows, filtered and sorted */
	size_t n_shown;
	int sort_col, sort_desc, group;
	char filter[128];
	/* every row's cells, built anew on each reload: ten thousand rows of a
	 * dozen cells were as many mallocs, a quarter of the first frame */
	struct arena *cells;
};

static const char *dup_or_dash(struct accounts *a, const char *s)
{
	return arena_strdup(a->cells, s && *s ? s : "—");
}

/* "x<sep>y" in the cells arena; ten thousand rows of printf showed. */
static const char *cell_join(struct accounts *a, const char *x, const char *sep, const char *y)
{
	size_t lx = strlen(x), ls = strlen(sep), ly = strlen(y);
	char *s = arena_alloc(a->cells, lx + ls + ly + 1);
	memcpy(s, x, lx);
	memcpy(s + lx, sep, ls);
	memcpy(s + lx + ls, y, ly);
	return s;
}

static void rows_free(struct accounts *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->rows[i].spark);
	arena_free(a->cells);
	a->cells = NULL;
	free(a->rows);
	free(a->shown);
	a->rows = NULL;
	a->shown = NULL;
	a->n = a->n_shown = 0;
}

static const struct tui *sort_tui;
static const struct accounts *sort_a;

static size_t wave_order(const struct tui *t, const char *wave)
{
	const struct plan *p = t->program->plan;
	for (size_t i = 0; i < p->n_waves; i++)
		if (util_streq(p->waves[i].name, wave))
			return i;
	return p->n_waves;
}

/* Numeric columns sort by their measure; never measured sorts first. */
static double sort_key(const struct row *r, int col)
{
	double v = col == C_INTEG ? r->integ : r->pass;
	return isnan(v) ? -1 : v;
}

static int row_cmp(const void *x, const void *y)
{
	const struct row *a = &sort_a->rows[*(const size_t *)x];
	const struct row *b = &sort_a->rows[*(const size_t *)y];
	int c = 0;
	if (sort_a->group) {
		size_t wa = wave_order(sort_tui, a->ac->wave), wb = wave_order(sort_tui, b->ac->wave);
		if (wa != wb)
			return wa < wb ? -1 : 1;
	}
	if (cols[sort_a->sort_col].numeric) {
		double pa = sort_key(a, sort_a->sort_col), pb = sort_key(b, sort_a->sort_col);
		c = pa < pb ? -1 : pa > pb;
	} else {
		c = strcmp(a->cell[sort_a->sort_col], b->cell[sort_a->sort_col]);
	}
	if (sort_a->sort_desc)
		c = -c;
	if (!c) /* stable: fall back on the account id */
		c = strcmp(a->cell[C_ACCOUNT], b->cell[C_ACCOUNT]);
	return c;
}

static int ci_contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return n == 0;
}

static int row_matches(const struct row *r, const char *filter)
{
	if (!*filter)
		return 1;
	const char *colon = strchr(filter, ':');
	if (colon && colon > filter) {
		size_t klen = (size_t)(colon - filter);
		for (int c = 0; c < C__COUNT; c++)
			if (!strncasecmp(cols[c].title, filter, klen))
				return ci_contains(r->cell[c], colon + 1);
	}
	for (int c = 0; c < C__COUNT; c++)
		if (ci_contains(r->cell[c], filter))
			return 1;
	return 0;
}

#define SPARK_POINTS 24
#define SPARK_W 8

/* The facts that cost a query per account (the pass-rate trend, rollback
 * readiness and what a waiting run waits for) are read for the rows on
 * screen and those a page either side, on reload and after moves. */
static void load_extras(struct tui *t, struct view *v)
{
	struct accounts *a = v->priv;
	long page = v->page > 0 ? v->page : 60;
	long from = v->cursor - page > 0 ? v->cursor - page : 0;
	for (long i = from; i < (long)a->n_shown && i < v->cursor + page; i++) {
		struct row *r = &a->rows[a->shown[i]];
		if (r->extras)
			continue;
		r->extras = 1;
		struct err e = {{0}};
		double *vals = NULL;
		size_t n = 0;
		if (dash_series(t->store, r->ac->id, SAMPLE_PARITY, SAMPLE_PASS_RATE, SPARK_POINTS,
				&vals, &n, &e) == 0 && n > 1) {
			struct strbuf sb = {0};
			widgets_sparkline(&sb, vals, n, 0.99, 1.0, SPARK_W, t->utf8);
			r->spark = sb_detach(&sb);
		}
		free(vals);
		struct runner_status st;
		if (!t->runner || runner_status(t->runner, r->ac->id, &st, &e) < 0)
			continue;
		r->cell[C_ROLLBACK] = st.rollback_ready ? "ready" : "NO";
		if (st.why[0] && (st.next == ENGINE_NEXT_WAIT || st.next == ENGINE_NEXT_STOPPED))
			r->cell[C_BLOCKERS] = arena_strdup(a->cells, st.why);
	}
}

static void refilter(struct tui *t, struct view *v)
{
	struct accounts *a = v->priv;
	a->n_shown = 0;
	for (size_t i = 0; i < a->n; i++)
		if (row_matches(&a->rows[i], a->filter))
			a->shown[a->n_shown++] = i;
	sort_tui = t;
	sort_a = a;
	qsort(a->shown, a->n_shown, sizeof(*a->shown), row_cmp);
	v->rows = (long)a->n_shown;
	if (v->cursor >= v->rows)
		v->cursor = v->rows ? v->rows - 1 : 0;
	load_extras(t, v);
	t->dirty = 1;
}

static void window_cell(const struct account *ac, char *buf, size_t size)
{
	const char *s = ac->cutover_window.start;
	if (!s) {
		snprintf(buf, size, "—");
		return;
	}
	/* "2026-11-30T02:00:00Z" -> "11-30 02:00" */
	if (strlen(s) >= 16)
		snprintf(buf, size, "%.5s %.5s", s + 5, s + 11);
	else
		snprintf(buf, size, "%s", s);
}

/* What a person does next, by run state. */
static const struct {
	const char *state, *next;
} next_actions[] = {
	{"idle", "start"},          {"running", "watch"},     {"waiting", "act (g, t)"},
	{"done", "—"},              {"failed", "decide"},     {"rolling_back", "watch"},
	{"rolled_back", "rerun"},   {"halted", "resume (P)"},
};

static const char *next_action(const char *state)
{
	for (size_t i = 0; i < ARRAY_SIZE(next_actions); i++)
		if (util_streq(next_actions[i].state, state))
			return next_actions[i].next;
	return "—";
}

/* The INTEG cell: the verdict and healthy/total, "?" after the word once
 * the measurement is older than INTEG_STALE_MS; its role reads the same
 * way (dim when stale), so it is legible in monochrome. */
static enum theme_role integ_cell(const struct row *r, int64_t now_ms, char *buf, size_t size)
{
	if (isnan(r->integ)) {
		snprintf(buf, size, "—");
		return ROLE_NORMAL;
	}
	static const enum theme_role roles[] = {
		[INTEG_OK] = ROLE_OK, [INTEG_DEG] = ROLE_WARN, [INTEG_FAIL] = ROLE_FAIL,
		[INTEG_NONE] = ROLE_NORMAL,
	};
	enum integ_verdict v = integ_verdict_of(r->integ_passed, r->integ_total);
	int stale = now_ms - r->integ_ms > INTEG_STALE_MS;
	snprintf(buf, size, "%s%s %lld/%lld", integ_verdict_word(v), stale ? "?" : "",
		 (long long)r->integ_passed, (long long)r->integ_total);
	return stale ? ROLE_DIM : roles[v];
}

static void accounts_reload(struct tui *t, struct view *v)
{
	struct accounts *a = v->priv;
	/* keep marks across reloads, by account id */
	char **marked = NULL;
	size_t n_marked = 0, cap_marked = 0;
	for (size_t i = 0; i < a->n; i++)
		if (a->rows[i].marked)
			VEC_PUSH(marked, n_marked, cap_marked, xstrdup(a->rows[i].cell[C_ACCOUNT]));
	rows_free(a);
	const struct program *p = t->program;
	a->n = p->n_accounts;
	a->rows = xcalloc(a->n ? a->n : 1, sizeof(*a->rows));
	util_prefault(a->rows, a->n * sizeof(*a->rows)); /* every row is filled below */
	a->cells = arena_new();
	const int64_t now = util_now_ms(); /* one clock for every row's staleness */
	a->shown = xcalloc(a->n ? a->n : 1, sizeof(*a->shown));
	for (size_t i = 0; i < a->n; i++) {
		const struct account *ac = &p->accounts[i];
		const struct dash_run *r = dash_runs_find(&t->runs, ac->id);
		struct row *row = &a->rows[i];
		row->ac = ac;
		row->pass = NAN;
		row->cell[C_ACCOUNT] = dup_or_dash(a, ac->id);
		row->cell[C_WAVE] = dup_or_dash(a, ac->wave);
		row->cell[C_MODE] = dup_or_dash(a, account_mode_name(ac->migration_mode));
		row->cell[C_PHASE] = dup_or_dash(a, r ? r->phase_id : NULL);
		row->cell[C_STEP] = dup_or_dash(a, r ? r->step_id : NULL);
		row->state = r && r->state ? r->state : "idle";
		const struct widgets_badge *bd = widgets_badge(row->state);
		row->cell[C_STATE] =
			cell_join(a, t->utf8 ? bd->symbol_utf8 : bd->symbol_ascii, " ", bd->word);
		char buf[64];
		window_cell(ac, buf, sizeof(buf));
		row->cell[C_WINDOW] = arena_strdup(a->cells, buf);
		const char *parity = NULL;
		row->integ = NAN;
		size_t n_mine = 0;
		const struct sample *mine = sample_list_account(&t->latest, ac->id, &n_mine);
		for (size_t k = 0; k < n_mine; k++) {
			const struct sample *s = &mine[k];
			int par = util_streq(s->kind, SAMPLE_PARITY);
			if (par && util_streq(s->name, SAMPLE_PASS_RATE))
				row->pass = s->value;
			if (par && util_streq(s->name, SAMPLE_DUAL_RUN))
				parity = s->value <= 0.001 ? "ok" : "drift";
			if (util_streq(s->kind, SAMPLE_INTEGRATION) &&
			    util_streq(s->name, SAMPLE_INTEG_HEALTH)) {
				row->integ = s->value;
				row->integ_passed = s->passed;
				row->integ_total = s->evaluated;
				row->integ_ms = s->at_ms;
			}
		}
		if (isnan(row->pass))
			row->cell[C_PASS] = "—";
		else
			row->cell[C_PASS] = arena_printf(a->cells, "%.2f%%", row->pass * 100);
		row->cell[C_PARITY] = dup_or_dash(a, parity);
		integ_cell(row, now, buf, sizeof(buf));
		row->cell[C_INTEG] = arena_strdup(a->cells, buf);
		row->cell[C_BLOCKERS] = dup_or_dash(a, r ? r->halted_reason : NULL);
		row->cell[C_NEXT] = cell_join(a, next_action(row->state), " / ",
					      ac->runbook_owner ? ac->runbook_owner : "—");
		row->cell[C_ROLLBACK] = "—";
		for (size_t k = 0; k < n_marked; k++)
			if (!strcmp(marked[k], row->cell[C_ACCOUNT]))
				row->marked = 1;
	}
	for (size_t k = 0; k < n_marked; k++)
		free(marked[k]);
	free(marked);
	refilter(t, v);
}

static void accounts_open(struct tui *t, struct view *v)
{
	(void)t;
	struct accounts *a = xcalloc(1, sizeof(*a));
	v->priv = a;
}

static void accounts_close(struct tui *t, struct view *v)
{
	(void)t;
	struct accounts *a = v->priv;
	rows_free(a);
	free(a);
	v->priv = NULL;
}

static void draw_row(struct tui *t, const struct accounts *a, const struct row *r, int y,
		     int w, int is_cursor)
{
	int x = 0;
	for (int c = 0; c < C__COUNT && x < w; c++) {
		if (cols[c].min_cols > w)
			continue;
		int cw = cols[c].width;
		if (x + cw > w)
			cw = w - x;
		enum theme_role role = ROLE_NORMAL;
		char cell[256];
		snprintf(cell, sizeof(cell), "%s", r->cell[c]);
		if (c == C_ACCOUNT && r->marked)
			snprintf(cell, sizeof(cell), "*%s", r->cell[c]);
		if (c == C_PASS && r->spark)
			snprintf(cell, sizeof(cell), "%-7s%s", r->cell[c], r->spark);
		if (c == C_STATE)
			role = widgets_badge(r->state)->role;
		if (c == C_PASS && !isnan(r->pass)) {
			double th = t->program->plan->program &&
						    t->program->plan->program->parity_threshold >= 0
					    ? t->program->plan->program->parity_threshold
					    : 0.999;
			role = r->pass >= th ? ROLE_OK : ROLE_FAIL;
		}
		if (c == C_INTEG) /* staleness moves with the clock, not the store */
			role = integ_cell(r, util_now_ms(), cell, sizeof(cell));
		if (c == C_ROLLBACK && !strcmp(r->cell[c], "NO"))
			role = ROLE_WARN;
		if (r->marked && c == C_ACCOUNT)
			role = ROLE_MARKED;
		if (is_cursor)
			role = ROLE_CURSOR;
		/* one blank column between cells, in the row's colour */
		tui_put(t, y, x, cw > 1 ? cw - 1 : cw, role, cell);
		if (cw > 1)
			tui_put(t, y, x + cw - 1, 1, is_cursor ? ROLE_CURSOR : ROLE_NORMAL, "");
		x += cw;
	}
	if (is_cursor && x < w)
		tui_put(t, y, x, w - x, ROLE_CURSOR, "");
	(void)a;
}

static void accounts_draw(struct tui *t, struct view *v, int y, int x, int h, int w)
{
	struct accounts *a = v->priv;
	(void)x;
	struct strbuf sb = {0};
	sb_addf(&sb, " Accounts  %zu of %zu shown  sort %s %s%s%s%s", a->n_shown, a->n,
		cols[a->sort_col].title, a->sort_desc ? "desc" : "asc",
		a->group ? "  grouped by wave" : "", a->filter[0] ? "  filter: " : "", a->filter);
	tui_put(t, y, 0, w, ROLE_TITLE, sb_str(&sb));
	sb_reset(&sb);
	int cx = 0;
	for (int c = 0; c < C__COUNT; c++) {
		if (cols[c].min_cols > w)
			continue;
		int cw = cols[c].width;
		if (cx + cw > w)
			cw = w - cx;
		if (cw <= 0)
			break;
		char title[64];
		snprintf(title, sizeof(title), "%s%s", cols[c].title,
			 c == a->sort_col ? (a->sort_desc ? "v" : "^") : "");
		tui_put(t, y + 1, cx, cw, ROLE_COLUMN, title);
		cx += cw;
	}
	if (cx < w)
		tui_put(t, y + 1, cx, w - cx, ROLE_COLUMN, "");
	int body = h - 2;
	tui_list_scroll(v, body);
	if (a->n_shown == 0)
		tui_put(t, y + 2, 0, w, ROLE_DIM,
			a->n ? "  no account matches the filter" : "  no accounts in this program");
	const char *last_wave = NULL;
	int line = 0;
	for (long i = v->top; i < (long)a->n_shown && line < body; i++) {
		const struct row *r = &a->rows[a->shown[i]];
		if (a->group && (!last_wave || !util_streq(last_wave, r->ac->wave))) {
			last_wave = r->ac->wave;
			char g[128];
			snprintf(g, sizeof(g), "-- wave %s", r->ac->wave ? r->ac->wave : "—");
			tui_put(t, y + 2 + line, 0, w, ROLE_DIM, g);
			if (++line >= body)
				break;
		}
		draw_row(t, a, r, y + 2 + line, w, i == v->cursor);
		line++;
	}
	sb_release(&sb);
}

static const struct row *cursor_row(struct view *v)
{
	struct accounts *a = v->priv;
	if (v->cursor < 0 || (size_t)v->cursor >= a->n_shown)
		return NULL;
	return &a->rows[a->shown[v->cursor]];
}

static void select_cursor(struct tui *t, struct view *v)
{
	const struct row *r = cursor_row(v);
	if (!r)
		return;
	free(t->selected_account);
	t->selected_account = xstrdup(r->ac->id);
}

static int accounts_request(struct tui *t, struct view *v, enum request req)
{
	struct accounts *a = v->priv;
	switch (req) {
	case REQ_SORT_NEXT:
	case REQ_SORT_PREV:
		do {
			a->sort_col = (a->sort_col + (req == REQ_SORT_NEXT ? 1 : C__COUNT - 1)) %
				      C__COUNT;
		} while (cols[a->sort_col].min_cols > COLS);
		refilter(t, v);
		return 1;
	case REQ_SORT_FLIP:
		a->sort_desc = !a->sort_desc;
		refilter(t, v);
		return 1;
	case REQ_GROUP:
		a->group = !a->group;
		refilter(t, v);
		return 1;
	case REQ_SELECT:
		if (v->cursor < (long)a->n_shown) {
			a->rows[a->shown[v->cursor]].marked ^= 1;
			tui_list_request(v, REQ_MOVE_DOWN);
		}
		return 1;
	case REQ_SELECT_ALL: {
		int any = 0;
		for (size_t i = 0; i < a->n; i++)
			any |= a->rows[i].marked;
		for (size_t i = 0; i < a->n; i++)
			a->rows[i].marked = 0;
		for (size_t i = 0; !any && i < a->n_shown; i++)
			a->rows[a->shown[i]].marked = 1;
		tui_message(t, 0, any ? "marks cleared" : "%zu accounts marked", a->n_shown);
		return 1;
	}
	case REQ_VIEW_RUN:
	case REQ_VIEW_GATE:
	case REQ_VIEW_MONITOR:
	case REQ_VIEW_IMPORT:
		select_cursor(t, v);
		return 0; /* the frame switches the view */
	case REQ_RUN_START: {
		/* the marked accounts, else the one under the cursor */
		const char **ids = xcalloc(a->n + 1, sizeof(*ids));
		size_t n = 0;
		for (size_t i = 0; i < a->n; i++)
			if (a->rows[i].marked)
				ids[n++] = a->rows[i].ac->id;
		const struct row *r = cursor_row(v);
		if (!n && r)
			ids[n++] = r->ac->id;
		tui_act_start(t, ids, n);
		free(ids);
		return 1;
	}
	case REQ_ROLLBACK:
	case REQ_HALT:
	case REQ_RESUME: {
		const struct row *r = cursor_row(v);
		const char *id = r ? r->ac->id : NULL;
		if (req == REQ_ROLLBACK)
			tui_act_rollback(t, id);
		else if (req == REQ_HALT)
			tui_act_halt(t, id);
		else
			tui_act_resume(t, id);
		return 1;
	}
	default:
		return 0;
	}
}

static void accounts_filter(struct tui *t, struct view *v, const char *text)
{
	struct accounts *a = v->priv;
	if (tui_filter_take(t, a->filter, sizeof(a->filter), text) < 0)
		return;
	v->cursor = 0;
	v->top = 0;
	refilter(t, v);
}

static void filter_done(struct tui *t, void *ctx, const char *text)
{
	accounts_filter(t, ctx, text);
}

static int accounts_request_outer(struct tui *t, struct view *v, enum request req)
{
	if (req == REQ_FILTER) {
		tui_prompt(t, "/", filter_done, v);
		return 1;
	}
	int handled = accounts_request(t, v, req);
	if (!handled && tui_list_request(v, req)) {
		load_extras(t, v);
		return 1;
	}
	return handled;
}

const struct view_ops view_accounts_ops = {
	.name = "accounts",
	.title = "Accounts",
	.scope = KS_ACCOUNTS,
	.open = accounts_open,
	.close = accounts_close,
	.reload = accounts_reload,
	.draw = accounts_draw,
	.request = accounts_request_outer,
	.filter = accounts_filter,
};
