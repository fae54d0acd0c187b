/* integ — the integration-health read of the target: one GET per account
 * through targetapi (retries, backoff, a size cap), a strict parser of its answer
 * that refuses rather than guesses, and the sample and audit record a check
 * leaves in the store, committed together. */
#include "warroom/integ.h"

#include <stdlib.h>
#include <string.h>

#include "warroom/audit.h"
#include "warroom/plan.h"
#include "warroom/samples.h"
#include "warroom/source.h"
#include "warroom/store.h"
#include "warroom/targetapi.h"

#define DEFAULT_TIMEOUT_MS 10000
#define ID_MAX 64
#define TEXT_MAX 1024 /* names, types and reasons longer than this are cut */

static const char *const status_names[INTEG_STATUS_COUNT] = {
	[INTEG_HEALTHY] = "healthy",
	[INTEG_DEGRADED] = "degraded",
	[INTEG_FAILING] = "failing",
	[INTEG_SILENT] = "silent",
};

const char *integ_status_name(enum integ_status s)
{
	return (unsigned)s < INTEG_STATUS_COUNT ? status_names[s] : "?";
}

static const char *const verdict_words[] = {
	[INTEG_OK] = "ok", [INTEG_DEG] = "deg", [INTEG_FAIL] = "fail", [INTEG_NONE] = "none",
};

const char *integ_verdict_word(enum integ_verdict v)
{
	return (size_t)v < ARRAY_SIZE(verdict_words) ? verdict_words[v] : "?";
}

enum integ_verdict integ_verdict_of(int64_t healthy, int64_t total)
{
	if (total <= 0)
		return INTEG_NONE;
	if (healthy >= total)
		return INTEG_OK;
	return healthy <= 0 ? INTEG_FAIL : INTEG_DEG;
}

double integ_fraction(int64_t healthy, int64_t total)
{
	return total > 0 ? (double)healthy / (double)total : 1.0;
}

static void item_free(struct integ_item *it)
{
	free(it->id);
	free(it->name);
	free(it->type);
	free(it->reason);
}

void integ_report_free(struct integ_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		item_free(&r->items[i]);
	free(r->items);
	memset(r, 0, sizeof(*r));
}

/* ---- the parser ------------------------------------------------------------------------ */

static int valid_id(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= ID_MAX &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

/* A count: a whole number from 0 up, absent counting as 0. */
static int get_count(const cJSON *o, const char *key, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = 0;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9.0e15 ||
	    v->valuedouble != (double)(int64_t)v->valuedouble)
		return -1;
	*out = (int64_t)v->valuedouble;
	return 0;
}

/* An optional string: NULL when absent or null, -1 when another type. */
static int get_text(const cJSON *o, const char *key, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return -1;
	*out = v->valuestring;
	return 0;
}

static char *text_dup(const char *s)
{
	return s ? xstrndup(s, strnlen(s, TEXT_MAX)) : xstrdup("");
}

static int parse_item(const cJSON *o, size_t i, struct integ_item *it, struct err *e)
{
	memset(it, 0, sizeof(*it));
	it->last_event_ms = -1;
	if (!cJSON_IsObject(o))
		return err_set(e, "integration %zu is not an object", i + 1);
	const char *id, *name, *type, *status, *last, *reason;
	if (get_text(o, "id", &id) || !id || !valid_id(id))
		return err_set(e, "integration %zu: \"id\" must be 1-%d characters of A-Z a-z 0-9 . _ -",
			       i + 1, ID_MAX);
	if (get_text(o, "name", &name) || get_text(o, "type", &type))
		return err_set(e, "integration %s: \"name\" and \"type\" must be strings", id);
	if (get_text(o, "status", &status) || !status)
		return err_set(e, "integration %s: \"status\" is missing", id);
	int st = -1;
	for (int k = 0; k < INTEG_STATUS_COUNT && st < 0; k++)
		if (!strcmp(status, status_names[k]))
			st = k;
	if (st < 0)
		return err_set(e, "integration %s: status '%.40s' is not healthy, degraded, failing "
			       "or silent", id, status);
	if (get_text(o, "last_event_at", &last) || (last && source_time_ms(last, &it->last_event_ms)))
		return err_set(e, "integration %s: \"last_event_at\" is not an RFC 3339 time or null", id);
	if (get_count(o, "deliveries", &it->deliveries) || get_count(o, "failures", &it->failures))
		return err_set(e, "integration %s: \"deliveries\" and \"failures\" must be whole "
			       "numbers from 0", id);
	if (it->failures > it->deliveries)
		return err_set(e, "integration %s: %lld failures out of %lld deliveries", id,
			       (long long)it->failures, (long long)it->deliveries);
	if (get_text(o, "reason", &reason))
		return err_set(e, "integration %s: \"reason\" must be a string or null", id);
	it->status = (enum integ_status)st;
	it->id = xstrdup(id);
	it->name = text_dup(name);
	it->type = text_dup(type);
	if (st != INTEG_HEALTHY)
		it->reason = text_dup(reason && *reason ? reason : "the platform gave no reason");
	return 0;
}

