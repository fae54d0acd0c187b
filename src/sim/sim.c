/* sim — the simulator's HTTP server: libmicrohttpd with a thread per
 * connection (so a request held by a latency or timeout fault stalls no
 * other), routing over a table of route tables, and around every handler the
 * parts all APIs share: faults, Idempotency-Key replay and the request log. */
#include "warroom/sim.h"
#include "warroom/source_sim.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#define BODY_MAX (4u << 20)      /* request bodies above this get 413 */
#define LOG_CAP 100000           /* requests kept for /_sim/requests */
#define IDEMPOTENCY_CAP 20000    /* remembered Idempotency-Key answers */
#define TIMEOUT_HOLD_MS 60000    /* how long a timeout fault holds a request */

extern const struct sim_route_table sim_log_routes;
extern const struct sim_route_table sim_parity_routes; /* sim_parity.c */

/* The table of tables: the first route matching method and path wins, so
 * specific paths come before `{name}` catch-alls. Metrics precede the
 * target API because /v1/tenants/{id}/metrics would otherwise read as an
 * entity type. Add a source API here with one row. */
static const struct sim_route_table *const route_tables[] = {
	&sim_log_routes,
	&sim_faults_routes,
	&sim_metrics_routes,
	&sim_parity_routes, /* before the target's {entity}/{eid} catch-all */
	&sim_target_routes,
	&sim_pagerduty_routes, /* the source APIs: /pagerduty, /rootly, /incidentio */
	&sim_rootly_routes,
	&sim_incidentio_routes,
};
#define NTABLES ARRAY_SIZE(route_tables)

struct idem_entry {
	char *key; /* "METHOD path key" */
	uint64_t hash; /* of key: most mismatches end on it */
	int status;
	char *content_type;
	char *body;
};

struct sim {
	struct sim_options opts;
	struct simdata *data;
	struct MHD_Daemon *daemon;
	int port;
	pthread_mutex_t lock;
	atomic_int stopping;
	void *states[NTABLES];
	/* the request log: a ring, seq numbers grow forever */
	char **log;
	size_t log_head, log_len;
	uint64_t log_seq;
	/* Idempotency-Key answers: a ring */
	struct idem_entry *idem;
	size_t idem_next;
};

/* Per-connection request state, from the first call of the access handler
 * to the completion callback. */
struct conn {
	struct strbuf body;
	int too_large;
	int64_t start_us;
	struct MHD_Connection *mhd;
	char **form; /* decoded key, value, key, value... of a form body */
	size_t nform, form_cap;
};

/* ---- small helpers ---------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes application/x-www-form-urlencoded text of length n. */
static char *form_decode(const char *s, size_t n)
{
	struct strbuf sb = {0};
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			sb_addc(&sb, ' ');
		} else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			sb_addc(&sb, (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2])));
			i += 2;
		} else {
			sb_addc(&sb, s[i]);
		}
	}
	return sb_detach(&sb);
}

static void form_parse(struct conn *c)
{
	const char *p = c->body.buf ? c->body.buf : "";
	while (*p) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		size_t klen = eq ? (size_t)(eq - p) : len;
		char *k = form_decode(p, klen);
		char *v = eq ? form_decode(eq + 1, len - klen - 1) : xstrdup("");
		VEC_PUSH(c->form, c->nform, c->form_cap, k);
		VEC_PUSH(c->form, c->nform, c->form_cap, v);
		p += len + (amp != NULL);
	}
}

static void conn_free(struct conn *c)
{
	sb_release(&c->body);
	for (size_t i = 0; i < c->nform; i++)
		free(c->form[i]);
	free(c->form);
	free(c);
}

/* ---- public helpers for handlers ----------------------------------------------------- */

const struct simdata *sim_data(const struct sim *sim)
{
	return sim->data;
}

const struct sim_options *sim_options(const struct sim *sim)
{
	return &sim->opts;
}

int sim_port(const struct sim *sim)
{
	return sim->port;
}

void *sim_state(struct sim *sim, const struct sim_route_table *table)
{
	for (size_t i = 0; i < NTABLES; i++)
		if (route_tables[i] == table)
			return sim->states[i];
	return NULL;
}

