/* cond — parse and evaluate conditions and assertions. Verdict rules follow
 * Argo Rollouts' analysis: between the success and the failure condition a
 * value is Inconclusive, and an Inconclusive result is never a pass. */
#include "warroom/cond.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include "warroom/units.h"

struct op_row {
	const char *text;
	enum cond_op op;
};

/* Two-character operators first, so "<=" is not read as "<". */
static const struct op_row ops[] = {
	{"<=", COND_LE}, {">=", COND_GE}, {"==", COND_EQ}, {"!=", COND_NE},
	{"<", COND_LT},  {">", COND_GT},
};

static const char *const verdict_names[] = {
	[COND_SUCCESSFUL] = "Successful",
	[COND_FAILED] = "Failed",
	[COND_INCONCLUSIVE] = "Inconclusive",
};

int cond_op_parse(const char *s, enum cond_op *op)
{
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (strcmp(s, ops[i].text) == 0) {
			*op = ops[i].op;
			return 0;
		}
	return -1;
}

const char *cond_op_name(enum cond_op op)
{
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++)
		if (ops[i].op == op)
			return ops[i].text;
	return "?";
}

const char *cond_verdict_name(enum cond_verdict v)
{
	return (unsigned)v < ARRAY_SIZE(verdict_names) ? verdict_names[v] : "?";
}

static int metric_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == ':' || c == '-';
}

/* "OP NUMBER[%]" at p, the tail of a condition and the whole of a threshold;
 * what ("condition", "threshold") and text name the value in messages. */
static int parse_op_number(const char *p, const char *what, const char *text, const char *after,
			   struct cond *c, struct err *e)
{
	while (isspace((unsigned char)*p))
		p++;
	size_t oplen = 0;
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		size_t n = strlen(ops[i].text);
		if (strncmp(p, ops[i].text, n) == 0) {
			c->op = ops[i].op;
			oplen = n;
			break;
		}
	}
	if (!oplen && after)
		return err_set(e, "%s '%s': expected an operator (< <= > >= == !=) after '%s'", what,
			       text, after);
	p += oplen;
	while (isspace((unsigned char)*p))
		p++;
	char num[64];
	size_t n = strlen(p);
	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	if ((n == 0 || n >= sizeof(num)) && oplen)
		return err_set(e, "%s '%s': expected a number after '%s'", what, text,
			       cond_op_name(c->op));
	if (n == 0 || n >= sizeof(num))
		return err_set(e, "%s '%s': expected a number", what, text);
	memcpy(num, p, n);
	num[n] = '\0';
	if (num[n - 1] == '%') {
		if (units_parse_percent(num, 0, &c->value) < 0)
			return err_set(e, "%s '%s': '%s' is not a percentage", what, text, num);
		c->percent = 1;
	} else if (units_parse_number(num, &c->value) < 0) {
		return err_set(e, "%s '%s': '%s' is not a number", what, text, num);
	}
	return 0;
}

int cond_parse(const char *text, struct cond *c, struct err *e)
{
	memset(c, 0, sizeof(*c));
	if (!text)
		return err_set(e, "no condition");
	const char *p = text;
	while (isspace((unsigned char)*p))
		p++;
	const char *m = p;
	while (metric_char(*p))
		p++;
	size_t mlen = (size_t)(p - m);
	if (mlen == 0 || !(isalpha((unsigned char)*m) || *m == '_'))
		return err_set(e, "condition '%s': expected 'METRIC OP NUMBER', e.g. "
				  "'error_rate > 0.5%%'", text);
	if (mlen >= COND_METRIC_MAX)
		return err_set(e, "condition '%s': metric name too long", text);
	memcpy(c->metric, m, mlen);
	return parse_op_number(p, "condition", text, c->metric, c, e);
}

int cond_threshold_parse(const char *text, struct cond *c, struct err *e)
{
	memset(c, 0, sizeof(*c));
	if (!text)
		return err_set(e, "no threshold");
	c->op = COND_GT; /* a bare value: the seed schema's thresholds are upper limits */
	if (parse_op_number(text, "threshold", text, NULL, c, e) < 0)
		return -1;
	if (c->op == COND_EQ || c->op == COND_NE)
		return err_set(e, "threshold '%s': a threshold is crossed going up (> >=) or down "
				  "(< <=), not by %s", text, cond_op_name(c->op));
	return 0;
}

