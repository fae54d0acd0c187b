/* runner — drives accounts through the plan: the engine decides, this file
 * acts (HTTP through http.c, commands through proc.c) and records each
 * transition and request in the store and the audit log before anything is
 * reported. Callbacks only store results and mark a job dirty; jobs advance
 * after each poll, so no callback ever re-enters the HTTP or process layer. */
#include "warroom/runner.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "warroom/audit.h"
#include "warroom/cond.h"
#include "warroom/drift.h"
#include "warroom/exceptions.h"
#include "warroom/http.h"
#include "warroom/ident.h"
#include "warroom/jsonptr.h"
#include "warroom/plan.h"
#include "warroom/proc.h"
#include "warroom/prom.h"
#include "warroom/redact.h"
#include "warroom/runs.h"
#include "warroom/samples.h"
#include "warroom/source.h"
#include "warroom/store.h"
#include "warroom/targetapi.h"
#include "warroom/template.h"
#include "warroom/units.h"

#define LEASE_STALE_MS 30000
#define HEARTBEAT_MS 2000
#define OUTPUT_CHUNK_MAX 4096
#define SAMPLE_INTERVAL_MS 15000
#define DRIFT_INTERVAL_MS 60000       /* a cut-over account's drift check, by default */
#define DRIFT_FETCH_TIMEOUT_MS 30000  /* per request of a drift check's read */
#define DRIFT_MAX_INFLIGHT 4          /* drift checks reading at once */

/* A drift check in flight. targetapi is synchronous, so the target is read
 * on a worker thread through a client of its own; the snapshot, the
 * exceptions, the sample and the audit record stay on the runner's thread,
 * which owns the store. The worker touches only this struct. */
struct drift_fetch {
	struct targetapi api; /* opened on the runner's thread, where curl was set up */
	char *account;
	struct entity_set now; /* the worker's answer */
	int rc;
	struct err e;
	atomic_int done;
	pthread_t thread;
};

static void drift_fetch_free(struct drift_fetch *f)
{
	targetapi_close(&f->api);
	entity_set_free(&f->now);
	free(f->account);
	free(f);
}

/* ---- the plan flattened: every step in run order ---------------------------------- */

struct rstep {
	const struct plan_step *step;
	const struct plan_phase *phase;
	size_t phase_index;
};

/* One operation of a job: an HTTP request, a command, or a check. */
enum op_kind { OP_HTTP, OP_EXEC, OP_PROBE, OP_METRIC };
struct op {
	enum op_kind kind;
	const struct plan_http *http;
	const struct plan_exec *exec;
	const struct plan_check *check;
};

enum job_mode { JOB_IDLE, JOB_STEP, JOB_GATE, JOB_ROLLBACK, JOB_POSTCHECK };

struct job {
	struct runner *r;
	const struct account *acct;
	char *src_url, *tgt_url; /* rendered base URLs */
	char *src_token, *tgt_token;
	char *stop_phase, *stop_step;
	int active, dirty, in_wave, launched;
	enum job_mode mode;
	/* the work in hand */
	size_t cur;            /* step index (JOB_STEP, JOB_ROLLBACK) or phase (JOB_GATE) */
	int64_t step_run, attempt, lease;
	struct op *ops;
	size_t n_ops, cap_ops, pos;
	int inflight;
	int64_t op_started_ms, deadline_mono;
	char *fail;            /* the first failure, ends actions */
	size_t n_failed, n_inconclusive;
	char *inconclusive;    /* the first Inconclusive check */
	/* a rollback in progress */
	size_t *rb_order;
	size_t rb_n, rb_pos;
	enum engine_rollback_level rb_level;
	const struct plan_rollback_level_spec *rb_spec;
	/* why the job stopped short of what the engine would do next; NULL
	 * when nothing did (a pointer: ten thousand jobs of a 512-byte buffer
	 * were 5 MB touched before a console's first frame) */
	char *note;
	int refused; /* another console holds the step */
	int start_failed; /* it could not start (a token missing, ...) */
	int64_t next_progress; /* when the step's progress probe is due (monotonic) */
	int rollback_when_idle; /* halted mid-step: roll back once the step ends */
	int counted; /* its wave outcome is counted */
	struct drift_fetch *drift; /* a drift check reading the target, or NULL */
	int64_t next_drift;        /* when the next drift check is due (monotonic) */
};

struct runner {
	struct program *prog;
	struct store *st;
	struct http *http;
	struct proc_set *procs;
	struct runner_options o;
	const char *refusal;
	char refusal_buf[256];
	struct rstep *steps;
	size_t n_steps;
	struct job *jobs; /* one per account, in accounts.yaml order */
	size_t n_jobs;
	/* a wave being run */
	char *wave;
	size_t wave_failed;
	int64_t next_heartbeat;
	int64_t next_sample;
	int sampling; /* metric samples in flight */
	/* This store's part of every Idempotency-Key: a retry or re-run repeats
	 * its keys, another store (another rehearsal) never does. */
	char nonce[65];
};

const struct program *runner_program(const struct runner *r) { return r->prog; }
struct store *runner_store(struct runner *r) { return r->st; }
const char *runner_refusal(const struct runner *r) { return r->refusal; }

/* Sets (or, with NULL, clears) why the job stopped short. */
static void job_note(struct job *j, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void job_note(struct job *j, const char *fmt, ...)
{
	free(j->note);
	j->note = NULL;
	if (!fmt)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	j->note = xstrdup(buf);
}

static void logf_(struct runner *r, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void logf_(struct runner *r, const char *fmt, ...)
{
	if (!r->o.log)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(r->o.log, fmt, ap);
	va_end(ap);
	fputc('\n', r->o.log);
	fflush(r->o.log);
}

/* ---- audit ------------------------------------------------------------------------------ */

/* Appends one record; detail is consumed. A failure to audit is reported and
 * returned: the action it describes must not be reported as done. */
static int audit(struct runner *r, const char *action, const char *account,
		 const char *subject, cJSON *detail, struct err *e)
{
	struct audit_entry en = {.action = action, .role = "operator", .account = account,
				 .subject = subject, .detail = detail,
				 .plan_hash = r->prog->plan_hash};
	int rc = audit_append(r->st, &en, NULL, e);
	cJSON_Delete(detail);
	return rc;
}

static cJSON *obj(void) { return cJSON_CreateObject(); }

/* ---- templates and tokens ---------------------------------------------------------------- */

static char *render(struct job *j, const char *s, struct err *e)
{
	struct template_vars v = {
		.account_id = j->acct->id, .account_name = j->acct->name,
		.source_base_url = j->src_url, .target_base_url = j->tgt_url,
		.source_system = account_system_name(j->acct->source.system),
	};
	char *out = template_render(s ? s : "", &v, e);
	if (!out)
		err_wrap(e, "account %s", j->acct->id);
	return out;
}

/* A token from the environment or from a file only its owner can read. */
static char *read_token(const struct account_endpoint *ep, const char *which, struct err *e)
{
	if (!ep->token_env && !ep->token_file)
		return NULL;
	char *t = source_token(ep->token_env, ep->token_env ? NULL : ep->token_file, e);
	if (!t)
		err_wrap(e, "%s token", which);
	return t;
}

/* Renders the account's base URLs and reads its tokens, once per job. */
static int job_prepare(struct job *j, struct err *e)
{
	if (j->tgt_url)
		return 0;
	struct template_vars v = {.account_id = j->acct->id, .account_name = j->acct->name};
	const struct account_endpoint *eps[2] = {&j->acct->source, &j->acct->target};
	char **urls[2] = {&j->src_url, &j->tgt_url};
	char **toks[2] = {&j->src_token, &j->tgt_token};
	static const char *const names[2] = {"source", "target"};
	for (int i = 0; i < 2; i++) {
		if (eps[i]->base_url && !(*urls[i] = template_render(eps[i]->base_url, &v, e)))
			return err_wrap(e, "account %s %s.base_url", j->acct->id, names[i]);
		e->msg[0] = 0;
		*toks[i] = read_token(eps[i], names[i], e);
		if (!*toks[i] && e->msg[0])
			return err_wrap(e, "account %s", j->acct->id);
	}
	return 0;
}

/* ---- building the engine's view from the store ----------------------------------------------- */

static unsigned step_flags(const struct plan_step *s)
{
	unsigned f = 0;
	if (engine_step_is_cutover(s->step_id, 0))
		f |= ENGINE_STEP_CUTOVER;
	const struct plan_rollback_procedure *rp = s->rollback_procedure;
	if (rp && (rp->n_actions || rp->n_exec))
		f |= ENGINE_STEP_HAS_ROLLBACK;
	else if (rp && rp->n_rollback_steps)
		f |= ENGINE_STEP_MANUAL_ROLLBACK;
	return f;
}

static enum engine_failure_response response_of(const struct plan_gate *g)
{
	static const enum engine_failure_response map[] = {
		[FAILURE_RESPONSE_NONE] = ENGINE_RESPOND_BLOCK, [FAILURE_BLOCK] = ENGINE_RESPOND_BLOCK,
		[FAILURE_ROLLBACK] = ENGINE_RESPOND_ROLLBACK,
		[FAILURE_MANUAL_DECISION] = ENGINE_RESPOND_MANUAL_DECISION,
	};
	return g ? map[g->failure_response] : ENGINE_RESPOND_BLOCK;
}

/* The account's run as the engine sees it; *rows gets the newest step rows
 * (caller frees with runs_step_list_free), indexed like run->steps. */
struct view {
	struct engine_run run;
	struct runs_step *rows;
	size_t n_rows;
	struct runs_step **row_of; /* per step, NULL when never started */
	struct runs_summary sum;
	int have_sum;
};

static void view_free(struct view *v)
{
	free(v->run.steps);
	free(v->run.phases);
	free(v->row_of);
	runs_step_list_free(v->rows, v->n_rows);
	if (v->have_sum)
		runs_summary_free(&v->sum);
	memset(v, 0, sizeof(*v));
}

static int view_load(struct runner *r, const char *account, struct view *v, struct err *e)
{
	memset(v, 0, sizeof(*v));
	const struct plan *p = r->prog->plan;
	v->run.n_phases = p->n_phases;
	v->run.phases = xcalloc(p->n_phases ? p->n_phases : 1, sizeof(*v->run.phases));
	v->run.n_steps = r->n_steps;
	v->run.steps = xcalloc(r->n_steps ? r->n_steps : 1, sizeof(*v->run.steps));
	v->row_of = xcalloc(r->n_steps ? r->n_steps : 1, sizeof(*v->row_of));
	for (size_t i = 0; i < p->n_phases; i++) {
		const struct plan_gate *g = p->phases[i].validation_gate;
		v->run.phases[i] = (struct engine_phase){p->phases[i].phase_id, g != NULL,
							 ENGINE_GATE_PENDING, response_of(g)};
	}
	for (size_t i = 0; i < r->n_steps; i++)
		v->run.steps[i] = (struct engine_step){r->steps[i].step->step_id,
						       r->steps[i].phase_index,
						       step_flags(r->steps[i].step), ENGINE_STEP_PENDING};
	if (runs_steps(r->st, account, &v->rows, &v->n_rows, e) < 0)
		return -1;
	for (size_t k = 0; k < v->n_rows; k++)
		for (size_t i = 0; i < r->n_steps; i++)
			if (strcmp(v->rows[k].step_id, v->run.steps[i].id) == 0) {
				v->run.steps[i].state = v->rows[k].state;
				v->row_of[i] = &v->rows[k];
			}
	struct runs_gate *gates = NULL;
	size_t ng = 0;
	if (runs_gates(r->st, account, &gates, &ng, e) < 0)
		return -1;
	for (size_t k = 0; k < ng; k++)
		for (size_t i = 0; i < p->n_phases; i++) {
			const struct plan_gate *g = p->phases[i].validation_gate;
			if (g && util_streq(g->gate_id, gates[k].gate_id))
				v->run.phases[i].gate = gates[k].state;
		}
	runs_gate_list_free(gates, ng);
	int got = runs_get(r->st, account, &v->sum, e);
	if (got < 0)
		return -1;
	v->have_sum = got;
	if (got && v->sum.halted_reason)
		v->run.state = ENGINE_RUN_HALTED;
	if (got && v->sum.wave && *v->sum.wave) {
		struct runs_wave w;
		if (runs_wave_get(r->st, v->sum.wave, &w, e) < 0)
			return -1;
		v->run.postponed = strcmp(w.state, "postponed") == 0;
	}
	return 0;
}

/* Stores the run state the steps imply, with where the account is. */
static int persist_run_state(struct runner *r, struct job *j, const char *phase,
			     const char *step, struct err *e)
{
	struct view v;
	if (view_load(r, j->acct->id, &v, e) < 0) {
		view_free(&v);
		return -1;
	}
	enum engine_run_state s = engine_run_state_of(&v.run);
	int rc = 0;
	if (s != ENGINE_RUN_HALTED)
		rc = runs_set_state(r->st, j->acct->id, s, phase, step, e);
	view_free(&v);
	return rc;
}

/* ---- manual checklist rows ------------------------------------------------------------------ */

struct rows {
	const char *const *v[4];
	size_t n[4];
	size_t k;
};

/* A step's manual rows: its manual_steps always; its commands when it has
 * no actions or exec (then they are prose for a person); its
 * validation_checks and success_criteria when it has no automatic checks
 * (otherwise they describe those checks). */
static void rows_of_step(const struct plan_step *s, struct rows *out)
{
	memset(out, 0, sizeof(*out));
	const struct plan_execution *x = s->execution_details;
	int executable = x && (x->n_actions || x->n_exec);
	if (x) {
		out->v[out->k] = (const char *const *)x->manual_steps;
		out->n[out->k++] = x->n_manual_steps;
	}
	if (x && !executable) {
		out->v[out->k] = (const char *const *)x->commands;
		out->n[out->k++] = x->n_commands;
	}
	if (s->validation && !s->validation->n_checks) {
		out->v[out->k] = (const char *const *)s->validation->validation_checks;
		out->n[out->k++] = s->validation->n_validation_checks;
		out->v[out->k] = (const char *const *)s->validation->success_criteria;
		out->n[out->k++] = s->validation->n_success_criteria;
	}
}

/* A gate's criteria are manual rows when it has no automatic checks; with
 * checks they describe them, and the approvers' sign-off covers the rest. */
static void rows_of_gate(const struct plan_gate *g, struct rows *out)
{
	memset(out, 0, sizeof(*out));
	out->v[0] = (const char *const *)g->criteria;
	out->n[0] = g->n_checks ? 0 : g->n_criteria;
	out->k = 1;
}

static size_t rows_count(const struct rows *rw)
{
	size_t n = 0;
	for (size_t i = 0; i < rw->k; i++)
		n += rw->n[i];
	return n;
}

static const char *rows_at(const struct rows *rw, size_t idx)
{
	for (size_t i = 0; i < rw->k; i++) {
		if (idx < rw->n[i])
			return rw->v[i][idx];
		idx -= rw->n[i];
	}
	return NULL;
}

/* The unticked rows, "1. text; 3. text" in *missing (caller frees); count. */
static int rows_unticked(struct runner *r, const char *account, const char *scope,
			 const char *scope_id, const struct rows *rw, char **missing, struct err *e)
{
	struct strbuf sb = {0};
	int n = 0;
	for (size_t i = 0; i < rows_count(rw); i++) {
		int t = runs_ticked(r->st, account, scope, scope_id, rows_at(rw, i), e);
		if (t < 0) {
			sb_release(&sb);
			return -1;
		}
		if (!t) {
			sb_addf(&sb, "%s%zu. %s", n ? "; " : "", i + 1, rows_at(rw, i));
			n++;
		}
	}
	*missing = sb_detach(&sb);
	return n;
}

/* A JSON array of the rows with their tick state: signed into the audit log. */
static cJSON *rows_snapshot(struct runner *r, const char *account, const char *scope,
			    const char *scope_id, const struct rows *rw)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < rows_count(rw); i++) {
		struct err e = {{0}};
		cJSON *o = obj();
		cJSON_AddStringToObject(o, "item", rows_at(rw, i));
		cJSON_AddBoolToObject(o, "ticked",
				      runs_ticked(r->st, account, scope, scope_id, rows_at(rw, i), &e) == 1);
		cJSON_AddItemToArray(a, o);
	}
	return a;
}

