/* view_help — `?`: every key of the view it was opened from, then the `:`
 * commands with their words, drawn from the same tables that route the keys
 * and run the commands, so the help cannot drift from what they do. Action
 * keys are marked, since observers cannot use them. */
#include <stdlib.h>

#include "warroom/tui.h"
#include "warroom/widgets.h"

/* One row of the help: a key, a `:` command, or a heading. */
static void help_row(struct tui *t, const struct keymap_binding *const *b, size_t nb, long row,
		     int y, int w, int uw, int is_cursor)
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
	if (tui_command_help((size_t)(row - 2), &usage, &what)) {
		tui_put(t, y, 0, uw, ROLE_HELP_KEY, sb_str(&usage));
		tui_put(t, y, uw, w - uw, role, what);
	}
	sb_release(&usage);
}

static void help_draw(struct tui *t, struct view *v, int y, int x, int h, int w)
{
	(void)x;
	const struct view_ops *from = t->views[t->previous].ops;
	enum keymap_scope scope = from ? from->scope : KS_GENERIC;
	const struct keymap_binding *b[KEYMAP_VIEW_MAX];
	size_t n = keymap_bindings(scope, b, KEYMAP_VIEW_MAX);
	char title[128];
	snprintf(title, sizeof(title), " Keys of the %s view  (q goes back; * changes shared state%s)",
		 from ? from->name : "generic", t->observer ? ", refused here" : "");
	tui_put(t, y, 0, w, ROLE_TITLE, title);
	/* the commands' column is as wide as the longest, leaving room for what they do */
	size_t ncmd = 0;
	int uw = 0;
	struct strbuf usage = {0};
	const char *what;
	for (; tui_command_help(ncmd, &usage, &what); ncmd++) {
		if (widgets_width(sb_str(&usage)) + 2 > uw)
			uw = widgets_width(sb_str(&usage)) + 2;
		sb_reset(&usage);
	}
	sb_release(&usage);
	if (uw > w - 24)
		uw = w - 24;
	v->rows = (long)(n + 2 + ncmd);
	int body = h - 1;
	tui_list_scroll(v, body);
	for (int i = 0; i < body && v->top + i < v->rows; i++)
		help_row(t, b, n, v->top + i, y + 1 + i, w, uw, v->top + i == v->cursor);
}

const struct view_ops view_help_ops = {
	.name = "help",
	.title = "Help",
	.scope = KS_HELP,
	.draw = help_draw,
};
