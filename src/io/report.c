/* report — gathers what the store knows about a program's parity (the
 * newest comparison of each account from the audit log, sample trends,
 * drift, exceptions, sign-offs, run states, the audit chain) into one JSON
 * model, redacts it whole, and renders it: Markdown, JSON, or a single HTML
 * file whose charts are inline SVG, so the page needs nothing else. */
#include "warroom/report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "warroom/audit.h"
#include "warroom/drift.h"
#include "warroom/engine.h"
#include "warroom/exceptions.h"
#include "warroom/plan.h"
#include "warroom/redact.h"
#include "warroom/runs.h"
#include "warroom/samples.h"
#include "warroom/source_import.h"
#include "warroom/store.h"

#define TREND_POINTS 30
#define IMPORT_ITEMS_SHOWN 50 /* items listed per account; the rest are counted */

static const struct {
	const char *name;
	enum report_format f;
	const char *ext;
} formats[] = {
	{"md", REPORT_MD, "md"},
	{"markdown", REPORT_MD, "md"},
	{"json", REPORT_JSON, "json"},
	{"html", REPORT_HTML, "html"},
};

int report_format_parse(const char *s, enum report_format *out)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(formats); i++)
		if (strcmp(formats[i].name, s) == 0) {
			*out = formats[i].f;
			return 0;
		}
	return -1;
}

const char *report_format_ext(enum report_format f)
{
	for (size_t i = 0; i < ARRAY_SIZE(formats); i++)
		if (formats[i].f == f)
			return formats[i].ext;
	return "txt";
}

/* ---- the model ---------------------------------------------------------------------------- */

/* What the report reads from the audit log: per account, the newest
 * record of each action it shows, keyed "ACTION ACCOUNT". */
static const char *const logged_actions[] = {"parity.run", "import.done"};

static int newest_records(const struct audit_record *r, void *ctx)
{
	cJSON *newest = ctx;
	size_t i = 0;
	while (i < ARRAY_SIZE(logged_actions) && strcmp(r->action, logged_actions[i]) != 0)
		i++;
	if (i == ARRAY_SIZE(logged_actions) || !r->account[0])
		return 0;
	cJSON *d = cJSON_Parse(r->detail);
	if (!d)
		return 0;
	cJSON_AddStringToObject(d, "recorded_by", r->actor);
	cJSON_AddStringToObject(d, "recorded_at", r->ts);
	char *key = xasprintf("%s %s", r->action, r->account);
	if (cJSON_GetObjectItemCaseSensitive(newest, key))
		cJSON_ReplaceItemInObjectCaseSensitive(newest, key, d);
	else
		cJSON_AddItemToObject(newest, key, d);
	free(key);
	return 0;
}

/* Moves the newest record of action for the account into o under name. */
static void take_record(cJSON *newest, const char *action, const char *account, cJSON *o,
			const char *name)
{
	char *key = xasprintf("%s %s", action, account);
	cJSON *d = cJSON_DetachItemFromObjectCaseSensitive(newest, key);
	free(key);
	if (d)
		cJSON_AddItemToObject(o, name, d);
	else
		cJSON_AddNullToObject(o, name);
}

static void add_time(cJSON *o, const char *key, int64_t ms)
{
	if (ms <= 0) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	char t[32];
	util_iso8601(ms, t, sizeof(t));
	cJSON_AddStringToObject(o, key, t);
}

/* The account's newest import run item by item (import_items): the counts of
 * each verdict and, capped, the items that will not import or import with
 * a change, with why. null when the account was never imported. */
static int add_import_items(struct store *st, const char *account, cJSON *o, struct err *e)
{
	struct import_verdicts v;
	int found = source_import_verdicts(st, account, 1, IMPORT_ITEMS_SHOWN, &v, e);
	if (found <= 0) {
		if (found == 0)
			cJSON_AddNullToObject(o, "import_items");
		return found;
	}
	cJSON *im = cJSON_AddObjectToObject(o, "import_items");
	add_time(im, "run_at", v.run_ms);
	cJSON_AddBoolToObject(im, "dry_run", v.dry_run);
	cJSON *counts = cJSON_AddObjectToObject(im, "counts");
	for (int k = 0; k < IMPORT_ACTION_COUNT; k++)
		cJSON_AddNumberToObject(counts, source_import_action_name((enum import_action)k),
					(double)v.count[k]);
	cJSON *arr = cJSON_AddArrayToObject(im, "items");
	for (size_t i = 0; i < v.n; i++) {
		const struct import_verdict *it = &v.v[i];
		cJSON *item = cJSON_CreateObject();
		cJSON_AddStringToObject(item, "verdict", source_import_action_name(it->action));
		cJSON_AddStringToObject(item, "entity", it->entity_type);
		cJSON_AddStringToObject(item, "id", it->source_id);
		cJSON_AddStringToObject(item, "name", it->name ? it->name : "");
		cJSON_AddStringToObject(item, "reason", it->reason);
		cJSON_AddItemToObject(item, "changes",
				      it->changes ? cJSON_Duplicate(it->changes, 1) : cJSON_CreateArray());
		cJSON_AddItemToArray(arr, item);
	}
	cJSON_AddNumberToObject(im, "more", (double)(v.with_reason - v.n));
	source_import_verdicts_free(&v);
	return 0;
}

