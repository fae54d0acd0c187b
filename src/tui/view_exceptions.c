/* view_exceptions — the charter's exception registry: scope, owner, expiry,
 * reason and compensating controls of every exception, expired ones flagged.
 * `+` registers one through a short series of prompts, `c` closes the one
 * under the cursor; both go through the exceptions module, which audits them. */
#include <stdlib.h>
#include <string.h>

#include "warroom/exceptions.h"
#include "warroom/tui.h"
#include "warroom/units.h"
#include "warroom/widgets.h"

/* The questions `+` asks, in order, as data. */
enum ask { ASK_SCOPE, ASK_OWNER, ASK_EXPIRY, ASK_REASON, ASK_CONTROLS, ASK__COUNT };
static const char *const ask_label[ASK__COUNT] = {
	[ASK_SCOPE] = "exception scope (ACCOUNT[/ENTITY[/ID[#FIELD]]], * any): ",
	[ASK_OWNER] = "owner (who answers for it): ",
	[ASK_EXPIRY] = "expires in (e.g. 7d, 12h): ",
	[ASK_REASON] = "reason (why the deviation is accepted): ",
	[ASK_CONTROLS] = "compensating controls (may be empty): ",
};

struct excview {
	struct exception_list list;
	enum ask asking;
	char *answer[ASK__COUNT];
	int64_t closing; /* the id a pending close is for */
};

static const char *state_of(const struct exception *x, int64_t now)
{
	if (x->closed_ms)
		return "closed";
	return x->expires_ms <= now ? "expired" : "open";
}

static void exc_reload(struct tui *t, struct view *v)
{
	struct excview *xv = v->priv;
	exception_list_free(&xv->list);
	struct err e = {{0}};
	if (exceptions_list(t->store, EXC_ALL, util_now_ms(), &xv->list, &e) < 0)
		tui_message(t, 1, "%s", e.msg);
	v->rows = (long)xv->list.n;
}

static void answers_free(struct excview *xv)
{
	for (int i = 0; i < ASK__COUNT; i++) {
		free(xv->answer[i]);
		xv->answer[i] = NULL;
	}
}

static void exc_open(struct tui *t, struct view *v)
{
	(void)t;
	v->priv = xcalloc(1, sizeof(struct excview));
}

static void exc_close(struct tui *t, struct view *v)
{
	(void)t;
	struct excview *xv = v->priv;
	exception_list_free(&xv->list);
	answers_free(xv);
	free(xv);
	v->priv = NULL;
}

static void exc_draw(struct tui *t, struct view *v, int y, int x, int h, int w)
{
	(void)x;
	struct excview *xv = v->priv;
	int64_t now = util_now_ms();
	char line[1024];
	snprintf(line, sizeof(line), " Exceptions  %ld open, %ld expired, %zu in the registry"
				     "  (+ add, c close)",
		 t->exc_open, t->exc_expired, xv->list.n);
	tui_put(t, y, 0, w, ROLE_TITLE, line);
	tui_put(t, y + 1, 0, w, ROLE_COLUMN,
		"  ID STATE      SCOPE                  OWNER      EXPIRES           REASON / CONTROLS");
	int body = h - 2;
	tui_list_scroll(v, body);
	for (int i = 0; i < body && v->top + i < (long)xv->list.n; i++) {
		long k = v->top + i;
		const struct exception *ex = &xv->list.items[k];
		const char *st = state_of(ex, now);
		const struct widgets_badge *b = widgets_badge(st);
		char iso[40];
		util_iso8601(ex->expires_ms, iso, sizeof(iso));
		iso[16] = '\0';
		snprintf(line, sizeof(line), " %3lld %s %-8s %-22s %-10s %-17s %s%s%s",
			 (long long)ex->id, t->utf8 ? b->symbol_utf8 : b->symbol_ascii, b->word,
			 ex->scope, ex->owner, iso, ex->reason, *ex->controls ? " | controls: " : "",
			 ex->controls);
		tui_put(t, y + 2 + i, 0, w, k == v->cursor ? ROLE_CURSOR : b->role, line);
	}
	if (!xv->list.n)
		tui_put(t, y + 2, 2, w - 2, ROLE_DIM, "no exceptions registered");
}