/* The answer once it is JSON: what integ_parse and integ_fetch share. */
static int parse_doc(const cJSON *doc, struct integ_report *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	int rc = 0;
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, "integrations");
	int64_t window = 0;
	if (!cJSON_IsObject(doc) || !cJSON_IsArray(list)) {
		rc = err_set(e, "the answer has no \"integrations\" list");
	} else if (cJSON_GetArraySize(list) > INTEG_MAX_ITEMS) {
		rc = err_set(e, "the answer lists more than %d integrations", INTEG_MAX_ITEMS);
	} else if (get_count(doc, "window_s", &window)) {
		rc = err_set(e, "\"window_s\" must be a whole number of seconds");
	}
	out->window_s = window;
	size_t i = 0;
	for (const cJSON *o = rc ? NULL : list->child; o; o = o->next) {
		struct integ_item it;
		if (parse_item(o, i++, &it, e)) {
			item_free(&it);
			rc = -1;
			break;
		}
		out->healthy += it.status == INTEG_HEALTHY;
		VEC_PUSH(out->items, out->n, out->cap, it);
	}
	if (rc)
		integ_report_free(out);
	return rc;
}

int integ_parse(const char *body, size_t len, struct integ_report *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	cJSON *doc = cJSON_ParseWithLength(body, len);
	if (!doc)
		return err_set(e, "the answer is not JSON");
	int rc = parse_doc(doc, out, e);
	cJSON_Delete(doc);
	return rc;
}

/* ---- the read ------------------------------------------------------------------------------ */

/* The read through an opened target; closes it. */
static int fetch_through(struct targetapi *t, const char *tenant, int64_t timeout_ms,
			 struct integ_report *out, struct err *e)
{
	t->timeout_ms = timeout_ms > 0 ? timeout_ms : DEFAULT_TIMEOUT_MS;
	char *path = xasprintf("/v1/tenants/%s/integrations/health", tenant);
	cJSON *doc = targetapi_get_json(t, path, e);
	int rc = doc ? parse_doc(doc, out, e) : -1;
	if (doc && rc)
		err_wrap(e, "GET %s", path);
	cJSON_Delete(doc);
	free(path);
	targetapi_close(t);
	return rc;
}

int integ_fetch(const char *base_url, const char *tenant, const char *token, int64_t timeout_ms,
		struct integ_report *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct targetapi t;
	if (targetapi_open(&t, base_url, e))
		return -1;
	targetapi_set_token(&t, token);
	return fetch_through(&t, tenant, timeout_ms, out, e);
}

int integ_check_account(const struct account *a, int64_t timeout_ms, struct integ_report *out,
			struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct targetapi t;
	if (targetapi_open_account(&t, a, e))
		return -1;
	return fetch_through(&t, a->id, timeout_ms, out, e);
}

/* ---- what is kept ------------------------------------------------------------------------- */

cJSON *integ_report_json(const struct integ_report *r, int unhealthy_only)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "healthy", (double)r->healthy);
	cJSON_AddNumberToObject(o, "total", (double)r->n);
	cJSON_AddStringToObject(o, "verdict",
				integ_verdict_word(integ_verdict_of((int64_t)r->healthy, (int64_t)r->n)));
	cJSON_AddNumberToObject(o, "window_s", (double)r->window_s);
	cJSON *list = cJSON_AddArrayToObject(o, "integrations");
	for (size_t i = 0; i < r->n; i++) {
		const struct integ_item *it = &r->items[i];
		if (unhealthy_only && it->status == INTEG_HEALTHY)
			continue;
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "id", it->id);
		cJSON_AddStringToObject(j, "name", it->name);
		cJSON_AddStringToObject(j, "type", it->type);
		cJSON_AddStringToObject(j, "status", integ_status_name(it->status));
		if (it->last_event_ms >= 0) {
			char ts[40];
			util_iso8601(it->last_event_ms, ts, sizeof(ts));
			cJSON_AddStringToObject(j, "last_event_at", ts);
		} else {
			cJSON_AddNullToObject(j, "last_event_at");
		}
		cJSON_AddNumberToObject(j, "deliveries", (double)it->deliveries);
		cJSON_AddNumberToObject(j, "failures", (double)it->failures);
		if (it->reason)
			cJSON_AddStringToObject(j, "reason", it->reason);
		else
			cJSON_AddNullToObject(j, "reason");
		cJSON_AddItemToArray(list, j);
	}
	return o;
}

int integ_record(struct store *st, const char *account, const struct integ_report *r,
		 const char *error, const char *plan_hash, struct err *e)
{
	cJSON *detail;
	if (r) {
		detail = integ_report_json(r, 1);
	} else {
		detail = cJSON_CreateObject();
		cJSON_AddStringToObject(detail, "error", error ? error : "");
	}
	struct audit_entry en = {.action = "integrations.check", .role = "cli", .account = account,
				 .detail = detail, .plan_hash = plan_hash};
	int rc = store_begin(st, e);
	if (!rc && r) {
		struct sample s = {.account = (char *)account, .kind = (char *)SAMPLE_INTEGRATION,
				   .name = (char *)SAMPLE_INTEG_HEALTH,
				   .value = integ_fraction((int64_t)r->healthy, (int64_t)r->n),
				   .passed = (int64_t)r->healthy, .evaluated = (int64_t)r->n};
		rc = samples_append(st, &s, e);
	}
	if (!rc)
		rc = audit_append(st, &en, NULL, e);
	if (!rc)
		rc = store_commit(st, e);
	else
		store_rollback(st);
	cJSON_Delete(detail);
	return rc ? err_wrap(e, "recording the integration check of %s", account) : 0;
}

void integ_count(const struct sample_list *latest, struct integ_counts *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < latest->n; i++) {
		const struct sample *s = &latest->items[i];
		if (strcmp(s->kind, SAMPLE_INTEGRATION) || strcmp(s->name, SAMPLE_INTEG_HEALTH))
			continue;
		out->measured++;
		out->deg += s->passed > 0 && s->passed < s->evaluated;
		out->fail += s->passed <= 0 && s->evaluated > 0;
	}
}
