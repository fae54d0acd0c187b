/* entity — the canonical model's types, shapes and verdicts. The shape table
 * is the one place the contract between importers, the target and parity is
 * written; validation walks it instead of knowing any entity by code. */
#include "warroom/entity.h"

#include <stdlib.h>
#include <string.h>

struct type_name {
	const char *name, *plural;
};
static const struct type_name type_names[ENTITY_TYPE_COUNT] = {
	[ENTITY_SERVICE] = {"service", "services"},
	[ENTITY_TEAM] = {"team", "teams"},
	[ENTITY_USER] = {"user", "users"},
	[ENTITY_SCHEDULE] = {"schedule", "schedules"},
	[ENTITY_ESCALATION_POLICY] = {"escalation_policy", "escalation_policies"},
	[ENTITY_INTEGRATION] = {"integration", "integrations"},
	[ENTITY_INCIDENT] = {"incident", "incidents"},
};

const struct entity_field ENTITY_FIELDS[] = {
	{ENTITY_SERVICE, "id", EF_STRING, NULL},
	{ENTITY_SERVICE, "name", EF_STRING, NULL},
	{ENTITY_SERVICE, "description", EF_STRING, NULL},
	{ENTITY_SERVICE, "status", EF_STRING, "active|disabled|maintenance"},
	{ENTITY_SERVICE, "team_ids", EF_IDS, NULL},
	{ENTITY_SERVICE, "escalation_policy_id", EF_STRING, NULL},
	{ENTITY_SERVICE, "created_at", EF_TIME, NULL},
	{ENTITY_TEAM, "id", EF_STRING, NULL},
	{ENTITY_TEAM, "name", EF_STRING, NULL},
	{ENTITY_TEAM, "description", EF_STRING, NULL},
	{ENTITY_TEAM, "member_ids", EF_IDS, NULL},
	{ENTITY_USER, "id", EF_STRING, NULL},
	{ENTITY_USER, "name", EF_STRING, NULL},
	{ENTITY_USER, "email", EF_STRING, NULL},
	{ENTITY_USER, "role", EF_STRING, "admin|manager|responder|observer"},
	{ENTITY_USER, "time_zone", EF_STRING, NULL},
	{ENTITY_SCHEDULE, "id", EF_STRING, NULL},
	{ENTITY_SCHEDULE, "name", EF_STRING, NULL},
	{ENTITY_SCHEDULE, "time_zone", EF_STRING, NULL},
	{ENTITY_SCHEDULE, "layers", EF_ARRAY, NULL},
	{ENTITY_ESCALATION_POLICY, "id", EF_STRING, NULL},
	{ENTITY_ESCALATION_POLICY, "name", EF_STRING, NULL},
	{ENTITY_ESCALATION_POLICY, "num_loops", EF_NUMBER, NULL},
	{ENTITY_ESCALATION_POLICY, "rules", EF_ARRAY, NULL},
	{ENTITY_INTEGRATION, "id", EF_STRING, NULL},
	{ENTITY_INTEGRATION, "name", EF_STRING, NULL},
	{ENTITY_INTEGRATION, "type", EF_STRING, NULL},
	{ENTITY_INTEGRATION, "service_id", EF_STRING, NULL},
	{ENTITY_INCIDENT, "id", EF_STRING, NULL},
	{ENTITY_INCIDENT, "number", EF_NUMBER, NULL},
	{ENTITY_INCIDENT, "title", EF_STRING, NULL},
	{ENTITY_INCIDENT, "status", EF_STRING, "triggered|acknowledged|resolved"},
	{ENTITY_INCIDENT, "urgency", EF_STRING, "high|low"},
	{ENTITY_INCIDENT, "service_id", EF_STRING, NULL},
	{ENTITY_INCIDENT, "created_at", EF_TIME, NULL},
	{ENTITY_INCIDENT, "resolved_at", EF_TIME, NULL},
	{ENTITY_INCIDENT, "assignee_ids", EF_IDS, NULL},
};
const size_t ENTITY_FIELDS_COUNT = ARRAY_SIZE(ENTITY_FIELDS);

const char *entity_type_name(enum entity_type t)
{
	return (unsigned)t < ENTITY_TYPE_COUNT ? type_names[t].name : "?";
}

const char *entity_type_plural(enum entity_type t)
{
	return (unsigned)t < ENTITY_TYPE_COUNT ? type_names[t].plural : "?";
}

int entity_type_parse(const char *s, enum entity_type *out, struct err *e)
{
	for (int t = 0; s && t < ENTITY_TYPE_COUNT; t++) {
		if (!strcmp(s, type_names[t].name) || !strcmp(s, type_names[t].plural)) {
			*out = (enum entity_type)t;
			return 0;
		}
	}
	return err_set(e, "unknown entity type '%s' (expected service, team, user, schedule, "
			  "escalation_policy, integration or incident)", s ? s : "");
}

