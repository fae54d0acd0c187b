/* view_diff — two JSON documents compared field by field (jsondiff), drawn
 * side by side or in one column on narrow terminals, with Terraform's
 * markers (~ + -) as well as colour, unchanged fields folded into a count,
 * long values wrapped, and n/N to jump between differences. Fed from two
 * files, or by `:diff snapshot|source|preview|reference TYPE ID` from the
 * store, the account's source and the target API for the selected account,
 * fetched on a worker thread so the console keeps answering keys while the
 * target is slow. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/drift.h"
#include "warroom/http.h"
#include "warroom/jsondiff.h"
#include "warroom/plan.h"
#include "warroom/source.h"
#include "warroom/source_import.h"
#include "warroom/targetapi.h"
#include "warroom/tui.h"
#include "warroom/widgets.h"

#define FETCH_TIMEOUT_MS 5000 /* one entity: a fetch gives up past this, retries included */
#define SOURCE_RETRIES 2      /* a source's 429/5xx, retried this often, no more */

#define SIDE_BY_SIDE_MIN 100 /* narrower terminals get the unified column */

struct dline {
	long entry;          /* index into the diff, -1 for a fold or a blank */
	char *left, *right;  /* owned; right NULL in unified mode */
	enum theme_role role;
};

struct diffview {
	char *left_label, *right_label;
	struct jsondiff d;
	int have;
	char error[1600];
	int verbose, unified;
	struct dline *lines;
	size_t n, cap;
	int laid_w;          /* width the lines were laid out for; 0: stale */
	long current;        /* the difference n/N last jumped to */
};

static const enum theme_role kind_role[] = {
	[JSONDIFF_SAME] = ROLE_NORMAL,
	[JSONDIFF_CHANGED] = ROLE_CHANGED,
	[JSONDIFF_ADDED] = ROLE_ADDED,
	[JSONDIFF_REMOVED] = ROLE_REMOVED,
};

static void lines_free(struct diffview *dv)
{
	for (size_t i = 0; i < dv->n; i++) {
		free(dv->lines[i].left);
		free(dv->lines[i].right);
	}
	free(dv->lines);
	dv->lines = NULL;
	dv->n = dv->cap = 0;
	dv->laid_w = 0;
}

static void push(struct diffview *dv, long entry, char *left, char *right, enum theme_role role)
{
	struct dline l = {entry, left, right, role};
	VEC_PUSH(dv->lines, dv->n, dv->cap, l);
}

/* Wraps "S path: value" into the column; each piece is one line. */
static void push_wrapped(struct diffview *dv, long entry, const char *l, const char *r, int colw,
			 enum theme_role role)
{
	char **ll = NULL, **rl = NULL;
	size_t nl = widgets_wrap(l ? l : "", colw, &ll);
	size_t nr = r ? widgets_wrap(r, colw, &rl) : 0;
	size_t n = nl > nr ? nl : nr;
	for (size_t i = 0; i < n; i++)
		push(dv, i == 0 ? entry : -2 - entry, xstrdup(i < nl ? ll[i] : ""),
		     r ? xstrdup(i < nr ? rl[i] : "") : NULL, role);
	widgets_lines_free(ll, nl);
	widgets_lines_free(rl, nr);
}

static void layout(struct diffview *dv, int w)
{
	lines_free(dv);
	dv->laid_w = w;
	int unified = dv->unified || w < SIDE_BY_SIDE_MIN;
	int colw = unified ? w - 1 : (w - 3) / 2;
	size_t folded = 0;
	for (size_t i = 0; i <= dv->d.n; i++) {
		const struct jsondiff_entry *en = i < dv->d.n ? &dv->d.v[i] : NULL;
		if (en && en->kind == JSONDIFF_SAME && !dv->verbose) {
			folded++;
			continue;
		}
		if (folded) {
			char *f = xasprintf("    (%zu unchanged field%s; v shows them)", folded,
					    folded == 1 ? "" : "s");
			push(dv, -1, f, unified ? NULL : xstrdup(""), ROLE_DIM);
			folded = 0;
		}
		if (!en)
			break;
		char sym = jsondiff_symbol(en->kind);
		const char *path = en->path[0] ? en->path : "/";
		enum theme_role role = kind_role[en->kind];
		if (unified) {
			if (en->kind == JSONDIFF_CHANGED) {
				char *s = xasprintf("%c %s: %s -> %s", sym, path, en->left, en->right);
				push_wrapped(dv, (long)i, s, NULL, colw, role);
				free(s);
			} else {
				char *s = xasprintf("%c %s: %s", sym, path,
						    en->left ? en->left : en->right);
				push_wrapped(dv, (long)i, s, NULL, colw, role);
				free(s);
			}
		} else {
			char *l = en->left ? xasprintf("%c %s: %s", sym, path, en->left)
					   : xstrdup("");
			char *r = en->right ? xasprintf("%c %s: %s", sym, path, en->right)
					    : xstrdup("");
			push_wrapped(dv, (long)i, l, r, colw, role);
			free(l);
			free(r);
		}
	}
}