static int add_account(struct store *st, const struct account *a, cJSON *newest, cJSON *list,
		       struct err *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToArray(list, o);
	cJSON_AddStringToObject(o, "id", a->id);
	cJSON_AddStringToObject(o, "name", a->name ? a->name : a->id);
	cJSON_AddStringToObject(o, "wave", a->wave ? a->wave : "");
	take_record(newest, "parity.run", a->id, o, "parity");
	take_record(newest, "import.done", a->id, o, "import");
	if (add_import_items(st, a->id, o, e))
		return -1;
	double *vals = NULL;
	size_t n = 0;
	if (samples_series(st, a->id, SAMPLE_PARITY, SAMPLE_PASS_RATE, TREND_POINTS, &vals, &n, e))
		return -1;
	cJSON_AddItemToObject(o, "trend", cJSON_CreateDoubleArray(vals, (int)n));
	free(vals);
	struct sample s;
	int got = samples_latest(st, a->id, SAMPLE_PARITY, SAMPLE_NOISE, &s, e);
	if (got < 0)
		return -1;
	if (got) {
		cJSON_AddNumberToObject(o, "aa_noise", s.value);
		sample_free(&s);
	} else {
		cJSON_AddNullToObject(o, "aa_noise");
	}
	cJSON *drift = cJSON_AddObjectToObject(o, "drift");
	got = samples_latest(st, a->id, SAMPLE_DRIFT, "entities", &s, e);
	if (got < 0)
		return -1;
	int64_t since = 0;
	if (drift_unexplained_since(st, a->id, &since, e))
		return -1;
	cJSON_AddBoolToObject(drift, "checked", got);
	cJSON_AddNumberToObject(drift, "unexplained", got ? s.value : 0);
	cJSON_AddNumberToObject(drift, "differing", got ? (double)s.evaluated : 0);
	add_time(drift, "checked_at", got ? s.at_ms : 0);
	add_time(drift, "unexplained_since", since);
	if (got)
		sample_free(&s);
	struct runs_summary rs;
	got = runs_get(st, a->id, &rs, e);
	if (got < 0)
		return -1;
	cJSON_AddStringToObject(o, "run_state", got ? engine_run_state_name(rs.state) : "not started");
	if (got)
		runs_summary_free(&rs);
	return 0;
}

static int add_exceptions(struct store *st, cJSON *model, struct err *e)
{
	struct exception_list l = {0};
	int64_t now = util_now_ms();
	if (exceptions_list(st, EXC_ALL, now, &l, e))
		return -1;
	cJSON *arr = cJSON_AddArrayToObject(model, "exceptions");
	for (size_t i = 0; i < l.n; i++) {
		const struct exception *x = &l.items[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)x->id);
		cJSON_AddStringToObject(o, "state", x->closed_ms ? "closed" : x->expires_ms <= now ? "expired" : "open");
		cJSON_AddStringToObject(o, "scope", x->scope);
		cJSON_AddStringToObject(o, "owner", x->owner);
		cJSON_AddStringToObject(o, "reason", x->reason);
		cJSON_AddStringToObject(o, "controls", x->controls ? x->controls : "");
		add_time(o, "opened", x->opened_ms);
		add_time(o, "expires", x->expires_ms);
		add_time(o, "closed", x->closed_ms);
		cJSON_AddItemToArray(arr, o);
	}
	exception_list_free(&l);
	return 0;
}

static int add_signoffs(struct store *st, const char *account, cJSON *model, struct err *e)
{
	sqlite3_stmt *q = store_stmt(st,
		"SELECT account, gate_id, role, login, decision, coalesce(reason, ''), ts_ms FROM signoffs "
		"WHERE ?1 IS NULL OR account = ?1 ORDER BY ts_ms, id", e);
	if (!q)
		return -1;
	if (account)
		sqlite3_bind_text(q, 1, account, -1, SQLITE_TRANSIENT);
	cJSON *arr = cJSON_AddArrayToObject(model, "signoffs");
	int step;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		static const char *const cols[] = {"account", "gate", "role", "who", "decision", "reason"};
		cJSON *o = cJSON_CreateObject();
		for (int i = 0; i < (int)ARRAY_SIZE(cols); i++)
			cJSON_AddStringToObject(o, cols[i], (const char *)sqlite3_column_text(q, i));
		add_time(o, "when", sqlite3_column_int64(q, 6));
		cJSON_AddItemToArray(arr, o);
	}
	sqlite3_reset(q);
	return step == SQLITE_DONE ? 0 : store_error(st, e, "reading sign-offs");
}

