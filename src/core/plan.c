/* plan — loads a program (plan.yaml, accounts.yaml, roster.yaml) through the
 * schema tables, then checks what spans fields and files: references, the
 * seed's Validation Requirements (as warnings), metric wiring. Also the
 * lookups the engine and console use over the loaded model. */
#include "warroom/plan.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "warroom/template.h"
#include "warroom/util.h"
#include "warroom/yaml.h"

/* The loader writes enums as int: the enums must be int-sized. */
_Static_assert(sizeof(enum plan_step_type) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum cond_op) == sizeof(int), "enums are stored as int");

struct source {
	const char *name; /* for messages; NULL = the file is absent */
	const char *text;
	size_t len;
};

static void check_template(struct schema_ctx *ctx, const struct node *n, const char *s)
{
	struct err e;
	if (template_has_vars(s) && template_names_valid(s, &e) < 0)
		schema_error(ctx, n, "%s", e.msg);
}

/* Parses one file into the program's arena; NULL root on any problem. */
static const struct node *parse(struct program *p, const struct source *src, struct diags *d)
{
	struct node_doc doc = {.arena = p->arena};
	if (yaml_doc_parse(src->name, src->text, src->len, NULL, &doc, d) < 0)
		return NULL;
	if (!doc.root)
		diag_add(d, DIAG_ERROR, src->name, 0, 0, "the file is empty");
	return doc.root;
}

/* Stable insertion sort on an int64_t `order` member: plans are written
 * nearly in order, so this is linear in practice. */
static void sort_by_order(void *base, size_t n, size_t size, size_t order_off)
{
	char *b = base;
	char *tmp = xmalloc(size);
	for (size_t i = 1; i < n; i++) {
		int64_t key;
		memcpy(&key, b + i * size + order_off, sizeof(key));
		size_t j = i;
		for (;;) {
			int64_t prev;
			memcpy(&prev, b + (j - 1) * size + order_off, sizeof(prev));
			if (prev <= key)
				break;
			if (--j == 0)
				break;
		}
		if (j == i)
			continue;
		memcpy(tmp, b + i * size, size);
		memmove(b + (j + 1) * size, b + j * size, (i - j) * size);
		memcpy(b + j * size, tmp, size);
	}
	free(tmp);
}

static void put_in_order(struct plan *pl)
{
	sort_by_order(pl->phases, pl->n_phases, sizeof(*pl->phases),
		      offsetof(struct plan_phase, order));
	for (size_t i = 0; i < pl->n_phases; i++)
		sort_by_order(pl->phases[i].steps, pl->phases[i].n_steps, sizeof(struct plan_step),
			      offsetof(struct plan_step, order));
	sort_by_order(pl->waves, pl->n_waves, sizeof(*pl->waves), offsetof(struct plan_wave, order));
}

static void warn_at(struct diags *d, const char *file, struct schema_pos pos, const char *fmt,
		    const char *arg)
{
	diag_add(d, DIAG_WARNING, file, pos.line, pos.col, fmt, arg);
}

/* The seed schema's "Validation Requirements" checklist, as warnings: a plan
 * that misses them still loads and runs as a runbook. */
static void check_requirements(const struct plan *pl, const char *file, struct diags *d)
{
	if (!pl->n_phases)
		warn_at(d, file, pl->pos, "%s", "the plan defines no migration_phases");
	for (size_t i = 0; i < pl->n_phases; i++) {
		const struct plan_phase *ph = &pl->phases[i];
		if (!ph->phase_id)
			continue; /* not a phase at all: an error already says why */
		if (!ph->validation_gate)
			warn_at(d, file, ph->pos, "phase '%s' has no validation_gate", ph->phase_id);
		if (ph->rollback_point)
			continue;
		for (size_t j = 0; j < ph->n_steps; j++)
			if (ph->steps[j].step_id && !ph->steps[j].rollback_procedure)
				warn_at(d, file, ph->steps[j].pos,
					"step '%s' has no rollback_procedure and its phase no "
					"rollback_point",
					ph->steps[j].step_id);
	}
	if (!pl->monitoring || !pl->monitoring->n_migration_monitoring)
		warn_at(d, file, pl->pos, "%s",
			"the plan defines no monitoring "
			"(monitoring_and_observability.migration_monitoring)");
	if (!pl->risk_mitigation || !pl->risk_mitigation->n_migration_risks)
		warn_at(d, file, pl->pos, "%s",
			"the plan identifies no risks (risk_mitigation.migration_risks)");
	if (!pl->communication_plan)
		warn_at(d, file, pl->pos, "%s", "the plan has no communication_plan");
	if (!pl->success_criteria)
		warn_at(d, file, pl->pos, "%s", "the plan defines no success_criteria");
}

