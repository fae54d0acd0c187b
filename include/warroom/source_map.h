/* source_map — what the three source drivers share with the fetch loop: the
 * driver interface (endpoints, auth, pagination, error bodies, special walks)
 * and the small mapping helpers every parser uses to build canonical docs.
 * Only src/io/sources/ includes this; everyone else uses source.h. */
#ifndef WARROOM_SOURCE_MAP_H
#define WARROOM_SOURCE_MAP_H

#include "warroom/source.h"

struct source_fetch;

/* One entity's own endpoint: GET path + id ? query. The answer's object
 * under `wrapper` is mapped by the mapper of list endpoint `ep`, so a single
 * read yields what a whole read yields for that id. path NULL: the API has
 * no such endpoint (the driver's fetch_one says what it does instead). */
struct source_item_endpoint {
	const char *path;    /* "/services/": the id follows, escaped */
	const char *query;   /* what the list read asks too, e.g. "include[]=integrations" */
	const char *wrapper; /* "service" | "data" | "catalog_entry" */
	size_t ep;
};

struct source_driver {
	const struct source_endpoint_info *eps;
	size_t n_eps;
	const char *auth_prefix; /* "Token token=" | "Bearer " */
	const char *accept;      /* Accept header value */
	/* Maps one parsed page (root) of endpoint ep into sink; advances c. */
	int (*parse)(size_t ep, const cJSON *root, struct source_sink *sink,
		     struct source_cursor *c, struct err *e);
	/* Appends the pagination parameters of the page c points at. */
	void (*page_query)(const struct source_conn *conn, const struct source_endpoint_info *ep,
			   const struct source_cursor *c, struct strbuf *q);
	/* The message inside an error body, or nothing. */
	void (*error_text)(const cJSON *root, struct strbuf *out);
	/* Endpoints that need more than a page loop; NULL = source_walk_pages. */
	int (*walk)(struct source_fetch *f, size_t ep, struct err *e);
	/* The single-item endpoints, indexed by entity type. */
	const struct source_item_endpoint *items;
	/* Maps one single-item answer (root) of type t into sink. */
	int (*parse_one)(enum entity_type t, const cJSON *root, struct source_sink *sink,
			 struct err *e);
	/* A single read that needs more than one GET; NULL = source_fetch_item. */
	int (*fetch_one)(struct source_fetch *f, enum entity_type t, const char *id,
			 struct err *e);
};
extern const struct source_driver source_driver_pagerduty;
extern const struct source_driver source_driver_rootly;
extern const struct source_driver source_driver_incidentio;
const struct source_driver *source_driver(enum source_system s);

/* The fetch loop's state, handed to special walks. */
struct source_fetch {
	const struct source_conn *conn;
	const struct source_driver *drv;
	struct source_sink sink;
	struct source_result *res;
	void *http; /* the connection (fetch.c) */
	long status; /* of the last answer; 0 when none came */
};
/* GET base_url + path ? query, with auth, retries on 429/5xx and Retry-After.
 * *body is owned by the caller. The message names method, path, query and
 * status. */
int source_fetch_get(struct source_fetch *f, const char *path, const char *query,
		     char **body, size_t *len, struct err *e);
/* GET and parse as JSON; a malformed body names the endpoint and query. */
cJSON *source_fetch_json(struct source_fetch *f, const char *path, const char *query,
			 struct err *e);
/* Every page of endpoint ep with `extra` added to its query, into sink.
 * Items are staged, and only handed to the fetch's sink when the walk is
 * whole. */
int source_walk_pages(struct source_fetch *f, size_t ep, const char *extra, struct err *e);
/* As above into a caller's sink (for windows that may be thrown away). */
int source_walk_pages_into(struct source_fetch *f, size_t ep, const char *extra,
			   struct source_sink *sink, struct err *e);

/* GET of the driver's single-item endpoint of type t for id, mapped into
 * the fetch's sink. A 404 says "pagerduty has no service 'PXYZ' (GET URL:
 * 404)"; any other failure names the endpoint and status. */
int source_fetch_item(struct source_fetch *f, enum entity_type t, const char *id,
		      struct err *e);

/* Moves staged items into a sink (the staging lists are left empty). */
void source_stage_merge(struct source_sink *into, struct entity_set *set,
			struct verdict_list *v);

/* Mapping helpers. */
const char *source_str(const cJSON *obj, const char *key); /* string member or NULL */
/* obj.key as a string id: a string, or an integral number printed. NULL otherwise. */
const char *source_id(const cJSON *obj, const char *key, char *buf, size_t size);
void source_add_str(cJSON *doc, const char *key, const char *val); /* null when NULL */
void source_add_time(cJSON *doc, const char *key, const char *val); /* RFC 3339 or null */
/* Member `key` of obj, ids of its array items (each item's `idkey`). */
cJSON *source_ids_of(const cJSON *arr, const char *idkey);
/* Builds the entity, sets provenance (url = base_url + path), records the
 * verdict. Takes doc. */
int source_emit(struct source_sink *sink, enum entity_type t, cJSON *doc, const char *path,
		enum verdict_kind kind, const char *change, const char *reason,
		struct err *e);
/* Looks a value up in a two-column table of strings; dflt when absent. */
const char *source_lookup(const char *const (*table)[2], size_t n, const char *key,
			  const char *dflt);
/* The wrapper array of a page, or -1 naming it. */
const cJSON *source_wrapper(const cJSON *root, const char *wrapper, struct err *e);
/* The wrapper object of a single-item answer, or NULL naming it. */
const cJSON *source_single(const cJSON *root, const char *wrapper, struct err *e);

#endif
