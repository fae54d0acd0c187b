/* engine — decisions of a run, made from data alone. The runner feeds the
 * plan's shape and the stored states; every rule of ordering, failure,
 * rollback, waves, stop-the-line and sign-off lives here, once. */
#include "warroom/engine.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "warroom/util.h"

static const char *const step_names[ENGINE_STEP_STATE_COUNT] = {
	[ENGINE_STEP_PENDING] = "pending",   [ENGINE_STEP_RUNNING] = "running",
	[ENGINE_STEP_WAITING] = "waiting",   [ENGINE_STEP_SUCCEEDED] = "succeeded",
	[ENGINE_STEP_FAILED] = "failed",     [ENGINE_STEP_ROLLING_BACK] = "rolling_back",
	[ENGINE_STEP_ROLLED_BACK] = "rolled_back", [ENGINE_STEP_SKIPPED] = "skipped",
	[ENGINE_STEP_UNKNOWN] = "unknown",
};

static const char *const gate_names[ENGINE_GATE_STATE_COUNT] = {
	[ENGINE_GATE_PENDING] = "pending",   [ENGINE_GATE_WAITING] = "waiting",
	[ENGINE_GATE_INCONCLUSIVE] = "inconclusive", [ENGINE_GATE_PASSED] = "passed",
	[ENGINE_GATE_FAILED] = "failed",     [ENGINE_GATE_REJECTED] = "rejected",
};

static const char *const run_names[ENGINE_RUN_STATE_COUNT] = {
	[ENGINE_RUN_IDLE] = "idle",         [ENGINE_RUN_RUNNING] = "running",
	[ENGINE_RUN_WAITING] = "waiting",   [ENGINE_RUN_DONE] = "done",
	[ENGINE_RUN_FAILED] = "failed",     [ENGINE_RUN_ROLLING_BACK] = "rolling_back",
	[ENGINE_RUN_ROLLED_BACK] = "rolled_back", [ENGINE_RUN_HALTED] = "halted",
};

static const char *const response_names[] = {
	[ENGINE_RESPOND_BLOCK] = "block",
	[ENGINE_RESPOND_ROLLBACK] = "rollback",
	[ENGINE_RESPOND_MANUAL_DECISION] = "manual_decision",
};

static const char *const level_names[] = {
	[ENGINE_ROLLBACK_STEP] = "step",
	[ENGINE_ROLLBACK_PHASE] = "phase",
	[ENGINE_ROLLBACK_FULL] = "full",
};

static const char *name_of(const char *const *names, size_t n, unsigned v)
{
	return v < n && names[v] ? names[v] : "?";
}