struct entity *entity_new(enum entity_type type, cJSON *doc, struct err *e)
{
	const cJSON *id = cJSON_IsObject(doc) ? cJSON_GetObjectItemCaseSensitive(doc, "id") : NULL;
	if (!cJSON_IsString(id) || !id->valuestring[0]) {
		err_set(e, "%s: entity has no string \"id\"", entity_type_name(type));
		cJSON_Delete(doc);
		return NULL;
	}
	struct entity *en = xcalloc(1, sizeof(*en));
	en->type = type;
	en->id = xstrdup(id->valuestring);
	en->doc = doc;
	return en;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void entity_set_provenance(struct entity *en, const char *system, const char *source_id,
			   const char *url, int64_t fetched_at_ms)
{
	free(en->prov.system);
	free(en->prov.source_id);
	free(en->prov.url);
	en->prov.system = dup_or_null(system);
	en->prov.source_id = dup_or_null(source_id);
	en->prov.url = dup_or_null(url);
	en->prov.fetched_at_ms = fetched_at_ms;
}

void entity_free(struct entity *en)
{
	if (!en)
		return;
	free(en->id);
	cJSON_Delete(en->doc);
	free(en->prov.system);
	free(en->prov.source_id);
	free(en->prov.url);
	free(en);
}

static int enum_has(const char *enums, const char *v)
{
	size_t n = strlen(v);
	for (const char *p = enums; *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && !strncmp(p, v, n))
			return 1;
		p += len + (bar ? 1 : 0);
	}
	return 0;
}

static const char *kind_problem(const cJSON *v, const struct entity_field *f)
{
	if (cJSON_IsNull(v))
		return NULL;
	switch (f->kind) {
	case EF_STRING:
	case EF_TIME:
		if (!cJSON_IsString(v))
			return "expected a string";
		if (f->enums && !enum_has(f->enums, v->valuestring))
			return "not one of the allowed values";
		return NULL;
	case EF_NUMBER:
		return cJSON_IsNumber(v) ? NULL : "expected a number";
	case EF_BOOL:
		return cJSON_IsBool(v) ? NULL : "expected true or false";
	case EF_ARRAY:
		return cJSON_IsArray(v) ? NULL : "expected an array";
	case EF_IDS:
		if (!cJSON_IsArray(v))
			return "expected an array of ids";
		for (const cJSON *c = v->child; c; c = c->next)
			if (!cJSON_IsString(c))
				return "expected an array of string ids";
		return NULL;
	}
	return "unknown field kind";
}

int entity_validate(const struct entity *en, struct err *e)
{
	if (!cJSON_IsObject(en->doc))
		return err_set(e, "%s %s: not a JSON object", entity_type_name(en->type), en->id);
	for (size_t i = 0; i < ENTITY_FIELDS_COUNT; i++) {
		const struct entity_field *f = &ENTITY_FIELDS[i];
		if (f->type != en->type)
			continue;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(en->doc, f->name);
		if (!v)
			return err_set(e, "%s %s: missing field \"%s\" (null when unknown)",
				       entity_type_name(en->type), en->id, f->name);
		const char *why = kind_problem(v, f);
		if (why)
			return err_set(e, "%s %s: %s: %s%s%s", entity_type_name(en->type), en->id,
				       f->name, why, f->enums ? " " : "", f->enums ? f->enums : "");
	}
	return 0;
}

void entity_set_add(struct entity_set *s, struct entity *en)
{
	VEC_PUSH(s->items, s->n, s->cap, en);
}

size_t entity_set_count(const struct entity_set *s, enum entity_type t)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->items[i]->type == t;
	return n;
}

struct entity *entity_set_find(const struct entity_set *s, enum entity_type t, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->items[i]->type == t && !strcmp(s->items[i]->id, id))
			return s->items[i];
	return NULL;
}

void entity_set_free(struct entity_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		entity_free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

static const char *const verdict_labels[VERDICT_KIND_COUNT][2] = {
	[VERDICT_IMPORT] = {"import", "will import"},
	[VERDICT_IMPORT_CHANGED] = {"import_changed", "will import with a change"},
	[VERDICT_SKIP] = {"skip", "will not import"},
};

const char *verdict_kind_name(enum verdict_kind k)
{
	return (unsigned)k < VERDICT_KIND_COUNT ? verdict_labels[k][0] : "?";
}

const char *verdict_kind_label(enum verdict_kind k)
{
	return (unsigned)k < VERDICT_KIND_COUNT ? verdict_labels[k][1] : "?";
}

void verdict_add(struct verdict_list *l, enum verdict_kind kind, enum entity_type type,
		 const char *id, const char *name, const char *change, const char *reason)
{
	struct entity_verdict v = {
		.kind = kind,
		.type = type,
		.id = xstrdup(id ? id : ""),
		.name = dup_or_null(name),
		.change = dup_or_null(change),
		.reason = dup_or_null(reason),
	};
	VEC_PUSH(l->items, l->n, l->cap, v);
}

void verdict_list_free(struct verdict_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].id);
		free(l->items[i].name);
		free(l->items[i].change);
		free(l->items[i].reason);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void add_string_or_null(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
	else
		cJSON_AddNullToObject(o, key);
}

cJSON *verdict_list_json(const struct verdict_list *l)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < l->n; i++) {
		const struct entity_verdict *v = &l->items[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "kind", verdict_kind_name(v->kind));
		cJSON_AddStringToObject(o, "entity", entity_type_name(v->type));
		cJSON_AddStringToObject(o, "id", v->id);
		add_string_or_null(o, "name", v->name);
		add_string_or_null(o, "change", v->change);
		add_string_or_null(o, "reason", v->reason);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}
