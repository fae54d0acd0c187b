/* `warroom parity` — the invariants of each account measured headless:
 * the account's source (or the reference dataset) against the target
 * through the target API, stored as samples and an audit record, printed as
 * a table; exit 1 under threshold. `--aa` compares the source with itself to
 * measure the noise floor; `--buckets` bisects bucket checksums and reads
 * only what differs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/audit.h"
#include "warroom/cli.h"
#include "warroom/exceptions.h"
#include "warroom/parity.h"
#include "warroom/plan.h"
#include "warroom/samples.h"
#include "warroom/source.h"
#include "warroom/targetapi.h"
#include "warroom/units.h"

struct parity_opts {
	const char *program, *account, *wave, *db;
	int aa, json;
	int reference; /* --source reference: the simulator's seeded dataset */
	int buckets;   /* --buckets: bisect checksums, read only what differs */
	unsigned bucket_count; /* --bucket-count N: fan-out; 0 = the plan's */
};

/* What reading an account cost, and what a full download would have. */
struct cost {
	size_t requests, full_requests; /* to the target API (and the reference routes) */
	uint64_t bytes, full_bytes; /* full_bytes estimated; 0 = unknown */
	char whole[160];            /* bucketed: the types read whole, and why */
	size_t source_entities, source_requests; /* the importer's read, when there is one */
};