const char *sim_param(const struct sim_call *call, const char *name)
{
	struct conn *c = call->conn;
	const char *v = MHD_lookup_connection_value(c->mhd, MHD_GET_ARGUMENT_KIND, name);
	if (v)
		return v;
	for (size_t i = 0; i + 1 < c->nform; i += 2)
		if (strcmp(c->form[i], name) == 0)
			return c->form[i + 1];
	return NULL;
}

long sim_param_int(struct sim_call *call, const char *name, long def, long max)
{
	const char *s = sim_param(call, name);
	if (!s)
		return def;
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < 1 || v > max) {
		sim_reply_error(call, 400, "bad_request", "%s %s: %s must be a whole number from 1 to %ld, not '%s'",
				call->method, call->path, name, max, s);
		return -1;
	}
	return v;
}

const char *sim_header(const struct sim_call *call, const char *name)
{
	struct conn *c = call->conn;
	return MHD_lookup_connection_value(c->mhd, MHD_HEADER_KIND, name);
}

void sim_reply_raw(struct sim_call *call, int status, const char *content_type, const char *body)
{
	call->status = status;
	call->content_type = content_type;
	sb_reset(&call->out);
	sb_adds(&call->out, body);
}

void sim_reply_json(struct sim_call *call, int status, cJSON *body)
{
	char *text = cJSON_PrintUnformatted(body);
	if (!text) {
		fprintf(stderr, "warroom sim: out of memory rendering JSON\n");
		exit(1);
	}
	sim_reply_raw(call, status, "application/json", text);
	free(text);
	cJSON_Delete(body);
}

void sim_reply_error(struct sim_call *call, int status, const char *code, const char *fmt, ...)
{
	struct strbuf msg = {0};
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&msg, fmt, ap);
	va_end(ap);
	cJSON *root = cJSON_CreateObject();
	cJSON *err = cJSON_AddObjectToObject(root, "error");
	cJSON_AddStringToObject(err, "code", code);
	cJSON_AddStringToObject(err, "message", sb_str(&msg));
	sb_release(&msg);
	sim_reply_json(call, status, root);
}

void sim_reply_header(struct sim_call *call, const char *name, const char *value)
{
	free(call->extra_header_name);
	free(call->extra_header_value);
	call->extra_header_name = xstrdup(name);
	call->extra_header_value = xstrdup(value);
}

cJSON *sim_body_object(struct sim_call *call)
{
	if (call->body_len == 0) {
		sim_reply_error(call, 400, "bad_request", "%s %s: the request body is empty; expected a JSON object",
				call->method, call->path);
		return NULL;
	}
	/* the parser would end strings at a NUL byte and quietly keep the rest */
	const char *nul = memchr(call->body, '\0', call->body_len);
	if (nul) {
		sim_reply_error(call, 400, "malformed_json", "%s %s: the body is not valid JSON: a NUL byte at byte %zu",
				call->method, call->path, (size_t)(nul - call->body));
		return NULL;
	}
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithLengthOpts(call->body, call->body_len, &end, 0);
	if (v && end && end < call->body + call->body_len) {
		/* trailing bytes after a complete value, other than whitespace */
		const char *p = end;
		while (p < call->body + call->body_len && strchr(" \t\r\n", *p))
			p++;
		if (p < call->body + call->body_len) {
			cJSON_Delete(v);
			v = NULL;
			end = p;
		}
	}
	if (!v) {
		size_t off = end && end >= call->body ? (size_t)(end - call->body) : 0;
		if (off > call->body_len)
			off = call->body_len;
		unsigned line = 1, col = 1;
		for (size_t i = 0; i < off; i++, col++)
			if (call->body[i] == '\n')
				line++, col = 0;
		sim_reply_error(call, 400, "malformed_json",
				"%s %s: the body is not valid JSON: syntax error at line %u, column %u (byte %zu)",
				call->method, call->path, line, col, off);
		return NULL;
	}
	if (!cJSON_IsObject(v)) {
		cJSON_Delete(v);
		sim_reply_error(call, 400, "bad_request", "%s %s: the body must be a JSON object",
				call->method, call->path);
		return NULL;
	}
	return v;
}

/* ---- routing ------------------------------------------------------------------------ */

/* Matches one pattern segment by segment. Captured segments point into
 * `scratch`, a copy of the path cut at each '/'. */
