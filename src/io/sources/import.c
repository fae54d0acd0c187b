/* import — a source read whole, laid against the tenant on the target: the
 * preview (create, update, unchanged, refused) and the apply, one idempotent
 * request per entity, batches audited and checkpointed so that a crash
 * resumes and never half-applies an entity. */
#include <stdlib.h>
#include <string.h>

#include "warroom/audit.h"
#include "warroom/canon.h"
#include "warroom/http.h"
#include "warroom/jsondiff.h"
#include "warroom/source_import.h"
#include "warroom/targetapi.h"

#define TARGET_PAGE 500
#define BATCH_DEFAULT 100

static const char *const action_names[IMPORT_ACTION_COUNT] = {
	[IMPORT_CREATE] = "create", [IMPORT_UPDATE] = "update",
	[IMPORT_UNCHANGED] = "unchanged", [IMPORT_REFUSED] = "refused",
};

/* References point from later types to earlier ones, so a target that
 * checks them never sees a dangling one. */
static const enum entity_type apply_order[] = {
	ENTITY_USER, ENTITY_TEAM, ENTITY_SCHEDULE, ENTITY_ESCALATION_POLICY,
	ENTITY_SERVICE, ENTITY_INTEGRATION, ENTITY_INCIDENT,
};

const char *source_import_action_name(enum import_action a)
{
	return (unsigned)a < IMPORT_ACTION_COUNT ? action_names[a] : "?";
}

void source_import_report_free(struct import_report *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->items[i].id);
		free(r->items[i].name);
		free(r->items[i].detail);
		free(r->items[i].change);
		free(r->items[i].why);
	}
	free(r->items);
	sb_release(&r->compat);
	memset(r, 0, sizeof(*r));
}

static void item_add(struct import_report *r, enum import_action a, enum entity_type t,
		     const char *id, const char *name, char *detail, const struct entity *en)
{
	struct import_item it = {a, t, xstrdup(id), name ? xstrdup(name) : NULL, detail, NULL, NULL, en};
	VEC_PUSH(r->items, r->n, r->cap, it);
	r->count[t][a]++;
}

/* ---- HTTP to the target ------------------------------------------------------------ */

struct call {
	const char *method;
	char *url, *body;
	char key[65];
	long status;
	char *answer;
	char error[256];
};

static void on_done(void *ctx, const struct http_result *res)
{
	struct call *c = ctx;
	c->status = res->status;
	c->answer = res->body ? xstrndup(res->body, res->len) : NULL;
	snprintf(c->error, sizeof(c->error), "%s", res->error);
}

static void call_clear(struct call *c)
{
	free(c->url);
	free(c->body);
	free(c->answer);
	memset(c, 0, sizeof(*c));
}

#define IN_FLIGHT 64 /* requests open at once; the rest wait their turn */

/* Sends n calls at once and waits for all of them. */
static int send_wave(const struct import_options *o, struct call *calls, size_t n, struct err *e)
{
	struct http *h = http_new(e);
	if (!h)
		return -1;
	char *auth = o->target_token ? xasprintf("Authorization: Bearer %s", o->target_token) : NULL;
	const char *headers[] = {"Accept: application/json", "Content-Type: application/json", auth};
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct http_request rq = {
			.method = calls[i].method,
			.url = calls[i].url,
			.headers = headers,
			.n_headers = auth ? 3 : 2,
			.body = calls[i].body,
			.idempotent = 1,
			.retries = 5,
			.idempotency_key = calls[i].key[0] ? calls[i].key : NULL,
			.max_response = 64u << 20,
		};
		if (http_submit(h, &rq, NULL, on_done, &calls[i], e) < 0)
			rc = -1;
	}
	if (rc == 0)
		rc = http_drain(h, e);
	http_free(h);
	free(auth);
	return rc;
}

/* Sends the calls, IN_FLIGHT at a time, and waits for all of them. */
static int send_all(const struct import_options *o, struct call *calls, size_t n, struct err *e)
{
	for (size_t i = 0; i < n; i += IN_FLIGHT)
		if (send_wave(o, calls + i, n - i < IN_FLIGHT ? n - i : IN_FLIGHT, e) < 0)
			return -1;
	return 0;
}

