/* simdata — seeded, deterministic source datasets for the simulator. Every
 * entity is a pure function of (seed, account, kind, index): ids come from a
 * keyed bijection so they never collide, references point inside the account,
 * and timestamps hang off a fixed epoch so output never depends on the clock. */
#include "warroom/simdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* All datasets end here (2025-06-01T00:00:00Z), so the same seed always
 * gives the same timestamps. */
#define EPOCH_END_MS 1748736000000LL
#define DAY_MS 86400000LL

struct simdata {
	struct simdata_config cfg;
	unsigned id_digits;
	size_t *counts; /* accounts x SIMDATA_KIND_COUNT */
};

struct kind_info {
	const char *plural, *singular;
	char letter;   /* second character of every id of this kind */
	double weight; /* share of an account's entities, before jitter */
};
static const struct kind_info kinds[SIMDATA_KIND_COUNT] = {
	[SIMDATA_SERVICES] = {"services", "service", 'S', 16},
	[SIMDATA_TEAMS] = {"teams", "team", 'T', 6},
	[SIMDATA_USERS] = {"users", "user", 'U', 24},
	[SIMDATA_SCHEDULES] = {"schedules", "schedule", 'C', 8},
	[SIMDATA_ESCALATION_POLICIES] = {"escalation_policies", "escalation_policy", 'E', 8},
	[SIMDATA_INTEGRATIONS] = {"integrations", "integration", 'I', 14},
	[SIMDATA_INCIDENTS] = {"incidents", "incident", 'N', 24},
};

static const char *const service_words[] = {"checkout", "payments", "search", "auth", "billing",
	"inventory", "notifications", "catalog", "shipping", "ledger", "identity", "gateway",
	"reports", "messaging", "pricing", "orders"};
static const char *const service_suffixes[] = {"api", "worker", "db", "web", "queue", "cache",
	"service", "scheduler"};
static const char *const team_words[] = {"Platform", "Payments", "Search", "Identity", "Data",
	"Mobile", "Web", "SRE", "Infrastructure", "Growth", "Billing", "Support"};
static const char *const team_suffixes[] = {"Core", "Edge", "Ops", "Apps"};
static const char *const first_names[] = {"Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace",
	"Hiro", "Ines", "Jonas", "Kemi", "Liam", "Maya", "Nils", "Olga", "Priya", "Quinn", "Rosa",
	"Sami", "Tara", "Uma", "Victor", "Wen", "Yusuf", "Zoe"};
static const char *const last_names[] = {"Okafor", "Lindqvist", "Tanaka", "Moreau", "Novak",
	"Haddad", "Kowalski", "Fernandes", "Schmidt", "Osei", "Ivanova", "Rossi", "Nakamura", "Byrne",
	"Silva", "Jensen", "Mehta", "Costa", "Walsh", "Larsen"};
static const char *const job_titles[] = {"Site Reliability Engineer", "Software Engineer",
	"Engineering Manager", "Staff Engineer", "Support Engineer", "Platform Engineer"};
