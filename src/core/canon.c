/* canon — canonical JSON text and SHA-256 content hashes. The writer streams
 * into either a string or the digest through one small buffer, so hashing
 * never builds the text: parity hashes millions of entities and its memory
 * must follow the entity count, not the bytes. */
#include "warroom/canon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

/* A node of the text parser: the common documents are hashed straight
 * from their text without cJSON's allocation per value (see canon_hash_line). */
struct tnode {
	int type;             /* cJSON_* kinds */
	const char *key, *str; /* into the text, or into the hasher's decoded strings */
	size_t klen, slen;
	double num;
	size_t child, next;   /* indexes; 0 = none (node 0 is never a child) */
};

struct canon_hasher {
	EVP_MD_CTX *md;
	EVP_MD *sha256;
	struct tnode *nodes;
	size_t n_nodes, cap_nodes;
	char *strs;           /* decoded strings; as long as the text at most */
	size_t n_strs, cap_strs;
};

/* Output goes either to sb or to the digest, batched through buf. */
struct out {
	struct strbuf *sb;
	EVP_MD_CTX *md;
	unsigned char buf[4096];
	size_t n;
	int failed;
	struct err *e;
};

static void out_flush(struct out *o)
{
	if (!o->n)
		return;
	if (o->sb)
		sb_add(o->sb, (const char *)o->buf, o->n);
	else if (EVP_DigestUpdate(o->md, o->buf, o->n) != 1 && !o->failed)
		o->failed = 1, err_set(o->e, "SHA-256 update failed");
	o->n = 0;
}

static void out_bytes(struct out *o, const void *p, size_t n)
{
	if (n > sizeof(o->buf) - o->n) {
		out_flush(o);
		if (n > sizeof(o->buf)) {
			if (o->sb)
				sb_add(o->sb, p, n);
			else if (EVP_DigestUpdate(o->md, p, n) != 1 && !o->failed)
				o->failed = 1, err_set(o->e, "SHA-256 update failed");
			return;
		}
	}
	memcpy(o->buf + o->n, p, n);
	o->n += n;
}

static void out_c(struct out *o, char c)
{
	if (o->n == sizeof(o->buf))
		out_flush(o);
	o->buf[o->n++] = (unsigned char)c;
}

static void out_fail(struct out *o, const char *msg, const char *key)
{
	if (o->failed)
		return;
	o->failed = 1;
	if (key)
		err_set(o->e, "%s \"%s\"", msg, key);
	else
		err_set(o->e, "%s", msg);
}

/* ---- values -------------------------------------------------------------- */

