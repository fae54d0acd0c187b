/* view_gate — the go/no-go checklist of one gate for one account: automatic
 * criteria with their measured value and verdict, manual criteria ticked by
 * a person (who, when), the approver roles and their sign-offs, stale ones
 * flagged. Signing asks for the account id typed out; only a login holding
 * one of the gate's approver roles in roster.yaml may sign or reject. The
 * runner records the sign-off, its checklist snapshot and its audit record. */
#include <stdlib.h>
#include <string.h>

#include "warroom/engine.h"
#include "warroom/plan.h"
#include "warroom/runner.h"
#include "warroom/tui.h"
#include "warroom/widgets.h"

enum row_kind { G_CHECK, G_CRITERION, G_APPROVER };

struct grow {
	enum row_kind kind;
	size_t index; /* into the gate's checks, criteria or approvers */
};

struct gateview {
	char *account;
	size_t phase;            /* index of the gate's phase in the plan */
	int have_gate;
	struct dash_gate data;
	int64_t serial;          /* the account's state serial now */
	struct grow *rows;
	size_t n, cap;
	char *sign_role;         /* the role a pending sign/reject is for */
};

static const struct plan_gate *gate_of(const struct tui *t, const struct gateview *gv)
{
	if (!gv->have_gate)
		return NULL;
	return t->program->plan->phases[gv->phase].validation_gate;
}

/* The account's current phase's gate, else the plan's first gate. */
static void pick_gate(struct tui *t, struct gateview *gv)
{
	const struct plan *p = t->program->plan;
	const struct dash_run *r = gv->account ? dash_runs_find(&t->runs, gv->account) : NULL;
	gv->have_gate = 0;
	for (size_t i = 0; i < p->n_phases; i++) {
		if (!p->phases[i].validation_gate)
			continue;
		if (!gv->have_gate || (r && util_streq(r->phase_id, p->phases[i].phase_id))) {
			gv->phase = i;
			gv->have_gate = 1;
		}
	}
}

static void step_gate(struct tui *t, struct gateview *gv, int dir)
{
	const struct plan *p = t->program->plan;
	for (size_t k = 1; gv->have_gate && k <= p->n_phases; k++) {
		size_t i = (gv->phase + p->n_phases + (size_t)((long)k * dir)) % p->n_phases;
		if (p->phases[i].validation_gate) {
			gv->phase = i;
			return;
		}
	}
}

static const struct dash_check *check_result(const struct gateview *gv, const char *name)
{
	for (size_t i = 0; i < gv->data.n_check; i++)
		if (util_streq(gv->data.check[i].name, name))
			return &gv->data.check[i];
	return NULL;
}

static const struct dash_tick *tick_of(const struct gateview *gv, const char *item)
{
	for (size_t i = 0; i < gv->data.n_tick; i++)
		if (util_streq(gv->data.tick[i].item, item))
			return &gv->data.tick[i];
	return NULL;
}

static long quorum_of(const struct plan_gate *g, const char *role)
{
	for (size_t i = 0; i < g->n_quorum; i++)
		if (util_streq(g->quorum[i].role, role))
			return (long)g->quorum[i].count;
	return 1;
}

static int signoff_stale(const struct tui *t, const struct gateview *gv,
			 const struct dash_signoff *s)
{
	struct engine_signoff es = {s->role, s->login, util_streq(s->decision, "sign"),
				    s->plan_hash, s->state_serial};
	return engine_signoff_stale(&es, t->program->plan_hash, gv->serial);
}

static void gate_reload(struct tui *t, struct view *v)
{
	struct gateview *gv = v->priv;
	const struct account *ac = tui_account(t);
	if (!ac || !util_streq(gv->account, ac->id)) {
		free(gv->account);
		gv->account = ac ? xstrdup(ac->id) : NULL;
		pick_gate(t, gv);
		v->cursor = v->top = 0;
	} else if (!gv->have_gate) {
		pick_gate(t, gv);
	}
	dash_gate_free(&gv->data);
	gv->n = 0;
	const struct plan_gate *g = gate_of(t, gv);
	if (!g || !gv->account) {
		v->rows = 0;
		return;
	}
	struct err e = {{0}};
	if (dash_gate_load(t->store, gv->account, g->gate_id, &gv->data, &e) < 0)
		tui_message(t, 1, "%s", e.msg);
	const struct dash_run *r = dash_runs_find(&t->runs, gv->account);
	gv->serial = r ? r->state_serial : 0;
	for (size_t i = 0; i < g->n_checks; i++) {
		struct grow x = {G_CHECK, i};
		VEC_PUSH(gv->rows, gv->n, gv->cap, x);
	}
	for (size_t i = 0; i < g->n_criteria; i++) {
		struct grow x = {G_CRITERION, i};
		VEC_PUSH(gv->rows, gv->n, gv->cap, x);
	}
	for (size_t i = 0; i < g->n_approvers; i++) {
		struct grow x = {G_APPROVER, i};
		VEC_PUSH(gv->rows, gv->n, gv->cap, x);
	}
	v->rows = (long)gv->n;
}

