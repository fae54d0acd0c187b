/* redact — keeps secrets out of the audit log and off the screen. Names are
 * matched loosely (substring, any case, '-' '_' '.' ignored) because a
 * header or field that looks like a secret and is not costs a masked value,
 * while the reverse leaks a credential into a log that is never rewritten. */
#include "warroom/redact.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "warroom/util.h"

/* Normalized: lower case, without '-', '_' and '.'. */
static const char *const secret_words[] = {
	"token",      "secret",     "password",   "passwd",  "passphrase",
	"apikey",     "authorization", "cookie",  "privatekey", "accesskey",
	"credential", "sessionid",
};

/* Schemes of an Authorization value: the credential follows the word. */
static const char *const auth_schemes[] = {"bearer", "basic", "token", "digest"};

static void normalize(const char *s, size_t n, char *out, size_t size)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k + 1 < size; i++) {
		if (s[i] == '-' || s[i] == '_' || s[i] == '.')
			continue;
		out[k++] = (char)tolower((unsigned char)s[i]);
	}
	out[k] = '\0';
}

static int is_secret_n(const char *key, size_t n)
{
	char norm[128];
	normalize(key, n, norm, sizeof(norm));
	for (size_t i = 0; i < ARRAY_SIZE(secret_words); i++)
		if (strstr(norm, secret_words[i]))
			return 1;
	return 0;
}

int redact_key_is_secret(const char *key)
{
	return key && is_secret_n(key, strlen(key));
}

static int word_is(const char *s, size_t n, const char *const *words, size_t nwords)
{
	for (size_t i = 0; i < nwords; i++)
		if (strlen(words[i]) == n && strncasecmp(s, words[i], n) == 0)
			return 1;
	return 0;
}

static int ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

/* A bare value ends at white space or at what delimits it in URLs, headers,
 * cookies and JSON. */
static int value_char(char c)
{
	return c && !isspace((unsigned char)c) && !strchr("&,;\"'()[]{}<>", c);
}

static size_t skip_blanks(const char *t, size_t i)
{
	while (t[i] == ' ' || t[i] == '\t')
		i++;
	return i;
}

/* The end of a quoted value starting at t[i] (the quote), past the closing
 * quote, honouring backslash escapes; the end of text if unclosed. */
static size_t quoted_end(const char *t, size_t i)
{
	char q = t[i++];
	while (t[i] && t[i] != q) {
		if (t[i] == '\\' && t[i + 1])
			i++;
		i++;
	}
	return t[i] ? i + 1 : i;
}

static size_t line_end(const char *t, size_t i)
{
	while (t[i] && t[i] != '\n' && t[i] != '\r')
		i++;
	return i;
}

/* At t[i], a key (bare or quoted) followed by ':' or '=': when the key is
 * secret-ish, writes key, separator and a mask to out and returns the index
 * after the value; otherwise returns 0 and writes nothing. */
static size_t try_pair(const char *t, size_t i, struct strbuf *out)
{
	size_t k = i, kstart, kend;
	char q = 0;
	if (t[k] == '"' || t[k] == '\'')
		q = t[k++];
	kstart = k;
	while (ident_char(t[k]))
		k++;
	kend = k;
	if (kend == kstart || (q && t[k++] != q))
		return 0;
	k = skip_blanks(t, k);
	if (t[k] != ':' && t[k] != '=')
		return 0;
	if (t[k] == ':' && t[k + 1] == ':')
		return 0;
	k = skip_blanks(t, k + 1);
	if (!is_secret_n(t + kstart, kend - kstart))
		return 0;
	size_t vstart = k, vend;
	int quoted = t[k] == '"' || t[k] == '\'';
	char norm[128];
	normalize(t + kstart, kend - kstart, norm, sizeof(norm));
	if (quoted) {
		vend = quoted_end(t, k);
	} else if (strstr(norm, "cookie") || strstr(norm, "authorization")) {
		vend = line_end(t, k); /* a header value: every part of it is secret */
	} else {
		vend = k;
		while (value_char(t[vend]))
			vend++;
		/* "token: Bearer abc": the credential is the word after the scheme. */
		if (word_is(t + vstart, vend - vstart, auth_schemes, ARRAY_SIZE(auth_schemes))) {
			size_t w = skip_blanks(t, vend);
			if (value_char(t[w])) {
				while (value_char(t[w]) || t[w] == '=')
					w++;
				vend = w;
			}
		}
	}
	if (vend == vstart)
		return 0;
	sb_add(out, t + i, vstart - i);
	if (quoted)
		sb_addf(out, "%c%s%c", t[vstart], REDACT_MASK, t[vstart]);
	else
		sb_adds(out, REDACT_MASK);
	return vend;
}

