/* fetch — reads a source over HTTP: one keep-alive libcurl handle, the
 * source's auth and Accept headers, 429 and 5xx retried with backoff
 * (Retry-After honoured, capped), and the walk over endpoints and pages that
 * hands over a source whole or nothing. */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "warroom/source.h"
#include "warroom/source_map.h"

#define FETCH_MAX_BODY (64u << 20) /* a page larger than this is refused, not buffered */

struct http {
	CURL *curl;
	struct curl_slist *headers;
	struct strbuf body;
	int64_t retry_after_ms; /* from the last answer; -1 when absent */
	int too_big;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct http *h = ud;
	size_t len = size * n;
	if (h->body.len + len > FETCH_MAX_BODY) {
		h->too_big = 1;
		return 0;
	}
	sb_add(&h->body, p, len);
	return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
	struct http *h = ud;
	size_t len = size * n;
	static const char name[] = "retry-after:";
	if (len > sizeof(name) - 1 && !strncasecmp(p, name, sizeof(name) - 1)) {
		char buf[64];
		size_t vl = len - (sizeof(name) - 1);
		if (vl >= sizeof(buf))
			vl = sizeof(buf) - 1;
		memcpy(buf, p + sizeof(name) - 1, vl);
		buf[vl] = 0;
		char *end;
		double secs = strtod(buf, &end);
		/* Only the delay-seconds form; an HTTP date falls back to backoff. */
		if (end != buf && secs >= 0 && secs < 86400)
			h->retry_after_ms = (int64_t)(secs * 1000);
	}
	return len;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0)
		;
}

static struct http *http_open(const struct source_conn *c, const struct source_driver *d,
			      struct err *e)
{
	static int inited;
	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			err_set(e, "cannot initialise libcurl");
			return NULL;
		}
		inited = 1;
	}
	struct http *h = xcalloc(1, sizeof(*h));
	h->curl = curl_easy_init();
	if (!h->curl) {
		free(h);
		err_set(e, "cannot create an HTTP handle");
		return NULL;
	}
	char *auth = xasprintf("Authorization: %s%s", d->auth_prefix, c->token ? c->token : "");
	char *accept = xasprintf("Accept: %s", d->accept);
	h->headers = curl_slist_append(h->headers, auth);
	h->headers = curl_slist_append(h->headers, accept);
	h->headers = curl_slist_append(h->headers, "User-Agent: warroom-import");
	free(auth);
	free(accept);
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(h->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h->curl, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h->curl, CURLOPT_HEADERDATA, h);
	curl_easy_setopt(h->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, 60000L);
	curl_easy_setopt(h->curl, CURLOPT_ACCEPT_ENCODING, "");
	return h;
}

static void http_close(struct http *h)
{
	if (!h)
		return;
	curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	sb_release(&h->body);
	free(h);
}

static void describe(struct strbuf *sb, const char *path, const char *query)
{
	sb_addf(sb, "GET %s", path);
	if (query && query[0])
		sb_addf(sb, "?%s", query);
}

/* The source's own words for a refused request, when the body has them. */
static void error_words(const struct source_driver *d, const struct strbuf *body,
			struct strbuf *out)
{
	cJSON *root = body->len ? cJSON_ParseWithLength(body->buf, body->len) : NULL;
	if (root)
		d->error_text(root, out);
	cJSON_Delete(root);
}

int source_fetch_get(struct source_fetch *f, const char *path, const char *query, char **body,
		     size_t *len, struct err *e)
{
	struct http *h = f->http;
	const struct source_conn *c = f->conn;
	int max_retries = c->max_retries > 0 ? c->max_retries : 5;
	int64_t cap = c->retry_cap_ms > 0 ? c->retry_cap_ms : 30000;
	char *url = xasprintf("%s%s%s%s", c->base_url, path, query && query[0] ? "?" : "",
			      query ? query : "");
	struct strbuf what = {0};
	describe(&what, path, query);
	int64_t backoff = 200;
	int rc = -1;
	for (int attempt = 0;; attempt++) {
		sb_reset(&h->body);
		h->retry_after_ms = -1;
		h->too_big = 0;
		curl_easy_setopt(h->curl, CURLOPT_URL, url);
		CURLcode cc = curl_easy_perform(h->curl);
		f->res->requests++;
		long status = 0;
		curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
		if (c->verbose)
			fprintf(stderr, "%s -> %ld\n", sb_str(&what), status);
		if (h->too_big) {
			err_set(e, "%s: answer larger than %u MiB", sb_str(&what), FETCH_MAX_BODY >> 20);
			break;
		}
		int transient = cc != CURLE_OK || status == 429 || status >= 500;
		if (!transient && status >= 200 && status < 300) {
			*len = h->body.len;
			*body = sb_detach(&h->body);
			rc = 0;
			break;
		}
		if (!transient || attempt >= max_retries) {
			struct strbuf words = {0};
			if (cc != CURLE_OK)
				sb_adds(&words, curl_easy_strerror(cc));
			else
				error_words(f->drv, &h->body, &words);
			if (cc != CURLE_OK)
				err_set(e, "%s: %s%s", sb_str(&what), sb_str(&words),
					attempt ? " (after retries)" : "");
			else
				err_set(e, "%s: HTTP %ld%s%s%s", sb_str(&what), status,
					words.len ? " (" : "", sb_str(&words), words.len ? ")" : "");
			if (transient && attempt)
				err_wrap(e, "gave up after %d attempts", attempt + 1);
			sb_release(&words);
			break;
		}
		int64_t wait = h->retry_after_ms >= 0 ? h->retry_after_ms
						      : backoff + (int64_t)(rand() % 100);
		if (wait > cap)
			wait = cap;
		backoff = backoff * 2 > cap ? cap : backoff * 2;
		f->res->retries++;
		sleep_ms(wait);
	}
	free(url);
	sb_release(&what);
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
	f.http = http_open(c, d, e);
	if (!f.http)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < d->n_eps && rc == 0; i++)
		rc = d->walk ? d->walk(&f, i, e) : source_walk_pages(&f, i, NULL, e);
	http_close(f.http);
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