static int route_match(const char *pattern, const char *path, char *scratch, const char **params)
{
	if (path[0] != '/' || pattern[0] != '/')
		return 0;
	strcpy(scratch, path + 1);
	char *s = scratch;
	const char *p = pattern + 1;
	size_t np = 0;
	for (;;) {
		size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
		int p_last = p[plen] == '\0', s_last = s[slen] == '\0';
		if (plen >= 2 && p[0] == '{' && p[plen - 1] == '}') {
			if (slen == 0 || np >= SIM_PARAMS_MAX)
				return 0;
			params[np++] = s;
		} else if (plen != slen || strncmp(p, s, plen) != 0) {
			return 0;
		}
		if (p_last || s_last)
			return p_last && s_last;
		s[slen] = '\0';
		s += slen + 1;
		p += plen + 1;
	}
}

static const struct sim_route *route_find(const char *method, const char *path, char *scratch,
					  const char **params, size_t *table, int *path_known)
{
	*path_known = 0;
	for (size_t t = 0; t < NTABLES; t++)
		for (size_t r = 0; r < route_tables[t]->count; r++) {
			const struct sim_route *rt = &route_tables[t]->routes[r];
			if (!route_match(rt->pattern, path, scratch, params))
				continue;
			/* HEAD is GET without the body, which the library drops */
			if (strcmp(rt->method, method) == 0 ||
			    (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0)) {
				*table = t;
				return rt;
			}
			*path_known = 1;
		}
	return NULL;
}

/* ---- request log ------------------------------------------------------------------------ */

static const char *const logged_headers[] = {"Authorization", "Content-Type", "Accept",
	"Idempotency-Key", "User-Agent", "From", "X-Request-Id"};

static enum MHD_Result query_add(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	struct strbuf *sb = cls;
	if (sb->len)
		sb_addc(sb, '&');
	sb_adds(sb, key);
	if (value) {
		sb_addc(sb, '=');
		sb_adds(sb, value);
	}
	return MHD_YES;
}

static char *log_entry(struct sim *s, const struct sim_call *call, const char *fault, int64_t dur_us)
{
	struct conn *c = call->conn;
	char when[32];
	util_iso8601(call->now_ms, when, sizeof(when));
	struct strbuf q = {0};
	MHD_get_connection_values(c->mhd, MHD_GET_ARGUMENT_KIND, query_add, &q);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "seq", (double)++s->log_seq);
	cJSON_AddStringToObject(o, "time", when);
	cJSON_AddStringToObject(o, "method", call->method);
	cJSON_AddStringToObject(o, "path", call->path);
	cJSON_AddStringToObject(o, "query", sb_str(&q));
	sb_release(&q);
	cJSON *h = cJSON_AddObjectToObject(o, "headers");
	for (size_t i = 0; i < ARRAY_SIZE(logged_headers); i++) {
		const char *v = sim_header(call, logged_headers[i]);
		if (!v)
			continue;
		if (i == 0) {
			/* keep the scheme ("Bearer", "Token"), never the secret */
			size_t n = strcspn(v, " ");
			char *redacted = xasprintf("%.*s [redacted]", (int)n, v);
			cJSON_AddStringToObject(h, logged_headers[i], redacted);
			free(redacted);
		} else {
			cJSON_AddStringToObject(h, logged_headers[i], v);
		}
	}
	cJSON_AddNumberToObject(o, "status", call->status);
	cJSON_AddNumberToObject(o, "duration_ms", (double)dur_us / 1000.0);
	if (fault)
		cJSON_AddStringToObject(o, "fault", fault);
	else
		cJSON_AddNullToObject(o, "fault");
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text) {
		fprintf(stderr, "warroom sim: out of memory rendering the request log\n");
		exit(1);
	}
	return text;
}

/* Called with the lock held. */
static void log_append(struct sim *s, char *entry)
{
	size_t slot = (s->log_head + s->log_len) % LOG_CAP;
	if (s->log_len == LOG_CAP) {
		free(s->log[s->log_head]);
		s->log_head = (s->log_head + 1) % LOG_CAP;
		slot = (s->log_head + s->log_len - 1) % LOG_CAP;
	} else {
		s->log_len++;
	}
	s->log[slot] = entry;
}

static void log_clear(struct sim *s)
{
	for (size_t i = 0; i < s->log_len; i++)
		free(s->log[(s->log_head + i) % LOG_CAP]);
	s->log_head = s->log_len = 0;
}