void view_diff_set(struct tui *t, const char *left_label, const char *left,
		   const char *right_label, const char *right)
{
	struct view *v = &t->views[TV_DIFF];
	struct diffview *dv = v->priv;
	if (!dv)
		return;
	jsondiff_free(&dv->d);
	lines_free(dv);
	free(dv->left_label);
	free(dv->right_label);
	dv->left_label = xstrdup(left_label);
	dv->right_label = xstrdup(right_label);
	dv->error[0] = '\0';
	struct err e = {{0}};
	dv->have = jsondiff_texts(left, right, &dv->d, &e) == 0;
	if (!dv->have)
		snprintf(dv->error, sizeof(dv->error), "%s (left %.200s, right %.200s)", e.msg,
			 left_label, right_label);
	dv->current = -1;
	v->cursor = v->top = 0;
	t->dirty = 1;
}

static void diff_open(struct tui *t, struct view *v)
{
	(void)t;
	struct diffview *dv = xcalloc(1, sizeof(*dv));
	dv->current = -1;
	v->priv = dv;
}

static void diff_close(struct tui *t, struct view *v)
{
	(void)t;
	struct diffview *dv = v->priv;
	jsondiff_free(&dv->d);
	lines_free(dv);
	free(dv->left_label);
	free(dv->right_label);
	free(dv);
	v->priv = NULL;
}

static void diff_draw(struct tui *t, struct view *v, int y, int x, int h, int w)
{
	struct diffview *dv = v->priv;
	(void)x;
	if (!dv->have) {
		tui_put(t, y, 0, w, ROLE_TITLE, " Diff");
		tui_put(t, y + 2, 2, w - 2, dv->error[0] ? ROLE_FAIL : ROLE_DIM,
			dv->error[0] ? dv->error
				     : "nothing to compare yet (:diff snapshot|source|preview|reference "
				       "TYPE ID, Enter on an item of the import view, or `warroom "
				       "console --diff LEFT RIGHT`)");
		return;
	}
	if (dv->laid_w != w)
		layout(dv, w);
	int unified = dv->unified || w < SIDE_BY_SIDE_MIN;
	struct strbuf sb = {0};
	sb_addf(&sb, " Diff  ");
	jsondiff_summary(&dv->d, &sb);
	sb_addf(&sb, "  %s%s", unified ? "unified" : "side by side",
		dv->verbose ? ", verbose" : "");
	tui_put(t, y, 0, w, ROLE_TITLE, sb_str(&sb));
	sb_reset(&sb);
	int colw = (w - 3) / 2;
	if (unified) {
		sb_addf(&sb, "--- %s  +++ %s", dv->left_label, dv->right_label);
		tui_put(t, y + 1, 0, w, ROLE_COLUMN, sb_str(&sb));
	} else {
		tui_put(t, y + 1, 0, colw, ROLE_COLUMN, dv->left_label);
		tui_put(t, y + 1, colw, 3, ROLE_COLUMN, "");
		tui_put(t, y + 1, colw + 3, w - colw - 3, ROLE_COLUMN, dv->right_label);
	}
	sb_release(&sb);
	int body = h - 2;
	v->rows = (long)dv->n;
	/* the view scrolls by its top line: the cursor is the top */
	if (v->cursor > (long)dv->n - body)
		v->cursor = (long)dv->n - body;
	if (v->cursor < 0)
		v->cursor = 0;
	v->top = v->cursor;
	v->page = body;
	const char *bar = widgets_box(t->utf8)->v;
	for (int i = 0; i < body && v->top + i < (long)dv->n; i++) {
		const struct dline *l = &dv->lines[v->top + i];
		int is_current = dv->current >= 0 && (l->entry == dv->current);
		enum theme_role role = is_current ? ROLE_CURSOR : l->role;
		if (unified || !l->right) {
			tui_put(t, y + 2 + i, 0, w, role, l->left);
		} else {
			tui_put(t, y + 2 + i, 0, colw, role, l->left);
			tui_put(t, y + 2 + i, colw, 3, ROLE_BORDER, "");
			mvaddstr(y + 2 + i, colw + 1, bar);
			tui_put(t, y + 2 + i, colw + 3, w - colw - 3, role, l->right);
		}
	}
}