static const char *const time_zones[] = {"UTC", "America/New_York", "America/Los_Angeles",
	"Europe/London", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney"};
static const char *const account_adjectives[] = {"Northwind", "Bluefin", "Copperleaf", "Driftwood",
	"Evergreen", "Foxglove", "Granite", "Harbor", "Ironbark", "Juniper", "Keystone", "Lumen"};
static const char *const account_nouns[] = {"Logistics", "Health", "Bank", "Retail", "Media",
	"Energy", "Travel", "Games", "Foods", "Labs"};
static const char *const incident_titles[] = {"Elevated 5xx rate on %s", "p99 latency above SLO on %s",
	"Disk usage above 90%% on %s", "Queue backlog growing on %s", "Error spike after deploy of %s",
	"Database failover affecting %s", "Health check failing for %s", "TLS certificate expiring on %s"};
struct integration_kind {
	const char *type, *vendor;
};
static const struct integration_kind integration_kinds[] = {
	{"events_api_v2", "PagerDuty Events API v2"}, {"email", "Email"}, {"datadog", "Datadog"},
	{"prometheus", "Prometheus Alertmanager"}, {"cloudwatch", "Amazon CloudWatch"},
	{"grafana", "Grafana"}, {"sentry", "Sentry"}, {"new_relic", "New Relic"}};
static const char *const user_roles[] = {"admin", "user", "user", "user", "limited_user", "observer"};
static const char *const service_statuses[] = {"active", "active", "active", "active", "disabled",
	"maintenance"};
static const char *const urgencies[] = {"high", "high", "low", "severity_based"};
static const char *const priorities[] = {"P1", "P2", "P3", "P3", "P4", "P5"};
static const char *const sources[] = {"pagerduty", "pagerduty", "pagerduty", "rootly", "incident_io"};

/* ---- seeded randomness ------------------------------------------------------ */

uint64_t simdata_mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t simdata_hash_str(uint64_t h, const char *s)
{
	h ^= 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return simdata_mix(h);
}

double simdata_unit(uint64_t h)
{
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

/* A stream of draws for one entity. */
struct rng {
	uint64_t state;
};
static struct rng rng_for(const struct simdata *d, unsigned account, int kind, size_t index)
{
	uint64_t h = simdata_mix(d->cfg.seed);
	h = simdata_mix(h ^ ((uint64_t)account << 24) ^ (uint64_t)kind);
	h = simdata_mix(h ^ ((uint64_t)index * 0x2545f4914f6cdd1dULL));
	return (struct rng){h};
}
static uint64_t rng_next(struct rng *r)
{
	r->state += 0x9e3779b97f4a7c15ULL;
	return simdata_mix(r->state);
}
static size_t rng_below(struct rng *r, size_t n)
{
	return n ? (size_t)(rng_next(r) % n) : 0;
}
#define PICK(r, table) ((table)[rng_below((r), ARRAY_SIZE(table))])

/* ---- ids --------------------------------------------------------------------- */

/* A keyed permutation of 40-bit numbers: (account, index) maps to a unique,
 * random-looking id, different for each seed. */
#define ID_BITS 40
#define ID_MASK ((1ULL << ID_BITS) - 1)
static uint64_t id_permute(uint64_t x, uint64_t key)
{
	for (int round = 0; round < 3; round++) {
		x = (x * 0x5851f42d4c957f2dULL) & ID_MASK; /* odd multiplier: bijective */
		x ^= x >> 17;
		x ^= (key >> (round * 8)) & ID_MASK;
	}
	return x;
}

static const char id_alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

static uint64_t id_key(const struct simdata *d, enum simdata_kind kind)
{
	return simdata_mix(d->cfg.seed ^ (0x51d0000ULL + (uint64_t)kind));
}

static void make_id(const struct simdata *d, unsigned account, enum simdata_kind kind,
		    size_t index, char out[SIMDATA_ID_MAX])
{
	uint64_t x = id_permute(((uint64_t)account << 20) | (uint64_t)index, id_key(d, kind));
	out[0] = 'P';
	out[1] = kinds[kind].letter;
	for (int i = 0; i < 8; i++)
		out[2 + i] = id_alphabet[(x >> (35 - 5 * i)) & 31];
	out[10] = '\0';
}

/* id_permute run backwards, so finding an entity by id costs no scan. */
static uint64_t id_unpermute(uint64_t x, uint64_t key)
{
	const uint64_t m = 0x5851f42d4c957f2dULL;
	uint64_t inv = m; /* Newton's iteration: each step doubles the correct low bits */
	for (int i = 0; i < 5; i++)
		inv *= 2 - m * inv;
	for (int round = 2; round >= 0; round--) {
		x ^= (key >> (round * 8)) & ID_MASK;
		uint64_t y = x;
		for (int i = 0; i < 3; i++) /* undoes x ^= x >> 17 within 40 bits */
			x = y ^ (x >> 17);
		x = (x * inv) & ID_MASK;
	}
	return x;
}

/* The (account, index) an id encodes; -1 when it is not an id of this kind. */
static int parse_id(const struct simdata *d, enum simdata_kind kind, const char *id, unsigned *account,
		    size_t *index)
{
	if (strlen(id) != 10 || id[0] != 'P' || id[1] != kinds[kind].letter)
		return -1;
	uint64_t x = 0;
	for (int i = 2; i < 10; i++) {
		const char *c = id[i] ? strchr(id_alphabet, id[i]) : NULL;
		if (!c)
			return -1;
		x = x << 5 | (uint64_t)(c - id_alphabet);
	}
	x = id_unpermute(x, id_key(d, kind));
	*account = (unsigned)(x >> 20);
	*index = (size_t)(x & 0xfffff);
	return 0;
}

/* ---- kinds and accounts ------------------------------------------------------------- */

const char *simdata_kind_name(enum simdata_kind kind)
{
	return kind < SIMDATA_KIND_COUNT ? kinds[kind].plural : "?";
}

const char *simdata_kind_singular(enum simdata_kind kind)
{
	return kind < SIMDATA_KIND_COUNT ? kinds[kind].singular : "?";
}

int simdata_kind_parse(const char *name, enum simdata_kind *kind)
{
	for (int k = 0; k < SIMDATA_KIND_COUNT; k++)
		if (util_streq(name, kinds[k].plural)) {
			*kind = (enum simdata_kind)k;
			return 0;
		}
	return -1;
}

static void account_counts(const struct simdata *d, unsigned account, size_t *counts)
{
	struct rng r = rng_for(d, account, SIMDATA_KIND_COUNT, 0);
	double total = d->cfg.entities ? (double)d->cfg.entities : (double)(40 + rng_below(&r, 81));
	double w[SIMDATA_KIND_COUNT], sum = 0;
	for (int k = 0; k < SIMDATA_KIND_COUNT; k++) {
		w[k] = kinds[k].weight * (0.75 + 0.5 * simdata_unit(rng_next(&r)));
		sum += w[k];
	}
	for (int k = 0; k < SIMDATA_KIND_COUNT; k++) {
		size_t n = (size_t)(total * w[k] / sum + 0.5);
		counts[k] = n ? n : 1;
	}
}

struct simdata *simdata_new(const struct simdata_config *config, struct err *e)
{
	if (config->accounts < 1 || config->accounts > SIMDATA_MAX_ACCOUNTS) {
		err_set(e, "accounts must be between 1 and %d, not %u", SIMDATA_MAX_ACCOUNTS,
			config->accounts);
		return NULL;
	}
	if (config->entities > SIMDATA_MAX_ENTITIES) {
		err_set(e, "entities must be at most %d per account, not %u", SIMDATA_MAX_ENTITIES,
			config->entities);
		return NULL;
	}
	struct simdata *d = xcalloc(1, sizeof(*d));
	d->cfg = *config;
	d->id_digits = 3;
	for (unsigned n = config->accounts; n > 999; n /= 10)
		d->id_digits++;
	d->counts = xcalloc((size_t)config->accounts * SIMDATA_KIND_COUNT, sizeof(size_t));
	for (unsigned a = 0; a < config->accounts; a++)
		account_counts(d, a, d->counts + (size_t)a * SIMDATA_KIND_COUNT);
	return d;
}

void simdata_free(struct simdata *data)
{
	if (!data)
		return;
	free(data->counts);
	free(data);
}

uint64_t simdata_seed(const struct simdata *data)
{
	return data->cfg.seed;
}

unsigned simdata_account_count(const struct simdata *data)
{
	return data->cfg.accounts;
}

void simdata_account_id(const struct simdata *data, unsigned account, char *buf, size_t size)
{
	snprintf(buf, size, "acct-%0*u", (int)data->id_digits, account + 1);
}

int simdata_account_find(const struct simdata *data, const char *id)
{
	if (!util_has_prefix(id, "acct-") || strlen(id + 5) != data->id_digits)
		return -1;
	unsigned n = 0;
	for (const char *p = id + 5; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (unsigned)(*p - '0');
	}
	return n >= 1 && n <= data->cfg.accounts ? (int)(n - 1) : -1;
}

void simdata_account_name(const struct simdata *data, unsigned account, char *buf, size_t size)
{
	struct rng r = rng_for(data, account, SIMDATA_KIND_COUNT + 1, 0);
	const char *adj = PICK(&r, account_adjectives);
	const char *noun = PICK(&r, account_nouns);
	snprintf(buf, size, "%s %s", adj, noun);
}

const char *simdata_account_source(const struct simdata *data, unsigned account)
{
	struct rng r = rng_for(data, account, SIMDATA_KIND_COUNT + 2, 0);
	return PICK(&r, sources);
}

size_t simdata_count(const struct simdata *data, unsigned account, enum simdata_kind kind)
{
	if (account >= data->cfg.accounts || kind >= SIMDATA_KIND_COUNT)
		return 0;
	return data->counts[(size_t)account * SIMDATA_KIND_COUNT + kind];
}

/* ---- entities ------------------------------------------------------------------------ */

struct gen {
	const struct simdata *d;
	unsigned account;
	struct rng r;
	struct simdata_entity *e;
};

static void ref(const struct gen *g, enum simdata_kind kind, size_t index, char out[SIMDATA_ID_MAX])
{
	make_id(g->d, g->account, kind, index % simdata_count(g->d, g->account, kind), out);
}

static void service_name(size_t index, char *buf, size_t size)
{
	size_t nw = ARRAY_SIZE(service_words), ns = ARRAY_SIZE(service_suffixes);
	size_t i = index % (nw * ns);
	if (index < nw * ns)
		snprintf(buf, size, "%s-%s", service_words[i % nw], service_suffixes[i / nw]);
	else
		snprintf(buf, size, "%s-%s-%zu", service_words[i % nw], service_suffixes[i / nw],
			 index / (nw * ns) + 1);
}

static void gen_service(struct gen *g)
{
	struct simdata_entity *e = g->e;
	service_name(e->index, e->name, sizeof(e->name));
	snprintf(e->description, sizeof(e->description), "Production %s, paged 24x7", e->name);
	ref(g, SIMDATA_ESCALATION_POLICIES, e->index, e->service.escalation_policy);
	ref(g, SIMDATA_TEAMS, e->index, e->service.team);
	e->service.status = PICK(&g->r, service_statuses);
	e->service.urgency = PICK(&g->r, urgencies);
	e->service.ack_timeout_s = 600 + 300 * (int)rng_below(&g->r, 5);
	e->service.auto_resolve_s = 3600 * (1 + (int)rng_below(&g->r, 24));
}

/* A user belongs to team (user index mod team count); a team lists its first
 * members in that order, so both sides of the relation agree. */
static void gen_team(struct gen *g)
{
	struct simdata_entity *e = g->e;
	size_t nw = ARRAY_SIZE(team_words), ns = ARRAY_SIZE(team_suffixes);
	size_t i = e->index % (nw * ns);
	if (e->index < nw * ns)
		snprintf(e->name, sizeof(e->name), "%s %s", team_words[i % nw], team_suffixes[i / nw]);
	else
		snprintf(e->name, sizeof(e->name), "%s %s %zu", team_words[i % nw],
			 team_suffixes[i / nw], e->index / (nw * ns) + 1);
	snprintf(e->description, sizeof(e->description), "Owns and is on call for %s", e->name);
	size_t nteams = simdata_count(g->d, g->account, SIMDATA_TEAMS);
	size_t nusers = simdata_count(g->d, g->account, SIMDATA_USERS);
	for (size_t u = e->index; u < nusers && e->team.nmembers < SIMDATA_REFS_MAX; u += nteams)
		make_id(g->d, g->account, SIMDATA_USERS, u, e->team.members[e->team.nmembers++]);
}

static void gen_user(struct gen *g)
{
	struct simdata_entity *e = g->e;
	const char *first = PICK(&g->r, first_names), *last = PICK(&g->r, last_names);
	char acct[24];
	simdata_account_id(g->d, g->account, acct, sizeof(acct));
	snprintf(e->name, sizeof(e->name), "%s %s", first, last);
	snprintf(e->user.email, sizeof(e->user.email), "%c%s%zu@%s.example.com", first[0] | 0x20,
		 last, e->index + 1, acct);
	for (char *p = e->user.email; *p && *p != '@'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p | 0x20);
	e->user.role = e->index == 0 ? "owner" : PICK(&g->r, user_roles);
	e->user.time_zone = PICK(&g->r, time_zones);
	e->user.job_title = PICK(&g->r, job_titles);
	ref(g, SIMDATA_TEAMS, e->index, e->user.team);
}

static void gen_schedule(struct gen *g)
{
	struct simdata_entity *e = g->e;
	char team[SIMDATA_ID_MAX];
	size_t nteams = simdata_count(g->d, g->account, SIMDATA_TEAMS);
	size_t nusers = simdata_count(g->d, g->account, SIMDATA_USERS);
	size_t t = e->index % nteams;
	ref(g, SIMDATA_TEAMS, t, team);
	snprintf(e->name, sizeof(e->name), "Primary on-call %zu", e->index + 1);
	snprintf(e->description, sizeof(e->description), "Weekday and weekend rotation");
	memcpy(e->schedule.team, team, sizeof(team));
	e->schedule.time_zone = PICK(&g->r, time_zones);
	e->schedule.nlayers = 1 + rng_below(&g->r, SIMDATA_LAYERS_MAX);
	for (size_t l = 0; l < e->schedule.nlayers; l++) {
		struct simdata_layer *ly = &e->schedule.layers[l];
		int weekly = (int)rng_below(&g->r, 3) != 0;
		snprintf(ly->name, sizeof(ly->name), "Layer %zu", l + 1);
		ly->rotation = weekly ? "weekly" : "daily";
		ly->turn_length_s = weekly ? 7 * 86400 : 86400;
		ly->start_ms = EPOCH_END_MS - (int64_t)(30 + rng_below(&g->r, 300)) * DAY_MS;
		snprintf(ly->handoff, sizeof(ly->handoff), "%02d:00", 8 + (int)rng_below(&g->r, 4));
		/* the on-call users come from the schedule's team, then the account */
		size_t want = 2 + rng_below(&g->r, 4);
		for (size_t u = t + l; u < nusers && ly->nusers < want; u += nteams)
			make_id(g->d, g->account, SIMDATA_USERS, u, ly->users[ly->nusers++]);
		if (ly->nusers == 0)
			make_id(g->d, g->account, SIMDATA_USERS, l % nusers, ly->users[ly->nusers++]);
	}
	e->created_at_ms = e->schedule.layers[0].start_ms - DAY_MS;
}

static void gen_escalation_policy(struct gen *g)
{
	struct simdata_entity *e = g->e;
	snprintf(e->name, sizeof(e->name), "Escalation policy %zu", e->index + 1);
	snprintf(e->description, sizeof(e->description), "Page the primary on-call, then the team");
	ref(g, SIMDATA_TEAMS, e->index, e->escalation_policy.team);
	e->escalation_policy.num_loops = (int)rng_below(&g->r, 3);
	e->escalation_policy.nrules = 1 + rng_below(&g->r, SIMDATA_RULES_MAX);
	for (size_t i = 0; i < e->escalation_policy.nrules; i++) {
		struct simdata_rule *rule = &e->escalation_policy.rules[i];
		rule->delay_min = 5 * (1 + (int)rng_below(&g->r, 6));
		int to_user = i % 2 == 1;
		rule->target_type = to_user ? "user" : "schedule";
		ref(g, to_user ? SIMDATA_USERS : SIMDATA_SCHEDULES, e->index + i, rule->target);
	}
}

static void gen_integration(struct gen *g)
{
	struct simdata_entity *e = g->e;
	const struct integration_kind *k = &PICK(&g->r, integration_kinds);
	char service[40];
	service_name(e->index % simdata_count(g->d, g->account, SIMDATA_SERVICES), service,
		     sizeof(service));
	snprintf(e->name, sizeof(e->name), "%s for %s", k->vendor, service);
	e->integration.type = k->type;
	e->integration.vendor = k->vendor;
	ref(g, SIMDATA_SERVICES, e->index, e->integration.service);
	uint64_t a = rng_next(&g->r), b = rng_next(&g->r);
	snprintf(e->integration.key, sizeof(e->integration.key), "%016llx%016llx",
		 (unsigned long long)a, (unsigned long long)b);
}

static void gen_incident(struct gen *g)
{
	struct simdata_entity *e = g->e;
	size_t n = simdata_count(g->d, g->account, SIMDATA_INCIDENTS);
	size_t nsvc = simdata_count(g->d, g->account, SIMDATA_SERVICES);
	size_t svc = rng_below(&g->r, nsvc);
	char service[40];
	service_name(svc, service, sizeof(service));
	snprintf(e->name, sizeof(e->name), PICK(&g->r, incident_titles), service);
	e->incident.number = (int)e->index + 1;
	/* spread over the 180 days before the epoch, oldest first */
	int64_t span = 180 * DAY_MS;
	e->created_at_ms = EPOCH_END_MS - span + span * (int64_t)e->index / (int64_t)n +
			   (int64_t)rng_below(&g->r, 3600000);
	size_t roll = rng_below(&g->r, 20);
	int recent = e->index + 3 >= n;
	e->incident.status = !recent || roll < 14 ? "resolved" : roll < 17 ? "acknowledged" : "triggered";
	e->incident.urgency = rng_below(&g->r, 3) ? "high" : "low";
	e->incident.priority = PICK(&g->r, priorities);
	if (util_streq(e->incident.status, "resolved"))
		e->incident.resolved_at_ms = e->created_at_ms + (int64_t)(5 + rng_below(&g->r, 240)) * 60000;
	ref(g, SIMDATA_SERVICES, svc, e->incident.service);
	ref(g, SIMDATA_ESCALATION_POLICIES, svc, e->incident.escalation_policy);
	ref(g, SIMDATA_USERS, rng_below(&g->r, 1000), e->incident.assignee);
	snprintf(e->description, sizeof(e->description), "Alert fired on %s", service);
}

static void (*const generators[SIMDATA_KIND_COUNT])(struct gen *) = {
	[SIMDATA_SERVICES] = gen_service,
	[SIMDATA_TEAMS] = gen_team,
	[SIMDATA_USERS] = gen_user,
	[SIMDATA_SCHEDULES] = gen_schedule,
	[SIMDATA_ESCALATION_POLICIES] = gen_escalation_policy,
	[SIMDATA_INTEGRATIONS] = gen_integration,
	[SIMDATA_INCIDENTS] = gen_incident,
};

int simdata_entity(const struct simdata *data, unsigned account, enum simdata_kind kind,
		   size_t index, struct simdata_entity *out)
{
	if (index >= simdata_count(data, account, kind))
		return -1;
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	out->index = index;
	make_id(data, account, kind, index, out->id);
	struct gen g = {data, account, rng_for(data, account, (int)kind, index), out};
	/* configuration entities were set up over the year before the epoch */
	out->created_at_ms = EPOCH_END_MS - 365 * DAY_MS + (int64_t)rng_below(&g.r, 180) * DAY_MS;
	generators[kind](&g);
	return 0;
}

int simdata_entity_find(const struct simdata *data, unsigned account, enum simdata_kind kind,
			const char *id, struct simdata_entity *out)
{
	unsigned a;
	size_t index;
	if (kind >= SIMDATA_KIND_COUNT || parse_id(data, kind, id, &a, &index) < 0 || a != account ||
	    simdata_entity(data, account, kind, index, out) < 0)
		return -1;
	return strcmp(out->id, id) == 0 ? 0 : -1;
}

/* ---- canonical JSON ------------------------------------------------------------------- */

static void add_time(cJSON *o, const char *key, int64_t ms)
{
	char buf[32];
	if (!ms) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	util_iso8601(ms, buf, sizeof(buf));
	cJSON_AddStringToObject(o, key, buf);
}

static cJSON *id_array(const char ids[][SIMDATA_ID_MAX], size_t n)
{
	cJSON *a = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(ids[i]));
	return a;
}

static void json_service(const struct simdata_entity *e, cJSON *o)
{
	cJSON_AddStringToObject(o, "description", e->description);
	cJSON_AddStringToObject(o, "status", e->service.status);
	cJSON_AddStringToObject(o, "urgency", e->service.urgency);
	cJSON_AddStringToObject(o, "escalation_policy_id", e->service.escalation_policy);
	cJSON_AddStringToObject(o, "team_id", e->service.team);
	cJSON_AddNumberToObject(o, "acknowledgement_timeout_s", e->service.ack_timeout_s);
	cJSON_AddNumberToObject(o, "auto_resolve_timeout_s", e->service.auto_resolve_s);
}

static void json_team(const struct simdata_entity *e, cJSON *o)
{
	cJSON_AddStringToObject(o, "description", e->description);
	cJSON_AddItemToObject(o, "members", id_array(e->team.members, e->team.nmembers));
}

static void json_user(const struct simdata_entity *e, cJSON *o)
{
	cJSON_AddStringToObject(o, "email", e->user.email);
	cJSON_AddStringToObject(o, "role", e->user.role);
	cJSON_AddStringToObject(o, "time_zone", e->user.time_zone);
	cJSON_AddStringToObject(o, "job_title", e->user.job_title);
	cJSON_AddStringToObject(o, "team_id", e->user.team);
}

static void json_schedule(const struct simdata_entity *e, cJSON *o)
{
	cJSON_AddStringToObject(o, "description", e->description);
	cJSON_AddStringToObject(o, "time_zone", e->schedule.time_zone);
	cJSON_AddStringToObject(o, "team_id", e->schedule.team);
	cJSON *layers = cJSON_AddArrayToObject(o, "layers");
	for (size_t i = 0; i < e->schedule.nlayers; i++) {
		const struct simdata_layer *ly = &e->schedule.layers[i];
		cJSON *l = cJSON_CreateObject();
		cJSON_AddStringToObject(l, "name", ly->name);
		cJSON_AddStringToObject(l, "rotation", ly->rotation);
		cJSON_AddNumberToObject(l, "rotation_turn_length_s", ly->turn_length_s);
		add_time(l, "start", ly->start_ms);
		cJSON_AddStringToObject(l, "handoff_time", ly->handoff);
		cJSON_AddItemToObject(l, "users", id_array(ly->users, ly->nusers));
		cJSON_AddItemToArray(layers, l);
	}
}

static void json_escalation_policy(const struct simdata_entity *e, cJSON *o)
{
	cJSON_AddStringToObject(o, "description", e->description);
	cJSON_AddStringToObject(o, "team_id", e->escalation_policy.team);
	cJSON_AddNumberToObject(o, "num_loops", e->escalation_policy.num_loops);
	cJSON *rules = cJSON_AddArrayToObject(o, "rules");
	for (size_t i = 0; i < e->escalation_policy.nrules; i++) {
		const struct simdata_rule *r = &e->escalation_policy.rules[i];
		cJSON *j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "delay_minutes", r->delay_min);
		cJSON *t = cJSON_AddObjectToObject(j, "target");
		cJSON_AddStringToObject(t, "type", r->target_type);
		cJSON_AddStringToObject(t, "id", r->target);
		cJSON_AddItemToArray(rules, j);
	}
}