static void h_requests_get(struct sim_call *call)
{
	struct sim *s = call->sim;
	const char *since_s = sim_param(call, "since");
	unsigned long long since = 0;
	if (since_s) {
		char *end;
		since = strtoull(since_s, &end, 10);
		if (!*since_s || *end || *since_s == '-') {
			sim_reply_error(call, 400, "bad_request", "since must be a request number, not '%s'", since_s);
			return;
		}
	}
	/* entries are in seq order: the first kept one has seq log_seq - log_len + 1 */
	uint64_t first = s->log_seq - s->log_len + 1;
	size_t skip = since >= first ? (size_t)(since - first + 1) : 0;
	if (skip > s->log_len)
		skip = s->log_len;
	struct strbuf *out = &call->out;
	sb_reset(out);
	sb_adds(out, "{\"requests\":[");
	for (size_t i = skip; i < s->log_len; i++) {
		if (i > skip)
			sb_addc(out, ',');
		sb_adds(out, s->log[(s->log_head + i) % LOG_CAP]);
	}
	sb_addf(out, "],\"last_seq\":%llu}", (unsigned long long)s->log_seq);
	call->status = 200;
	call->content_type = "application/json";
}

static void h_requests_delete(struct sim_call *call)
{
	log_clear(call->sim);
	sim_reply_raw(call, 204, "application/json", "");
}

static const struct sim_route log_routes[] = {
	{"GET", "/_sim/requests", h_requests_get},
	{"DELETE", "/_sim/requests", h_requests_delete},
};
const struct sim_route_table sim_log_routes = {"requests", log_routes, ARRAY_SIZE(log_routes), NULL, NULL};

/* ---- idempotency --------------------------------------------------------------------------- */

static char *idem_key(const struct sim_call *call)
{
	if (strcmp(call->method, "POST") != 0 || util_has_prefix(call->path, "/_sim/"))
		return NULL;
	const char *k = sim_header(call, "Idempotency-Key");
	return k && *k ? xasprintf("%s %s %s", call->method, call->path, k) : NULL;
}

static const struct idem_entry *idem_find(const struct sim *s, const char *key)
{
	uint64_t h = simdata_hash_str(0, key);
	for (size_t i = 0; i < IDEMPOTENCY_CAP; i++) {
		const struct idem_entry *e = &s->idem[(s->idem_next + IDEMPOTENCY_CAP - 1 - i) % IDEMPOTENCY_CAP];
		if (!e->key)
			return NULL;
		if (e->hash == h && strcmp(e->key, key) == 0)
			return e;
	}
	return NULL;
}

static void idem_entry_clear(struct idem_entry *e)
{
	free(e->key);
	free(e->body);
	free(e->content_type);
	memset(e, 0, sizeof(*e));
}

static void idem_store(struct sim *s, char *key, const struct sim_call *call)
{
	struct idem_entry *e = &s->idem[s->idem_next];
	idem_entry_clear(e);
	e->key = key;
	e->hash = simdata_hash_str(0, key);
	e->status = call->status;
	e->content_type = xstrdup(call->content_type ? call->content_type : "application/json");
	e->body = xstrdup(sb_str(&call->out));
	s->idem_next = (s->idem_next + 1) % IDEMPOTENCY_CAP;
}

/* ---- the request pipeline -------------------------------------------------------------------- */

/* Sleeps up to ms, waking early when the simulator stops or (if watch) the
 * client hangs up. Returns 1 when the client left. */
static int hold(struct sim *s, struct conn *c, int64_t ms, int watch)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c->mhd, MHD_CONNECTION_INFO_CONNECTION_FD);
	int64_t end = util_mono_ms() + ms;
	for (;;) {
		int64_t left = end - util_mono_ms();
		if (left <= 0 || atomic_load(&s->stopping))
			return 0;
		int step = left < 50 ? (int)left : 50;
		if (!watch || !ci) {
			poll(NULL, 0, step);
			continue;
		}
		struct pollfd pfd = {.fd = ci->connect_fd, .events = POLLIN | POLLRDHUP};
		int n = poll(&pfd, 1, step);
		if (n > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)))
			return 1;
		if (n > 0 && (pfd.revents & POLLIN)) {
			char b;
			if (recv(ci->connect_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
				return 1;
			poll(NULL, 0, step); /* a pipelined request: keep waiting */
		}
	}
}

