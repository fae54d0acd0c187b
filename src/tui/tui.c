/* tui — the console's frame: terminal set-up and restore (also on fatal
 * signals), the one event loop (keyboard + a timer that polls the store's
 * data_version), view switching, the status line, the `:` command line with
 * Tab completion, and live theme switching. Views draw; this file routes. */
#include "warroom/tui.h"

#include <errno.h>
#include <langinfo.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "warroom/audit.h"
#include "warroom/dash.h"
#include "warroom/entity.h"
#include "warroom/exceptions.h"
#include "warroom/ident.h"
#include "warroom/plan.h"
#include "warroom/runner.h"
#include "warroom/samples.h"
#include "warroom/store.h"
#include "warroom/widgets.h"

#define POLL_DATA_MS 250     /* other consoles' commits show within a second */
#define POLL_FETCH_MS 100    /* a background fetch: its clock ticks, its answer shows */
#define HEARTBEAT_MS 5000
#define CONSOLE_FRESH_MS 15000
#define TICK_BUDGET_US 8000  /* a view's sliced work per loop turn: keys still answer in a frame */

static const struct view_ops *const view_table[TV__COUNT] = {
	[TV_ACCOUNTS] = &view_accounts_ops,   [TV_RUN] = &view_run_ops,
	[TV_GATE] = &view_gate_ops,           [TV_DIFF] = &view_diff_ops,
	[TV_AUDIT] = &view_audit_ops,         [TV_EXCEPTIONS] = &view_exceptions_ops,
	[TV_MONITOR] = &view_monitor_ops,     [TV_IMPORT] = &view_import_ops,
	[TV_HELP] = &view_help_ops,
};

/* Requests that switch views, as data. */
static const struct {
	enum request req;
	enum tui_view_id view;
} view_requests[] = {
	{REQ_VIEW_ACCOUNTS, TV_ACCOUNTS}, {REQ_VIEW_RUN, TV_RUN},
	{REQ_VIEW_GATE, TV_GATE},         {REQ_VIEW_DIFF, TV_DIFF},
	{REQ_VIEW_AUDIT, TV_AUDIT},       {REQ_VIEW_EXCEPTIONS, TV_EXCEPTIONS},
	{REQ_VIEW_MONITOR, TV_MONITOR},   {REQ_VIEW_IMPORT, TV_IMPORT},
	{REQ_HELP, TV_HELP},
};

/* ---- restoring the terminal -------------------------------------------- */

static struct termios saved_termios;
static int have_termios;
static volatile sig_atomic_t in_curses;
static volatile sig_atomic_t got_signal;

/* Async-signal-safe: leave the alternate screen, show the cursor, reset
 * attributes, restore the line discipline. endwin() is not safe here. */
