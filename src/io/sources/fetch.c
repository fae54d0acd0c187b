/* fetch — reads a source over HTTP through http.h (one client per read, so
 * connections are kept alive): the source's auth and Accept headers, 429 and
 * 5xx retried with backoff and Retry-After, and the walk over endpoints and
 * pages that hands over a source whole or nothing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "warroom/http.h"
#include "warroom/source.h"
#include "warroom/source_map.h"

#define FETCH_MAX_BODY (64u << 20) /* a page larger than this is refused, not buffered */

struct conn {
	struct http *http;
	int own_http; /* made for this read, freed with it */
	char *auth, *accept;
	int64_t next_ms; /* monotonic: when pacing lets the next request go */
};

/* One GET's outcome, filled by the callbacks. */
struct answer {
	struct source_fetch *f;
	const char *what;
	long status;
	char *body;
	size_t len;
	int attempts;
	char error[256];
};

static struct conn *conn_open(const struct source_conn *c, const struct source_driver *d,
			      struct err *e)
{
	struct conn *k = xcalloc(1, sizeof(*k));
	k->own_http = !c->http;
	k->http = c->http ? c->http : http_new(e);
	if (!k->http) {
		free(k);
		return NULL;
	}
	k->auth = xasprintf("Authorization: %s%s", d->auth_prefix, c->token ? c->token : "");
	k->accept = xasprintf("Accept: %s", d->accept);
	return k;
}

static void conn_close(struct conn *k)
{
	if (!k)
		return;
	if (k->own_http)
		http_free(k->http);
	free(k->auth);
	free(k->accept);
	free(k);
}

static void on_attempt(void *ctx, const struct http_request *rq, const struct http_result *res)
{
	(void)rq;
	struct answer *a = ctx;
	a->f->res->requests++;
	if (res->retry_in_ms >= 0)
		a->f->res->retries++;
	if (a->f->conn->verbose)
		fprintf(stderr, "%s -> %ld%s%s\n", a->what, res->status, res->error[0] ? " " : "",
			res->error);
}

static void on_done(void *ctx, const struct http_result *res)
{
	struct answer *a = ctx;
	a->status = res->status;
	a->attempts = res->attempt;
	a->len = res->len;
	a->body = xmalloc(res->len + 1);
	memcpy(a->body, res->body ? res->body : "", res->len);
	a->body[res->len] = 0;
	snprintf(a->error, sizeof(a->error), "%s", res->error);
}

/* The source's own words for a refused request, when the body has them. */
static void error_words(const struct source_driver *d, const char *body, size_t len,
			struct strbuf *out)
{
	cJSON *root = len ? cJSON_ParseWithLength(body, len) : NULL;
	if (root)
		d->error_text(root, out);
	cJSON_Delete(root);
}

int source_fetch_get(struct source_fetch *f, const char *path, const char *query, char **body,
		     size_t *len, struct err *e)
{
	struct conn *k = f->http;
	const struct source_conn *c = f->conn;
	char *url = xasprintf("%s%s%s%s", c->base_url, path, query && query[0] ? "?" : "",
			      query ? query : "");
	char *what = xasprintf("GET %s%s%s", path, query && query[0] ? "?" : "", query ? query : "");
	const char *headers[] = {k->auth, k->accept, "User-Agent: warroom-import"};
	struct http_request rq = {
		.method = "GET",
		.url = url,
		.headers = headers,
		.n_headers = ARRAY_SIZE(headers),
		.idempotent = 1,
		.retries = c->max_retries > 0 ? c->max_retries : 5,
		.timeout_ms = c->timeout_ms > 0 ? c->timeout_ms : 60000,
		.max_response = FETCH_MAX_BODY,
	};
	/* Pacing keeps a long read under the key's rate limit instead of
	 * learning it from 429s. */
	if (c->max_per_min > 0) {
		int64_t now = util_mono_ms();
		if (k->next_ms > now) {
			int64_t ms = k->next_ms - now;
			struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
			while (nanosleep(&ts, &ts) != 0)
				;
			now = k->next_ms;
		}
		k->next_ms = now + 60000 / c->max_per_min;
	}
	struct answer a = {.f = f, .what = what};
	int rc = http_submit(k->http, &rq, on_attempt, on_done, &a, e) < 0 ? -1 : http_drain(k->http, e);
	f->status = rc == 0 ? a.status : 0;
	if (rc == 0 && a.status >= 200 && a.status < 300) {
		*body = a.body;
		*len = a.len;
		a.body = NULL;
	} else if (rc == 0) {
		struct strbuf words = {0};
		error_words(f->drv, a.body, a.len, &words);
		if (a.status == 0)
			err_set(e, "%s: %s", what, a.error[0] ? a.error : "no answer");
		else
			err_set(e, "%s: HTTP %ld%s%s%s", what, a.status, words.len ? " (" : "",
				sb_str(&words), words.len ? ")" : "");
		if (a.attempts > 1)
			err_wrap(e, "gave up after %d attempts", a.attempts);
		sb_release(&words);
		rc = -1;
	}
	free(a.body);
	free(url);
	free(what);
	return rc;
}

