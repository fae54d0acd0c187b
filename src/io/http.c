/* http — libcurl multi transfers with retry timers. A request waiting out its
 * backoff leaves the multi handle and sits on a timer, so nothing sleeps and
 * the console's keyboard shares the same wait. */
#include "warroom/http.h"

#include <curl/curl.h>
#include <openssl/sha.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct xfer {
	int64_t id;
	struct http_request rq;  /* points into the copies below */
	char *method, *url, *body, *key;
	char **headers;
	CURL *easy;
	struct curl_slist *hdrs;
	struct strbuf resp;
	int too_big;
	int attempt;
	int64_t started_us, first_us;
	int64_t due_ms;          /* 0: on the wire; else when to send again (monotonic) */
	int64_t retry_after_ms;  /* from the last answer, -1 when none */
	http_attempt_fn on_attempt;
	http_done_fn on_done;
	void *ctx;
};

struct http {
	CURLM *multi;
	struct xfer **v;
	size_t n, cap;
	int64_t next_id;
	unsigned seed;
	atomic_int interrupted; /* set by http_interrupt, from any thread */
};

static int curl_ready;

struct http *http_new(struct err *e)
{
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			err_set(e, "cannot initialise libcurl");
			return NULL;
		}
		curl_ready = 1;
	}
	struct http *h = xcalloc(1, sizeof(*h));
	h->multi = curl_multi_init();
	if (!h->multi) {
		free(h);
		err_set(e, "cannot create a libcurl multi handle");
		return NULL;
	}
	h->seed = (unsigned)util_mono_us() ^ (unsigned)util_now_ms();
	return h;
}

static void xfer_free(struct http *h, struct xfer *x)
{
	if (x->easy) {
		curl_multi_remove_handle(h->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	curl_slist_free_all(x->hdrs);
	for (size_t i = 0; i < x->rq.n_headers; i++)
		free(x->headers[i]);
	free(x->headers);
	free(x->method);
	free(x->url);
	free(x->body);
	free(x->key);
	sb_release(&x->resp);
	free(x);
}

void http_free(struct http *h)
{
	if (!h)
		return;
	for (size_t i = 0; i < h->n; i++)
		xfer_free(h, h->v[i]);
	free(h->v);
	curl_multi_cleanup(h->multi);
	free(h);
}

size_t http_pending(const struct http *h)
{
	return h->n;
}

static void xfer_remove(struct http *h, struct xfer *x)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i] == x) {
			h->v[i] = h->v[--h->n];
			break;
		}
}

void http_cancel(struct http *h, int64_t id)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i]->id == id) {
			struct xfer *x = h->v[i];
			xfer_remove(h, x);
			xfer_free(h, x);
			return;
		}
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	if (x->resp.len + n > x->rq.max_response) {
		x->too_big = 1;
		return 0; /* aborts the transfer */
	}
	sb_add(&x->resp, p, n);
	return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	static const char name[] = "retry-after:";
	if (n > sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0) {
		char v[128];
		size_t vl = n - (sizeof(name) - 1);
		if (vl >= sizeof(v))
			vl = sizeof(v) - 1;
		memcpy(v, p + sizeof(name) - 1, vl);
		v[vl] = '\0';
		x->retry_after_ms = http_retry_after_ms(v, util_now_ms());
	}
	return n;
}

static int xfer_start(struct http *h, struct xfer *x, struct err *e)
{
	if (x->easy) {
		curl_multi_remove_handle(h->multi, x->easy);
		curl_easy_cleanup(x->easy);
	}
	x->easy = curl_easy_init();
	if (!x->easy)
		return err_set(e, "cannot create a libcurl handle");
	sb_reset(&x->resp);
	x->too_big = 0;
	x->retry_after_ms = -1;
	x->attempt++;
	x->due_ms = 0;
	x->started_us = util_mono_us();
	CURL *c = x->easy;
	curl_easy_setopt(c, CURLOPT_URL, x->url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, x->method);
	if (strcmp(x->method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	if (strcmp(x->method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (x->body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, x->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(x->body));
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)x->rq.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(x->rq.timeout_ms < 10000 ? x->rq.timeout_ms : 10000));
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	/* Verification stays on whatever the environment says. */
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PRIVATE, x);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "warroom/" WARROOM_VERSION);
	if (curl_multi_add_handle(h->multi, c) != CURLM_OK)
		return err_set(e, "%s %s: cannot start the request", x->method, x->url);
	return 0;
}

