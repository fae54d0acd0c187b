/* parity — one account's invariants: counts, content hashes, a deterministic
 * sample diffed field by field. Entities are reduced to (id, hash) pairs and
 * merged by id, so memory follows the entity count; documents are copied
 * only where an ignore rule must rewrite them or a diff must be shown. */
#include "warroom/parity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "warroom/bucket.h"
#include "warroom/jsondiff.h"

/* ---- rules ------------------------------------------------------------------ */

/* source_only: the rule says what the target makes of the source's value,
 * so only the source's side is rewritten; rounding both sides would call
 * 5 -> 4 or 4 -> 6 benign too, which the target never produces. */
static const struct {
	const char *name;
	enum parity_rule_kind kind;
	int takes_minutes;
	int source_only;
} rule_kinds[] = {
	{"ignore", PARITY_IGNORE, 0, 0},
	{"round_minutes", PARITY_ROUND_MINUTES, 1, 1},
	{"case_insensitive", PARITY_CASE_INSENSITIVE, 0, 0},
};

int parity_rule_kind_parse(const char *text, enum parity_rule_kind *kind, int *minutes,
			   struct err *e)
{
	*minutes = 0;
	for (size_t i = 0; text && i < ARRAY_SIZE(rule_kinds); i++) {
		size_t len = strlen(rule_kinds[i].name);
		if (strncmp(text, rule_kinds[i].name, len))
			continue;
		const char *rest = text + len;
		if (!rule_kinds[i].takes_minutes && !*rest) {
			*kind = rule_kinds[i].kind;
			return 0;
		}
		if (rule_kinds[i].takes_minutes && *rest == ':') {
			char *end;
			long m = strtol(rest + 1, &end, 10);
			if (*end || end == rest + 1 || m < 1 || m > 1440)
				return err_set(e, "parity rule '%s': minutes must be 1..1440", text);
			*kind = rule_kinds[i].kind;
			*minutes = (int)m;
			return 0;
		}
	}
	return err_set(e, "unknown parity rule '%s' (expected ignore, round_minutes:N or "
			  "case_insensitive)", text ? text : "");
}

void parity_rule_describe(const struct parity_rule *r, char *buf, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(rule_kinds); i++) {
		if (rule_kinds[i].kind != r->kind)
			continue;
		if (rule_kinds[i].takes_minutes)
			snprintf(buf, size, "%s:%d", rule_kinds[i].name, r->minutes);
		else
			snprintf(buf, size, "%s", rule_kinds[i].name);
		return;
	}
	snprintf(buf, size, "?");
}

void parity_config_init(struct parity_config *c)
{
	memset(c, 0, sizeof(*c));
	c->threshold = 0.999;
	c->sample_size = 25;
	c->buckets = 64;
	c->max_diffs = 50;
}

int parity_config_add_rule(struct parity_config *c, const char *entity, const char *field,
			   const char *rule, const char *reason, struct err *e)
{
	struct parity_rule r = {0};
	enum entity_type t;
	if (!entity || (strcmp(entity, "*") && entity_type_parse(entity, &t, e)))
		return entity ? -1 : err_set(e, "parity rule without an entity");
	if (!field || !*field)
		return err_set(e, "parity rule for %s without a field", entity);
	if (parity_rule_kind_parse(rule, &r.kind, &r.minutes, e))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(rule_kinds); i++)
		if (rule_kinds[i].kind == r.kind)
			r.source_only = rule_kinds[i].source_only;
	r.entity = xstrdup(strcmp(entity, "*") ? entity_type_name(t) : "*");
	r.field = xstrdup(field);
	r.reason = xstrdup(reason ? reason : "");
	VEC_PUSH(c->rules, c->n_rules, c->cap_rules, r);
	return 0;
}

void parity_config_free(struct parity_config *c)
{
	for (size_t i = 0; i < c->n_rules; i++) {
		free(c->rules[i].entity);
		free(c->rules[i].field);
		free(c->rules[i].reason);
	}
	free(c->rules);
	parity_config_init(c);
}