static void restore_raw(void)
{
	static const char reset[] = "\033[0m\033[?25h\033[?1049l\r\n";
	if (!in_curses)
		return;
	in_curses = 0;
	ssize_t rc = write(STDOUT_FILENO, reset, sizeof(reset) - 1);
	(void)rc;
	if (have_termios)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

static void on_fatal(int sig)
{
	restore_raw();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_quit_signal(int sig)
{
	got_signal = sig;
}

static void on_exit_restore(void)
{
	if (in_curses) {
		endwin();
		in_curses = 0;
	}
}

static void install_signals(void)
{
	static const int fatal[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGQUIT};
	static const int quit[] = {SIGTERM, SIGINT, SIGHUP};
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < ARRAY_SIZE(fatal); i++)
		sigaction(fatal[i], &sa, NULL);
	sa.sa_handler = on_quit_signal;
	sa.sa_flags = 0;
	for (size_t i = 0; i < ARRAY_SIZE(quit); i++)
		sigaction(quit[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	atexit(on_exit_restore);
}

/* ---- colours -------------------------------------------------------------- */

static int detect_colors(void)
{
	const char *nc = getenv("NO_COLOR");
	if ((nc && *nc) || !has_colors())
		return 0;
	if (start_color() == ERR)
		return 0;
	use_default_colors();
	return COLORS >= 256 ? 256 : COLORS >= 16 ? 16 : COLORS >= 8 ? 8 : 0;
}

static attr_t attrs_of(unsigned a)
{
	attr_t r = A_NORMAL;
	if (a & THEME_BOLD)
		r |= A_BOLD;
	if (a & THEME_UNDERLINE)
		r |= A_UNDERLINE;
	if (a & THEME_REVERSE)
		r |= A_REVERSE;
	if (a & THEME_DIM)
		r |= A_DIM;
	return r;
}

static void apply_theme(struct tui *t)
{
	for (int r = 0; r < ROLE__COUNT; r++) {
		const struct theme_style *s = &t->theme.style[r];
		if (!t->colors) {
			t->attr[r] = attrs_of(theme_mono_attrs((enum theme_role)r));
			continue;
		}
		unsigned extra = s->attrs;
		short fg = theme_map_color(s->fg, t->colors, &extra);
		unsigned ignored = 0;
		short bg = theme_map_color(s->bg, t->colors, &ignored);
		init_pair((short)(r + 1), fg, bg);
		t->attr[r] = COLOR_PAIR(r + 1) | attrs_of(extra);
	}
	bkgdset(' ' | t->attr[ROLE_NORMAL]);
	t->dirty = 1;
}

/* Loads a theme by name or path; on error keeps the current one. */
static int load_theme(struct tui *t, const char *name, struct err *e)
{
	char path[4096];
	if (theme_resolve(name, path, sizeof(path), e) < 0)
		return -1;
	struct diags d = {0};
	struct theme nt;
	if (theme_load_file(path, &nt, &d) < 0) {
		if (d.n)
			err_set(e, "%s:%d:%d: %s", d.v[0].file ? d.v[0].file : path, d.v[0].line,
				d.v[0].col, d.v[0].msg);
		else
			err_set(e, "%s: cannot be loaded", path);
		diags_free(&d);
		theme_free(&nt);
		return -1;
	}
	diags_free(&d);
	theme_free(&t->theme);
	t->theme = nt;
	return 0;
}

/* ---- messages, prompt ------------------------------------------------------ */

void tui_message(struct tui *t, int is_error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof(t->msg), fmt, ap);
	va_end(ap);
	t->msg_error = is_error;
	t->msg_ms = util_mono_ms();
	t->dirty = 1;
}

int tui_refuse_readonly(struct tui *t)
{
	if (!t->observer)
		return 0;
	tui_message(t, 1, "read-only: this is an observer console; nothing was changed");
	return 1;
}

int tui_filter_take(struct tui *t, char *dst, size_t size, const char *text)
{
	/* cut short, it would filter by other words than the ones typed */
	if (strlen(text) >= size) {
		tui_message(t, 1, "a filter is at most %zu bytes; this one is %zu (the filter is unchanged)",
			    size - 1, strlen(text));
		return -1;
	}
	memcpy(dst, text, strlen(text) + 1);
	return 0;
}

static struct {
	int active;
	char label[64];
	struct strbuf text;
	tui_prompt_fn fn;
	void *ctx;
	int is_command; /* Tab completes commands */
} prompt;

void tui_prompt(struct tui *t, const char *label, tui_prompt_fn fn, void *ctx)
{
	prompt.active = 1;
	snprintf(prompt.label, sizeof(prompt.label), "%s", label);
	sb_reset(&prompt.text);
	prompt.fn = fn;
	prompt.ctx = ctx;
	prompt.is_command = 0;
	curs_set(1);
	t->dirty = 1;
}

/* ---- views ------------------------------------------------------------------ */

/* A view by the name typed after ':' or given to --view; -1 when none. */
static int view_by_name(const char *name)
{
	for (int i = 0; i < TV__COUNT; i++)
		if (!strcmp(name, view_table[i]->name))
			return i;
	return -1;
}

/* Views re-read when shown: the account may have changed, or (help) the
 * view whose keys are listed. */
static const int reread_on_show[TV__COUNT] = {[TV_RUN] = 1, [TV_GATE] = 1, [TV_MONITOR] = 1,
					      [TV_IMPORT] = 1, [TV_HELP] = 1};
/* Views that open at their first row each time: help lists another view's
 * keys each time it is opened. */
static const int top_on_show[TV__COUNT] = {[TV_HELP] = 1};

void tui_show(struct tui *t, enum tui_view_id id)
{
	struct view *v = &t->views[id];
	if (top_on_show[id] && id != t->current)
		v->cursor = v->top = 0;
	/* first, so a view reading on show knows where it was opened from */
	if (id != t->current && t->current != TV_HELP)
		t->previous = t->current;
	t->current = id;
	if (!v->opened) {
		v->ops = view_table[id];
		if (v->ops->open)
			v->ops->open(t, v);
		v->opened = 1;
		if (v->ops->reload)
			v->ops->reload(t, v);
	} else if (reread_on_show[id] && v->ops->reload) {
		v->ops->reload(t, v);
	}
	t->dirty = 1;
}

static void reload_facts(struct tui *t)
{
	if (!t->store)
		return;
	struct err e = {{0}};
	dash_runs_free(&t->runs);
	if (dash_runs_load(t->store, &t->runs, &e) < 0)
		tui_message(t, 1, "%s", e.msg);
	struct exception_list open = {0}, expired = {0};
	int64_t now = util_now_ms();
	t->exc_open = exceptions_list(t->store, EXC_OPEN, now, &open, &e) == 0 ? (long)open.n : -1;
	t->exc_expired =
		exceptions_list(t->store, EXC_EXPIRED, now, &expired, &e) == 0 ? (long)expired.n : -1;
	exception_list_free(&open);
	exception_list_free(&expired);
	/* read once here: the header's pass rate and integration counts and the
	 * dashboard's rows all come from it */
	sample_list_free(&t->latest);
	if (samples_latest_all(t->store, NULL, &t->latest, &e) < 0)
		tui_message(t, 1, "%s", e.msg);
	int64_t passed = 0;
	sample_list_pass_rate(&t->latest, &t->pass_rate, &passed, &t->evaluated);
}

const struct account *tui_account(struct tui *t)
{
	if (!t->program || !t->program->n_accounts)
		return NULL;
	if (t->selected_account)
		for (size_t i = 0; i < t->program->n_accounts; i++)
			if (util_streq(t->program->accounts[i].id, t->selected_account))
				return &t->program->accounts[i];
	return &t->program->accounts[0];
}

void tui_reload(struct tui *t)
{
	t->generation++;
	reload_facts(t);
	for (int i = 0; i < TV__COUNT; i++)
		if (t->views[i].opened && t->views[i].ops->reload)
			t->views[i].ops->reload(t, &t->views[i]);
	t->dirty = 1;
}

int tui_list_request(struct view *v, enum request r)
{
	long page = v->page > 1 ? v->page - 1 : 1;
	switch (r) {
	case REQ_MOVE_UP: v->cursor--; break;
	case REQ_MOVE_DOWN: v->cursor++; break;
	case REQ_PAGE_UP: v->cursor -= page; break;
	case REQ_PAGE_DOWN: v->cursor += page; break;
	case REQ_HOME: v->cursor = 0; break;
	case REQ_END: v->cursor = v->rows - 1; break;
	default: return 0;
	}
	if (v->cursor >= v->rows)
		v->cursor = v->rows - 1;
	if (v->cursor < 0)
		v->cursor = 0;
	return 1;
}

void tui_list_scroll(struct view *v, int h)
{
	v->page = h;
	if (v->cursor >= v->rows)
		v->cursor = v->rows > 0 ? v->rows - 1 : 0;
	if (v->cursor < v->top)
		v->top = v->cursor;
	if (h > 0 && v->cursor >= v->top + h)
		v->top = v->cursor - h + 1;
	if (v->top > 0 && v->top + h > v->rows)
		v->top = v->rows - h > 0 ? v->rows - h : 0;
}

void tui_put(struct tui *t, int y, int x, int w, enum theme_role role, const char *s)
{
	if (w <= 0)
		return;
	struct strbuf sb = {0};
	widgets_fit(&sb, s, w, t->utf8, 0);
	attrset(t->attr[role]);
	mvaddstr(y, x, sb_str(&sb));
	attrset(t->attr[ROLE_NORMAL]);
	sb_release(&sb);
}

/* ---- the command line ------------------------------------------------------- */

static void cmd_theme(struct tui *t, const char *arg)
{
	if (!*arg) {
		tui_message(t, 0, "theme: %s (:theme NAME to switch)", t->theme.name);
		return;
	}
	struct err e = {{0}};
	if (load_theme(t, arg, &e) < 0) {
		tui_message(t, 1, "%s", e.msg);
		return;
	}
	apply_theme(t);
	tui_message(t, 0, "theme %s", t->theme.name);
}

static void cmd_wave(struct tui *t, const char *arg)
{
	tui_act_wave(t, arg);
}

static void cmd_reconcile(struct tui *t, const char *arg)
{
	const struct account *ac = tui_account(t);
	tui_act_reconcile(t, ac ? ac->id : NULL, arg);
}

/* `:diff` alone shows the pane; with words it fetches what to compare. */
static void cmd_diff(struct tui *t, const char *arg)
{
	view_diff_command(t, arg);
}

/* The words after `:diff`, from the diff pane's kinds. */
static void usage_diff(struct strbuf *sb)
{
	for (size_t i = 0; view_diff_kind(i); i++)
		sb_addf(sb, "%s%s", i ? "|" : "", view_diff_kind(i));
	sb_adds(sb, " TYPE ID");
}

/* Commands that take words after them, as data: what runs them and what
 * `?` says of them. A row whose needs_arg is set and that is typed alone
 * falls through to the view of that name. */
static const struct {
	const char *word;
	void (*run)(struct tui *t, const char *arg);
	int acts;      /* changes something: refused in an observer console */
	int needs_arg;
	const char *args;                 /* the words after it, for `?` */
	void (*args_from)(struct strbuf *sb); /* or made from another table */
	const char *help;
} arg_commands[] = {
	{"theme", cmd_theme, 0, 0, "[NAME]", NULL, "show or switch the colour theme"},
	{"wave", cmd_wave, 1, 0, "NAME start|throttle N|postpone|resume|halt", NULL,
	 "act on a wave, its name typed out"},
	{"reconcile", cmd_reconcile, 1, 0, "STEP done|rerun|rollback", NULL,
	 "settle a step of the selected account a crash left unknown"},
	{"diff", cmd_diff, 0, 1, NULL, usage_diff,
	 "compare an entity of the selected account with the target now (in the background)"},
};

static const char *const quit_words[] = {"q", "quit"};

int tui_command_help(size_t i, struct strbuf *usage, const char **what)
{
	if (i < ARRAY_SIZE(view_requests)) {
		sb_addf(usage, ":%s", view_table[view_requests[i].view]->name);
		*what = keymap_request_help(view_requests[i].req);
		return 1;
	}
	i -= ARRAY_SIZE(view_requests);
	if (i < ARRAY_SIZE(arg_commands)) {
		sb_addf(usage, ":%s ", arg_commands[i].word);
		if (arg_commands[i].args_from)
			arg_commands[i].args_from(usage);
		else
			sb_adds(usage, arg_commands[i].args);
		*what = arg_commands[i].help;
		return 1;
	}
	if (i == ARRAY_SIZE(arg_commands)) {
		sb_adds(usage, ":q");
		*what = keymap_request_help(REQ_QUIT);
		return 1;
	}
	return 0;
}

/* Completion of a command's words: each returns the candidates for the
 * word being typed and where that word starts in rest. */
static size_t complete_themes(const char *rest, const char **stem, char ***out)
{
	*stem = rest;
	return theme_list(out);
}

static size_t complete_diff(const char *rest, const char **stem, char ***out)
{
	const char *sp = strchr(rest, ' ');
	size_t n = 0;
	if (!sp) { /* the kind */
		*stem = rest;
		while (view_diff_kind(n))
			n++;
		*out = xcalloc(n + 1, sizeof(**out));
		for (size_t i = 0; i < n; i++)
			(*out)[i] = xstrdup(view_diff_kind(i));
		return n;
	}
	while (view_diff_kind(n) && strncmp(view_diff_kind(n), rest, (size_t)(sp - rest)))
		n++;
	if (!view_diff_kind(n) || strlen(view_diff_kind(n)) != (size_t)(sp - rest) ||
	    strchr(sp + 1, ' '))
		return 0; /* an unknown kind, or past the type: ids are not listed */
	*stem = sp + 1;
	*out = xcalloc(ENTITY_TYPE_COUNT + 1, sizeof(**out));
	for (int i = 0; i < ENTITY_TYPE_COUNT; i++)
		(*out)[i] = xstrdup(entity_type_plural((enum entity_type)i));
	return ENTITY_TYPE_COUNT;
}

/* What Tab offers after a command word (a candidate list, freed with
 * theme_names_free). last: the completed word ends the line. */
static const struct {
	const char *prefix;
	size_t (*list)(const char *rest, const char **stem, char ***out);
	int last;
} arg_completions[] = {
	{"theme ", complete_themes, 1},
	{"diff ", complete_diff, 0},
};

static void run_command(struct tui *t, void *ctx, const char *text)
{
	(void)ctx;
	while (*text == ' ')
		text++;
	char word[32] = "";
	const char *arg = "";
	size_t n = strcspn(text, " ");
	if (n >= sizeof(word)) {
		tui_message(t, 1, "unknown command '%s'", text);
		return;
	}
	memcpy(word, text, n);
	word[n] = '\0';
	arg = text + n;
	while (*arg == ' ')
		arg++;
	if (!*word)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(quit_words); i++)
		if (!strcmp(word, quit_words[i])) {
			t->quit = 1;
			return;
		}
	for (size_t i = 0; i < ARRAY_SIZE(arg_commands); i++) {
		if (strcmp(word, arg_commands[i].word) || (arg_commands[i].needs_arg && !*arg))
			continue;
		if (arg_commands[i].acts && tui_refuse_readonly(t))
			return;
		arg_commands[i].run(t, arg);
		return;
	}
	int view = view_by_name(word);
	if (view >= 0) {
		tui_show(t, (enum tui_view_id)view);
		return;
	}
	/* any request by name, so every key has a typed form too */
	enum request r = keymap_request_by_name(word);
	if (r != REQ_NONE) {
		struct view *v = &t->views[t->current];
		if (keymap_request_acts(r) && tui_refuse_readonly(t))
			return;
		if (!v->ops->request || !v->ops->request(t, v, r))
			tui_message(t, 1, "'%s' does nothing in the %s view", word, v->ops->name);
		return;
	}
	tui_message(t, 1, "unknown command '%s' (Tab completes; :help lists keys)", word);
}

/* A candidate for Tab, once, when it starts with the stem. */
static void offer(const char **cands, size_t *nc, size_t max, const char *word, const char *stem)
{
	if (*nc >= max || !util_has_prefix(word, stem))
		return;
	for (size_t i = 0; i < *nc; i++)
		if (!strcmp(cands[i], word))
			return;
	cands[(*nc)++] = word;
}

/* Tab: complete the command word (views, commands, q), or a command's next
 * word (arg_completions). */
static void complete(struct tui *t)
{
	const char *s = sb_str(&prompt.text);
	const char *cands[64];
	size_t nc = 0;
	char **words = NULL;
	size_t nw = 0;
	const char *stem = s;
	int last = 0;
	size_t k = 0;
	while (k < ARRAY_SIZE(arg_completions) && !util_has_prefix(s, arg_completions[k].prefix))
		k++;
	if (k < ARRAY_SIZE(arg_completions)) {
		nw = arg_completions[k].list(s + strlen(arg_completions[k].prefix), &stem, &words);
		last = arg_completions[k].last;
		for (size_t i = 0; i < nw; i++)
			offer(cands, &nc, ARRAY_SIZE(cands), words[i], stem);
	} else {
		for (int i = 0; i < TV__COUNT; i++)
			offer(cands, &nc, ARRAY_SIZE(cands), view_table[i]->name, stem);
		for (size_t i = 0; i < ARRAY_SIZE(arg_commands); i++)
			offer(cands, &nc, ARRAY_SIZE(cands), arg_commands[i].word, stem);
		for (size_t i = 0; i < ARRAY_SIZE(quit_words); i++)
			offer(cands, &nc, ARRAY_SIZE(cands), quit_words[i], stem);
	}
	/* the line up to the word being completed stays as typed */
	int kept = (int)(stem - s);
	if (nc == 1) {
		/* a completed word is followed by a space, unless it ends the line */
		char *full = xasprintf("%.*s%s%s", kept, s, cands[0], last ? "" : " ");
		sb_reset(&prompt.text);
		sb_adds(&prompt.text, full);
		free(full);
	} else if (nc > 1) {
		/* the longest common prefix, and the choices on the status line */
		size_t common = strlen(cands[0]);
		struct strbuf list = {0};
		for (size_t i = 0; i < nc; i++) {
			size_t j = 0;
			while (j < common && cands[i][j] == cands[0][j])
				j++;
			common = j;
			sb_addf(&list, "%s%s", i ? " " : "", cands[i]);
		}
		char *full = xasprintf("%.*s%.*s", kept, s, (int)common, cands[0]);
		sb_reset(&prompt.text);
		sb_adds(&prompt.text, full);
		free(full);
		tui_message(t, 0, "%s", sb_str(&list));
		sb_release(&list);
	}
	theme_names_free(words, nw);
	t->dirty = 1;
}

#define PROMPT_MAX 512 /* bytes a typed line holds */

static void prompt_cancel(struct tui *t)
{
	(void)t;
	prompt.active = 0;
}

static void prompt_run(struct tui *t)
{
	prompt.active = 0;
	char *text = sb_detach(&prompt.text);
	curs_set(0);
	prompt.fn(t, prompt.ctx, text);
	free(text);
}

/* Drops one UTF-8 character; an emptied `:` line closes. */
static void prompt_erase(struct tui *t)
{
	(void)t;
	while (prompt.text.len > 0) {
		unsigned char c = (unsigned char)prompt.text.buf[--prompt.text.len];
		if ((c & 0xc0) != 0x80)
			break;
	}
	if (prompt.text.buf)
		prompt.text.buf[prompt.text.len] = '\0';
	if (prompt.text.len == 0 && prompt.is_command)
		prompt.active = 0;
}

static void prompt_complete(struct tui *t)
{
	if (prompt.is_command)
		complete(t);
}

static void prompt_clear(struct tui *t)
{
	(void)t;
	sb_reset(&prompt.text);
}

/* The keys of a typed line, as data: what routes them is what `?` lists.
 * Keys sharing an action are listed on its first row. */
static const struct {
	int key;
	void (*run)(struct tui *t);
	const char *help;
} prompt_keys[] = {
	{'\n', prompt_run, "run the command, or answer the question asked"},
	{KEY_ENTER, prompt_run, NULL},
	{27, prompt_cancel, "leave the line, doing nothing"},
	{7, prompt_cancel, NULL}, /* C-g */
	{KEY_BACKSPACE, prompt_erase, "delete the last character (an emptied : line closes)"},
	{127, prompt_erase, NULL},
	{8, prompt_erase, NULL},
	{'\t', prompt_complete, "complete the : command, a theme or :diff's next word"},
	{21, prompt_clear, "clear the line"}, /* C-u */
};

int tui_prompt_key_help(size_t i, struct strbuf *keys, const char **what)
{
	size_t row = 0;
	for (size_t k = 0; k < ARRAY_SIZE(prompt_keys); k++) {
		if (!prompt_keys[k].help)
			continue;
		if (row++ != i)
			continue;
		/* the row's keys: every key with the same action, each name once */
		char names[ARRAY_SIZE(prompt_keys)][16];
		size_t n = 0;
		for (size_t j = 0; j < ARRAY_SIZE(prompt_keys); j++) {
			if (prompt_keys[j].run != prompt_keys[k].run)
				continue;
			keymap_key_name(prompt_keys[j].key, names[n], sizeof(names[n]));
			size_t seen = 0;
			while (seen < n && strcmp(names[seen], names[n]))
				seen++;
			if (seen == n) {
				sb_addf(keys, "%s%s", n ? " " : "", names[n]);
				n++;
			}
		}
		*what = prompt_keys[k].help;
		return 1;
	}
	return 0;
}

static void prompt_key(struct tui *t, int key)
{
	size_t k = 0;
	while (k < ARRAY_SIZE(prompt_keys) && prompt_keys[k].key != key)
		k++;
	if (k < ARRAY_SIZE(prompt_keys)) {
		prompt_keys[k].run(t);
	} else if (key >= 32 && key < 256 && key != 127) {
		if (prompt.text.len < PROMPT_MAX)
			sb_addc(&prompt.text, (char)key);
		else
			beep(); /* the status line is the prompt now: a message would not show */
	}
	if (!prompt.active)
		curs_set(0);
	t->dirty = 1;
}

/* ---- drawing --------------------------------------------------------------- */

static void draw_status(struct tui *t, int rows, int cols)
{
	struct strbuf sb = {0};
	/* most useful first: narrow terminals cut the end */
	sb_addf(&sb, " %s  %s  %s  [%s]  consoles ", t->login, t->role,
		t->observer ? "OBSERVER" : "OPERATOR", t->views[t->current].ops->name);
	if (t->consoles < 0)
		sb_adds(&sb, "—");
	else
		sb_addf(&sb, "%ld", t->consoles);
	sb_addf(&sb, "  ? keys  : command  db %s", t->db_path ? t->db_path : "—");
	tui_put(t, rows - 2, 0, cols, ROLE_STATUS, sb_str(&sb));
	sb_release(&sb);
	if (prompt.active) {
		sb_addf(&sb, "%s%s", prompt.label, sb_str(&prompt.text));
		tui_put(t, rows - 1, 0, cols, ROLE_PROMPT, sb_str(&sb));
		int cx = widgets_width(sb_str(&sb));
		move(rows - 1, cx < cols ? cx : cols - 1);
	} else {
		tui_put(t, rows - 1, 0, cols, t->msg_error ? ROLE_FAIL : ROLE_NORMAL, t->msg);
	}
	sb_release(&sb);
}

static void draw(struct tui *t)
{
	int rows, cols;
	getmaxyx(stdscr, rows, cols);
	erase();
	if (cols < TUI_MIN_COLS || rows < TUI_MIN_ROWS) {
		char buf[128];
		snprintf(buf, sizeof(buf), "warroom needs at least %dx%d; this terminal is %dx%d",
			 TUI_MIN_COLS, TUI_MIN_ROWS, cols, rows);
		mvaddnstr(rows / 2, 0, buf, cols);
		wnoutrefresh(stdscr);
		doupdate();
		return;
	}
	int top = 0;
	if (t->program)
		top = view_header_draw(t, cols);
	struct view *v = &t->views[t->current];
	v->ops->draw(t, v, top, 0, rows - 2 - top, cols);
	draw_status(t, rows, cols);
	wnoutrefresh(stdscr);
	doupdate();
}

/* ---- input ------------------------------------------------------------------ */

static void handle_key(struct tui *t, int key)
{
	if (key == '\r') /* nonl(): Enter arrives as CR */
		key = '\n';
	if (key == KEY_RESIZE) {
		t->dirty = 1;
		return;
	}
	if (prompt.active) {
		prompt_key(t, key);
		return;
	}
	if (key == 27 && view_diff_cancel(t)) /* Esc drops a running fetch first */
		return;
	struct view *v = &t->views[t->current];
	enum request r = keymap_lookup(v->ops->scope, key);
	if (r == REQ_NONE) {
		char name[16];
		keymap_key_name(key, name, sizeof(name));
		tui_message(t, 1, "%s: no such key here; ? lists the keys of this view", name);
		return;
	}
	t->msg[0] = '\0';
	t->dirty = 1;
	if (keymap_request_acts(r) && tui_refuse_readonly(t))
		return;
	if (v->ops->request && v->ops->request(t, v, r))
		return;
	if (tui_list_request(v, r))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(view_requests); i++)
		if (view_requests[i].req == r) {
			tui_show(t, view_requests[i].view);
			return;
		}
	switch (r) {
	case REQ_QUIT:
		t->quit = 1;
		break;
	case REQ_BACK:
		if (t->current == TV_HELP || t->current != TV_ACCOUNTS)
			tui_show(t, t->current == TV_HELP ? t->previous : TV_ACCOUNTS);
		else
			t->quit = 1;
		if (!t->program && t->current == TV_ACCOUNTS)
			t->quit = 1;
		break;
	case REQ_PROMPT:
		tui_prompt(t, ":", run_command, NULL);
		prompt.is_command = 1;
		break;
	case REQ_REDRAW:
		clearok(curscr, TRUE);
		break;
	default:
		tui_message(t, 1, "%s: not available in the %s view", keymap_request_name(r),
			    v->ops->name);
	}
}

