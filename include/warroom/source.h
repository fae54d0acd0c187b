/* source — the migration sources (PagerDuty REST v2, Rootly, incident.io):
 * each read whole, page by page, through its own auth header, pagination and
 * rate limits, and mapped into the canonical model of entity.h. A read either
 * yields every entity type complete or fails naming the endpoint and page;
 * nothing half-read is ever handed on. docs/mapping.md is the field contract. */
#ifndef WARROOM_SOURCE_H
#define WARROOM_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "warroom/entity.h"
#include "warroom/util.h"

enum source_system { SOURCE_PAGERDUTY, SOURCE_ROOTLY, SOURCE_INCIDENTIO, SOURCE_SYSTEM_COUNT };

/* "pagerduty" | "rootly" | "incidentio" (command lines, simulator paths). */
const char *source_system_name(enum source_system s);
/* "pagerduty" | "rootly" | "incident_io" (entity provenance, accounts.yaml). */
const char *source_system_provenance(enum source_system s);
/* What goes before the token in the system's Authorization header
 * ("Token token=" for PagerDuty, "Bearer " for the others). */
const char *source_auth_prefix(enum source_system s);
/* Accepts either spelling above; -1 with a message listing them otherwise. */
int source_system_parse(const char *s, enum source_system *out, struct err *e);

/* Where one page's mapped items go. */
struct source_sink {
	struct entity_set *set;
	struct verdict_list *verdicts;
	enum source_system system;
	const char *base_url;  /* provenance URL = base_url + item path; may be NULL */
	int64_t fetched_at_ms;
};

/* Pagination state of one endpoint walk; a zeroed struct is the first page. */
struct source_cursor {
	long offset;  /* PagerDuty: offset of the next page */
	long page;    /* Rootly: page[number] of the next page (0 = first) */
	char *after;  /* incident.io: pagination_meta.after; owned */
	long total;   /* PagerDuty with total=true, else -1 once a page was read */
	size_t items; /* items the last page held */
	int done;     /* no page after this one */
};
void source_cursor_reset(struct source_cursor *c);

/* Parses one list page of `endpoint` (an index into source_endpoints) and
 * maps its items into sink, advancing the cursor. Bad JSON, a missing
 * wrapper key or an item without an id is an error (-1) that leaves the sink
 * as it was. The parsers are pure: tests and fuzzers call them directly. */
int source_parse_page(enum source_system s, size_t endpoint, const char *body, size_t len,
		      struct source_sink *sink, struct source_cursor *c, struct err *e);

/* Parses one single-item answer ({"service": {...}}, JSON:API's {"data":
 * {...}}, incident.io's {"catalog_entry": ..., "catalog_type": ...}) of
 * entity type t with the list reads' mapper, into sink. Bad JSON or a
 * missing wrapper is an error that leaves the sink as it was. Pure. */
int source_parse_one(enum source_system s, enum entity_type t, const char *body, size_t len,
		     struct source_sink *sink, struct err *e);

/* One list endpoint of a source: which entity types it yields and where. */
struct source_endpoint_info {
	const char *path;    /* "/services", "/v1/services", "/v3/catalog_entries" */
	const char *query;   /* fixed query, e.g. "include[]=integrations"; may be "" */
	const char *wrapper; /* JSON key that holds the list ("data" for Rootly) */
	enum entity_type type;
	int page_max; /* the API's largest page size; 0 = the list is not paginated */
};
/* The endpoint table of a source, in the order they are read. */
const struct source_endpoint_info *source_endpoints(enum source_system s, size_t *n);

struct http;

/* How to reach a source. */
struct source_conn {
	enum source_system system;
	const char *base_url; /* http://host:port/pagerduty, https://api.pagerduty.com */
	const char *token;
	int max_retries;      /* per request, on 429 and 5xx (http.h's backoff and
			       * Retry-After); default 5 when 0 */
	int page_size;        /* default 100 (every source's maximum is at least that) */
	int64_t window_ms;    /* PagerDuty incident window to start with; default 30 days */
	int max_per_min;      /* pace requests to stay under this rate (PagerDuty allows
			       * about 960 a minute per key); 0 = no pacing */
	int verbose;          /* one line per request on stderr */
	int64_t timeout_ms;   /* per attempt; default 60 s */
	struct http *http;    /* a client to send through (borrowed: one its owner may
			       * interrupt from another thread); NULL: one per read */
};

/* Everything read from a source. */
struct source_result {
	struct entity_set set;
	struct verdict_list verdicts; /* one per item: import, import_changed or skip */
	size_t count[ENTITY_TYPE_COUNT];
	size_t requests, retries, windows;
	int64_t elapsed_ms;
};
void source_result_free(struct source_result *r);

/* An account's source as accounts.yaml gives it (source: system,
 * base_url, token_env or token_file), made into a connection: the base URL
 * rendered (templates resolved, no trailing '/'), the token read from the
 * file, the named variable, or the system's usual one (PAGERDUTY_TOKEN,
 * ROOTLY_TOKEN, INCIDENTIO_TOKEN). conn points into url and token. */
struct account;
struct source_account {
	struct source_conn conn;
	char *url, *token; /* owned */
};
int source_account_open(const struct account *a, struct source_account *out, struct err *e);
void source_account_close(struct source_account *s);
/* The variable a system's token is read from when none is named. */
const char *source_token_env(enum source_system s);

/* Reads every entity type. On failure returns -1, leaves *out empty and says
 * which request failed ("GET /pagerduty/incidents offset=200: ..."). */
int source_fetch_all(const struct source_conn *c, struct source_result *out, struct err *e);

/* One entity by its source id, through the system's single-item endpoint
 * (docs/mapping.md lists them), with the same auth, retries and pacing as
 * source_fetch_all, mapped by the same mapper: the entity added to *out is
 * the one a whole read yields for that id, provenance set. -1 with a
 * message otherwise: "pagerduty has no service 'PXYZ' (GET URL: 404)", the
 * failing request and its status, or why the item will not import. */
int source_fetch_one(const struct source_conn *c, enum entity_type type, const char *id,
		     struct entity_set *out, struct err *e);

/* An RFC 3339 time as ms since the epoch; -1 when it is not one. */
int source_time_ms(const char *s, int64_t *ms);

/* A token (a source's or a target's): from the environment variable
 * `env_name`, else the file, which only its owner may read (mode 0600),
 * else NULL with a message. Trailing newlines are dropped. */
char *source_token(const char *env_name, const char *file, struct err *e);

#endif