/* ---- jobs: operations ------------------------------------------------------------------------- */

static void job_clear_ops(struct job *j)
{
	free(j->ops);
	j->ops = NULL;
	j->n_ops = j->cap_ops = j->pos = 0;
	free(j->fail);
	free(j->inconclusive);
	j->fail = j->inconclusive = NULL;
	j->n_failed = j->n_inconclusive = 0;
}

static void add_op(struct job *j, struct op o) { VEC_PUSH(j->ops, j->n_ops, j->cap_ops, o); }

static void add_actions(struct job *j, const struct plan_http *a, size_t na,
			const struct plan_exec *x, size_t nx)
{
	for (size_t i = 0; i < na; i++)
		add_op(j, (struct op){.kind = OP_HTTP, .http = &a[i]});
	for (size_t i = 0; i < nx; i++)
		add_op(j, (struct op){.kind = OP_EXEC, .exec = &x[i]});
}

static void add_checks(struct job *j, const struct plan_check *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		add_op(j, (struct op){.kind = c[i].http ? OP_PROBE : OP_METRIC, .check = &c[i]});
}

static const char *job_subject(const struct job *j)
{
	if (j->mode == JOB_GATE)
		return j->r->prog->plan->phases[j->cur].validation_gate->gate_id;
	if (j->mode == JOB_POSTCHECK)
		return engine_rollback_level_name(j->rb_level);
	return j->r->steps[j->cur].step->step_id;
}

static void job_output(struct job *j, const char *stream, const char *text, size_t len)
{
	if (j->step_run <= 0 || j->mode == JOB_GATE || j->mode == JOB_POSTCHECK)
		return;
	struct err e = {{0}};
	if (len > OUTPUT_CHUNK_MAX)
		len = OUTPUT_CHUNK_MAX;
	if (runs_output_append(j->r->st, j->step_run, j->acct->id, job_subject(j), stream, text,
			       len, &e) < 0)
		logf_(j->r, "warning: %s: %s", j->acct->id, e.msg);
}

static void op_failed(struct job *j, const char *fmt, ...) PRINTF_LIKE(2, 3);
static void op_failed(struct job *j, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct strbuf sb = {0};
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	if (!j->fail)
		j->fail = sb_detach(&sb);
	sb_release(&sb);
	j->n_failed++;
}

static void op_inconclusive(struct job *j, const char *why)
{
	if (!j->inconclusive)
		j->inconclusive = xstrdup(why);
	j->n_inconclusive++;
}

static int status_expected(const struct plan_http *h, long status)
{
	if (!h->n_expect_status)
		return status >= 200 && status < 300;
	for (size_t i = 0; i < h->n_expect_status; i++)
		if (h->expect_status[i] == status)
			return 1;
	return 0;
}

static const char *method_of(const struct plan_http *h)
{
	return h->method ? plan_http_method_name(h->method) : "GET";
}

/* The context of one request in flight. */
struct rq_ctx {
	struct job *j;
	size_t op;
	char *method, *url; /* for messages */
	char *metric_pointer; /* OP_METRIC over http_json; NULL: Prometheus */
	int rollback;
};

static void on_attempt(void *ctx, const struct http_request *rq, const struct http_result *res)
{
	struct rq_ctx *c = ctx;
	struct job *j = c->j;
	char *url = redact_text(rq->url);
	cJSON *d = obj();
	cJSON_AddStringToObject(d, "method", rq->method);
	cJSON_AddStringToObject(d, "url", url);
	cJSON_AddNumberToObject(d, "status", (double)res->status);
	cJSON_AddNumberToObject(d, "duration_ms", (double)res->duration_ms);
	cJSON_AddNumberToObject(d, "size", (double)res->len);
	cJSON_AddNumberToObject(d, "attempt", res->attempt);
	if (res->error[0])
		cJSON_AddStringToObject(d, "error", res->error);
	if (res->retry_in_ms >= 0)
		cJSON_AddNumberToObject(d, "retry_in_ms", (double)res->retry_in_ms);
	if (c->rollback)
		cJSON_AddBoolToObject(d, "rollback", 1);
	struct err e = {{0}};
	if (audit(j->r, "http.request", j->acct->id, job_subject(j), d, &e) < 0)
		logf_(j->r, "error: %s: %s", j->acct->id, e.msg);
	char line[1024];
	int n = snprintf(line, sizeof(line), "%s %s -> %ld in %lld ms (%zu bytes)%s%s\n", rq->method,
			 url, res->status, (long long)res->duration_ms, res->len,
			 res->error[0] ? ": " : "", res->error);
	job_output(j, "http", line, n < 0 ? 0 : (size_t)n >= sizeof(line) ? sizeof(line) - 1 : (size_t)n);
	free(url);
}

/* A metric measurement kept for the console's trends and stop-the-line. */
static void metric_sample(struct runner *r, const char *account, const char *metric, double value)
{
	struct sample s = {.account = (char *)account, .kind = (char *)SAMPLE_METRIC,
			   .name = (char *)metric, .value = value};
	struct err e = {{0}};
	if (samples_append(r->st, &s, &e) < 0)
		logf_(r, "warning: %s", e.msg);
}

/* The store's spelling of a verdict. */
static const char *verdict_column(enum cond_verdict v)
{
	static const char *const names[] = {[COND_SUCCESSFUL] = "successful",
					    [COND_FAILED] = "failed",
					    [COND_INCONCLUSIVE] = "inconclusive"};
	return names[v];
}

static void check_record(struct job *j, const struct plan_check *c, enum cond_verdict v,
			 const double *value, const char *detail)
{
	struct err e = {{0}};
	const char *scope = j->mode == JOB_GATE ? "gate" : "step";
	if (runs_check_result(j->r->st, j->acct->id, scope, job_subject(j), c->name,
			      verdict_column(v), value, detail, &e) < 0)
		logf_(j->r, "error: %s: %s", j->acct->id, e.msg);
	cJSON *d = obj();
	cJSON_AddStringToObject(d, "check", c->name ? c->name : "");
	cJSON_AddStringToObject(d, "verdict", cond_verdict_name(v));
	if (value)
		cJSON_AddNumberToObject(d, "value", *value);
	cJSON_AddStringToObject(d, "detail", detail);
	if (audit(j->r, "check.result", j->acct->id, job_subject(j), d, &e) < 0)
		logf_(j->r, "error: %s: %s", j->acct->id, e.msg);
	logf_(j->r, "%s %s: check %s: %s (%s)", j->acct->id, job_subject(j), c->name,
	      cond_verdict_name(v), detail);
	if (v == COND_FAILED)
		op_failed(j, "check %s failed: %s", c->name, detail);
	else if (v == COND_INCONCLUSIVE) {
		char why[512];
		snprintf(why, sizeof(why), "check %s is Inconclusive: %s", c->name, detail);
		op_inconclusive(j, why);
	}
}

/* A probe's verdict: status, then each assertion on the JSON answer. */
static void probe_verdict(struct job *j, const struct plan_check *c, const char *url,
			  const struct http_result *res)
{
	const struct plan_http *h = c->http;
	char detail[512];
	if (!res->status) {
		snprintf(detail, sizeof(detail), "no answer: %s", res->error);
		check_record(j, c, COND_INCONCLUSIVE, NULL, detail);
		return;
	}
	if (!status_expected(h, res->status)) {
		snprintf(detail, sizeof(detail), "%s %.400s answered %ld", method_of(h), url,
			 res->status);
		check_record(j, c, COND_FAILED, NULL, detail);
		return;
	}
	if (!h->n_asserts) {
		snprintf(detail, sizeof(detail), "status %ld", res->status);
		check_record(j, c, COND_SUCCESSFUL, NULL, detail);
		return;
	}
	cJSON *doc = cJSON_ParseWithLength(res->body, res->len);
	if (!doc) {
		snprintf(detail, sizeof(detail), "the answer is not JSON (%zu bytes)", res->len);
		check_record(j, c, COND_INCONCLUSIVE, NULL, detail);
		return;
	}
	enum cond_verdict v = COND_SUCCESSFUL;
	snprintf(detail, sizeof(detail), "status %ld, %zu assertions hold", res->status,
		 h->n_asserts);
	for (size_t i = 0; i < h->n_asserts && v == COND_SUCCESSFUL; i++) {
		const struct plan_assert *a = &h->asserts[i];
		struct err e = {{0}};
		char *want = render(j, a->value, &e);
		const cJSON *got = want ? jsonptr_get(doc, a->pointer, &e) : NULL;
		int holds = got ? cond_assert_json(got, a->op, want, &e) : -1;
		if (holds != 1) {
			v = COND_FAILED;
			if (holds == 0) {
				char *shown = cJSON_PrintUnformatted(got);
				snprintf(detail, sizeof(detail), "%s is %s, wanted %s %s", a->pointer,
					 shown ? shown : "?", cond_op_name(a->op), want);
				free(shown);
			} else {
				snprintf(detail, sizeof(detail), "%.100s: %.300s", a->pointer, e.msg);
			}
		}
		free(want);
	}
	cJSON_Delete(doc);
	check_record(j, c, v, NULL, detail);
}

static int metric_value(const struct http_result *res, const char *pointer, double *value,
			struct err *e);

static void metric_verdict(struct job *j, const struct rq_ctx *c, const struct plan_check *chk,
			   const struct http_result *res)
{
	char detail[512];
	double value = 0;
	struct err e = {{0}};
	int have = 0;
	if (res->status >= 300)
		snprintf(detail, sizeof(detail), "metric source %.200s answered %ld", c->url,
			 res->status);
	else if (metric_value(res, c->metric_pointer, &value, &e) < 0)
		snprintf(detail, sizeof(detail), "metric source %.150s: %.300s", c->url, e.msg);
	else
		have = 1;
	enum cond_verdict v = cond_verdict_of(chk->condition, chk->failure_condition, have, value);
	if (have)
		snprintf(detail, sizeof(detail), "%s = %g (%s)", chk->condition->metric, value,
			 chk->condition_text ? chk->condition_text : "");
	check_record(j, chk, v, have ? &value : NULL, detail);
	if (have)
		metric_sample(j->r, j->acct->id, chk->condition->metric, value);
}

static void on_done(void *ctx, const struct http_result *res)
{
	struct rq_ctx *c = ctx;
	struct job *j = c->j;
	const struct op *o = &j->ops[c->op];
	if (o->kind == OP_HTTP) {
		if (!res->status)
			op_failed(j, "%s", res->error);
		else if (!status_expected(o->http, res->status))
			op_failed(j, "%s %s answered %ld%s%.200s", c->method, c->url, res->status,
				  res->len ? ": " : "", res->len ? res->body : "");
	} else if (o->kind == OP_PROBE) {
		probe_verdict(j, o->check, c->url, res);
	} else {
		metric_verdict(j, c, o->check, res);
	}
	j->inflight = 0;
	j->dirty = 1;
	free(c->method);
	free(c->url);
	free(c->metric_pointer);
	free(c);
}

struct proc_ctx {
	struct job *j;
	char *desc;
	int rollback;
};

static void on_proc_output(void *ctx, const char *stream, const char *data, size_t n)
{
	job_output(((struct proc_ctx *)ctx)->j, stream, data, n);
}

static void on_proc_done(void *ctx, const struct proc_result *res)
{
	struct proc_ctx *c = ctx;
	struct job *j = c->j;
	cJSON *d = obj();
	cJSON_AddStringToObject(d, "argv", c->desc);
	cJSON_AddNumberToObject(d, "exit_code", res->exit_code);
	if (res->signal)
		cJSON_AddNumberToObject(d, "signal", res->signal);
	if (res->timed_out)
		cJSON_AddBoolToObject(d, "timed_out", 1);
	cJSON_AddNumberToObject(d, "duration_ms", (double)res->duration_ms);
	if (res->error[0])
		cJSON_AddStringToObject(d, "error", res->error);
	if (c->rollback)
		cJSON_AddBoolToObject(d, "rollback", 1);
	struct err e = {{0}};
	if (audit(j->r, "exec", j->acct->id, job_subject(j), d, &e) < 0)
		logf_(j->r, "error: %s: %s", j->acct->id, e.msg);
	if (res->error[0])
		op_failed(j, "%s", res->error);
	else if (res->timed_out)
		op_failed(j, "%s timed out after %lld ms", c->desc, (long long)res->duration_ms);
	else if (res->signal)
		op_failed(j, "%s was killed by signal %d", c->desc, res->signal);
	else if (res->exit_code != 0)
		op_failed(j, "%s exited %d", c->desc, res->exit_code);
	j->inflight = 0;
	j->dirty = 1;
	free(c->desc);
	free(c);
}

/* Request headers: the plan's, rendered, plus the account's token for its
 * own base URLs. */
static char **build_headers(struct job *j, const struct schema_kv *kv, size_t n, const char *url,
			    size_t *count, struct err *e)
{
	char **h = xcalloc(n + 2, sizeof(*h));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char *v = render(j, kv[i].value, e);
		if (!v) {
			for (size_t m = 0; m < k; m++)
				free(h[m]);
			free(h);
			return NULL;
		}
		h[k++] = xasprintf("%s: %s", kv[i].key, v);
		free(v);
	}
	/* The longest base URL the request falls under names whose token it
	 * carries: a source may live under its target's address (as in the
	 * simulator), never the other way round. */
	size_t src_len = j->src_url && util_has_prefix(url, j->src_url) ? strlen(j->src_url) : 0;
	size_t tgt_len = j->tgt_url && util_has_prefix(url, j->tgt_url) ? strlen(j->tgt_url) : 0;
	if (src_len > tgt_len && j->src_token) {
		enum source_system sys;
		struct err ignored = {{0}};
		const char *scheme = source_system_parse(account_system_name(j->acct->source.system), &sys,
							 &ignored) == 0
					     ? source_auth_prefix(sys)
					     : "Bearer ";
		h[k++] = xasprintf("Authorization: %s%s", scheme, j->src_token);
	} else if (tgt_len > 0 && tgt_len >= src_len && j->tgt_token) {
		h[k++] = xasprintf("Authorization: Bearer %s", j->tgt_token);
	}
	*count = k;
	return h;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n && v; i++)
		free(v[i]);
	free(v);
}

static int64_t op_timeout(const struct job *j, int64_t own)
{
	if (own > 0)
		return own;
	if (j->mode == JOB_STEP || j->mode == JOB_ROLLBACK) {
		int64_t t = j->r->steps[j->cur].step->timeout_ms;
		return t > 0 ? t : 300000;
	}
	return 30000;
}

/* Where a monitored metric's value is read: the URL (a Prometheus instant
 * query, or an HTTP JSON endpoint with *pointer set), and the source's
 * headers. source overrides the metric's own source name. */
