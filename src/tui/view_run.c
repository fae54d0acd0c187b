/* view_run — one account's run: phases, steps and gates as a tree with
 * their states, durations and who ran them; a detail pane with what the
 * plan says of the selected step (description, commands, actions, checks,
 * rollback, monitoring); and the step's newest output in its own pane.
 * A step with a progress probe shows a progress bar beside it and above its
 * output. The store is read on reload and on cursor moves, never while
 * drawing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/plan.h"
#include "warroom/samples.h"
#include "warroom/store.h"
#include "warroom/tui.h"
#include "warroom/units.h"
#include "warroom/widgets.h"

#define OUTPUT_LINES 200
#define PROGRESS_W 18 /* columns of a progress bar, its percentage included */

enum tree_kind { N_PHASE, N_STEP, N_GATE };

struct tnode {
	enum tree_kind kind;
	const struct plan_phase *phase;
	const struct plan_step *step; /* N_STEP */
	int has_progress; /* N_STEP with a probe, started: progress is drawn */
	double progress;  /* 0..1 */
};

struct runview {
	char *account;
	struct tnode *nodes;
	size_t n, cap;
	struct dash_steps steps;
	char *output;        /* the selected step's output; NULL: none loaded */
	char *output_step;
};

static void build_tree(struct tui *t, struct runview *rv)
{
	rv->n = 0;
	const struct plan *p = t->program->plan;
	for (size_t i = 0; i < p->n_phases; i++) {
		const struct plan_phase *ph = &p->phases[i];
		struct tnode n = {N_PHASE, ph, NULL, 0, 0};
		VEC_PUSH(rv->nodes, rv->n, rv->cap, n);
		for (size_t k = 0; k < ph->n_steps; k++) {
			struct tnode s = {N_STEP, ph, &ph->steps[k], 0, 0};
			VEC_PUSH(rv->nodes, rv->n, rv->cap, s);
		}
		if (ph->validation_gate) {
			struct tnode g = {N_GATE, ph, NULL, 0, 0};
			VEC_PUSH(rv->nodes, rv->n, rv->cap, g);
		}
	}
}

static const struct tnode *cursor_node(struct view *v)
{
	struct runview *rv = v->priv;
	return v->cursor >= 0 && (size_t)v->cursor < rv->n ? &rv->nodes[v->cursor] : NULL;
}

/* The output pane follows the cursor; it is read here, outside drawing. */
static void load_output(struct tui *t, struct view *v)
{
	struct runview *rv = v->priv;
	const struct tnode *n = cursor_node(v);
	free(rv->output);
	free(rv->output_step);
	rv->output = NULL;
	rv->output_step = NULL;
	if (!n || n->kind != N_STEP || !rv->account)
		return;
	struct err e = {{0}};
	rv->output = dash_step_output(t->store, rv->account, n->step->step_id, OUTPUT_LINES, &e);
	if (!rv->output)
		tui_message(t, 1, "%s", e.msg);
	rv->output_step = xstrdup(n->step->step_id);
}

/* The progress of each step that has a probe, from the newest
 * "progress/STEP" metric sample the runner kept for the current attempt: a
 * running step shows where it is (0 before the first sample), a succeeded one
 * 100 %, any other ended one where it stopped. */
static void load_progress(struct tui *t, struct runview *rv)
{
	for (size_t i = 0; i < rv->n; i++) {
		struct tnode *n = &rv->nodes[i];
		if (n->kind != N_STEP || !n->step->progress || !n->step->step_id)
			continue;
		const struct dash_step *s = dash_steps_find(&rv->steps, n->step->step_id);
		if (!s || !s->state || util_streq(s->state, "pending") || !s->started_ms)
			continue;
		n->has_progress = 1;
		if (util_streq(s->state, "succeeded")) {
			n->progress = 1;
			continue;
		}
		char name[300];
		snprintf(name, sizeof(name), "progress/%s", n->step->step_id);
		struct sample sm;
		struct err e = {{0}};
		int found = samples_latest(t->store, rv->account, SAMPLE_METRIC, name, &sm, &e);
		if (found < 0) {
			tui_message(t, 1, "%s", e.msg);
		} else if (found) {
			if (sm.at_ms >= s->started_ms) /* not an earlier attempt's */
				n->progress = sm.value;
			sample_free(&sm);
		}
	}
}

