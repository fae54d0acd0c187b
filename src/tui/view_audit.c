/* view_audit — the audit log, newest first: the newest records are read on
 * reload (a window, so a log of millions opens at once), filtered by text or
 * account:/actor:/action:, `v` verifies the whole chain in slices between
 * keypresses (progress shown, keys still answer) and says the verdict,
 * Enter shows one record's whole detail. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "warroom/audit.h"
#include "warroom/tui.h"
#include "warroom/units.h"
#include "warroom/widgets.h"

#define AUDIT_WINDOW 5000 /* newest records kept in memory */
#define SLICE_FIRST 2000  /* records of the first verification step */
#define SLICE_MIN 64
#define SLICE_MAX (1 << 20)

struct arec {
	int64_t seq;
	char *ts, *actor, *host, *ssh, *role, *action, *account, *subject, *detail, *hash;
};

struct auditview {
	struct arec *v;
	size_t n, cap;
	size_t *shown;
	size_t n_shown;
	char filter[128];
	int detail;          /* showing one record whole */
	int64_t total;       /* records in the log */
	char verdict[1600];   /* the last verification, "" when none */
	int verdict_bad;
	int verifying;       /* a walk is under way: tick goes on with it */
	struct audit_cursor walk;
	int64_t slice;       /* records per step, sized to the tick's budget */
};

static void recs_free(struct auditview *av)
{
	for (size_t i = 0; i < av->n; i++) {
		struct arec *r = &av->v[i];
		free(r->ts), free(r->actor), free(r->host), free(r->ssh), free(r->role);
		free(r->action), free(r->account), free(r->subject), free(r->detail), free(r->hash);
	}
	free(av->v);
	free(av->shown);
	av->v = NULL;
	av->shown = NULL;
	av->n = av->cap = av->n_shown = 0;
}

static int collect(const struct audit_record *r, void *ctx)
{
	struct auditview *av = ctx;
	struct arec x = {r->seq,          xstrdup(r->ts),     xstrdup(r->actor),
			 xstrdup(r->host), xstrdup(r->ssh_client), xstrdup(r->role),
			 xstrdup(r->action), xstrdup(r->account), xstrdup(r->subject),
			 xstrdup(r->detail), xstrdup(r->hash)};
	VEC_PUSH(av->v, av->n, av->cap, x);
	return 0;
}

static int contains(const char *hay, const char *needle, size_t n)
{
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return n == 0;
}

/* The filter's columns, as data: the name typed before ':' and the field. */
static const struct {
	const char *name;
	size_t offset;
} filter_cols[] = {
	{"account", offsetof(struct arec, account)},
	{"actor", offsetof(struct arec, actor)},
	{"action", offsetof(struct arec, action)},
	{"subject", offsetof(struct arec, subject)},
	{"role", offsetof(struct arec, role)},
};

static const char *field(const struct arec *r, size_t off)
{
	return *(char *const *)((const char *)r + off);
}

static int matches(const struct arec *r, const char *f)
{
	if (!*f)
		return 1;
	const char *colon = strchr(f, ':');
	if (colon)
		for (size_t i = 0; i < ARRAY_SIZE(filter_cols); i++)
			if (strlen(filter_cols[i].name) == (size_t)(colon - f) &&
			    !strncasecmp(f, filter_cols[i].name, (size_t)(colon - f)))
				return contains(field(r, filter_cols[i].offset), colon + 1,
						strlen(colon + 1));
	size_t n = strlen(f);
	for (size_t i = 0; i < ARRAY_SIZE(filter_cols); i++)
		if (contains(field(r, filter_cols[i].offset), f, n))
			return 1;
	return contains(r->detail, f, n);
}

static void refilter(struct view *v)
{
	struct auditview *av = v->priv;
	av->n_shown = 0;
	for (size_t i = av->n; i-- > 0;) /* newest first */
		if (matches(&av->v[i], av->filter))
			av->shown[av->n_shown++] = i;
	v->rows = (long)av->n_shown;
	if (v->cursor >= v->rows)
		v->cursor = v->rows ? v->rows - 1 : 0;
}