/* The target's words for a refused request. */
static void describe_failure(const struct call *c, const char *base, struct err *e)
{
	const char *path = util_has_prefix(c->url, base) ? c->url + strlen(base) : c->url;
	cJSON *j = c->answer ? cJSON_Parse(c->answer) : NULL;
	const char *msg = cJSON_GetStringValue(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(j, "error"), "message"));
	if (c->status == 0)
		err_set(e, "%s %s: %s", c->method, path, c->error[0] ? c->error : "no answer");
	else
		err_set(e, "%s %s: HTTP %ld%s%s", c->method, path, c->status, msg ? ": " : "",
			msg ? msg : "");
	cJSON_Delete(j);
}

static cJSON *get_json(const struct import_options *o, const char *path, long *status,
		       struct err *e)
{
	struct call c = {.method = "GET", .url = xasprintf("%s%s", o->target_url, path)};
	cJSON *root = NULL;
	if (send_all(o, &c, 1, e) == 0) {
		*status = c.status;
		if (c.status >= 200 && c.status < 300) {
			root = c.answer ? cJSON_Parse(c.answer) : NULL;
			if (!root)
				err_set(e, "GET %s: the answer is not JSON", path);
		} else if (c.status != 404) {
			describe_failure(&c, o->target_url, e);
		}
	}
	call_clear(&c);
	return root;
}

/* ---- the target's side ------------------------------------------------------------- */

struct tobj {
	const char *id;
	cJSON *obj; /* owned by the page array it came from */
};
struct tside {
	cJSON *pages; /* array of every page read, the owner */
	struct tobj *v[ENTITY_TYPE_COUNT];
	size_t n[ENTITY_TYPE_COUNT], cap[ENTITY_TYPE_COUNT];
};

static int tobj_cmp(const void *a, const void *b)
{
	return strcmp(((const struct tobj *)a)->id, ((const struct tobj *)b)->id);
}

static void tside_free(struct tside *t)
{
	cJSON_Delete(t->pages);
	for (int i = 0; i < ENTITY_TYPE_COUNT; i++)
		free(t->v[i]);
}

static int tside_read(const struct import_options *o, struct tside *t, int *missing, struct err *e)
{
	long status = 0;
	char *path = xasprintf("/v1/tenants/%s", o->tenant);
	cJSON *tenant = get_json(o, path, &status, e);
	free(path);
	t->pages = cJSON_CreateArray();
	if (!tenant) {
		*missing = status == 404;
		return status == 404 ? 0 : -1;
	}
	cJSON_Delete(tenant);
	*missing = 0;
	for (int ty = 0; ty < ENTITY_TYPE_COUNT; ty++) {
		for (long page = 1; page > 0;) {
			path = xasprintf("/v1/tenants/%s/%s?page=%ld&page_size=%d", o->tenant,
					 entity_type_plural((enum entity_type)ty), page, TARGET_PAGE);
			cJSON *root = get_json(o, path, &status, e);
			if (!root) {
				if (status == 404)
					err_set(e, "GET %s: HTTP 404", path);
				free(path);
				return -1;
			}
			cJSON_AddItemToArray(t->pages, root);
			const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data"), *it;
			if (!cJSON_IsArray(data)) {
				err_set(e, "GET %s: the answer has no \"data\" array", path);
				free(path);
				return -1;
			}
			free(path);
			cJSON_ArrayForEach(it, data)
			{
				const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(it, "id"));
				if (!id)
					continue;
				struct tobj x = {id, (cJSON *)it};
				VEC_PUSH(t->v[ty], t->n[ty], t->cap[ty], x);
			}
			const cJSON *next = cJSON_GetObjectItemCaseSensitive(root, "next_page");
			page = cJSON_IsNumber(next) && next->valuedouble > (double)page ? (long)next->valuedouble : 0;
		}
		if (t->n[ty])
			qsort(t->v[ty], t->n[ty], sizeof(struct tobj), tobj_cmp);
	}
	return 0;
}

