/* jsonptr — RFC 6901 evaluation. Tokens are unescaped one at a time into a
 * bounded buffer so a hostile pointer cannot make us allocate without end. */
#include "warroom/jsonptr.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/units.h"

#define JSONPTR_TOKEN_MAX 1024

/* Unescapes the token starting at p (after a '/'); sets *end to the next '/'
 * or the NUL. Returns token length or -1. */
static int token_next(const char *p, const char **end, char *tok, struct err *e)
{
	size_t n = 0;
	while (*p && *p != '/') {
		char c = *p++;
		if (c == '~') {
			if (*p == '0')
				c = '~';
			else if (*p == '1')
				c = '/';
			else
				return err_set(e, "'~' must be followed by 0 or 1 (RFC 6901)");
			p++;
		}
		if (n + 1 >= JSONPTR_TOKEN_MAX)
			return err_set(e, "pointer token longer than %d characters", JSONPTR_TOKEN_MAX);
		tok[n++] = c;
	}
	tok[n] = '\0';
	*end = p;
	return (int)n;
}

static int array_index(const char *tok, long *out)
{
	if (!*tok || (tok[0] == '0' && tok[1]))
		return -1; /* empty, or a leading zero: RFC 6901 forbids both */
	long v = 0;
	for (const char *c = tok; *c; c++) {
		if (*c < '0' || *c > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*c - '0');
	}
	*out = v;
	return 0;
}

int jsonptr_valid(const char *ptr, struct err *e)
{
	if (!ptr)
		return err_set(e, "no pointer");
	if (!*ptr)
		return 0;
	if (*ptr != '/')
		return err_set(e, "JSON pointer '%s' must start with '/'", ptr);
	char tok[JSONPTR_TOKEN_MAX];
	const char *p = ptr;
	while (*p == '/') {
		if (token_next(p + 1, &p, tok, e) < 0)
			return err_wrap(e, "JSON pointer '%s'", ptr);
	}
	return 0;
}

const cJSON *jsonptr_get(const cJSON *root, const char *ptr, struct err *e)
{
	if (jsonptr_valid(ptr, e) < 0)
		return NULL;
	char tok[JSONPTR_TOKEN_MAX];
	const cJSON *cur = root;
	const char *p = ptr;
	while (cur && *p == '/') {
		const char *start = p;
		if (token_next(p + 1, &p, tok, e) < 0)
			return NULL;
		const cJSON *next = NULL;
		if (cJSON_IsArray(cur)) {
			long idx;
			if (array_index(tok, &idx) < 0) {
				err_set(e, "%s: '%s' is not an array index (at %.*s)", ptr, tok,
					(int)(p - ptr), ptr);
				return NULL;
			}
			next = cJSON_GetArrayItem(cur, (int)idx);
		} else if (cJSON_IsObject(cur)) {
			for (const cJSON *c = cur->child; c; c = c->next)
				if (c->string && strcmp(c->string, tok) == 0) {
					next = c;
					break;
				}
		} else {
			err_set(e, "%s: %.*s is not an object or array", ptr, (int)(start - ptr), ptr);
			return NULL;
		}
		if (!next) {
			err_set(e, "%s: no member '%s'", ptr, tok);
			return NULL;
		}
		cur = next;
	}
	if (!cur)
		err_set(e, "%s: no value", ptr);
	return cur;
}

int jsonptr_number(const cJSON *root, const char *ptr, double *out, struct err *e)
{
	const cJSON *v = jsonptr_get(root, ptr, e);
	if (!v)
		return -1;
	if (cJSON_IsNumber(v)) {
		if (!isfinite(v->valuedouble))
			return err_set(e, "%s: not a finite number", ptr);
		*out = v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && units_parse_number(v->valuestring, out) == 0)
		return 0;
	if (cJSON_IsBool(v)) {
		*out = cJSON_IsTrue(v) ? 1 : 0;
		return 0;
	}
	return err_set(e, "%s: expected a number", ptr[0] ? ptr : "(document)");
}