cJSON *source_fetch_json(struct source_fetch *f, const char *path, const char *query,
			 struct err *e)
{
	char *body = NULL;
	size_t len = 0;
	if (source_fetch_get(f, path, query, &body, &len, e) < 0)
		return NULL;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (!root)
		err_set(e, "GET %s%s%s: malformed JSON at byte %zu", path, query && query[0] ? "?" : "",
			query ? query : "", end && end >= body ? (size_t)(end - body) : 0);
	free(body);
	return root;
}

int source_walk_pages_into(struct source_fetch *f, size_t ep, const char *extra,
			   struct source_sink *sink, struct err *e)
{
	const struct source_endpoint_info *info = &f->drv->eps[ep];
	struct source_cursor cur = {0};
	struct strbuf q = {0};
	int rc = 0;
	while (!cur.done) {
		sb_reset(&q);
		if (info->query[0])
			sb_addf(&q, "%s&", info->query);
		if (extra && extra[0])
			sb_addf(&q, "%s&", extra);
		f->drv->page_query(f->conn, info, &cur, &q);
		char *body = NULL;
		size_t len = 0;
		if (source_fetch_get(f, info->path, q.buf, &body, &len, e) < 0) {
			rc = -1;
			break;
		}
		sink->fetched_at_ms = util_now_ms();
		long before_offset = cur.offset, before_page = cur.page;
		rc = source_parse_page(f->conn->system, ep, body, len, sink, &cur, e);
		free(body);
		if (rc < 0) {
			err_wrap(e, "GET %s?%s", info->path, q.buf);
			break;
		}
		/* A page that does not move the cursor would loop for ever. */
		if (!cur.done && cur.offset == before_offset && cur.page == before_page &&
		    !cur.after) {
			rc = err_set(e, "GET %s?%s: the page does not say where the next one is",
				     info->path, q.buf);
			break;
		}
	}
	source_cursor_reset(&cur);
	sb_release(&q);
	return rc;
}

int source_walk_pages(struct source_fetch *f, size_t ep, const char *extra, struct err *e)
{
	struct entity_set set = {0};
	struct verdict_list v = {0};
	struct source_sink stage = f->sink;
	stage.set = &set;
	stage.verdicts = &v;
	int rc = source_walk_pages_into(f, ep, extra, &stage, e);
	if (rc == 0)
		source_stage_merge(&f->sink, &set, &v);
	entity_set_free(&set);
	verdict_list_free(&v);
	return rc;
}

int source_fetch_all(const struct source_conn *c, struct source_result *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	const struct source_driver *d = source_driver(c->system);
	if (!d)
		return err_set(e, "unknown source system");
	if (!c->base_url || !c->base_url[0])
		return err_set(e, "%s: no base URL", source_system_name(c->system));
	int64_t t0 = util_mono_ms();
	struct source_fetch f = {
		.conn = c,
		.drv = d,
		.sink = {.set = &out->set,
			 .verdicts = &out->verdicts,
			 .system = c->system,
			 .base_url = c->base_url},
		.res = out,
	};
	f.http = conn_open(c, d, e);
	if (!f.http)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < d->n_eps && rc == 0; i++)
		rc = d->walk ? d->walk(&f, i, e) : source_walk_pages(&f, i, NULL, e);
	conn_close(f.http);
	if (rc < 0) {
		size_t requests = out->requests, retries = out->retries;
		source_result_free(out);
		out->requests = requests;
		out->retries = retries;
		return err_wrap(e, "%s at %s", source_system_name(c->system), c->base_url);
	}
	for (size_t i = 0; i < out->verdicts.n; i++)
		out->count[out->verdicts.items[i].type]++;
	out->elapsed_ms = util_mono_ms() - t0;
	return 0;
}

/* An id as one URL path segment: anything but unreserved bytes escaped. */
static char *path_segment(const char *id)
{
	struct strbuf sb = {0};
	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			sb_addf(&sb, "%c", *p);
		else
			sb_addf(&sb, "%%%02X", *p);
	}
	return sb_detach(&sb);
}

