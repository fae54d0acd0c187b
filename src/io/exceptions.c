/* exceptions — the registry of accepted deviations (scope, owner, expiry,
 * compensating controls) over the store's exceptions table. The row and its
 * audit record commit in one transaction: an exception nobody can trace to
 * a person does not exist. */
#include "warroom/exceptions.h"

#include <stdlib.h>
#include <string.h>

#include "warroom/audit.h"
#include "warroom/ident.h"
#include "warroom/store.h"

void exception_free(struct exception *x)
{
	if (!x)
		return;
	free(x->scope);
	free(x->owner);
	free(x->reason);
	free(x->controls);
	free(x->closed_by);
	free(x->opened_by);
	memset(x, 0, sizeof(*x));
}

void exception_list_free(struct exception_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		exception_free(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* ---- scope ------------------------------------------------------------- */

/* Scope parts: account / entity / id # field; absent parts are NULL. */
struct scope_parts {
	char buf[512];
	const char *part[4];
};

static int scope_split(const char *scope, struct scope_parts *sp)
{
	memset(sp, 0, sizeof(*sp));
	if (!scope || !*scope || strlen(scope) >= sizeof(sp->buf))
		return -1;
	strcpy(sp->buf, scope);
	char *field = strchr(sp->buf, '#');
	if (field) {
		*field++ = '\0';
		sp->part[3] = field;
	}
	char *p = sp->buf;
	for (int i = 0; i < 3 && p; i++) {
		sp->part[i] = p;
		char *slash = strchr(p, '/');
		if (slash)
			*slash++ = '\0';
		p = slash;
	}
	if (p)
		return -1; /* more than three parts */
	for (int i = 0; i < 4; i++)
		if (sp->part[i] && !*sp->part[i])
			return -1;
	if (sp->part[3] && !sp->part[2])
		return -1; /* a field needs an id (or *) before it */
	return 0;
}

static int part_covers(const char *pattern, const char *value)
{
	if (!pattern || !strcmp(pattern, "*"))
		return 1;
	return value && !strcmp(pattern, value);
}

int exception_scope_covers(const char *scope, const char *account, const char *entity,
			   const char *id, const char *field)
{
	struct scope_parts sp;
	if (scope_split(scope, &sp))
		return 0;
	const char *want[4] = {account, entity, id, field};
	for (int i = 0; i < 4; i++) {
		/* A scope narrower than the item does not cover all of it. */
		if (sp.part[i] && strcmp(sp.part[i], "*") && !want[i])
			return 0;
		if (!part_covers(sp.part[i], want[i]))
			return 0;
	}
	return 1;
}

static int is_open_at(const struct exception *x, int64_t now_ms)
{
	return !x->closed_ms && x->expires_ms > now_ms;
}

const struct exception *exceptions_match(const struct exception_list *l, int64_t now_ms,
					 const char *account, const char *entity,
					 const char *id, const char *field)
{
	for (size_t i = 0; i < l->n; i++)
		if (is_open_at(&l->items[i], now_ms) &&
		    exception_scope_covers(l->items[i].scope, account, entity, id, field))
			return &l->items[i];
	return NULL;
}

int exceptions_explain(void *ctx, const char *account, const char *entity, const char *id,
		       const char *field, char *why, size_t size)
{
	const struct exceptions_explainer *x = ctx;
	const struct exception *m = exceptions_match(x->list, x->now_ms, account, entity, id, field);
	if (!m)
		return 0;
	char until[32];
	util_iso8601(m->expires_ms, until, sizeof(until));
	snprintf(why, size, "exception #%lld (%s, until %s): %s", (long long)m->id, m->owner, until,
		 m->reason);
	return 1;
}

int exception_check(const struct exception *x, struct err *e)
{
	struct scope_parts sp;
	if (scope_split(x->scope, &sp))
		return err_set(e, "exception scope '%s' is not ACCOUNT[/ENTITY[/ID[#FIELD]]] "
				  "(each part may be *)", x->scope ? x->scope : "");
	if (!x->owner || !*x->owner)
		return err_set(e, "an exception needs an owner");
	if (!x->reason || !*x->reason)
		return err_set(e, "an exception needs a reason");
	if (x->expires_ms <= 0)
		return err_set(e, "an exception needs an expiry");
	if (x->opened_ms && x->expires_ms <= x->opened_ms)
		return err_set(e, "the exception would expire before it opens");
	return 0;
}

/* ---- store ------------------------------------------------------------- */

static cJSON *exception_json(const struct exception *x)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)x->id);
	cJSON_AddStringToObject(o, "scope", x->scope);
	cJSON_AddStringToObject(o, "owner", x->owner);
	cJSON_AddStringToObject(o, "reason", x->reason);
	cJSON_AddStringToObject(o, "controls", x->controls ? x->controls : "");
	char t[32];
	util_iso8601(x->expires_ms, t, sizeof(t));
	cJSON_AddStringToObject(o, "expires", t);
	return o;
}

/* The account an audit record is about: the scope's first part unless "*". */
static char *scope_account(const char *scope)
{
	struct scope_parts sp;
	if (scope_split(scope, &sp) || !strcmp(sp.part[0], "*"))
		return NULL;
	return xstrdup(sp.part[0]);
}

