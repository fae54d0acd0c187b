/* theme — the console's colour roles (a static table, as htop keeps them)
 * and the themes that colour them: themes/NAME.yaml files validated with
 * line:col errors, mapped down to what the terminal can show (256, 16, 8
 * colours or none), switched live. A role always has a monochrome form too,
 * so state stays readable with NO_COLOR. */
#ifndef WARROOM_THEME_H
#define WARROOM_THEME_H

#include <stddef.h>

#include "warroom/diag.h"
#include "warroom/util.h"

/* _(ENUM, yaml key, fg, bg, attrs of the built-in dark theme, monochrome attrs)
 * attrs: THEME_BOLD | THEME_UNDERLINE | THEME_REVERSE | THEME_DIM */
#define THEME_BOLD 1u
#define THEME_UNDERLINE 2u
#define THEME_REVERSE 4u
#define THEME_DIM 8u

#define THEME_ROLES(_)                                                             \
	_(NORMAL, "normal", "default", "default", 0, 0)                             \
	_(HEADER, "header", "white", "blue", 0, THEME_REVERSE)                      \
	_(HEADER_KEY, "header_key", "bright-yellow", "blue", THEME_BOLD, THEME_REVERSE | THEME_BOLD) \
	_(TITLE, "title", "bright-cyan", "default", THEME_BOLD, THEME_BOLD)         \
	_(COLUMN, "column", "black", "cyan", 0, THEME_UNDERLINE)                    \
	_(CURSOR, "cursor", "black", "bright-cyan", 0, THEME_REVERSE)               \
	_(MARKED, "marked", "bright-yellow", "default", THEME_BOLD, THEME_BOLD)      \
	_(BORDER, "border", "blue", "default", 0, 0)                                \
	_(DIM, "dim", "bright-black", "default", 0, THEME_DIM)                      \
	_(OK, "ok", "green", "default", 0, 0)                                       \
	_(WARN, "warn", "yellow", "default", THEME_BOLD, THEME_BOLD)                \
	_(FAIL, "fail", "bright-red", "default", THEME_BOLD, THEME_BOLD | THEME_UNDERLINE) \
	_(RUNNING, "running", "bright-cyan", "default", 0, 0)                       \
	_(PENDING, "pending", "default", "default", 0, THEME_DIM)                   \
	_(ADDED, "added", "green", "default", 0, 0)                                 \
	_(REMOVED, "removed", "red", "default", 0, THEME_DIM)                       \
	_(CHANGED, "changed", "yellow", "default", 0, THEME_BOLD)                   \
	_(SPARK, "spark", "cyan", "default", 0, 0)                                  \
	_(ALERT, "alert", "yellow", "default", 0, THEME_UNDERLINE)                  \
	_(CRITICAL, "critical", "bright-red", "default", THEME_BOLD, THEME_BOLD)    \
	_(STATUS, "status", "black", "white", 0, THEME_REVERSE)                     \
	_(PROMPT, "prompt", "bright-white", "default", THEME_BOLD, THEME_BOLD)      \
	_(HELP_KEY, "help_key", "bright-yellow", "default", THEME_BOLD, THEME_BOLD)

#define THEME_ROLE_ENUM(e, key, fg, bg, attrs, mono) ROLE_##e,
enum theme_role { THEME_ROLES(THEME_ROLE_ENUM) ROLE__COUNT };
#undef THEME_ROLE_ENUM

/* A colour: -1 the terminal's default, 0..255 the xterm palette. */
struct theme_style {
	short fg, bg;
	unsigned attrs;
};

struct theme {
	char *name;        /* owned */
	char *description; /* owned; may be NULL */
	struct theme_style style[ROLE__COUNT];
};

const char *theme_role_name(enum theme_role r);

/* "red", "bright-red", "default", "0".."255", "#rrggbb" (nearest of the 256
 * palette). Returns 0 and the colour, or -1. */
int theme_parse_color(const char *s, short *out);
/* The nearest colour a terminal of `colors` colours shows (256, 16, 8); for
 * 8 colours a bright foreground becomes its base colour plus bold. */
short theme_map_color(short c, int colors, unsigned *attrs);

/* How a role is drawn without colour (NO_COLOR, monochrome terminals). */
unsigned theme_mono_attrs(enum theme_role r);
/* The built-in dark theme (the table above), used when no file is found. */
void theme_builtin(struct theme *t);
/* Loads a theme file: every problem goes to d as file:line:col. Returns 0,
 * or -1 when there were errors (t is then left as the built-in). */
int theme_load_file(const char *path, struct theme *t, struct diags *d);
/* The same from text already in memory (the fuzz target's entry). */
int theme_load_text(const char *file, const char *text, size_t len, struct theme *t,
		    struct diags *d);
/* NAME (looked up in the theme directories) or a path to a .yaml file.
 * Directories: $WARROOM_THEMES, ./themes, the installed share folder. */
int theme_resolve(const char *name_or_path, char *out, size_t size, struct err *e);
/* Names of the themes found in the directories, sorted (for completion). */
size_t theme_list(char ***names);
void theme_names_free(char **names, size_t n);
/* The theme the user chose in $XDG_CONFIG_HOME/warroom/config.yaml (or
 * ~/.config/...) as `theme: NAME`; NULL when none. Caller frees. */
char *theme_from_config(struct err *e);
void theme_free(struct theme *t);

#endif
