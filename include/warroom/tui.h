/* tui — the war-room console: `warroom console` (operator) and `warroom
 * observe` (read-only). One event loop, a stack-free set of views each
 * described by a `struct view_ops` table (tig's shape), a header always on
 * top, a status line and a `:` command line at the bottom. This header is
 * the console's public face and the contract between tui.c and the views. */
#ifndef WARROOM_TUI_H
#define WARROOM_TUI_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "warroom/dash.h"
#include "warroom/keymap.h"
#include "warroom/samples.h"
#include "warroom/theme.h"
#include "warroom/util.h"

struct account;
struct program;
struct runner;
struct store;

struct tui_opts {
	const char *program_path; /* a program folder or plan file; NULL with diff_left */
	const char *db_path;      /* NULL: store_default_path */
	const char *theme;        /* NAME or PATH; NULL: config file, else "default" */
	int observer;             /* read-only store, every action refused */
	int bench_first_frame;    /* draw one frame, print its time to stderr, exit */
	const char *diff_left, *diff_right; /* open only the diff pane on two files */
	const char *start_view;   /* a view name to open first */
};

/* Runs the console until the user quits; returns the exit code. The
 * terminal is restored on every way out, fatal signals included. */
int tui_run(const struct tui_opts *o);

/* ---- for the views ------------------------------------------------------ */

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24

enum tui_view_id {
	TV_ACCOUNTS,
	TV_RUN,
	TV_GATE,
	TV_DIFF,
	TV_AUDIT,
	TV_EXCEPTIONS,
	TV_MONITOR,
	TV_IMPORT,
	TV_HELP,
	TV__COUNT
};

struct tui;
struct view;

struct view_ops {
	const char *name;           /* as typed after ':' */
	const char *title;
	enum keymap_scope scope;
	void (*open)(struct tui *t, struct view *v);   /* first visit: allocate priv */
	void (*close)(struct tui *t, struct view *v);  /* free priv */
	/* data changed (another console committed, or this one acted) */
	void (*reload)(struct tui *t, struct view *v);
	void (*draw)(struct tui *t, struct view *v, int y, int x, int h, int w);
	/* 1 when the view handled the request */
	int (*request)(struct tui *t, struct view *v, enum request r);
	/* the `/` filter text changed */
	void (*filter)(struct tui *t, struct view *v, const char *text);
	/* work done in slices (e.g. verifying the audit chain): called every
	 * loop turn, for about budget_us; 1 while more is left, so the loop
	 * does not sleep */
	int (*tick)(struct tui *t, struct view *v, int64_t budget_us);
};

struct view {
	const struct view_ops *ops;
	void *priv;
	int opened;
	long cursor, top;   /* list position, kept by tui_list_request */
	long rows;          /* rows the view shows now */
	int page;           /* rows visible */
};

/* What a typed-line prompt does with the text when Enter is pressed. */
typedef void (*tui_prompt_fn)(struct tui *t, void *ctx, const char *text);

struct tui {
	const struct tui_opts *opts;
	const struct program *program; /* NULL in diff-only mode */
	struct store *store;        /* NULL in diff-only mode */
	struct runner *runner;      /* operators: drives runs; NULL for observers */
	struct program *own_program; /* observers load the program themselves */
	char *db_path;
	const char *login, *role;   /* role: "operator" or "observer" */
	int observer;
	int utf8;
	int colors;                 /* 0 (none), 8, 16, 256 */
	struct theme theme;
	attr_t attr[ROLE__COUNT];
	struct view views[TV__COUNT];
	enum tui_view_id current, previous;
	int64_t data_version;
	int64_t generation;         /* bumped by every reload: caches key on it */
	long consoles;              /* operator consoles with a fresh heartbeat; -1 unknown */
	int64_t console_id;         /* our heartbeat row; 0 for observers */
	char msg[256];
	int msg_error;
	int64_t msg_ms;             /* when msg was set (monotonic): a fetch's clock takes the line back */
	int dirty;
	int quit;
	char *selected_account;     /* chosen on the dashboard, for run/gate/monitor */
	/* facts every view shares, re-read when the store changed */
	struct dash_runs runs;
	long exc_open, exc_expired;  /* -1 unknown */
	struct sample_list latest;   /* every series' newest sample (samples.h) */
	double pass_rate;            /* program invariant pass rate, from latest */
	int64_t evaluated;           /* 0: nothing measured yet */
};

/* A message on the status line (is_error draws it in the fail role). */
void tui_message(struct tui *t, int is_error, const char *fmt, ...) PRINTF_LIKE(3, 4);
/* Opens a one-line prompt at the bottom; fn gets the text on Enter, nothing
 * on Esc. ctx is borrowed. */