static void add_rollback(const struct program *p, cJSON *model)
{
	cJSON *rb = cJSON_AddObjectToObject(model, "rollback");
	const struct plan_rollback_strategy *s = p->plan ? p->plan->rollback_strategy : NULL;
	cJSON *levels = cJSON_AddArrayToObject(rb, "levels");
	for (size_t i = 0; s && i < s->n_rollback_levels; i++) {
		const struct plan_rollback_level_spec *l = &s->rollback_levels[i];
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "level", plan_rollback_level_name(l->level));
		cJSON_AddStringToObject(o, "decision_maker", l->decision_maker ? l->decision_maker : "");
		cJSON_AddBoolToObject(o, "approval_required", l->approval_required);
		cJSON_AddBoolToObject(o, "procedure", l->rollback_procedure != NULL);
		cJSON_AddItemToArray(levels, o);
	}
	const struct plan_data_migration *dm = p->plan ? p->plan->data_migration : NULL;
	size_t reversible = 0, total = dm ? dm->n_migrations : 0;
	for (size_t i = 0; i < total; i++)
		reversible += dm->migrations[i].rollback && dm->migrations[i].rollback->can_rollback;
	cJSON_AddNumberToObject(rb, "data_migrations", (double)total);
	cJSON_AddNumberToObject(rb, "data_migrations_reversible", (double)reversible);
	cJSON_AddBoolToObject(rb, "ready", s && s->n_rollback_levels > 0 && reversible == total);
}

cJSON *report_build(struct store *st, const struct program *p, const char *account, struct err *e)
{
	if (account && !program_find_account(p, account)) {
		err_set(e, "no account '%s' in the program", account);
		return NULL;
	}
	cJSON *m = cJSON_CreateObject();
	cJSON *newest = cJSON_CreateObject();
	const char *name = p->plan && p->plan->program && p->plan->program->name ? p->plan->program->name
			 : p->plan && p->plan->metadata && p->plan->metadata->migration_name
				 ? p->plan->metadata->migration_name
				 : "migration program";
	cJSON_AddStringToObject(m, "program", name);
	add_time(m, "generated_at", util_now_ms());
	cJSON_AddStringToObject(m, "plan_hash", p->plan_hash);
	double threshold = p->plan && p->plan->program ? p->plan->program->parity_threshold : 0.999;
	cJSON_AddNumberToObject(m, "threshold", threshold);
	double rate;
	int64_t passed, evaluated;
	struct audit_verdict v;
	if (samples_program_pass_rate(st, &rate, &passed, &evaluated, e) ||
	    audit_scan(st, 0, 0, newest_records, newest, e) < 0)
		goto fail;
	cJSON *pp = cJSON_AddObjectToObject(m, "program_pass_rate");
	cJSON_AddNumberToObject(pp, "rate", rate);
	cJSON_AddNumberToObject(pp, "passed", (double)passed);
	cJSON_AddNumberToObject(pp, "evaluated", (double)evaluated);
	cJSON_AddBoolToObject(pp, "ok", rate + 1e-12 >= threshold);
	cJSON *accts = cJSON_AddArrayToObject(m, "accounts");
	for (size_t i = 0; i < p->n_accounts; i++)
		if ((!account || strcmp(account, p->accounts[i].id) == 0) &&
		    add_account(st, &p->accounts[i], newest, accts, e))
			goto fail;
	if (add_exceptions(st, m, e) || add_signoffs(st, account, m, e))
		goto fail;
	add_rollback(p, m);
	if (audit_verify(st, &v, e))
		goto fail;
	cJSON *au = cJSON_AddObjectToObject(m, "audit");
	cJSON_AddNumberToObject(au, "records", (double)v.records);
	cJSON_AddBoolToObject(au, "intact", v.broken_seq == 0);
	cJSON_AddStringToObject(au, "head", v.head);
	if (v.broken_seq)
		cJSON_AddStringToObject(au, "problem", v.why);
	cJSON_Delete(newest);
	redact_json(m); /* customer-safe: whatever reached the store, no secret leaves here */
	return m;
fail:
	cJSON_Delete(newest);
	cJSON_Delete(m);
	return NULL;
}

/* ---- rendering ------------------------------------------------------------------------------- */

static const char *str(const cJSON *o, const char *key)
{
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
	return s ? s : "";
}

static double num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static int flag(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static const cJSON *get(const cJSON *o, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive(o, key);
}

/* Escapes for the output: '|' and newlines in Markdown cells, the five
 * characters in HTML. */
static void put_md(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			sb_adds(sb, "\\|");
		else if (*s == '\n')
			sb_adds(sb, " ");
		else
			sb_addc(sb, *s);
	}
}

static void put_html(struct strbuf *sb, const char *s)
{
	static const struct {
		char c;
		const char *ent;
	} ents[] = {{'&', "&amp;"}, {'<', "&lt;"}, {'>', "&gt;"}, {'"', "&quot;"}, {'\'', "&#39;"}};
	for (; *s; s++) {
		size_t i = 0;
		while (i < ARRAY_SIZE(ents) && ents[i].c != *s)
			i++;
		if (i < ARRAY_SIZE(ents))
			sb_adds(sb, ents[i].ent);
		else
			sb_addc(sb, *s);
	}
}