static int metric_request(struct job *j, const struct plan_metric *m, const char *source,
			  char **url, char **pointer, const struct schema_kv **kv, size_t *nkv,
			  struct err *e)
{
	const char *name = source ? source : m->source;
	const struct plan_metric_source *src =
		name ? plan_find_metric_source(j->r->prog->plan, name) : NULL;
	if (!src)
		return err_set(e, "metric %s has no metric source", m->metric_name);
	char *base = render(j, src->url, e);
	if (!base)
		return -1;
	*pointer = NULL;
	if (src->type == METRIC_SOURCE_PROMETHEUS) {
		char *q = render(j, m->query ? m->query : m->metric_name, e);
		if (!q) {
			free(base);
			return -1;
		}
		*url = prom_query_url(base, q);
		free(q);
		free(base);
	} else {
		*url = base;
		*pointer = xstrdup(m->pointer ? m->pointer : "");
	}
	*kv = src->headers;
	*nkv = src->n_headers;
	return 0;
}

/* A metric's value from an answer: Prometheus reduced (prom.h), or the
 * number at pointer. 0 with *value, -1 with e. */
static int metric_value(const struct http_result *res, const char *pointer, double *value,
			struct err *e)
{
	if (!res->status || res->status >= 300)
		return err_set(e, "%s", res->error[0] ? res->error : "no value");
	if (!pointer)
		return prom_parse_value(res->body, res->len, value, e);
	cJSON *doc = cJSON_ParseWithLength(res->body, res->len);
	if (!doc)
		return err_set(e, "the answer is not JSON");
	int rc = jsonptr_number(doc, pointer, value, e);
	cJSON_Delete(doc);
	return rc;
}

/* Submits an HTTP operation; metric checks resolve their source first. */
static int start_http(struct job *j, size_t idx, struct err *e)
{
	const struct op *o = &j->ops[idx];
	const struct plan *p = j->r->prog->plan;
	const struct plan_http *h = o->kind == OP_METRIC ? NULL : o->kind == OP_HTTP ? o->http
											: o->check->http;
	struct rq_ctx *c = xcalloc(1, sizeof(*c));
	c->j = j;
	c->op = idx;
	c->rollback = j->mode == JOB_ROLLBACK;
	char *body = NULL, **hdrs = NULL;
	size_t nh = 0;
	const struct schema_kv *kv = h ? h->headers : NULL;
	size_t nkv = h ? h->n_headers : 0;
	if (o->kind == OP_METRIC) {
		const struct plan_check *chk = o->check;
		const struct plan_metric *m = plan_find_metric(p, chk->condition->metric);
		if (!m) {
			free(c);
			return err_set(e, "check %s: %s is not a monitored metric", chk->name,
				       chk->condition->metric);
		}
		if (metric_request(j, m, chk->source, &c->url, &c->metric_pointer, &kv, &nkv, e) < 0) {
			free(c);
			return err_wrap(e, "check %s", chk->name);
		}
		c->method = xstrdup("GET");
	} else {
		c->method = xstrdup(method_of(h));
		c->url = render(j, h->url, e);
		if (!c->url || (h->body && !(body = render(j, h->body, e)))) {
			free(c->url);
			free(c->method);
			free(c);
			return -1;
		}
	}
	hdrs = build_headers(j, kv, nkv, c->url, &nh, e);
	if (!hdrs) {
		free(body);
		free(c->url);
		free(c->method);
		free(c->metric_pointer);
		free(c);
		return -1;
	}
	int idem = h ? h->idempotent : 1;
	int64_t retries = h && h->retries >= 0 ? h->retries
		: (j->mode == JOB_STEP && j->r->steps[j->cur].step->retries >= 0)
			? j->r->steps[j->cur].step->retries
			: idem ? 2 : 0;
	char parts[600], key[65];
	snprintf(parts, sizeof(parts), "%s/%s/%s/%lld/%zu%s", j->r->nonce, j->acct->id, job_subject(j),
		 (long long)j->attempt, idx, j->mode == JOB_ROLLBACK ? "/rollback" : "");
	http_idempotency_key(parts, key);
	struct http_request rq = {
		.method = c->method, .url = c->url, .headers = (const char *const *)hdrs,
		.n_headers = nh, .body = body, .idempotent = idem, .retries = (int)retries,
		.timeout_ms = op_timeout(j, h ? h->timeout_ms : -1),
		.deadline_ms = j->deadline_mono, .idempotency_key = key,
	};
	int64_t id = http_submit(j->r->http, &rq, on_attempt, on_done, c, e);
	free(body);
	free_strv(hdrs, nh);
	if (id < 0) {
		free(c->url);
		free(c->method);
		free(c->metric_pointer);
		free(c);
		return -1;
	}
	j->inflight = 1;
	return 0;
}

/* A step's command inherits the runner's environment plus WARROOM_PROGRAM,
 * WARROOM_DB and WARROOM_ACCOUNT, so a step running a warroom command
 * (`warroom integrations`, `warroom source check`, ...) works on this
 * program, this database and this account; and, when the account names its
 * own source token, that token under the source system's usual variable
 * (PAGERDUTY_TOKEN, ...), so `warroom source check SYSTEM` reads the
 * account's own data. They are set only around the fork: the runner's own
 * process keeps its environment. */
enum { EXEC_VARS = 4 };
static void exec_env(struct job *j, char **saved, int set)
{
	struct runner *r = j->r;
	enum source_system sys;
	const char *tok_var = source_system_parse(account_system_name(j->acct->source.system), &sys,
						  NULL) == 0 && j->src_token
				      ? source_token_env(sys)
				      : NULL;
	const char *names[EXEC_VARS] = {"WARROOM_PROGRAM", "WARROOM_DB", "WARROOM_ACCOUNT", tok_var};
	const char *now[EXEC_VARS] = {r->prog->dir, store_path(r->st), j->acct->id, j->src_token};
	for (size_t i = 0; i < EXEC_VARS; i++) {
		if (!names[i])
			continue;
		if (set) {
			const char *v = getenv(names[i]);
			saved[i] = v ? xstrdup(v) : NULL;
			if (now[i])
				setenv(names[i], now[i], 1);
		} else {
			if (saved[i])
				setenv(names[i], saved[i], 1);
			else
				unsetenv(names[i]);
			free(saved[i]);
		}
	}
}

static int start_exec(struct job *j, const struct plan_exec *x, struct err *e)
{
	struct proc_spec spec = {.timeout_ms = op_timeout(j, x->timeout_ms)};
	char **argv = NULL, *shell = NULL;
	if (x->shell) {
		if (!(shell = render(j, x->shell, e)))
			return -1;
		spec.shell = shell;
	} else {
		argv = xcalloc(x->n_argv + 1, sizeof(*argv));
		for (size_t i = 0; i < x->n_argv; i++)
			if (!(argv[i] = render(j, x->argv[i], e))) {
				free_strv(argv, i);
				return -1;
			}
		spec.argv = (const char *const *)argv;
	}
	struct proc_ctx *c = xcalloc(1, sizeof(*c));
	c->j = j;
	c->desc = proc_describe(&spec);
	c->rollback = j->mode == JOB_ROLLBACK;
	char *saved[EXEC_VARS];
	exec_env(j, saved, 1);
	int64_t id = proc_spawn(j->r->procs, &spec, on_proc_output, on_proc_done, c, e);
	exec_env(j, saved, 0);
	free(shell);
	free_strv(argv, x->n_argv);
	if (id < 0) {
		free(c->desc);
		free(c);
		return -1;
	}
	j->inflight = 1;
	return 0;
}

/* Starts the next operation; returns 1 when one is in flight, 0 when the
 * list is over (or an action failed: the rest are skipped). */
static int ops_next(struct job *j)
{
	while (j->pos < j->n_ops) {
		const struct op *o = &j->ops[j->pos];
		if (j->fail && (o->kind == OP_HTTP || o->kind == OP_EXEC))
			return 0; /* an action failed: do not go on acting */
		if (j->fail && j->mode == JOB_STEP)
			return 0;
		size_t idx = j->pos++;
		struct err e = {{0}};
		int rc = o->kind == OP_EXEC ? start_exec(j, o->exec, &e) : start_http(j, idx, &e);
		if (rc == 0)
			return 1;
		if (o->kind == OP_HTTP || o->kind == OP_EXEC)
			op_failed(j, "%s", e.msg);
		else
			check_record(j, o->check, COND_INCONCLUSIVE, NULL, e.msg);
	}
	return 0;
}

/* ---- leases -------------------------------------------------------------------------------------- */

static void lease_key(const char *account, const char *step, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", account, step);
}

/* Takes a step's lease. 0 taken, 1 held by another (e says by whom), -1 error. */
static int lease_take(struct runner *r, struct job *j, const char *step, const char *op,
		      struct err *e)
{
	char key[256], what[300];
	lease_key(j->acct->id, step, key, sizeof(key));
	snprintf(what, sizeof(what), "%s %s of %s", op, step, j->acct->id);
	struct runs_lease held;
	int rc = runs_lease_acquire(r->st, key, what, &j->lease, &held, e);
	if (rc == 1) {
		char desc[768];
		runs_lease_describe(&held, desc, sizeof(desc));
		err_set(e, "%s %s: %s", j->acct->id, step, desc);
	}
	return rc;
}

static void lease_drop(struct runner *r, struct job *j)
{
	if (j->lease <= 0)
		return;
	struct err e = {{0}};
	if (runs_lease_release(r->st, j->lease, &e) < 0)
		logf_(r, "warning: %s", e.msg);
	j->lease = 0;
}

/* ---- step, gate and rollback transitions ------------------------------------------------------------ */

static void job_end(struct job *j)
{
	j->mode = JOB_IDLE;
	j->active = 0;
	job_clear_ops(j);
	free(j->rb_order);
	j->rb_order = NULL;
	j->rb_n = j->rb_pos = 0;
}

/* A state change and its audit record commit together (one fsync, and
 * never one without the other). Joins the caller's transaction if any. */
static int tx_open(struct runner *r, int *own, struct err *e)
{
	*own = !store_in_tx(r->st);
	return *own ? store_begin(r->st, e) : 0;
}

static int tx_close(struct runner *r, int own, int rc, struct err *e)
{
	if (!own)
		return rc;
	if (rc == 0)
		return store_commit(r->st, e);
	store_rollback(r->st);
	return rc;
}

static int step_set_tx(struct job *j, enum engine_step_state s, const char *waiting,
		       const char *error, struct err *e);

static int step_set(struct job *j, enum engine_step_state s, const char *waiting,
		    const char *error, struct err *e)
{
	int own;
	if (tx_open(j->r, &own, e) < 0)
		return -1;
	return tx_close(j->r, own, step_set_tx(j, s, waiting, error, e), e);
}

static int step_set_tx(struct job *j, enum engine_step_state s, const char *waiting,
		       const char *error, struct err *e)
{
	struct runner *r = j->r;
	const struct rstep *rs = &r->steps[j->cur];
	if (runs_step_set(r->st, j->step_run, s, waiting, error, e) < 0)
		return -1;
	cJSON *d = obj();
	cJSON_AddStringToObject(d, "state", engine_step_state_name(s));
	cJSON_AddNumberToObject(d, "attempt", (double)j->attempt);
	if (waiting)
		cJSON_AddStringToObject(d, "waiting", waiting);
	if (error)
		cJSON_AddStringToObject(d, "error", error);
	char action[64];
	snprintf(action, sizeof(action), "step.%s", engine_step_state_name(s));
	if (audit(r, action, j->acct->id, rs->step->step_id, d, e) < 0)
		return -1;
	logf_(r, "%s %s: %s%s%s", j->acct->id, rs->step->step_id, engine_step_state_name(s),
	      waiting || error ? ": " : "", waiting ? waiting : error ? error : "");
	return persist_run_state(r, j, rs->phase->phase_id, rs->step->step_id, e);
}

static int start_rollback(struct job *j, enum engine_rollback_level level, size_t index,
			  struct err *e);

/* A failure in phase p: the gate's failure_response decides. */
static int respond_to_failure(struct job *j, size_t phase, const char *why, struct err *e)
{
	struct view v;
	if (view_load(j->r, j->acct->id, &v, e) < 0) {
		view_free(&v);
		return -1;
	}
	enum engine_failure_response resp = engine_on_failure(&v.run, phase, j->r->o.operator_pause);
	view_free(&v);
	cJSON *d = obj();
	cJSON_AddStringToObject(d, "response", engine_failure_response_name(resp));
	cJSON_AddStringToObject(d, "why", why);
	if (audit(j->r, "failure.response", j->acct->id,
		  j->r->prog->plan->phases[phase].phase_id, d, e) < 0)
		return -1;
	if (resp == ENGINE_RESPOND_ROLLBACK) {
		logf_(j->r, "%s: rolling back phase %s: %s", j->acct->id,
		      j->r->prog->plan->phases[phase].phase_id, why);
		return start_rollback(j, ENGINE_ROLLBACK_PHASE, phase, e);
	}
	job_end(j);
	return 0;
}

static int64_t drift_interval(const struct runner *r)
{
	return r->o.drift_interval_ms ? r->o.drift_interval_ms : DRIFT_INTERVAL_MS;
}

/* After a cut-over the target is what drift is measured against. A failed
 * snapshot does not undo the cut-over: it is reported and audited. */
static void cutover_snapshot(struct job *j)
{
	struct err e = {{0}};
	size_t n = 0;
	if (!j->tgt_url)
		return;
	struct targetapi api;
	int rc = targetapi_open(&api, j->tgt_url, &e);
	if (!rc) {
		targetapi_set_token(&api, j->tgt_token);
		rc = drift_snapshot(j->r->st, j->acct->id, &api, "cutover", &n, &e);
		targetapi_close(&api);
	}
	if (rc < 0) {
		logf_(j->r, "warning: %s: no drift snapshot after cut-over: %s", j->acct->id, e.msg);
		cJSON *d = obj();
		cJSON_AddStringToObject(d, "error", e.msg);
		struct err e2 = {{0}};
		if (audit(j->r, "drift.snapshot_failed", j->acct->id, NULL, d, &e2) < 0)
			logf_(j->r, "error: %s", e2.msg);
		return;
	}
	logf_(j->r, "%s: drift snapshot of %zu entities taken at cut-over", j->acct->id, n);
	j->next_drift = util_mono_ms() + drift_interval(j->r);
}

static int step_finish(struct job *j, struct err *e)
{
	struct runner *r = j->r;
	const struct rstep *rs = &r->steps[j->cur];
	lease_drop(r, j);
	j->mode = JOB_IDLE;
	if (j->fail) {
		char *why = xstrdup(j->fail);
		int rc = step_set(j, ENGINE_STEP_FAILED, NULL, why, e);
		if (rc == 0)
			rc = respond_to_failure(j, rs->phase_index, why, e);
		free(why);
		return rc;
	}
	if (j->inconclusive)
		return step_set(j, ENGINE_STEP_WAITING, j->inconclusive, NULL, e);
	struct rows rw;
	rows_of_step(rs->step, &rw);
	char *missing = NULL;
	int n = rows_unticked(r, j->acct->id, "step", rs->step->step_id, &rw, &missing, e);
	int rc;
	if (n < 0) {
		rc = -1;
	} else if (n > 0) {
		char why[1024];
		snprintf(why, sizeof(why), "manual checks to tick: %s", missing);
		rc = step_set(j, ENGINE_STEP_WAITING, why, NULL, e);
	} else {
		rc = step_set(j, ENGINE_STEP_SUCCEEDED, NULL, NULL, e);
		if (rc == 0 && (step_flags(rs->step) & ENGINE_STEP_CUTOVER))
			cutover_snapshot(j);
	}
	free(missing);
	return rc;
}