static void audit_reload(struct tui *t, struct view *v)
{
	struct auditview *av = v->priv;
	recs_free(av);
	struct err e = {{0}};
	av->total = audit_head(t->store, &e);
	if (av->total < 0) {
		tui_message(t, 1, "%s", e.msg);
		av->total = 0;
	}
	int64_t after = av->total > AUDIT_WINDOW ? av->total - AUDIT_WINDOW : 0;
	if (audit_scan(t->store, after, 0, collect, av, &e) < 0)
		tui_message(t, 1, "%s", e.msg);
	av->shown = xcalloc(av->n + 1, sizeof(*av->shown));
	refilter(v);
}

static void audit_open(struct tui *t, struct view *v)
{
	(void)t;
	v->priv = xcalloc(1, sizeof(struct auditview));
}

static void audit_close(struct tui *t, struct view *v)
{
	(void)t;
	recs_free(v->priv);
	free(v->priv);
	v->priv = NULL;
}

static const struct arec *cursor_rec(struct view *v)
{
	struct auditview *av = v->priv;
	if (v->cursor < 0 || (size_t)v->cursor >= av->n_shown)
		return NULL;
	return &av->v[av->shown[v->cursor]];
}

static void draw_detail(struct tui *t, const struct arec *r, int y, int h, int w)
{
	const struct {
		const char *label, *value;
	} rows[] = {
		{"time", r->ts},       {"actor", r->actor},     {"host", r->host},
		{"ssh client", r->ssh}, {"role", r->role},       {"action", r->action},
		{"account", r->account}, {"subject", r->subject}, {"hash", r->hash},
	};
	char line[512];
	snprintf(line, sizeof(line), " Audit record %lld  (q back)", (long long)r->seq);
	tui_put(t, y, 0, w, ROLE_TITLE, line);
	int k = 1;
	for (size_t i = 0; i < ARRAY_SIZE(rows) && k < h; i++, k++) {
		tui_put(t, y + k, 1, 12, ROLE_DIM, rows[i].label);
		tui_put(t, y + k, 13, w - 13, ROLE_NORMAL, *rows[i].value ? rows[i].value : "—");
	}
	if (k < h)
		tui_put(t, y + k++, 1, 12, ROLE_DIM, "detail");
	char **lines = NULL;
	size_t n = widgets_wrap(r->detail, w - 2, &lines);
	for (size_t i = 0; i < n && k < h; i++, k++)
		tui_put(t, y + k, 1, w - 2, ROLE_NORMAL, lines[i]);
	widgets_lines_free(lines, n);
}

static void audit_draw(struct tui *t, struct view *v, int y, int x, int h, int w)
{
	(void)x;
	struct auditview *av = v->priv;
	const struct arec *cur = cursor_rec(v);
	if (av->detail && cur) {
		draw_detail(t, cur, y, h, w);
		return;
	}
	char title[512];
	snprintf(title, sizeof(title), " Audit  %lld records, newest %zu loaded, %zu shown%s%s",
		 (long long)av->total, av->n, av->n_shown, av->filter[0] ? "  filter: " : "",
		 av->filter);
	tui_put(t, y, 0, w, ROLE_TITLE, title);
	int top = 1;
	if (av->verdict[0]) {
		tui_put(t, y + 1, 0, w, av->verdict_bad ? ROLE_FAIL : ROLE_OK, av->verdict);
		top = 2;
	}
	tui_put(t, y + top, 0, w, ROLE_COLUMN,
		" SEQ     TIME                     ACTOR      ACTION            ACCOUNT     SUBJECT     DETAIL");
	int body = h - top - 1;
	tui_list_scroll(v, body);
	for (int i = 0; i < body && v->top + i < (long)av->n_shown; i++) {
		long k = v->top + i;
		const struct arec *r = &av->v[av->shown[k]];
		/* cells fitted by display width: "—" is one column, three bytes */
		struct strbuf sb = {0};
		sb_addf(&sb, " %-7lld %-24s ", (long long)r->seq, r->ts);
		const char *cells[] = {r->actor, r->action, *r->account ? r->account : "—",
				       *r->subject ? r->subject : "—"};
		static const int widths[] = {11, 18, 12, 12};
		for (size_t c = 0; c < ARRAY_SIZE(cells); c++)
			widgets_fit(&sb, cells[c], widths[c], t->utf8, 0);
		sb_adds(&sb, r->detail);
		tui_put(t, y + top + 1 + i, 0, w, k == v->cursor ? ROLE_CURSOR : ROLE_NORMAL,
			sb_str(&sb));
		sb_release(&sb);
	}
	if (!av->n_shown)
		tui_put(t, y + top + 1, 2, w - 2, ROLE_DIM,
			av->n ? "no record matches the filter" : "the audit log is empty");
}