void canon_number(double d, char *buf, size_t size)
{
	if (!isfinite(d)) {
		snprintf(buf, size, "null");
		return;
	}
	if (d == floor(d) && fabs(d) < 9007199254740992.0 && size >= 20) {
		/* integers are most numbers in entities: no printf for them */
		char tmp[20];
		size_t n = 0;
		uint64_t u = (uint64_t)(d < 0 ? -d : d);
		do {
			tmp[n++] = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		size_t k = 0;
		if (d < 0)
			buf[k++] = '-';
		while (n)
			buf[k++] = tmp[--n];
		buf[k] = '\0';
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static int two(const char *s, int *v)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return dm[m - 1] + (m == 2 && leap);
}

int canon_time(const char *s, char *out, size_t size)
{
	/* YYYY-MM-DDTHH:MM:SS[.f+](Z|+HH:MM|-HH:MM): fixed positions first. */
	size_t len = strlen(s);
	if (len < 20 || len > 64 || s[4] != '-' || s[7] != '-' || s[13] != ':' || s[16] != ':')
		return 0;
	if (s[10] != 'T' && s[10] != 't' && s[10] != ' ')
		return 0;
	int yh, yl, mo, da, hh, mi, ss;
	if (two(s, &yh) || two(s + 2, &yl) || two(s + 5, &mo) || two(s + 8, &da) ||
	    two(s + 11, &hh) || two(s + 14, &mi) || two(s + 17, &ss))
		return 0;
	int64_t year = yh * 100 + yl;
	if (mo < 1 || mo > 12 || da < 1 || da > days_in_month(year, mo) || hh > 23 || mi > 59 ||
	    ss > 60)
		return 0;
	const char *p = s + 19;
	const char *frac = NULL;
	size_t flen = 0;
	if (*p == '.') {
		frac = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		flen = (size_t)(p - frac);
		if (!flen || flen > 18)
			return 0;
	}
	int off_min = 0;
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		off_min = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh, om;
		if (two(p + 1, &oh) || two(p + 4, &om) || oh > 23 || om > 59)
			return 0;
		off_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
	} else {
		return 0;
	}
	while (flen && frac[flen - 1] == '0')
		flen--;
	int64_t secs = days_from_civil(year, mo, da) * 86400 + hh * 3600 + mi * 60 + ss -
		       (int64_t)off_min * 60;
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t rem = secs - days * 86400;
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999 || size < 22 + flen) {
		snprintf(out, size, "%04lld-%02d-%02dT%02d:%02d:%02d%s%.*sZ", (long long)y, m, d,
			 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), flen ? "." : "",
			 (int)flen, frac ? frac : "");
		return 1;
	}
	/* the common case by hand: this runs for every time of every entity */
	const int parts[6] = {(int)(y / 100), (int)(y % 100), m, d, (int)(rem / 3600), (int)(rem / 60 % 60)};
	static const char sep[6] = {0, 0, '-', '-', 'T', ':'};
	char *q = out;
	for (int i = 0; i < 6; i++) {
		if (sep[i])
			*q++ = sep[i];
		*q++ = (char)('0' + parts[i] / 10);
		*q++ = (char)('0' + parts[i] % 10);
	}
	*q++ = ':';
	*q++ = (char)('0' + rem % 60 / 10);
	*q++ = (char)('0' + rem % 10);
	if (flen) {
		*q++ = '.';
		memcpy(q, frac, flen);
		q += flen;
	}
	*q++ = 'Z';
	*q = '\0';
	return 1;
}

static void out_string_n(struct out *o, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	out_c(o, '"');
	const char *run = s, *end = s + len;
	for (const char *p = s; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		out_bytes(o, run, (size_t)(p - run));
		run = p + 1;
		char esc[7] = {'\\', 0};
		size_t n = 2;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		out_bytes(o, esc, n);
	}
	out_bytes(o, run, (size_t)(end - run));
	out_c(o, '"');
}

static void out_string(struct out *o, const char *s)
{
	out_string_n(o, s, strlen(s));
}

static void out_text_value(struct out *o, const char *s)
{
	char t[64];
	out_string(o, canon_time(s, t, sizeof(t)) ? t : s);
}