static void dispatch(struct sim_call *call)
{
	char *scratch = xmalloc(strlen(call->path) + 1);
	size_t table = 0;
	int path_known;
	const struct sim_route *rt =
		route_find(call->method, call->path, scratch, call->params, &table, &path_known);
	if (rt) {
		call->state = call->sim->states[table];
		rt->handler(call);
		if (!call->status)
			sim_reply_error(call, 500, "internal", "%s %s: the handler gave no answer",
					call->method, call->path);
	} else if (path_known) {
		sim_reply_error(call, 405, "method_not_allowed", "%s is not allowed on %s", call->method,
				call->path);
	} else {
		sim_reply_error(call, 404, "not_found", "no such endpoint: %s %s", call->method, call->path);
	}
	free(scratch);
}

static const struct {
	enum sim_fault_kind kind;
	const char *code, *message;
} fault_answers[] = {
	{SIM_FAULT_OUTAGE, "outage", "the service is down (injected outage window)"},
	{SIM_FAULT_RATE_LIMIT, "rate_limited", "too many requests; retry after the given seconds"},
	{SIM_FAULT_READ_ONLY, "read_only", "the service is in read-only mode; writes are refused"},
	{SIM_FAULT_ERROR, "unavailable", "injected server error"},
};

/* Runs one complete request; returns 0 when the connection should be
 * dropped without an answer (a timeout fault). */
static int serve(struct sim *s, struct sim_call *call, struct sim_fault_decision *fd)
{
	struct conn *c = call->conn;
	if (!util_has_prefix(call->path, "/_sim/")) {
		pthread_mutex_lock(&s->lock);
		sim_faults_decide(sim_state(s, &sim_faults_routes), call->method, call->path, call->now_ms, fd);
		pthread_mutex_unlock(&s->lock);
	}
	if (fd->latency_ms > 0)
		hold(s, c, fd->latency_ms, 1);
	if (fd->kind == SIM_FAULT_TIMEOUT) {
		hold(s, c, TIMEOUT_HOLD_MS, 1);
		call->status = 0;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fault_answers); i++)
		if (fault_answers[i].kind == fd->kind) {
			sim_reply_error(call, fd->status, fault_answers[i].code, "%s %s: %s", call->method,
					call->path, fault_answers[i].message);
			if (fd->kind == SIM_FAULT_RATE_LIMIT)
				snprintf(call->retry_after, sizeof(call->retry_after), "%d", fd->retry_after_s);
			return 1;
		}
	if (c->too_large) {
		sim_reply_error(call, 413, "too_large", "%s %s: the body exceeds %u bytes", call->method,
				call->path, BODY_MAX);
		return 1;
	}
	pthread_mutex_lock(&s->lock);
	char *key = idem_key(call);
	const struct idem_entry *seen = key ? idem_find(s, key) : NULL;
	if (seen) {
		sim_reply_raw(call, seen->status, seen->content_type, seen->body);
		free(key);
	} else {
		dispatch(call);
		if (key && call->status < 500)
			idem_store(s, key, call);
		else
			free(key);
	}
	pthread_mutex_unlock(&s->lock);
	if (fd->kind == SIM_FAULT_MALFORMED) {
		/* a strict prefix of a JSON object is never valid JSON */
		size_t keep = call->out.len / 2;
		call->out.len = keep ? keep : 0;
		call->out.buf[call->out.len] = '\0';
		if (!call->out.len)
			sb_adds(&call->out, "{\"");
	}
	return 1;
}