static void gate_open(struct tui *t, struct view *v)
{
	(void)t;
	v->priv = xcalloc(1, sizeof(struct gateview));
}

static void gate_close(struct tui *t, struct view *v)
{
	(void)t;
	struct gateview *gv = v->priv;
	free(gv->account);
	dash_gate_free(&gv->data);
	free(gv->rows);
	free(gv->sign_role);
	free(gv);
	v->priv = NULL;
}

static void fmt_time(int64_t ms, char *buf, size_t size)
{
	char iso[40];
	util_iso8601(ms, iso, sizeof(iso));
	/* "2026-11-23T11:20:00.000Z" -> "11-23 11:20Z" */
	if (strlen(iso) >= 16)
		snprintf(buf, size, "%.5s %.5sZ", iso + 5, iso + 11);
	else
		snprintf(buf, size, "%s", iso);
}

/* One row's text and the state its badge shows. */
static const char *row_text(const struct tui *t, const struct gateview *gv, const struct grow *r,
			    struct strbuf *sb)
{
	const struct plan_gate *g = gate_of(t, gv);
	char when[32];
	if (r->kind == G_CHECK) {
		const struct plan_check *c = &g->checks[r->index];
		const struct dash_check *res = check_result(gv, c->name);
		sb_addf(sb, "auto    %-28s ", c->name);
		if (!res) {
			sb_adds(sb, "— not evaluated yet");
			return "pending";
		}
		/* the verdict in the charter's words, as well as the badge */
		static const struct {
			const char *stored, *word;
		} verdicts[] = {{"successful", "Successful"}, {"failed", "Failed"},
				{"inconclusive", "Inconclusive"}};
		for (size_t i = 0; i < ARRAY_SIZE(verdicts); i++)
			if (util_streq(res->verdict, verdicts[i].stored))
				sb_addf(sb, "%s  ", verdicts[i].word);
		if (res->has_value)
			sb_addf(sb, "value %g  ", res->value);
		fmt_time(res->ts_ms, when, sizeof(when));
		sb_addf(sb, "at %s", when);
		if (util_streq(res->verdict, "inconclusive"))
			sb_adds(sb, "  a person decides: y signs to accept, x rejects");
		return res->verdict;
	}
	if (r->kind == G_CRITERION) {
		const char *crit = g->criteria[r->index];
		if (g->n_checks) { /* the runner's rule: checks measure, sign-off covers */
			sb_addf(sb, "note    %-28s described by the automatic checks", crit);
			return "skipped";
		}
		const struct dash_tick *tk = tick_of(gv, crit);
		sb_addf(sb, "manual  %-28s ", crit);
		if (!tk) {
			sb_adds(sb, "not ticked (t ticks)");
			return "pending";
		}
		fmt_time(tk->ts_ms, when, sizeof(when));
		sb_addf(sb, "ticked by %s at %s", tk->login, when);
		return "succeeded";
	}
	const char *role = g->approvers[r->index];
	long need = quorum_of(g, role), fresh = 0, stale = 0;
	const char *state = "pending";
	struct strbuf who = {0};
	for (size_t i = 0; i < gv->data.n_sig; i++) {
		const struct dash_signoff *s = &gv->data.sig[i];
		if (!util_streq(s->role, role))
			continue;
		int is_stale = signoff_stale(t, gv, s);
		fmt_time(s->ts_ms, when, sizeof(when));
		sb_addf(&who, " %s %s %s%s%s%s", s->login,
			util_streq(s->decision, "sign") ? "signed" : "REJECTED", when,
			is_stale ? " (STALE)" : "", s->reason ? ": " : "", s->reason ? s->reason : "");
		if (is_stale) {
			stale++;
			continue;
		}
		if (util_streq(s->decision, "reject"))
			state = "rejected";
		else
			fresh++;
	}
	if (!util_streq(state, "rejected"))
		state = fresh >= need ? "signed" : stale ? "stale" : "pending";
	size_t nm = 0;
	char *const *members = roster_role_members(&t->program->roster, role, &nm);
	sb_addf(sb, "approve %-28s %ld/%ld", role, fresh < need ? fresh : need, need);
	if (nm) {
		sb_adds(sb, " of");
		for (size_t i = 0; i < nm; i++)
			sb_addf(sb, "%s%s", i ? "," : " ", members[i]);
	}
	sb_adds(sb, sb_str(&who));
	sb_release(&who);
	return state;
}

