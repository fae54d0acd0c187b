/* targetapi — what parity, drift and reports read from the target platform
 * (docs/target-api.md): a tenant's entities page by page, and the "Parity
 * buckets" routes as a bucket.h side, so a comparison can move checksums
 * instead of entities. Synchronous: headless commands have nothing else to do. */
#ifndef WARROOM_TARGETAPI_H
#define WARROOM_TARGETAPI_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "warroom/bucket.h"
#include "warroom/entity.h"
#include "warroom/util.h"

struct program; /* plan.h */
struct account;
struct store; /* store.h */

struct targetapi {
	struct http *http;
	char *base;           /* base URL without a trailing '/' */
	size_t requests;      /* answered requests */
	uint64_t bytes;       /* response bytes received */
	int64_t timeout_ms;   /* per attempt, and no retry starts past it; 0: the client's own */
	char *auth;           /* "Authorization: ..." sent with every request; NULL: none (owned) */
	long status;          /* the last request's HTTP status; 0 when no answer came */
};
/* 0, or -1 with a message when the URL is not http(s) or curl cannot start. */
int targetapi_open(struct targetapi *t, const char *base_url, struct err *e);
/* Every request from now on carries `Authorization: Bearer token` (NULL: none). */
void targetapi_set_token(struct targetapi *t, const char *token);
/* Opens the account's target: its rendered target.base_url and, when the
 * account names a target token (token_env or token_file), that token; a
 * token named but not there is an error saying which. */
int targetapi_open_account(struct targetapi *t, const struct account *a, struct err *e);
void targetapi_close(struct targetapi *t);

/* GET base + path (path starts with '/'); a 2xx body as JSON. Otherwise
 * NULL with "GET PATH: STATUS: the API's message". Caller frees. Either
 * way t->status is the answer's status, so callers tell a 404 from an
 * outage without reading the message. */
cJSON *targetapi_get_json(struct targetapi *t, const char *path, struct err *e);

/* Which entities: the tenant's on the target (/v1/tenants/ID/ENTITY), or
 * the reference dataset the simulator serves for the same account
 * (/v1/tenants/ID/parity/source/ENTITY). */
enum targetapi_side { TARGETAPI_TARGET, TARGETAPI_REFERENCE };
const char *targetapi_side_name(enum targetapi_side s); /* "target", "source" */

/* Every entity type of a tenant, all pages, into out (provenance: system
 * "target" or "reference", the page URL, now). On failure out keeps what
 * it had before and e names the request. */
int targetapi_fetch_all(struct targetapi *t, const char *tenant, enum targetapi_side side,
			struct entity_set *out, struct err *e);

/* One type's entities, all pages, into out (as targetapi_fetch_all). */
int targetapi_fetch_type(struct targetapi *t, const char *tenant, enum targetapi_side side,
			 enum entity_type type, struct entity_set *out, struct err *e);
/* One entity by id (/v1/tenants/ID/ENTITY/EID, or .../parity/source/ENTITY/EID)
 * into out; -1 naming the request when it cannot be read (404 included). */
int targetapi_fetch_one(struct targetapi *t, const char *tenant, enum targetapi_side side,
			enum entity_type type, const char *id, struct entity_set *out, struct err *e);
/* The requests the paged read of `count` entities of one type takes. */
size_t targetapi_list_requests(uint64_t count);

/* The target keeps canonical entities (entity.h) with bookkeeping of its
 * own: a "type" tag and an "origin" on every record, and an integration's
 * canonical "type" under "integration_type". This turns the entities of a
 * target read back into the canonical shape, in place, so they compare with
 * what an importer read from the source. */
void targetapi_to_canonical(struct entity_set *s);
/* The same for one record of type `type`, in place: what the bucket routes'
 * canonical=1 hashes (docs/target-api.md), so a target's checksums compare
 * with those of an importer's read. */
void targetapi_doc_to_canonical(enum entity_type type, cJSON *doc);
/* The two halves of that, for writers: the target's name for a canonical
 * field (the field itself when it keeps its name), and the removal of the
 * target's bookkeeping keys from one stored record. */
const char *targetapi_field_name(enum entity_type type, const char *canonical);
void targetapi_strip_bookkeeping(cJSON *doc);

/* One side of bucket_compare over the parity routes. The struct must
 * outlive the side; the strings are borrowed. */
struct targetapi_buckets {
	struct targetapi *api;
	const char *tenant;
	enum entity_type type;
	enum targetapi_side side;
	/* the ignore rules this side's checksums are taken after, as
	 * parity_rules_encode wrote them (NULL or "": none) */
	const char *rules;
	/* ask for the checksums of each record in the canonical shape
	 * (targetapi_doc_to_canonical) instead of as stored: canonical=1 */
	int canonical;
	/* why an answer was refused, NULL while none was: it did not echo the
	 * rules asked for, or did not say it hashed the canonical form asked for */
	const char *refused;
	/* sample > 0: the level-0 request also asks which of this side's ids
	 * the full mode would sample (parity_sample_cut), under seed */
	size_t sample;
	uint64_t seed;
	uint64_t sample_cut; /* the answer */
	size_t sample_count;
};
void targetapi_bucket_side(struct targetapi_buckets *b, struct bucket_side *s);

/* ---- what the headless parity commands share ---------------------------------------- */

/* The accounts a command works on: the one named (account), a wave's, or
 * all of the program's. *out is allocated (caller frees the array only).
 * -1 with a message naming the unknown account or wave. */
int targetapi_accounts(const struct program *p, const char *account, const char *wave,
		       const struct account ***out, size_t *n, struct err *e);
/* The account's target base URL, templates rendered. Caller frees. */
char *targetapi_account_url(const struct account *a, struct err *e);

/* Reads the account's source whole through its importer (source.h): the
 * base URL rendered, the token from source.token_env / token_file (else the
 * system's usual variable). On failure out is empty and e names the request. */
struct source_result;
int targetapi_read_source(const struct account *a, struct source_result *out, struct err *e);

/* A parity command's setting: the program (its problems printed only when
 * it does not load; warnings are `validate`'s), the accounts chosen and the
 * store. writable: STORE_READWRITE, else read-only. */
struct targetapi_cmd {
	struct program *program;
	const struct account **accounts;
	size_t n_accounts;
	char *db_path;
	struct store *store;
};
/* 0, or -1 with a message (the program's problems already printed). */
int targetapi_cmd_open(struct targetapi_cmd *c, const char *program, const char *db,
		       const char *account, const char *wave, int writable, struct err *e);
void targetapi_cmd_close(struct targetapi_cmd *c);

#endif