int64_t http_submit(struct http *h, const struct http_request *rq, http_attempt_fn attempt,
		    http_done_fn done, void *ctx, struct err *e)
{
	if (!rq->method || !rq->url || !*rq->url) {
		err_set(e, "a request needs a method and a URL");
		return -1;
	}
	if (rq->n_headers > HTTP_MAX_HEADERS) {
		err_set(e, "%s %s: more than %d headers", rq->method, rq->url, HTTP_MAX_HEADERS);
		return -1;
	}
	struct xfer *x = xcalloc(1, sizeof(*x));
	x->id = ++h->next_id;
	x->rq = *rq;
	x->method = xstrdup(rq->method);
	x->url = xstrdup(rq->url);
	x->body = rq->body ? xstrdup(rq->body) : NULL;
	x->key = rq->idempotency_key ? xstrdup(rq->idempotency_key) : NULL;
	x->headers = xcalloc(rq->n_headers + 1, sizeof(char *));
	int has_ua_key = 0;
	for (size_t i = 0; i < rq->n_headers; i++) {
		x->headers[i] = xstrdup(rq->headers[i]);
		x->hdrs = curl_slist_append(x->hdrs, x->headers[i]);
		has_ua_key |= strncasecmp(rq->headers[i], "Idempotency-Key:", 16) == 0;
	}
	if (x->key && strcmp(x->method, "GET") != 0 && !has_ua_key) {
		char line[128];
		snprintf(line, sizeof(line), "Idempotency-Key: %s", x->key);
		x->hdrs = curl_slist_append(x->hdrs, line);
	}
	/* libcurl would otherwise wait a second for a 100-continue on big bodies. */
	x->hdrs = curl_slist_append(x->hdrs, "Expect:");
	x->rq.method = x->method;
	x->rq.url = x->url;
	x->rq.body = x->body;
	x->rq.headers = (const char *const *)x->headers;
	x->rq.idempotency_key = x->key;
	if (x->rq.timeout_ms <= 0)
		x->rq.timeout_ms = 30000;
	if (!x->rq.max_response)
		x->rq.max_response = HTTP_DEFAULT_MAX_RESPONSE;
	if (x->rq.retries < 0)
		x->rq.retries = 0;
	x->on_attempt = attempt;
	x->on_done = done;
	x->ctx = ctx;
	x->first_us = util_mono_us();
	if (xfer_start(h, x, e) < 0) {
		xfer_free(h, x);
		return -1;
	}
	VEC_PUSH(h->v, h->n, h->cap, x);
	return x->id;
}

int64_t http_backoff_ms(int n, int64_t retry_after_ms, unsigned *seed)
{
	int64_t base = 250;
	for (int i = 1; i < n && base < 30000; i++)
		base *= 2;
	if (base > 30000)
		base = 30000;
	int64_t wait = base / 2 + (int64_t)(rand_r(seed) % (unsigned)(base / 2 + 1));
	if (retry_after_ms >= 0) {
		int64_t ra = retry_after_ms > 120000 ? 120000 : retry_after_ms;
		if (ra > wait)
			wait = ra;
	}
	return wait;
}

int64_t http_retry_after_ms(const char *value, int64_t now_ms)
{
	while (*value == ' ' || *value == '\t')
		value++;
	char buf[96];
	snprintf(buf, sizeof(buf), "%s", value);
	size_t n = strlen(buf);
	while (n && (buf[n - 1] == '\r' || buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	if (n == 0)
		return -1;
	char *end;
	long secs = strtol(buf, &end, 10);
	if (*end == '\0')
		return secs < 0 ? -1 : (int64_t)secs * 1000;
	struct tm tm = {0};
	const char *rest = strptime(buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!rest || *rest)
		return -1;
	int64_t at = (int64_t)timegm(&tm) * 1000;
	return at > now_ms ? at - now_ms : 0;
}

void http_idempotency_key(const char *parts, char out[65])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)parts, strlen(parts), md);
	util_hex(md, 16, out); /* 32 hex digits: enough to be unique, short in logs */
}

static int should_retry(const struct xfer *x, CURLcode rc, long status)
{
	if (x->attempt > x->rq.retries)
		return 0;
	if (status == 429 || status == 503)
		return 1;
	if (!x->rq.idempotent)
		return 0;
	return (rc != CURLE_OK && !x->too_big) || status >= 500;
}

/* One finished attempt: report it, then either schedule the next or finish.
 * Returns 1 when the request is over (the caller frees it after `done`). */
