/* keymap — the request names and the default key bindings as data. Lookup
 * is a linear scan of a small table; it runs once per key press. */
#include "warroom/keymap.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "warroom/util.h"

static const struct {
	const char *name;
	int flags;
	const char *help;
} requests[] = {
#define KM_ROW(e, name, flags, help) {name, flags, help},
	REQUESTS(KM_ROW)
#undef KM_ROW
};

static const char *const scope_names[] = {
#define KM_SCOPE_NAME(e, name) name,
	KEYMAP_SCOPES(KM_SCOPE_NAME)
#undef KM_SCOPE_NAME
};

#define CTRL_KEY(c) ((c) & 0x1f)

/* The view's own rows first; generic rows last. Order is the help order.
 * Enter and `/` are bound only in the views where they do something, so `?`
 * never lists a key that does nothing. */
static const struct keymap_binding bindings[] = {
	{KS_ACCOUNTS, '\n', REQ_VIEW_RUN},
	{KS_ACCOUNTS, KEY_ENTER, REQ_VIEW_RUN},
	{KS_ACCOUNTS, '/', REQ_FILTER},
	{KS_ACCOUNTS, 's', REQ_SORT_NEXT},
	{KS_ACCOUNTS, '>', REQ_SORT_NEXT},
	{KS_ACCOUNTS, '<', REQ_SORT_PREV},
	{KS_ACCOUNTS, 'S', REQ_SORT_FLIP},
	{KS_ACCOUNTS, 'w', REQ_GROUP},
	{KS_ACCOUNTS, ' ', REQ_SELECT},
	{KS_ACCOUNTS, 'a', REQ_SELECT_ALL},
	{KS_ACCOUNTS, 'g', REQ_VIEW_GATE},
	{KS_ACCOUNTS, 'r', REQ_RUN_START},
	{KS_ACCOUNTS, 'B', REQ_ROLLBACK},
	{KS_ACCOUNTS, 'H', REQ_HALT},
	{KS_ACCOUNTS, 'P', REQ_RESUME},
	{KS_RUN, 'g', REQ_VIEW_GATE},
	{KS_RUN, 'r', REQ_RUN_START},
	{KS_RUN, 'B', REQ_ROLLBACK},
	{KS_RUN, 'H', REQ_HALT},
	{KS_RUN, 'P', REQ_RESUME},
	{KS_RUN, 't', REQ_TICK},
	{KS_RUN, '\n', REQ_ENTER},
	{KS_RUN, KEY_ENTER, REQ_ENTER},
	{KS_GATE, 't', REQ_TICK},
	{KS_GATE, ' ', REQ_TICK},
	{KS_GATE, 'y', REQ_SIGN},
	{KS_GATE, 'x', REQ_REJECT},
	{KS_GATE, '>', REQ_GATE_NEXT},
	{KS_GATE, '<', REQ_GATE_PREV},
	{KS_DIFF, 'n', REQ_NEXT_DIFF},
	{KS_DIFF, 'N', REQ_PREV_DIFF},
	{KS_DIFF, 'v', REQ_VERBOSE},
	{KS_DIFF, 'u', REQ_UNIFIED},
	{KS_AUDIT, 'v', REQ_VERIFY},
	{KS_AUDIT, '\n', REQ_ENTER},
	{KS_AUDIT, KEY_ENTER, REQ_ENTER},
	{KS_AUDIT, '/', REQ_FILTER},
	{KS_EXCEPTIONS, '+', REQ_EXC_ADD},
	{KS_EXCEPTIONS, 'c', REQ_EXC_CLOSE},
	{KS_MONITOR, 'o', REQ_SCOPE},
	{KS_IMPORT, '\n', REQ_ENTER},
	{KS_IMPORT, KEY_ENTER, REQ_ENTER},
	{KS_IMPORT, '/', REQ_FILTER},
	{KS_GENERIC, KEY_UP, REQ_MOVE_UP},
	{KS_GENERIC, 'k', REQ_MOVE_UP},
	{KS_GENERIC, KEY_DOWN, REQ_MOVE_DOWN},
	{KS_GENERIC, 'j', REQ_MOVE_DOWN},
	{KS_GENERIC, KEY_PPAGE, REQ_PAGE_UP},
	{KS_GENERIC, KEY_NPAGE, REQ_PAGE_DOWN},
	{KS_GENERIC, KEY_HOME, REQ_HOME},
	{KS_GENERIC, KEY_END, REQ_END},
	{KS_GENERIC, ':', REQ_PROMPT},
	{KS_GENERIC, '?', REQ_HELP},
	{KS_GENERIC, 'q', REQ_BACK},
	{KS_GENERIC, 27, REQ_BACK},
	{KS_GENERIC, 'Q', REQ_QUIT},
	{KS_GENERIC, CTRL_KEY('l'), REQ_REDRAW},
	{KS_GENERIC, '1', REQ_VIEW_ACCOUNTS},
	{KS_GENERIC, '2', REQ_VIEW_RUN},
	{KS_GENERIC, '3', REQ_VIEW_GATE},
	{KS_GENERIC, '4', REQ_VIEW_DIFF},
	{KS_GENERIC, '5', REQ_VIEW_AUDIT},
	{KS_GENERIC, '6', REQ_VIEW_EXCEPTIONS},
	{KS_GENERIC, '7', REQ_VIEW_MONITOR},
	{KS_GENERIC, '8', REQ_VIEW_IMPORT},
};