/* A metric read from a source needs the field that source type reads. */
static void check_metrics(const struct plan *pl, const char *file, struct diags *d)
{
	if (!pl->monitoring)
		return;
	for (size_t i = 0; i < pl->monitoring->n_migration_monitoring; i++) {
		const struct plan_metric *m = &pl->monitoring->migration_monitoring[i];
		const struct plan_metric_source *s = m->source ? plan_find_metric_source(pl, m->source)
							       : NULL;
		if (!s)
			continue;
		if (s->type == METRIC_SOURCE_PROMETHEUS && !m->query)
			diag_add(d, DIAG_ERROR, file, m->pos.line, m->pos.col,
				 "metric '%s' reads Prometheus source '%s' but has no 'query'",
				 m->metric_name, s->name);
		if (s->type == METRIC_SOURCE_HTTP_JSON && !m->pointer)
			diag_add(d, DIAG_ERROR, file, m->pos.line, m->pos.col,
				 "metric '%s' reads JSON source '%s' but has no 'pointer'",
				 m->metric_name, s->name);
	}
}

static void check_gates(const struct plan *pl, const char *file, struct diags *d)
{
	for (size_t i = 0; i < pl->n_phases; i++) {
		const struct plan_gate *g = pl->phases[i].validation_gate;
		if (g && g->approval_required && !g->n_approvers && !g->n_quorum)
			diag_add(d, DIAG_WARNING, file, g->pos.line, g->pos.col,
				 "gate '%s' requires approval but names no approvers",
				 g->gate_id ? g->gate_id : "");
	}
}

static void check_references(struct program *p, struct schema_ctx *ctx)
{
	const struct plan *pl = p->plan;
	schema_check_refs(ctx, REF_STEP, 1u << REF_STEP, "step");
	schema_check_refs(ctx, REF_CRITICAL_STEP, 1u << REF_STEP | 1u << REF_CODE_STEP, "step");
	schema_check_refs(ctx, REF_METRIC, 1u << REF_METRIC, "metric");
	schema_check_refs(ctx, REF_METRIC_SOURCE, 1u << REF_METRIC_SOURCE, "metric source");
	/* Names the program may leave undefined are checked only when it
	 * defines some: datasets, roster roles, waves. */
	if (pl && schema_count_defs(ctx, REF_DATASET))
		schema_check_refs(ctx, REF_DATASET, 1u << REF_DATASET, "test dataset");
	if (p->has_roster)
		schema_check_refs(ctx, REF_ROLE, 1u << REF_ROLE, "roster role");
	if (pl && pl->n_waves)
		schema_check_refs(ctx, REF_WAVE, 1u << REF_WAVE, "wave");
}

static void hash_plan(struct program *p, const struct source *src)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (EVP_Digest(src->text, src->len, md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen == 32)
		util_hex(md, 32, p->plan_hash);
}

static struct program *build(struct program *p, const struct source src[3], struct diags *d)
{
	size_t errors_before = d->errors;
	struct schema_ctx ctx;
	schema_ctx_init(&ctx, d, p->arena);
	ctx.on_string = check_template;
	ctx.user = p;