static int diff_request(struct tui *t, struct view *v, enum request r)
{
	struct diffview *dv = v->priv;
	switch (r) {
	case REQ_VERBOSE:
		dv->verbose = !dv->verbose;
		dv->laid_w = 0;
		tui_message(t, 0, dv->verbose ? "unchanged fields shown" : "unchanged fields folded");
		return 1;
	case REQ_UNIFIED:
		dv->unified = !dv->unified;
		dv->laid_w = 0;
		return 1;
	case REQ_NEXT_DIFF:
	case REQ_PREV_DIFF: {
		if (!dv->have)
			return 1;
		long next = jsondiff_next_change(&dv->d, dv->current, r == REQ_NEXT_DIFF ? 1 : -1);
		if (next < 0) {
			tui_message(t, 0, "no differences");
			return 1;
		}
		dv->current = next;
		for (size_t i = 0; i < dv->n; i++)
			if (dv->lines[i].entry == next) {
				v->cursor = (long)i > 2 ? (long)i - 2 : 0;
				break;
			}
		tui_message(t, 0, "difference at %s", dv->d.v[next].path[0] ? dv->d.v[next].path : "/");
		return 1;
	}
	default:
		return 0;
	}
}

/* ---- `:diff snapshot|source|preview|reference TYPE ID`, fetched in the background ---- */

/* One `:diff` request. The UI thread fills the first part and prepares
 * whatever is local (the store), then a worker thread does the HTTP and the
 * JSON and fills the second part; the UI thread reads it once `done` is
 * set, after joining. The worker never touches struct tui, the store or
 * curses: the store's handle and the screen belong to the UI thread. */
struct diff_job {
	/* set before the worker starts; it only reads them */
	size_t kind;
	const struct account *account; /* the program's, unchanged while the console runs */
	enum entity_type type;
	char id[256];
	char *what;                    /* "snapshot service 'x' of acct-001" */
	struct targetapi api;          /* opened here: libcurl initialised on this thread */
	struct source_account src;     /* the account's source, its token read here */
	int64_t started_ms;
	/* the left side: prepared on the UI thread or fetched by the worker */
	struct entity_set left;
	char *left_label;
	/* the worker's answer */
	struct entity_set right;
	int rc, gone;
	struct err e;
	char *left_doc, *right_doc, *left_title, *right_title;
	atomic_int done;
	pthread_t thread;
	struct diff_job *next;         /* superseded jobs wait to be joined */
};

/* The UI thread's local reads, before the worker starts: -1 with a message,
 * or j->left and j->left_label filled. */
typedef int (*diff_prepare_fn)(struct tui *t, struct diff_job *j, struct err *e);
/* On the worker: HTTP and JSON only, through j->api; fills the same. */
typedef int (*diff_fetch_fn)(struct diff_job *j, struct err *e);