static int rule_applies(const struct parity_config *c, const struct parity_rule *r,
			enum entity_type t, enum parity_role role)
{
	if (r->source_only && role != PARITY_SOURCE && !c->aa)
		return 0;
	return !strcmp(r->entity, "*") || !strcmp(r->entity, entity_type_name(t));
}

static int has_rules(const struct parity_config *c, enum entity_type t, enum parity_role role)
{
	for (size_t i = 0; i < c->n_rules; i++)
		if (rule_applies(c, &c->rules[i], t, role))
			return 1;
	return 0;
}

/* Rewrites one value in place; returns 1 when it changed something. */
static int rule_rewrite(struct parity_rule *r, cJSON *parent, cJSON *v)
{
	switch (r->kind) {
	case PARITY_IGNORE:
		cJSON_Delete(cJSON_DetachItemViaPointer(parent, v));
		return 1;
	case PARITY_ROUND_MINUTES:
		if (cJSON_IsNumber(v)) {
			double q = round(v->valuedouble / r->minutes) * r->minutes;
			cJSON_SetNumberValue(v, q);
			return 1;
		}
		return 0;
	case PARITY_CASE_INSENSITIVE:
		if (cJSON_IsString(v)) {
			for (char *p = v->valuestring; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			return 1;
		}
		return 0;
	}
	return 0;
}

/* Walks the pointer tokens from `tok`; "*" fans out over every child. */
static size_t rule_walk(struct parity_rule *r, cJSON *node, const char *tok, int depth)
{
	if (!node || depth > CANON_MAX_DEPTH)
		return 0;
	const char *slash = strchr(tok, '/');
	size_t len = slash ? (size_t)(slash - tok) : strlen(tok);
	char key[256];
	if (len >= sizeof(key))
		return 0;
	memcpy(key, tok, len);
	key[len] = '\0';
	int any = !strcmp(key, "*");
	char *end;
	long want = strtol(key, &end, 10);
	if (cJSON_IsArray(node) && !any && (*end || end == key))
		return 0; /* not an index */
	size_t hits = 0;
	long at = 0;
	cJSON *next;
	for (cJSON *c = node->child; c; c = next, at++) {
		next = c->next;
		int match = any || (cJSON_IsObject(node) ? c->string && !strcmp(c->string, key)
							 : at == want);
		if (!match)
			continue;
		hits += slash ? rule_walk(r, c, slash + 1, depth + 1) : (size_t)rule_rewrite(r, node, c);
	}
	return hits;
}

static void apply_rules(struct parity_config *c, enum entity_type t, enum parity_role role,
			cJSON *doc)
{
	for (size_t i = 0; i < c->n_rules; i++) {
		struct parity_rule *r = &c->rules[i];
		if (!rule_applies(c, r, t, role))
			continue;
		r->hits += rule_walk(r, doc, r->field[0] == '/' ? r->field + 1 : r->field, 0);
	}
}

/* The document as compared: canonical, with the side's rules applied. */
static cJSON *compared_doc(const cJSON *src, enum entity_type t, enum parity_role role,
			   struct parity_config *c, struct err *e)
{
	cJSON *doc = canon_copy(src, e);
	if (doc)
		apply_rules(c, t, role, doc);
	return doc;
}

int parity_doc_hash(struct parity_config *cfg, enum entity_type t, enum parity_role role,
		    const cJSON *doc, struct canon_hasher *h, unsigned char out[CANON_HASH_LEN],
		    struct err *e)
{
	if (!has_rules(cfg, t, role))
		return canon_hasher_hash(h, doc, out, e);
	cJSON *copy = compared_doc(doc, t, role, cfg, e);
	if (!copy)
		return -1;
	int rc = canon_hasher_hash(h, copy, out, e);
	cJSON_Delete(copy);
	return rc;
}

/* ---- the rules on the wire ----------------------------------------------------------- */

size_t parity_rules_encode(const struct parity_config *cfg, enum entity_type t,
			   enum parity_role role, struct strbuf *sb)
{
	size_t n = 0;
	for (size_t i = 0; i < cfg->n_rules; i++) {
		const struct parity_rule *r = &cfg->rules[i];
		if (!rule_applies(cfg, r, t, role))
			continue;
		char kind[48];
		parity_rule_describe(r, kind, sizeof(kind));
		sb_addf(sb, "%s%s~", n++ ? "," : "", kind);
		for (const char *p = r->field; *p; p++) {
			if (*p == '%' || *p == ',')
				sb_addf(sb, "%%%02X", (unsigned char)*p);
			else
				sb_addc(sb, *p);
		}
	}
	return n;
}

static int hex_digit(char c)
{
	static const char digits[] = "0123456789abcdef0123456789ABCDEF";
	const char *at = c ? strchr(digits, c) : NULL;
	return at ? (int)((at - digits) % 16) : -1;
}

/* One "KIND~FIELD" of length len, its field unescaped, into c. */
static int decode_one(const char *rule, size_t len, struct parity_config *c, struct err *e)
{
	const char *tilde = memchr(rule, '~', len);
	if (!tilde)
		return err_set(e, "rule '%.*s' is not KIND~FIELD", (int)(len > 80 ? 80 : len), rule);
	char *kind = xstrndup(rule, (size_t)(tilde - rule));
	struct strbuf field = {0};
	int rc = 0;
	for (const char *p = tilde + 1; p < rule + len && !rc; p++) {
		if (*p != '%') {
			sb_addc(&field, *p);
			continue;
		}
		int hi = p + 2 < rule + len ? hex_digit(p[1]) : -1;
		int lo = hi < 0 ? -1 : hex_digit(p[2]);
		if (lo < 0 || (hi == 0 && lo == 0))
			rc = err_set(e, "rule '%s': a '%%' in the field is not %%XX (nor %%00)", kind);
		else
			sb_addc(&field, (char)(hi * 16 + lo)), p += 2;
	}
	if (!rc && parity_config_add_rule(c, "*", sb_str(&field), kind, "", e) == 0)
		c->rules[c->n_rules - 1].source_only = 0; /* chosen for this side by the sender */
	else if (!rc)
		rc = -1;
	sb_release(&field);
	free(kind);
	return rc;
}

int parity_rules_decode(const char *text, struct parity_config *c, struct err *e)
{
	size_t len = text ? strlen(text) : 0, before = c->n_rules;
	if (len > PARITY_RULES_MAX_TEXT)
		return err_set(e, "rules: %zu characters, more than %d", len, PARITY_RULES_MAX_TEXT);
	for (size_t at = 0; at < len;) {
		const char *comma = memchr(text + at, ',', len - at);
		size_t n = comma ? (size_t)(comma - (text + at)) : len - at;
		if (c->n_rules - before >= PARITY_RULES_MAX) {
			err_set(e, "rules: more than %d", PARITY_RULES_MAX);
			goto fail;
		}
		if (decode_one(text + at, n, c, e) < 0) {
			err_wrap(e, "rules: rule %zu", c->n_rules - before + 1);
			goto fail;
		}
		at += n + (comma != NULL);
		if (comma && at == len) {
			err_set(e, "rules: an empty rule after the last ','");
			goto fail;
		}
	}
	return 0;
fail:
	while (c->n_rules > before) {
		struct parity_rule *r = &c->rules[--c->n_rules];
		free(r->entity);
		free(r->field);
		free(r->reason);
	}
	return -1;
}

/* ---- comparison -------------------------------------------------------------- */

struct keyed {
	const struct entity *en;
	unsigned char hash[CANON_HASH_LEN];
};

static int keyed_cmp(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	return strcmp(x->en->id, y->en->id);
}

/* The entities of one type, hashed and sorted by id; a duplicate id or an
 * unhashable document is an error naming it. */
static int collect(const struct entity_set *s, enum entity_type t, struct parity_config *cfg,
		   struct canon_hasher *h, enum parity_role role, struct keyed **out, size_t *n,
		   char digest[CANON_HEX_LEN], struct err *e)
{
	const char *side = role == PARITY_SOURCE ? "source" : "target";
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	for (size_t i = 0; s && i < s->n; i++) {
		if (s->items[i]->type != t)
			continue;
		struct keyed k = {.en = s->items[i]};
		if (parity_doc_hash(cfg, t, role, k.en->doc, h, k.hash, e))
			return err_wrap(e, "%s %s %s", side, entity_type_name(t), k.en->id);
		VEC_PUSH(*out, *n, cap, k);
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), keyed_cmp);
	for (size_t i = 1; i < *n; i++)
		if (!strcmp((*out)[i - 1].en->id, (*out)[i].en->id))
			return err_set(e, "%s has two %s entities with id %s", side, entity_type_name(t),
				       (*out)[i].en->id);
	/* The set digest: SHA-256 over "id\0hash" in id order. */
	struct strbuf sb = {0};
	for (size_t i = 0; i < *n; i++) {
		sb_add(&sb, (*out)[i].en->id, strlen((*out)[i].en->id) + 1);
		sb_add(&sb, (const char *)(*out)[i].hash, CANON_HASH_LEN);
	}
	unsigned char d[CANON_HASH_LEN];
	unsigned int dlen = 0;
	int ok = EVP_Digest(sb.buf ? sb.buf : "", sb.len, d, &dlen, EVP_sha256(), NULL) == 1;
	sb_release(&sb);
	if (!ok)
		return err_set(e, "SHA-256 of the %s %s set failed", side, entity_type_name(t));
	canon_hex(d, digest);
	return 0;
}