static int parse_of(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

#define NAMES(tbl) tbl, ARRAY_SIZE(tbl)
const char *engine_step_state_name(enum engine_step_state s) { return name_of(NAMES(step_names), s); }
const char *engine_gate_state_name(enum engine_gate_state s) { return name_of(NAMES(gate_names), s); }
const char *engine_run_state_name(enum engine_run_state s) { return name_of(NAMES(run_names), s); }
const char *engine_failure_response_name(enum engine_failure_response r)
{
	return name_of(NAMES(response_names), r);
}
const char *engine_rollback_level_name(enum engine_rollback_level l)
{
	return name_of(NAMES(level_names), l);
}
int engine_step_state_parse(const char *n) { return parse_of(NAMES(step_names), n); }
int engine_gate_state_parse(const char *n) { return parse_of(NAMES(gate_names), n); }
int engine_run_state_parse(const char *n) { return parse_of(NAMES(run_names), n); }
int engine_failure_response_parse(const char *n) { return parse_of(NAMES(response_names), n); }
int engine_rollback_level_parse(const char *n) { return parse_of(NAMES(level_names), n); }

void engine_phase_span(const struct engine_run *run, size_t p, size_t *first, size_t *end)
{
	size_t i = 0;
	while (i < run->n_steps && run->steps[i].phase < p)
		i++;
	*first = i;
	while (i < run->n_steps && run->steps[i].phase == p)
		i++;
	*end = i;
}

static struct engine_next next_of(enum engine_next_kind k, size_t index, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
static struct engine_next next_of(enum engine_next_kind k, size_t index, const char *fmt, ...)
{
	struct engine_next n = {.kind = k, .index = index};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(n.why, sizeof(n.why), fmt, ap);
	va_end(ap);
	return n;
}

/* What a step in a given state means for the walk through the plan. */
enum walk { WALK_PASS, WALK_RUN, WALK_BUSY, WALK_WAIT, WALK_STOP };
static const enum walk step_walk[ENGINE_STEP_STATE_COUNT] = {
	[ENGINE_STEP_PENDING] = WALK_RUN,     [ENGINE_STEP_RUNNING] = WALK_BUSY,
	[ENGINE_STEP_WAITING] = WALK_WAIT,    [ENGINE_STEP_SUCCEEDED] = WALK_PASS,
	[ENGINE_STEP_FAILED] = WALK_STOP,     [ENGINE_STEP_ROLLING_BACK] = WALK_BUSY,
	[ENGINE_STEP_ROLLED_BACK] = WALK_STOP, [ENGINE_STEP_SKIPPED] = WALK_PASS,
	[ENGINE_STEP_UNKNOWN] = WALK_WAIT,
};

struct engine_next engine_next(const struct engine_run *run)
{
	if (run->state == ENGINE_RUN_HALTED)
		return next_of(ENGINE_NEXT_STOPPED, 0, "the run is halted");
	if (run->state == ENGINE_RUN_ROLLED_BACK)
		return next_of(ENGINE_NEXT_STOPPED, 0, "the run was rolled back");
	/* A step in flight or an unknown one anywhere blocks the whole account. */
	for (size_t i = 0; i < run->n_steps; i++) {
		const struct engine_step *s = &run->steps[i];
		if (s->state == ENGINE_STEP_UNKNOWN)
			return next_of(ENGINE_NEXT_WAIT, i,
				       "step %s is unknown (interrupted): reconcile it as done, "
				       "rerun or rollback", s->id);
		if (step_walk[s->state] == WALK_BUSY)
			return next_of(ENGINE_NEXT_BUSY, i, "step %s is %s", s->id,
				       engine_step_state_name(s->state));
	}
	for (size_t p = 0; p < run->n_phases; p++) {
		size_t first, end;
		engine_phase_span(run, p, &first, &end);
		for (size_t i = first; i < end; i++) {
			const struct engine_step *s = &run->steps[i];
			switch (step_walk[s->state]) {
			case WALK_PASS:
				continue;
			case WALK_RUN:
				if (run->postponed && (s->flags & ENGINE_STEP_CUTOVER))
					return next_of(ENGINE_NEXT_WAIT, i,
						       "wave postponed before cut-over step %s", s->id);
				return next_of(ENGINE_NEXT_STEP, i, "step %s", s->id);
			case WALK_WAIT:
				return next_of(ENGINE_NEXT_WAIT, i,
					       "step %s waits for a person (manual check or "
					       "Inconclusive result)", s->id);
			case WALK_BUSY:
				return next_of(ENGINE_NEXT_BUSY, i, "step %s is running", s->id);
			case WALK_STOP:
				return next_of(ENGINE_NEXT_STOPPED, i, "step %s %s", s->id,
					       engine_step_state_name(s->state));
			}
		}
		const struct engine_phase *ph = &run->phases[p];
		if (!ph->has_gate)
			continue;
		switch (ph->gate) {
		case ENGINE_GATE_PASSED:
			continue;
		case ENGINE_GATE_PENDING:
			return next_of(ENGINE_NEXT_GATE, p, "gate of phase %s", ph->id);
		case ENGINE_GATE_WAITING:
			return next_of(ENGINE_NEXT_WAIT, p, "gate of phase %s waits for sign-off", ph->id);
		case ENGINE_GATE_INCONCLUSIVE:
			return next_of(ENGINE_NEXT_WAIT, p,
				       "gate of phase %s is Inconclusive: a person decides", ph->id);
		case ENGINE_GATE_FAILED:
		case ENGINE_GATE_REJECTED:
		case ENGINE_GATE_STATE_COUNT:
			return next_of(ENGINE_NEXT_STOPPED, p, "gate of phase %s %s", ph->id,
				       engine_gate_state_name(ph->gate));
		}
	}
	return next_of(ENGINE_NEXT_DONE, 0, "every step and gate passed");
}

enum engine_failure_response engine_on_failure(const struct engine_run *run, size_t phase,
					       int operator_pause)
{
	if (phase >= run->n_phases || !run->phases[phase].has_gate)
		return ENGINE_RESPOND_BLOCK;
	enum engine_failure_response r = run->phases[phase].failure_response;
	if (operator_pause && r == ENGINE_RESPOND_ROLLBACK)
		return ENGINE_RESPOND_BLOCK;
	return r;
}

static int did_work(enum engine_step_state s)
{
	static const unsigned char worked[ENGINE_STEP_STATE_COUNT] = {
		[ENGINE_STEP_WAITING] = 1, [ENGINE_STEP_SUCCEEDED] = 1, [ENGINE_STEP_FAILED] = 1,
		[ENGINE_STEP_UNKNOWN] = 1, [ENGINE_STEP_ROLLING_BACK] = 1,
	};
	return (unsigned)s < ENGINE_STEP_STATE_COUNT && worked[s];
}

size_t engine_rollback_order(const struct engine_run *run, enum engine_rollback_level level,
			     size_t index, size_t *out)
{
	size_t first = 0, end = run->n_steps, n = 0;
	if (level == ENGINE_ROLLBACK_STEP) {
		if (index >= run->n_steps)
			return 0;
		first = index;
		end = index + 1;
	} else if (level == ENGINE_ROLLBACK_PHASE) {
		if (index >= run->n_phases)
			return 0;
		engine_phase_span(run, index, &first, &end);
	}
	for (size_t i = end; i > first; i--)
		if (did_work(run->steps[i - 1].state))
			out[n++] = i - 1;
	return n;
}

int engine_rollback_ready(const struct engine_run *run, char *why, size_t size)
{
	for (size_t i = 0; i < run->n_steps; i++) {
		const struct engine_step *s = &run->steps[i];
		if (!did_work(s->state) || (s->flags & ENGINE_STEP_HAS_ROLLBACK))
			continue;
		snprintf(why, size, "step %s has %s", s->id,
			 (s->flags & ENGINE_STEP_MANUAL_ROLLBACK) ? "only a manual rollback"
								  : "no rollback");
		return 0;
	}
	snprintf(why, size, "every completed step can be rolled back");
	return 1;
}

enum engine_run_state engine_run_state_of(const struct engine_run *run)
{
	if (run->state == ENGINE_RUN_HALTED || run->state == ENGINE_RUN_ROLLED_BACK)
		return run->state;
	int any_started = 0, any_rolling = 0, all_rolled = run->n_steps > 0;
	for (size_t i = 0; i < run->n_steps; i++) {
		enum engine_step_state s = run->steps[i].state;
		any_started |= s != ENGINE_STEP_PENDING;
		any_rolling |= s == ENGINE_STEP_ROLLING_BACK;
		if (s != ENGINE_STEP_ROLLED_BACK && s != ENGINE_STEP_PENDING && s != ENGINE_STEP_SKIPPED)
			all_rolled = 0;
	}
	if (any_rolling)
		return ENGINE_RUN_ROLLING_BACK;
	struct engine_next nx = engine_next(run);
	static const enum engine_run_state of_next[] = {
		[ENGINE_NEXT_STEP] = ENGINE_RUN_RUNNING, [ENGINE_NEXT_GATE] = ENGINE_RUN_RUNNING,
		[ENGINE_NEXT_BUSY] = ENGINE_RUN_RUNNING, [ENGINE_NEXT_WAIT] = ENGINE_RUN_WAITING,
		[ENGINE_NEXT_DONE] = ENGINE_RUN_DONE,    [ENGINE_NEXT_STOPPED] = ENGINE_RUN_FAILED,
	};
	if (nx.kind == ENGINE_NEXT_STOPPED && any_started && all_rolled)
		return ENGINE_RUN_ROLLED_BACK;
	if (!any_started && nx.kind == ENGINE_NEXT_STEP)
		return ENGINE_RUN_IDLE;
	return of_next[nx.kind];
}

int engine_past_selection(const struct engine_run *run, const struct engine_next *nx,
			  long stop_phase, long stop_step)
{
	if (nx->kind != ENGINE_NEXT_STEP && nx->kind != ENGINE_NEXT_GATE)
		return 0;
	if (nx->kind == ENGINE_NEXT_STEP && nx->index >= run->n_steps)
		return 0;
	size_t phase = nx->kind == ENGINE_NEXT_GATE ? nx->index : run->steps[nx->index].phase;
	if (stop_step >= 0 && (size_t)stop_step < run->n_steps)
		return nx->kind == ENGINE_NEXT_GATE ? phase >= run->steps[stop_step].phase
						    : nx->index > (size_t)stop_step;
	return stop_phase >= 0 && phase > (size_t)stop_phase;
}

int engine_past_cutover(const struct engine_run *run)
{
	if (run->state == ENGINE_RUN_HALTED)
		return 0;
	for (size_t i = 0; i < run->n_steps; i++)
		if ((run->steps[i].flags & ENGINE_STEP_CUTOVER) &&
		    run->steps[i].state == ENGINE_STEP_SUCCEEDED)
			return 1;
	return 0;
}

int engine_wave_may_launch(const struct engine_wave *w, char *why, size_t size)
{
	long cap = w->max_concurrency > 0 ? w->max_concurrency : 1;
	if (w->halted)
		return snprintf(why, size, "the wave is halted"), 0;
	if (w->postponed)
		return snprintf(why, size, "the wave is postponed"), 0;
	if (w->launched >= w->total)
		return snprintf(why, size, "every account has started"), 0;
	if (w->launched > 0 && (double)w->failed / (double)w->launched > w->failure_threshold)
		return snprintf(why, size,
				"failure ratio %zu/%zu crossed the wave's threshold %g%%: no new "
				"accounts start", w->failed, w->launched, w->failure_threshold * 100), 0;
	if ((long)w->running >= cap)
		return snprintf(why, size, "%zu running, at most %ld at once", w->running, cap), 0;
	snprintf(why, size, "may start");
	return 1;
}

int engine_stop_the_line(const struct engine_stl_limits *lim, const struct engine_stl_inputs *in,
			 char *why, size_t size)
{
	if (in->veto && *in->veto)
		return snprintf(why, size, "customer veto: %s", in->veto), 1;
	if (lim->invariant_breach >= 0 && in->invariant_fail_share >= 0 &&
	    in->invariant_fail_share > lim->invariant_breach)
		return snprintf(why, size, "invariant breach: %.3g%% failing, over the %.3g%% limit",
				in->invariant_fail_share * 100, lim->invariant_breach * 100), 1;
	if (lim->drift_unexplained_ms >= 0 && in->oldest_unexplained_drift_ms >= 0 &&
	    in->oldest_unexplained_drift_ms > lim->drift_unexplained_ms)
		return snprintf(why, size,
				"drift unexplained for %llds, over the %llds limit",
				(long long)(in->oldest_unexplained_drift_ms / 1000),
				(long long)(lim->drift_unexplained_ms / 1000)), 1;
	if (lim->error_budget_burn >= 0 && in->error_budget_burn >= 0 &&
	    in->error_budget_burn > lim->error_budget_burn)
		return snprintf(why, size, "error budget burn %.3g%%, over the %.3g%% limit",
				in->error_budget_burn * 100, lim->error_budget_burn * 100), 1;
	for (size_t i = 0; i < in->n_metrics; i++) {
		const struct engine_reading *m = &in->metrics[i];
		if (!cond_holds(&m->critical, m->value))
			continue;
		char value[48], limit[192];
		cond_format_value(&m->critical, m->value, value, sizeof(value));
		struct cond bare = m->critical;
		bare.metric[0] = '\0';
		cond_format(&bare, limit, sizeof(limit));
		return snprintf(why, size, "metric %s = %s, %s its critical threshold %s",
				m->critical.metric, value, cond_direction(&m->critical), limit), 1;
	}
	return 0;
}

int engine_signoff_stale(const struct engine_signoff *s, const char *plan_hash,
			 int64_t state_serial)
{
	return !util_streq(s->plan_hash, plan_hash) || s->state_serial != state_serial;
}

/* Distinct fresh approvers of a role: one login counts once however often it
 * signed. */
static long role_count(const char *role, const struct engine_signoff *sigs, size_t n,
		       const char *plan_hash, int64_t serial, long *stale)
{
	long count = 0;
	*stale = 0;
	for (size_t i = 0; i < n; i++) {
		if (!util_streq(sigs[i].role, role) || !sigs[i].approve)
			continue;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = util_streq(sigs[j].role, role) && sigs[j].approve &&
			       util_streq(sigs[j].login, sigs[i].login) &&
			       !engine_signoff_stale(&sigs[j], plan_hash, serial);
		if (engine_signoff_stale(&sigs[i], plan_hash, serial))
			(*stale)++;
		else if (!seen)
			count++;
	}
	return count;
}

enum engine_approval engine_gate_approval(const struct engine_approver *roles, size_t n_roles,
					  const struct engine_signoff *sigs, size_t n_sigs,
					  const char *plan_hash, int64_t state_serial, char *why,
					  size_t size)
{
	for (size_t i = 0; i < n_sigs; i++)
		if (!sigs[i].approve && !engine_signoff_stale(&sigs[i], plan_hash, state_serial)) {
			snprintf(why, size, "rejected by %s (%s)", sigs[i].login, sigs[i].role);
			return ENGINE_APPROVAL_REJECTED;
		}
	struct strbuf sb = {0};
	for (size_t r = 0; r < n_roles; r++) {
		long need = roles[r].quorum > 0 ? roles[r].quorum : 1, stale;
		long have = role_count(roles[r].role, sigs, n_sigs, plan_hash, state_serial, &stale);
		if (have >= need)
			continue;
		sb_addf(&sb, "%s%s %ld/%ld", sb.len ? ", " : "", roles[r].role, have, need);
		if (stale)
			sb_addf(&sb, " (%ld stale)", stale);
	}
	enum engine_approval a = sb.len ? ENGINE_APPROVAL_PENDING : ENGINE_APPROVAL_GRANTED;
	snprintf(why, size, "%s", sb.len ? sb_str(&sb) : "every approver role signed");
	sb_release(&sb);
	return a;
}

int engine_confirm_ok(const char *target, const char *typed)
{
	if (!target || !*target || !typed)
		return 0;
	while (isspace((unsigned char)*typed))
		typed++;
	size_t n = strlen(typed);
	while (n && isspace((unsigned char)typed[n - 1]))
		n--;
	return n == strlen(target) && strncmp(typed, target, n) == 0;
}

int engine_step_is_cutover(const char *step_id, int cutover_flag)
{
	static const char *const marks[] = {"cutover", "cut-over", "cut_over"};
	if (cutover_flag)
		return 1;
	for (size_t i = 0; step_id && i < ARRAY_SIZE(marks); i++) {
		size_t m = strlen(marks[i]);
		for (const char *p = step_id; strlen(p) >= m; p++)
			if (strncasecmp(p, marks[i], m) == 0)
				return 1;
	}
	return 0;
}
