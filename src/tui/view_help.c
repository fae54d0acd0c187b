/* view_help — `?`: every key of the view it was opened from, then the `:`
 * commands with their words and the keys of a typed line, drawn from the
 * same tables that route the keys and run the commands, so the help cannot
 * drift from what they do. Action keys are marked: observers cannot use them. */
#include <stdlib.h>

#include "warroom/tui.h"
#include "warroom/widgets.h"

/* One row of the help: a key, a `:` command, a key of a typed line, or a
 * heading. */
static void help_row(struct tui *t, const struct keymap_binding *const *b, size_t nb, size_t ncmd,
		     long row, int y, int w, int uw, int is_cursor)
{
	enum theme_role role = is_cursor ? ROLE_CURSOR : ROLE_NORMAL;
	char line[256];
	if (row < (long)nb) {
		char key[16];
		keymap_key_name(b[row]->key, key, sizeof(key));
		tui_put(t, y, 0, 10, ROLE_HELP_KEY, key);
		snprintf(line, sizeof(line), "%c %-16s %s", keymap_request_acts(b[row]->req) ? '*' : ' ',
			 keymap_request_name(b[row]->req), keymap_binding_help(b[row]));
		tui_put(t, y, 10, w - 10, role, line);
		return;
	}
	row -= (long)nb;
	if (row == 0)
		return;
	if (row == 1) {
		tui_put(t, y, 0, w, ROLE_TITLE,
			" Commands  (: opens the line, Tab completes; every request above has a "
			"typed form too, e.g. :sort-next)");
		return;
	}
	struct strbuf usage = {0};
	const char *what = "";
	row -= 2;
	if (row >= (long)ncmd) {
		row -= (long)ncmd;
		if (row == 1)
			tui_put(t, y, 0, w, ROLE_TITLE,
				" Typing a line  (the : command line, and every question a key asks)");
		if (row >= 2 && tui_prompt_key_help((size_t)(row - 2), &usage, &what)) {
			tui_put(t, y, 0, 16, ROLE_HELP_KEY, sb_str(&usage));
			tui_put(t, y, 16, w - 16, role, what);
		}
	} else if (tui_command_help((size_t)row, &usage, &what)) {
		tui_put(t, y, 0, uw, ROLE_HELP_KEY, sb_str(&usage));
		tui_put(t, y, uw, w - uw, role, what);
	}
	sb_release(&usage);
}

/* What the help lists: the keys of the view it was opened from, how many
 * `:` commands and typed-line actions follow, and the rows of all of it. */
struct help_rows {
	const struct view_ops *from;
	const struct keymap_binding *b[KEYMAP_VIEW_MAX];
	size_t n, ncmd, nkeys;
};

static void help_count(struct tui *t, struct view *v, struct help_rows *hr)
{
	hr->from = t->views[t->previous].ops;
	hr->n = keymap_bindings(hr->from ? hr->from->scope : KS_GENERIC, hr->b, KEYMAP_VIEW_MAX);
	struct strbuf sb = {0};
	const char *what;
	for (hr->ncmd = 0; tui_command_help(hr->ncmd, &sb, &what); hr->ncmd++)
		sb_reset(&sb);
	for (hr->nkeys = 0; tui_prompt_key_help(hr->nkeys, &sb, &what); hr->nkeys++)
		sb_reset(&sb);
	sb_release(&sb);
	v->rows = (long)(hr->n + 2 + hr->ncmd + 2 + hr->nkeys);
}

/* Counted when shown, not only when drawn, so End typed right after `?`
 * already knows where the end is. */
static void help_reload(struct tui *t, struct view *v)
{
	struct help_rows hr;
	help_count(t, v, &hr);
}

static void help_draw(struct tui *t, struct view *v, int y, int x, int h, int w)
{
	(void)x;
	struct help_rows hr;
	help_count(t, v, &hr);
	const struct view_ops *from = hr.from;
	size_t n = hr.n, ncmd = hr.ncmd;
	const struct keymap_binding *const *b = hr.b;
	char title[128];
	snprintf(title, sizeof(title), " Keys of the %s view  (q goes back; * changes shared state%s)",
		 from ? from->name : "generic", t->observer ? ", refused here" : "");
	tui_put(t, y, 0, w, ROLE_TITLE, title);
	/* the commands' column is as wide as the longest, leaving room for what they do */
	int uw = 0;
	struct strbuf usage = {0};
	const char *what;
	for (size_t i = 0; tui_command_help(i, &usage, &what); i++) {
		if (widgets_width(sb_str(&usage)) + 2 > uw)
			uw = widgets_width(sb_str(&usage)) + 2;
		sb_reset(&usage);
	}
	sb_release(&usage);
	if (uw > w - 24)
		uw = w - 24;
	int body = h - 1;
	tui_list_scroll(v, body);
	for (int i = 0; i < body && v->top + i < v->rows; i++)
		help_row(t, b, n, ncmd, v->top + i, y + 1 + i, w, uw, v->top + i == v->cursor);
}

const struct view_ops view_help_ops = {
	.name = "help",
	.title = "Help",
	.scope = KS_HELP,
	.reload = help_reload,
	.draw = help_draw,
};