	hash_plan(p, &src[0]);
	const struct node *root = parse(p, &src[0], d);
	if (root) {
		p->plan = arena_alloc(p->arena, sizeof(*p->plan));
		schema_load(&ctx, src[0].name, &plan_schema_plan, root, p->plan);
	}
	if (src[1].name) {
		root = parse(p, &src[1], d);
		if (root) {
			struct account_list list = {0};
			schema_load(&ctx, src[1].name, &plan_schema_accounts, root, &list);
			p->accounts = list.accounts;
			p->n_accounts = list.n_accounts;
			p->has_accounts = true;
		}
	}
	if (src[2].name) {
		root = parse(p, &src[2], d);
		if (root) {
			schema_load(&ctx, src[2].name, &plan_schema_roster, root, &p->roster);
			p->has_roster = true;
		}
	}
	check_references(p, &ctx);
	if (p->plan) {
		put_in_order(p->plan);
		check_metrics(p->plan, src[0].name, d);
		check_gates(p->plan, src[0].name, d);
		check_requirements(p->plan, src[0].name, d);
	}
	if (p->has_accounts && !p->n_accounts)
		diag_add(d, DIAG_WARNING, src[1].name, 0, 0, "no accounts: nothing to migrate");
	schema_ctx_release(&ctx);
	if (d->errors > errors_before || !p->plan) {
		program_free(p);
		return NULL;
	}
	return p;
}

static struct program *program_new(const char *dir)
{
	struct program *p = xcalloc(1, sizeof(*p));
	p->arena = arena_new();
	p->dir = arena_strdup(p->arena, dir);
	return p;
}

struct program *program_load_mem(const char *plan_name, const char *plan_text, size_t plan_len,
				 const char *accounts_name, const char *accounts_text,
				 size_t accounts_len, const char *roster_name,
				 const char *roster_text, size_t roster_len, struct diags *d)
{
	struct program *p = program_new(".");
	struct source src[3] = {
		{arena_strdup(p->arena, plan_name ? plan_name : "plan.yaml"), plan_text ? plan_text : "",
		 plan_text ? plan_len : 0},
		{accounts_text ? arena_strdup(p->arena, accounts_name ? accounts_name : "accounts.yaml")
			       : NULL,
		 accounts_text, accounts_len},
		{roster_text ? arena_strdup(p->arena, roster_name ? roster_name : "roster.yaml") : NULL,
		 roster_text, roster_len},
	};
	return build(p, src, d);
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *in_arena_path(struct program *p, const char *dir, const char *name)
{
	char *tmp = xasprintf("%s/%s", dir, name);
	char *s = arena_strdup(p->arena, tmp);
	free(tmp);
	return s;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

struct program *program_load(const char *path, struct diags *d)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		diag_add(d, DIAG_ERROR, path, 0, 0, "no such file or folder");
		return NULL;
	}
	struct program *p;
	if (S_ISDIR(st.st_mode)) {
		p = program_new(path);
		p->plan_path = in_arena_path(p, path, "plan.yaml");
		p->accounts_path = in_arena_path(p, path, "accounts.yaml");
		p->roster_path = in_arena_path(p, path, "roster.yaml");
		if (!is_file(p->plan_path)) {
			diag_add(d, DIAG_ERROR, path, 0, 0, "no plan.yaml in this folder");
			program_free(p);
			return NULL;
		}
		if (!is_file(p->accounts_path)) {
			diag_add(d, DIAG_WARNING, path, 0, 0,
				 "no accounts.yaml in this folder: there is nothing to migrate");
			p->accounts_path = NULL;
		}
		if (!is_file(p->roster_path)) {
			diag_add(d, DIAG_WARNING, path, 0, 0,
				 "no roster.yaml in this folder: approvers are not checked");
			p->roster_path = NULL;
		}
	} else {
		char *dir = dir_of(path);
		p = program_new(dir);
		free(dir);
		p->plan_path = arena_strdup(p->arena, path);
	}
	const char *paths[3] = {p->plan_path, p->accounts_path, p->roster_path};
	struct source src[3] = {{0}};
	char *bufs[3] = {NULL, NULL, NULL};
	bool ok = true;
	for (int i = 0; i < 3; i++) {
		if (!paths[i])
			continue;
		bufs[i] = yaml_read_file(paths[i], PLAN_MAX_FILE_BYTES, &src[i].len, d);
		if (!bufs[i])
			ok = false;
		src[i].name = paths[i];
		src[i].text = bufs[i];
	}
	struct program *out = NULL;
	if (ok)
		out = build(p, src, d);
	else
		program_free(p);
	for (int i = 0; i < 3; i++)
		free(bufs[i]);
	return out;
}

void program_free(struct program *p)
{
	if (!p)
		return;
	arena_free(p->arena);
	free(p);
}

/* ---- lookups ------------------------------------------------------------------------ */