static void show_progress(struct auditview *av)
{
	char done[32], total[32];
	units_format_count(av->walk.v.records, done, sizeof(done));
	units_format_count(av->walk.total, total, sizeof(total));
	snprintf(av->verdict, sizeof(av->verdict), " verifying %s / %s records...", done, total);
	av->verdict_bad = 0;
}

static void show_verdict(struct tui *t, struct auditview *av)
{
	const struct audit_verdict *vd = &av->walk.v;
	char n[32];
	units_format_count(vd->records, n, sizeof(n));
	if (vd->broken_seq)
		snprintf(av->verdict, sizeof(av->verdict), " CHAIN BROKEN at record %lld: %s",
			 (long long)vd->broken_seq, vd->why);
	else
		snprintf(av->verdict, sizeof(av->verdict),
			 " chain intact: %s records verified, head %.16s", n, vd->head);
	av->verdict_bad = vd->broken_seq != 0;
	tui_message(t, av->verdict_bad, "%s", av->verdict + 1);
}

/* `v`: a new walk from record 1, also when one is under way. */
static void verify_start(struct tui *t, struct auditview *av)
{
	audit_cursor_init(&av->walk);
	av->walk.total = av->total;
	av->verifying = 1;
	if (!av->slice)
		av->slice = SLICE_FIRST;
	show_progress(av);
	t->dirty = 1;
}

/* Steps of the walk until the budget is spent; the step size follows how
 * long the last one took, so one step stays well inside a frame. */
static int audit_tick(struct tui *t, struct view *v, int64_t budget_us)
{
	struct auditview *av = v->priv;
	if (!av->verifying)
		return 0;
	int64_t start = util_mono_us(), now = start;
	int rc = 1;
	while (rc == 1 && now - start < budget_us) {
		struct err e = {{0}};
		int64_t t0 = now;
		rc = audit_verify_step(t->store, &av->walk, av->slice, &e);
		now = util_mono_us();
		if (rc < 0) {
			snprintf(av->verdict, sizeof(av->verdict), " verify: %s", e.msg);
			av->verdict_bad = 1;
			tui_message(t, 1, "%s", av->verdict + 1);
			break;
		}
		int64_t took = now - t0;
		if (took < budget_us / 8 && av->slice < SLICE_MAX)
			av->slice *= 2;
		else if (took > budget_us / 2 && av->slice > SLICE_MIN)
			av->slice /= 2;
	}
	t->dirty = 1;
	if (rc == 1) {
		show_progress(av);
		return 1;
	}
	av->verifying = 0;
	if (rc == 0)
		show_verdict(t, av);
	return 0;
}

static void filter_done(struct tui *t, void *ctx, const char *text)
{
	struct view *v = ctx;
	struct auditview *av = v->priv;
	if (tui_filter_take(t, av->filter, sizeof(av->filter), text) < 0)
		return;
	v->cursor = v->top = 0;
	refilter(v);
	t->dirty = 1;
}

static int audit_request(struct tui *t, struct view *v, enum request r)
{
	struct auditview *av = v->priv;
	switch (r) {
	case REQ_VERIFY:
		verify_start(t, av);
		return 1;
	case REQ_ENTER:
		av->detail = cursor_rec(v) != NULL;
		return 1;
	case REQ_BACK:
		if (!av->detail)
			return 0;
		av->detail = 0;
		return 1;
	case REQ_FILTER:
		tui_prompt(t, "/ (text, account:, actor:, action:) ", filter_done, v);
		return 1;
	default:
		return 0;
	}
}

const struct view_ops view_audit_ops = {
	.name = "audit",
	.title = "Audit",
	.scope = KS_AUDIT,
	.open = audit_open,
	.close = audit_close,
	.reload = audit_reload,
	.draw = audit_draw,
	.request = audit_request,
	.tick = audit_tick,
};