/* What a binding does in its view, where the request's own words would be
 * vaguer ("open the selected row"); key 0: every key of that request. */
static const struct {
	enum keymap_scope scope;
	enum request req;
	int key;
	const char *help;
} binding_help[] = {
	{KS_ACCOUNTS, REQ_FILTER, 0, "filter rows: text, or column:value (wave:ramp, state:fail)"},
	{KS_RUN, REQ_ENTER, 0, "open the gate under the cursor"},
	{KS_AUDIT, REQ_FILTER, 0, "filter records: text, or account:, actor:, action:"},
	{KS_AUDIT, REQ_ENTER, 0, "show the record under the cursor whole"},
	{KS_IMPORT, REQ_FILTER, 0, "filter items: text, or type:, id:, name:, verdict:, reason:"},
	{KS_IMPORT, REQ_ENTER, 0,
	 "diff the item with the target (:diff preview; a refused one: :diff source)"},
	{KS_GENERIC, REQ_BACK, 27, "drop a running :diff fetch, else go back"},
};

const char *keymap_binding_help(const struct keymap_binding *b)
{
	for (size_t i = 0; i < ARRAY_SIZE(binding_help); i++)
		if (binding_help[i].scope == b->scope && binding_help[i].req == b->req &&
		    (!binding_help[i].key || binding_help[i].key == b->key))
			return binding_help[i].help;
	return keymap_request_help(b->req);
}

const char *keymap_request_name(enum request r)
{
	return (size_t)r < ARRAY_SIZE(requests) ? requests[r].name : "?";
}

const char *keymap_request_help(enum request r)
{
	return (size_t)r < ARRAY_SIZE(requests) ? requests[r].help : "";
}

int keymap_request_acts(enum request r)
{
	return (size_t)r < ARRAY_SIZE(requests) && (requests[r].flags & KM_ACT);
}

enum request keymap_request_by_name(const char *name)
{
	for (size_t i = 1; i < ARRAY_SIZE(requests); i++)
		if (!strcmp(requests[i].name, name))
			return (enum request)i;
	return REQ_NONE;
}

const char *keymap_scope_name(enum keymap_scope s)
{
	return (size_t)s < ARRAY_SIZE(scope_names) ? scope_names[s] : "?";
}

enum request keymap_lookup(enum keymap_scope scope, int key)
{
	for (size_t i = 0; i < ARRAY_SIZE(bindings); i++)
		if (bindings[i].scope == scope && bindings[i].key == key)
			return bindings[i].req;
	for (size_t i = 0; i < ARRAY_SIZE(bindings); i++)
		if (bindings[i].scope == KS_GENERIC && bindings[i].key == key)
			return bindings[i].req;
	return REQ_NONE;
}

size_t keymap_bindings(enum keymap_scope scope, const struct keymap_binding **out,
		       size_t max)
{
	size_t n = 0;
	for (int pass = 0; pass < 2; pass++) {
		enum keymap_scope want = pass == 0 ? scope : KS_GENERIC;
		if (pass == 1 && scope == KS_GENERIC)
			break;
		for (size_t i = 0; i < ARRAY_SIZE(bindings) && n < max; i++) {
			if (bindings[i].scope != want)
				continue;
			/* a generic key the view rebinds is not listed twice */
			if (pass == 1 && keymap_lookup(scope, bindings[i].key) != bindings[i].req)
				continue;
			out[n++] = &bindings[i];
		}
	}
	return n;
}

static const struct {
	int key;
	const char *name;
} key_names[] = {
	{KEY_UP, "Up"},       {KEY_DOWN, "Down"},   {KEY_LEFT, "Left"},
	{KEY_RIGHT, "Right"}, {KEY_PPAGE, "PgUp"},  {KEY_NPAGE, "PgDn"},
	{KEY_HOME, "Home"},   {KEY_END, "End"},     {KEY_ENTER, "KpEnter"},
	{'\n', "Enter"},      {' ', "Space"},       {27, "Esc"},
	{'\t', "Tab"},        {KEY_BACKSPACE, "Bksp"}, {127, "Bksp"},
};

void keymap_key_name(int key, char *buf, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(key_names); i++)
		if (key_names[i].key == key) {
			snprintf(buf, size, "%s", key_names[i].name);
			return;
		}
	if (key > 0 && key < 32)
		snprintf(buf, size, "C-%c", key + 'a' - 1);
	else if (key > 32 && key < 127)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "#%d", key);
}