static int xfer_finished(struct http *h, struct xfer *x, CURLcode rc)
{
	long status = 0;
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	struct http_result res = {0};
	res.status = rc == CURLE_OK ? status : 0;
	res.body = (char *)sb_str(&x->resp);
	res.len = x->resp.len;
	res.attempt = x->attempt;
	res.duration_ms = (util_mono_us() - x->started_us) / 1000;
	res.retry_in_ms = -1;
	if (x->too_big)
		snprintf(res.error, sizeof(res.error), "%s %s: response larger than %zu bytes",
			 x->method, x->url, x->rq.max_response);
	else if (rc != CURLE_OK)
		snprintf(res.error, sizeof(res.error), "%s %s: %s", x->method, x->url,
			 curl_easy_strerror(rc));
	int64_t now = util_mono_ms();
	if (should_retry(x, rc, res.status)) {
		int64_t wait = http_backoff_ms(x->attempt, x->retry_after_ms, &h->seed);
		if (!x->rq.deadline_ms || now + wait < x->rq.deadline_ms)
			res.retry_in_ms = wait;
	}
	if (x->on_attempt)
		x->on_attempt(x->ctx, &x->rq, &res);
	if (res.retry_in_ms >= 0) {
		curl_multi_remove_handle(h->multi, x->easy);
		curl_easy_cleanup(x->easy);
		x->easy = NULL;
		x->due_ms = now + res.retry_in_ms;
		return 0;
	}
	res.duration_ms = (util_mono_us() - x->first_us) / 1000;
	xfer_remove(h, x);
	if (x->on_done)
		x->on_done(x->ctx, &res);
	xfer_free(h, x);
	return 1;
}

static void start_due(struct http *h, int64_t now, int64_t *next_due)
{
	for (size_t i = 0; i < h->n; i++) {
		struct xfer *x = h->v[i];
		if (!x->due_ms)
			continue;
		if (x->due_ms <= now) {
			struct err e;
			if (xfer_start(h, x, &e) < 0) {
				struct http_result res = {0};
				res.body = (char *)"";
				snprintf(res.error, sizeof(res.error), "%.250s", e.msg);
				xfer_remove(h, x);
				if (x->on_done)
					x->on_done(x->ctx, &res);
				xfer_free(h, x);
				i = (size_t)-1; /* the list changed: start over */
				continue;
			}
		} else if (!*next_due || x->due_ms < *next_due) {
			*next_due = x->due_ms;
		}
	}
}

int http_poll(struct http *h, struct pollfd *extra, size_t n_extra, int timeout_ms,
	      struct err *e)
{
	int64_t next_due = 0, now = util_mono_ms();
	start_due(h, now, &next_due);
	if (next_due && next_due - now < timeout_ms)
		timeout_ms = (int)(next_due - now);
	if (timeout_ms < 0)
		timeout_ms = 0;
	struct curl_waitfd wfd[64];
	size_t nw = n_extra < ARRAY_SIZE(wfd) ? n_extra : ARRAY_SIZE(wfd);
	for (size_t i = 0; i < nw; i++) {
		wfd[i].fd = extra[i].fd;
		wfd[i].events = (short)((extra[i].events & POLLIN ? CURL_WAIT_POLLIN : 0) |
					(extra[i].events & POLLOUT ? CURL_WAIT_POLLOUT : 0) |
					(extra[i].events & POLLPRI ? CURL_WAIT_POLLPRI : 0));
		wfd[i].revents = 0;
	}
	int numfds = 0;
	CURLMcode mc = curl_multi_poll(h->multi, nw ? wfd : NULL, (unsigned)nw, timeout_ms, &numfds);
	if (mc != CURLM_OK)
		return err_set(e, "waiting for the network: %s", curl_multi_strerror(mc));
	int ready = 0;
	for (size_t i = 0; i < nw; i++) {
		extra[i].revents = (short)((wfd[i].revents & CURL_WAIT_POLLIN ? POLLIN : 0) |
					   (wfd[i].revents & CURL_WAIT_POLLOUT ? POLLOUT : 0) |
					   (wfd[i].revents & CURL_WAIT_POLLPRI ? POLLPRI : 0));
		ready += extra[i].revents != 0;
	}
	int running = 0;
	mc = curl_multi_perform(h->multi, &running);
	if (mc != CURLM_OK)
		return err_set(e, "HTTP transfers: %s", curl_multi_strerror(mc));
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(h->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct xfer *x = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		if (x)
			xfer_finished(h, x, m->data.result);
	}
	next_due = 0;
	start_due(h, util_mono_ms(), &next_due);
	return ready;
}

int http_drain(struct http *h, struct err *e)
{
	while (h->n) {
		if (atomic_load(&h->interrupted))
			return err_set(e, "interrupted");
		if (http_poll(h, NULL, 0, 200, e) < 0)
			return -1;
	}
	return 0;
}

void http_interrupt(struct http *h)
{
	atomic_store(&h->interrupted, 1);
	curl_multi_wakeup(h->multi); /* libcurl allows this one call from another thread */
}