static int begin_step(struct job *j, size_t idx, struct err *e)
{
	struct runner *r = j->r;
	const struct rstep *rs = &r->steps[idx];
	int rc = lease_take(r, j, rs->step->step_id, "run step", e);
	if (rc == 1) {
		job_note(j, "%.500s", e->msg);
		j->refused = 1;
	}
	if (rc != 0)
		return -1;
	int own;
	if (tx_open(r, &own, e) < 0) {
		lease_drop(r, j);
		return -1;
	}
	rc = runs_step_begin(r->st, j->acct->id, rs->phase->phase_id, rs->step->step_id,
			     ident_get()->login, &j->step_run, &j->attempt, e);
	if (rc == 0) {
		cJSON *d = obj();
		cJSON_AddStringToObject(d, "phase", rs->phase->phase_id);
		cJSON_AddNumberToObject(d, "attempt", (double)j->attempt);
		cJSON_AddNumberToObject(d, "lease", (double)j->lease);
		rc = audit(r, "step.start", j->acct->id, rs->step->step_id, d, e);
	}
	if (rc == 0)
		rc = persist_run_state(r, j, rs->phase->phase_id, rs->step->step_id, e);
	if (tx_close(r, own, rc, e) < 0) {
		lease_drop(r, j);
		return -1;
	}
	j->mode = JOB_STEP;
	j->cur = idx;
	job_clear_ops(j);
	logf_(r, "%s %s: running (attempt %lld)", j->acct->id, rs->step->step_id,
	      (long long)j->attempt);
	const struct plan_execution *x = rs->step->execution_details;
	if (x)
		add_actions(j, x->actions, x->n_actions, x->exec, x->n_exec);
	if (rs->step->validation)
		add_checks(j, rs->step->validation->checks, rs->step->validation->n_checks);
	int64_t t = rs->step->timeout_ms > 0 ? rs->step->timeout_ms : 300000;
	j->deadline_mono = util_mono_ms() + t;
	j->dirty = 1;
	return 0;
}

static enum engine_approval approval_of(struct runner *r, const char *account,
					const struct plan_gate *g, int inconclusive, char *why,
					size_t size, struct err *e, int *failed)
{
	*failed = 0;
	struct runs_signoff *rows = NULL;
	size_t n = 0;
	if (runs_signoffs(r->st, account, g->gate_id, &rows, &n, e) < 0) {
		*failed = 1;
		return ENGINE_APPROVAL_PENDING;
	}
	int64_t serial = runs_serial(r->st, account, e);
	struct engine_signoff *sigs = xcalloc(n ? n : 1, sizeof(*sigs));
	for (size_t i = 0; i < n; i++)
		sigs[i] = (struct engine_signoff){rows[i].role, rows[i].login,
						  strcmp(rows[i].decision, "sign") == 0,
						  rows[i].plan_hash, rows[i].state_serial};
	struct engine_approver *roles = xcalloc(g->n_approvers ? g->n_approvers : 1, sizeof(*roles));
	for (size_t i = 0; i < g->n_approvers; i++) {
		roles[i].role = g->approvers[i];
		roles[i].quorum = 1;
		for (size_t q = 0; q < g->n_quorum; q++)
			if (util_streq(g->quorum[q].role, g->approvers[i]))
				roles[i].quorum = (long)g->quorum[q].count;
	}
	enum engine_approval a = ENGINE_APPROVAL_GRANTED;
	struct engine_approver op = {"operator", 1};
	if (g->n_approvers)
		a = engine_gate_approval(roles, g->n_approvers, sigs, n, r->prog->plan_hash, serial,
					 why, size);
	else if (inconclusive) /* nobody to sign but an operator's decision */
		a = engine_gate_approval(&op, 1, sigs, n, r->prog->plan_hash, serial, why, size);
	else
		snprintf(why, size, "no approvers");
	free(roles);
	free(sigs);
	runs_signoff_list_free(rows, n);
	return a;
}

static int gate_set(struct job *j, size_t phase, enum engine_gate_state s, const char *detail,
		    struct err *e)
{
	struct runner *r = j->r;
	const struct plan_phase *ph = &r->prog->plan->phases[phase];
	if (runs_gate_set(r->st, j->acct->id, ph->phase_id, ph->validation_gate->gate_id, s, detail,
			  e) < 0)
		return -1;
	cJSON *d = obj();
	cJSON_AddStringToObject(d, "state", engine_gate_state_name(s));
	cJSON_AddStringToObject(d, "detail", detail);
	char action[64];
	snprintf(action, sizeof(action), "gate.%s", engine_gate_state_name(s));
	if (audit(r, action, j->acct->id, ph->validation_gate->gate_id, d, e) < 0)
		return -1;
	logf_(r, "%s %s: gate %s: %s", j->acct->id, ph->validation_gate->gate_id,
	      engine_gate_state_name(s), detail);
	return persist_run_state(r, j, ph->phase_id, NULL, e);
}

/* Sets a waiting gate's detail only when it changed: re-reading a gate that
 * still waits must not bump the state serial (that would stale sign-offs). */
static int gate_wait(struct job *j, size_t phase, const char *why, struct err *e)
{
	const struct plan_phase *ph = &j->r->prog->plan->phases[phase];
	struct runs_gate *g = NULL;
	size_t n = 0;
	if (runs_gates(j->r->st, j->acct->id, &g, &n, e) < 0)
		return -1;
	int same = 0;
	for (size_t i = 0; i < n; i++)
		if (util_streq(g[i].gate_id, ph->validation_gate->gate_id))
			same = g[i].state == ENGINE_GATE_WAITING && util_streq(g[i].detail, why);
	runs_gate_list_free(g, n);
	return same ? 0 : gate_set(j, phase, ENGINE_GATE_WAITING, why, e);
}

/* A gate whose automatic criteria held: ticks and sign-offs decide. Returns
 * 1 when it passed, 0 when it waits or was rejected, -1 on error. */
static int gate_approve(struct job *j, size_t phase, enum engine_gate_state cur, struct err *e)
{
	struct runner *r = j->r;
	const struct plan_gate *g = r->prog->plan->phases[phase].validation_gate;
	struct rows rw;
	rows_of_gate(g, &rw);
	char *missing = NULL;
	int n = rows_unticked(r, j->acct->id, "gate", g->gate_id, &rw, &missing, e);
	if (n < 0)
		return -1;
	char why[1024];
	int rc;
	if (n > 0) {
		snprintf(why, sizeof(why), "criteria to tick: %s", missing);
		rc = cur == ENGINE_GATE_INCONCLUSIVE ? 0 : gate_wait(j, phase, why, e);
		free(missing);
		return rc;
	}
	free(missing);
	int failed;
	char awhy[512];
	enum engine_approval a = approval_of(r, j->acct->id, g, cur == ENGINE_GATE_INCONCLUSIVE,
					     awhy, sizeof(awhy), e, &failed);
	if (failed)
		return -1;
	if (a == ENGINE_APPROVAL_GRANTED)
		return gate_set(j, phase, ENGINE_GATE_PASSED, awhy, e) < 0 ? -1 : 1;
	if (a == ENGINE_APPROVAL_REJECTED) {
		if (gate_set(j, phase, ENGINE_GATE_REJECTED, awhy, e) < 0)
			return -1;
		return respond_to_failure(j, phase, awhy, e) < 0 ? -1 : 0;
	}
	snprintf(why, sizeof(why), "sign-off needed: %s", awhy);
	if (cur == ENGINE_GATE_INCONCLUSIVE)
		return 0;
	return gate_wait(j, phase, why, e) < 0 ? -1 : 0;
}

static int gate_finish(struct job *j, struct err *e)
{
	size_t phase = j->cur;
	const struct plan_gate *g = j->r->prog->plan->phases[phase].validation_gate;
	enum cond_verdict v = cond_limits(j->n_failed, j->n_inconclusive,
					  g->failure_limit > 0 ? (long)g->failure_limit : 0,
					  g->inconclusive_limit > 0 ? (long)g->inconclusive_limit : 0);
	char why[1024];
	snprintf(why, sizeof(why), "%zu checks: %zu failed, %zu inconclusive%s%s", j->n_ops,
		 j->n_failed, j->n_inconclusive, j->fail ? "; " : j->inconclusive ? "; " : "",
		 j->fail ? j->fail : j->inconclusive ? j->inconclusive : "");
	j->mode = JOB_IDLE;
	if (v == COND_FAILED) {
		if (gate_set(j, phase, ENGINE_GATE_FAILED, why, e) < 0)
			return -1;
		return respond_to_failure(j, phase, why, e);
	}
	j->dirty = j->active;
	if (v == COND_INCONCLUSIVE)
		return gate_set(j, phase, ENGINE_GATE_INCONCLUSIVE, why, e);
	int rc = gate_approve(j, phase, ENGINE_GATE_PENDING, e);
	j->dirty = j->active; /* the engine says what comes next, or why it waits */
	return rc < 0 ? -1 : 0;
}

static int begin_gate(struct job *j, size_t phase, struct err *e)
{
	const struct plan_gate *g = j->r->prog->plan->phases[phase].validation_gate;
	job_clear_ops(j);
	j->mode = JOB_GATE;
	j->cur = phase;
	j->step_run = 0;
	add_checks(j, g->checks, g->n_checks);
	j->deadline_mono = 0;
	cJSON *d = obj();
	cJSON_AddNumberToObject(d, "checks", (double)g->n_checks);
	if (audit(j->r, "gate.evaluate", j->acct->id, g->gate_id, d, e) < 0)
		return -1;
	j->dirty = 1;
	return 0;
}

/* Rollback: each step in the order the engine gives, then the level's checks. */
static int rollback_next_step(struct job *j, struct err *e);

static int start_rollback(struct job *j, enum engine_rollback_level level, size_t index,
			  struct err *e)
{
	struct runner *r = j->r;
	struct view v;
	if (view_load(r, j->acct->id, &v, e) < 0) {
		view_free(&v);
		return -1;
	}
	free(j->rb_order);
	j->rb_order = xcalloc(r->n_steps ? r->n_steps : 1, sizeof(*j->rb_order));
	j->rb_n = engine_rollback_order(&v.run, level, index, j->rb_order);
	view_free(&v);
	j->rb_pos = 0;
	j->rb_level = level;
	j->rollback_when_idle = 0;
	static const enum plan_rollback_level plan_level[] = {
		[ENGINE_ROLLBACK_STEP] = ROLLBACK_STEP, [ENGINE_ROLLBACK_PHASE] = ROLLBACK_PHASE,
		[ENGINE_ROLLBACK_FULL] = ROLLBACK_FULL,
	};
	j->rb_spec = plan_find_rollback_level(r->prog->plan, plan_level[level]);
	cJSON *d = obj();
	cJSON_AddStringToObject(d, "level", engine_rollback_level_name(level));
	cJSON_AddNumberToObject(d, "steps", (double)j->rb_n);
	if (audit(r, "rollback.start", j->acct->id, NULL, d, e) < 0)
		return -1;
	j->active = 1;
	return rollback_next_step(j, e);
}

static int rollback_next_step(struct job *j, struct err *e)
{
	struct runner *r = j->r;
	job_clear_ops(j);
	if (j->rb_pos >= j->rb_n) {
		const struct plan_level_validation *lv = j->rb_spec ? j->rb_spec->validation : NULL;
		if (lv && lv->n_checks) {
			j->mode = JOB_POSTCHECK;
			add_checks(j, lv->checks, lv->n_checks);
			j->dirty = 1;
			return 0;
		}
		cJSON *d = obj();
		cJSON_AddStringToObject(d, "level", engine_rollback_level_name(j->rb_level));
		if (audit(r, "rollback.done", j->acct->id, NULL, d, e) < 0)
			return -1;
		logf_(r, "%s: rollback (%s) done", j->acct->id, engine_rollback_level_name(j->rb_level));
		job_end(j);
		return persist_run_state(r, j, NULL, NULL, e);
	}
	size_t idx = j->rb_order[j->rb_pos];
	const struct rstep *rs = &r->steps[idx];
	struct view v;
	if (view_load(r, j->acct->id, &v, e) < 0) {
		view_free(&v);
		return -1;
	}
	const struct runs_step *row = v.row_of[idx];
	j->step_run = row ? row->id : 0;
	j->attempt = row ? row->attempt : 1;
	view_free(&v);
	if (!j->step_run)
		return err_set(e, "%s %s: no run of the step to roll back", j->acct->id,
			       rs->step->step_id);
	if (lease_take(r, j, rs->step->step_id, "roll back", e) != 0)
		return -1;
	j->mode = JOB_ROLLBACK;
	j->cur = idx;
	const struct plan_rollback_procedure *rp = rs->step->rollback_procedure;
	if (rp)
		add_actions(j, rp->actions, rp->n_actions, rp->exec, rp->n_exec);
	j->deadline_mono = util_mono_ms() + (rs->step->timeout_ms > 0 ? rs->step->timeout_ms : 300000);
	if (step_set(j, ENGINE_STEP_ROLLING_BACK, NULL, NULL, e) < 0) {
		lease_drop(r, j);
		return -1;
	}
	j->dirty = 1;
	return 0;
}

static int rollback_step_done(struct job *j, struct err *e)
{
	struct runner *r = j->r;
	lease_drop(r, j);
	const struct plan_rollback_procedure *rp = r->steps[j->cur].step->rollback_procedure;
	/* No rollback_procedure at all: the plan says there is nothing to undo.
	 * Only prose rollback steps: a person must undo it. */
	int manual = rp && !(rp->n_actions || rp->n_exec);
	if (j->fail || manual) {
		char why[1024];
		snprintf(why, sizeof(why), "rollback %s: %s", j->fail ? "failed" : "is manual",
			 j->fail ? j->fail : "undo it by hand, then reconcile");
		/* Stays rolling_back in the store (a person must finish it). */
		if (step_set(j, ENGINE_STEP_FAILED, NULL, why, e) < 0)
			return -1;
		job_end(j);
		return 0;
	}
	if (step_set(j, ENGINE_STEP_ROLLED_BACK, NULL, NULL, e) < 0)
		return -1;
	j->rb_pos++;
	return rollback_next_step(j, e);
}

static int postcheck_done(struct job *j, struct err *e)
{
	cJSON *d = obj();
	cJSON_AddStringToObject(d, "level", engine_rollback_level_name(j->rb_level));
	cJSON_AddNumberToObject(d, "failed", (double)j->n_failed);
	cJSON_AddNumberToObject(d, "inconclusive", (double)j->n_inconclusive);
	if (audit(j->r, "rollback.done", j->acct->id, NULL, d, e) < 0)
		return -1;
	logf_(j->r, "%s: rollback (%s) done; post-rollback checks: %zu failed, %zu inconclusive",
	      j->acct->id, engine_rollback_level_name(j->rb_level), j->n_failed, j->n_inconclusive);
	job_end(j);
	return persist_run_state(j->r, j, NULL, NULL, e);
}

/* ---- stop the line ------------------------------------------------------------------------------------------- */

