/* view_import — the verdicts of the selected account's newest import run
 * (import_items): what was or would be created, updated, left unchanged or
 * refused, and why, refused first; `/` filters (the filter belongs to the
 * account: choosing another clears it), Enter opens the diff of the item's
 * entity through `:diff`, so it is fetched in the background. */
#include <stdlib.h>
#include <string.h>

#include "warroom/plan.h"
#include "warroom/source_import.h"
#include "warroom/tui.h"
#include "warroom/widgets.h"

/* A verdict as a symbol and a colour as well as a word: it reads in
 * monochrome. */
static const struct {
	const char *utf8, *ascii;
	enum theme_role role;
} verdict_look[IMPORT_ACTION_COUNT] = {
	[IMPORT_CREATE] = {"+", "+", ROLE_ADDED},
	[IMPORT_UPDATE] = {"~", "~", ROLE_CHANGED},
	[IMPORT_UNCHANGED] = {"=", "=", ROLE_DIM},
	[IMPORT_REFUSED] = {"✗", "x", ROLE_FAIL},
};

/* Which `:diff` kind Enter opens for an item, by its verdict: what the
 * import would write against the target's record; a refused item has no
 * such document, and its source read says why. */
static const char *const enter_kind[IMPORT_ACTION_COUNT] = {
	[IMPORT_CREATE] = "preview", [IMPORT_UPDATE] = "preview",
	[IMPORT_UNCHANGED] = "preview", [IMPORT_REFUSED] = "source",
};

struct importview {
	char *account;            /* whose verdicts are held */
	struct import_verdicts all;
	int stale;                /* the store moved: re-read before drawing */
	char **said;              /* per item: its reason or its changes, owned */
	size_t *shown, n_shown;   /* items passing the filter */
	char filter[128];
	struct err err;           /* why the items could not be read; empty when they were */
};

static void items_free(struct importview *iv)
{
	for (size_t i = 0; i < iv->all.n; i++)
		free(iv->said[i]);
	free(iv->said);
	free(iv->shown);
	iv->said = NULL;
	iv->shown = NULL;
	iv->n_shown = 0;
	source_import_verdicts_free(&iv->all);
}

/* REASON / CHANGES: why, then what changes. */
static char *said_of(const struct import_verdict *it)
{
	struct strbuf sb = {0};
	if (it->reason)
		sb_adds(&sb, it->reason);
	const cJSON *c;
	cJSON_ArrayForEach(c, it->changes)
	{
		if (cJSON_IsString(c) && (!it->reason || !strstr(it->reason, c->valuestring)))
			sb_addf(&sb, "%s%s", sb.len ? "; " : "", c->valuestring);
	}
	return sb_detach(&sb);
}

/* The filter's columns, as data: `type:`, `id:`, `name:`, `verdict:`,
 * `reason:`; bare text looks in each. */
enum col { COL_TYPE, COL_ID, COL_NAME, COL_VERDICT, COL_REASON, COL__COUNT };
static const char *const col_names[COL__COUNT] = {"type", "id", "name", "verdict", "reason"};

static const char *col_text(const struct importview *iv, size_t i, enum col c)
{
	const struct import_verdict *it = &iv->all.v[i];
	const char *s[COL__COUNT] = {
		[COL_TYPE] = it->entity_type, [COL_ID] = it->source_id, [COL_NAME] = it->name,
		[COL_VERDICT] = source_import_action_name(it->action), [COL_REASON] = iv->said[i],
	};
	return s[c] ? s[c] : "";
}

static int matches(const struct importview *iv, size_t i)
{
	const char *f = iv->filter;
	if (!*f)
		return 1;
	const char *colon = strchr(f, ':');
	for (int c = 0; colon && c < COL__COUNT; c++)
		if (strlen(col_names[c]) == (size_t)(colon - f) && !strncmp(f, col_names[c], (size_t)(colon - f)))
			return strcasestr(col_text(iv, i, (enum col)c), colon + 1) != NULL;
	for (int c = 0; c < COL__COUNT; c++)
		if (strcasestr(col_text(iv, i, (enum col)c), f))
			return 1;
	return 0;
}

static void refilter(struct view *v)
{
	struct importview *iv = v->priv;
	iv->n_shown = 0;
	for (size_t i = 0; i < iv->all.n; i++)
		if (matches(iv, i))
			iv->shown[iv->n_shown++] = i;
	v->rows = (long)iv->n_shown;
	if (v->cursor >= v->rows)
		v->cursor = v->rows ? v->rows - 1 : 0;
}

/* The same run as held: its counts say so at the cost of one index scan,
 * where reading every item again would cost a parse per item. */
static int same_run(struct tui *t, const struct importview *iv, const char *account)
{
	if (!iv->account || strcmp(iv->account, account) || iv->err.msg[0] || !iv->all.total)
		return 0;
	struct import_verdicts now;
	struct err e = {{0}};
	return source_import_verdict_counts(t->store, account, &now, &e) == 0 &&
	       now.run_ms == iv->all.run_ms && now.total == iv->all.total &&
	       now.dry_run == iv->all.dry_run;
}