static int parse_opts(int argc, char **argv, struct parity_opts *o)
{
	static const struct option longopts[] = {
		{"account", required_argument, NULL, 'a'}, {"wave", required_argument, NULL, 'w'},
		{"db", required_argument, NULL, 'd'},      {"aa", no_argument, NULL, 'A'},
		{"json", no_argument, NULL, 'j'},          {"source", required_argument, NULL, 's'},
		{"buckets", no_argument, NULL, 'b'},       {"bucket-count", required_argument, NULL, 'n'},
		{NULL, 0, NULL, 0},
	};
	opterr = 0;
	optind = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': o->account = optarg; break;
		case 'w': o->wave = optarg; break;
		case 'd': o->db = optarg; break;
		case 'A': o->aa = 1; break;
		case 'j': o->json = 1; break;
		case 's':
			if (strcmp(optarg, "import") && strcmp(optarg, "reference"))
				return cli_usage_error("parity", "--source is import or reference, not", optarg);
			o->reference = !strcmp(optarg, "reference");
			break;
		case 'b': o->buckets = 1; break;
		case 'n': {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (*end || end == optarg || n < 2 || n > BUCKET_MAX_FANOUT)
				return cli_usage_error("parity", "--bucket-count is a whole number from 2 to 4096, not", optarg);
			o->bucket_count = (unsigned)n;
			break;
		}
		case ':': return cli_usage_error("parity", "a value is missing after", argv[optind - 1]);
		default: return cli_usage_error("parity", "unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->program = argv[optind++];
	if (!o->program)
		return cli_usage_error("parity", "which program?", NULL);
	if (optind < argc)
		return cli_usage_error("parity", "unexpected argument", argv[optind]);
	if (o->account && o->wave)
		return cli_usage_error("parity", "--account and --wave exclude each other", NULL);
	if (o->bucket_count && !o->buckets)
		return cli_usage_error("parity", "--bucket-count goes with --buckets", NULL);
	if (o->buckets && o->aa)
		return cli_usage_error("parity", "--aa and --buckets exclude each other", NULL);
	return 0;
}

/* The plan's own invariants: each data migration's reconciliation
 * threshold, held against the share of entities that match. */
static void plan_invariants(const struct program *p, struct parity_result *r)
{
	const struct plan_data_migration *dm = p->plan ? p->plan->data_migration : NULL;
	size_t all = 0, ok = 0;
	for (int t = 0; t < ENTITY_TYPE_COUNT; t++) {
		const struct parity_type_result *tr = &r->types[t];
		all += tr->matched + tr->changed + tr->missing + tr->extra;
		ok += tr->matched + tr->explained;
	}
	double share = all ? (double)ok / (double)all : 1.0;
	for (size_t i = 0; dm && i < dm->n_migrations; i++) {
		const struct plan_data_validation *v = dm->migrations[i].validation;
		double needed;
		if (!v || !v->reconciliation || !v->reconciliation->acceptance_threshold ||
		    units_parse_percent(v->reconciliation->acceptance_threshold, 1, &needed) < 0)
			continue;
		parity_add_invariant(r, dm->migrations[i].migration_id, share, needed);
	}
}

static void print_row(const struct parity_result *r, int aa)
{
	printf("%-14s %9.3f%% %9.3f%% %7lld/%-7lld %s\n", r->account, 100.0 * r->pass_rate,
	       100.0 * r->error_rate, (long long)r->passed, (long long)r->evaluated,
	       aa ? (r->error_rate > 0 ? "NOISY" : "quiet") : r->ok ? "ok" : "BELOW THRESHOLD");
	for (int t = 0; t < ENTITY_TYPE_COUNT; t++) {
		const struct parity_type_result *tr = &r->types[t];
		if (!tr->source_count && !tr->target_count)
			continue;
		printf("  %-18s source %6zu  target %6zu  matched %6zu  changed %zu  missing %zu  extra %zu"
		       "  explained %zu  sampled %zu/%zu\n",
		       entity_type_name((enum entity_type)t), tr->source_count, tr->target_count,
		       tr->matched, tr->changed, tr->missing, tr->extra, tr->explained, tr->sampled_ok,
		       tr->sampled);
	}
	for (size_t i = 0; i < r->n_mismatches; i++) {
		const struct parity_mismatch *m = &r->mismatches[i];
		printf("  %s %s %s%s%s\n", parity_diff_kind_name(m->kind), entity_type_name(m->type), m->id,
		       m->explained ? " -- explained by " : "", m->explained ? m->explained : "");
		if (m->diff && !m->explained) {
			for (const char *s = m->diff; *s;) {
				const char *nl = strchr(s, '\n');
				size_t n = nl ? (size_t)(nl - s) : strlen(s);
				printf("      %.*s\n", (int)n, s);
				s += n + (nl != NULL);
			}
		}
	}
	if (r->diffs_dropped)
		printf("  ... and %zu more differences\n", r->diffs_dropped);
}

/* The plan's say: program.parity_threshold, then its parity section
 * (threshold, sample size, fan-out, ignore rules with their reasons). */
static int plan_settings(const struct program *p, struct parity_config *cfg, struct err *e)
{
	const struct plan *plan = p->plan;
	if (plan && plan->program)
		cfg->threshold = plan->program->parity_threshold;
	const struct plan_parity *pp = plan ? plan->parity : NULL;
	if (!pp)
		return 0;
	if (pp->threshold >= 0)
		cfg->threshold = pp->threshold;
	if (pp->sample_size >= 0)
		cfg->sample_size = (size_t)pp->sample_size;
	if (pp->buckets > 0)
		cfg->buckets = (unsigned)pp->buckets;
	for (size_t i = 0; i < pp->n_ignore; i++) {
		const struct plan_parity_ignore *r = &pp->ignore[i];
		if (parity_config_add_rule(cfg, r->entity, r->field, r->rule, r->reason, e))
			return err_wrap(e, "%s:%d:%d: parity.ignore", p->plan_path ? p->plan_path : "plan",
					r->pos.line, r->pos.col);
	}
	return 0;
}

/* The source side: the account's source read through its importer (what it
 * cost added to cost), or (reference) the seeded dataset the simulator
 * serves for the tenant. */
static int read_source_side(struct targetapi *api, const struct account *a, int reference,
			    struct entity_set *out, struct cost *cost, struct err *e)
{
	if (reference)
		return targetapi_fetch_all(api, a->id, TARGETAPI_REFERENCE, out, e);
	struct source_result sr;
	if (targetapi_read_source(a, &sr, e))
		return -1;
	cost->source_entities += sr.set.n;
	cost->source_requests += sr.requests;
	for (size_t i = 0; i < sr.set.n; i++)
		entity_set_add(out, sr.set.items[i]);
	sr.set.n = 0;
	source_result_free(&sr);
	return 0;
}


/* What a measure read: the API it read through and both sides. */
struct sides {
	struct targetapi api;
	struct entity_set src, tgt;
};

/* The end of a measure, rc being how reading went: the sides compared
 * (tot: bucketed, else NULL), the plan's invariants added (not for A/A),
 * what was read freed either way. */
static int compare_sides(struct sides *s, int rc, const struct program *p, const struct account *a,
			 struct parity_config *cfg, const struct exception_list *exc, int aa,
			 const struct parity_totals *tot, struct parity_result *r, struct err *e)
{
	if (!rc) {
		struct exceptions_explainer ex = {exc, util_now_ms()};
		parity_explain_fn explain = aa ? NULL : exceptions_explain;
		rc = tot ? parity_compare_bucketed(a->id, &s->src, &s->tgt, tot, cfg, explain, &ex,
						   ex.now_ms, r, e)
			 : parity_compare(a->id, &s->src, &s->tgt, cfg, explain, &ex, ex.now_ms, r, e);
		if (!rc && !aa)
			plan_invariants(p, r);
	}
	if (rc)
		err_wrap(e, "account %s", a->id);
	entity_set_free(&s->src);
	entity_set_free(&s->tgt);
	targetapi_close(&s->api);
	return rc;
}

/* Measures one account; fills *r. -1 with e when a side cannot be read.
 * An A/A run reads the source side twice: what differs is noise. */
static int measure(const struct program *p, const struct account *a, struct parity_config *cfg,
		   const struct exception_list *exc, const struct parity_opts *o,
		   struct parity_result *r, struct cost *cost, struct err *e)
{
	struct sides s = {0};
	if (targetapi_open_account(&s.api, a, e))
		return -1;
	int rc = read_source_side(&s.api, a, o->reference, &s.src, cost, e);
	if (!rc && o->aa) {
		rc = read_source_side(&s.api, a, o->reference, &s.tgt, cost, e);
	} else if (!rc) {
		rc = targetapi_fetch_all(&s.api, a->id, TARGETAPI_TARGET, &s.tgt, e);
		if (!o->reference) /* the importer's side is canonical: so must the target's be */
			targetapi_to_canonical(&s.tgt);
	}
	cost->requests = cost->full_requests = s.api.requests;
	cost->bytes = cost->full_bytes = s.api.bytes;
	return compare_sides(&s, rc, p, a, cfg, exc, o->aa, NULL, r, e);
}

/* ---- bucketed ------------------------------------------------------------------------- */

static int diff_id_cmp(const void *key, const void *d)
{
	return strcmp(key, ((const struct bucket_diff *)d)->id);
}

/* Whether a side holds the differing entity: the source side (left) every
 * one but the target's extras, the target every one but the missing. */
static int side_has(enum targetapi_side side, enum bucket_diff_kind k)
{
	return k == BUCKET_CHANGED || k == (side == TARGETAPI_REFERENCE ? BUCKET_ONLY_LEFT
									 : BUCKET_ONLY_RIGHT);
}

/* The entities read whole, and the bytes their answers took. */
struct reads {
	size_t entities;
	uint64_t bytes;
};

/* One GET per differing entity, or the type's pages when those are fewer requests.
 * *read counts the entities received. */
static int read_entities(struct targetapi *api, const char *tenant, enum targetapi_side side,
			 enum entity_type type, const struct bucket_result *br, uint64_t count,
			 struct entity_set *out, size_t *read, struct err *e)
{
	size_t want = 0;
	for (size_t i = 0; i < br->n; i++)
		want += side_has(side, br->v[i].kind);
	if (!want)
		return 0;
	if (want <= targetapi_list_requests(count)) { /* a tie: the same requests, fewer bytes */
		for (size_t i = 0; i < br->n; i++) {
			if (side_has(side, br->v[i].kind) &&
			    targetapi_fetch_one(api, tenant, side, type, br->v[i].id, out, e))
				return -1;
		}
		*read += want;
		return 0;
	}
	struct entity_set all = {0};
	if (targetapi_fetch_type(api, tenant, side, type, &all, e))
		return -1;
	*read += all.n;
	for (size_t i = 0; i < all.n; i++) {
		const struct bucket_diff *d = bsearch(all.items[i]->id, br->v, br->n, sizeof(*br->v),
						      diff_id_cmp);
		if (d && side_has(side, d->kind))
			entity_set_add(out, all.items[i]);
		else
			entity_free(all.items[i]);
	}
	free(all.items);
	return 0;
}

/* Reads the differing entities of one type on one side into out. */
static int read_differing(struct targetapi *api, const char *tenant, enum targetapi_side side,
			  enum entity_type type, const struct bucket_result *br, uint64_t count,
			  struct entity_set *out, struct reads *rd, struct err *e)
{
	uint64_t before = api->bytes;
	int rc = read_entities(api, tenant, side, type, br, count, out, &rd->entities, e);
	rd->bytes += api->bytes - before;
	return rc;
}

/* A bucketed measure of one account. The source side is either the
 * reference dataset's bucket routes, or (local) the account's own source
 * read whole through its importer and summarised here: the legacy systems
 * have no bucket routes, so only the target is asked for checksums. */
struct bisect {
	struct targetapi *api;
	const char *tenant;
	struct parity_config *cfg;
	unsigned fanout;
	struct entity_set *local; /* the importer's read; NULL: the reference routes */
	struct entity_set *src, *tgt; /* what is compared entity by entity */
	struct reads rd;
	struct cost *cost;
};

/* Moves the local read's entities of one type to out: those the bisection
 * found on the source side (br), or all of them (br NULL); the others are
 * freed, as the checksums vouch for them. */
static void take_local(struct entity_set *local, enum entity_type type,
		       const struct bucket_result *br, struct entity_set *out)
{
	size_t kept = 0;
	for (size_t i = 0; i < local->n; i++) {
		struct entity *en = local->items[i];
		if (en->type != type) {
			local->items[kept++] = en;
			continue;
		}
		const struct bucket_diff *d =
			br && br->n ? bsearch(en->id, br->v, br->n, sizeof(*br->v), diff_id_cmp) : NULL;
		if (!br || (d && side_has(TARGETAPI_REFERENCE, d->kind)))
			entity_set_add(out, en);
		else
			entity_free(en);
	}
	local->n = kept;
}

/* The fallback when a type's rules cannot go into the checksums: the type
 * read whole on both sides and compared as the full mode does. */
static int read_whole(struct bisect *b, enum entity_type type, const char *why,
		      struct parity_totals *tot, struct err *e)
{
	struct cost *cost = b->cost;
	size_t len = strlen(cost->whole);
	snprintf(cost->whole + len, sizeof(cost->whole) - len, "%s%s (%s)", len ? ", " : "",
		 entity_type_name(type), why);
	tot->whole = 1;
	if (b->local)
		take_local(b->local, type, NULL, b->src);
	else if (targetapi_fetch_type(b->api, b->tenant, TARGETAPI_REFERENCE, type, b->src, e))
		return -1;
	return targetapi_fetch_type(b->api, b->tenant, TARGETAPI_TARGET, type, b->tgt, e);
}

/* Bisects one type's buckets (source on the left, target on the right),
 * both summarised after the ignore rules each side is rewritten by, and
 * reads what differs on each side. */
static int bisect_type(struct bisect *b, enum entity_type type, struct parity_totals *tot,
		       struct err *e)
{
	const struct parity_config *cfg = b->cfg;
	struct strbuf lrules = {0}, rrules = {0};
	struct bucket_index index = {0};
	struct targetapi_buckets lb = {.api = b->api, .tenant = b->tenant, .type = type,
				       .side = TARGETAPI_REFERENCE, .sample = cfg->sample_size,
				       .seed = cfg->seed};
	struct targetapi_buckets rb = {.api = b->api, .tenant = b->tenant, .type = type,
				       .side = TARGETAPI_TARGET, .canonical = b->local != NULL};
	struct bucket_side left, right;
	if (b->local) {
		/* hashed here exactly as parity_compare hashes the source side */
		if (parity_bucket_index(b->cfg, b->local, type, PARITY_SOURCE, &index,
					&tot->sample_cut, &tot->sample_count, e))
			return -1;
		bucket_side_local(&left, &index);
	} else {
		parity_rules_encode(cfg, type, PARITY_SOURCE, &lrules);
		lb.rules = sb_str(&lrules);
		targetapi_bucket_side(&lb, &left);
	}
	parity_rules_encode(cfg, type, PARITY_TARGET, &rrules);
	rb.rules = sb_str(&rrules);
	targetapi_bucket_side(&rb, &right);
	int too_long = lrules.len > PARITY_RULES_MAX_TEXT || rrules.len > PARITY_RULES_MAX_TEXT;
	struct bucket_opts bo = {.fanout = b->fanout};
	struct bucket_result br;
	int rc = too_long ? 1 : bucket_compare(&left, &right, &bo, &br, e);
	const char *refused = !rc ? NULL : lb.refused ? lb.refused : rb.refused;
	sb_release(&lrules);
	sb_release(&rrules);
	bucket_index_free(&index);
	if (too_long || refused) {
		e->msg[0] = '\0';
		return read_whole(b, type, too_long ? "ignore rules too long for a bucket request" : refused,
				  tot, e);
	}
	if (rc)
		return -1;
	if (!b->local) {
		tot->sample_cut = lb.sample_cut;
		tot->sample_count = lb.sample_count;
	}
	tot->source_count = (size_t)br.left_count;
	tot->target_count = (size_t)br.right_count;
	bucket_sum_hex(&br.left_sum, tot->source_digest);
	bucket_sum_hex(&br.right_sum, tot->target_digest);
	if (b->local)
		take_local(b->local, type, &br, b->src);
	else
		rc = read_differing(b->api, b->tenant, TARGETAPI_REFERENCE, type, &br, br.left_count,
				    b->src, &b->rd, e);
	if (!rc)
		rc = read_differing(b->api, b->tenant, TARGETAPI_TARGET, type, &br, br.right_count,
				    b->tgt, &b->rd, e);
	bucket_result_free(&br);
	return rc;
}

/* The bytes a full download would take: the entities read so far, else a
 * first page of the biggest type, give the size of one. Only the target's
 * entities when the source side was read locally. */
static uint64_t estimate_full_bytes(struct bisect *b, const struct parity_totals *tot)
{
	uint64_t all = 0, biggest = 0;
	enum entity_type big = 0;
	struct reads rd = b->rd;
	for (int t = 0; t < ENTITY_TYPE_COUNT; t++) {
		all += (b->local ? 0 : tot[t].source_count) + tot[t].target_count;
		if (tot[t].target_count > biggest)
			biggest = tot[t].target_count, big = (enum entity_type)t;
	}
	if (!rd.entities && biggest) {
		struct err ignored = {{0}}; /* an estimate that cannot be made stays unknown */
		uint64_t before = b->api->bytes;
		char *path = xasprintf("/v1/tenants/%s/%s?page=1&page_size=25", b->tenant,
				       entity_type_plural(big));
		cJSON *page = targetapi_get_json(b->api, path, &ignored);
		free(path);
		rd.entities = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(page, "data"));
		cJSON_Delete(page);
		rd.bytes = b->api->bytes - before;
	}
	return rd.entities ? rd.bytes * all / rd.entities : 0;
}

