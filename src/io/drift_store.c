/* drift — the io half: cutover snapshots in the store's snapshots table
 * (one row per entity, a snapshot = the rows of one taken_ms), the target
 * read through targetapi, and drift checks kept as samples and audited. */
#include "warroom/drift.h"

#include <stdlib.h>
#include <string.h>

#include "warroom/audit.h"
#include "warroom/exceptions.h"
#include "warroom/samples.h"
#include "warroom/store.h"
#include "warroom/targetapi.h"

#define DRIFT_SERIES_MAX 10000 /* drift checks looked back over */

static int audit_drift(struct store *st, const char *action, const char *role,
		       const char *account, cJSON *detail, struct err *e)
{
	struct audit_entry en = {.action = action, .role = role ? role : "cli", .account = account,
				 .detail = detail};
	int rc = audit_append(st, &en, NULL, e);
	cJSON_Delete(detail);
	return rc;
}

int drift_snapshot_save(struct store *st, const char *account, const struct entity_set *set,
			const char *reason, int64_t now_ms, struct err *e)
{
	int own = !store_in_tx(st);
	if (own && store_begin(st, e))
		return -1;
	int rc = 0;
	for (size_t i = 0; i < set->n && !rc; i++) {
		const struct entity *en = set->items[i];
		sqlite3_stmt *q = store_stmt(st,
			"INSERT INTO snapshots(account, entity_type, entity_id, json, reason, taken_ms) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6)", e);
		if (!q) {
			rc = -1;
			break;
		}
		char *json = cJSON_PrintUnformatted(en->doc);
		sqlite3_bind_text(q, 1, account, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 2, entity_type_name(en->type), -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, en->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 4, json, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(q, 5, reason ? reason : "cutover", -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(q, 6, now_ms);
		rc = store_step_done(st, q, e);
		free(json);
	}
	if (!rc) {
		cJSON *d = cJSON_CreateObject();
		cJSON_AddNumberToObject(d, "entities", (double)set->n);
		cJSON_AddStringToObject(d, "reason", reason ? reason : "cutover");
		rc = audit_drift(st, "drift.snapshot", NULL, account, d, e);
	}
	if (rc) {
		if (own)
			store_rollback(st);
		return err_wrap(e, "keeping the snapshot of %s", account);
	}
	return own ? store_commit(st, e) : 0;
}

int drift_snapshot(struct store *st, const char *account, struct targetapi *api,
		   const char *reason, size_t *count, struct err *e)
{
	struct entity_set set = {0};
	int rc = targetapi_fetch_all(api, account, TARGETAPI_TARGET, &set, e);
	if (!rc)
		rc = drift_snapshot_save(st, account, &set, reason, util_now_ms(), e);
	if (!rc && count)
		*count = set.n;
	entity_set_free(&set);
	return rc;
}

int drift_snapshot_time(struct store *st, const char *account, int64_t *taken_ms, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st, "SELECT max(taken_ms) FROM snapshots WHERE account = ?1", e);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, account, -1, SQLITE_TRANSIENT);
	int step = sqlite3_step(q);
	if (step != SQLITE_ROW) {
		sqlite3_reset(q);
		return step == SQLITE_DONE ? 0 : store_error(st, e, "reading snapshots");
	}
	int none = sqlite3_column_type(q, 0) == SQLITE_NULL;
	*taken_ms = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return none ? 0 : 1;
}

