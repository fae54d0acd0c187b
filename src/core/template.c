/* template — renders {{name}} placeholders from a table of known names.
 * Validation and rendering share one scanner, so whatever validates also
 * renders and the loader's verdict matches what a run will do. */
#include "warroom/template.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define TEMPLATE_NAME_MAX 256

struct known_var {
	const char *name;
	size_t offset; /* of the value's pointer in struct template_vars */
};

static const struct known_var known_vars[] = {
	{"account.id", offsetof(struct template_vars, account_id)},
	{"account.name", offsetof(struct template_vars, account_name)},
	{"source.base_url", offsetof(struct template_vars, source_base_url)},
	{"target.base_url", offsetof(struct template_vars, target_base_url)},
	{"source.system", offsetof(struct template_vars, source_system)},
};

static const struct known_var *known_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(known_vars); i++)
		if (strcmp(known_vars[i].name, name) == 0)
			return &known_vars[i];
	return NULL;
}

static int env_name_ok(const char *s, size_t n)
{
	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}

/* One placeholder, trimmed: "env.NAME:-default" splits into name/default. */
struct placeholder {
	char name[TEMPLATE_NAME_MAX];
	const char *def; /* into the source string, or NULL */
	size_t def_len;
	int is_env;
};

static int placeholder_parse(const char *body, size_t n, struct placeholder *ph, struct err *e)
{
	while (n && isspace((unsigned char)*body))
		body++, n--;
	while (n && isspace((unsigned char)body[n - 1]))
		n--;
	memset(ph, 0, sizeof(*ph));
	if (n == 0)
		return err_set(e, "empty template {{}}");
	if (n >= TEMPLATE_NAME_MAX)
		return err_set(e, "template name too long (%zu characters)", n);
	if (util_has_prefix(body, "env.") && n > 4) {
		const char *nm = body + 4;
		size_t nn = n - 4;
		const char *dash = NULL;
		for (size_t i = 0; i + 1 < nn; i++)
			if (nm[i] == ':' && nm[i + 1] == '-') {
				dash = nm + i;
				break;
			}
		if (dash) {
			ph->def = dash + 2;
			ph->def_len = nn - (size_t)(dash - nm) - 2;
			nn = (size_t)(dash - nm);
		}
		if (!env_name_ok(nm, nn))
			return err_set(e, "{{%.*s}}: '%.*s' is not an environment variable name",
				       (int)n, body, (int)nn, nm);
		memcpy(ph->name, nm, nn);
		ph->is_env = 1;
		return 0;
	}
	memcpy(ph->name, body, n);
	if (!known_find(ph->name)) {
		struct strbuf sb = {0};
		for (size_t i = 0; i < ARRAY_SIZE(known_vars); i++)
			sb_addf(&sb, "%s%s", i ? ", " : "", known_vars[i].name);
		err_set(e, "unknown template name {{%s}} (known: %s, env.NAME)", ph->name, sb_str(&sb));
		sb_release(&sb);
		return -1;
	}
	return 0;
}

/* Walks s; for each placeholder calls emit (when non-NULL) with the parsed
 * form, and copies literal text into out (when non-NULL). */
typedef int (*placeholder_fn)(const struct placeholder *ph, void *ctx, struct strbuf *out,
			      struct err *e);

static int template_scan(const char *s, placeholder_fn emit, void *ctx, struct strbuf *out,
			 struct err *e)
{
	const char *p = s;
	for (;;) {
		const char *open = strstr(p, "{{");
		const char *stray = strstr(p, "}}");
		if (stray && (!open || stray < open))
			return err_set(e, "'}}' without a matching '{{' at offset %zu", (size_t)(stray - s));
		if (!open) {
			if (out)
				sb_adds(out, p);
			return 0;
		}
		if (out)
			sb_add(out, p, (size_t)(open - p));
		const char *close = strstr(open + 2, "}}");
		if (!close)
			return err_set(e, "'{{' without a closing '}}' at offset %zu", (size_t)(open - s));
		const char *inner = strstr(open + 2, "{{");
		if (inner && inner < close)
			return err_set(e, "nested '{{' at offset %zu", (size_t)(inner - s));
		struct placeholder ph;
		if (placeholder_parse(open + 2, (size_t)(close - open - 2), &ph, e) < 0)
			return -1;
		if (emit && emit(&ph, ctx, out, e) < 0)
			return -1;
		p = close + 2;
	}
}

static int render_one(const struct placeholder *ph, void *ctx, struct strbuf *out, struct err *e)
{
	const struct template_vars *v = ctx;
	if (ph->is_env) {
		const char *val = v->getenv_fn ? v->getenv_fn(ph->name) : getenv(ph->name);
		if (val && *val) {
			sb_adds(out, val);
			return 0;
		}
		if (ph->def) {
			sb_add(out, ph->def, ph->def_len);
			return 0;
		}
		return err_set(e, "{{env.%s}}: environment variable %s is not set (write "
				  "{{env.%s:-default}} to give a default)",
			       ph->name, ph->name, ph->name);
	}
	const struct known_var *k = known_find(ph->name);
	const char *val = *(const char *const *)((const char *)v + k->offset);
	if (!val)
		return err_set(e, "{{%s}} has no value for this account", ph->name);
	sb_adds(out, val);
	return 0;
}

char *template_render(const char *s, const struct template_vars *vars, struct err *e)
{
	struct strbuf out = {0};
	static const struct template_vars none;
	if (template_scan(s, render_one, (void *)(vars ? vars : &none), &out, e) < 0) {
		sb_release(&out);
		return NULL;
	}
	return sb_detach(&out);
}

int template_names_valid(const char *s, struct err *e)
{
	return template_scan(s, NULL, NULL, NULL, e);
}

int template_has_vars(const char *s)
{
	return s && strstr(s, "{{") != NULL;
}