static void gate_draw(struct tui *t, struct view *v, int y, int x, int h, int w)
{
	(void)x;
	struct gateview *gv = v->priv;
	const struct plan_gate *g = gate_of(t, gv);
	struct strbuf sb = {0};
	if (!g || !gv->account) {
		tui_put(t, y, 0, w, ROLE_TITLE, " Gate");
		tui_put(t, y + 2, 2, w - 2, ROLE_DIM,
			gv->account ? "this plan has no validation gates" : "no accounts in this program");
		return;
	}
	sb_addf(&sb, " Gate %s — %s  account %s  (< > other gates)", g->gate_id,
		g->name ? g->name : "", gv->account);
	tui_put(t, y, 0, w, ROLE_TITLE, sb_str(&sb));
	/* the approval as the engine decides it */
	struct engine_approver roles[32];
	size_t nr = 0;
	for (size_t i = 0; i < g->n_approvers && nr < 32; i++)
		roles[nr++] = (struct engine_approver){g->approvers[i], quorum_of(g, g->approvers[i])};
	struct engine_signoff *sigs = xcalloc(gv->data.n_sig + 1, sizeof(*sigs));
	for (size_t i = 0; i < gv->data.n_sig; i++) {
		const struct dash_signoff *s = &gv->data.sig[i];
		sigs[i] = (struct engine_signoff){s->role, s->login, util_streq(s->decision, "sign"),
						  s->plan_hash, s->state_serial};
	}
	char why[256] = "";
	enum engine_approval ap = engine_gate_approval(roles, nr, sigs, gv->data.n_sig,
						       t->program->plan_hash, gv->serial, why,
						       sizeof(why));
	free(sigs);
	static const struct {
		const char *word;
		enum theme_role role;
	} approval[] = {
		[ENGINE_APPROVAL_GRANTED] = {"GO: approvals complete", ROLE_OK},
		[ENGINE_APPROVAL_PENDING] = {"waiting for sign-off", ROLE_WARN},
		[ENGINE_APPROVAL_REJECTED] = {"NO-GO: rejected", ROLE_FAIL},
	};
	sb_reset(&sb);
	sb_addf(&sb, " %s%s%s", approval[ap].word, why[0] ? " — " : "", why);
	tui_put(t, y + 1, 0, w, approval[ap].role, sb_str(&sb));
	tui_put(t, y + 2, 0, w, ROLE_COLUMN, " STATE     KIND    CRITERION                    RESULT");
	int body = h - 4;
	tui_list_scroll(v, body);
	for (int i = 0; i < body && v->top + i < (long)gv->n; i++) {
		long k = v->top + i;
		sb_reset(&sb);
		const char *state = row_text(t, gv, &gv->rows[k], &sb);
		const struct widgets_badge *b = widgets_badge(state);
		char badge[32];
		snprintf(badge, sizeof(badge), " %s %s", t->utf8 ? b->symbol_utf8 : b->symbol_ascii,
			 b->word);
		int cur = k == v->cursor;
		tui_put(t, y + 3 + i, 0, 11, cur ? ROLE_CURSOR : b->role, badge);
		tui_put(t, y + 3 + i, 11, w - 11, cur ? ROLE_CURSOR : ROLE_NORMAL, sb_str(&sb));
	}
	tui_put(t, y + h - 1, 0, w, ROLE_DIM,
		" t tick a manual row  y sign (type the account id)  x reject (with a reason)");
	sb_release(&sb);
}

/* The approver role this login would sign for: the one under the cursor if
 * it holds it, else the first it holds. NULL when it holds none. */
static const char *signing_role(struct tui *t, struct view *v)
{
	struct gateview *gv = v->priv;
	const struct plan_gate *g = gate_of(t, gv);
	if (v->cursor >= 0 && (size_t)v->cursor < gv->n && gv->rows[v->cursor].kind == G_APPROVER) {
		const char *r = g->approvers[gv->rows[v->cursor].index];
		if (roster_has_role(&t->program->roster, t->login, r))
			return r;
	}
	for (size_t i = 0; i < g->n_approvers; i++)
		if (roster_has_role(&t->program->roster, t->login, g->approvers[i]))
			return g->approvers[i];
	return NULL;
}

/* The runner records the sign-off with the plan hash, the account's state
 * serial and a snapshot of the checklist, and audits it in one commit. */