static int prepare_snapshot(struct tui *t, struct diff_job *j, struct err *e)
{
	const struct account *a = j->account;
	struct entity_set snap = {0};
	int64_t taken = 0;
	int found = drift_snapshot_load(t->store, a->id, &snap, &taken, e);
	if (found == 0)
		err_set(e, "%s has no cutover snapshot yet (warroom drift --snapshot takes one)", a->id);
	char when[40];
	util_iso8601(taken, when, sizeof(when));
	struct entity *en = found > 0 ? entity_set_find(&snap, j->type, j->id) : NULL;
	if (found > 0 && !en)
		err_set(e, "the snapshot of %s taken %s has no %s '%s'", a->id, when,
			entity_type_name(j->type), j->id);
	if (en) {
		/* moved out of the snapshot: the set's slot forgets it */
		for (size_t i = 0; i < snap.n; i++)
			if (snap.items[i] == en)
				snap.items[i] = snap.items[--snap.n];
		entity_set_add(&j->left, en);
		j->left_label = xasprintf("cutover snapshot %s", when);
	}
	entity_set_free(&snap);
	return en ? 0 : -1;
}

static int fetch_reference(struct diff_job *j, struct err *e)
{
	if (targetapi_fetch_one(&j->api, j->account->id, TARGETAPI_REFERENCE, j->type, j->id,
				&j->left, e) < 0)
		return -1;
	/* the reference dataset the simulator serves for the tenant comes in
	 * the target's shape: canonical on both sides, the target's bookkeeping
	 * is not a difference */
	targetapi_to_canonical(&j->left);
	j->left_label = xstrdup("reference dataset (canonical)");
	return 0;
}

/* The account's source as accounts.yaml names it; its token is a local
 * read. The read goes through the target's client, so that dropping the
 * job interrupts it too. */
static int prepare_source(struct tui *t, struct diff_job *j, struct err *e)
{
	(void)t;
	if (source_account_open(j->account, &j->src, e) < 0)
		return -1;
	j->src.conn.http = j->api.http;
	j->src.conn.timeout_ms = FETCH_TIMEOUT_MS;
	j->src.conn.max_retries = SOURCE_RETRIES;
	return 0;
}

/* The entity read from the source through its importer, canonical. */
static int fetch_source(struct diff_job *j, struct err *e)
{
	if (source_fetch_one(&j->src.conn, j->type, j->id, &j->left, e) < 0)
		return -1;
	j->left_label = xasprintf("%s source (canonical)", source_system_name(j->src.conn.system));
	return 0;
}

/* What the import would write for the entity the source has now. */
static int fetch_preview(struct diff_job *j, struct err *e)
{
	if (source_fetch_one(&j->src.conn, j->type, j->id, &j->left, e) < 0)
		return -1;
	for (size_t i = 0; i < j->left.n; i++) {
		cJSON *doc = source_import_document(j->left.items[i]);
		cJSON_Delete(j->left.items[i]->doc);
		j->left.items[i]->doc = doc;
	}
	j->left_label = xstrdup("import would write");
	return 0;
}

/* The target's record as the import compares it: its bookkeeping dropped,
 * its own field names kept. */
static void import_shape(struct entity_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		cJSON *doc = source_import_target_document(s->items[i]->doc);
		cJSON_Delete(s->items[i]->doc);
		s->items[i]->doc = doc;
	}
}

/* A kind is one row: what its left side is, where it is read (prepare on
 * the UI thread, fetch on the worker; either may be NULL), and how the
 * target's copy on the right is taken. */
static const struct {
	const char *word;
	diff_prepare_fn prepare;
	diff_fetch_fn fetch;
	void (*right_shape)(struct entity_set *s); /* the target's copy made comparable; may be NULL */
	const char *absent;  /* a 404 from the target is this (every field one-sided); NULL: an error */
	const char *right_label;
} diff_kinds[] = {
	{"snapshot", prepare_snapshot, NULL, NULL, "gone: 404", "target now"},
	{"source", prepare_source, fetch_source, targetapi_to_canonical, NULL, "target now (canonical)"},
	{"preview", prepare_source, fetch_preview, import_shape, "absent: the import creates it",
	 "target now"},
	{"reference", NULL, fetch_reference, targetapi_to_canonical, NULL, "target now (canonical)"},
};

const char *view_diff_kind(size_t i)
{
	return i < ARRAY_SIZE(diff_kinds) ? diff_kinds[i].word : NULL;
}

/* The client says "GET /path: ..."; the operator wants the whole URL. */
static void name_url(struct err *e, const char *base)
{
	if (!util_has_prefix(e->msg, "GET /"))
		return;
	/* no answer at all: the client's own words already carry the URL */
	const char *rest = strstr(e->msg, ": GET ");
	char *m = rest ? xstrdup(rest + 2) : xasprintf("GET %s%s", base, e->msg + 4);
	snprintf(e->msg, sizeof(e->msg), "%s", m);
	free(m);
}