/* ---- the loop --------------------------------------------------------------- */

static int runner_worked; /* the runner had work since the last reload */

static void poll_store(struct tui *t, int64_t now)
{
	static int64_t last_poll, last_beat;
	if (!t->store || now - last_poll < POLL_DATA_MS)
		return;
	last_poll = now;
	/* data_version moves only for other connections' commits; this
	 * console's own runner writes through its own connection, so after it
	 * worked the views are re-read on the same cadence */
	int64_t dv = store_data_version(t->store);
	if ((dv >= 0 && dv != t->data_version) || runner_worked) {
		t->data_version = dv;
		runner_worked = 0;
		tui_reload(t);
	}
	if (now - last_beat >= HEARTBEAT_MS) {
		last_beat = now;
		struct err e = {{0}};
		if (t->console_id > 0 && dash_console_heartbeat(t->store, t->console_id, &e) < 0)
			tui_message(t, 1, "%s", e.msg);
		t->consoles = dash_consoles_count(t->store, util_now_ms() - CONSOLE_FRESH_MS, NULL);
		/* our own heartbeat commit moved data_version: not a change to show */
		t->data_version = store_data_version(t->store);
	}
}

/* Views with sliced work go on while the operator moves around. */
static int tick_views(struct tui *t)
{
	int more = 0;
	for (int i = 0; i < TV__COUNT; i++)
		if (t->views[i].opened && t->views[i].ops->tick)
			more |= t->views[i].ops->tick(t, &t->views[i], TICK_BUDGET_US);
	return more;
}

