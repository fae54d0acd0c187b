/* console_fill — fills a store for the console benchmark: a run row for each
 * account of an accounts.yaml-sized fleet and N audit records written
 * straight through the audit module in large batches (chained, as real).
 * usage: console_fill DB ACCOUNTS RECORDS */
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "warroom/audit.h"
#include "warroom/runs.h"
#include "warroom/store.h"

#define BATCH 5000

static const char *const waves[] = {"canary", "ramp", "full"};
static const char *const actions[] = {"step.start", "http.request", "step.finish", "check.result",
				      "note"};

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: console_fill DB ACCOUNTS RECORDS\n");
		return 2;
	}
	long accounts = atol(argv[2]), records = atol(argv[3]);
	struct err e = {{0}};
	struct store *s = store_open(argv[1], STORE_READWRITE, &e);
	if (!s) {
		fprintf(stderr, "console_fill: %s\n", e.msg);
		return 1;
	}
	char id[32];
	if (store_begin(s, &e) < 0)
		goto fail;
	for (long i = 0; i < accounts; i++) {
		snprintf(id, sizeof(id), "acct-%05ld", i);
		if (runs_ensure(s, id, waves[i % 3], &e) < 0)
			goto fail;
	}
	if (store_commit(s, &e) < 0)
		goto fail;
	cJSON *detail = cJSON_CreateObject();
	cJSON_AddStringToObject(detail, "url", "http://127.0.0.1:8089/v1/tenants/x");
	cJSON_AddNumberToObject(detail, "status", 200);
	struct audit_entry *batch = calloc(BATCH, sizeof(*batch));
	char (*ids)[32] = calloc(BATCH, sizeof(*ids));
	if (!batch || !ids)
		return 1;
	for (long done = 0; done < records;) {
		size_t n = 0;
		for (; n < BATCH && done < records; n++, done++) {
			snprintf(ids[n], sizeof(ids[n]), "acct-%05ld", accounts ? done % accounts : 0);
			batch[n] = (struct audit_entry){.action = actions[done % 5], .role = "operator",
							.account = ids[n], .subject = "create-tenant",
							.detail = detail};
		}
		if (audit_append_many(s, batch, n, &e) < 0) {
			cJSON_Delete(detail);
			goto fail;
		}
	}
	cJSON_Delete(detail);
	free(batch);
	free(ids);
	store_close(s);
	return 0;
fail:
	fprintf(stderr, "console_fill: %s\n", e.msg);
	store_close(s);
	return 1;
}