static const cJSON *tside_find(const struct tside *t, enum entity_type ty, const char *id)
{
	struct tobj key = {id, NULL};
	const struct tobj *hit = t->n[ty] ? bsearch(&key, t->v[ty], t->n[ty], sizeof(key), tobj_cmp) : NULL;
	return hit ? hit->obj : NULL;
}

/* ---- the plan ------------------------------------------------------------------------- */

static int known_field(enum entity_type t, const char *name)
{
	for (size_t i = 0; i < ENTITY_FIELDS_COUNT; i++)
		if (ENTITY_FIELDS[i].type == t && !strcmp(ENTITY_FIELDS[i].name, name))
			return 1;
	return 0;
}

/* Fields of a source entity the target's shape has no place for. */
static void compat_fields(const struct entity *en, struct strbuf *out)
{
	const cJSON *f;
	cJSON_ArrayForEach(f, en->doc)
	{
		if (!known_field(en->type, f->string))
			sb_addf(out, "%s %s: field %s has no home on the target; not sent\n",
				entity_type_name(en->type), en->id, f->string);
	}
}

/* What is sent: the canonical fields only, under the target's names. */
cJSON *source_import_document(const struct entity *en)
{
	cJSON *o = cJSON_CreateObject();
	const cJSON *f;
	cJSON_ArrayForEach(f, en->doc)
	{
		if (known_field(en->type, f->string))
			cJSON_AddItemToObject(o, targetapi_field_name(en->type, f->string), cJSON_Duplicate(f, 1));
	}
	return o;
}

/* A stored target record in the form source_import_document() sends. */
cJSON *source_import_target_document(const cJSON *obj)
{
	cJSON *o = cJSON_Duplicate(obj, 1);
	targetapi_strip_bookkeeping(o);
	return o;
}

static int same(struct canon_hasher *h, const cJSON *a, const cJSON *b, struct err *e)
{
	unsigned char x[CANON_HASH_LEN], y[CANON_HASH_LEN];
	if (canon_hasher_hash(h, a, x, e) < 0 || canon_hasher_hash(h, b, y, e) < 0)
		return -1;
	return memcmp(x, y, sizeof(x)) == 0;
}

static char *change_text(const cJSON *was, const cJSON *now)
{
	struct jsondiff d = {0};
	struct err e = {{0}};
	struct strbuf sb = {0};
	if (jsondiff_compute(was, now, &d, &e) < 0) {
		sb_addf(&sb, "%s", e.msg);
	} else {
		size_t shown = 0;
		for (size_t i = 0; i < d.n; i++) {
			const struct jsondiff_entry *x = &d.v[i];
			if (x->kind == JSONDIFF_SAME)
				continue;
			if (shown++ == 3) {
				sb_addf(&sb, "; ...");
				break;
			}
			sb_addf(&sb, "%s%c %s: %.60s -> %.60s", shown > 1 ? "; " : "", jsondiff_symbol(x->kind),
				x->path, x->left ? x->left : "(none)", x->right ? x->right : "(none)");
		}
	}
	jsondiff_free(&d);
	return sb_detach(&sb);
}

struct item_ref {
	const char *id;
	size_t i;
};

static int item_ref_cmp(const void *a, const void *b)
{
	return strcmp(((const struct item_ref *)a)->id, ((const struct item_ref *)b)->id);
}

/* The source's "import with a change" verdicts of one type, laid on the
 * items made from its entities (items [from, r->n)), found by id. */