/* Observers load the program and open the store read-only themselves;
 * operators get both from the runner, which drives the runs. */
static int open_observer(struct tui *t, struct err *e)
{
	struct diags d = {0};
	t->own_program = program_load(t->opts->program_path, &d);
	t->program = t->own_program;
	if (!t->program) {
		diags_print(&d, stderr);
		diags_free(&d);
		return err_set(e, "%s: the program has errors (see above)", t->opts->program_path);
	}
	diags_free(&d);
	t->db_path = store_default_path(t->opts->db_path, t->opts->program_path);
	t->store = store_open(t->db_path, STORE_READONLY, e);
	return t->store ? 0 : -1;
}

static int open_operator(struct tui *t, struct err *e)
{
	struct runner_options ro = {.db = t->opts->db_path, .confirm = tui_confirm_cutover,
				    .confirm_ctx = t};
	t->runner = runner_open(t->opts->program_path, &ro, e);
	if (!t->runner)
		return -1;
	t->program = runner_program(t->runner);
	t->store = runner_store(t->runner);
	t->db_path = xstrdup(store_path(t->store));
	const char *why = runner_refusal(t->runner);
	if (why) { /* an observer in the roster, or a store it cannot write */
		t->observer = 1;
		t->role = "observer";
		tui_message(t, 1, "read-only: %s", why);
	}
	return 0;
}

