/* http — asynchronous HTTP over libcurl's multi interface: many requests in
 * flight on one event loop, each with a timeout, retries with exponential
 * backoff and jitter (idempotent requests on network errors, 5xx and 429;
 * any request on 429 and 503, honouring Retry-After), an Idempotency-Key on
 * writes, TLS verification always on, and a cap on response size. Each
 * attempt is reported (for the audit log) and the final answer is handed to
 * a completion callback. */
#ifndef WARROOM_HTTP_H
#define WARROOM_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <poll.h>

#include "warroom/util.h"

#define HTTP_DEFAULT_MAX_RESPONSE (8u * 1024 * 1024)
#define HTTP_MAX_HEADERS 64

struct http_request {
	const char *method;               /* GET PUT POST PATCH DELETE */
	const char *url;
	const char *const *headers;       /* "Name: value" lines */
	size_t n_headers;
	const char *body;                 /* NULL: none */
	int idempotent;                   /* retried on network errors and 5xx too */
	int retries;                      /* further attempts after the first */
	int64_t timeout_ms;               /* per attempt; 0: 30 s */
	int64_t deadline_ms;              /* all attempts (monotonic ms); 0: none */
	const char *idempotency_key;      /* sent as Idempotency-Key on non-GET */
	size_t max_response;              /* 0: HTTP_DEFAULT_MAX_RESPONSE */
};

/* One attempt, as reported to the attempt callback and the final result. */
struct http_result {
	long status;          /* 0 when no answer came */
	char *body;           /* NUL-terminated; owned by the client, valid in the callback */
	size_t len;
	int64_t duration_ms;  /* of this attempt (final: of all attempts) */
	int attempt;          /* 1-based */
	int64_t retry_in_ms;  /* attempt callback: the wait before the next one, -1 if none */
	char error[256];      /* "" when an answer came; else what went wrong */
};

typedef void (*http_attempt_fn)(void *ctx, const struct http_request *rq,
				const struct http_result *res);
typedef void (*http_done_fn)(void *ctx, const struct http_result *res);

struct http;
struct http *http_new(struct err *e);
void http_free(struct http *h); /* cancels what is in flight, without callbacks */

/* Queues a request. The request's strings are copied. attempt may be NULL.
 * Returns an id (> 0) or -1 with e. */
int64_t http_submit(struct http *h, const struct http_request *rq, http_attempt_fn attempt,
		    http_done_fn done, void *ctx, struct err *e);
/* Cancels one request without calling its callbacks. */
void http_cancel(struct http *h, int64_t id);
size_t http_pending(const struct http *h);

/* Waits up to timeout_ms for network activity or one of extra's fds (their
 * revents are filled), then does the work that is due and calls callbacks.
 * Returns the number of extra fds that are ready, -1 with e on failure. */
int http_poll(struct http *h, struct pollfd *extra, size_t n_extra, int timeout_ms,
	      struct err *e);
/* Runs until every request finished (for commands with nothing else to do). */
int http_drain(struct http *h, struct err *e);
/* Safe from another thread while one drains: the drain (this one and every
 * later one) gives up at once with "interrupted", so a worker's blocking
 * read ends when nobody wants its answer. The transfers end in http_free. */
void http_interrupt(struct http *h);

/* The wait before attempt n+1 (n >= 1): 250 ms * 2^(n-1), capped at 30 s,
 * with full jitter (a random value in [half, all] of it); a Retry-After
 * (retry_after_ms >= 0) wins when longer, capped at 120 s. */
int64_t http_backoff_ms(int n, int64_t retry_after_ms, unsigned *seed);
/* A Retry-After value: delta-seconds or an HTTP-date. -1 when unreadable. */
int64_t http_retry_after_ms(const char *value, int64_t now_ms);
/* A deterministic Idempotency-Key from its parts ("acct/step/attempt/2"). */
void http_idempotency_key(const char *parts, char out[65]);

#endif