static void attach_changes(struct import_report *r, size_t from, enum entity_type ty,
			   const struct source_result *src)
{
	size_t n = r->n - from;
	if (!n)
		return;
	struct item_ref *refs = xcalloc(n, sizeof(*refs));
	for (size_t i = 0; i < n; i++)
		refs[i] = (struct item_ref){r->items[from + i].id, from + i};
	qsort(refs, n, sizeof(*refs), item_ref_cmp);
	for (size_t i = 0; i < src->verdicts.n; i++) {
		const struct entity_verdict *v = &src->verdicts.items[i];
		if (v->type != ty || v->kind != VERDICT_IMPORT_CHANGED)
			continue;
		struct item_ref key = {v->id, 0};
		const struct item_ref *hit = bsearch(&key, refs, n, sizeof(*refs), item_ref_cmp);
		if (!hit || r->items[hit->i].change)
			continue;
		struct import_item *it = &r->items[hit->i];
		it->change = xstrdup(v->change ? v->change : "changed");
		it->why = v->reason ? xstrdup(v->reason) : NULL;
	}
	free(refs);
}

char *source_import_item_reason(const struct import_item *it)
{
	if (it->action == IMPORT_REFUSED)
		return xstrdup(it->detail ? it->detail : "not importable");
	if (it->change)
		return xstrdup(it->why ? it->why : it->change);
	if (it->action == IMPORT_UPDATE)
		return xstrdup("the target's record differs from the source");
	return NULL;
}

cJSON *source_import_item_changes(const struct import_item *it)
{
	if (it->action == IMPORT_REFUSED || (!it->change && !(it->action == IMPORT_UPDATE && it->detail)))
		return NULL;
	cJSON *a = cJSON_CreateArray();
	if (it->change)
		cJSON_AddItemToArray(a, cJSON_CreateString(it->change));
	/* change_text() joins the field changes with "; " */
	for (const char *p = it->action == IMPORT_UPDATE ? it->detail : NULL; p && *p;) {
		const char *sep = strstr(p, "; ");
		size_t len = sep ? (size_t)(sep - p) : strlen(p);
		char *one = xstrndup(p, len);
		cJSON_AddItemToArray(a, cJSON_CreateString(one));
		free(one);
		p = sep ? sep + 2 : p + len;
	}
	return a;
}

static const char *name_of(const struct entity *en)
{
	const char *n = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(en->doc, "name"));
	return n ? n : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(en->doc, "title"));
}

int source_import_plan(const struct import_options *o, const struct source_result *src,
		       struct import_report *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct tside t = {0};
	if (tside_read(o, &t, &out->tenant_missing, e) < 0) {
		tside_free(&t);
		return err_wrap(e, "reading tenant %s on the target", o->tenant);
	}
	struct canon_hasher *h = canon_hasher_new();
	int rc = 0;
	for (size_t k = 0; k < ARRAY_SIZE(apply_order) && rc == 0; k++) {
		enum entity_type ty = apply_order[k];
		size_t first = out->n;
		for (size_t i = 0; i < src->set.n && rc == 0; i++) {
			const struct entity *en = src->set.items[i];
			if (en->type != ty)
				continue;
			compat_fields(en, &out->compat);
			const cJSON *there = tside_find(&t, ty, en->id);
			if (!there) {
				item_add(out, IMPORT_CREATE, ty, en->id, name_of(en), NULL, en);
				continue;
			}
			cJSON *now = source_import_document(en), *was = source_import_target_document(there);
			int eq = same(h, was, now, e);
			if (eq < 0)
				rc = err_wrap(e, "%s %s", entity_type_name(ty), en->id);
			else if (eq)
				item_add(out, IMPORT_UNCHANGED, ty, en->id, name_of(en), NULL, en);
			else
				item_add(out, IMPORT_UPDATE, ty, en->id, name_of(en), change_text(was, now), en);
			cJSON_Delete(now);
			cJSON_Delete(was);
		}
		if (rc == 0)
			attach_changes(out, first, ty, src);
		for (size_t i = 0; i < src->verdicts.n; i++) {
			const struct entity_verdict *v = &src->verdicts.items[i];
			if (v->type != ty)
				continue;
			if (v->kind == VERDICT_SKIP)
				item_add(out, IMPORT_REFUSED, ty, v->id, v->name,
					 xstrdup(v->reason ? v->reason : "not importable"), NULL);
			else if (v->kind == VERDICT_IMPORT_CHANGED)
				sb_addf(&out->compat, "%s %s: %s (%s)\n", entity_type_name(ty), v->id,
					v->change ? v->change : "changed", v->reason ? v->reason : "");
		}
	}
	canon_hasher_free(h);
	tside_free(&t);
	if (rc < 0)
		source_import_report_free(out);
	return rc;
}

