/* view_monitor — comparative monitoring: for each metric the plan watches,
 * the legacy and the new system side by side as sparklines over the run,
 * scaled so the plan's alert and critical thresholds sit on the same axis
 * and the newest value is coloured by the threshold it crossed; plus the
 * drift series. `o` switches between the program and one account. The
 * runner samples every monitored metric as kind=metric, name=METRIC; the
 * plan names the legacy side of METRIC as legacy_METRIC. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/cond.h"
#include "warroom/plan.h"
#include "warroom/samples.h"
#include "warroom/tui.h"
#include "warroom/widgets.h"

#define SERIES_MAX 240
#define LEGACY_PREFIX "legacy_"

struct series {
	char label[96];
	double *v;
	size_t n;
	/* the plan's thresholds as written ("< 99%" fires below), read as the
	 * runner reads them; has_ is 0 when the plan gives none or it does not
	 * parse (validate warns of that) */
	struct cond alert, critical;
	int has_alert, has_critical;
	int is_percent;
};

struct monview {
	int program_scope;
	char *account;
	struct series *s;
	size_t n, cap;
};

static void series_free(struct monview *mv)
{
	for (size_t i = 0; i < mv->n; i++)
		free(mv->s[i].v);
	free(mv->s);
	mv->s = NULL;
	mv->n = mv->cap = 0;
}

static int threshold(const char *text, struct cond *c, int *is_percent)
{
	struct err e;
	if (!text || cond_threshold_parse(text, c, &e) < 0)
		return 0;
	if (c->percent)
		*is_percent = 1;
	return 1;
}

static void add_series(struct tui *t, struct monview *mv, const char *label, const char *kind,
		       const char *name, const struct plan_metric *m)
{
	struct series s;
	memset(&s, 0, sizeof(s));
	snprintf(s.label, sizeof(s.label), "%s", label);
	if (m) {
		s.has_alert = threshold(m->alert_threshold, &s.alert, &s.is_percent);
		s.has_critical = threshold(m->critical_threshold, &s.critical, &s.is_percent);
	}
	struct err e = {{0}};
	if (dash_series(t->store, mv->program_scope ? NULL : mv->account, kind, name, SERIES_MAX,
			&s.v, &s.n, &e) < 0)
		tui_message(t, 1, "%s", e.msg);
	VEC_PUSH(mv->s, mv->n, mv->cap, s);
}

static void mon_reload(struct tui *t, struct view *v)
{
	struct monview *mv = v->priv;
	const struct account *ac = tui_account(t);
	free(mv->account);
	mv->account = ac ? xstrdup(ac->id) : NULL;
	if (!mv->account)
		mv->program_scope = 1;
	series_free(mv);
	const struct plan_monitoring *pm = t->program->plan->monitoring;
	/* the plan names the legacy side of metric X as legacy_X: pair them */
	for (size_t i = 0; pm && i < pm->n_migration_monitoring; i++) {
		const struct plan_metric *m = &pm->migration_monitoring[i];
		if (!m->metric_name || util_has_prefix(m->metric_name, LEGACY_PREFIX))
			continue;
		char legacy[160], label[96];
		snprintf(legacy, sizeof(legacy), LEGACY_PREFIX "%s", m->metric_name);
		const struct plan_metric *lm = NULL;
		for (size_t k = 0; k < pm->n_migration_monitoring; k++)
			if (util_streq(pm->migration_monitoring[k].metric_name, legacy))
				lm = &pm->migration_monitoring[k];
		snprintf(label, sizeof(label), "%s legacy", m->metric_name);
		add_series(t, mv, label, SAMPLE_METRIC, legacy, lm ? lm : m);
		snprintf(label, sizeof(label), "%s new", m->metric_name);
		add_series(t, mv, label, SAMPLE_METRIC, m->metric_name, m);
	}
	add_series(t, mv, "drift (entities)", SAMPLE_DRIFT, "entities", NULL);
	add_series(t, mv, "invariant pass rate", SAMPLE_PARITY, SAMPLE_PASS_RATE, NULL);
	v->rows = (long)mv->n;
}