/* An entity the target does not have is the operator's typo more often than
 * an outage: say so before the request. status is the target's answer (a
 * source's own 404 never reaches it, and already says what it lacks). */
static void name_unknown(struct err *e, long status, const struct account *a,
			 enum entity_type type, const char *id)
{
	if (status != 404)
		return;
	char *m = xasprintf("unknown %s '%s' for %s: %s", entity_type_name(type), id, a->id, e->msg);
	snprintf(e->msg, sizeof(e->msg), "%s", m);
	free(m);
}

/* An entity the target no longer has is an empty object, so that each of
 * its fields shows as removed. */
static char *doc_text(const struct entity_set *s)
{
	return s->n ? cJSON_Print(s->items[0]->doc) : xstrdup("{}");
}

static void *fetch_main(void *arg)
{
	struct diff_job *j = arg;
	size_t k = j->kind;
	int rc = diff_kinds[k].fetch ? diff_kinds[k].fetch(j, &j->e) : 0;
	if (!rc) {
		rc = targetapi_fetch_one(&j->api, j->account->id, TARGETAPI_TARGET, j->type, j->id,
					 &j->right, &j->e);
		if (rc && diff_kinds[k].absent && j->api.status == 404) {
			j->gone = 1; /* every field shown on the left only */
			rc = 0;
		}
	}
	if (rc) {
		name_url(&j->e, j->api.base);
		name_unknown(&j->e, j->api.status, j->account, j->type, j->id);
	} else {
		if (diff_kinds[k].right_shape)
			diff_kinds[k].right_shape(&j->right);
		const char *plural = entity_type_plural(j->type);
		j->left_doc = doc_text(&j->left);
		j->right_doc = doc_text(&j->right);
		j->left_title = xasprintf("%s: %s %s", j->left_label, plural, j->id);
		j->right_title = xasprintf("%s: %s %s%s%s%s", diff_kinds[k].right_label, plural, j->id,
					   j->gone ? " (" : "", j->gone ? diff_kinds[k].absent : "",
					   j->gone ? ")" : "");
	}
	j->rc = rc;
	atomic_store(&j->done, 1);
	return NULL;
}

static void job_free(struct diff_job *j)
{
	targetapi_close(&j->api);
	source_account_close(&j->src);
	entity_set_free(&j->left);
	entity_set_free(&j->right);
	free(j->what);
	free(j->left_label);
	free(j->left_doc);
	free(j->right_doc);
	free(j->left_title);
	free(j->right_title);
	free(j);
}

/* The fetch whose answer the pane waits for, and those superseded (their
 * transfers interrupted) that wait to be joined. UI thread only. */
static struct diff_job *current;
static struct diff_job *superseded;

static void supersede(void)
{
	if (!current)
		return;
	http_interrupt(current->api.http);
	current->next = superseded;
	superseded = current;
	current = NULL;
}

/* Joins the superseded jobs that have ended (all of them when wait). */
static void reap(int wait)
{
	for (struct diff_job **p = &superseded; *p;) {
		struct diff_job *j = *p;
		if (!wait && !atomic_load(&j->done)) {
			p = &j->next;
			continue;
		}
		pthread_join(j->thread, NULL);
		*p = j->next;
		job_free(j);
	}
}

/* The worker takes no signal meant for the console (a quit, a resize):
 * those go to the UI thread, whose handlers and poll expect them. */
static int start_worker(struct diff_job *j)
{
	return util_thread_start(&j->thread, fetch_main, j);
}

static void status_fetching(struct tui *t, const struct diff_job *j)
{
	char line[sizeof(t->msg)];
	double secs = (double)(util_mono_ms() - j->started_ms) / 1000.0;
	snprintf(line, sizeof(line), "fetching %s ... %.1fs (Esc cancels)", j->what, secs);
	/* another message (an error, an answer to a key) is read first; then
	 * the clock comes back, or the operator would take a frozen line for a
	 * hung fetch */
	int other = t->msg[0] && !util_has_prefix(t->msg, "fetching ");
	if ((other && util_mono_ms() - t->msg_ms < VIEW_DIFF_MSG_HOLD_MS) || !strcmp(line, t->msg))
		return;
	tui_message(t, 0, "%s", line);
}