static const char *pass_text(const cJSON *acct, char *buf, size_t size)
{
	const cJSON *pr = get(acct, "parity");
	if (!cJSON_IsObject(pr))
		snprintf(buf, size, "not measured");
	else
		snprintf(buf, size, "%.3f%%", 100.0 * num(pr, "pass_rate"));
	return buf;
}

/* The newest import's outcome, item by item as the importer judged it. */
static void import_line(const cJSON *im, struct strbuf *sb)
{
	if (!cJSON_IsObject(im))
		return;
	const cJSON *plan = get(im, "plan");
	sb_addf(sb, "Last import %s: %.0f created, %.0f updated, %.0f unchanged, %.0f refused "
		    "(will not import).\n\n",
		str(im, "recorded_at"), num(plan, "create"), num(plan, "update"), num(plan, "unchanged"),
		num(plan, "refused"));
}

/* Each account's newest import, item by item: the counts, then what will
 * not import or imports with a change, and why. Markdown or HTML. */
static void render_import_items(const cJSON *m, struct strbuf *sb, int html)
{
	void (*put)(struct strbuf *, const char *) = html ? put_html : put_md;
	const cJSON *acct, *it, *ch;
	int any = 0;
	cJSON_ArrayForEach(acct, get(m, "accounts"))
	{
		const cJSON *im = get(acct, "import_items"), *c = get(im, "counts");
		if (!cJSON_IsObject(im))
			continue;
		if (!any++)
			sb_adds(sb, html ? "<h2>Import verdicts</h2>\n" : "\n## Import verdicts\n");
		sb_adds(sb, html ? "<h3>" : "\n### ");
		put(sb, str(acct, "id"));
		sb_addf(sb, " (%s %s)%s", flag(im, "dry_run") ? "dry run" : "import", str(im, "run_at"),
			html ? "</h3>\n<p class=\"import\">" : "\n\n");
		sb_addf(sb, "%.0f will import, %.0f will import with a change (update), %.0f unchanged, "
			    "%.0f will not import.%s",
			num(c, "create"), num(c, "update"), num(c, "unchanged"), num(c, "refused"),
			html ? "</p>\n<ul class=\"import-items\">\n" : "\n\n");
		cJSON_ArrayForEach(it, get(im, "items"))
		{
			const char *v = str(it, "verdict");
			sb_adds(sb, html ? "<li>" : "- ");
			sb_adds(sb, !strcmp(v, "refused") ? "will not import" : "will import with a change");
			sb_addf(sb, " %s %s", str(it, "entity"), html ? "<code>" : "`");
			put(sb, str(it, "id"));
			sb_adds(sb, html ? "</code>" : "`");
			if (*str(it, "name")) {
				sb_adds(sb, " \"");
				put(sb, str(it, "name"));
				sb_adds(sb, "\"");
			}
			sb_adds(sb, ": ");
			put(sb, str(it, "reason"));
			int k = 0;
			cJSON_ArrayForEach(ch, get(it, "changes"))
			{
				if (!cJSON_IsString(ch))
					continue;
				sb_adds(sb, k++ ? "; " : " -- ");
				put(sb, ch->valuestring);
			}
			sb_adds(sb, html ? "</li>\n" : "\n");
		}
		if (num(im, "more") > 0)
			sb_addf(sb, html ? "<li>... and %.0f more</li>\n" : "- ... and %.0f more\n", num(im, "more"));
		if (html)
			sb_adds(sb, "</ul>\n");
	}
}