/* The same for a string that is not NUL-terminated (the text parser's). */
static void out_text_n(struct out *o, const char *s, size_t n)
{
	char buf[72], t[64];
	if (n < 20 || n >= sizeof(buf)) { /* canon_time wants at least 20 bytes */
		out_string_n(o, s, n);
		return;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (canon_time(buf, t, sizeof(t)))
		out_string(o, t);
	else
		out_string_n(o, s, n);
}

static int key_cmp(const void *a, const void *b)
{
	const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
	return strcmp(x->string, y->string);
}

/* The object's members sorted by key into *items (stack space when it fits).
 * Returns the count, or -1 after reporting a duplicate key. */
static long sorted_members(struct out *o, const cJSON *obj, const cJSON **stack, size_t cap,
			   const cJSON ***items)
{
	size_t n = 0;
	for (const cJSON *c = obj->child; c; c = c->next)
		n++;
	const cJSON **v = n <= cap ? stack : xmalloc(n * sizeof(*v));
	n = 0;
	for (const cJSON *c = obj->child; c; c = c->next) {
		if (!c->string) {
			if (v != stack)
				free(v);
			out_fail(o, "object member without a key", NULL);
			return -1;
		}
		v[n++] = c;
	}
	if (n > 16) {
		qsort(v, n, sizeof(*v), key_cmp);
	} else { /* entities have a handful of keys: insertion sort beats qsort's setup */
		for (size_t i = 1; i < n; i++) {
			const cJSON *x = v[i];
			size_t j = i;
			while (j && strcmp(v[j - 1]->string, x->string) > 0) {
				v[j] = v[j - 1];
				j--;
			}
			v[j] = x;
		}
	}
	for (size_t i = 1; i < n; i++) {
		if (!strcmp(v[i - 1]->string, v[i]->string)) {
			out_fail(o, "duplicate key", v[i]->string);
			if (v != stack)
				free(v);
			return -1;
		}
	}
	*items = v;
	return (long)n;
}

static void out_value(struct out *o, const cJSON *v, int depth)
{
	if (o->failed)
		return;
	if (depth > CANON_MAX_DEPTH) {
		out_fail(o, "document nested too deeply", NULL);
		return;
	}
	char num[40];
	switch (v->type & 0xff) {
	case cJSON_NULL:
		out_bytes(o, "null", 4);
		return;
	case cJSON_False:
		out_bytes(o, "false", 5);
		return;
	case cJSON_True:
		out_bytes(o, "true", 4);
		return;
	case cJSON_Number:
		canon_number(v->valuedouble, num, sizeof(num));
		out_bytes(o, num, strlen(num));
		return;
	case cJSON_String:
		out_text_value(o, v->valuestring ? v->valuestring : "");
		return;
	case cJSON_Raw:
		out_fail(o, "raw JSON cannot be canonicalised", NULL);
		return;
	case cJSON_Array:
		out_c(o, '[');
		for (const cJSON *c = v->child; c; c = c->next) {
			if (c != v->child)
				out_c(o, ',');
			out_value(o, c, depth + 1);
		}
		out_c(o, ']');
		return;
	case cJSON_Object: {
		const cJSON *stack[32];
		const cJSON **items = NULL;
		long n = sorted_members(o, v, stack, ARRAY_SIZE(stack), &items);
		if (n < 0)
			return;
		out_c(o, '{');
		for (long i = 0; i < n && !o->failed; i++) {
			if (i)
				out_c(o, ',');
			out_string(o, items[i]->string);
			out_c(o, ':');
			out_value(o, items[i], depth + 1);
		}
		out_c(o, '}');
		if (items != stack)
			free(items);
		return;
	}
	default:
		out_fail(o, "invalid JSON value", NULL);
	}
}

char *canon_json(const cJSON *v, struct err *e)
{
	struct strbuf sb = {0};
	struct out *o = xcalloc(1, sizeof(*o));
	o->sb = &sb;
	o->e = e;
	out_value(o, v, 0);
	out_flush(o);
	int failed = o->failed;
	free(o);
	if (failed) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

/* ---- hashing ------------------------------------------------------------- */

struct canon_hasher *canon_hasher_new(void)
{
	struct canon_hasher *h = xcalloc(1, sizeof(*h));
	h->md = EVP_MD_CTX_new();
	h->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!h->md || !h->sha256) {
		fprintf(stderr, "warroom: OpenSSL has no SHA-256\n");
		abort();
	}
	return h;
}

void canon_hasher_free(struct canon_hasher *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->md);
	EVP_MD_free(h->sha256);
	free(h->nodes);
	free(h->strs);
	free(h);
}

int canon_hasher_hash(struct canon_hasher *h, const cJSON *v, unsigned char out[CANON_HASH_LEN],
		      struct err *e)
{
	if (EVP_DigestInit_ex2(h->md, h->sha256, NULL) != 1)
		return err_set(e, "SHA-256 init failed");
	struct out o;
	o.sb = NULL;
	o.md = h->md;
	o.n = 0;
	o.failed = 0;
	o.e = e;
	out_value(&o, v, 0);
	out_flush(&o);
	if (o.failed)
		return -1;
	unsigned int len = 0;
	if (EVP_DigestFinal_ex(h->md, out, &len) != 1 || len != CANON_HASH_LEN)
		return err_set(e, "SHA-256 final failed");
	return 0;
}

int canon_hash(const cJSON *v, unsigned char out[CANON_HASH_LEN], struct err *e)
{
	struct canon_hasher *h = canon_hasher_new();
	int rc = canon_hasher_hash(h, v, out, e);
	canon_hasher_free(h);
	return rc;
}

int canon_hash_text(struct canon_hasher *h, const char *text, size_t len,
		    unsigned char out[CANON_HASH_LEN], struct err *e)
{
	return canon_hash_line(h, text, len, NULL, 0, out, e);
}

