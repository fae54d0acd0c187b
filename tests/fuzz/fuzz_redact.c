/* fuzz_redact — the redactor reads text that comes from outside (HTTP bodies
 * and headers, process output, audit details given on the command line), so
 * it must survive any bytes; and whatever JSON it is handed, no member named
 * like a secret may keep its value. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/ident.h"
#include "warroom/redact.h"
#include "warroom/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_masked(const cJSON *v)
{
	for (const cJSON *c = v ? v->child : NULL; c; c = c->next) {
		if (cJSON_IsObject(v) && redact_key_is_secret(c->string) &&
		    !(cJSON_IsString(c) && strcmp(c->valuestring, REDACT_MASK) == 0)) {
			fprintf(stderr, "member '%s' kept its value\n", c->string);
			abort();
		}
		check_masked(c);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';

	char *r = redact_text(text);
	/* A second pass finds nothing new: masks are not themselves secrets. */
	char *again = redact_text(r);
	if (strcmp(r, again) != 0) {
		fprintf(stderr, "redact_text is not stable:\n%s\n%s\n", r, again);
		abort();
	}
	free(again);
	free(r);
	free(redact_header_line(text));

	char ssh[128];
	ident_parse_ssh(text, ssh, sizeof(ssh));

	cJSON *json = cJSON_ParseWithLength((const char *)data, size);
	if (json) {
		redact_json(json);
		check_masked(json);
		cJSON_Delete(json);
	}
	free(text);
	return 0;
}
