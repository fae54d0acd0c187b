/* prom — reads Prometheus instant query answers. Values arrive as strings
 * ("1.5", "NaN", "+Inf") inside [timestamp, value] pairs. */
#include "warroom/prom.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "warroom/units.h"

static int sample_value(const cJSON *pair, double *out, struct err *e)
{
	const cJSON *v = cJSON_IsArray(pair) && cJSON_GetArraySize(pair) == 2
				 ? cJSON_GetArrayItem(pair, 1)
				 : NULL;
	if (!v || !cJSON_IsString(v))
		return err_set(e, "sample is not a [timestamp, \"value\"] pair");
	if (units_parse_number(v->valuestring, out) < 0)
		return err_set(e, "sample value '%s' is not a finite number", v->valuestring);
	return 0;
}

static int reduce_vector(const cJSON *result, double *value, struct err *e)
{
	int n = cJSON_GetArraySize(result);
	if (n == 0)
		return err_set(e, "the query matched no series");
	double best = -INFINITY;
	const cJSON *series;
	cJSON_ArrayForEach(series, result)
	{
		double v;
		if (sample_value(cJSON_GetObjectItemCaseSensitive(series, "value"), &v, e) < 0)
			return -1;
		if (v > best)
			best = v;
	}
	*value = best;
	return 0;
}

int prom_parse_value(const char *body, size_t len, double *value, struct err *e)
{
	cJSON *root = cJSON_ParseWithLength(body, len);
	if (!root)
		return err_set(e, "Prometheus answer is not JSON");
	int rc = -1;
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(root, "status");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(data, "resultType");
	const cJSON *result = cJSON_GetObjectItemCaseSensitive(data, "result");
	if (!cJSON_IsString(status) || strcmp(status->valuestring, "success") != 0) {
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(root, "error");
		err_set(e, "Prometheus query failed: %s",
			cJSON_IsString(msg) ? msg->valuestring : "no status 'success'");
	} else if (!cJSON_IsString(type)) {
		err_set(e, "Prometheus answer has no data.resultType");
	} else if (strcmp(type->valuestring, "scalar") == 0) {
		rc = sample_value(result, value, e);
	} else if (strcmp(type->valuestring, "vector") == 0 && cJSON_IsArray(result)) {
		rc = reduce_vector(result, value, e);
	} else {
		err_set(e, "Prometheus result type '%s' cannot be reduced to one value "
			   "(use an instant vector or scalar query)", type->valuestring);
	}
	cJSON_Delete(root);
	return rc;
}

char *prom_query_url(const char *base, const char *query)
{
	struct strbuf sb = {0};
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	sb_add(&sb, base, bl);
	sb_adds(&sb, "/api/v1/query?query=");
	for (const unsigned char *p = (const unsigned char *)query; *p; p++) {
		if (isalnum(*p) || strchr("-_.~", *p))
			sb_addc(&sb, (char)*p);
		else
			sb_addf(&sb, "%%%02X", *p);
	}
	return sb_detach(&sb);
}