static void record_signoff(struct tui *t, struct view *v, int approve, const char *reason)
{
	struct gateview *gv = v->priv;
	const struct plan_gate *g = gate_of(t, gv);
	struct err e = {{0}};
	if (!t->runner || runner_sign(t->runner, gv->account, g->gate_id, gv->sign_role, approve,
				      reason, &e) < 0) {
		tui_message(t, 1, "%s", t->runner ? e.msg : "read-only: no runner in this console");
		return;
	}
	tui_message(t, 0, "%s %s for %s as %s (recorded in the audit log)",
		    approve ? "signed" : "rejected", g->gate_id, gv->account, gv->sign_role);
	tui_reload(t);
	tui_act_continue(t, gv->account);
}

static void sign_typed(struct tui *t, void *ctx, const char *text)
{
	struct view *v = ctx;
	struct gateview *gv = v->priv;
	if (!engine_confirm_ok(gv->account, text)) {
		tui_message(t, 1, "not signed: type the account id '%s' exactly to sign", gv->account);
		return;
	}
	record_signoff(t, v, 1, NULL);
}

static void reject_typed(struct tui *t, void *ctx, const char *text)
{
	while (*text == ' ')
		text++;
	if (!*text) {
		tui_message(t, 1, "not rejected: a rejection needs a reason");
		return;
	}
	record_signoff(t, ctx, 0, text);
}

/* Manual criteria are ticked through the runner; automatic ones are
 * measured, and an Inconclusive one is decided by the approvers' sign-off. */
static void tick_row(struct tui *t, struct view *v)
{
	struct gateview *gv = v->priv;
	const struct plan_gate *g = gate_of(t, gv);
	if (v->cursor < 0 || (size_t)v->cursor >= gv->n)
		return;
	const struct grow *r = &gv->rows[v->cursor];
	if (r->kind == G_CHECK) {
		tui_message(t, 1, "automatic criteria are measured, not ticked; an Inconclusive "
				  "one is decided by signing (y) or rejecting (x)");
		return;
	}
	if (r->kind == G_APPROVER) {
		tui_message(t, 1, "approvers sign with y or reject with x");
		return;
	}
	if (g->n_checks) {
		tui_message(t, 1, "with automatic checks a gate's criteria describe them; the "
				  "approvers' sign-off covers the rest");
		return;
	}
	const char *item = g->criteria[r->index];
	struct err e = {{0}};
	if (!t->runner || runner_tick(t->runner, gv->account, NULL, g->gate_id, item, &e) < 0) {
		tui_message(t, 1, "%s", t->runner ? e.msg : "read-only: no runner");
		return;
	}
	tui_message(t, 0, "ticked '%s'", item);
	tui_reload(t);
	tui_act_continue(t, gv->account);
}

static int gate_request(struct tui *t, struct view *v, enum request r)
{
	struct gateview *gv = v->priv;
	const struct plan_gate *g = gate_of(t, gv);
	switch (r) {
	case REQ_GATE_NEXT:
	case REQ_GATE_PREV:
		step_gate(t, gv, r == REQ_GATE_NEXT ? 1 : -1);
		v->cursor = v->top = 0;
		gate_reload(t, v);
		return 1;
	case REQ_TICK:
		if (g)
			tick_row(t, v);
		return 1;
	case REQ_SIGN:
	case REQ_REJECT: {
		if (!g)
			return 1;
		const char *role = signing_role(t, v);
		if (!role) {
			struct strbuf sb = {0};
			for (size_t i = 0; i < g->n_approvers; i++)
				sb_addf(&sb, "%s%s", i ? ", " : "", g->approvers[i]);
			tui_message(t, 1, "refused: %s holds none of %s's approver roles (%s) in roster.yaml",
				    t->login, g->gate_id, sb.len ? sb_str(&sb) : "none named");
			sb_release(&sb);
			return 1;
		}
		free(gv->sign_role);
		gv->sign_role = xstrdup(role);
		char label[256];
		if (r == REQ_SIGN) {
			snprintf(label, sizeof(label), "sign %s as %s: type the account id (%s): ",
				 g->gate_id, role, gv->account);
			tui_prompt(t, label, sign_typed, v);
		} else {
			snprintf(label, sizeof(label), "reject %s as %s: reason: ", g->gate_id, role);
			tui_prompt(t, label, reject_typed, v);
		}
		return 1;
	}
	default:
		return 0;
	}
}

const struct view_ops view_gate_ops = {
	.name = "gate",
	.title = "Gate",
	.scope = KS_GATE,
	.open = gate_open,
	.close = gate_close,
	.reload = gate_reload,
	.draw = gate_draw,
	.request = gate_request,
};