int parity_bucket_index(struct parity_config *cfg, const struct entity_set *s, enum entity_type t,
			enum parity_role role, struct bucket_index *x, uint64_t *sample_cut,
			size_t *sample_count, struct err *e)
{
	struct keyed *v = NULL;
	size_t n = 0;
	char digest[CANON_HEX_LEN];
	struct canon_hasher *h = canon_hasher_new();
	int rc = collect(s, t, cfg, h, role, &v, &n, digest, e);
	canon_hasher_free(h);
	bucket_index_free(x);
	if (rc) {
		free(v);
		return -1;
	}
	uint64_t *keys = sample_cut ? xmalloc((n ? n : 1) * sizeof(*keys)) : NULL;
	for (size_t i = 0; i < n; i++) {
		bucket_index_add(x, v[i].en->id, v[i].hash);
		if (keys)
			keys[i] = parity_sample_key(v[i].en->id, cfg->seed);
	}
	if (keys)
		*sample_cut = parity_sample_cut(keys, n, cfg->sample_size, sample_count);
	free(keys);
	free(v);
	return 0;
}

void parity_result_free(struct parity_result *r)
{
	free(r->account);
	for (size_t i = 0; i < r->n_mismatches; i++) {
		free(r->mismatches[i].id);
		free(r->mismatches[i].diff);
		free(r->mismatches[i].explained);
	}
	free(r->mismatches);
	memset(r, 0, sizeof(*r));
}