static int audit_exception(struct store *st, const char *action, const struct exception *x,
			   cJSON *detail, struct err *e)
{
	char subject[48];
	snprintf(subject, sizeof(subject), "exception-%lld", (long long)x->id);
	char *account = scope_account(x->scope);
	struct audit_entry en = {
		.action = action,
		.role = "operator",
		.account = account,
		.subject = subject,
		.detail = detail,
	};
	int rc = audit_append(st, &en, NULL, e);
	free(account);
	return rc;
}

int exceptions_add(struct store *st, struct exception *x, struct err *e)
{
	if (!x->opened_ms)
		x->opened_ms = util_now_ms();
	if (!x->opened_by)
		x->opened_by = xstrdup(ident_get()->login);
	if (!x->controls)
		x->controls = xstrdup("");
	if (exception_check(x, e))
		return -1;
	if (store_begin(st, e))
		return -1;
	sqlite3_stmt *q = store_stmt(st,
		"INSERT INTO exceptions(scope, owner, expires_ms, controls, reason, opened_by, "
		"opened_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", e);
	if (!q)
		goto fail;
	sqlite3_bind_text(q, 1, x->scope, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 2, x->owner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, x->expires_ms);
	sqlite3_bind_text(q, 4, x->controls, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 5, x->reason, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(q, 6, x->opened_by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 7, x->opened_ms);
	if (store_step_done(st, q, e))
		goto fail;
	x->id = sqlite3_last_insert_rowid(store_db(st));
	cJSON *detail = exception_json(x);
	int rc = audit_exception(st, "exception.add", x, detail, e);
	cJSON_Delete(detail);
	if (rc || store_commit(st, e))
		goto fail;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

#define EXC_COLS "id, scope, owner, expires_ms, controls, reason, opened_by, opened_ms, " \
		 "closed_by, closed_ms"

static void row_to_exception(sqlite3_stmt *q, struct exception *x)
{
	memset(x, 0, sizeof(*x));
	x->id = sqlite3_column_int64(q, 0);
	x->scope = store_col_dup(q, 1);
	x->owner = store_col_dup(q, 2);
	x->expires_ms = sqlite3_column_int64(q, 3);
	x->controls = store_col_dup(q, 4);
	x->reason = store_col_dup(q, 5);
	x->opened_by = store_col_dup(q, 6);
	x->opened_ms = sqlite3_column_int64(q, 7);
	x->closed_by = store_col_dup(q, 8);
	x->closed_ms = sqlite3_column_int64(q, 9);
}

int exceptions_close(struct store *st, int64_t id, const char *by, const char *note,
		     struct err *e)
{
	if (store_begin(st, e))
		return -1;
	struct exception x = {0};
	sqlite3_stmt *q = store_stmt(st, "SELECT " EXC_COLS " FROM exceptions WHERE id = ?1", e);
	if (!q)
		goto fail;
	sqlite3_bind_int64(q, 1, id);
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		row_to_exception(q, &x);
	sqlite3_reset(q);
	if (rc != SQLITE_ROW) {
		if (rc == SQLITE_DONE)
			err_set(e, "no exception %lld", (long long)id);
		else
			store_error(st, e, "reading an exception");
		goto fail;
	}
	if (x.closed_ms) {
		err_set(e, "exception %lld was already closed by %s", (long long)id,
			x.closed_by ? x.closed_by : "?");
		goto fail;
	}
	x.closed_ms = util_now_ms();
	x.closed_by = xstrdup(by ? by : ident_get()->login);
	q = store_stmt(st, "UPDATE exceptions SET closed_by = ?2, closed_ms = ?3 WHERE id = ?1", e);
	if (!q)
		goto fail;
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, x.closed_by, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(q, 3, x.closed_ms);
	if (store_step_done(st, q, e))
		goto fail;
	cJSON *detail = exception_json(&x);
	cJSON_AddStringToObject(detail, "note", note ? note : "");
	rc = audit_exception(st, "exception.close", &x, detail, e);
	cJSON_Delete(detail);
	if (rc || store_commit(st, e))
		goto fail;
	exception_free(&x);
	return 0;
fail:
	store_rollback(st);
	exception_free(&x);
	return -1;
}

int exceptions_list(struct store *st, enum exceptions_filter f, int64_t now_ms,
		    struct exception_list *out, struct err *e)
{
	static const char *const where[] = {
		[EXC_ALL] = "1",
		[EXC_OPEN] = "closed_ms IS NULL AND expires_ms > ?1",
		[EXC_EXPIRED] = "closed_ms IS NULL AND expires_ms <= ?1",
		[EXC_CLOSED] = "closed_ms IS NOT NULL",
	};
	memset(out, 0, sizeof(*out));
	if ((unsigned)f >= ARRAY_SIZE(where))
		return err_set(e, "unknown exception filter");
	char sql[256];
	snprintf(sql, sizeof(sql), "SELECT " EXC_COLS " FROM exceptions WHERE %s ORDER BY id",
		 where[f]);
	sqlite3_stmt *q = store_stmt(st, sql, e);
	if (!q)
		return -1;
	if (f == EXC_OPEN || f == EXC_EXPIRED)
		sqlite3_bind_int64(q, 1, now_ms);
	int rc;
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct exception x;
		row_to_exception(q, &x);
		VEC_PUSH(out->items, out->n, out->cap, x);
	}
	sqlite3_reset(q);
	if (rc != SQLITE_DONE) {
		exception_list_free(out);
		return store_error(st, e, "listing exceptions");
	}
	return 0;
}