int source_fetch_item(struct source_fetch *f, enum entity_type t, const char *id, struct err *e)
{
	const struct source_item_endpoint *ep = &f->drv->items[t];
	const char *sys = source_system_name(f->conn->system);
	if (!ep->path)
		return err_set(e, "%s has no endpoint that reads one %s", sys, entity_type_name(t));
	char *seg = path_segment(id);
	char *path = xasprintf("%s%s", ep->path, seg);
	char *body = NULL;
	size_t len = 0;
	int rc = source_fetch_get(f, path, ep->query, &body, &len, e);
	if (rc < 0 && f->status == 404) {
		err_set(e, "%s has no %s '%s' (GET %s%s%s%s: 404)", sys, entity_type_name(t), id,
			f->conn->base_url, path, ep->query[0] ? "?" : "", ep->query);
	} else if (rc == 0) {
		f->sink.fetched_at_ms = util_now_ms();
		rc = source_parse_one(f->conn->system, t, body, len, &f->sink, e);
		if (rc < 0)
			err_wrap(e, "GET %s%s%s", path, ep->query[0] ? "?" : "", ep->query);
	}
	free(body);
	free(path);
	free(seg);
	return rc;
}

/* Moves the one entity asked for out of what the read mapped (a service
 * read brings its integrations too). */
static int take_one(struct source_result *res, enum source_system s, enum entity_type t,
		    const char *id, struct entity_set *out, struct err *e)
{
	for (size_t i = 0; i < res->set.n; i++) {
		struct entity *en = res->set.items[i];
		if (en->type == t && !strcmp(en->id, id)) {
			res->set.items[i] = res->set.items[--res->set.n];
			entity_set_add(out, en);
			return 0;
		}
	}
	for (size_t i = 0; i < res->verdicts.n; i++) {
		const struct entity_verdict *v = &res->verdicts.items[i];
		if (v->type == t && !strcmp(v->id, id) && v->kind == VERDICT_SKIP)
			return err_set(e, "%s %s '%s' will not import: %s", source_system_name(s),
				       entity_type_name(t), id, v->reason ? v->reason : "not importable");
	}
	return err_set(e, "%s has no %s '%s'", source_system_name(s), entity_type_name(t), id);
}

int source_fetch_one(const struct source_conn *c, enum entity_type type, const char *id,
		     struct entity_set *out, struct err *e)
{
	const struct source_driver *d = source_driver(c->system);
	if (!d)
		return err_set(e, "unknown source system");
	if ((unsigned)type >= ENTITY_TYPE_COUNT)
		return err_set(e, "unknown entity type");
	if (!c->base_url || !c->base_url[0])
		return err_set(e, "%s: no base URL", source_system_name(c->system));
	if (!id || !id[0])
		return err_set(e, "no %s id given", entity_type_name(type));
	struct source_result res = {0};
	struct source_fetch f = {
		.conn = c,
		.drv = d,
		.sink = {.set = &res.set,
			 .verdicts = &res.verdicts,
			 .system = c->system,
			 .base_url = c->base_url},
		.res = &res,
	};
	f.http = conn_open(c, d, e);
	if (!f.http)
		return -1;
	int rc = d->fetch_one ? d->fetch_one(&f, type, id, e) : source_fetch_item(&f, type, id, e);
	int not_found = rc < 0 && f.status == 404;
	conn_close(f.http);
	if (rc == 0)
		rc = take_one(&res, c->system, type, id, out, e);
	else if (!not_found)
		err_wrap(e, "%s at %s", source_system_name(c->system), c->base_url);
	source_result_free(&res);
	return rc;
}

char *source_token(const char *env_name, const char *file, struct err *e)
{
	char *tok = NULL;
	if (env_name) {
		const char *v = getenv(env_name);
		if (!v || !v[0]) {
			err_set(e, "environment variable %s is not set", env_name);
			return NULL;
		}
		tok = xstrdup(v);
	} else if (file) {
		/* a secret others can read is already leaked: refuse it */
		struct stat sb;
		if (stat(file, &sb) < 0)
			return err_set(e, "token file %s: %s", file, strerror(errno)), NULL;
		if (sb.st_mode & 077)
			return err_set(e, "token file %s has mode %04o: it must be readable by its owner "
					  "only (chmod 600 %s)", file, (unsigned)(sb.st_mode & 0777), file),
			       NULL;
		size_t len;
		tok = util_read_file(file, 64 * 1024, &len, e);
		if (!tok)
			return NULL;
	} else {
		err_set(e, "no token: give a token environment variable or file");
		return NULL;
	}
	size_t n = strlen(tok);
	while (n && (tok[n - 1] == '\n' || tok[n - 1] == '\r' || tok[n - 1] == ' '))
		tok[--n] = 0;
	if (!n) {
		free(tok);
		err_set(e, "the token is empty");
		return NULL;
	}
	return tok;
}