static int stop_the_line(struct job *j, struct err *e)
{
	struct runner *r = j->r;
	const struct plan_stop_the_line *stl = r->prog->plan->stop_the_line;
	if (!stl)
		return 0;
	struct engine_stl_limits lim = {stl->invariant_breach,
					stl->drift_unexplained_ms >= 0 ? stl->drift_unexplained_ms
								       : DRIFT_UNEXPLAINED_DEFAULT_MS,
					stl->error_budget_burn, stl->action != STOP_HALT};
	struct engine_stl_inputs in = {-1, -1, -1, NULL, 0, NULL};
	struct engine_reading *metrics = NULL;
	size_t cap = 0;
	struct sample s;
	int got = samples_latest(r->st, j->acct->id, SAMPLE_PARITY, SAMPLE_PASS_RATE, &s, e);
	if (got < 0)
		return -1;
	if (got) {
		in.invariant_fail_share = 1.0 - s.value;
		sample_free(&s);
	}
	int64_t since = 0;
	if (drift_unexplained_since(r->st, j->acct->id, &since, e) < 0)
		return -1;
	if (since > 0)
		in.oldest_unexplained_drift_ms = util_now_ms() - since;
	got = samples_latest(r->st, j->acct->id, SAMPLE_METRIC, "error_budget_burn", &s, e);
	if (got < 0)
		return -1;
	if (got) {
		in.error_budget_burn = s.value;
		sample_free(&s);
	}
	/* The newest sample of each monitored metric with a critical threshold;
	 * validate warns of a threshold that does not parse, here it is skipped. */
	const struct plan_monitoring *mon = r->prog->plan->monitoring;
	for (size_t i = 0; mon && i < mon->n_migration_monitoring; i++) {
		const struct plan_metric *m = &mon->migration_monitoring[i];
		struct engine_reading rd;
		struct err pe = {{0}};
		if (!m->critical_threshold || !m->metric_name ||
		    cond_threshold_parse(m->critical_threshold, &rd.critical, &pe) < 0)
			continue;
		got = samples_latest(r->st, j->acct->id, SAMPLE_METRIC, m->metric_name, &s, e);
		if (got < 0) {
			free(metrics);
			return -1;
		}
		if (!got)
			continue;
		snprintf(rd.critical.metric, sizeof(rd.critical.metric), "%s", m->metric_name);
		rd.value = s.value;
		sample_free(&s);
		VEC_PUSH(metrics, in.n_metrics, cap, rd);
	}
	in.metrics = metrics;
	char why[256];
	int fired = engine_stop_the_line(&lim, &in, why, sizeof(why));
	free(metrics);
	if (!fired)
		return 0;
	if (runner_halt(r, j->acct->id, why, e) < 0)
		return -1;
	return 1;
}

/* When another process holds the lease of step idx: 1 with e saying "running
 * by LOGIN@HOST since TIME"; 0 when nobody does; -1 on error. */
static int held_by(struct runner *r, const char *account, size_t idx, struct err *e)
{
	char key[256];
	lease_key(account, r->steps[idx].step->step_id, key, sizeof(key));
	struct runs_lease l;
	int got = runs_lease_get(r->st, key, &l, e);
	if (got <= 0)
		return got;
	char desc[768];
	runs_lease_describe(&l, desc, sizeof(desc));
	err_set(e, "%s %s: %s", account, r->steps[idx].step->step_id, desc);
	return 1;
}

/* ---- advancing a job -------------------------------------------------------------------------------------------- */

/* The selection's ends as indices for the engine; a step id the plan does
 * not have stops everything. */
static int past_stop(struct job *j, const struct engine_run *run, const struct engine_next *nx)
{
	struct runner *r = j->r;
	long stop_step = -1, stop_phase = -1;
	if (j->stop_step) {
		for (size_t i = 0; i < r->n_steps && stop_step < 0; i++)
			if (strcmp(r->steps[i].step->step_id, j->stop_step) == 0)
				stop_step = (long)i;
		if (stop_step < 0)
			return nx->kind == ENGINE_NEXT_STEP || nx->kind == ENGINE_NEXT_GATE;
	} else if (j->stop_phase) {
		const struct plan_phase *ph = plan_find_phase(r->prog->plan, j->stop_phase);
		if (ph)
			stop_phase = (long)(ph - r->prog->plan->phases);
	}
	return engine_past_selection(run, nx, stop_phase, stop_step);
}

/* Settles what a person may have done since: a waiting step whose rows are
 * all ticked, a gate whose sign-offs came. Returns 1 when something moved. */
static int settle_wait(struct job *j, const struct view *v, const struct engine_next *nx,
		       struct err *e)
{
	struct runner *r = j->r;
	const struct plan *p = r->prog->plan;
	for (size_t i = 0; i < v->run.n_steps; i++) {
		if (v->run.steps[i].state != ENGINE_STEP_WAITING || i != nx->index)
			continue;
		const struct runs_step *row = v->row_of[i];
		if (!row || (row->waiting && util_has_prefix(row->waiting, "check ")))
			return 0; /* Inconclusive: reconcile decides */
		struct rows rw;
		rows_of_step(r->steps[i].step, &rw);
		char *missing = NULL;
		int n = rows_unticked(r, j->acct->id, "step", r->steps[i].step->step_id, &rw,
				      &missing, e);
		free(missing);
		if (n != 0)
			return n < 0 ? -1 : 0;
		j->cur = i;
		j->step_run = row->id;
		j->attempt = row->attempt;
		return step_set(j, ENGINE_STEP_SUCCEEDED, NULL, NULL, e) < 0 ? -1 : 1;
	}
	if (nx->index < p->n_phases && p->phases[nx->index].validation_gate) {
		enum engine_gate_state g = v->run.phases[nx->index].gate;
		if (g == ENGINE_GATE_WAITING || g == ENGINE_GATE_INCONCLUSIVE)
			return gate_approve(j, nx->index, g, e);
	}
	return 0;
}

static int confirm_cutover(struct job *j, size_t idx)
{
	struct runner *r = j->r;
	if (!r->o.confirm)
		return 0;
	char what[300];
	snprintf(what, sizeof(what), "cut-over step %s of %s", r->steps[idx].step->step_id,
		 j->acct->id);
	return r->o.confirm(r->o.confirm_ctx, j->in_wave && r->wave ? r->wave : j->acct->id, what);
}

static void job_wait_note(struct job *j, const char *why)
{
	job_note(j, "%s", why);
	logf_(j->r, "%s: waits: %s", j->acct->id, why);
}

static int job_advance(struct job *j, struct err *e)
{
	struct runner *r = j->r;
	j->dirty = 0;
	if (j->inflight)
		return 0;
	switch (j->mode) {
	case JOB_STEP:
	case JOB_ROLLBACK:
	case JOB_GATE:
	case JOB_POSTCHECK:
		if (ops_next(j))
			return 0;
		if (j->mode == JOB_STEP)
			return step_finish(j, e) < 0 ? -1 : (j->dirty = j->active, 0);
		if (j->mode == JOB_ROLLBACK)
			return rollback_step_done(j, e);
		if (j->mode == JOB_POSTCHECK)
			return postcheck_done(j, e);
		return gate_finish(j, e);
	case JOB_IDLE:
		break;
	}
	if (j->rollback_when_idle) {
		j->rollback_when_idle = 0;
		return start_rollback(j, ENGINE_ROLLBACK_FULL, 0, e);
	}
	if (!j->active)
		return 0;
	for (int guard = 0; guard < 1000; guard++) {
		struct view v;
		if (view_load(r, j->acct->id, &v, e) < 0) {
			view_free(&v);
			return -1;
		}
		struct engine_next nx = engine_next(&v.run);
		int moved = 0;
		if (nx.kind == ENGINE_NEXT_WAIT)
			moved = settle_wait(j, &v, &nx, e);
		int past = !moved && past_stop(j, &v.run, &nx);
		view_free(&v);
		if (moved < 0)
			return -1;
		if (moved)
			continue;
		if (past) {
			logf_(r, "%s: reached the end of the selection", j->acct->id);
			job_end(j);
			return 0;
		}
		if (nx.kind == ENGINE_NEXT_STEP) {
			int stl = stop_the_line(j, e);
			if (stl != 0)
				return stl < 0 ? -1 : 0;
			if ((step_flags(r->steps[nx.index].step) & ENGINE_STEP_CUTOVER) &&
			    !confirm_cutover(j, nx.index)) {
				char why[300];
				snprintf(why, sizeof(why),
					 "typed confirmation of cut-over step %s (pass --yes or --confirm %s)",
					 r->steps[nx.index].step->step_id,
					 j->in_wave && r->wave ? r->wave : j->acct->id);
				job_wait_note(j, why);
				job_end(j);
				return 0;
			}
			return begin_step(j, nx.index, e);
		}
		if (nx.kind == ENGINE_NEXT_GATE)
			return begin_gate(j, nx.index, e);
		if (nx.kind == ENGINE_NEXT_BUSY && held_by(r, j->acct->id, nx.index, e) != 0) {
			/* Another console started it since we looked: say who. */
			job_note(j, "%.500s", e->msg);
			j->refused = 1;
			e->msg[0] = 0;
			logf_(r, "%s", j->note);
		} else if (nx.kind == ENGINE_NEXT_WAIT || nx.kind == ENGINE_NEXT_BUSY)
			job_wait_note(j, nx.why);
		else
			logf_(r, "%s: %s", j->acct->id, nx.why);
		job_end(j);
		return 0;
	}
	return err_set(e, "%s: the run does not settle", j->acct->id);
}

/* ---- open, recovery, poll ------------------------------------------------------------------------------------------------ */

static struct job *job_of(struct runner *r, const char *account, struct err *e)
{
	for (size_t i = 0; i < r->n_jobs; i++)
		if (strcmp(r->jobs[i].acct->id, account) == 0)
			return &r->jobs[i];
	err_set(e, "unknown account '%s' (not in accounts.yaml)", account);
	return NULL;
}

/* Running steps whose process is gone become unknown: nothing is guessed. */
static int recover(struct runner *r, struct err *e)
{
	char **accts = NULL, **steps = NULL;
	int64_t *ids = NULL;
	size_t n = 0;
	int rc = runs_running_steps(r->st, &accts, &steps, &ids, &n, e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char key[256];
		lease_key(accts[i], steps[i], key, sizeof(key));
		struct runs_lease l;
		int got = runs_lease_get(r->st, key, &l, e);
		if (got < 0) {
			rc = -1;
			break;
		}
		if (got && !runs_lease_dead(&l, util_now_ms(), LEASE_STALE_MS))
			continue;
		if (runs_step_set(r->st, ids[i], ENGINE_STEP_UNKNOWN, NULL,
				  "interrupted: the process running it is gone", e) < 0) {
			rc = -1;
			break;
		}
		cJSON *d = obj();
		if (got)
			cJSON_AddNumberToObject(d, "lease", (double)l.id);
		cJSON_AddStringToObject(d, "why", "the process running it is gone");
		rc = audit(r, "step.unknown", accts[i], steps[i], d, e);
		logf_(r, "%s %s: unknown (interrupted); reconcile it", accts[i], steps[i]);
	}
	for (size_t i = 0; i < n; i++) {
		free(accts[i]);
		free(steps[i]);
	}
	free(accts);
	free(steps);
	free(ids);
	return rc;
}

/* Reads (or creates, once) the store's idempotency nonce. */
static int store_nonce(struct runner *r, struct err *e)
{
	char *v = store_meta_get(r->st, "idempotency_nonce", e);
	if (!v) {
		if (e->msg[0])
			return -1;
		char seed[600];
		snprintf(seed, sizeof(seed), "%s/%lld/%lld/%s", ident_get()->host,
			 (long long)util_now_ms(), (long long)util_mono_us(), store_path(r->st));
		http_idempotency_key(seed, r->nonce);
		return store_meta_set(r->st, "idempotency_nonce", r->nonce, e);
	}
	snprintf(r->nonce, sizeof(r->nonce), "%s", v);
	free(v);
	return 0;
}

static void flatten(struct runner *r)
{
	const struct plan *p = r->prog->plan;
	size_t cap = 0;
	for (size_t i = 0; i < p->n_phases; i++)
		for (size_t k = 0; k < p->phases[i].n_steps; k++) {
			struct rstep s = {&p->phases[i].steps[k], &p->phases[i], i};
			VEC_PUSH(r->steps, r->n_steps, cap, s);
		}
}

static void set_refusal(struct runner *r, const char *fmt, const char *arg)
{
	snprintf(r->refusal_buf, sizeof(r->refusal_buf), fmt, arg);
	r->refusal = r->refusal_buf;
}

struct runner *runner_open(const char *program, const struct runner_options *o, struct err *e)
{
	struct diags d = {0};
	struct program *prog = program_load(program, &d);
	if (!prog) {
		/* The file:line:col list is what the user needs: print it whole. */
		diags_print(&d, stderr);
		err_set(e, "%s does not load (run warroom validate %s)", program, program);
		diags_free(&d);
		return NULL;
	}
	diags_free(&d);
	struct runner *r = xcalloc(1, sizeof(*r));
	r->prog = prog;
	r->o = *o;
	flatten(r);
	r->n_jobs = prog->n_accounts;
	r->jobs = xcalloc(prog->n_accounts ? prog->n_accounts : 1, sizeof(*r->jobs));
	util_prefault(r->jobs, prog->n_accounts * sizeof(*r->jobs)); /* every job is touched below */
	for (size_t i = 0; i < prog->n_accounts; i++) {
		r->jobs[i].r = r;
		r->jobs[i].acct = &prog->accounts[i];
	}
	const char *login = ident_get()->login;
	if (o->readonly)
		set_refusal(r, "%s", "the store is open read-only: observers can change nothing");
	else if (prog->has_roster && roster_is_observer(&prog->roster, login))
		set_refusal(r, "%s is an observer in roster.yaml: observers can change nothing",
			    login);
	else if (prog->has_roster && prog->roster.n_operators &&
		 !roster_is_operator(&prog->roster, login))
		set_refusal(r, "%s is not an operator in roster.yaml", login);
	if (o->dry_run)
		return r;
	char *path = store_default_path(o->db, program);
	if (!r->refusal && access(path, F_OK) == 0 && access(path, W_OK) < 0)
		set_refusal(r, "%s", "the store cannot be written: observers can change nothing");
	if (r->refusal && access(path, F_OK) < 0) {
		/* Nothing to read and nothing may be written: the refusal is the answer. */
		err_set(e, "%s", r->refusal);
		free(path);
		runner_free(r);
		return NULL;
	}
	r->st = store_open(path, r->refusal ? STORE_READONLY : STORE_READWRITE, e);
	free(path);
	if (!r->st || (!r->refusal && recover(r, e) < 0)) {
		runner_free(r);
		return NULL;
	}
	if (!r->refusal) {
		const char **ids = xcalloc(prog->n_accounts + 1, sizeof(*ids));
		const char **waves = xcalloc(prog->n_accounts + 1, sizeof(*waves));
		for (size_t i = 0; i < prog->n_accounts; i++) {
			ids[i] = prog->accounts[i].id;
			waves[i] = prog->accounts[i].wave;
		}
		int rc = runs_ensure_all(r->st, ids, waves, prog->n_accounts, e);
		free(ids);
		free(waves);
		if (rc < 0) {
			runner_free(r);
			return NULL;
		}
		if (store_nonce(r, e) < 0) {
			runner_free(r);
			return NULL;
		}
		r->http = http_new(e);
		r->procs = proc_set_new();
		if (!r->http) {
			runner_free(r);
			return NULL;
		}
	}
	return r;
}

/* Joins an abandoned check: its read is interrupted, its answer dropped. */
static void drift_abandon(struct job *j)
{
	if (!j->drift)
		return;
	http_interrupt(j->drift->api.http);
	pthread_join(j->drift->thread, NULL);
	drift_fetch_free(j->drift);
	j->drift = NULL;
}