static void mon_open(struct tui *t, struct view *v)
{
	(void)t;
	v->priv = xcalloc(1, sizeof(struct monview));
}

static void mon_close(struct tui *t, struct view *v)
{
	(void)t;
	struct monview *mv = v->priv;
	series_free(mv);
	free(mv->account);
	free(mv);
	v->priv = NULL;
}

static void fmt_value(double x, int pct, char *buf, size_t size)
{
	if (isnan(x))
		snprintf(buf, size, "—");
	else if (pct)
		snprintf(buf, size, "%.2f%%", x * 100);
	else
		snprintf(buf, size, "%.4g", x);
}

static void mon_draw(struct tui *t, struct view *v, int y, int x, int h, int w)
{
	(void)x;
	struct monview *mv = v->priv;
	char line[512];
	snprintf(line, sizeof(line), " Monitor  %s  (o: program or account)",
		 mv->program_scope ? "program (all accounts)" : (mv->account ? mv->account : "—"));
	tui_put(t, y, 0, w, ROLE_TITLE, line);
	tui_put(t, y + 1, 0, w, ROLE_COLUMN,
		" METRIC                    NOW        ALERT      CRITICAL   OVER THE RUN");
	int spark_x = 60, spark_w = w - spark_x - 1;
	int body = h - 2;
	tui_list_scroll(v, body);
	for (int i = 0; i < body && v->top + i < (long)mv->n; i++) {
		long k = v->top + i;
		const struct series *s = &mv->s[k];
		double now = s->n ? s->v[s->n - 1] : NAN;
		char a[24], b[192], c[192];
		fmt_value(now, s->is_percent, a, sizeof(a));
		/* as the plan reads them: "< 99%" below, "> 0.5%" over */
		if (s->has_alert)
			cond_format(&s->alert, b, sizeof(b));
		else
			snprintf(b, sizeof(b), "—");
		if (s->has_critical)
			cond_format(&s->critical, c, sizeof(c));
		else
			snprintf(c, sizeof(c), "—");
		enum theme_role role = ROLE_NORMAL;
		if (!isnan(now) && s->has_critical && cond_holds(&s->critical, now))
			role = ROLE_CRITICAL;
		else if (!isnan(now) && s->has_alert && cond_holds(&s->alert, now))
			role = ROLE_ALERT;
		int cur = k == v->cursor;
		snprintf(line, sizeof(line), " %-25s %-10s %-10s %-10s", s->label, a, b, c);
		tui_put(t, y + 2 + i, 0, spark_x, cur ? ROLE_CURSOR : role, line);
		if (!s->n) {
			tui_put(t, y + 2 + i, spark_x, spark_w, ROLE_DIM, "no samples yet");
			continue;
		}
		/* one axis from 0 to above the critical line, so crossing it shows */
		double hi = 0;
		for (size_t j = 0; j < s->n; j++)
			if (!isnan(s->v[j]) && s->v[j] > hi)
				hi = s->v[j];
		if (s->has_critical && s->critical.value * 1.25 > hi)
			hi = s->critical.value * 1.25;
		struct strbuf sb = {0};
		widgets_sparkline(&sb, s->v, s->n, 0, hi > 0 ? hi : 1, spark_w, t->utf8);
		tui_put(t, y + 2 + i, spark_x, spark_w, role == ROLE_NORMAL ? ROLE_SPARK : role,
			sb_str(&sb));
		sb_release(&sb);
	}
}

static int mon_request(struct tui *t, struct view *v, enum request r)
{
	struct monview *mv = v->priv;
	if (r == REQ_SCOPE) {
		mv->program_scope = !mv->program_scope;
		mon_reload(t, v);
		return 1;
	}
	return 0;
}

const struct view_ops view_monitor_ops = {
	.name = "monitor",
	.title = "Monitor",
	.scope = KS_MONITOR,
	.open = mon_open,
	.close = mon_close,
	.reload = mon_reload,
	.draw = mon_draw,
	.request = mon_request,
};