const struct plan_phase *plan_find_phase(const struct plan *p, const char *phase_id)
{
	for (size_t i = 0; p && i < p->n_phases; i++)
		if (util_streq(p->phases[i].phase_id, phase_id))
			return &p->phases[i];
	return NULL;
}

const struct plan_step *plan_find_step(const struct plan *p, const char *step_id,
				       const struct plan_phase **phase_out)
{
	for (size_t i = 0; p && i < p->n_phases; i++)
		for (size_t j = 0; j < p->phases[i].n_steps; j++)
			if (util_streq(p->phases[i].steps[j].step_id, step_id)) {
				if (phase_out)
					*phase_out = &p->phases[i];
				return &p->phases[i].steps[j];
			}
	return NULL;
}

const struct plan_gate *plan_find_gate(const struct plan *p, const char *gate_id,
				       const struct plan_phase **phase_out)
{
	for (size_t i = 0; p && i < p->n_phases; i++) {
		const struct plan_gate *g = p->phases[i].validation_gate;
		if (g && util_streq(g->gate_id, gate_id)) {
			if (phase_out)
				*phase_out = &p->phases[i];
			return g;
		}
	}
	return NULL;
}

const struct plan_wave *plan_find_wave(const struct plan *p, const char *name)
{
	for (size_t i = 0; p && i < p->n_waves; i++)
		if (util_streq(p->waves[i].name, name))
			return &p->waves[i];
	return NULL;
}

const struct plan_metric *plan_find_metric(const struct plan *p, const char *metric_name)
{
	if (!p || !p->monitoring)
		return NULL;
	for (size_t i = 0; i < p->monitoring->n_migration_monitoring; i++)
		if (util_streq(p->monitoring->migration_monitoring[i].metric_name, metric_name))
			return &p->monitoring->migration_monitoring[i];
	return NULL;
}

const struct plan_metric_source *plan_find_metric_source(const struct plan *p, const char *name)
{
	for (size_t i = 0; p && i < p->n_metric_sources; i++)
		if (util_streq(p->metric_sources[i].name, name))
			return &p->metric_sources[i];
	return NULL;
}

const struct plan_rollback_level_spec *plan_find_rollback_level(const struct plan *p,
								enum plan_rollback_level level)
{
	if (!p || !p->rollback_strategy)
		return NULL;
	for (size_t i = 0; i < p->rollback_strategy->n_rollback_levels; i++)
		if (p->rollback_strategy->rollback_levels[i].level == level)
			return &p->rollback_strategy->rollback_levels[i];
	return NULL;
}

const struct account *program_find_account(const struct program *p, const char *id)
{
	for (size_t i = 0; p && i < p->n_accounts; i++)
		if (util_streq(p->accounts[i].id, id))
			return &p->accounts[i];
	return NULL;
}

size_t program_wave_accounts(const struct program *p, const char *wave,
			     const struct account ***out)
{
	size_t n = 0;
	*out = xcalloc(p->n_accounts ? p->n_accounts : 1, sizeof(**out));
	for (size_t i = 0; i < p->n_accounts; i++)
		if (util_streq(p->accounts[i].wave, wave))
			(*out)[n++] = &p->accounts[i];
	return n;
}

const struct roster_role *roster_find_role(const struct roster *r, const char *role)
{
	for (size_t i = 0; r && i < r->n_roles; i++)
		if (util_streq(r->roles[i].name, role))
			return &r->roles[i];
	return NULL;
}

char *const *roster_role_members(const struct roster *r, const char *role, size_t *n)
{
	const struct roster_role *ro = roster_find_role(r, role);
	*n = ro ? ro->n_members : 0;
	return ro ? ro->members : NULL;
}

static bool in_list(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (util_streq(v[i], s))
			return true;
	return false;
}

bool roster_has_role(const struct roster *r, const char *login, const char *role)
{
	size_t n;
	char *const *m = roster_role_members(r, role, &n);
	return in_list(m, n, login);
}

bool roster_is_operator(const struct roster *r, const char *login)
{
	return r && in_list(r->operators, r->n_operators, login);
}

bool roster_is_observer(const struct roster *r, const char *login)
{
	return r && in_list(r->observers, r->n_observers, login);
}