static enum MHD_Result answer(struct MHD_Connection *mhd, struct sim_call *call)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(call->out.len, call->out.buf,
								 MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (call->out.len || call->content_type)
		MHD_add_response_header(r, "Content-Type",
					call->content_type ? call->content_type : "application/json");
	if (call->retry_after[0])
		MHD_add_response_header(r, "Retry-After", call->retry_after);
	if (call->extra_header_name)
		MHD_add_response_header(r, call->extra_header_name, call->extra_header_value);
	enum MHD_Result ok = MHD_queue_response(mhd, (unsigned)call->status, r);
	MHD_destroy_response(r);
	return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mhd, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	(void)version;
	struct sim *s = cls;
	struct conn *c = *con_cls;
	if (!c) {
		c = xcalloc(1, sizeof(*c));
		c->mhd = mhd;
		c->start_us = util_mono_us();
		*con_cls = c;
		return MHD_YES;
	}
	if (*upload_size) {
		if (c->body.len + *upload_size > BODY_MAX)
			c->too_large = 1;
		else
			sb_add(&c->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	const char *ctype = MHD_lookup_connection_value(mhd, MHD_HEADER_KIND, "Content-Type");
	if (ctype && util_has_prefix(ctype, "application/x-www-form-urlencoded"))
		form_parse(c);
	struct sim_call call = {
		.sim = s,
		.method = method,
		.path = url,
		.body = sb_str(&c->body),
		.body_len = c->body.len,
		.now_ms = util_now_ms(),
		.conn = c,
	};
	struct sim_fault_decision fd = {0};
	int keep = serve(s, &call, &fd);
	enum MHD_Result ok = keep ? answer(mhd, &call) : MHD_NO;
	if (strcmp(url, "/_sim/requests") != 0) {
		const char *fault = fd.kind != SIM_FAULT_NONE ? sim_fault_name(fd.kind)
				    : fd.latency_ms > 0	      ? "latency"
								      : NULL;
		pthread_mutex_lock(&s->lock);
		log_append(s, log_entry(s, &call, fault, util_mono_us() - c->start_us));
		pthread_mutex_unlock(&s->lock);
	}
	sb_release(&call.out);
	free(call.extra_header_name);
	free(call.extra_header_value);
	return ok;
}

static void on_completed(void *cls, struct MHD_Connection *mhd, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)mhd, (void)toe;
	if (*con_cls)
		conn_free(*con_cls);
	*con_cls = NULL;
}

/* libmicrohttpd's own messages, prefixed like ours. A request held by a
 * timeout fault ends on purpose without an answer, which the library calls
 * an internal error: that one is expected and not shown. */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	struct strbuf msg = {0};
	sb_vaddf(&msg, fmt, ap);
	if (!strstr(sb_str(&msg), "Application reported internal error"))
		fprintf(stderr, "warroom sim: %s%s", sb_str(&msg),
			msg.len && msg.buf[msg.len - 1] == '\n' ? "" : "\n");
	sb_release(&msg);
}

/* ---- start and stop ------------------------------------------------------------------------------ */

struct sim *sim_start(const struct sim_options *options, struct err *e)
{
	struct simdata_config dc = {options->seed, options->accounts, options->entities};
	struct simdata *data = simdata_new(&dc, e);
	if (!data)
		return NULL;
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)options->port)};
	if (inet_pton(AF_INET, options->host, &addr.sin_addr) != 1) {
		simdata_free(data);
		err_set(e, "'%s' is not an IPv4 address to listen on", options->host);
		return NULL;
	}
	struct sim *s = xcalloc(1, sizeof(*s));
	s->opts = *options;
	s->opts.host = NULL; /* not owned; the address is all we keep */
	s->data = data;
	pthread_mutex_init(&s->lock, NULL);
	s->log = xcalloc(LOG_CAP, sizeof(*s->log));
	s->idem = xcalloc(IDEMPOTENCY_CAP, sizeof(*s->idem));
	for (size_t i = 0; i < NTABLES; i++)
		if (route_tables[i]->state_new)
			s->states[i] = route_tables[i]->state_new(s);
	s->daemon = MHD_start_daemon(
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
			MHD_USE_ITC | MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, /* first, to see all */
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_CONNECTION_LIMIT, 2048u,
		MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_END);
	if (!s->daemon) {
		err_set(e, "cannot listen on %s:%d (in use, or not an address of this machine)",
			options->host, options->port);
		sim_stop(s);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : options->port;
	return s;
}

void sim_stop(struct sim *sim)
{
	if (!sim)
		return;
	atomic_store(&sim->stopping, 1);
	if (sim->daemon)
		MHD_stop_daemon(sim->daemon);
	for (size_t i = 0; i < NTABLES; i++)
		if (route_tables[i]->state_free)
			route_tables[i]->state_free(sim->states[i]);
	log_clear(sim);
	free(sim->log);
	for (size_t i = 0; i < IDEMPOTENCY_CAP; i++)
		idem_entry_clear(&sim->idem[i]);
	free(sim->idem);
	simdata_free(sim->data);
	pthread_mutex_destroy(&sim->lock);
	free(sim);
}
