/* view_header — the two rows always on top: the program and its totals by
 * phase and wave, the invariant pass rate against the charter's threshold,
 * RPO/RTO, exceptions, freeze, the next gate due, the clocks and the T-minus
 * day of the nearest cutover window, and accounts whose integrations are
 * unhealthy once any were measured. Absent data reads "—". */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "warroom/integ.h"
#include "warroom/plan.h"
#include "warroom/tui.h"
#include "warroom/units.h"

/* "2026-11-30T02:00:00Z" -> ms; -1 when unreadable. */
static int64_t parse_iso(const char *s)
{
	if (!s)
		return -1;
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!end)
		end = strptime(s, "%Y-%m-%d", &tm);
	if (!end)
		return -1;
	return (int64_t)timegm(&tm) * 1000;
}

struct count {
	const char *name;
	long n;
};

static void count_add(struct count *c, size_t *n, size_t max, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(c[i].name, name)) {
			c[i].n++;
			return;
		}
	if (*n < max)
		c[(*n)++] = (struct count){name, 1};
}

static void add_counts(struct strbuf *sb, const struct count *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_addf(sb, "%s%s %ld", i ? " " : "", c[i].name, c[i].n);
}

int view_header_draw(struct tui *t, int w)
{
	const struct program *p = t->program;
	const struct plan *pl = p->plan;
	const struct plan_program_settings *ps = pl->program;
	struct strbuf sb = {0};
	char a[16], b[16];

	/* row 1: program, clocks, freeze, pass rate */
	int64_t now = util_now_ms();
	time_t secs = (time_t)(now / 1000);
	struct tm utc, loc;
	gmtime_r(&secs, &utc);
	localtime_r(&secs, &loc);
	char clock[64];
	strftime(clock, sizeof(clock), "%H:%M:%S UTC", &utc);
	char lclock[32];
	strftime(lclock, sizeof(lclock), "%H:%M %Z", &loc);
	double threshold = ps && ps->parity_threshold >= 0 ? ps->parity_threshold : 0.999;
	sb_addf(&sb, " %s ", ps && ps->name ? ps->name : (p->dir ? p->dir : "program"));
	sb_adds(&sb, "| pass ");
	if (t->evaluated > 0)
		sb_addf(&sb, "%.2f%% %s %.1f%%", t->pass_rate * 100,
			t->pass_rate >= threshold ? ">=" : "< ", threshold * 100);
	else
		sb_addf(&sb, "— (target %.1f%%)", threshold * 100);
	if (ps && ps->rpo_ms >= 0)
		units_format_duration(ps->rpo_ms, a, sizeof(a));
	else
		snprintf(a, sizeof(a), "—");
	if (ps && ps->rto_ms >= 0)
		units_format_duration(ps->rto_ms, b, sizeof(b));
	else
		snprintf(b, sizeof(b), "—");
	/* most telling first: narrow terminals cut the end of the line */
	sb_adds(&sb, " | exc ");
	if (t->exc_open >= 0)
		sb_addf(&sb, "%ld open, %ld expired", t->exc_open, t->exc_expired);
	else
		sb_adds(&sb, "—");
	sb_addf(&sb, " | freeze %s | RPO %s RTO %s", ps ? (ps->freeze ? "ON" : "off") : "—", a, b);
	int wide = w >= 140;
	int clock_w = (int)strlen(clock) + 2 + (wide ? (int)strlen(lclock) + 3 : 0);
	tui_put(t, 0, 0, w - clock_w, ROLE_HEADER, sb_str(&sb));
	sb_reset(&sb);
	if (wide)
		sb_addf(&sb, " %s / %s ", clock, lclock);
	else
		sb_addf(&sb, " %s ", clock);
	tui_put(t, 0, w - clock_w, clock_w, ROLE_HEADER_KEY, sb_str(&sb));

	/* row 2: accounts by wave and by phase, next gate, T-minus; the totals
	 * walk every account, so they are kept until the store changes */
	static struct {
		int64_t version;
		const struct program *program;
		char *totals;
		int64_t nearest;
	} cache = {-1, NULL, NULL, -1};
	if (cache.version != t->generation || cache.program != p || !cache.totals) {
		struct strbuf tot = {0};
		struct count waves[16], phases[16];
		size_t nw = 0, np = 0;
		int64_t nearest = -1;
		const char *gate_account = NULL, *gate_phase = NULL;
		for (size_t i = 0; i < p->n_accounts; i++) {
			const struct account *ac = &p->accounts[i];
			count_add(waves, &nw, ARRAY_SIZE(waves), ac->wave ? ac->wave : "—");
			const struct dash_run *r = dash_runs_find(&t->runs, ac->id);
			count_add(phases, &np, ARRAY_SIZE(phases),
				  r && r->phase_id ? r->phase_id : "not started");
			if (r && !gate_account && r->state && !strcmp(r->state, "waiting")) {
				gate_account = ac->id;
				gate_phase = r->phase_id;
			}
			int64_t start = parse_iso(ac->cutover_window.start);
			if (start >= now - 86400000LL && (nearest < 0 || start < nearest))
				nearest = start;
		}
		sb_adds(&tot, "next gate: ");
		if (gate_account) {
			const struct plan_phase *ph = plan_find_phase(pl, gate_phase ? gate_phase : "");
			sb_addf(&tot, "%s %s",
				ph && ph->validation_gate && ph->validation_gate->gate_id
					? ph->validation_gate->gate_id
					: (gate_phase ? gate_phase : "—"),
				gate_account);
		} else {
			sb_adds(&tot, "—");
		}
		sb_addf(&tot, " | %zu accounts | waves: ", p->n_accounts);
		add_counts(&tot, waves, nw);
		sb_adds(&tot, " | phases: ");
		add_counts(&tot, phases, np);
		struct integ_counts ic;
		integ_count(&t->latest, &ic);
		if (ic.measured > 0)
			sb_addf(&tot, " | integ: %ld deg %ld fail of %ld", ic.deg, ic.fail, ic.measured);
		free(cache.totals);
		cache.totals = sb_detach(&tot);
		cache.nearest = nearest;
		cache.version = t->generation;
		cache.program = p;
	}
	int64_t nearest = cache.nearest;
	sb_reset(&sb);
	sb_adds(&sb, " cutover ");
	if (nearest >= 0) {
		long days = (long)((nearest - now) / 86400000LL);
		if (nearest - now < 0)
			sb_adds(&sb, "T-0 (today)");
		else
			sb_addf(&sb, "T-%ld", days);
	} else {
		sb_adds(&sb, "—");
	}
	sb_addf(&sb, " | %s", cache.totals);
	tui_put(t, 1, 0, w, ROLE_HEADER, sb_str(&sb));
	sb_release(&sb);
	return 2;
}