static int open_data(struct tui *t, struct err *e)
{
	if ((t->observer ? open_observer(t, e) : open_operator(t, e)) < 0)
		return -1;
	if (!t->observer) {
		/* opening an operator console is itself an action: who, from where */
		const struct ident *id = ident_get();
		cJSON *detail = cJSON_CreateObject();
		cJSON_AddStringToObject(detail, "host", id->host);
		cJSON_AddStringToObject(detail, "ssh_client", id->ssh_client);
		cJSON_AddNumberToObject(detail, "pid", id->pid);
		struct audit_entry en = {.action = "console.open", .role = "operator",
					 .detail = detail, .plan_hash = t->program->plan_hash};
		/* the record and the console's row commit together: one sync of
		 * the log before the first frame, not two */
		int rc = store_begin(t->store, e);
		if (rc == 0)
			rc = audit_append(t->store, &en, NULL, e);
		cJSON_Delete(detail);
		if (rc == 0)
			t->console_id = dash_console_register(t->store, "operator", e);
		if (rc < 0 || t->console_id < 0 || store_commit(t->store, e) < 0) {
			if (store_in_tx(t->store))
				store_rollback(t->store);
			t->console_id = 0;
			return -1;
		}
	}
	t->consoles = dash_consoles_count(t->store, util_now_ms() - CONSOLE_FRESH_MS, NULL);
	t->data_version = store_data_version(t->store);
	reload_facts(t);
	return 0;
}