static void run_reload(struct tui *t, struct view *v)
{
	struct runview *rv = v->priv;
	const struct account *ac = tui_account(t);
	if (!ac || !util_streq(rv->account, ac->id)) {
		free(rv->account);
		rv->account = ac ? xstrdup(ac->id) : NULL;
		v->cursor = v->top = 0;
	}
	build_tree(t, rv);
	v->rows = (long)rv->n;
	dash_steps_free(&rv->steps);
	struct err e = {{0}};
	if (rv->account && dash_steps_load(t->store, rv->account, &rv->steps, &e) < 0)
		tui_message(t, 1, "%s", e.msg);
	if (rv->account)
		load_progress(t, rv);
	load_output(t, v);
}

static void run_open(struct tui *t, struct view *v)
{
	(void)t;
	v->priv = xcalloc(1, sizeof(struct runview));
}

static void run_close(struct tui *t, struct view *v)
{
	(void)t;
	struct runview *rv = v->priv;
	free(rv->account);
	free(rv->nodes);
	dash_steps_free(&rv->steps);
	free(rv->output);
	free(rv->output_step);
	free(rv);
	v->priv = NULL;
}

static void node_line(struct tui *t, const struct runview *rv, const struct tnode *n,
		      struct strbuf *sb, const char **state)
{
	*state = NULL;
	if (n->kind == N_PHASE) {
		sb_addf(sb, "%s %s", n->phase->phase_id ? n->phase->phase_id : "—",
			n->phase->name ? n->phase->name : "");
		return;
	}
	if (n->kind == N_GATE) {
		const struct plan_gate *g = n->phase->validation_gate;
		sb_addf(sb, "  gate %s", g->gate_id ? g->gate_id : "—");
		return;
	}
	const struct dash_step *s = dash_steps_find(&rv->steps, n->step->step_id);
	*state = s && s->state ? s->state : "pending";
	const struct widgets_badge *b = widgets_badge(*state);
	sb_addf(sb, "  %s %-5s %s", t->utf8 ? b->symbol_utf8 : b->symbol_ascii, b->word,
		n->step->step_id ? n->step->step_id : "—");
	if (s && s->started_ms) {
		char d[32];
		int64_t end = s->finished_ms ? s->finished_ms : util_now_ms();
		units_format_duration(end - s->started_ms, d, sizeof(d));
		sb_addf(sb, "  %s", d);
	}
	if (s && s->actor)
		sb_addf(sb, "  by %s", s->actor);
	if (n->has_progress) {
		sb_adds(sb, "  ");
		widgets_progress(sb, n->progress, PROGRESS_W, t->utf8);
	}
}

static void list_lines(struct strbuf *sb, const char *label, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_addf(sb, "%s%s\n", label, v[i]);
}

static void http_lines(struct strbuf *sb, const char *label, const struct plan_http *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_addf(sb, "%s%s %s %s\n", label, h[i].name ? h[i].name : "",
			plan_http_method_name(h[i].method ? h[i].method : HTTP_GET),
			h[i].url ? h[i].url : "");
}