void runner_free(struct runner *r)
{
	if (!r)
		return;
	if (r->http)
		http_free(r->http);
	if (r->procs)
		proc_set_free(r->procs);
	for (size_t i = 0; i < r->n_jobs; i++) {
		struct job *j = &r->jobs[i];
		drift_abandon(j);
		if (r->st && !store_is_readonly(r->st))
			lease_drop(r, j);
		job_end(j);
		free(j->src_url);
		free(j->tgt_url);
		free(j->src_token);
		free(j->tgt_token);
		free(j->stop_phase);
		free(j->stop_step);
		free(j->note);
	}
	free(r->jobs);
	free(r->steps);
	free(r->wave);
	store_close(r->st);
	program_free(r->prog);
	free(r);
}

static int refuse(const struct runner *r, struct err *e)
{
	if (!r->refusal)
		return 0;
	return err_set(e, "%s", r->refusal);
}

/* ---- dry run ------------------------------------------------------------------------------------------------------------ */

static void dry_http(struct job *j, const struct plan_http *h, const char *what)
{
	FILE *out = j->r->o.log ? j->r->o.log : stdout;
	struct err e = {{0}};
	char *url = render(j, h->url, &e);
	char *body = url && h->body ? render(j, h->body, &e) : NULL;
	if (!url || (h->body && !body)) {
		fprintf(out, "  %s: cannot render: %s\n", what, e.msg);
	} else {
		fprintf(out, "  %s %s %s\n", what, method_of(h), url);
		for (size_t i = 0; i < h->n_headers; i++) {
			char *v = render(j, h->headers[i].value, &e);
			char *line = xasprintf("%s: %s", h->headers[i].key, v ? v : "?");
			char *red = redact_header_line(line);
			fprintf(out, "      %s\n", red);
			free(red);
			free(line);
			free(v);
		}
		if (body)
			fprintf(out, "      %s\n", body);
	}
	free(url);
	free(body);
}

static void dry_exec(struct job *j, const struct plan_exec *x, const char *what)
{
	FILE *out = j->r->o.log ? j->r->o.log : stdout;
	struct err e = {{0}};
	struct proc_spec spec = {0};
	char **argv = NULL, *shell = NULL;
	int ok = 1;
	if (x->shell) {
		ok = (shell = render(j, x->shell, &e)) != NULL;
		spec.shell = shell;
	} else {
		argv = xcalloc(x->n_argv + 1, sizeof(*argv));
		for (size_t i = 0; ok && i < x->n_argv; i++)
			ok = (argv[i] = render(j, x->argv[i], &e)) != NULL;
		spec.argv = (const char *const *)argv;
	}
	if (ok) {
		char *d = proc_describe(&spec);
		fprintf(out, "  %s exec %s\n", what, d);
		free(d);
	} else {
		fprintf(out, "  %s exec: cannot render: %s\n", what, e.msg);
	}
	free(shell);
	free_strv(argv, x->n_argv);
}

static int dry_run(struct runner *r, struct job *j, struct err *e)
{
	FILE *out = r->o.log ? r->o.log : stdout;
	if (job_prepare(j, e) < 0)
		return -1;
	fprintf(out, "dry run: %s (%s) — nothing is sent\n", j->acct->id,
		j->acct->name ? j->acct->name : "");
	for (size_t i = 0; i < r->n_steps; i++) {
		const struct plan_step *s = r->steps[i].step;
		if (j->stop_step && strcmp(s->step_id, j->stop_step) != 0)
			continue;
		if (j->stop_phase && strcmp(r->steps[i].phase->phase_id, j->stop_phase) != 0)
			continue;
		fprintf(out, "step %s (phase %s)%s\n", s->step_id, r->steps[i].phase->phase_id,
			engine_step_is_cutover(s->step_id, 0) ? " [cut-over]" : "");
		const struct plan_execution *x = s->execution_details;
		for (size_t k = 0; x && k < x->n_actions; k++)
			dry_http(j, &x->actions[k], "request");
		for (size_t k = 0; x && k < x->n_exec; k++)
			dry_exec(j, &x->exec[k], "command");
		for (size_t k = 0; s->validation && k < s->validation->n_checks; k++)
			if (s->validation->checks[k].http)
				dry_http(j, s->validation->checks[k].http, "check");
	}
	return 0;
}

/* ---- public: starting ------------------------------------------------------------------------------------------------------ */

int runner_start(struct runner *r, const char *account, const char *phase_id,
		 const char *step_id, struct err *e)
{
	struct job *j = job_of(r, account, e);
	if (!j)
		return -1;
	if (step_id && !plan_find_step(r->prog->plan, step_id, NULL))
		return err_set(e, "unknown step '%s'", step_id);
	if (phase_id && !plan_find_phase(r->prog->plan, phase_id))
		return err_set(e, "unknown phase '%s'", phase_id);
	free(j->stop_phase);
	free(j->stop_step);
	job_note(j, NULL);
	j->refused = j->start_failed = 0;
	j->stop_phase = phase_id ? xstrdup(phase_id) : NULL;
	j->stop_step = step_id ? xstrdup(step_id) : NULL;
	if (r->o.dry_run)
		return dry_run(r, j, e);
	if (refuse(r, e) < 0 || job_prepare(j, e) < 0)
		return -1;
	if (j->active)
		return 0;
	/* A step already running elsewhere: say who holds it. */
	struct view v;
	if (view_load(r, account, &v, e) < 0) {
		view_free(&v);
		return -1;
	}
	struct engine_next nx = engine_next(&v.run);
	view_free(&v);
	if (nx.kind == ENGINE_NEXT_BUSY && held_by(r, account, nx.index, e) != 0)
		return -1;
	j->active = 1;
	j->dirty = 1;
	cJSON *d = obj();
	if (phase_id)
		cJSON_AddStringToObject(d, "phase", phase_id);
	if (step_id)
		cJSON_AddStringToObject(d, "step", step_id);
	return audit(r, "run.start", account, NULL, d, e);
}

static size_t wave_limit(struct runner *r, const struct plan_wave *w, const struct runs_wave *rw)
{
	long max = r->o.concurrency > 0 ? r->o.concurrency : w && w->max_concurrency > 0
									 ? (long)w->max_concurrency : 1;
	if (rw->throttle > 0 && rw->throttle < max)
		max = (long)rw->throttle;
	return (size_t)max;
}

/* Launches wave accounts while the engine allows it. */
static int wave_launch(struct runner *r, struct err *e)
{
	if (!r->wave)
		return 0;
	const struct plan_wave *w = plan_find_wave(r->prog->plan, r->wave);
	struct runs_wave rw;
	if (runs_wave_get(r->st, r->wave, &rw, e) < 0)
		return -1;
	struct engine_wave ew = {0};
	for (size_t i = 0; i < r->n_jobs; i++) {
		struct job *j = &r->jobs[i];
		if (!j->in_wave)
			continue;
		ew.total++;
		ew.launched += j->launched;
		ew.running += j->launched && j->active;
	}
	ew.failed = r->wave_failed;
	ew.max_concurrency = (long)wave_limit(r, w, &rw);
	ew.failure_threshold = w && w->failure_threshold >= 0 ? w->failure_threshold : 1.0;
	ew.halted = strcmp(rw.state, "halted") == 0;
	for (size_t i = 0; i < r->n_jobs; i++) {
		struct job *j = &r->jobs[i];
		if (!j->in_wave || j->launched)
			continue;
		char why[256];
		if (!engine_wave_may_launch(&ew, why, sizeof(why))) {
			if (ew.running == 0) {
				/* Nothing more will start: say so on each account left. */
				logf_(r, "wave %s: %s", r->wave, why);
				for (size_t k = 0; k < r->n_jobs; k++) {
					struct job *o = &r->jobs[k];
					if (o->in_wave && !o->launched)
						job_note(o, "not started: wave %s: %s", r->wave, why);
					o->in_wave &= o->launched;
				}
			}
			break;
		}
		j->launched = 1;
		ew.launched++;
		ew.running++;
		if (runner_start(r, j->acct->id, NULL, NULL, e) < 0) {
			logf_(r, "%s: %s", j->acct->id, e->msg);
			job_note(j, "%.500s", e->msg);
			j->start_failed = 1;
			r->wave_failed++;
			e->msg[0] = 0;
			j->active = 0;
			ew.running--;
		}
	}
	return 0;
}

int runner_start_wave(struct runner *r, const char *wave, struct err *e)
{
	if (!plan_find_wave(r->prog->plan, wave))
		return err_set(e, "unknown wave '%s'", wave);
	const struct account **accts = NULL;
	size_t n = program_wave_accounts(r->prog, wave, &accts);
	if (!n) {
		free(accts);
		return err_set(e, "wave %s has no accounts in accounts.yaml", wave);
	}
	if (r->o.dry_run) {
		for (size_t i = 0; i < n; i++) {
			struct job *j = job_of(r, accts[i]->id, e);
			if (!j || dry_run(r, j, e) < 0) {
				free(accts);
				return -1;
			}
		}
		free(accts);
		return 0;
	}
	if (refuse(r, e) < 0) {
		free(accts);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct job *j = job_of(r, accts[i]->id, e);
		if (j) {
			j->in_wave = 1;
			j->launched = j->counted = 0;
		}
	}
	free(accts);
	free(r->wave);
	r->wave = xstrdup(wave);
	r->wave_failed = 0;
	struct runs_wave w;
	if (runs_wave_get(r->st, wave, &w, e) < 0)
		return -1;
	if (strcmp(w.state, "halted") == 0)
		return err_set(e, "wave %s is halted: `warroom wave resume` it first", wave);
	cJSON *d = obj();
	cJSON_AddNumberToObject(d, "accounts", (double)n);
	cJSON_AddStringToObject(d, "wave_state", w.state);
	/* A postponed wave stays postponed: its accounts stop before cut-over. */
	if (audit(r, "wave.start", NULL, wave, d, e) < 0 ||
	    (strcmp(w.state, "postponed") != 0 &&
	     runs_wave_set(r->st, wave, "running", -1, ident_get()->login, e) < 0))
		return -1;
	return wave_launch(r, e);
}

int runner_idle(const struct runner *r)
{
	if (r->sampling)
		return 0;
	for (size_t i = 0; i < r->n_jobs; i++)
		if (r->jobs[i].active || r->jobs[i].inflight || r->jobs[i].drift)
			return 0;
	return 1;
}

/* ---- metric sampling: the monitored metrics of running accounts ---------------------- */

struct sample_ctx {
	struct runner *r;
	char *account, *metric, *pointer;
};

static void on_sample(void *ctx, const struct http_result *res)
{
	struct sample_ctx *c = ctx;
	double v;
	struct err e = {{0}};
	if (metric_value(res, c->pointer, &v, &e) == 0)
		metric_sample(c->r, c->account, c->metric, v);
	c->r->sampling--;
	free(c->account);
	free(c->metric);
	free(c->pointer);
	free(c);
}

/* Every SAMPLE_INTERVAL_MS, one GET per monitored metric with a source for
 * each account with a step in hand; the values land in samples. */
static void sample_metrics(struct runner *r)
{
	const struct plan_monitoring *mon = r->prog->plan->monitoring;
	int64_t now = util_mono_ms();
	if (!mon || now < r->next_sample || r->sampling)
		return;
	r->next_sample = now + SAMPLE_INTERVAL_MS;
	for (size_t i = 0; i < r->n_jobs; i++) {
		struct job *j = &r->jobs[i];
		if (!j->active || j->mode != JOB_STEP)
			continue;
		for (size_t k = 0; k < mon->n_migration_monitoring; k++) {
			const struct plan_metric *m = &mon->migration_monitoring[k];
			if (!m->source)
				continue;
			struct sample_ctx *c = xcalloc(1, sizeof(*c));
			const struct schema_kv *kv;
			size_t nkv, nh = 0;
			struct err e = {{0}};
			char *url = NULL;
			char **hdrs = NULL;
			if (metric_request(j, m, NULL, &url, &c->pointer, &kv, &nkv, &e) == 0)
				hdrs = build_headers(j, kv, nkv, url, &nh, &e);
			struct http_request rq = {.method = "GET", .url = url,
						  .headers = (const char *const *)hdrs, .n_headers = nh,
						  .idempotent = 1, .timeout_ms = 5000};
			if (hdrs && http_submit(r->http, &rq, NULL, on_sample, c, &e) > 0) {
				c->r = r;
				c->account = xstrdup(j->acct->id);
				c->metric = xstrdup(m->metric_name);
				r->sampling++;
			} else {
				free(c->pointer);
				free(c);
			}
			free(url);
			free_strv(hdrs, nh);
		}
	}
}

/* A step's progress probe: polled while it runs, shown in its output and
 * kept as a metric sample named "progress/STEP" (0..1). */
struct progress_ctx {
	struct runner *r;
	char *account, *step;
	int64_t step_run;
	const char *pointer;
};

static void on_progress(void *ctx, const struct http_result *res)
{
	struct progress_ctx *c = ctx;
	double v;
	struct err e = {{0}};
	if (metric_value(res, c->pointer, &v, &e) == 0) {
		if (v > 1)
			v /= 100; /* written as a percentage */
		char name[300], line[64];
		snprintf(name, sizeof(name), "progress/%s", c->step);
		metric_sample(c->r, c->account, name, v);
		/* the percent the console's bar shows for the same sample */
		int n = snprintf(line, sizeof(line), "progress %d%%\n", units_whole_percent(v));
		if (runs_output_append(c->r->st, c->step_run, c->account, c->step, "info", line,
				       (size_t)n, &e) < 0)
			logf_(c->r, "warning: %s", e.msg);
	}
	c->r->sampling--;
	free(c->account);
	free(c->step);
	free(c);
}

static void poll_progress(struct runner *r)
{
	int64_t now = util_mono_ms();
	for (size_t i = 0; i < r->n_jobs; i++) {
		struct job *j = &r->jobs[i];
		const struct plan_progress *pg =
			j->mode == JOB_STEP ? r->steps[j->cur].step->progress : NULL;
		if (!pg || !j->active || now < j->next_progress)
			continue;
		j->next_progress = now + (pg->interval_ms > 0 ? pg->interval_ms : 2000);
		struct err e = {{0}};
		char *url = render(j, pg->url, &e);
		size_t nh = 0;
		char **hdrs = url ? build_headers(j, NULL, 0, url, &nh, &e) : NULL;
		struct progress_ctx *c = xcalloc(1, sizeof(*c));
		c->r = r;
		c->step_run = j->step_run;
		c->pointer = pg->pointer ? pg->pointer : "";
		struct http_request rq = {.method = "GET", .url = url,
					  .headers = (const char *const *)hdrs, .n_headers = nh,
					  .idempotent = 1, .timeout_ms = 5000};
		if (hdrs && http_submit(r->http, &rq, NULL, on_progress, c, &e) > 0) {
			c->account = xstrdup(j->acct->id);
			c->step = xstrdup(r->steps[j->cur].step->step_id);
			r->sampling++;
		} else {
			free(c);
		}
		free(url);
		free_strv(hdrs, nh);
	}
}

/* ---- drift: a cut-over account's target against its snapshot ------------------------- */

/* The account is past a cut-over the runner watches (engine_past_cutover). */
static int past_cutover(struct runner *r, const struct job *j)
{
	struct view v;
	struct err e = {{0}};
	int past = view_load(r, j->acct->id, &v, &e) == 0 && engine_past_cutover(&v.run);
	view_free(&v);
	return past;
}

