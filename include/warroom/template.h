/* template — the plan's {{...}} values: {{account.id}}, {{target.base_url}},
 * {{env.NAME}} and {{env.NAME:-default}}. An unknown name is an error, never
 * an empty string, so a typo cannot send a request to the wrong place. */
#ifndef WARROOM_TEMPLATE_H
#define WARROOM_TEMPLATE_H

#include "warroom/util.h"

/* The values one account offers; a NULL field renders as an error naming it. */
struct template_vars {
	const char *account_id;
	const char *account_name;
	const char *source_base_url;
	const char *target_base_url;
	const char *source_system;
	/* Environment lookup; NULL means getenv. Tests and dry runs replace it. */
	const char *(*getenv_fn)(const char *name);
};

/* Renders s; returns a new string (caller frees) or NULL with e filled. */
char *template_render(const char *s, const struct template_vars *vars, struct err *e);
/* 0 when every {{...}} in s names a known variable and braces balance; -1
 * with e naming the first bad one. Needs no values: the loader validates. */
int template_names_valid(const char *s, struct err *e);
/* 1 when s contains a {{ at all. */
int template_has_vars(const char *s);

#endif