static void read_items(struct tui *t, struct view *v)
{
	struct importview *iv = v->priv;
	iv->stale = 0;
	const struct account *a = t->store ? tui_account(t) : NULL;
	if (a && same_run(t, iv, a->id))
		return;
	items_free(iv);
	iv->err.msg[0] = '\0';
	if (!a) {
		err_set(&iv->err, "the import view needs a program with accounts");
		v->rows = 0;
		return;
	}
	if (!iv->account || strcmp(iv->account, a->id)) {
		/* a filter typed for one account's items would hide another's
		 * without a word: it goes with the account, and says so */
		if (iv->account && iv->filter[0]) {
			tui_message(t, 0, "import filter '%s' cleared: %s is another account",
				    iv->filter, a->id);
			iv->filter[0] = '\0';
		}
		free(iv->account);
		iv->account = xstrdup(a->id);
		v->cursor = v->top = 0;
	}
	if (source_import_verdicts(t->store, a->id, 0, 0, &iv->all, &iv->err) < 0)
		iv->all.total = 0; /* the message is drawn in place of the items */
	iv->said = xcalloc(iv->all.n + 1, sizeof(*iv->said));
	iv->shown = xcalloc(iv->all.n + 1, sizeof(*iv->shown));
	for (size_t i = 0; i < iv->all.n; i++)
		iv->said[i] = said_of(&iv->all.v[i]);
	refilter(v);
}

/* A reload only marks the items stale: the view reads them when it is
 * drawn, so a console that is not looking pays nothing for each commit. */
static void import_reload(struct tui *t, struct view *v)
{
	struct importview *iv = v->priv;
	iv->stale = 1;
	if (t->current == TV_IMPORT)
		t->dirty = 1;
}

static void import_open(struct tui *t, struct view *v)
{
	(void)t;
	struct importview *iv = xcalloc(1, sizeof(*iv));
	iv->stale = 1;
	v->priv = iv;
}

static void import_close(struct tui *t, struct view *v)
{
	(void)t;
	struct importview *iv = v->priv;
	items_free(iv);
	free(iv->account);
	free(iv);
	v->priv = NULL;
}

static void import_draw(struct tui *t, struct view *v, int y, int x, int h, int w)
{
	(void)x;
	struct importview *iv = v->priv;
	if (iv->stale)
		read_items(t, v);
	const struct import_verdicts *all = &iv->all;
	struct strbuf sb = {0};
	sb_addf(&sb, " Import  %s", iv->account ? iv->account : "");
	/* an active filter comes first, so a narrow terminal still shows it */
	if (iv->filter[0])
		sb_addf(&sb, "  filter: %s (%zu of %zu shown)", iv->filter, iv->n_shown, all->n);
	if (all->total) {
		char when[40];
		util_iso8601(all->run_ms, when, sizeof(when));
		sb_addf(&sb, "  %s %s  ", all->dry_run ? "dry run" : "applied", when);
		for (int k = 0; k < IMPORT_ACTION_COUNT; k++)
			sb_addf(&sb, "%s%zu %s", k ? ", " : "", all->count[k],
				source_import_action_name((enum import_action)k));
		if (!iv->filter[0])
			sb_addf(&sb, "  (%zu of %zu shown)", iv->n_shown, all->n);
	}
	tui_put(t, y, 0, w, ROLE_TITLE, sb_str(&sb));
	sb_release(&sb);
	tui_put(t, y + 1, 0, w, ROLE_COLUMN,
		"  TYPE               SOURCE ID            NAME                   VERDICT      "
		"REASON / CHANGES");
	if (iv->err.msg[0]) {
		tui_put(t, y + 2, 2, w - 2, ROLE_FAIL, iv->err.msg);
		v->rows = 0;
		return;
	}
	if (!all->total) {
		char line[512];
		snprintf(line, sizeof(line), "%s has no import run yet (warroom import PROGRAM "
					     "--account %s [--dry-run] records one)", iv->account, iv->account);
		tui_put(t, y + 2, 2, w - 2, ROLE_DIM, line);
		v->rows = 0;
		return;
	}
	int body = h - 2;
	tui_list_scroll(v, body);
	for (int i = 0; i < body && v->top + i < (long)iv->n_shown; i++) {
		long row = v->top + i;
		size_t k = iv->shown[row];
		const struct import_verdict *it = &all->v[k];
		char line[1024];
		snprintf(line, sizeof(line), "  %-18.18s %-20.20s %-22.22s %s %-10s %s", it->entity_type,
			 it->source_id, it->name ? it->name : "",
			 t->utf8 ? verdict_look[it->action].utf8 : verdict_look[it->action].ascii,
			 source_import_action_name(it->action), iv->said[k]);
		tui_put(t, y + 2 + i, 0, w, row == v->cursor ? ROLE_CURSOR : verdict_look[it->action].role,
			line);
	}
	if (!iv->n_shown)
		tui_put(t, y + 2, 2, w - 2, ROLE_DIM, "no item matches the filter");
}

static void filter_done(struct tui *t, void *ctx, const char *text)
{
	struct view *v = ctx;
	struct importview *iv = v->priv;
	if (tui_filter_take(t, iv->filter, sizeof(iv->filter), text) < 0)
		return;
	v->cursor = v->top = 0;
	refilter(v);
	t->dirty = 1;
}

static int import_request(struct tui *t, struct view *v, enum request r)
{
	struct importview *iv = v->priv;
	switch (r) {
	case REQ_FILTER:
		tui_prompt(t, "/ (text, type:, id:, name:, verdict:, reason:) ", filter_done, v);
		return 1;
	case REQ_ENTER: {
		if (v->cursor < 0 || (size_t)v->cursor >= iv->n_shown) {
			tui_message(t, 1, "no item under the cursor");
			return 1;
		}
		const struct import_verdict *it = &iv->all.v[iv->shown[v->cursor]];
		char *args = xasprintf("%s %s %s", enter_kind[it->action], it->entity_type, it->source_id);
		view_diff_command(t, args);
		free(args);
		return 1;
	}
	default:
		return 0;
	}
}

const struct view_ops view_import_ops = {
	.name = "import",
	.title = "Import",
	.scope = KS_IMPORT,
	.open = import_open,
	.close = import_close,
	.reload = import_reload,
	.draw = import_draw,
	.request = import_request,
};