static void *drift_fetch_main(void *arg)
{
	struct drift_fetch *f = arg;
	f->rc = targetapi_fetch_all(&f->api, f->account, TARGETAPI_TARGET, &f->now, &f->e);
	atomic_store(&f->done, 1);
	return NULL;
}

/* Starts the account's drift check when one is due: the runner works on it,
 * it is past its cut-over and has a snapshot. */
static void drift_start(struct runner *r, struct job *j, int64_t now)
{
	if (j->drift || !j->active || now < j->next_drift)
		return;
	j->next_drift = now + drift_interval(r);
	if (j->rollback_when_idle || j->mode == JOB_ROLLBACK || j->mode == JOB_POSTCHECK ||
	    !j->tgt_url)
		return;
	struct err e = {{0}};
	int64_t taken;
	int have = drift_snapshot_time(r->st, j->acct->id, &taken, &e);
	if (have < 0)
		logf_(r, "warning: %s: %s", j->acct->id, e.msg);
	if (have <= 0 || !past_cutover(r, j))
		return;
	struct drift_fetch *f = xcalloc(1, sizeof(*f));
	if (targetapi_open(&f->api, j->tgt_url, &e) < 0) {
		logf_(r, "warning: %s: drift check: %s", j->acct->id, e.msg);
		free(f);
		return;
	}
	targetapi_set_token(&f->api, j->tgt_token);
	f->api.timeout_ms = DRIFT_FETCH_TIMEOUT_MS;
	f->account = xstrdup(j->acct->id);
	if (util_thread_start(&f->thread, drift_fetch_main, f) != 0) {
		logf_(r, "warning: %s: drift check: cannot start a thread", j->acct->id);
		drift_fetch_free(f);
		return;
	}
	j->drift = f;
}

/* A finished read becomes what `warroom drift` records: a drift sample and
 * a drift.check audit record (or drift.check_failed saying why not); then
 * the stop-the-line triggers are weighed for the account at once. */
static void drift_finish(struct runner *r, struct job *j)
{
	struct drift_fetch *f = j->drift;
	if (!f || !atomic_load(&f->done))
		return;
	pthread_join(f->thread, NULL);
	j->drift = NULL;
	struct err e = {{0}};
	struct entity_set snap = {0};
	struct exception_list exc = {0};
	struct drift_result res;
	int64_t taken = 0;
	int rc = f->rc;
	if (rc)
		e = f->e;
	else if ((rc = drift_snapshot_load(r->st, f->account, &snap, &taken, &e)) <= 0 ||
		 exceptions_list(r->st, EXC_OPEN, util_now_ms(), &exc, &e) < 0) {
		if (rc == 0)
			err_set(&e, "the cut-over snapshot of %s is gone", f->account);
		rc = -1;
	} else {
		rc = drift_record(r->st, f->account, &snap, taken, &f->now, &exc, "operator", &res, &e);
	}
	entity_set_free(&snap);
	exception_list_free(&exc);
	drift_fetch_free(f);
	if (rc) {
		logf_(r, "warning: %s: drift check: %s", j->acct->id, e.msg);
		cJSON *d = obj();
		cJSON_AddStringToObject(d, "error", e.msg);
		struct err e2 = {{0}};
		if (audit(r, "drift.check_failed", j->acct->id, NULL, d, &e2) < 0)
			logf_(r, "error: %s", e2.msg);
		return;
	}
	logf_(r, "%s: drift check: %zu differing, %zu unexplained", j->acct->id, res.differing,
	      res.unexplained);
	drift_result_free(&res);
	if (!past_cutover(r, j))
		return; /* halted or rolled back meanwhile: nothing more to stop */
	if (stop_the_line(j, &e) < 0)
		logf_(r, "error: %s: %s", j->acct->id, e.msg);
}

static void watch_drift(struct runner *r)
{
	if (r->refusal || r->o.dry_run || r->o.drift_interval_ms < 0)
		return;
	int64_t now = util_mono_ms();
	size_t inflight = 0;
	for (size_t i = 0; i < r->n_jobs; i++) {
		drift_finish(r, &r->jobs[i]);
		inflight += r->jobs[i].drift != NULL;
	}
	/* a wave of big tenants must not read them all at once */
	for (size_t i = 0; i < r->n_jobs && inflight < DRIFT_MAX_INFLIGHT; i++) {
		if (r->jobs[i].drift)
			continue;
		drift_start(r, &r->jobs[i], now);
		inflight += r->jobs[i].drift != NULL;
	}
}

/* How long the event loop may sleep before drift work is due: a check in
 * flight is looked at every 100 ms, the next one when it is due. */
static int drift_wait_ms(const struct runner *r, int timeout_ms)
{
	if (r->refusal || r->o.dry_run || r->o.drift_interval_ms < 0)
		return timeout_ms;
	int64_t now = util_mono_ms();
	for (size_t i = 0; i < r->n_jobs; i++) {
		const struct job *j = &r->jobs[i];
		if (!j->drift && !j->active)
			continue;
		int64_t due = j->drift ? 100 : j->next_drift - now;
		if (timeout_ms < 0 || due < timeout_ms)
			timeout_ms = due < 0 ? 0 : (int)due;
	}
	return timeout_ms;
}

static void heartbeat(struct runner *r)
{
	int64_t now = util_mono_ms();
	if (now < r->next_heartbeat)
		return;
	r->next_heartbeat = now + HEARTBEAT_MS;
	for (size_t i = 0; i < r->n_jobs; i++) {
		struct err e = {{0}};
		if (r->jobs[i].lease > 0 && runs_lease_heartbeat(r->st, r->jobs[i].lease, &e) < 0)
			logf_(r, "warning: %s", e.msg);
	}
}

/* A finished wave account counts as failed when it stopped badly. */
static void wave_account_done(struct runner *r, struct job *j)
{
	if (!j->in_wave || !j->launched || j->counted)
		return;
	struct runner_status s;
	struct err e = {{0}};
	if (runner_status(r, j->acct->id, &s, &e) == 0 &&
	    (s.state == ENGINE_RUN_FAILED || s.state == ENGINE_RUN_ROLLED_BACK ||
	     s.state == ENGINE_RUN_HALTED))
		r->wave_failed++;
	j->counted = 1;
}

int runner_poll(struct runner *r, struct pollfd *extra, size_t n_extra, int timeout_ms,
		struct err *e)
{
	if (!r->http)
		return poll(extra, n_extra, timeout_ms) < 0 && errno != EINTR ? err_set(e, "poll: %s", strerror(errno)) : 0;
	/* Work that is due first: never sleep with a dirty job. */
	for (size_t i = 0; i < r->n_jobs; i++)
		if (r->jobs[i].dirty)
			timeout_ms = 0;
	size_t np = proc_running(r->procs);
	struct pollfd *fds = xcalloc(n_extra + 2 * np + 1, sizeof(*fds));
	if (n_extra)
		memcpy(fds, extra, n_extra * sizeof(*fds));
	size_t nproc = proc_fds(r->procs, fds + n_extra, 2 * np);
	int hint = proc_wait_hint_ms(r->procs);
	if (hint >= 0 && hint < timeout_ms)
		timeout_ms = hint;
	if (np && timeout_ms > 50)
		timeout_ms = 50; /* curl's poll sees the pipes, but reaping needs a look */
	timeout_ms = drift_wait_ms(r, timeout_ms);
	int ready = http_poll(r->http, fds, n_extra + nproc, timeout_ms, e);
	if (ready < 0) {
		free(fds);
		return -1;
	}
	for (size_t i = 0; i < n_extra; i++)
		extra[i].revents = fds[i].revents;
	int ready_extra = 0;
	for (size_t i = 0; i < n_extra; i++)
		ready_extra += extra[i].revents != 0;
	proc_work(r->procs, fds + n_extra, nproc);
	free(fds);
	heartbeat(r);
	sample_metrics(r);
	poll_progress(r);
	watch_drift(r);
	int rc = 0;
	for (size_t i = 0; i < r->n_jobs; i++) {
		struct job *j = &r->jobs[i];
		if (!j->dirty)
			continue;
		int was_active = j->active;
		if (job_advance(j, e) < 0) {
			logf_(r, "%s: %s", j->acct->id, e->msg);
			lease_drop(r, j);
			job_end(j);
			e->msg[0] = 0;
		}
		if (was_active && !j->active)
			wave_account_done(r, j);
	}
	if (r->wave && wave_launch(r, e) < 0)
		rc = -1;
	return rc < 0 ? -1 : ready_extra;
}

/* ---- public: status ------------------------------------------------------------------------------------------------------------ */

int runner_status(struct runner *r, const char *account, struct runner_status *out,
		  struct err *e)
{
	memset(out, 0, sizeof(*out));
	if (!job_of(r, account, e))
		return -1;
	struct view v;
	if (view_load(r, account, &v, e) < 0) {
		view_free(&v);
		return -1;
	}
	struct engine_next nx = engine_next(&v.run);
	out->state = engine_run_state_of(&v.run);
	out->next = nx.kind;
	snprintf(out->why, sizeof(out->why), "%s", nx.why);
	if (v.have_sum && v.sum.halted_reason)
		snprintf(out->why, sizeof(out->why), "halted: %s", v.sum.halted_reason);
	/* Say precisely what a waiting step or gate waits for. */
	if (nx.kind == ENGINE_NEXT_WAIT || nx.kind == ENGINE_NEXT_STOPPED) {
		const struct plan *p = r->prog->plan;
		int gate_wait = strncmp(nx.why, "gate", 4) == 0;
		if (!gate_wait && nx.index < r->n_steps && v.row_of[nx.index]) {
			const struct runs_step *row = v.row_of[nx.index];
			const char *detail = row->waiting ? row->waiting : row->error;
			if (detail)
				snprintf(out->why, sizeof(out->why), "step %s: %s", row->step_id, detail);
		} else if (gate_wait && nx.index < p->n_phases && p->phases[nx.index].validation_gate) {
			struct runs_gate *g = NULL;
			size_t ng = 0;
			if (runs_gates(r->st, account, &g, &ng, e) == 0)
				for (size_t k = 0; k < ng; k++)
					if (util_streq(g[k].gate_id, p->phases[nx.index].validation_gate->gate_id) &&
					    g[k].detail)
						snprintf(out->why, sizeof(out->why), "gate %s %s: %s",
							 g[k].gate_id, engine_gate_state_name(g[k].state),
							 g[k].detail);
			runs_gate_list_free(g, ng);
		}
	}
	struct job *j = job_of(r, account, e);
	if (j->start_failed) {
		out->next = ENGINE_NEXT_STOPPED;
		out->state = ENGINE_RUN_FAILED;
		snprintf(out->why, sizeof(out->why), "could not start: %.480s", j->note ? j->note : "");
	} else if (j->refused) {
		out->next = ENGINE_NEXT_BUSY;
		snprintf(out->why, sizeof(out->why), "%.500s", j->note ? j->note : "");
	} else if (j->note && out->next == ENGINE_NEXT_STEP) {
		out->next = ENGINE_NEXT_WAIT;
		out->state = ENGINE_RUN_WAITING;
		snprintf(out->why, sizeof(out->why), "%.500s", j->note);
	}
	out->rollback_ready = engine_rollback_ready(&v.run, out->rollback_why,
						    sizeof(out->rollback_why));
	view_free(&v);
	return 0;
}

/* ---- public: person actions ------------------------------------------------------------------------------------------------------- */

int runner_sign(struct runner *r, const char *account, const char *gate_id, const char *role,
		int approve, const char *reason, struct err *e)
{
	if (refuse(r, e) < 0 || !job_of(r, account, e))
		return -1;
	const struct plan_phase *ph = NULL;
	const struct plan_gate *g = plan_find_gate(r->prog->plan, gate_id, &ph);
	if (!g)
		return err_set(e, "unknown gate '%s'", gate_id);
	if (!approve && (!reason || !*reason))
		return err_set(e, "rejecting gate %s needs a reason (--reason TEXT)", gate_id);
	const char *login = ident_get()->login;
	const char *mine = NULL;
	size_t held = 0;
	for (size_t i = 0; i < g->n_approvers; i++)
		if (roster_has_role(&r->prog->roster, login, g->approvers[i])) {
			held++;
			if (!role || strcmp(role, g->approvers[i]) == 0)
				mine = g->approvers[i];
		}
	if (!g->n_approvers) {
		/* No approver roles: an operator decides (an Inconclusive gate). */
		if (r->prog->roster.n_operators && !roster_is_operator(&r->prog->roster, login))
			return err_set(e, "gate %s has no approvers: only an operator can decide it",
				       gate_id);
		mine = "operator";
	}
	if (role && !mine)
		return err_set(e, "%s does not hold role '%s' for gate %s in roster.yaml", login, role,
			       gate_id);
	if (!mine)
		return err_set(e, "%s holds none of gate %s's approver roles in roster.yaml", login,
			       gate_id);
	if (!role && held > 1)
		return err_set(e, "%s holds several approver roles of gate %s: name one with --role",
			       login, gate_id);
	int64_t serial = runs_serial(r->st, account, e);
	if (serial < 0)
		return -1;
	struct rows rw;
	rows_of_gate(g, &rw);
	cJSON *checklist = rows_snapshot(r, account, "gate", gate_id, &rw);
	char *cl = cJSON_PrintUnformatted(checklist);
	int rc = store_begin(r->st, e);
	if (rc == 0)
		rc = runs_signoff_add(r->st, account, gate_id, mine, login, approve, reason,
				      r->prog->plan_hash, serial, cl, e);
	if (rc == 0) {
		cJSON *d = obj();
		cJSON_AddStringToObject(d, "role", mine);
		cJSON_AddStringToObject(d, "decision", approve ? "sign" : "reject");
		if (reason)
			cJSON_AddStringToObject(d, "reason", reason);
		cJSON_AddNumberToObject(d, "state_serial", (double)serial);
		cJSON_AddItemToObject(d, "checklist", checklist);
		checklist = NULL;
		rc = audit(r, approve ? "gate.sign" : "gate.reject", account, gate_id, d, e);
	}
	if (rc == 0)
		rc = store_commit(r->st, e);
	else
		store_rollback(r->st);
	cJSON_Delete(checklist);
	free(cl);
	return rc;
}

/* The row an item names: a 1-based number or the row's exact text. */
static const char *row_named(const struct rows *rw, const char *item)
{
	char *end = NULL;
	long k = strtol(item, &end, 10);
	if (end != item && !*end && k >= 1 && (size_t)k <= rows_count(rw))
		return rows_at(rw, (size_t)k - 1);
	for (size_t i = 0; i < rows_count(rw); i++)
		if (strcmp(rows_at(rw, i), item) == 0)
			return rows_at(rw, i);
	return NULL;
}

int runner_tick(struct runner *r, const char *account, const char *step_id,
		const char *gate_id, const char *item, struct err *e)
{
	if (refuse(r, e) < 0 || !job_of(r, account, e))
		return -1;
	struct rows rw;
	const char *scope = step_id ? "step" : "gate", *id = step_id ? step_id : gate_id;
	if (step_id) {
		const struct plan_step *s = plan_find_step(r->prog->plan, step_id, NULL);
		if (!s)
			return err_set(e, "unknown step '%s'", step_id);
		rows_of_step(s, &rw);
	} else {
		const struct plan_gate *g = plan_find_gate(r->prog->plan, gate_id, NULL);
		if (!g)
			return err_set(e, "unknown gate '%s'", gate_id);
		rows_of_gate(g, &rw);
	}
	const char *row = row_named(&rw, item);
	if (!row)
		return err_set(e, "%s %s has no manual check '%s' (%zu rows)", scope, id, item,
			       rows_count(&rw));
	if (runs_tick(r->st, account, scope, id, row, ident_get()->login, e) < 0)
		return -1;
	cJSON *d = obj();
	cJSON_AddStringToObject(d, "scope", scope);
	cJSON_AddStringToObject(d, "item", row);
	return audit(r, "check.tick", account, id, d, e);
}