void tui_prompt(struct tui *t, const char *label, tui_prompt_fn fn, void *ctx);
/* Switches views (opening it the first time). */
void tui_show(struct tui *t, enum tui_view_id id);
/* Shared list movement: handles up/down/page/home/end over v->rows. */
int tui_list_request(struct view *v, enum request r);
/* Keeps the cursor visible in a window of h rows. */
void tui_list_scroll(struct view *v, int h);
/* Puts text fitted to w columns at y,x in a role (with a reverse cursor). */
void tui_put(struct tui *t, int y, int x, int w, enum theme_role role, const char *s);
/* A typed `/` filter into a view's buffer of size bytes: 0, or -1 with a
 * message on the status line when it does not fit (the old filter kept). */
int tui_filter_take(struct tui *t, char *dst, size_t size, const char *text);
/* Refuses an action in an observer console; returns 1 when refused. */
int tui_refuse_readonly(struct tui *t);
/* The account the run, gate and monitor views show: the one chosen on the
 * dashboard, else the program's first; NULL when the program has none. */
const struct account *tui_account(struct tui *t);
/* Forces a reload of every opened view now. */
void tui_reload(struct tui *t);
/* The `:` commands, for `?`: the i-th one as typed (":diff snapshot|source
 * TYPE ID") appended to usage, what it does in *what; 0 past the end. From
 * the same tables that run and complete them. */
int tui_command_help(size_t i, struct strbuf *usage, const char **what);
/* The keys of a typed line (the `:` command line, a prompt), for `?`: the
 * i-th action's keys ("Esc C-g") appended to keys, what it does in *what;
 * 0 past the end. From the table that routes them. */
int tui_prompt_key_help(size_t i, struct strbuf *keys, const char **what);

/* ---- operator actions (actions.c), through the runner ------------------ */

/* Starts accounts; one account asks for its id typed out first, which also
 * confirms its cut-over steps. */
void tui_act_start(struct tui *t, const char *const *accounts, size_t n);
/* Rolls the account's current phase back, after its id is typed out. */
void tui_act_rollback(struct tui *t, const char *account);
/* Halts (stop the line) with a reason asked for; resume lifts a halt. */
void tui_act_halt(struct tui *t, const char *account);
void tui_act_resume(struct tui *t, const char *account);
/* Ticks a manual row of a step, asked for by number or text. */
void tui_act_tick_step(struct tui *t, const char *account, const char *step_id);
/* `:wave NAME start|throttle N|postpone|resume|halt`, the wave name typed out. */
void tui_act_wave(struct tui *t, const char *args);
/* `:reconcile STEP done|rerun|rollback` for an account a crash left unknown. */
void tui_act_reconcile(struct tui *t, const char *account, const char *args);
/* After a person unblocked an account (a tick, a sign-off), its run goes on. */
void tui_act_continue(struct tui *t, const char *account);
/* The runner's confirmation callback: 1 for accounts typed out here. */
int tui_confirm_cutover(void *ctx, const char *target, const char *what);
void tui_actions_free(void);

extern const struct view_ops view_accounts_ops, view_run_ops, view_gate_ops, view_diff_ops,
	view_audit_ops, view_exceptions_ops, view_monitor_ops, view_import_ops, view_help_ops;

/* The header (always on top): rows it took. */
int view_header_draw(struct tui *t, int w);
/* Diff pane input: two JSON texts to compare, with their labels. */
void view_diff_set(struct tui *t, const char *left_label, const char *left,
		   const char *right_label, const char *right);
/* `:diff snapshot TYPE ID` (the account's cutover snapshot against the
 * target now) and `:diff source TYPE ID` (the reference dataset against the
 * target's copy in canonical shape), for tui_account(t). Reads only. Local
 * reads happen here; the HTTP runs on a worker thread and the answer is
 * shown by view_diff_poll, so this returns at once. A new request
 * supersedes one still running; every failure is a message on the status
 * line. */
void view_diff_command(struct tui *t, const char *args);
#define VIEW_DIFF_MSG_HOLD_MS 2000
/* Each turn of the event loop: shows a finished fetch (a superseded one is
 * dropped, never drawn) and keeps "fetching ... 1.2s" on the status line; a
 * message shown meanwhile holds the line for VIEW_DIFF_MSG_HOLD_MS, then the
 * clock comes back.
 * 1 while a fetch runs, so the loop comes back within a tenth of a second. */
int view_diff_poll(struct tui *t);
/* Esc while a fetch runs drops it: 1, or 0 when none was running. */
int view_diff_cancel(struct tui *t);
/* On the way out: interrupts every fetch and joins its thread. */
void view_diff_stop(void);
/* The words after `:diff`, for completion: the i-th, NULL past the end. */
const char *view_diff_kind(size_t i);

#endif