int cond_compare(double a, enum cond_op op, double b)
{
	/* Values computed as percentages carry rounding noise; equality tolerates it. */
	double eps = 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
	int eq = fabs(a - b) <= eps;
	switch (op) {
	case COND_LT: return a < b && !eq;
	case COND_LE: return a < b || eq;
	case COND_GT: return a > b && !eq;
	case COND_GE: return a > b || eq;
	case COND_EQ: return eq;
	case COND_NE: return !eq;
	}
	return 0;
}

int cond_holds(const struct cond *c, double value)
{
	return isfinite(value) && cond_compare(value, c->op, c->value);
}

void cond_format(const struct cond *c, char *buf, size_t size)
{
	char v[48];
	cond_format_value(c, c->value, v, sizeof(v));
	snprintf(buf, size, "%s%s%s %s", c->metric, c->metric[0] ? " " : "", cond_op_name(c->op), v);
}

void cond_format_value(const struct cond *c, double value, char *buf, size_t size)
{
	if (c->percent)
		snprintf(buf, size, "%g%%", value * 100.0);
	else
		snprintf(buf, size, "%g", value);
}

const char *cond_direction(const struct cond *c)
{
	static const char *const words[] = {[COND_LT] = "below", [COND_LE] = "at or below",
					    [COND_GT] = "over", [COND_GE] = "at or over",
					    [COND_EQ] = "at", [COND_NE] = "away from"};
	return words[c->op];
}

enum cond_verdict cond_verdict_of(const struct cond *success, const struct cond *failure,
				  int have_value, double value)
{
	if (!have_value || !isfinite(value))
		return COND_INCONCLUSIVE;
	if (failure && cond_holds(failure, value))
		return COND_FAILED;
	if (!success)
		return failure ? COND_SUCCESSFUL : COND_INCONCLUSIVE;
	if (cond_holds(success, value))
		return COND_SUCCESSFUL;
	return failure ? COND_INCONCLUSIVE : COND_FAILED;
}

enum cond_verdict cond_limits(size_t failed, size_t inconclusive, long failure_limit,
			      long inconclusive_limit)
{
	if (failure_limit < 0)
		failure_limit = 0;
	if (inconclusive_limit < 0)
		inconclusive_limit = 0;
	if (failed > (size_t)failure_limit)
		return COND_FAILED;
	if (inconclusive > (size_t)inconclusive_limit)
		return COND_INCONCLUSIVE;
	return COND_SUCCESSFUL;
}

int cond_assert_json(const cJSON *actual, enum cond_op op, const char *expected, struct err *e)
{
	if (!actual)
		return err_set(e, "no value");
	double want;
	if (cJSON_IsNumber(actual)) {
		if (units_parse_number(expected, &want) < 0 &&
		    units_parse_percent(expected, 0, &want) < 0)
			return err_set(e, "got number %g, cannot compare with '%s'",
				       actual->valuedouble, expected);
		return cond_compare(actual->valuedouble, op, want);
	}
	const char *got = NULL;
	if (cJSON_IsString(actual))
		got = actual->valuestring;
	else if (cJSON_IsBool(actual))
		got = cJSON_IsTrue(actual) ? "true" : "false";
	else if (cJSON_IsNull(actual))
		got = "null";
	if (!got)
		return err_set(e, "got an %s, which only compares by its members",
			       cJSON_IsArray(actual) ? "array" : "object");
	if (cJSON_IsString(actual) && op != COND_EQ && op != COND_NE &&
	    units_parse_number(got, &want) == 0) {
		double num = want;
		if (units_parse_number(expected, &want) < 0)
			return err_set(e, "cannot compare '%s' %s '%s'", got, cond_op_name(op), expected);
		return cond_compare(num, op, want);
	}
	if (op == COND_EQ)
		return strcmp(got, expected) == 0;
	if (op == COND_NE)
		return strcmp(got, expected) != 0;
	return err_set(e, "'%s' %s '%s': only == and != compare text", got, cond_op_name(op), expected);
}