static char *diff_text(const struct entity *a, const struct entity *b, struct parity_config *cfg,
		       int *equal, struct err *e)
{
	cJSON *x = a ? compared_doc(a->doc, a->type, PARITY_SOURCE, cfg, e) : cJSON_CreateNull();
	cJSON *y = b ? compared_doc(b->doc, b->type, PARITY_TARGET, cfg, e) : cJSON_CreateNull();
	char *text = NULL;
	struct jsondiff d = {0};
	if (x && y && !jsondiff_compute(x, y, &d, e)) {
		struct strbuf sb = {0};
		for (size_t i = 0; i < d.n; i++) {
			const struct jsondiff_entry *en = &d.v[i];
			if (en->kind == JSONDIFF_SAME)
				continue;
			sb_addf(&sb, "%s%c %s: ", sb.len ? "\n" : "", jsondiff_symbol(en->kind),
				en->path[0] ? en->path : "/");
			if (en->kind == JSONDIFF_CHANGED)
				sb_addf(&sb, "%s -> %s", en->left, en->right);
			else
				sb_adds(&sb, en->left ? en->left : en->right);
		}
		*equal = d.count[JSONDIFF_CHANGED] + d.count[JSONDIFF_ADDED] +
				 d.count[JSONDIFF_REMOVED] == 0;
		text = sb_detach(&sb);
	}
	jsondiff_free(&d);
	cJSON_Delete(x);
	cJSON_Delete(y);
	return text;
}

/* The sample: ids whose seeded hash is among the smallest, so the same ids
 * are chosen whatever order the sides list them in. */