static void json_integration(const struct simdata_entity *e, cJSON *o)
{
	cJSON_AddStringToObject(o, "integration_type", e->integration.type);
	cJSON_AddStringToObject(o, "vendor", e->integration.vendor);
	cJSON_AddStringToObject(o, "service_id", e->integration.service);
	cJSON_AddStringToObject(o, "integration_key", e->integration.key);
}

static void json_incident(const struct simdata_entity *e, cJSON *o)
{
	cJSON_AddNumberToObject(o, "number", e->incident.number);
	cJSON_AddStringToObject(o, "description", e->description);
	cJSON_AddStringToObject(o, "status", e->incident.status);
	cJSON_AddStringToObject(o, "urgency", e->incident.urgency);
	cJSON_AddStringToObject(o, "priority", e->incident.priority);
	cJSON_AddStringToObject(o, "service_id", e->incident.service);
	cJSON_AddStringToObject(o, "escalation_policy_id", e->incident.escalation_policy);
	cJSON_AddStringToObject(o, "assignee_id", e->incident.assignee);
	add_time(o, "resolved_at", e->incident.resolved_at_ms);
}

static void (*const renderers[SIMDATA_KIND_COUNT])(const struct simdata_entity *, cJSON *) = {
	[SIMDATA_SERVICES] = json_service,
	[SIMDATA_TEAMS] = json_team,
	[SIMDATA_USERS] = json_user,
	[SIMDATA_SCHEDULES] = json_schedule,
	[SIMDATA_ESCALATION_POLICIES] = json_escalation_policy,
	[SIMDATA_INTEGRATIONS] = json_integration,
	[SIMDATA_INCIDENTS] = json_incident,
};

cJSON *simdata_entity_json(const struct simdata_entity *entity)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", entity->id);
	cJSON_AddStringToObject(o, "type", simdata_kind_singular(entity->kind));
	cJSON_AddStringToObject(o, entity->kind == SIMDATA_INCIDENTS ? "title" : "name", entity->name);
	add_time(o, "created_at", entity->created_at_ms);
	renderers[entity->kind](entity, o);
	return o;
}