/* The bucketed measure: checksums bisected per type, only the differing
 * entities read (from the local read, or through the reference routes),
 * the rest counted as matching. */
static int measure_bucketed(const struct program *p, const struct account *a,
			    struct parity_config *cfg, const struct exception_list *exc,
			    const struct parity_opts *o, unsigned fanout, struct parity_result *r,
			    struct cost *cost, struct err *e)
{
	struct sides s = {0};
	struct entity_set local = {0};
	if (targetapi_open_account(&s.api, a, e))
		return -1;
	int rc = o->reference ? 0 : read_source_side(&s.api, a, 0, &local, cost, e);
	struct parity_totals tot[ENTITY_TYPE_COUNT];
	memset(tot, 0, sizeof(tot));
	struct bisect b = {.api = &s.api, .tenant = a->id, .cfg = cfg, .fanout = fanout,
			   .local = o->reference ? NULL : &local, .src = &s.src, .tgt = &s.tgt,
			   .cost = cost};
	for (int t = 0; t < ENTITY_TYPE_COUNT && !rc; t++)
		rc = bisect_type(&b, (enum entity_type)t, &tot[t], e);
	entity_set_free(&local);
	if (!rc) {
		if (!o->reference) /* the importer's side is canonical: so must the target's be */
			targetapi_to_canonical(&s.tgt);
		cost->full_bytes = estimate_full_bytes(&b, tot);
		for (int t = 0; t < ENTITY_TYPE_COUNT; t++)
			cost->full_requests += (o->reference ? targetapi_list_requests(tot[t].source_count) : 0) +
					       targetapi_list_requests(tot[t].target_count);
		cost->requests = s.api.requests;
		cost->bytes = s.api.bytes;
	}
	return compare_sides(&s, rc, p, a, cfg, exc, 0, tot, r, e);
}

