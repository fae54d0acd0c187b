/* simdata — the simulator's seeded source datasets: for each account a
 * canonical set of services, teams, users, schedules, escalation policies,
 * integrations and historical incidents, generated on demand from the seed
 * (nothing is stored per entity), so the same seed gives the same bytes.
 * The target API imports it; the source APIs render it in their wire formats. */
#ifndef WARROOM_SIMDATA_H
#define WARROOM_SIMDATA_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "warroom/util.h"

enum simdata_kind {
	SIMDATA_SERVICES,
	SIMDATA_TEAMS,
	SIMDATA_USERS,
	SIMDATA_SCHEDULES,
	SIMDATA_ESCALATION_POLICIES,
	SIMDATA_INTEGRATIONS,
	SIMDATA_INCIDENTS,
	SIMDATA_KIND_COUNT
};
/* "services", "escalation_policies", ...: the plural used in URLs. */
const char *simdata_kind_name(enum simdata_kind kind);
/* "service", "escalation_policy", ...: the singular used in "type" fields. */
const char *simdata_kind_singular(enum simdata_kind kind);
/* Plural name to kind; -1 when unknown. */
int simdata_kind_parse(const char *name, enum simdata_kind *kind);

#define SIMDATA_ID_MAX 16    /* "PS" + 8 characters, NUL-terminated */
#define SIMDATA_REFS_MAX 8   /* users per team / schedule layer */
#define SIMDATA_LAYERS_MAX 3
#define SIMDATA_RULES_MAX 4
#define SIMDATA_MAX_ACCOUNTS 100000
#define SIMDATA_MAX_ENTITIES 1000000 /* per account */

struct simdata_config {
	uint64_t seed;
	unsigned accounts;
	unsigned entities; /* per-account total; 0 = a varying default (40..120) */
};

struct simdata_layer {
	char name[32];
	const char *rotation; /* "daily" | "weekly" */
	int turn_length_s;
	int64_t start_ms;
	char handoff[6]; /* "09:00", in the schedule's time zone */
	size_t nusers;
	char users[SIMDATA_REFS_MAX][SIMDATA_ID_MAX];
};

struct simdata_rule {
	int delay_min;
	const char *target_type; /* "user" | "schedule" */
	char target[SIMDATA_ID_MAX];
};

/* One entity, by value. Only the member named by `kind` is filled. Every
 * reference (team, escalation policy, user...) names an entity that exists
 * in the same account. Strings that are `const char *` point at static text. */
struct simdata_entity {
	enum simdata_kind kind;
	size_t index;
	char id[SIMDATA_ID_MAX];
	char name[96]; /* an incident's title */
	char description[160];
	int64_t created_at_ms;
	union {
		struct {
			char escalation_policy[SIMDATA_ID_MAX];
			char team[SIMDATA_ID_MAX];
			const char *status; /* active | disabled | maintenance */
			const char *urgency; /* high | low | severity_based */
			int ack_timeout_s, auto_resolve_s;
		} service;
		struct {
			size_t nmembers;
			char members[SIMDATA_REFS_MAX][SIMDATA_ID_MAX];
		} team;
		struct {
			char email[96];
			const char *role; /* owner | admin | user | limited_user | observer */
			const char *time_zone;
			const char *job_title;
			char team[SIMDATA_ID_MAX];
		} user;
		struct {
			const char *time_zone;
			char team[SIMDATA_ID_MAX];
			size_t nlayers;
			struct simdata_layer layers[SIMDATA_LAYERS_MAX];
		} schedule;
		struct {
			int num_loops;
			char team[SIMDATA_ID_MAX];
			size_t nrules;
			struct simdata_rule rules[SIMDATA_RULES_MAX];
		} escalation_policy;
		struct {
			const char *type; /* events_api_v2 | email | datadog | ... */
			const char *vendor;
			char service[SIMDATA_ID_MAX];
			char key[33];
		} integration;
		struct {
			int number; /* 1.. per account, in order of creation */
			const char *status; /* triggered | acknowledged | resolved */
			const char *urgency; /* high | low */
			const char *priority; /* P1..P5 */
			int64_t resolved_at_ms; /* 0 when not resolved */
			char service[SIMDATA_ID_MAX];
			char escalation_policy[SIMDATA_ID_MAX];
			char assignee[SIMDATA_ID_MAX];
		} incident;
	};
};

struct simdata;
/* Validates the config (accounts 1..SIMDATA_MAX_ACCOUNTS, entities up to
 * SIMDATA_MAX_ENTITIES); NULL with a message otherwise. */
struct simdata *simdata_new(const struct simdata_config *config, struct err *e);
void simdata_free(struct simdata *data);

uint64_t simdata_seed(const struct simdata *data);
unsigned simdata_account_count(const struct simdata *data);
/* "acct-001" (3 digits, more when there are over 999 accounts); buf >= 16. */
void simdata_account_id(const struct simdata *data, unsigned account, char *buf, size_t size);
/* Account id to index; -1 when it is not one of this dataset's accounts. */
int simdata_account_find(const struct simdata *data, const char *id);
/* "Northwind Logistics"; buf >= 64. */
void simdata_account_name(const struct simdata *data, unsigned account, char *buf, size_t size);
/* "pagerduty" | "rootly" | "incident_io": the legacy product the account is on. */
const char *simdata_account_source(const struct simdata *data, unsigned account);

size_t simdata_count(const struct simdata *data, unsigned account, enum simdata_kind kind);
/* Fills *out with entity `index` (0..count-1); -1 when out of range. */
int simdata_entity(const struct simdata *data, unsigned account, enum simdata_kind kind,
		   size_t index, struct simdata_entity *out);
/* Finds an entity by id within an account; -1 when absent. */
int simdata_entity_find(const struct simdata *data, unsigned account, enum simdata_kind kind,
			const char *id, struct simdata_entity *out);
/* The canonical JSON shape of an entity (also the target API's shape). */
cJSON *simdata_entity_json(const struct simdata_entity *entity);

/* The seeded randomness the simulator shares: a 64-bit mixer, a string hash
 * and a hash to [0, 1). */
uint64_t simdata_mix(uint64_t x);
uint64_t simdata_hash_str(uint64_t h, const char *s);
double simdata_unit(uint64_t h);

#endif