static void ask_next(struct tui *t, struct view *v);

static void answered(struct tui *t, void *ctx, const char *text)
{
	struct view *v = ctx;
	struct excview *xv = v->priv;
	while (*text == ' ')
		text++;
	if (!*text && xv->asking != ASK_CONTROLS) {
		tui_message(t, 1, "no exception added: every field but the controls is needed");
		answers_free(xv);
		return;
	}
	xv->answer[xv->asking] = xstrdup(text);
	if (++xv->asking < ASK__COUNT) {
		ask_next(t, v);
		return;
	}
	struct exception ex = {0};
	struct err e = {{0}};
	int64_t ms = 0;
	if (units_parse_duration_ms(xv->answer[ASK_EXPIRY], &ms) < 0 || ms <= 0) {
		tui_message(t, 1, "no exception added: '%s' is not a duration (7d, 12h, 30m)",
			    xv->answer[ASK_EXPIRY]);
		answers_free(xv);
		return;
	}
	ex.scope = xv->answer[ASK_SCOPE];
	ex.owner = xv->answer[ASK_OWNER];
	ex.reason = xv->answer[ASK_REASON];
	ex.controls = xv->answer[ASK_CONTROLS];
	ex.opened_ms = util_now_ms();
	ex.expires_ms = ex.opened_ms + ms;
	if (exception_check(&ex, &e) < 0 || exceptions_add(t->store, &ex, &e) < 0)
		tui_message(t, 1, "no exception added: %s", e.msg);
	else
		tui_message(t, 0, "exception %lld registered (audited)", (long long)ex.id);
	free(ex.opened_by); /* filled by exceptions_add; the rest borrowed the answers */
	answers_free(xv);
	tui_reload(t);
}

static void ask_next(struct tui *t, struct view *v)
{
	struct excview *xv = v->priv;
	tui_prompt(t, ask_label[xv->asking], answered, v);
}

static void close_typed(struct tui *t, void *ctx, const char *text)
{
	struct view *v = ctx;
	struct excview *xv = v->priv;
	struct err e = {{0}};
	if (exceptions_close(t->store, xv->closing, t->login, text, &e) < 0)
		tui_message(t, 1, "%s", e.msg);
	else
		tui_message(t, 0, "exception %lld closed (audited)", (long long)xv->closing);
	tui_reload(t);
}

static int exc_request(struct tui *t, struct view *v, enum request r)
{
	struct excview *xv = v->priv;
	switch (r) {
	case REQ_EXC_ADD:
		answers_free(xv);
		xv->asking = ASK_SCOPE;
		ask_next(t, v);
		return 1;
	case REQ_EXC_CLOSE: {
		if (v->cursor < 0 || (size_t)v->cursor >= xv->list.n) {
			tui_message(t, 1, "no exception under the cursor");
			return 1;
		}
		const struct exception *ex = &xv->list.items[v->cursor];
		if (ex->closed_ms) {
			tui_message(t, 1, "exception %lld is already closed", (long long)ex->id);
			return 1;
		}
		xv->closing = ex->id;
		char label[128];
		snprintf(label, sizeof(label), "close exception %lld: note: ", (long long)ex->id);
		tui_prompt(t, label, close_typed, v);
		return 1;
	}
	default:
		return 0;
	}
}

const struct view_ops view_exceptions_ops = {
	.name = "exceptions",
	.title = "Exceptions",
	.scope = KS_EXCEPTIONS,
	.open = exc_open,
	.close = exc_close,
	.reload = exc_reload,
	.draw = exc_draw,
	.request = exc_request,
};