static void print_cost(const struct cost *c, int bucketed)
{
	if (c->source_entities || c->source_requests)
		printf("  source: %zu entities read whole through the importer, %zu requests\n",
		       c->source_entities, c->source_requests);
	if (!bucketed) {
		printf("  read: %zu requests, %llu bytes (full download)\n", c->requests,
		       (unsigned long long)c->bytes);
		return;
	}
	printf("  read: %zu requests, %llu bytes (bucketed); a full download: %zu requests, ",
	       c->requests, (unsigned long long)c->bytes, c->full_requests);
	if (c->full_bytes)
		printf("~%llu bytes\n", (unsigned long long)c->full_bytes);
	else
		printf("bytes unknown\n");
	if (c->whole[0])
		printf("  read whole: %s\n", c->whole);
}

static int record(struct store *st, const struct program *p, const struct parity_result *r,
		  const struct parity_config *cfg, int aa, struct err *e)
{
	if (samples_append_parity(st, r, aa, e))
		return -1;
	cJSON *detail = parity_result_json(r, cfg);
	struct audit_entry en = {.action = aa ? "parity.aa" : "parity.run", .role = "cli",
				 .account = r->account, .detail = detail, .plan_hash = p->plan_hash};
	int rc = audit_append(st, &en, NULL, e);
	cJSON_Delete(detail);
	return rc;
}

