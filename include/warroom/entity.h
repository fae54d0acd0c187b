/* entity — the canonical model every source is mapped into and every target
 * is read back as: seven entity types, each a cJSON object of one documented
 * shape, with where it came from kept beside it (never inside, never hashed).
 * Importers (io/sources) build these; parity, drift and the simulator read them.
 *
 * The canonical shapes (ENTITY_FIELDS below is the contract, as data):
 *
 *   service            {id, name, description, status, team_ids[], escalation_policy_id, created_at}
 *   team               {id, name, description, member_ids[]}
 *   user               {id, name, email, role, time_zone}
 *   schedule           {id, name, time_zone, layers[{name, start, rotation_seconds, user_ids[]}]}
 *   escalation_policy  {id, name, num_loops, rules[{delay_minutes, targets[{type, id}]}]}
 *   integration        {id, name, type, service_id}
 *   incident           {id, number, title, status, urgency, service_id, created_at, resolved_at, assignee_ids[]}
 *
 * Rules for mappers:
 * - `id` is the source system's id, verbatim (PagerDuty incident ids are kept
 *   so people can correlate); references (team_ids, service_id, ...) use the
 *   same ids. Ids are strings, never numbers.
 * - Times are RFC 3339 strings; any offset is fine, canon normalises to UTC Z.
 * - A value the source lacks is JSON null, not an absent key, so "missing"
 *   and "empty" hash differently only when the source really differs.
 * - Enums: service.status active|disabled|maintenance; user.role
 *   admin|manager|responder|observer; incident.status
 *   triggered|acknowledged|resolved; incident.urgency high|low;
 *   escalation target type user|schedule|team.
 * - Keys beyond the shape are allowed (kept, hashed) but a parity ignore
 *   rule is the way to declare a known difference, not an extra key. */
#ifndef WARROOM_ENTITY_H
#define WARROOM_ENTITY_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "warroom/util.h"

enum entity_type {
	ENTITY_SERVICE,
	ENTITY_TEAM,
	ENTITY_USER,
	ENTITY_SCHEDULE,
	ENTITY_ESCALATION_POLICY,
	ENTITY_INTEGRATION,
	ENTITY_INCIDENT,
	ENTITY_TYPE_COUNT
};

/* "service", "team", "user", "schedule", "escalation_policy", "integration",
 * "incident": the names used in URLs (/v1/tenants/{id}/{entity}), samples
 * and reports. Also accepted by entity_type_parse: the plural ("services",
 * "escalation_policies"). Returns 0, or -1 with a message listing the names. */
const char *entity_type_name(enum entity_type t);
const char *entity_type_plural(enum entity_type t);
int entity_type_parse(const char *s, enum entity_type *out, struct err *e);

/* Where an entity was read from. Never part of the content hash. */
struct entity_provenance {
	char *system;    /* "pagerduty" | "rootly" | "incident_io" | "target" | "snapshot" */
	char *source_id; /* id in that system (usually == entity.id) */
	char *url;       /* the URL it was fetched from; may be NULL */
	int64_t fetched_at_ms;
};

struct entity {
	enum entity_type type;
	char *id;  /* owned; == cJSON "id" of doc */
	cJSON *doc; /* owned; canonical shape */
	struct entity_provenance prov;
};

/* Takes ownership of doc (an object). The id is read from doc's "id" (a
 * string); returns NULL with a message when it is missing or not a string,
 * and frees doc in that case too. */
struct entity *entity_new(enum entity_type type, cJSON *doc, struct err *e);
/* Copies the strings; NULLs are allowed. */
void entity_set_provenance(struct entity *en, const char *system, const char *source_id,
			   const char *url, int64_t fetched_at_ms);
void entity_free(struct entity *en);

/* Checks doc against its type's shape: every field present (null allowed),
 * of the documented JSON kind, enums in range. Returns 0, or -1 naming the
 * first bad field ("service svc-1: status: expected one of active|...").  */
int entity_validate(const struct entity *en, struct err *e);

/* The shape, as data: one row per top-level field. */
enum entity_field_kind { EF_STRING, EF_NUMBER, EF_TIME, EF_IDS, EF_ARRAY, EF_BOOL };
struct entity_field {
	enum entity_type type;
	const char *name;
	enum entity_field_kind kind;
	const char *enums; /* "a|b|c" or NULL */
};
extern const struct entity_field ENTITY_FIELDS[];
extern const size_t ENTITY_FIELDS_COUNT;

/* A list of entities (any types) with one owner. */
struct entity_set {
	struct entity **items;
	size_t n, cap;
};
void entity_set_add(struct entity_set *s, struct entity *en); /* takes ownership */
size_t entity_set_count(const struct entity_set *s, enum entity_type t);
/* Linear; for small sets and tests. NULL when absent. */
struct entity *entity_set_find(const struct entity_set *s, enum entity_type t, const char *id);
void entity_set_free(struct entity_set *s);

/* What the importer will do with one source item, and why: shown in the
 * import preview and in the parity report. */
enum verdict_kind {
	VERDICT_IMPORT,         /* will import as is */
	VERDICT_IMPORT_CHANGED, /* will import with a change: `change` says which, `reason` why */
	VERDICT_SKIP,           /* will not import: `reason` says why */
	VERDICT_KIND_COUNT
};
struct entity_verdict {
	enum verdict_kind kind;
	enum entity_type type;
	char *id;     /* source id; owned */
	char *name;   /* human name when known; owned, may be NULL */
	char *change; /* VERDICT_IMPORT_CHANGED: "delay 4m rounded to 5m"; owned, may be NULL */
	char *reason; /* "target rounds delays to 5 minutes"; owned, may be NULL for IMPORT */
};
/* "will import", "will import with a change", "will not import" */
const char *verdict_kind_label(enum verdict_kind k);
/* "import", "import_changed", "skip" (JSON and storage) */
const char *verdict_kind_name(enum verdict_kind k);

struct verdict_list {
	struct entity_verdict *items;
	size_t n, cap;
};
/* Copies the strings. */
void verdict_add(struct verdict_list *l, enum verdict_kind kind, enum entity_type type,
		 const char *id, const char *name, const char *change, const char *reason);
void verdict_list_free(struct verdict_list *l);
/* [{kind, entity, id, name, change, reason}] */
cJSON *verdict_list_json(const struct verdict_list *l);

#endif
