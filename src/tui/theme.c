/* theme — colour roles as a static table, theme files read through the
 * schema-table loader, and the mapping of xterm colours down to what the
 * terminal offers. Curses itself is touched only in tui.c; this file is
 * pure data so it can be tested and fuzzed without a terminal. */
#include "warroom/theme.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "warroom/node.h"
#include "warroom/schema.h"
#include "warroom/yaml.h"

#define THEME_MAX_BYTES (256u * 1024)

static const struct {
	const char *key, *fg, *bg;
	unsigned attrs, mono;
} roles[] = {
#define THEME_ROLE_ROW(e, key, fg, bg, attrs, mono) {key, fg, bg, attrs, mono},
	THEME_ROLES(THEME_ROLE_ROW)
#undef THEME_ROLE_ROW
};

static const char *const color_names[] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

const char *theme_role_name(enum theme_role r)
{
	return (size_t)r < ARRAY_SIZE(roles) ? roles[r].key : "?";
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The xterm 6x6x6 cube's levels. */
static const int cube_levels[6] = {0, 95, 135, 175, 215, 255};

static int nearest_level(int v)
{
	int best = 0;
	for (int i = 1; i < 6; i++)
		if (abs(cube_levels[i] - v) < abs(cube_levels[best] - v))
			best = i;
	return best;
}

static void palette_rgb(int c, int rgb[3])
{
	/* the 16 base colours as xterm draws them */
	static const int base[16][3] = {
		{0, 0, 0},       {205, 0, 0},     {0, 205, 0},     {205, 205, 0},
		{0, 0, 238},     {205, 0, 205},   {0, 205, 205},   {229, 229, 229},
		{127, 127, 127}, {255, 0, 0},     {0, 255, 0},     {255, 255, 0},
		{92, 92, 255},   {255, 0, 255},   {0, 255, 255},   {255, 255, 255},
	};
	if (c < 16) {
		memcpy(rgb, base[c], sizeof(base[c]));
	} else if (c < 232) {
		c -= 16;
		rgb[0] = cube_levels[c / 36];
		rgb[1] = cube_levels[(c / 6) % 6];
		rgb[2] = cube_levels[c % 6];
	} else {
		rgb[0] = rgb[1] = rgb[2] = 8 + (c - 232) * 10;
	}
}

int theme_parse_color(const char *s, short *out)
{
	if (!s || !*s)
		return -1;
	if (!strcmp(s, "default")) {
		*out = -1;
		return 0;
	}
	int bright = 0;
	const char *name = s;
	if (util_has_prefix(s, "bright-")) {
		bright = 8;
		name = s + 7;
	}
	for (size_t i = 0; i < ARRAY_SIZE(color_names); i++)
		if (!strcmp(name, color_names[i])) {
			*out = (short)(i + (size_t)bright);
			return 0;
		}
	if (bright)
		return -1;
	if (s[0] == '#') {
		if (strlen(s) != 7)
			return -1;
		int rgb[3];
		for (int i = 0; i < 3; i++) {
			int hi = hexval(s[1 + 2 * i]), lo = hexval(s[2 + 2 * i]);
			if (hi < 0 || lo < 0)
				return -1;
			rgb[i] = hi * 16 + lo;
		}
		*out = (short)(16 + 36 * nearest_level(rgb[0]) + 6 * nearest_level(rgb[1]) +
			       nearest_level(rgb[2]));
		return 0;
	}
	char *end;
	long v = strtol(s, &end, 10);
	if (*end || end == s || !isdigit((unsigned char)s[0]) || v < 0 || v > 255)
		return -1;
	*out = (short)v;
	return 0;
}

short theme_map_color(short c, int colors, unsigned *attrs)
{
	if (c < 0 || colors >= 256 || c < colors)
		return c;
	int target = colors >= 16 ? 16 : 8;
	int rgb[3], best = 0;
	long best_d = LONG_MAX;
	palette_rgb(c, rgb);
	/* nearest of the base colours; for 8 colours try the bright ones too,
	 * then fold them onto their base colour with bold */
	for (int i = 0; i < 16; i++) {
		int p[3];
		palette_rgb(i, p);
		long d = 0;
		for (int k = 0; k < 3; k++)
			d += (long)(p[k] - rgb[k]) * (p[k] - rgb[k]);
		if (d < best_d) {
			best_d = d;
			best = i;
		}
	}
	if (target == 8 && best >= 8) {
		if (attrs)
			*attrs |= THEME_BOLD;
		best -= 8;
	}
	return (short)best;
}

void theme_builtin(struct theme *t)
{
	memset(t, 0, sizeof(*t));
	t->name = xstrdup("builtin");
	t->description = xstrdup("the built-in dark theme");
	for (size_t i = 0; i < ARRAY_SIZE(roles); i++) {
		short fg = -1, bg = -1;
		/* the table is ours: a typo in it is caught by the unit test */
		(void)theme_parse_color(roles[i].fg, &fg);
		(void)theme_parse_color(roles[i].bg, &bg);
		t->style[i] = (struct theme_style){fg, bg, roles[i].attrs};
	}
}

unsigned theme_mono_attrs(enum theme_role r)
{
	return (size_t)r < ARRAY_SIZE(roles) ? roles[r].mono : 0;
}

void theme_free(struct theme *t)
{
	free(t->name);
	free(t->description);
	memset(t, 0, sizeof(*t));
}

/* ---- the file format, as schema tables ----------------------------------- */

struct style_yaml {
	struct schema_pos pos;
	char *fg, *bg;
	int bold, underline, reverse, dim;
};

struct roles_yaml {
	struct schema_pos pos;
	struct style_yaml *role[ROLE__COUNT];
};

struct theme_yaml {
	struct schema_pos pos;
	char *name, *description;
	struct roles_yaml roles;
};

static void check_color(struct schema_ctx *ctx, const struct node *n, const char *value)
{
	short c;
	if (theme_parse_color(value, &c) < 0)
		schema_error(ctx, n,
			     "unknown colour '%s' (a name like red or bright-red, default, "
			     "0..255, or #rrggbb)", value);
}

static const struct schema_field style_fields[] = {
	{.key = "fg", .type = SCHEMA_STR, .offset = offsetof(struct style_yaml, fg),
	 .check = check_color},
	{.key = "bg", .type = SCHEMA_STR, .offset = offsetof(struct style_yaml, bg),
	 .check = check_color},
	{.key = "bold", .type = SCHEMA_BOOL, .offset = offsetof(struct style_yaml, bold), .def = -1},
	{.key = "underline", .type = SCHEMA_BOOL, .offset = offsetof(struct style_yaml, underline),
	 .def = -1},
	{.key = "reverse", .type = SCHEMA_BOOL, .offset = offsetof(struct style_yaml, reverse),
	 .def = -1},
	{.key = "dim", .type = SCHEMA_BOOL, .offset = offsetof(struct style_yaml, dim), .def = -1},
};
static const struct schema_obj style_obj = {"a colour role", sizeof(struct style_yaml),
					    style_fields, ARRAY_SIZE(style_fields), NULL};

static const struct schema_field role_fields[] = {
#define THEME_ROLE_FIELD(e, key_, fg, bg, attrs, mono)                                        \
	{.key = key_, .type = SCHEMA_OBJ,                                                      \
	 .offset = offsetof(struct roles_yaml, role) + ROLE_##e * sizeof(struct style_yaml *), \
	 .child = &style_obj},
	THEME_ROLES(THEME_ROLE_FIELD)
#undef THEME_ROLE_FIELD
};
static const struct schema_obj roles_obj = {"roles", sizeof(struct roles_yaml), role_fields,
					    ARRAY_SIZE(role_fields), NULL};

static const struct schema_field theme_fields[] = {
	{.key = "name", .type = SCHEMA_STR, .flags = SCHEMA_REQUIRED,
	 .offset = offsetof(struct theme_yaml, name)},
	{.key = "description", .type = SCHEMA_STR, .offset = offsetof(struct theme_yaml, description)},
	{.key = "roles", .type = SCHEMA_OBJ, .flags = SCHEMA_REQUIRED | SCHEMA_INLINE,
	 .offset = offsetof(struct theme_yaml, roles), .child = &roles_obj},
};
static const struct schema_obj theme_obj = {"a theme", sizeof(struct theme_yaml), theme_fields,
					    ARRAY_SIZE(theme_fields), NULL};

static void apply_flag(unsigned *attrs, int v, unsigned flag)
{
	if (v == 1)
		*attrs |= flag;
	else if (v == 0)
		*attrs &= ~flag;
}

int theme_load_text(const char *file, const char *text, size_t len, struct theme *t,
		    struct diags *d)
{
	theme_builtin(t);
	size_t errors_before = d->errors;
	struct node_doc doc = {0};
	if (yaml_doc_parse(file, text, len, NULL, &doc, d) < 0 || d->errors > errors_before) {
		node_doc_free(&doc);
		return -1;
	}
	if (!doc.root) {
		diag_add(d, DIAG_ERROR, file, 1, 1, "the theme file is empty");
		node_doc_free(&doc);
		return -1;
	}
	struct arena *a = arena_new();
	struct schema_ctx ctx;
	schema_ctx_init(&ctx, d, a);
	struct theme_yaml y = {0};
	size_t errs = schema_load(&ctx, file, &theme_obj, doc.root, &y);
	if (errs == 0) {
		free(t->name);
		free(t->description);
		t->name = xstrdup(y.name);
		t->description = y.description ? xstrdup(y.description) : NULL;
		for (size_t i = 0; i < ROLE__COUNT; i++) {
			const struct style_yaml *s = y.roles.role[i];
			if (!s)
				continue;
			struct theme_style *st = &t->style[i];
			if (s->fg)
				(void)theme_parse_color(s->fg, &st->fg); /* checked on load */
			if (s->bg)
				(void)theme_parse_color(s->bg, &st->bg);
			apply_flag(&st->attrs, s->bold, THEME_BOLD);
			apply_flag(&st->attrs, s->underline, THEME_UNDERLINE);
			apply_flag(&st->attrs, s->reverse, THEME_REVERSE);
			apply_flag(&st->attrs, s->dim, THEME_DIM);
		}
	}
	schema_ctx_release(&ctx);
	arena_free(a);
	node_doc_free(&doc);
	if (errs) {
		theme_free(t);
		theme_builtin(t);
		return -1;
	}
	return 0;
}

int theme_load_file(const char *path, struct theme *t, struct diags *d)
{
	struct err e = {{0}};
	size_t len = 0;
	char *text = util_read_file(path, THEME_MAX_BYTES, &len, &e);
	if (!text) {
		theme_builtin(t);
		diag_add(d, DIAG_ERROR, path, 0, 0, "%s", e.msg);
		return -1;
	}
	int rc = theme_load_text(path, text, len, t, d);
	free(text);
	return rc;
}

/* ---- finding themes ------------------------------------------------------ */

#ifndef WARROOM_SHARE
#define WARROOM_SHARE "/usr/local/share/warroom"
#endif

static size_t theme_dirs(const char *dirs[3])
{
	size_t n = 0;
	const char *env = getenv("WARROOM_THEMES");
	if (env && *env)
		dirs[n++] = env;
	dirs[n++] = "themes";
	dirs[n++] = WARROOM_SHARE "/themes";
	return n;
}

static int valid_name(const char *name)
{
	if (!*name || strlen(name) > 64)
		return 0;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return 0;
	return 1;
}

int theme_resolve(const char *name_or_path, char *out, size_t size, struct err *e)
{
	struct stat sb;
	if (strchr(name_or_path, '/') || util_has_prefix(name_or_path, ".")) {
		if (stat(name_or_path, &sb) < 0 || !S_ISREG(sb.st_mode))
			return err_set(e, "theme file %s not found", name_or_path);
		snprintf(out, size, "%s", name_or_path);
		return 0;
	}
	if (!valid_name(name_or_path))
		return err_set(e, "'%s' is not a theme name (letters, digits, - and _)",
			       name_or_path);
	const char *dirs[3];
	size_t nd = theme_dirs(dirs);
	for (size_t i = 0; i < nd; i++) {
		snprintf(out, size, "%s/%s.yaml", dirs[i], name_or_path);
		if (stat(out, &sb) == 0 && S_ISREG(sb.st_mode))
			return 0;
	}
	char **names;
	size_t n = theme_list(&names);
	struct strbuf sb_names = {0};
	for (size_t i = 0; i < n; i++)
		sb_addf(&sb_names, "%s%s", i ? ", " : "", names[i]);
	err_set(e, "no theme named '%s' (themes: %s)", name_or_path,
		n ? sb_str(&sb_names) : "none found");
	sb_release(&sb_names);
	theme_names_free(names, n);
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t theme_list(char ***names)
{
	const char *dirs[3];
	size_t nd = theme_dirs(dirs), n = 0, cap = 0;
	*names = NULL;
	for (size_t i = 0; i < nd; i++) {
		DIR *dir = opendir(dirs[i]);
		if (!dir)
			continue;
		struct dirent *de;
		while ((de = readdir(dir)) != NULL && n < 256) {
			size_t len = strlen(de->d_name);
			if (len < 6 || strcmp(de->d_name + len - 5, ".yaml"))
				continue;
			char *name = xstrndup(de->d_name, len - 5);
			int dup = !valid_name(name);
			for (size_t k = 0; k < n && !dup; k++)
				dup = !strcmp((*names)[k], name);
			if (dup)
				free(name);
			else
				VEC_PUSH(*names, n, cap, name);
		}
		closedir(dir);
	}
	if (n)
		qsort(*names, n, sizeof(**names), cmp_str);
	return n;
}

void theme_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

char *theme_from_config(struct err *e)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *path;
	if (xdg && *xdg)
		path = xasprintf("%s/warroom/config.yaml", xdg);
	else if (home && *home)
		path = xasprintf("%s/.config/warroom/config.yaml", home);
	else
		return NULL;
	struct stat sb;
	if (stat(path, &sb) < 0) {
		free(path);
		return NULL;
	}
	struct diags d = {0};
	struct node_doc doc = {0};
	char *theme = NULL;
	size_t len = 0;
	char *text = util_read_file(path, 64 * 1024, &len, e);
	if (text && yaml_doc_parse(path, text, len, NULL, &doc, &d) == 0 && d.errors == 0) {
		const struct node *v = doc.root && doc.root->kind == NODE_MAP
					       ? node_get(doc.root, "theme")
					       : NULL;
		if (v && v->kind == NODE_SCALAR && v->n)
			theme = xstrdup(v->u.str);
		else if (doc.root)
			err_set(e, "%s: no `theme: NAME` in it", path);
	} else if (text) {
		err_set(e, "%s:%d:%d: %s", path, d.n ? d.v[0].line : 0, d.n ? d.v[0].col : 0,
			d.n ? d.v[0].msg : "cannot be read");
	}
	free(text);
	node_doc_free(&doc);
	diags_free(&d);
	free(path);
	return theme;
}