/* ---- the text fast path ------------------------------------------------------
 * Handles plain documents: no \\u escapes, no duplicate keys, strict JSON
 * numbers, nothing after the value but whitespace. Anything else returns
 * "not handled" and goes the cJSON way, which also words the errors, so
 * both ways give the same hash for every document the fast one takes. */

struct tparse {
	struct canon_hasher *h;
	const char *p, *end;
};

static void t_ws(struct tparse *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t' || *t->p == '\n' || *t->p == '\r'))
		t->p++;
}

/* A string at t->p (after the quote): its bytes, decoded when escaped. */
static int t_string(struct tparse *t, const char **out, size_t *len)
{
	const char *start = t->p;
	while (t->p < t->end && *t->p != '"' && *t->p != '\\')
		t->p++;
	if (t->p < t->end && *t->p == '"') {
		*out = start;
		*len = (size_t)(t->p++ - start);
		return 0;
	}
	char *d = t->h->strs + t->h->n_strs, *q = d;
	memcpy(q, start, (size_t)(t->p - start));
	q += t->p - start;
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	while (t->p < t->end && *t->p != '"') {
		if (*t->p != '\\') {
			*q++ = *t->p++;
			continue;
		}
		if (++t->p >= t->end)
			return -1;
		const char *f = strchr(from, *t->p);
		if (!f || !*t->p)
			return -1; /* \u and anything odd: the cJSON way */
		*q++ = to[f - from];
		t->p++;
	}
	if (t->p >= t->end)
		return -1;
	t->p++;
	*out = d;
	*len = (size_t)(q - d);
	t->h->n_strs += *len;
	return 0;
}

/* Strict JSON number grammar; what cJSON would read more loosely it decides. */
static int t_number(struct tparse *t, double *v)
{
	const char *s = t->p, *p = s;
	if (p < t->end && *p == '-')
		p++;
	if (p >= t->end || *p < '0' || *p > '9')
		return -1;
	if (*p == '0')
		p++;
	else
		while (p < t->end && *p >= '0' && *p <= '9')
			p++;
	if (p < t->end && *p == '.') {
		if (++p >= t->end || *p < '0' || *p > '9')
			return -1;
		while (p < t->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < t->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < t->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= t->end || *p < '0' || *p > '9')
			return -1;
		while (p < t->end && *p >= '0' && *p <= '9')
			p++;
	}
	char buf[64];
	if ((size_t)(p - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(p - s));
	buf[p - s] = '\0';
	*v = strtod(buf, NULL);
	t->p = p;
	return 0;
}

static size_t t_node(struct tparse *t)
{
	struct canon_hasher *h = t->h;
	memset(&h->nodes[h->n_nodes], 0, sizeof(h->nodes[0]));
	return h->n_nodes++;
}

static long t_value(struct tparse *t, int depth)
{
	t_ws(t);
	if (t->p >= t->end || depth > CANON_MAX_DEPTH)
		return -1;
	size_t i = t_node(t);
	struct tnode *nodes = t->h->nodes;
	char c = *t->p;
	static const struct {
		const char *word;
		size_t len;
		int type;
	} words[] = {{"null", 4, cJSON_NULL}, {"true", 4, cJSON_True}, {"false", 5, cJSON_False}};
	for (size_t w = 0; w < ARRAY_SIZE(words); w++)
		if (c == words[w].word[0]) {
			if ((size_t)(t->end - t->p) < words[w].len || memcmp(t->p, words[w].word, words[w].len))
				return -1;
			t->p += words[w].len;
			nodes[i].type = words[w].type;
			return (long)i;
		}
	if (c == '"') {
		t->p++;
		nodes[i].type = cJSON_String;
		return t_string(t, &nodes[i].str, &nodes[i].slen) ? -1 : (long)i;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		nodes[i].type = cJSON_Number;
		return t_number(t, &nodes[i].num) ? -1 : (long)i;
	}
	if (c != '[' && c != '{')
		return -1;
	int obj = c == '{';
	nodes[i].type = obj ? cJSON_Object : cJSON_Array;
	t->p++;
	t_ws(t);
	if (t->p < t->end && *t->p == (obj ? '}' : ']')) {
		t->p++;
		return (long)i;
	}
	size_t last = 0;
	for (;;) {
		const char *key = NULL;
		size_t klen = 0;
		if (obj) {
			t_ws(t);
			if (t->p >= t->end || *t->p != '"')
				return -1;
			t->p++;
			if (t_string(t, &key, &klen))
				return -1;
			t_ws(t);
			if (t->p >= t->end || *t->p != ':')
				return -1;
			t->p++;
		}
		long ch = t_value(t, depth + 1);
		if (ch < 0)
			return -1;
		t->h->nodes[ch].key = key;
		t->h->nodes[ch].klen = klen;
		if (last)
			t->h->nodes[last].next = (size_t)ch;
		else
			t->h->nodes[i].child = (size_t)ch;
		last = (size_t)ch;
		t_ws(t);
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			continue;
		}
		if (t->p < t->end && *t->p == (obj ? '}' : ']')) {
			t->p++;
			return (long)i;
		}
		return -1;
	}
}