/* What the plan says of a step, as text lines for the detail pane. */
static void step_detail(const struct tui *t, const struct runview *rv,
			const struct plan_step *st, struct strbuf *sb)
{
	sb_addf(sb, "%s — %s\n", st->step_id, st->name ? st->name : "");
	if (st->description)
		sb_addf(sb, "%s\n", st->description);
	const struct dash_step *s = dash_steps_find(&rv->steps, st->step_id);
	if (s && s->waiting)
		sb_addf(sb, "waiting for: %s\n", s->waiting);
	if (s && s->error)
		sb_addf(sb, "error: %s\n", s->error);
	if (st->responsible_party)
		sb_addf(sb, "owner: %s\n", st->responsible_party);
	if (st->execution_details) {
		const struct plan_execution *x = st->execution_details;
		list_lines(sb, "command: ", x->commands, x->n_commands);
		list_lines(sb, "manual: ", x->manual_steps, x->n_manual_steps);
		http_lines(sb, "action: ", x->actions, x->n_actions);
		for (size_t i = 0; i < x->n_exec; i++)
			sb_addf(sb, "exec: %s\n", x->exec[i].shell ? x->exec[i].shell
					  : (x->exec[i].n_argv ? x->exec[i].argv[0] : ""));
	}
	if (st->validation) {
		const struct plan_step_validation *va = st->validation;
		list_lines(sb, "check (manual): ", va->validation_checks, va->n_validation_checks);
		list_lines(sb, "success: ", va->success_criteria, va->n_success_criteria);
		for (size_t i = 0; i < va->n_checks; i++)
			sb_addf(sb, "check: %s%s%s\n", va->checks[i].name,
				va->checks[i].condition_text ? " — " : "",
				va->checks[i].condition_text ? va->checks[i].condition_text : "");
	}
	if (st->rollback_procedure) {
		const struct plan_rollback_procedure *rb = st->rollback_procedure;
		sb_addf(sb, "rollback: %s\n", rb->can_rollback ? "possible" : "not possible");
		list_lines(sb, "rollback step: ", rb->rollback_steps, rb->n_rollback_steps);
		http_lines(sb, "rollback action: ", rb->actions, rb->n_actions);
	} else {
		sb_adds(sb, "rollback: — (none in the plan)\n");
	}
	if (st->monitoring) {
		const struct plan_step_monitoring *m = st->monitoring;
		for (size_t i = 0; i < m->n_metrics_to_watch; i++) {
			const char *alert = "—", *crit = "—";
			const struct plan_monitoring *pm = t->program->plan->monitoring;
			for (size_t k = 0; pm && k < pm->n_migration_monitoring; k++)
				if (util_streq(pm->migration_monitoring[k].metric_name,
					       m->metrics_to_watch[i])) {
					if (pm->migration_monitoring[k].alert_threshold)
						alert = pm->migration_monitoring[k].alert_threshold;
					if (pm->migration_monitoring[k].critical_threshold)
						crit = pm->migration_monitoring[k].critical_threshold;
				}
			sb_addf(sb, "metric: %s  alert %s  critical %s\n", m->metrics_to_watch[i], alert,
				crit);
		}
		list_lines(sb, "alert when: ", m->alert_conditions, m->n_alert_conditions);
	}
	if (st->progress)
		sb_addf(sb, "progress: polled from %s\n", st->progress->url);
}

/* Draws text lines (split at '\n', each wrapped) into a box region; shows
 * the last lines when tail is set (output panes scroll to the newest). */
static void draw_text(struct tui *t, const char *text, int y, int x, int h, int w, int tail,
		      enum theme_role role)
{
	char **lines = NULL;
	size_t n = 0, cap = 0;
	const char *p = text;
	while (p && *p) {
		size_t len = strcspn(p, "\n");
		char *one = xstrndup(p, len);
		char **wrapped = NULL;
		size_t nw = widgets_wrap(one, w, &wrapped);
		for (size_t i = 0; i < nw; i++)
			VEC_PUSH(lines, n, cap, wrapped[i]);
		free(wrapped);
		free(one);
		p += len;
		if (*p == '\n')
			p++;
	}
	size_t first = tail && n > (size_t)h ? n - (size_t)h : 0;
	for (size_t i = first, row = 0; i < n && row < (size_t)h; i++, row++)
		tui_put(t, y + (int)row, x, w, role, lines[i]);
	widgets_lines_free(lines, n);
}