static void deliver(struct tui *t, struct diff_job *j)
{
	if (j->rc) {
		tui_message(t, 1, "%s", j->e.msg);
		return;
	}
	tui_show(t, TV_DIFF);
	view_diff_set(t, j->left_title, j->left_doc, j->right_title, j->right_doc);
	struct diffview *dv = t->views[TV_DIFF].priv;
	struct strbuf sb = {0};
	if (dv && dv->have)
		jsondiff_summary(&dv->d, &sb);
	tui_message(t, dv && !dv->have, "%s %s of %s: %s", diff_kinds[j->kind].word,
		    entity_type_name(j->type), j->account->id,
		    dv && dv->have ? sb_str(&sb) : dv ? dv->error : "");
	sb_release(&sb);
}

int view_diff_poll(struct tui *t)
{
	reap(0);
	if (!current)
		return 0;
	if (!atomic_load(&current->done)) {
		status_fetching(t, current);
		return 1;
	}
	struct diff_job *j = current;
	current = NULL;
	pthread_join(j->thread, NULL);
	deliver(t, j);
	job_free(j);
	return 0;
}

int view_diff_cancel(struct tui *t)
{
	if (!current)
		return 0;
	tui_message(t, 0, "%s: cancelled", current->what);
	supersede();
	return 1;
}

void view_diff_stop(void)
{
	supersede();
	reap(1);
}

void view_diff_command(struct tui *t, const char *args)
{
	char kind[16] = "", tname[40] = "", id[256] = "", extra[2] = "";
	int got = sscanf(args, "%15s %39s %255s %1s", kind, tname, id, extra);
	size_t k = 0;
	while (k < ARRAY_SIZE(diff_kinds) && strcmp(kind, diff_kinds[k].word))
		k++;
	if (got != 3 || k == ARRAY_SIZE(diff_kinds)) {
		struct strbuf sb = {0};
		for (size_t i = 0; i < ARRAY_SIZE(diff_kinds); i++)
			sb_addf(&sb, "%s:diff %s TYPE ID", i ? "  or  " : "", diff_kinds[i].word);
		tui_message(t, 1, "usage: %s (TYPE: services, teams, users, ...)", sb_str(&sb));
		sb_release(&sb);
		return;
	}
	if (strpbrk(id, "/?#%&\\")) { /* it goes into a URL path as it is */
		tui_message(t, 1, "'%s' is not an entity id", id);
		return;
	}
	struct err e = {{0}};
	enum entity_type type;
	if (entity_type_parse(tname, &type, &e) < 0) {
		tui_message(t, 1, "%s", e.msg);
		return;
	}
	const struct account *a = t->store ? tui_account(t) : NULL;
	if (!a) {
		tui_message(t, 1, ":diff %s needs a program with accounts", kind);
		return;
	}
	/* a new request makes the one still running moot */
	supersede();
	struct diff_job *j = xcalloc(1, sizeof(*j));
	j->kind = k;
	j->account = a;
	j->type = type;
	snprintf(j->id, sizeof(j->id), "%s", id);
	j->what = xasprintf("%s %s '%s' of %s", kind, entity_type_name(type), id, a->id);
	j->started_ms = util_mono_ms();
	int rc = targetapi_open_account(&j->api, a, &e);
	if (!rc) {
		j->api.timeout_ms = FETCH_TIMEOUT_MS;
		rc = diff_kinds[k].prepare ? diff_kinds[k].prepare(t, j, &e) : 0;
	}
	if (!rc && start_worker(j) != 0)
		rc = err_set(&e, "%s: cannot start a thread to fetch it", j->what);
	if (rc) {
		tui_message(t, 1, "%s", e.msg);
		job_free(j);
		return;
	}
	current = j;
	t->msg[0] = '\0';
	status_fetching(t, j);
}

const struct view_ops view_diff_ops = {
	.name = "diff",
	.title = "Diff",
	.scope = KS_DIFF,
	.open = diff_open,
	.close = diff_close,
	.draw = diff_draw,
	.request = diff_request,
};