/* Byte order of keys, as strcmp orders the NUL-free keys the cJSON way sees. */
static int tkey_cmp(const struct tnode *a, const struct tnode *b)
{
	size_t n = a->klen < b->klen ? a->klen : b->klen;
	int c = memcmp(a->key, b->key, n);
	return c ? c : (a->klen > b->klen) - (a->klen < b->klen);
}

/* Writes node i canonically; -1 when it needs the cJSON way (duplicate
 * keys, a NUL in a key). */
static int t_out(struct out *o, const struct tnode *nodes, size_t i)
{
	const struct tnode *v = &nodes[i];
	char num[40];
	switch (v->type) {
	case cJSON_NULL: out_bytes(o, "null", 4); return 0;
	case cJSON_False: out_bytes(o, "false", 5); return 0;
	case cJSON_True: out_bytes(o, "true", 4); return 0;
	case cJSON_Number:
		canon_number(v->num, num, sizeof(num));
		out_bytes(o, num, strlen(num));
		return 0;
	case cJSON_String:
		if (memchr(v->str, '\0', v->slen))
			return -1;
		out_text_n(o, v->str, v->slen);
		return 0;
	case cJSON_Array:
		out_c(o, '[');
		for (size_t c = v->child; c; c = nodes[c].next) {
			if (c != v->child)
				out_c(o, ',');
			if (t_out(o, nodes, c))
				return -1;
		}
		out_c(o, ']');
		return 0;
	default:
		break;
	}
	const struct tnode *stack[64], **m = stack;
	size_t n = 0;
	for (size_t c = v->child; c; c = nodes[c].next)
		n++;
	if (n > ARRAY_SIZE(stack))
		return -1; /* wide objects are rare: the cJSON way sorts them */
	n = 0;
	for (size_t c = v->child; c; c = nodes[c].next) {
		const struct tnode *x = &nodes[c];
		if (memchr(x->key, '\0', x->klen))
			return -1;
		size_t j = n++;
		while (j && tkey_cmp(m[j - 1], x) > 0) {
			m[j] = m[j - 1];
			j--;
		}
		m[j] = x;
	}
	for (size_t j = 1; j < n; j++)
		if (!tkey_cmp(m[j - 1], m[j]))
			return -1;
	out_c(o, '{');
	for (size_t j = 0; j < n; j++) {
		if (j)
			out_c(o, ',');
		out_string_n(o, m[j]->key, m[j]->klen);
		out_c(o, ':');
		if (t_out(o, nodes, (size_t)(m[j] - nodes)))
			return -1;
	}
	out_c(o, '}');
	return 0;
}

/* 1 when the fast way hashed the text (out and id filled), 0 when it is
 * the cJSON way's to do, -1 on a digest failure. */
