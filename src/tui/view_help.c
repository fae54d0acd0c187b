/* view_help — `?`: every key of the view it was opened from, drawn from the
 * same keymap tables that route the keys, so the help cannot drift from
 * what the keys do. Action keys are marked, since observers cannot use them. */
#include <stdlib.h>

#include "warroom/tui.h"

#define HELP_MAX 128

static void help_draw(struct tui *t, struct view *v, int y, int x, int h, int w)
{
	(void)x;
	const struct view_ops *from = t->views[t->previous].ops;
	enum keymap_scope scope = from ? from->scope : KS_GENERIC;
	const struct keymap_binding *b[HELP_MAX];
	size_t n = keymap_bindings(scope, b, HELP_MAX);
	char title[128];
	snprintf(title, sizeof(title), " Keys of the %s view  (q goes back; * changes shared state%s)",
		 from ? from->name : "generic", t->observer ? ", refused here" : "");
	tui_put(t, y, 0, w, ROLE_TITLE, title);
	v->rows = (long)n + 3;
	int body = h - 1;
	tui_list_scroll(v, body);
	for (int i = 0; i < body; i++) {
		long row = v->top + i;
		char line[256];
		if (row < (long)n) {
			char key[16];
			keymap_key_name(b[row]->key, key, sizeof(key));
			tui_put(t, y + 1 + i, 0, 10, ROLE_HELP_KEY, key);
			snprintf(line, sizeof(line), "%c %-16s %s",
				 keymap_request_acts(b[row]->req) ? '*' : ' ',
				 keymap_request_name(b[row]->req), keymap_request_help(b[row]->req));
			tui_put(t, y + 1 + i, 10, w - 10, row == v->cursor ? ROLE_CURSOR : ROLE_NORMAL,
				line);
		} else if (row == (long)n + 1) {
			tui_put(t, y + 1 + i, 0, w, ROLE_DIM,
				"  :accounts :run :gate :diff :audit :exceptions :monitor :theme NAME :q"
				"  (Tab completes)");
		} else if (row == (long)n + 2) {
			tui_put(t, y + 1 + i, 0, w, ROLE_DIM,
				"  every request has a typed form too: :NAME (e.g. :sort-next)");
		}
	}
}

const struct view_ops view_help_ops = {
	.name = "help",
	.title = "Help",
	.scope = KS_HELP,
	.draw = help_draw,
};