static void render_md(const cJSON *m, struct strbuf *sb)
{
	const cJSON *pp = get(m, "program_pass_rate"), *it;
	sb_adds(sb, "# Parity report: ");
	put_md(sb, str(m, "program"));
	sb_addf(sb, "\n\nGenerated %s. Plan sha256 `%s`.\n\n", str(m, "generated_at"), str(m, "plan_hash"));
	sb_addf(sb, "**Program pass rate: %.3f%%** (%.0f of %.0f invariants; threshold %.3f%%) -- %s\n\n",
		100.0 * num(pp, "rate"), num(pp, "passed"), num(pp, "evaluated"), 100.0 * num(m, "threshold"),
		flag(pp, "ok") ? "meets the threshold" : "BELOW THE THRESHOLD");
	sb_adds(sb, "## Accounts\n\n| account | wave | run | pass rate | error rate | A/A noise | drift (unexplained) |\n"
		    "|---|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(it, get(m, "accounts"))
	{
		char pass[32];
		const cJSON *pr = get(it, "parity"), *dr = get(it, "drift");
		sb_adds(sb, "| ");
		put_md(sb, str(it, "id"));
		sb_adds(sb, " | ");
		put_md(sb, str(it, "wave"));
		sb_addf(sb, " | %s | %s | ", str(it, "run_state"), pass_text(it, pass, sizeof(pass)));
		if (cJSON_IsObject(pr))
			sb_addf(sb, "%.3f%%", 100.0 * num(pr, "error_rate"));
		sb_adds(sb, " | ");
		if (cJSON_IsNumber(get(it, "aa_noise")))
			sb_addf(sb, "%.3f%%", 100.0 * num(it, "aa_noise"));
		if (flag(dr, "checked"))
			sb_addf(sb, " | %.0f |\n", num(dr, "unexplained"));
		else
			sb_adds(sb, " | not checked |\n");
	}
	cJSON_ArrayForEach(it, get(m, "accounts"))
	{
		const cJSON *pr = get(it, "parity"), *ty, *mm;
		if (!cJSON_IsObject(pr))
			continue;
		sb_adds(sb, "\n## ");
		put_md(sb, str(it, "id"));
		sb_addf(sb, " (measured %s)\n\n", str(pr, "at"));
		import_line(get(it, "import"), sb);
		sb_addf(sb, "| entity | source | target | matched | changed | missing | extra | "
			    "explained | sampled ok | source sha256 | target sha256 |\n"
			    "|---|---|---|---|---|---|---|---|---|---|---|\n");
		cJSON_ArrayForEach(ty, get(pr, "types"))
		{
			if (!num(ty, "source_count") && !num(ty, "target_count"))
				continue;
			sb_addf(sb, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f/%.0f | `%.12s` | `%.12s` |\n",
				ty->string, num(ty, "source_count"), num(ty, "target_count"), num(ty, "matched"),
				num(ty, "changed"), num(ty, "missing"), num(ty, "extra"), num(ty, "explained"),
				num(ty, "sampled_ok"), num(ty, "sampled"), str(ty, "source_digest"),
				str(ty, "target_digest"));
		}
		if (cJSON_GetArraySize(get(pr, "mismatches")))
			sb_adds(sb, "\nDifferences:\n\n");
		cJSON_ArrayForEach(mm, get(pr, "mismatches"))
		{
			sb_addf(sb, "- %s %s `%s`", str(mm, "kind"), str(mm, "entity"), str(mm, "id"));
			if (*str(mm, "explained_by")) {
				sb_adds(sb, " -- explained by ");
				put_md(sb, str(mm, "explained_by"));
			}
			sb_adds(sb, "\n");
			if (*str(mm, "diff")) {
				sb_adds(sb, "\n  ```diff\n");
				for (const char *s = str(mm, "diff"); *s;) {
					const char *nl = strchr(s, '\n');
					size_t n = nl ? (size_t)(nl - s) : strlen(s);
					sb_addf(sb, "  %.*s\n", (int)n, s);
					s += n + (nl != NULL);
				}
				sb_adds(sb, "  ```\n");
			}
		}
		if (num(pr, "mismatches_dropped") > 0)
			sb_addf(sb, "- ... and %.0f more\n", num(pr, "mismatches_dropped"));
		if (cJSON_GetArraySize(get(pr, "rules"))) {
			sb_adds(sb, "\nKnown, benign differences (ignore rules):\n\n");
			cJSON_ArrayForEach(mm, get(pr, "rules"))
			{
				sb_addf(sb, "- %s `%s`: %s (%.0f values) -- ", str(mm, "entity"), str(mm, "field"),
					str(mm, "rule"), num(mm, "hits"));
				put_md(sb, str(mm, "reason"));
				sb_adds(sb, "\n");
			}
		}
	}
	render_import_items(m, sb, 0);
	sb_adds(sb, "\n## Exceptions\n\n");
	if (!cJSON_GetArraySize(get(m, "exceptions")))
		sb_adds(sb, "None registered.\n");
	else
		sb_adds(sb, "| # | state | scope | owner | reason | controls | expires |\n|---|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(it, get(m, "exceptions"))
	{
		sb_addf(sb, "| %.0f | %s | ", num(it, "id"), str(it, "state"));
		static const char *const cols[] = {"scope", "owner", "reason", "controls", "expires"};
		for (size_t i = 0; i < ARRAY_SIZE(cols); i++) {
			put_md(sb, str(it, cols[i]));
			sb_adds(sb, " | ");
		}
		sb->buf[sb->len - 1] = '\n';
	}
	sb_adds(sb, "\n## Gate sign-offs\n\n");
	if (!cJSON_GetArraySize(get(m, "signoffs")))
		sb_adds(sb, "None yet.\n");
	else
		sb_adds(sb, "| account | gate | role | who | decision | when | reason |\n|---|---|---|---|---|---|---|\n");
	cJSON_ArrayForEach(it, get(m, "signoffs"))
	{
		static const char *const cols[] = {"account", "gate", "role", "who", "decision", "when", "reason"};
		sb_adds(sb, "| ");
		for (size_t i = 0; i < ARRAY_SIZE(cols); i++) {
			put_md(sb, str(it, cols[i]));
			sb_adds(sb, " | ");
		}
		sb->buf[sb->len - 1] = '\n';
	}
	const cJSON *rb = get(m, "rollback"), *au = get(m, "audit");
	sb_addf(sb, "\n## Rollback readiness\n\n%s: %d rollback levels defined; %.0f of %.0f data migrations reversible.\n",
		flag(rb, "ready") ? "Ready" : "Not ready", cJSON_GetArraySize(get(rb, "levels")),
		num(rb, "data_migrations_reversible"), num(rb, "data_migrations"));
	cJSON_ArrayForEach(it, get(rb, "levels"))
		sb_addf(sb, "- %s: decided by %s%s\n", str(it, "level"),
			*str(it, "decision_maker") ? str(it, "decision_maker") : "(unnamed)",
			flag(it, "approval_required") ? ", approval required" : "");
	sb_addf(sb, "\n## Audit log\n\n%.0f records, chain %s, head `%s`.\n", num(au, "records"),
		flag(au, "intact") ? "intact" : "BROKEN", str(au, "head"));
	if (*str(au, "problem"))
		sb_addf(sb, "Problem: %s\n", str(au, "problem"));
}

/* A horizontal bar per account (pass rate) with the threshold as a line. */
static void svg_bars(const cJSON *m, struct strbuf *sb)
{
	int n = cJSON_GetArraySize(get(m, "accounts"));
	int h = 30 + 26 * (n ? n : 1), w = 640, x0 = 140, bw = w - x0 - 80;
	double lo = 0.9; /* the interesting range: 90 % .. 100 % */
	sb_addf(sb, "<svg class=\"chart\" id=\"pass-rates\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		    "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"pass rate per account\">\n",
		w, h, w, h);
	int row = 0;
	const cJSON *it;
	cJSON_ArrayForEach(it, get(m, "accounts"))
	{
		const cJSON *pr = get(it, "parity");
		double rate = cJSON_IsObject(pr) ? num(pr, "pass_rate") : 0;
		double f = rate <= lo ? 0 : (rate - lo) / (1 - lo);
		int y = 10 + 26 * row++;
		sb_adds(sb, "<text x=\"4\" y=\"");
		sb_addf(sb, "%d\" font-size=\"13\">", y + 15);
		put_html(sb, str(it, "id"));
		char label[32];
		pass_text(it, label, sizeof(label));
		sb_addf(sb, "</text><rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"18\" fill=\"%s\"/>"
			    "<text x=\"%.1f\" y=\"%d\" font-size=\"12\">%s</text>\n",
			x0, y, f * bw, cJSON_IsObject(pr) && flag(pr, "ok") ? "#2e7d32" : "#c62828",
			x0 + f * bw + 4, y + 14, label);
	}
	double t = num(m, "threshold");
	double tx = x0 + (t <= lo ? 0 : (t - lo) / (1 - lo)) * bw;
	sb_addf(sb, "<line x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\" stroke-dasharray=\"4 3\"/>"
		    "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">threshold %.2f%%</text>\n</svg>\n",
		tx, tx, h - 14, tx - 40, h - 2, 100 * t);
}

/* The pass-rate trend of one account as a small line chart. */
static void svg_trend(const cJSON *acct, struct strbuf *sb)
{
	const cJSON *tr = get(acct, "trend"), *v;
	int n = cJSON_GetArraySize(tr);
	if (n < 1)
		return;
	double lo = 1, hi = 0;
	cJSON_ArrayForEach(v, tr)
	{
		lo = fmin(lo, v->valuedouble);
		hi = fmax(hi, v->valuedouble);
	}
	if (hi - lo < 1e-6)
		lo = hi - 0.01;
	sb_adds(sb, "<svg class=\"trend\" xmlns=\"http://www.w3.org/2000/svg\" width=\"160\" height=\"32\" "
		    "viewBox=\"0 0 160 32\"><polyline fill=\"none\" stroke=\"#1565c0\" stroke-width=\"2\" points=\"");
	int i = 0;
	cJSON_ArrayForEach(v, tr)
	{
		double x = n > 1 ? 4 + 152.0 * i / (n - 1) : 80;
		double y = 28 - 24 * (v->valuedouble - lo) / (hi - lo);
		sb_addf(sb, "%s%.1f,%.1f", i++ ? " " : "", x, y);
	}
	sb_adds(sb, "\"/></svg>");
}

static void html_table(struct strbuf *sb, const cJSON *arr, const char *const *cols, size_t ncols,
		       const char *id)
{
	sb_addf(sb, "<table id=\"%s\"><tr>", id);
	for (size_t i = 0; i < ncols; i++)
		sb_addf(sb, "<th>%s</th>", cols[i]);
	sb_adds(sb, "</tr>\n");
	const cJSON *it;
	cJSON_ArrayForEach(it, arr)
	{
		sb_adds(sb, "<tr>");
		for (size_t i = 0; i < ncols; i++) {
			const cJSON *v = get(it, cols[i]);
			sb_adds(sb, "<td>");
			if (cJSON_IsNumber(v))
				sb_addf(sb, "%.0f", v->valuedouble);
			else
				put_html(sb, str(it, cols[i]));
			sb_adds(sb, "</td>");
		}
		sb_adds(sb, "</tr>\n");
	}
	sb_adds(sb, "</table>\n");
}

static void render_html(const cJSON *m, struct strbuf *sb)
{
	const cJSON *pp = get(m, "program_pass_rate"), *it;
	sb_adds(sb, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Parity report: ");
	put_html(sb, str(m, "program"));
	sb_adds(sb, "</title>\n<style>body{font-family:sans-serif;margin:2em;color:#222}"
		    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;"
		    "text-align:left}th{background:#eee}.bad{color:#c62828;font-weight:bold}"
		    ".good{color:#2e7d32;font-weight:bold}pre{background:#f6f6f6;padding:6px}</style>"
		    "</head><body>\n<h1>Parity report: ");
	put_html(sb, str(m, "program"));
	sb_addf(sb, "</h1>\n<p>Generated %s. Plan sha256 <code>%s</code>.</p>\n", str(m, "generated_at"),
		str(m, "plan_hash"));
	sb_addf(sb, "<p id=\"program-pass-rate\" class=\"%s\">Program pass rate %.3f%% (%.0f of %.0f "
		    "invariants; threshold %.3f%%)</p>\n",
		flag(pp, "ok") ? "good" : "bad", 100.0 * num(pp, "rate"), num(pp, "passed"),
		num(pp, "evaluated"), 100.0 * num(m, "threshold"));
	svg_bars(m, sb);
	sb_adds(sb, "<h2>Accounts</h2>\n<table id=\"accounts\"><tr><th>account</th><th>wave</th><th>run</th>"
		    "<th>pass rate</th><th>trend</th><th>unexplained drift</th></tr>\n");
	cJSON_ArrayForEach(it, get(m, "accounts"))
	{
		char pass[32];
		sb_adds(sb, "<tr><td>");
		put_html(sb, str(it, "id"));
		sb_adds(sb, "</td><td>");
		put_html(sb, str(it, "wave"));
		sb_addf(sb, "</td><td>%s</td><td class=\"pass\">%s</td><td>", str(it, "run_state"),
			pass_text(it, pass, sizeof(pass)));
		svg_trend(it, sb);
		sb_addf(sb, "</td><td>%.0f</td></tr>\n", num(get(it, "drift"), "unexplained"));
	}
	sb_adds(sb, "</table>\n");
	cJSON_ArrayForEach(it, get(m, "accounts"))
	{
		const cJSON *pr = get(it, "parity"), *ty, *mm;
		if (!cJSON_IsObject(pr))
			continue;
		sb_adds(sb, "<h2>");
		put_html(sb, str(it, "id"));
		sb_adds(sb, "</h2>\n");
		if (cJSON_IsObject(get(it, "import"))) {
			struct strbuf line = {0};
			import_line(get(it, "import"), &line);
			sb_adds(sb, "<p class=\"import\">");
			put_html(sb, sb_str(&line));
			sb_adds(sb, "</p>\n");
			sb_release(&line);
		}
		sb_addf(sb, "<table class=\"types\"><tr><th>entity</th><th>source</th><th>target</th>"
			    "<th>matched</th><th>changed</th><th>missing</th><th>extra</th><th>explained</th>"
			    "<th>sampled ok</th><th>target sha256</th></tr>\n");
		cJSON_ArrayForEach(ty, get(pr, "types"))
			if (num(ty, "source_count") || num(ty, "target_count"))
				sb_addf(sb, "<tr><td>%s</td><td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f</td>"
					    "<td>%.0f</td><td>%.0f</td><td>%.0f</td><td>%.0f/%.0f</td><td><code>%.16s"
					    "</code></td></tr>\n",
					ty->string, num(ty, "source_count"), num(ty, "target_count"), num(ty, "matched"),
					num(ty, "changed"), num(ty, "missing"), num(ty, "extra"), num(ty, "explained"),
					num(ty, "sampled_ok"), num(ty, "sampled"), str(ty, "target_digest"));
		sb_adds(sb, "</table>\n");
		cJSON_ArrayForEach(mm, get(pr, "mismatches"))
		{
			sb_addf(sb, "<p class=\"mismatch\">%s %s <code>", str(mm, "kind"), str(mm, "entity"));
			put_html(sb, str(mm, "id"));
			sb_adds(sb, "</code>");
			if (*str(mm, "explained_by")) {
				sb_adds(sb, " &mdash; explained by ");
				put_html(sb, str(mm, "explained_by"));
			}
			sb_adds(sb, "</p>\n");
			if (*str(mm, "diff")) {
				sb_adds(sb, "<pre>");
				put_html(sb, str(mm, "diff"));
				sb_adds(sb, "</pre>\n");
			}
		}
	}
	static const char *const exc_cols[] = {"id", "state", "scope", "owner", "reason", "controls", "expires"};
	static const char *const sig_cols[] = {"account", "gate", "role", "who", "decision", "when", "reason"};
	render_import_items(m, sb, 1);
	sb_adds(sb, "<h2>Exceptions</h2>\n");
	html_table(sb, get(m, "exceptions"), exc_cols, ARRAY_SIZE(exc_cols), "exceptions");
	sb_adds(sb, "<h2>Gate sign-offs</h2>\n");
	html_table(sb, get(m, "signoffs"), sig_cols, ARRAY_SIZE(sig_cols), "signoffs");
	const cJSON *rb = get(m, "rollback"), *au = get(m, "audit");
	sb_addf(sb, "<h2>Rollback readiness</h2>\n<p id=\"rollback\">%s: %d rollback levels; %.0f of %.0f "
		    "data migrations reversible.</p>\n",
		flag(rb, "ready") ? "Ready" : "Not ready", cJSON_GetArraySize(get(rb, "levels")),
		num(rb, "data_migrations_reversible"), num(rb, "data_migrations"));
	sb_addf(sb, "<h2>Audit log</h2>\n<p id=\"audit\">%.0f records, chain %s, head <code>%s</code>.</p>\n"
		    "</body></html>\n",
		num(au, "records"), flag(au, "intact") ? "intact" : "BROKEN", str(au, "head"));
}

int report_render(const cJSON *model, enum report_format f, FILE *out, struct err *e)
{
	struct strbuf sb = {0};
	if (f == REPORT_JSON) {
		char *text = cJSON_Print(model);
		sb_adds(&sb, text);
		sb_addc(&sb, '\n');
		free(text);
	} else if (f == REPORT_HTML) {
		render_html(model, &sb);
	} else {
		render_md(model, &sb);
	}
	size_t n = fwrite(sb_str(&sb), 1, sb.len, out);
	int bad = n != sb.len || fflush(out) != 0;
	sb_release(&sb);
	return bad ? err_set(e, "writing the report: %s", strerror(errno)) : 0;
}

/* ---- the evidence pack ----------------------------------------------------------------------------- */

static int write_file(const char *dir, const char *name, const char *data, size_t len,
		      struct strbuf *sums, struct err *e)
{
	char *path = xasprintf("%s/%s", dir, name);
	int rc = util_write_file_atomic(path, data, len, e);
	free(path);
	if (rc)
		return -1;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL))
		return err_set(e, "hashing %s", name);
	util_hex(md, mdlen, hex);
	sb_addf(sums, "%s  %s\n", hex, name);
	return 0;
}

/* Renders into memory through a FILE, so every file is written the same way. */
static int render_mem(const cJSON *m, enum report_format f, char **buf, size_t *len, struct err *e)
{
	FILE *mf = open_memstream(buf, len);
	if (!mf)
		return err_set(e, "cannot render: %s", strerror(errno));
	int rc = report_render(m, f, mf, e);
	fclose(mf);
	return rc;
}

int report_evidence(struct store *st, const struct program *p, const char *account,
		    const char *dir, int *intact, struct err *e)
{
	*intact = 0;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return err_set(e, "cannot create %s: %s", dir, strerror(errno));
	cJSON *m = report_build(st, p, account, e);
	if (!m)
		return -1;
	struct strbuf sums = {0};
	int rc = 0;
	static const enum report_format fs[] = {REPORT_MD, REPORT_JSON, REPORT_HTML};
	for (size_t i = 0; i < ARRAY_SIZE(fs) && !rc; i++) {
		char *buf = NULL, name[32];
		size_t len = 0;
		snprintf(name, sizeof(name), "report.%s", report_format_ext(fs[i]));
		rc = render_mem(m, fs[i], &buf, &len, e);
		if (!rc)
			rc = write_file(dir, name, buf, len, &sums, e);
		free(buf);
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *mf = rc ? NULL : open_memstream(&buf, &len);
	if (!rc && !mf)
		rc = err_set(e, "cannot export the audit log: %s", strerror(errno));
	if (mf) {
		rc = audit_export(st, mf, AUDIT_JSONL, 0, e);
		fclose(mf);
		if (!rc)
			rc = write_file(dir, "audit.jsonl", buf, len, &sums, e);
	}
	free(buf);
	struct audit_verdict v;
	if (!rc && !(rc = audit_verify(st, &v, e))) {
		char *text = v.broken_seq
				     ? xasprintf("audit log BROKEN at record %lld: %s\nrecords read: %lld\n",
						 (long long)v.broken_seq, v.why, (long long)v.records)
				     : xasprintf("audit log intact: %lld records, head %s\n", (long long)v.records,
						 v.head);
		*intact = v.broken_seq == 0;
		rc = write_file(dir, "verify.txt", text, strlen(text), &sums, e);
		free(text);
	}
	if (!rc) {
		char *path = xasprintf("%s/SHA256SUMS", dir);
		rc = util_write_file_atomic(path, sums.buf ? sums.buf : "", sums.len, e);
		free(path);
	}
	sb_release(&sums);
	cJSON_Delete(m);
	return rc;
}