/* ---- apply ------------------------------------------------------------------------------ */

static int checkpoint_read(struct store *s, const char *tenant, const char *type, long *done,
			   char **last, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s, "SELECT cursor FROM import_checkpoints WHERE account = ?1 AND entity_type = ?2", e);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, tenant, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_TRANSIENT);
	*done = 0;
	*last = NULL;
	int r = sqlite3_step(st);
	if (r == SQLITE_ROW) {
		/* "N ID": N entities of the type are through, the N-th being ID */
		const char *c = (const char *)sqlite3_column_text(st, 0);
		char *sp = c ? strchr(c, ' ') : NULL;
		if (sp) {
			*done = strtol(c, NULL, 10);
			*last = xstrdup(sp + 1);
		}
	}
	sqlite3_reset(st);
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		return store_error(s, e, "reading the import checkpoint");
	return 0;
}

static int checkpoint_write(struct store *s, const char *tenant, const char *type, size_t done,
			    const char *last, struct err *e)
{
	sqlite3_stmt *st = store_stmt(s,
		"INSERT INTO import_checkpoints(account, entity_type, cursor, updated_ms) VALUES (?1, ?2, ?3, ?4) "
		"ON CONFLICT(account, entity_type) DO UPDATE SET cursor = excluded.cursor, updated_ms = excluded.updated_ms", e);
	if (!st)
		return -1;
	char *cursor = xasprintf("%zu %s", done, last);
	sqlite3_bind_text(st, 1, tenant, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, cursor, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, util_now_ms());
	free(cursor);
	return store_step_done(s, st, e);
}

static int audit(const struct import_options *o, const char *action, const char *subject,
		 cJSON *detail, struct err *e)
{
	struct audit_entry en = {.action = action, .role = "operator", .account = o->tenant,
				 .subject = subject, .detail = detail, .plan_hash = o->plan_hash};
	int rc = audit_append(o->store, &en, NULL, e);
	cJSON_Delete(detail);
	return rc;
}

static cJSON *counts_json(const struct import_report *r)
{
	cJSON *c = cJSON_CreateObject();
	for (int a = 0; a < IMPORT_ACTION_COUNT; a++) {
		size_t n = 0;
		for (int t = 0; t < ENTITY_TYPE_COUNT; t++)
			n += r->count[t][a];
		cJSON_AddNumberToObject(c, action_names[a], (double)n);
	}
	return c;
}

int source_import_record(struct store *s, const char *account, const struct import_report *r,
			 int dry_run, int64_t run_ms, struct err *e)
{
	int own = !store_in_tx(s);
	if (own && store_begin(s, e) < 0)
		return -1;
	/* The newest run replaces the last: the rows say what that run judged. */
	sqlite3_stmt *st = store_stmt(s, "DELETE FROM import_items WHERE account = ?1", e);
	int rc = st ? 0 : -1;
	if (rc == 0) {
		sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
		rc = store_step_done(s, st, e);
	}
	if (rc == 0 && !(st = store_stmt(s,
		"INSERT INTO import_items(account, entity_type, source_id, name, verdict, reason, changes, "
		"dry_run, run_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", e)))
		rc = -1;
	for (size_t i = 0; i < r->n && rc == 0; i++) {
		const struct import_item *it = &r->items[i];
		char *reason = source_import_item_reason(it);
		cJSON *ch = source_import_item_changes(it);
		char *changes = ch ? cJSON_PrintUnformatted(ch) : NULL;
		cJSON_Delete(ch);
		sqlite3_bind_text(st, 1, account, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 2, entity_type_name(it->type), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, it->id, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 4, it->name, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 5, action_names[it->action], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, reason, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 7, changes, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 8, dry_run != 0);
		sqlite3_bind_int64(st, 9, run_ms);
		rc = store_step_done(s, st, e);
		free(reason);
		free(changes);
	}
	if (own) {
		if (rc == 0)
			rc = store_commit(s, e);
		if (rc < 0)
			store_rollback(s);
	}
	return rc < 0 ? err_wrap(e, "recording the import verdicts of %s", account) : 0;
}