uint64_t parity_sample_key(const char *id, uint64_t seed)
{
	return bucket_of(bucket_id_hash(id) ^ seed, 7, 0xffffffffu);
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

uint64_t parity_sample_cut(uint64_t *keys, size_t n, size_t sample_size, size_t *count)
{
	uint64_t cut = UINT64_MAX;
	if (n > sample_size) {
		qsort(keys, n, sizeof(*keys), u64_cmp);
		cut = sample_size ? keys[sample_size - 1] : 0;
	}
	size_t at = 0;
	while (sample_size && at < n && keys[at] <= cut)
		at++;
	if (count)
		*count = n <= sample_size ? n : at;
	return cut;
}

struct ctx {
	const char *account;
	struct parity_config *cfg;
	parity_explain_fn explain;
	void *explain_ctx;
	struct parity_result *r;
	const struct parity_totals *totals; /* bucketed: [ENTITY_TYPE_COUNT], else NULL */
};

/* Returns whether an exception explains the difference. */
static int add_mismatch(struct ctx *c, enum entity_type t, enum parity_diff_kind k,
			const struct entity *a, const struct entity *b, struct err *e)
{
	struct parity_result *r = c->r;
	struct parity_type_result *tr = &r->types[t];
	const char *id = a ? a->id : b->id;
	char why[256] = "";
	int explained = c->explain &&
			c->explain(c->explain_ctx, c->account, entity_type_name(t), id, NULL, why,
				   sizeof(why));
	if (explained)
		tr->explained++;
	if (r->n_mismatches >= c->cfg->max_diffs) {
		r->diffs_dropped++;
		return explained;
	}
	struct parity_mismatch m = {.type = t, .kind = k, .id = xstrdup(id)};
	if (explained)
		m.explained = xstrdup(why[0] ? why : "exception");
	int equal = 0;
	struct err de = {{0}};
	m.diff = diff_text(a, b, c->cfg, &equal, &de);
	if (!m.diff && de.msg[0])
		m.diff = xasprintf("(no diff: %s)", de.msg);
	(void)e;
	VEC_PUSH(r->mismatches, r->n_mismatches, r->cap_mismatches, m);
	return explained;
}

static int compare_type(struct ctx *c, const struct entity_set *src, const struct entity_set *tgt,
			enum entity_type t, struct canon_hasher *h, struct err *e)
{
	struct parity_type_result *tr = &c->r->types[t];
	struct keyed *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int rc = -1;
	if (collect(src, t, c->cfg, h, PARITY_SOURCE, &a, &na, tr->source_digest, e) ||
	    collect(tgt, t, c->cfg, h, PARITY_TARGET, &b, &nb, tr->target_digest, e))
		goto out;
	const struct parity_totals *tot = c->totals && !c->totals[t].whole ? &c->totals[t] : NULL;
	tr->source_count = tot ? tot->source_count : na;
	tr->target_count = tot ? tot->target_count : nb;
	if (tot) {
		memcpy(tr->source_digest, tot->source_digest, CANON_HEX_LEN);
		memcpy(tr->target_digest, tot->target_digest, CANON_HEX_LEN);
	}
	/* one count invariant per type */
	c->r->evaluated++;
	c->r->passed += tr->source_count == tr->target_count;
	/* sample threshold: the sample_size-th smallest key over the source's
	 * ids; bucketed, computed where they all are */
	uint64_t cut = tot ? tot->sample_cut : UINT64_MAX;
	if (!tot && na > c->cfg->sample_size) {
		uint64_t *keys = xmalloc(na * sizeof(*keys));
		for (size_t i = 0; i < na; i++)
			keys[i] = parity_sample_key(a[i].en->id, c->cfg->seed);
		cut = parity_sample_cut(keys, na, c->cfg->sample_size, NULL);
		free(keys);
	}
	size_t read_in_sample = 0; /* source entities read whose id is in the sample */
	size_t i = 0, j = 0;
	while (i < na || j < nb) {
		int cmp = i == na ? 1 : j == nb ? -1 : strcmp(a[i].en->id, b[j].en->id);
		c->r->evaluated++;
		if (cmp <= 0 && c->cfg->sample_size && parity_sample_key(a[i].en->id, c->cfg->seed) <= cut)
			read_in_sample++;
		if (cmp < 0) {
			tr->missing++;
			add_mismatch(c, t, PARITY_MISSING, a[i].en, NULL, e);
			i++;
			continue;
		}
		if (cmp > 0) {
			tr->extra++;
			add_mismatch(c, t, PARITY_EXTRA, NULL, b[j].en, e);
			j++;
			continue;
		}
		int same = !memcmp(a[i].hash, b[j].hash, CANON_HASH_LEN), explained = 0;
		if (same) {
			tr->matched++;
			c->r->passed++;
		} else {
			tr->changed++;
			explained = add_mismatch(c, t, PARITY_CHANGED, a[i].en, b[j].en, e);
		}
		if (c->cfg->sample_size && parity_sample_key(a[i].en->id, c->cfg->seed) <= cut) {
			/* the deep comparison: a field-by-field diff, independent of the hash */
			int equal = 0;
			struct err de = {{0}};
			char *text = diff_text(a[i].en, b[j].en, c->cfg, &equal, &de);
			free(text);
			tr->sampled++;
			/* an explained difference passes here as it does above */
			tr->sampled_ok += equal || explained;
			c->r->evaluated++;
			c->r->passed += equal || explained;
		}
		i++, j++;
	}
	if (tot && tot->source_count > na) {
		/* the entities not fetched: their buckets' checksums agreed */
		size_t same = tot->source_count - na;
		tr->matched += same;
		c->r->evaluated += (int64_t)same;
		c->r->passed += (int64_t)same;
	}
	if (tot && c->cfg->sample_size && tot->sample_count > read_in_sample) {
		/* sampled entities not read: equal by checksum, so equal field by field */
		size_t same = tot->sample_count - read_in_sample;
		tr->sampled += same;
		tr->sampled_ok += same;
		c->r->evaluated += (int64_t)same;
		c->r->passed += (int64_t)same;
	}
	rc = 0;
out:
	free(a);
	free(b);
	return rc;
}

static void recompute(struct parity_result *r)
{
	r->pass_rate = r->evaluated ? (double)r->passed / (double)r->evaluated : 1.0;
	r->ok = r->pass_rate + 1e-12 >= r->threshold;
}

static int compare_all(const char *account, const struct entity_set *source,
		       const struct entity_set *target, const struct parity_totals *totals,
		       struct parity_config *cfg, parity_explain_fn explain, void *explain_ctx,
		       int64_t now_ms, struct parity_result *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	out->account = xstrdup(account ? account : "");
	out->at_ms = now_ms;
	out->threshold = cfg->threshold;
	for (size_t i = 0; i < cfg->n_rules; i++)
		cfg->rules[i].hits = 0;
	struct ctx c = {account, cfg, explain, explain_ctx, out, totals};
	struct canon_hasher *h = canon_hasher_new();
	int rc = 0;
	for (int t = 0; t < ENTITY_TYPE_COUNT && !rc; t++)
		rc = compare_type(&c, source, target, (enum entity_type)t, h, e);
	canon_hasher_free(h);
	if (rc) {
		parity_result_free(out);
		return -1;
	}
	size_t all = 0, bad = 0;
	for (int t = 0; t < ENTITY_TYPE_COUNT; t++) {
		const struct parity_type_result *tr = &out->types[t];
		all += tr->matched + tr->changed + tr->missing + tr->extra;
		bad += tr->changed + tr->missing + tr->extra - tr->explained;
		out->passed += (int64_t)tr->explained; /* an explained difference passes */
	}
	out->error_rate = all ? (double)bad / (double)all : 0.0;
	recompute(out);
	return 0;
}

int parity_compare(const char *account, const struct entity_set *source,
		   const struct entity_set *target, struct parity_config *cfg,
		   parity_explain_fn explain, void *explain_ctx, int64_t now_ms,
		   struct parity_result *out, struct err *e)
{
	return compare_all(account, source, target, NULL, cfg, explain, explain_ctx, now_ms, out, e);
}

int parity_compare_bucketed(const char *account, const struct entity_set *source,
			    const struct entity_set *target,
			    const struct parity_totals totals[ENTITY_TYPE_COUNT],
			    struct parity_config *cfg, parity_explain_fn explain, void *explain_ctx,
			    int64_t now_ms, struct parity_result *out, struct err *e)
{
	return compare_all(account, source, target, totals, cfg, explain, explain_ctx, now_ms, out, e);
}

void parity_add_invariant(struct parity_result *r, const char *name, double value, double needed)
{
	(void)name;
	r->evaluated++;
	r->passed += value + 1e-12 >= needed;
	recompute(r);
}

const char *parity_diff_kind_name(enum parity_diff_kind k)
{
	static const char *const names[] = {"missing", "extra", "changed"};
	return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "?";
}

cJSON *parity_result_json(const struct parity_result *r, const struct parity_config *cfg)
{
	cJSON *o = cJSON_CreateObject();
	char t[32];
	util_iso8601(r->at_ms, t, sizeof(t));
	cJSON_AddStringToObject(o, "account", r->account);
	cJSON_AddStringToObject(o, "at", t);
	cJSON_AddNumberToObject(o, "pass_rate", r->pass_rate);
	cJSON_AddNumberToObject(o, "error_rate", r->error_rate);
	cJSON_AddNumberToObject(o, "threshold", r->threshold);
	cJSON_AddBoolToObject(o, "ok", r->ok);
	cJSON_AddNumberToObject(o, "passed", (double)r->passed);
	cJSON_AddNumberToObject(o, "evaluated", (double)r->evaluated);
	cJSON *types = cJSON_AddObjectToObject(o, "types");
	for (int i = 0; i < ENTITY_TYPE_COUNT; i++) {
		const struct parity_type_result *tr = &r->types[i];
		cJSON *x = cJSON_AddObjectToObject(types, entity_type_name((enum entity_type)i));
		cJSON_AddNumberToObject(x, "source_count", (double)tr->source_count);
		cJSON_AddNumberToObject(x, "target_count", (double)tr->target_count);
		cJSON_AddNumberToObject(x, "matched", (double)tr->matched);
		cJSON_AddNumberToObject(x, "changed", (double)tr->changed);
		cJSON_AddNumberToObject(x, "missing", (double)tr->missing);
		cJSON_AddNumberToObject(x, "extra", (double)tr->extra);
		cJSON_AddNumberToObject(x, "explained", (double)tr->explained);
		cJSON_AddNumberToObject(x, "sampled", (double)tr->sampled);
		cJSON_AddNumberToObject(x, "sampled_ok", (double)tr->sampled_ok);
		cJSON_AddStringToObject(x, "source_digest", tr->source_digest);
		cJSON_AddStringToObject(x, "target_digest", tr->target_digest);
	}
	cJSON *ms = cJSON_AddArrayToObject(o, "mismatches");
	for (size_t i = 0; i < r->n_mismatches; i++) {
		const struct parity_mismatch *m = &r->mismatches[i];
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "entity", entity_type_name(m->type));
		cJSON_AddStringToObject(x, "id", m->id);
		cJSON_AddStringToObject(x, "kind", parity_diff_kind_name(m->kind));
		if (m->diff)
			cJSON_AddStringToObject(x, "diff", m->diff);
		if (m->explained)
			cJSON_AddStringToObject(x, "explained_by", m->explained);
		cJSON_AddItemToArray(ms, x);
	}
	cJSON_AddNumberToObject(o, "mismatches_dropped", (double)r->diffs_dropped);
	cJSON *rules = cJSON_AddArrayToObject(o, "rules");
	for (size_t i = 0; cfg && i < cfg->n_rules; i++) {
		const struct parity_rule *pr = &cfg->rules[i];
		char kind[48];
		parity_rule_describe(pr, kind, sizeof(kind));
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "entity", pr->entity);
		cJSON_AddStringToObject(x, "field", pr->field);
		cJSON_AddStringToObject(x, "rule", kind);
		cJSON_AddStringToObject(x, "reason", pr->reason);
		cJSON_AddNumberToObject(x, "hits", (double)pr->hits);
		cJSON_AddItemToArray(rules, x);
	}
	return o;
}
