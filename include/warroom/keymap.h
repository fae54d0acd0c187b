/* keymap — every request the console understands and the keys bound to it,
 * declared once: the REQUESTS table yields the enum, the names used by the
 * `:` command line and the help text; the bindings table says which key asks
 * for which request in which view. `?` is drawn from the same tables. */
#ifndef WARROOM_KEYMAP_H
#define WARROOM_KEYMAP_H

#include <stddef.h>

/* Request flags: an ACT request changes shared state, so an observer's
 * console answers it with "read-only" and does nothing. */
#define KM_NAV 0
#define KM_ACT 1

/* _(ENUM, name, flags, help) */
#define REQUESTS(_)                                                                \
	_(NONE, "none", KM_NAV, "nothing")                                          \
	_(MOVE_UP, "up", KM_NAV, "move up one row")                                 \
	_(MOVE_DOWN, "down", KM_NAV, "move down one row")                           \
	_(PAGE_UP, "page-up", KM_NAV, "move up one page")                           \
	_(PAGE_DOWN, "page-down", KM_NAV, "move down one page")                     \
	_(HOME, "home", KM_NAV, "go to the first row")                              \
	_(END, "end", KM_NAV, "go to the last row")                                 \
	_(ENTER, "enter", KM_NAV, "open the selected row")                          \
	_(BACK, "back", KM_NAV, "back to the dashboard (from ?, to its view); there, leave") \
	_(QUIT, "quit", KM_NAV, "leave the console")                                \
	_(HELP, "help", KM_NAV, "list the keys of this view")                       \
	_(PROMPT, "prompt", KM_NAV, "open the : command line")                      \
	_(FILTER, "filter", KM_NAV, "filter rows: text or column:value")            \
	_(SORT_NEXT, "sort-next", KM_NAV, "sort by the next column")                \
	_(SORT_PREV, "sort-prev", KM_NAV, "sort by the previous column")            \
	_(SORT_FLIP, "sort-flip", KM_NAV, "reverse the sort order")                 \
	_(GROUP, "group", KM_NAV, "group rows by wave (toggle)")                    \
	_(SELECT, "select", KM_NAV, "mark or unmark the row for a group action")     \
	_(SELECT_ALL, "select-all", KM_NAV, "mark every shown row, or clear marks")  \
	_(REDRAW, "redraw", KM_NAV, "redraw the whole screen")                      \
	_(VIEW_ACCOUNTS, "accounts", KM_NAV, "accounts dashboard")                  \
	_(VIEW_RUN, "run", KM_NAV, "run view of the selected account")              \
	_(VIEW_GATE, "gate", KM_NAV, "go/no-go checklist of the next gate")          \
	_(VIEW_DIFF, "diff", KM_NAV, "diff pane")                                   \
	_(VIEW_AUDIT, "audit", KM_NAV, "audit log")                                 \
	_(VIEW_EXCEPTIONS, "exceptions", KM_NAV, "exceptions registry")             \
	_(VIEW_MONITOR, "monitor", KM_NAV, "legacy vs new monitoring")              \
	_(VIEW_IMPORT, "import", KM_NAV, "import verdicts of the selected account") \
	_(NEXT_DIFF, "next-diff", KM_NAV, "jump to the next difference")            \
	_(PREV_DIFF, "prev-diff", KM_NAV, "jump to the previous difference")        \
	_(VERBOSE, "verbose", KM_NAV, "show or fold unchanged fields")              \
	_(UNIFIED, "unified", KM_NAV, "one column or side by side")                 \
	_(VERIFY, "verify", KM_NAV, "verify the audit chain")                       \
	_(SCOPE, "scope", KM_NAV, "program or selected account")                    \
	_(GATE_NEXT, "gate-next", KM_NAV, "show the next gate of the plan")          \
	_(GATE_PREV, "gate-prev", KM_NAV, "show the previous gate of the plan")      \
	_(RUN_START, "start", KM_ACT, "start the run of the marked accounts")       \
	_(ROLLBACK, "rollback", KM_ACT, "roll back the selected account")           \
	_(HALT, "halt", KM_ACT, "halt the selected account (veto)")                 \
	_(RESUME, "resume", KM_ACT, "resume a halted or postponed account")         \
	_(TICK, "tick", KM_ACT, "tick the selected manual criterion")               \
	_(SIGN, "sign", KM_ACT, "sign the gate (asks for the account id)")          \
	_(REJECT, "reject", KM_ACT, "reject the gate (asks for a reason)")          \
	_(EXC_ADD, "exception-add", KM_ACT, "register an exception")                \
	_(EXC_CLOSE, "exception-close", KM_ACT, "close the selected exception")

#define KM_ENUM(e, name, flags, help) REQ_##e,
enum request { REQUESTS(KM_ENUM) REQ__COUNT };
#undef KM_ENUM

/* Where a binding applies. KS_GENERIC bindings apply in every view unless the
 * view binds the same key itself. */
#define KEYMAP_SCOPES(_)                                                           \
	_(GENERIC, "generic")                                                       \
	_(ACCOUNTS, "accounts")                                                     \
	_(RUN, "run")                                                               \
	_(GATE, "gate")                                                             \
	_(DIFF, "diff")                                                             \
	_(AUDIT, "audit")                                                           \
	_(EXCEPTIONS, "exceptions")                                                 \
	_(MONITOR, "monitor")                                                       \
	_(IMPORT, "import")                                                         \
	_(HELP, "help")

#define KM_SCOPE_ENUM(e, name) KS_##e,
enum keymap_scope { KEYMAP_SCOPES(KM_SCOPE_ENUM) KS__COUNT };
#undef KM_SCOPE_ENUM

struct keymap_binding {
	enum keymap_scope scope;
	int key; /* a character or an ncurses KEY_* code */
	enum request req;
};

const char *keymap_request_name(enum request r);
const char *keymap_request_help(enum request r);
int keymap_request_acts(enum request r); /* changes shared state? */
/* By name as typed on the command line; REQ_NONE when unknown. */
enum request keymap_request_by_name(const char *name);
const char *keymap_scope_name(enum keymap_scope s);

/* The request a key asks for in a view (view binding first, then generic). */
enum request keymap_lookup(enum keymap_scope scope, int key);
/* The bindings that apply in a view, the view's own first, each key once;
 * returns how many were written to out (at most max; no view has more than
 * KEYMAP_VIEW_MAX). */
#define KEYMAP_VIEW_MAX 128
size_t keymap_bindings(enum keymap_scope scope, const struct keymap_binding **out,
		       size_t max);
/* What the binding does in its view: the view's own words when it has
 * them, else the request's help. */
const char *keymap_binding_help(const struct keymap_binding *b);
/* "j", "Down", "C-l", "Enter", "Space"... (buf >= 16) */
void keymap_key_name(int key, char *buf, size_t size);

#endif