static int init_screen(struct tui *t)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "warroom console: needs a terminal (stdin and stdout)\n");
		return -1;
	}
	have_termios = tcgetattr(STDIN_FILENO, &saved_termios) == 0;
	install_signals();
	if (!initscr()) {
		fprintf(stderr, "warroom console: cannot start the terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		return -1;
	}
	in_curses = 1;
	const char *cs = nl_langinfo(CODESET);
	t->utf8 = cs && !strcmp(cs, "UTF-8");
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	t->colors = detect_colors();
	return 0;
}

int tui_run(const struct tui_opts *o)
{
	struct tui t;
	memset(&t, 0, sizeof(t));
	t.opts = o;
	t.observer = o->observer;
	t.role = o->observer ? "observer" : "operator";
	t.login = ident_get()->login;
	t.consoles = -1;
	int64_t t0 = util_mono_us();
	struct err e = {{0}};
	int rc = EXIT_SUCCESS;

	/* a bad --view or --theme is a usage error before the screen */
	if (o->start_view && view_by_name(o->start_view) < 0) {
		struct strbuf names = {0};
		for (int i = 0; i < TV__COUNT; i++)
			sb_addf(&names, "%s%s", i ? ", " : "", view_table[i]->name);
		fprintf(stderr, "warroom console: --view %s: no such view (%s)\n", o->start_view,
			sb_str(&names));
		sb_release(&names);
		return 2;
	}
	char *config_theme = NULL;
	const char *theme_name = o->theme;
	if (!theme_name) {
		config_theme = theme_from_config(&e);
		if (e.msg[0])
			fprintf(stderr, "warroom console: %s (using the default theme)\n", e.msg);
		e.msg[0] = '\0';
	}
	theme_builtin(&t.theme);
	if (theme_name || config_theme) {
		if (load_theme(&t, theme_name ? theme_name : config_theme, &e) < 0) {
			fprintf(stderr, "warroom console: %s\n", e.msg);
			free(config_theme);
			theme_free(&t.theme);
			return 2;
		}
	} else if (load_theme(&t, "default", &e) < 0) {
		e.msg[0] = '\0'; /* no theme files installed: the built-in one */
	}
	free(config_theme);

	if (o->program_path && open_data(&t, &e) < 0) {
		fprintf(stderr, "warroom console: %s\n", e.msg);
		rc = 1;
		goto out;
	}
	int64_t t_data = util_mono_us();
	if (init_screen(&t) < 0) {
		rc = 1;
		goto out;
	}
	apply_theme(&t);
	if (o->diff_left) {
		char *l = util_read_file(o->diff_left, 64u << 20, NULL, &e);
		char *r = l ? util_read_file(o->diff_right, 64u << 20, NULL, &e) : NULL;
		tui_show(&t, TV_DIFF);
		if (l && r)
			view_diff_set(&t, o->diff_left, l, o->diff_right, r);
		else
			tui_message(&t, 1, "%s", e.msg);
		free(l);
		free(r);
	} else {
		tui_show(&t, TV_ACCOUNTS);
		if (o->start_view)
			tui_show(&t, (enum tui_view_id)view_by_name(o->start_view));
		/* an error from the first reading (say, a store an operator must
		 * upgrade first) is what the user must see, not the greeting */
		if (!t.msg[0] || !t.msg_error)
			tui_message(&t, 0, "%s console: ? lists keys, : opens the command line",
				    t.observer ? "read-only observer" : "operator");
	}

	draw(&t);
	t.dirty = 0;
	if (o->bench_first_frame) {
		endwin();
		in_curses = 0;
		fprintf(stderr, "first frame: %.3f ms (loading the program and the store: %.3f ms)\n",
			(double)(util_mono_us() - t0) / 1000.0, (double)(t_data - t0) / 1000.0);
		goto out;
	}
	int64_t last_second = util_now_ms() / 1000;
	int ticking = 0;
	int fetching = 0;
	while (!t.quit && !got_signal) {
		struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
		int64_t now = util_now_ms();
		int timeout = (int)(1000 - now % 1000);
		if (t.store && timeout > POLL_DATA_MS)
			timeout = POLL_DATA_MS;
		if (fetching && timeout > POLL_FETCH_MS)
			timeout = POLL_FETCH_MS;
		if (ticking)
			timeout = 0;
		int n;
		if (t.runner) { /* the keyboard shares the runner's wait */
			int was_idle = runner_idle(t.runner);
			n = runner_poll(t.runner, &pfd, 1, timeout, &e);
			if (!was_idle || !runner_idle(t.runner))
				runner_worked = 1;
			if (n < 0) {
				tui_message(&t, 1, "%s", e.msg);
				n = 0;
			}
		} else {
			n = poll(&pfd, 1, timeout);
			if (n < 0 && errno != EINTR)
				break;
		}
		if (n > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) && !(pfd.revents & POLLIN))
			break; /* the terminal went away (ssh closed) */
		int key;
		while ((key = getch()) != ERR && !t.quit)
			handle_key(&t, key);
		ticking = tick_views(&t);
		now = util_now_ms();
		fetching = view_diff_poll(&t);
		poll_store(&t, util_mono_ms());
		if (now / 1000 != last_second) { /* the clock in the header */
			last_second = now / 1000;
			if (t.program)
				t.dirty = 1;
		}
		if (t.dirty) {
			draw(&t);
			t.dirty = 0;
		}
	}
	endwin();
	in_curses = 0;
	if (got_signal)
		rc = 128 + got_signal;
out:
	view_diff_stop(); /* before the program its fetches read goes */
	for (int i = 0; i < TV__COUNT; i++)
		if (t.views[i].opened && t.views[i].ops->close)
			t.views[i].ops->close(&t, &t.views[i]);
	if (t.store && t.console_id > 0)
		dash_console_unregister(t.store, t.console_id, NULL);
	if (t.runner)
		runner_free(t.runner); /* closes its store */
	else
		store_close(t.store);
	if (t.own_program)
		program_free(t.own_program);
	tui_actions_free();
	free(t.db_path);
	free(t.selected_account);
	dash_runs_free(&t.runs);
	sample_list_free(&t.latest);
	theme_free(&t.theme);
	sb_release(&prompt.text);
	return rc;
}