int runner_rollback(struct runner *r, const char *account, enum engine_rollback_level level,
		    const char *id, struct err *e)
{
	if (refuse(r, e) < 0)
		return -1;
	struct job *j = job_of(r, account, e);
	if (!j || job_prepare(j, e) < 0)
		return -1;
	if (j->mode != JOB_IDLE || j->inflight)
		return err_set(e, "%s is busy: wait for the step in flight", account);
	size_t index = 0;
	if (level == ENGINE_ROLLBACK_STEP) {
		size_t i = 0;
		while (i < r->n_steps && (!id || strcmp(r->steps[i].step->step_id, id) != 0))
			i++;
		if (i == r->n_steps)
			return err_set(e, "a step-level rollback needs a known step (--step ID)");
		index = i;
	} else if (level == ENGINE_ROLLBACK_PHASE) {
		const struct plan_phase *ph = NULL;
		if (id) {
			ph = plan_find_phase(r->prog->plan, id);
			if (!ph)
				return err_set(e, "unknown phase '%s'", id);
		} else {
			/* The current phase: the newest step that did work. */
			struct view v;
			if (view_load(r, account, &v, e) < 0) {
				view_free(&v);
				return -1;
			}
			for (size_t i = 0; i < r->n_steps; i++)
				if (v.run.steps[i].state != ENGINE_STEP_PENDING)
					ph = r->steps[i].phase;
			view_free(&v);
			if (!ph)
				return err_set(e, "%s has no step to roll back", account);
		}
		index = (size_t)(ph - r->prog->plan->phases);
	}
	return start_rollback(j, level, index, e);
}

int runner_halt(struct runner *r, const char *account, const char *reason, struct err *e)
{
	if (refuse(r, e) < 0)
		return -1;
	for (size_t i = 0; i < r->n_jobs; i++) {
		struct job *j = &r->jobs[i];
		if (account && strcmp(j->acct->id, account) != 0)
			continue;
		if (runs_set_halted(r->st, j->acct->id, reason, e) < 0)
			return -1;
		cJSON *d = obj();
		if (reason)
			cJSON_AddStringToObject(d, "reason", reason);
		if (audit(r, reason ? "run.halt" : "run.unhalt", j->acct->id, NULL, d, e) < 0)
			return -1;
		logf_(r, "%s: %s%s", j->acct->id, reason ? "halted: " : "halt cleared",
		      reason ? reason : "");
		if (!reason) {
			if (persist_run_state(r, j, NULL, NULL, e) < 0)
				return -1;
			continue;
		}
		if (j->mode == JOB_IDLE)
			j->active = 0;
		const struct plan_stop_the_line *stl = r->prog->plan->stop_the_line;
		int roll = stl && stl->action != STOP_HALT;
		if (roll && j->mode == JOB_IDLE && !j->inflight) {
			if (job_prepare(j, e) < 0 || start_rollback(j, ENGINE_ROLLBACK_FULL, 0, e) < 0)
				return -1;
		} else if (roll) {
			j->rollback_when_idle = 1; /* after the operation in flight */
		}
	}
	return 0;
}

int runner_wave_control(struct runner *r, const char *wave, const char *action, long max,
			struct err *e)
{
	if (refuse(r, e) < 0)
		return -1;
	if (!plan_find_wave(r->prog->plan, wave))
		return err_set(e, "unknown wave '%s'", wave);
	int rc;
	if (strcmp(action, "throttle") == 0) {
		if (max < 1)
			return err_set(e, "throttle needs --max N (N >= 1)");
		rc = runs_wave_set(r->st, wave, NULL, max, ident_get()->login, e);
	} else if (strcmp(action, "postpone") == 0) {
		rc = runs_wave_set(r->st, wave, "postponed", -1, ident_get()->login, e);
	} else if (strcmp(action, "resume") == 0) {
		rc = runs_wave_set(r->st, wave, "running", 0, ident_get()->login, e);
	} else if (strcmp(action, "halt") == 0) {
		/* Panic: the wave launches nothing more and each account stops. */
		rc = runs_wave_set(r->st, wave, "halted", -1, ident_get()->login, e);
		for (size_t i = 0; rc == 0 && i < r->n_jobs; i++)
			if (util_streq(r->jobs[i].acct->wave, wave))
				rc = runner_halt(r, r->jobs[i].acct->id, "wave halted (panic)", e);
	} else {
		return err_set(e, "unknown wave action '%s' (throttle, postpone or resume)", action);
	}
	if (rc < 0)
		return -1;
	cJSON *d = obj();
	cJSON_AddStringToObject(d, "action", action);
	if (max > 0)
		cJSON_AddNumberToObject(d, "max", (double)max);
	char act[64];
	snprintf(act, sizeof(act), "wave.%s", action);
	return audit(r, act, NULL, wave, d, e);
}

/* Breaks the lease of an account's step when its holder is gone. */
static int lease_clear_dead(struct runner *r, const char *account, const char *step,
			    struct err *e)
{
	char key[256];
	lease_key(account, step, key, sizeof(key));
	struct runs_lease l;
	int got = runs_lease_get(r->st, key, &l, e);
	if (got <= 0)
		return got;
	if (!runs_lease_dead(&l, util_now_ms(), LEASE_STALE_MS)) {
		char desc[768];
		runs_lease_describe(&l, desc, sizeof(desc));
		return err_set(e, "%s %s: %s", account, step, desc);
	}
	return runner_lease_break(r, l.id, e);
}

int runner_reconcile(struct runner *r, const char *account, const char *step_id,
		     const char *as, struct err *e)
{
	if (refuse(r, e) < 0)
		return -1;
	struct job *j = job_of(r, account, e);
	if (!j)
		return -1;
	size_t idx = 0;
	while (idx < r->n_steps && strcmp(r->steps[idx].step->step_id, step_id) != 0)
		idx++;
	if (idx == r->n_steps)
		return err_set(e, "unknown step '%s'", step_id);
	static const char *const choices[] = {"done", "rerun", "rollback"};
	size_t c = 0;
	while (c < ARRAY_SIZE(choices) && strcmp(choices[c], as) != 0)
		c++;
	if (c == ARRAY_SIZE(choices))
		return err_set(e, "--as must be done, rerun or rollback, not '%s'", as);
	struct view v;
	if (view_load(r, account, &v, e) < 0) {
		view_free(&v);
		return -1;
	}
	enum engine_step_state st = v.run.steps[idx].state;
	const struct runs_step *row = v.row_of[idx];
	int64_t row_id = row ? row->id : 0, attempt = row ? row->attempt : 0;
	view_free(&v);
	static const unsigned char settles[ENGINE_STEP_STATE_COUNT] = {
		[ENGINE_STEP_UNKNOWN] = 1, [ENGINE_STEP_WAITING] = 1, [ENGINE_STEP_FAILED] = 1,
		[ENGINE_STEP_ROLLED_BACK] = 1, [ENGINE_STEP_ROLLING_BACK] = 1,
	};
	if (!settles[st])
		return err_set(e, "%s %s is %s: only an unknown, waiting, failed or rolled back step "
				  "is reconciled", account, step_id, engine_step_state_name(st));
	if (lease_clear_dead(r, account, step_id, e) < 0)
		return -1;
	cJSON *d = obj();
	cJSON_AddStringToObject(d, "as", as);
	cJSON_AddStringToObject(d, "was", engine_step_state_name(st));
	if (audit(r, "step.reconcile", account, step_id, d, e) < 0)
		return -1;
	j->cur = idx;
	j->step_run = row_id;
	j->attempt = attempt;
	if (c == 0)
		return step_set(j, ENGINE_STEP_SUCCEEDED, NULL, NULL, e);
	if (c == 1) {
		const struct rstep *rs = &r->steps[idx];
		if (runs_untick_all(r->st, account, "step", step_id, e) < 0 ||
		    runs_step_reset(r->st, account, rs->phase->phase_id, step_id, e) < 0)
			return -1;
		/* A failed gate of that phase is evaluated again after the rerun. */
		const struct plan_gate *g = rs->phase->validation_gate;
		if (g && runs_gate_set(r->st, account, rs->phase->phase_id, g->gate_id,
				       ENGINE_GATE_PENDING, "reset by a rerun", e) < 0)
			return -1;
		return persist_run_state(r, j, NULL, NULL, e);
	}
	if (job_prepare(j, e) < 0)
		return -1;
	return start_rollback(j, ENGINE_ROLLBACK_STEP, idx, e);
}

int runner_lease_break(struct runner *r, int64_t id, struct err *e)
{
	if (refuse(r, e) < 0)
		return -1;
	struct runs_lease l;
	int got = runs_lease_by_id(r->st, id, &l, e);
	if (got < 0)
		return -1;
	if (!got)
		return err_set(e, "no lease %lld", (long long)id);
	if (!runs_lease_dead(&l, util_now_ms(), LEASE_STALE_MS)) {
		char desc[768];
		runs_lease_describe(&l, desc, sizeof(desc));
		return err_set(e, "lease %lld is alive (%s): it cannot be broken", (long long)id, desc);
	}
	if (runs_lease_delete(r->st, id, e) < 0)
		return -1;
	cJSON *d = obj();
	cJSON_AddNumberToObject(d, "lease", (double)id);
	cJSON_AddStringToObject(d, "key", l.key);
	cJSON_AddStringToObject(d, "holder", l.holder);
	cJSON_AddStringToObject(d, "host", l.host);
	cJSON_AddNumberToObject(d, "pid", (double)l.pid);
	return audit(r, "lease.break", NULL, l.key, d, e);
}

/* ---- history -------------------------------------------------------------------------------------------------------------------- */

struct hist_ctx {
	FILE *out;
	const char *account, *step;
};

static int hist_visit(const struct audit_record *rec, void *ctx)
{
	struct hist_ctx *h = ctx;
	if (strcmp(rec->account, h->account) != 0 || strcmp(rec->subject, h->step) != 0)
		return 0;
	fprintf(h->out, "  %s %s %s\n", rec->ts, rec->action, rec->detail);
	return 0;
}

int runner_step_history(struct runner *r, const char *account, const char *step_id, FILE *out,
			struct err *e)
{
	struct hist_ctx h = {out, account, step_id};
	return audit_scan(r->st, 0, 0, hist_visit, &h, e) < 0 ? -1 : 0;
}

/* ---- for the headless commands ---------------------------------------------------------------------------------------------------- */

static int parse_long(const char *name, const char *v, long lo, long *out, struct err *e)
{
	char *end = NULL;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo)
		return err_set(e, "%s wants a number from %ld, got '%s'", name, lo, v);
	*out = n;
	return 0;
}

int runner_args_parse(int argc, char **argv, int with_action, struct runner_args *a,
		      struct err *e)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},      {"account", required_argument, NULL, 'A'},
		{"wave", required_argument, NULL, 'W'},    {"step", required_argument, NULL, 'S'},
		{"phase", required_argument, NULL, 'P'},   {"gate", required_argument, NULL, 'G'},
		{"role", required_argument, NULL, 'R'},    {"reason", required_argument, NULL, 'r'},
		{"confirm", required_argument, NULL, 'C'}, {"level", required_argument, NULL, 'L'},
		{"as", required_argument, NULL, 'a'},      {"item", required_argument, NULL, 'I'},
		{"concurrency", required_argument, NULL, 'c'}, {"max", required_argument, NULL, 'm'},
		{"id", required_argument, NULL, 'i'},      {"dry-run", no_argument, NULL, 'n'},
		{"yes", no_argument, NULL, 'y'},           {"pause", no_argument, NULL, 'p'},
		{"drift-interval", required_argument, NULL, 'D'},
		{NULL, 0, NULL, 0},
	};
	const char **slot[128] = {0};
	slot['d'] = &a->db, slot['A'] = &a->account, slot['W'] = &a->wave, slot['S'] = &a->step;
	slot['P'] = &a->phase, slot['G'] = &a->gate, slot['R'] = &a->role, slot['r'] = &a->reason;
	slot['C'] = &a->confirm, slot['L'] = &a->level, slot['a'] = &a->as, slot['I'] = &a->item;
	opterr = 0;
	optind = 0;
	int c;
	/* '+': stop at the first word, so a subcommand may come first. */
	while ((c = getopt_long(argc, argv, "+:y", longopts, NULL)) != -1 || optind < argc) {
		if (c == -1) {
			const char *word = argv[optind++];
			if (with_action && !a->action)
				a->action = word;
			else if (!a->program)
				a->program = word;
			else
				return err_set(e, "unexpected argument '%s'", word);
			continue;
		}
		if (c > 0 && c < 128 && slot[c]) {
			*slot[c] = optarg;
			continue;
		}
		switch (c) {
		case 'c':
			if (parse_long("--concurrency", optarg, 1, &a->concurrency, e) < 0)
				return -1;
			break;
		case 'm':
			if (parse_long("--max", optarg, 1, &a->max, e) < 0)
				return -1;
			break;
		case 'i':
			if (parse_long("--id", optarg, 1, &a->id, e) < 0)
				return -1;
			break;
		case 'D':
			if (units_parse_duration_ms(optarg, &a->drift_interval_ms) < 0)
				return err_set(e, "--drift-interval '%s' is not a duration (e.g. 30s, 5m; "
						  "0: never)", optarg);
			if (a->drift_interval_ms == 0)
				a->drift_interval_ms = -1;
			break;
		case 'n': a->dry_run = 1; break;
		case 'y': a->yes = 1; break;
		case 'p': a->pause = 1; break;
		case ':': return err_set(e, "%s needs a value", argv[optind - 1]);
		default: return err_set(e, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (with_action && !a->action)
		return err_set(e, "missing the subcommand");
	if (!a->program)
		return err_set(e, "missing PROGRAM (a program folder)");
	return 0;
}

int runner_confirm_typed(const char *target, const char *given, const char *what)
{
	if (given)
		return engine_confirm_ok(target, given);
	FILE *tty = fopen("/dev/tty", "r+");
	if (!tty)
		return 0;
	fprintf(tty, "%s: type %s to go on: ", what, target);
	fflush(tty);
	char line[256] = "";
	int ok = fgets(line, sizeof(line), tty) && engine_confirm_ok(target, line);
	if (!ok)
		fprintf(tty, "not confirmed\n");
	fclose(tty);
	return ok;
}

/* A cut-over's confirmation for the commands: --yes, else as above. */
static int cli_confirm(void *ctx, const char *target, const char *what)
{
	const struct runner_args *a = ctx;
	return a->yes || runner_confirm_typed(target, a->confirm, what);
}

struct runner *runner_args_open(const struct runner_args *a, FILE *log, struct err *e)
{
	struct runner_options o = {
		.db = a->db, .dry_run = a->dry_run, .concurrency = a->concurrency,
		.operator_pause = a->pause, .log = log, .drift_interval_ms = a->drift_interval_ms,
		.confirm = cli_confirm,
		.confirm_ctx = (void *)a,
	};
	return runner_open(a->program, &o, e);
}

int runner_drain(struct runner *r, struct err *e)
{
	while (!runner_idle(r))
		if (runner_poll(r, NULL, 0, 200, e) < 0)
			return -1;
	return 0;
}