/* At t[i], "Bearer xyz" and the like: writes the scheme and a mask. */
static size_t try_scheme(const char *t, size_t i, struct strbuf *out)
{
	size_t k = i;
	while (isalpha((unsigned char)t[k]))
		k++;
	if (!word_is(t + i, k - i, auth_schemes, 2)) /* bearer, basic */
		return 0;
	size_t v = skip_blanks(t, k);
	if (v == k || !value_char(t[v]))
		return 0;
	while (value_char(t[v]) || t[v] == '=')
		v++;
	sb_add(out, t + i, k - i);
	sb_adds(out, " " REDACT_MASK);
	return v;
}

char *redact_text(const char *text)
{
	struct strbuf out = {0};
	const char *t = text ? text : "";
	size_t i = 0;
	int after_mask = 0;
	while (t[i]) {
		/* Right after a mask a word starts, as it will when the output is
		 * read again: a second pass must not find what this one missed. */
		int boundary = i == 0 || after_mask || !ident_char(t[i - 1]);
		size_t next = 0;
		if (boundary && (ident_char(t[i]) || t[i] == '"' || t[i] == '\''))
			next = try_pair(t, i, &out);
		if (!next && boundary && isalpha((unsigned char)t[i]))
			next = try_scheme(t, i, &out);
		after_mask = next != 0;
		if (next) {
			i = next;
			continue;
		}
		/* Not a secret here: copy the whole word, so its inside is not
		 * mistaken for the start of a key. */
		size_t j = i + 1;
		if (ident_char(t[i]))
			while (ident_char(t[j]))
				j++;
		sb_add(&out, t + i, j - i);
		i = j;
	}
	return sb_detach(&out);
}

char *redact_header_line(const char *line)
{
	const char *colon = line ? strchr(line, ':') : NULL;
	if (colon) {
		const char *name = line;
		while (*name == ' ' || *name == '\t')
			name++;
		if (colon > name && is_secret_n(name, (size_t)(colon - name)))
			return xasprintf("%.*s: %s", (int)(colon - line), line, REDACT_MASK);
	}
	return redact_text(line);
}

static void out_of_memory(void)
{
	fprintf(stderr, "warroom: out of memory redacting JSON\n");
	abort();
}

int redact_json(cJSON *v)
{
	if (!v)
		return 0;
	int n = 0;
	if (cJSON_IsString(v) && v->valuestring) {
		char *r = redact_text(v->valuestring);
		if (strcmp(r, v->valuestring) != 0) {
			cJSON_free(v->valuestring);
			v->valuestring = cJSON_malloc(strlen(r) + 1);
			if (!v->valuestring)
				out_of_memory();
			strcpy(v->valuestring, r);
			n++;
		}
		free(r);
		return n;
	}
	cJSON *child = v->child;
	while (child) {
		cJSON *next = child->next;
		if (cJSON_IsObject(v) && redact_key_is_secret(child->string) &&
		    !(cJSON_IsString(child) && !strcmp(child->valuestring, REDACT_MASK))) {
			/* The replacement carries the member's name: replacing via
			 * pointer keeps the position but not the key. */
			cJSON *mask = cJSON_CreateString(REDACT_MASK);
			char *name = mask ? cJSON_malloc(strlen(child->string) + 1) : NULL;
			if (!name)
				out_of_memory();
			strcpy(name, child->string);
			mask->string = name;
			if (!cJSON_ReplaceItemViaPointer(v, child, mask))
				out_of_memory();
			n++;
		} else {
			n += redact_json(child);
		}
		child = next;
	}
	return n;
}