int source_import_preview(const struct import_options *o, const struct import_report *r,
			  struct err *e)
{
	if (!o->store)
		return err_set(e, "recording a preview needs the program's database");
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "target", o->target_url);
	cJSON_AddBoolToObject(d, "dry_run", 1);
	cJSON_AddItemToObject(d, "plan", counts_json(r));
	if (store_begin(o->store, e) < 0) {
		cJSON_Delete(d);
		return -1;
	}
	if (audit(o, "import.preview", NULL, d, e) < 0 ||
	    source_import_record(o->store, o->tenant, r, 1, util_now_ms(), e) < 0 ||
	    store_commit(o->store, e) < 0) {
		store_rollback(o->store);
		return -1;
	}
	return 0;
}

static int create_tenant(const struct import_options *o, struct err *e)
{
	cJSON *b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "id", o->tenant);
	cJSON_AddStringToObject(b, "name", o->tenant_name ? o->tenant_name : o->tenant);
	struct call c = {.method = "POST", .url = xasprintf("%s/v1/tenants", o->target_url),
			 .body = cJSON_PrintUnformatted(b)};
	cJSON_Delete(b);
	char *parts = xasprintf("import/%s/tenant", o->tenant);
	http_idempotency_key(parts, c.key);
	free(parts);
	int rc = send_all(o, &c, 1, e);
	if (rc == 0 && c.status != 201 && c.status != 409) {
		describe_failure(&c, o->target_url, e);
		rc = -1;
	}
	call_clear(&c);
	return rc;
}

/* One batch: the requests at once, then its audit record and checkpoint in
 * one transaction, so the log never claims what the target did not take. */
static int apply_batch(const struct import_options *o, struct import_report *r, size_t *idx,
		       size_t nidx, enum entity_type ty, size_t done_after, struct err *e)
{
	struct call *calls = xcalloc(nidx ? nidx : 1, sizeof(*calls));
	const char *plural = entity_type_plural(ty);
	size_t nc = 0;
	struct canon_hasher *h = canon_hasher_new();
	for (size_t i = 0; i < nidx; i++) {
		struct import_item *it = &r->items[idx[i]];
		if (it->action != IMPORT_CREATE && it->action != IMPORT_UPDATE)
			continue;
		struct call *c = &calls[nc++];
		cJSON *doc = source_import_document(it->entity);
		unsigned char hash[CANON_HASH_LEN];
		char hex[2 * CANON_HASH_LEN + 1];
		struct err he = {{0}};
		if (canon_hasher_hash(h, doc, hash, &he) < 0)
			memset(hash, 0, sizeof(hash));
		util_hex(hash, 8, hex);
		/* The key names the entity and its content: a crash between the
		 * request and the checkpoint replays the same answer on resume. */
		char *parts = xasprintf("import/%s/%s/%s/%s", o->tenant, plural, it->id, hex);
		http_idempotency_key(parts, c->key);
		free(parts);
		c->body = cJSON_PrintUnformatted(doc);
		cJSON_Delete(doc);
		if (it->action == IMPORT_CREATE) {
			c->method = "POST";
			c->url = xasprintf("%s/v1/tenants/%s/%s", o->target_url, o->tenant, plural);
		} else {
			c->method = "PUT";
			c->url = xasprintf("%s/v1/tenants/%s/%s/%s", o->target_url, o->tenant, plural, it->id);
		}
	}
	canon_hasher_free(h);
	int rc = nc ? send_all(o, calls, nc, e) : 0;
	cJSON *created = cJSON_CreateArray(), *updated = cJSON_CreateArray();
	for (size_t i = 0; i < nc && rc == 0; i++) {
		if (calls[i].status < 200 || calls[i].status >= 300) {
			describe_failure(&calls[i], o->target_url, e);
			rc = -1;
		}
	}
	for (size_t i = 0; i < nidx && rc == 0; i++) {
		const struct import_item *it = &r->items[idx[i]];
		if (it->action == IMPORT_CREATE || it->action == IMPORT_UPDATE)
			cJSON_AddItemToArray(it->action == IMPORT_CREATE ? created : updated,
					     cJSON_CreateString(it->id));
	}
	for (size_t i = 0; i < nc; i++)
		call_clear(&calls[i]);
	free(calls);
	if (rc < 0 || nidx == 0 || nc == 0) {
		cJSON_Delete(created);
		cJSON_Delete(updated);
		return rc;
	}
	r->applied += nc;
	cJSON *d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "entity", plural);
	cJSON_AddItemToObject(d, "created", created);
	cJSON_AddItemToObject(d, "updated", updated);
	cJSON_AddNumberToObject(d, "through", (double)done_after);
	if (store_begin(o->store, e) < 0) {
		cJSON_Delete(d);
		return -1;
	}
	if (audit(o, "import.batch", plural, d, e) < 0 ||
	    checkpoint_write(o->store, o->tenant, plural, done_after, r->items[idx[nidx - 1]].id, e) < 0 ||
	    store_commit(o->store, e) < 0) {
		store_rollback(o->store);
		return -1;
	}
	return 0;
}