int drift_snapshot_load(struct store *st, const char *account, struct entity_set *out,
			int64_t *taken_ms, struct err *e)
{
	int64_t taken = 0;
	int found = drift_snapshot_time(st, account, &taken, e);
	if (found <= 0)
		return found;
	int step;
	sqlite3_stmt *q = store_stmt(st, "SELECT entity_type, json FROM snapshots WHERE account = ?1 AND taken_ms = ?2 "
			   "ORDER BY id", e);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 2, taken);
	struct entity_set got = {0};
	int rc = 0;
	while (!rc && (step = sqlite3_step(q)) == SQLITE_ROW) {
		enum entity_type t;
		const char *json = (const char *)sqlite3_column_text(q, 1);
		cJSON *doc = json ? cJSON_Parse(json) : NULL;
		if (entity_type_parse((const char *)sqlite3_column_text(q, 0), &t, e) < 0 || !doc) {
			cJSON_Delete(doc);
			rc = err_set(e, "snapshot of %s: a row is not an entity of a known type", account);
			break;
		}
		struct entity *en = entity_new(t, doc, e);
		if (!en) {
			rc = -1;
			break;
		}
		entity_set_provenance(en, "snapshot", en->id, NULL, taken);
		entity_set_add(&got, en);
	}
	if (!rc && step != SQLITE_DONE)
		rc = store_error(st, e, "reading snapshots");
	sqlite3_reset(q);
	if (rc) {
		entity_set_free(&got);
		return -1;
	}
	for (size_t i = 0; i < got.n; i++)
		entity_set_add(out, got.items[i]);
	free(got.items);
	*taken_ms = taken;
	return 1;
}

int drift_record(struct store *st, const char *account, const struct entity_set *snapshot,
		 int64_t snapshot_ms, const struct entity_set *current,
		 const struct exception_list *exceptions, const char *role, struct drift_result *out,
		 struct err *e)
{
	int64_t at = util_now_ms();
	struct exception_list none = {0};
	struct exceptions_explainer ex = {exceptions ? exceptions : &none, at};
	if (drift_compare(account, snapshot, current, exceptions_explain, &ex, at, out, e))
		return -1;
	out->snapshot_ms = snapshot_ms;
	struct sample s = {.account = (char *)account, .kind = SAMPLE_DRIFT, .name = "entities",
			   .value = (double)out->unexplained,
			   .passed = (int64_t)(out->differing - out->unexplained),
			   .evaluated = (int64_t)out->differing, .at_ms = at};
	cJSON *d = parity_result_json(&out->cmp, NULL);
	cJSON_AddNumberToObject(d, "differing", (double)out->differing);
	cJSON_AddNumberToObject(d, "unexplained", (double)out->unexplained);
	if (samples_append(st, &s, e)) {
		cJSON_Delete(d);
		drift_result_free(out);
		return -1;
	}
	if (audit_drift(st, "drift.check", role, account, d, e)) {
		drift_result_free(out);
		return -1;
	}
	return 0;
}

int drift_check(struct store *st, const char *account, struct targetapi *api,
		const struct exception_list *exceptions, struct drift_result *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct entity_set snap = {0}, now = {0};
	int64_t taken = 0;
	int found = drift_snapshot_load(st, account, &snap, &taken, e);
	if (found <= 0) {
		if (found == 0)
			err_set(e, "%s has no cutover snapshot yet (warroom drift --snapshot takes one)", account);
		return -1;
	}
	int rc = targetapi_fetch_all(api, account, TARGETAPI_TARGET, &now, e);
	if (!rc)
		rc = drift_record(st, account, &snap, taken, &now, exceptions, NULL, out, e);
	entity_set_free(&snap);
	entity_set_free(&now);
	return rc;
}

int drift_unexplained_since(struct store *st, const char *account, int64_t *since_ms,
			    struct err *e)
{
	*since_ms = 0;
	sqlite3_stmt *q = store_stmt(st,
		"SELECT ts_ms, value FROM (SELECT ts_ms, value, id FROM samples WHERE account = ?1 "
		"AND kind = 'drift' AND name = 'entities' ORDER BY ts_ms DESC, id DESC LIMIT ?2) "
		"ORDER BY ts_ms, id", e);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 2, DRIFT_SERIES_MAX);
	struct drift_obs *obs = NULL;
	size_t n = 0, cap = 0;
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		struct drift_obs o = {sqlite3_column_int64(q, 0), sqlite3_column_double(q, 1)};
		VEC_PUSH(obs, n, cap, o);
	}
	sqlite3_reset(q);
	int rc = step == SQLITE_DONE ? 0 : store_error(st, e, "reading drift samples");
	if (!rc)
		*since_ms = drift_since(obs, n);
	free(obs);
	return rc;
}