static int hash_fast(struct canon_hasher *h, const char *text, size_t len, char *id,
		     size_t id_size, unsigned char out[CANON_HASH_LEN], struct err *e)
{
	if (len + 2 > h->cap_nodes) {
		h->cap_nodes = len + 2;
		h->nodes = xrealloc(h->nodes, h->cap_nodes * sizeof(*h->nodes));
	}
	if (len + 1 > h->cap_strs) {
		h->cap_strs = len + 1;
		h->strs = xrealloc(h->strs, h->cap_strs);
	}
	h->n_nodes = 1; /* node 0 stands for "none" */
	h->n_strs = 0;
	struct tparse t = {h, text, text + len};
	long root = t_value(&t, 0);
	t_ws(&t);
	if (root < 0 || t.p != t.end)
		return 0;
	if (id) {
		id[0] = '\0';
		const struct tnode *r = &h->nodes[root];
		for (size_t c = r->type == cJSON_Object ? r->child : 0; c; c = h->nodes[c].next)
			if (h->nodes[c].klen == 2 && !memcmp(h->nodes[c].key, "id", 2) &&
			    h->nodes[c].type == cJSON_String) {
				if (h->nodes[c].slen >= id_size)
					return 0;
				memcpy(id, h->nodes[c].str, h->nodes[c].slen);
				id[h->nodes[c].slen] = '\0';
			}
	}
	if (EVP_DigestInit_ex2(h->md, h->sha256, NULL) != 1)
		return err_set(e, "SHA-256 init failed");
	struct out o; /* not zeroed whole: its buffer is 4 KiB, written before read */
	o.sb = NULL;
	o.md = h->md;
	o.n = 0;
	o.failed = 0;
	o.e = e;
	if (t_out(&o, h->nodes, (size_t)root))
		return 0;
	out_flush(&o);
	unsigned int dlen = 0;
	if (o.failed || EVP_DigestFinal_ex(h->md, out, &dlen) != 1 || dlen != CANON_HASH_LEN)
		return err_set(e, "SHA-256 final failed");
	return 1;
}

int canon_hash_line(struct canon_hasher *h, const char *text, size_t len, char *id,
		    size_t id_size, unsigned char out[CANON_HASH_LEN], struct err *e)
{
	int fast = hash_fast(h, text, len, id, id_size, out, e);
	if (fast)
		return fast < 0 ? -1 : 0;
	const char *end = NULL;
	cJSON *v = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!v)
		return err_set(e, "invalid JSON at byte %zu", end ? (size_t)(end - text) : (size_t)0);
	int rc = canon_hasher_hash(h, v, out, e);
	if (!rc && id) {
		const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "id"));
		if (s && strlen(s) < id_size)
			strcpy(id, s);
		else
			id[0] = '\0';
	}
	cJSON_Delete(v);
	return rc;
}

void canon_hex(const unsigned char hash[CANON_HASH_LEN], char out[CANON_HEX_LEN])
{
	util_hex(hash, CANON_HASH_LEN, out);
}

/* ---- canonical copy ------------------------------------------------------ */

static cJSON *copy_value(struct out *o, const cJSON *v, int depth)
{
	if (depth > CANON_MAX_DEPTH) {
		out_fail(o, "document nested too deeply", NULL);
		return NULL;
	}
	if (cJSON_IsString(v)) {
		char t[64];
		return cJSON_CreateString(canon_time(v->valuestring, t, sizeof(t)) ? t : v->valuestring);
	}
	if (cJSON_IsArray(v)) {
		cJSON *a = cJSON_CreateArray();
		for (const cJSON *c = v->child; c; c = c->next) {
			cJSON *x = copy_value(o, c, depth + 1);
			if (!x) {
				cJSON_Delete(a);
				return NULL;
			}
			cJSON_AddItemToArray(a, x);
		}
		return a;
	}
	if (cJSON_IsObject(v)) {
		const cJSON *stack[32];
		const cJSON **items = NULL;
		long n = sorted_members(o, v, stack, ARRAY_SIZE(stack), &items);
		if (n < 0)
			return NULL;
		cJSON *obj = cJSON_CreateObject();
		for (long i = 0; i < n; i++) {
			cJSON *x = copy_value(o, items[i], depth + 1);
			if (!x) {
				cJSON_Delete(obj);
				obj = NULL;
				break;
			}
			cJSON_AddItemToObject(obj, items[i]->string, x);
		}
		if (items != stack)
			free(items);
		return obj;
	}
	return cJSON_Duplicate(v, 0);
}

cJSON *canon_copy(const cJSON *v, struct err *e)
{
	struct out o = {.e = e};
	return copy_value(&o, v, 0);
}