int cmd_parity(int argc, char **argv)
{
	struct parity_opts o = {0};
	if (parse_opts(argc, argv, &o))
		return EXIT_USAGE;
	struct err e = {{0}};
	struct targetapi_cmd c;
	struct exception_list exc = {0};
	int status = EXIT_OK;
	if (targetapi_cmd_open(&c, o.program, o.db, o.account, o.wave, 1, &e) ||
	    exceptions_list(c.store, EXC_OPEN, util_now_ms(), &exc, &e))
		goto fail;
	if (!c.n_accounts) {
		err_set(&e, "no accounts to measure");
		goto fail;
	}
	const struct program *p = c.program;
	struct parity_config cfg;
	parity_config_init(&cfg);
	if (plan_settings(p, &cfg, &e)) {
		parity_config_free(&cfg);
		goto fail;
	}
	cfg.aa = o.aa; /* both sides are the source: a source-side rule rewrites both */
	cJSON *all = o.json ? cJSON_CreateArray() : NULL;
	if (!o.json)
		printf("%-14s %10s %10s %15s %s\n", "ACCOUNT", o.aa ? "AGREEMENT" : "PASS RATE",
		       o.aa ? "NOISE" : "ERROR", "PASSED", "VERDICT");
	unsigned fanout = o.bucket_count ? o.bucket_count : cfg.buckets;
	for (size_t i = 0; i < c.n_accounts; i++) {
		struct parity_result r;
		struct cost cost = {0};
		if ((o.buckets ? measure_bucketed(p, c.accounts[i], &cfg, &exc, &o, fanout, &r, &cost, &e)
			       : measure(p, c.accounts[i], &cfg, &exc, &o, &r, &cost, &e)) ||
		    record(c.store, p, &r, &cfg, o.aa, &e)) {
			fprintf(stderr, "warroom parity: %s\n", e.msg);
			e.msg[0] = 0;
			status = EXIT_FAIL;
			continue;
		}
		if (all)
			cJSON_AddItemToArray(all, parity_result_json(&r, &cfg));
		else
			print_row(&r, o.aa), print_cost(&cost, o.buckets);
		if (o.aa ? r.error_rate > 0 : !r.ok)
			status = EXIT_FAIL;
		parity_result_free(&r);
	}
	double rate;
	int64_t passed, evaluated;
	if (!o.aa && !o.json && samples_program_pass_rate(c.store, &rate, &passed, &evaluated, &e) == 0)
		printf("program pass rate %.3f%% (%lld/%lld), threshold %.3f%%\n", 100.0 * rate,
		       (long long)passed, (long long)evaluated, 100.0 * cfg.threshold);
	if (all) {
		char *text = cJSON_Print(all);
		printf("%s\n", text);
		free(text);
		cJSON_Delete(all);
	}
	parity_config_free(&cfg);
	goto out;
fail:
	fprintf(stderr, "warroom parity: %s\n", e.msg);
	status = EXIT_FAIL;
out:
	exception_list_free(&exc);
	targetapi_cmd_close(&c);
	return status;
}