static void run_draw(struct tui *t, struct view *v, int y, int x, int h, int w)
{
	(void)x;
	struct runview *rv = v->priv;
	const struct dash_run *r = rv->account ? dash_runs_find(&t->runs, rv->account) : NULL;
	struct strbuf sb = {0};
	sb_addf(&sb, " Run  %s  state %s", rv->account ? rv->account : "—",
		r && r->state ? r->state : "not started");
	if (r && r->halted_reason)
		sb_addf(&sb, "  halted: %s", r->halted_reason);
	tui_put(t, y, 0, w, ROLE_TITLE, sb_str(&sb));
	if (!rv->account) {
		tui_put(t, y + 2, 2, w - 2, ROLE_DIM, "no accounts in this program");
		sb_release(&sb);
		return;
	}
	int tree_w = w * 2 / 5;
	int out_h = (h - 1) / 3;
	int top_h = h - 1 - out_h - 1;
	tui_list_scroll(v, top_h);
	const struct widgets_box *box = widgets_box(t->utf8);
	for (int i = 0; i < top_h; i++) {
		long k = v->top + i;
		mvaddstr(y + 1 + i, tree_w, box->v);
		if (k >= (long)rv->n)
			continue;
		const struct tnode *n = &rv->nodes[k];
		const char *state;
		sb_reset(&sb);
		node_line(t, rv, n, &sb, &state);
		enum theme_role role = n->kind == N_PHASE ? ROLE_TITLE
				       : state          ? widgets_badge(state)->role
							: ROLE_NORMAL;
		tui_put(t, y + 1 + i, 0, tree_w, k == v->cursor ? ROLE_CURSOR : role, sb_str(&sb));
	}
	/* the detail pane */
	const struct tnode *cur = cursor_node(v);
	sb_reset(&sb);
	if (cur && cur->kind == N_STEP) {
		step_detail(t, rv, cur->step, &sb);
	} else if (cur && cur->kind == N_GATE) {
		const struct plan_gate *g = cur->phase->validation_gate;
		sb_addf(&sb, "gate %s — %s\n", g->gate_id, g->name ? g->name : "");
		list_lines(&sb, "criterion: ", g->criteria, g->n_criteria);
		for (size_t i = 0; i < g->n_checks; i++)
			sb_addf(&sb, "check: %s\n", g->checks[i].name);
		list_lines(&sb, "approver: ", g->approvers, g->n_approvers);
		sb_adds(&sb, "Enter or g opens the go/no-go checklist\n");
	} else if (cur) {
		sb_addf(&sb, "phase %s — %s\n", cur->phase->phase_id,
			cur->phase->name ? cur->phase->name : "");
		if (cur->phase->description)
			sb_addf(&sb, "%s\n", cur->phase->description);
		list_lines(&sb, "objective: ", cur->phase->objectives, cur->phase->n_objectives);
	}
	draw_text(t, sb_str(&sb), y + 1, tree_w + 2, top_h, w - tree_w - 2, 0, ROLE_NORMAL);
	/* the output pane */
	int oy = y + 1 + top_h;
	sb_reset(&sb);
	sb_addf(&sb, " output %s", rv->output_step ? rv->output_step : "");
	if (cur && cur->kind == N_STEP && cur->has_progress) {
		sb_adds(&sb, "  ");
		widgets_progress(&sb, cur->progress, PROGRESS_W, t->utf8);
	}
	tui_put(t, oy, 0, w, ROLE_COLUMN, sb_str(&sb));
	if (rv->output && *rv->output)
		draw_text(t, rv->output, oy + 1, 1, out_h, w - 1, 1, ROLE_DIM);
	else
		tui_put(t, oy + 1, 1, w - 1, ROLE_DIM,
			cur && cur->kind == N_STEP ? "no output yet" : "select a step to see its output");
	sb_release(&sb);
}

static int run_request(struct tui *t, struct view *v, enum request r)
{
	const struct tnode *n = cursor_node(v);
	if (tui_list_request(v, r)) {
		load_output(t, v);
		return 1;
	}
	switch (r) {
	case REQ_ENTER:
		if (n && n->kind == N_GATE)
			tui_show(t, TV_GATE);
		return 1;
	case REQ_VIEW_GATE:
		return 0;
	case REQ_RUN_START: {
		struct runview *rv = v->priv;
		const char *ids[1] = {rv->account};
		tui_act_start(t, ids, rv->account ? 1 : 0);
		return 1;
	}
	case REQ_ROLLBACK:
		tui_act_rollback(t, ((struct runview *)v->priv)->account);
		return 1;
	case REQ_HALT:
		tui_act_halt(t, ((struct runview *)v->priv)->account);
		return 1;
	case REQ_RESUME:
		tui_act_resume(t, ((struct runview *)v->priv)->account);
		return 1;
	case REQ_TICK:
		if (n && n->kind == N_STEP)
			tui_act_tick_step(t, ((struct runview *)v->priv)->account, n->step->step_id);
		else
			tui_message(t, 1, "select a step to tick one of its manual rows");
		return 1;
	default:
		return 0;
	}
}

const struct view_ops view_run_ops = {
	.name = "run",
	.title = "Run",
	.scope = KS_RUN,
	.open = run_open,
	.close = run_close,
	.reload = run_reload,
	.draw = run_draw,
	.request = run_request,
};