static int apply_type(const struct import_options *o, struct import_report *r, enum entity_type ty,
		      struct err *e)
{
	const char *plural = entity_type_plural(ty);
	size_t batch = o->batch ? o->batch : BATCH_DEFAULT;
	size_t *idx = NULL, n = 0, cap = 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->items[i].type == ty && r->items[i].action != IMPORT_REFUSED)
			VEC_PUSH(idx, n, cap, i);
	long done = 0;
	char *last = NULL;
	if (checkpoint_read(o->store, o->tenant, plural, &done, &last, e) < 0) {
		free(idx);
		return -1;
	}
	/* A checkpoint counts only if the source still has the same order. */
	size_t from = 0;
	if (done > 0 && (size_t)done <= n && util_streq(r->items[idx[done - 1]].id, last)) {
		from = (size_t)done;
		r->resumed += from;
		if (o->verbose)
			fprintf(stderr, "resuming %s after %zu (checkpoint at %s)\n", plural, from, last);
	}
	free(last);
	int rc = 0;
	for (size_t i = from; i < n && rc == 0; i += batch) {
		size_t k = n - i < batch ? n - i : batch;
		rc = apply_batch(o, r, idx + i, k, ty, i + k, e);
	}
	free(idx);
	return rc;
}

int source_import_apply(const struct import_options *o, struct import_report *r, struct err *e)
{
	if (!o->store)
		return err_set(e, "applying an import needs the program's database");
	cJSON *start = cJSON_CreateObject();
	cJSON_AddStringToObject(start, "target", o->target_url);
	cJSON_AddItemToObject(start, "plan", counts_json(r));
	/* The verdicts are recorded with the record that starts the run. */
	if (store_begin(o->store, e) < 0) {
		cJSON_Delete(start);
		return -1;
	}
	if (audit(o, "import.start", NULL, start, e) < 0 ||
	    source_import_record(o->store, o->tenant, r, 0, util_now_ms(), e) < 0 ||
	    store_commit(o->store, e) < 0) {
		store_rollback(o->store);
		return -1;
	}
	if (r->tenant_missing && create_tenant(o, e) < 0)
		return err_wrap(e, "creating tenant %s", o->tenant);
	for (size_t k = 0; k < ARRAY_SIZE(apply_order); k++)
		if (apply_type(o, r, apply_order[k], e) < 0) {
			/* Said in the log too: the checkpoints tell where a re-run resumes. */
			cJSON *f = cJSON_CreateObject();
			cJSON_AddStringToObject(f, "error", e->msg);
			cJSON_AddNumberToObject(f, "requests", (double)r->applied);
			struct err ignored = {{0}};
			audit(o, "import.failed", entity_type_plural(apply_order[k]), f, &ignored);
			return -1;
		}
	sqlite3_stmt *st = store_stmt(o->store, "DELETE FROM import_checkpoints WHERE account = ?1", e);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, o->tenant, -1, SQLITE_TRANSIENT);
	if (store_step_done(o->store, st, e) < 0)
		return -1;
	cJSON *done = cJSON_CreateObject();
	cJSON_AddNumberToObject(done, "requests", (double)r->applied);
	cJSON_AddNumberToObject(done, "resumed", (double)r->resumed);
	cJSON_AddItemToObject(done, "plan", counts_json(r));
	return audit(o, "import.done", NULL, done, e);
}

/* ---- reading the verdicts back ------------------------------------------------------ */

void source_import_verdicts_free(struct import_verdicts *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free(v->v[i].entity_type);
		free(v->v[i].source_id);
		free(v->v[i].name);
		free(v->v[i].reason);
		cJSON_Delete(v->v[i].changes);
	}
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static enum import_action action_parse(const char *s)
{
	for (int a = 0; a < IMPORT_ACTION_COUNT; a++)
		if (s && !strcmp(s, action_names[a]))
			return (enum import_action)a;
	return IMPORT_REFUSED; /* the table's CHECK admits no other word */
}

int source_import_verdict_counts(struct store *s, const char *account,
				 struct import_verdicts *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *q = store_stmt(s,
		"SELECT verdict, count(*), max(dry_run), max(run_ms), count(reason) FROM import_items "
		"WHERE account = ?1 GROUP BY verdict", e);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, account, -1, SQLITE_TRANSIENT);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		out->count[action_parse((const char *)sqlite3_column_text(q, 0))] +=
			(size_t)sqlite3_column_int64(q, 1);
		out->dry_run |= sqlite3_column_int(q, 2);
		if (sqlite3_column_int64(q, 3) > out->run_ms)
			out->run_ms = sqlite3_column_int64(q, 3);
		out->with_reason += (size_t)sqlite3_column_int64(q, 4);
		out->total += (size_t)sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	return step == SQLITE_DONE ? 0 : store_error(s, e, "reading the import verdicts");
}

int source_import_verdicts(struct store *s, const char *account, int reasons_only, size_t limit,
			   struct import_verdicts *out, struct err *e)
{
	if (source_import_verdict_counts(s, account, out, e) < 0)
		return -1;
	if (!out->total)
		return 0;
	sqlite3_stmt *q = store_stmt(s,
		"SELECT verdict, entity_type, source_id, name, reason, changes FROM import_items "
		"WHERE account = ?1 AND (?2 = 0 OR reason IS NOT NULL) "
		"ORDER BY verdict <> 'refused', id LIMIT ?3", e);
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, account, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(q, 2, reasons_only != 0);
	sqlite3_bind_int64(q, 3, limit ? (sqlite3_int64)limit : -1);
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		struct import_verdict it = {
			.action = action_parse((const char *)sqlite3_column_text(q, 0)),
			.entity_type = store_col_dup(q, 1),
			.source_id = store_col_dup(q, 2),
			.name = store_col_dup(q, 3),
			.reason = store_col_dup(q, 4),
		};
		const char *ch = (const char *)sqlite3_column_text(q, 5);
		it.changes = ch ? cJSON_Parse(ch) : NULL;
		if (it.changes && !cJSON_IsArray(it.changes)) {
			cJSON_Delete(it.changes);
			it.changes = NULL;
		}
		VEC_PUSH(out->v, out->n, out->cap, it);
	}
	sqlite3_reset(q);
	if (step != SQLITE_DONE) {
		source_import_verdicts_free(out);
		return store_error(s, e, "reading the import verdicts");
	}
	return 1;
}
