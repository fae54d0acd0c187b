/* fuzz_parity_rules — the bucket routes' `rules` parameter comes from any
 * client: decoding it must not crash, a refusal must say why and add
 * nothing, and accepted rules must re-encode to text that decodes to the
 * same rules (what the server echoes) and hash a document without harm. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/parity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char doc_text[] =
	"{\"id\":\"P1\",\"name\":\"Ops\",\"email\":\"A@B.C\",\"origin\":\"api\","
	"\"rules\":[{\"delay_minutes\":4,\"targets\":[{\"id\":\"U1\"}]},{\"delay_minutes\":12.5}],"
	"\"nested\":{\"x\":[1,\"Two\",{\"y\":null}]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	struct parity_config cfg;
	parity_config_init(&cfg);
	struct err e = {{0}};
	if (parity_rules_decode(text, &cfg, &e) < 0) {
		if (!e.msg[0] || cfg.n_rules) {
			fprintf(stderr, "a refused rules text gave no message or left rules behind\n");
			abort();
		}
	} else {
		struct strbuf once = {0}, twice = {0};
		parity_rules_encode(&cfg, ENTITY_SERVICE, PARITY_TARGET, &once);
		struct parity_config back;
		parity_config_init(&back);
		if (parity_rules_decode(sb_str(&once), &back, &e) < 0 || back.n_rules != cfg.n_rules) {
			fprintf(stderr, "re-encoded rules do not decode the same: %s\n", sb_str(&once));
			abort();
		}
		parity_rules_encode(&back, ENTITY_SERVICE, PARITY_SOURCE, &twice);
		if (strcmp(sb_str(&once), sb_str(&twice))) {
			fprintf(stderr, "the echo is not stable: %s / %s\n", sb_str(&once), sb_str(&twice));
			abort();
		}
		cJSON *doc = cJSON_Parse(doc_text);
		struct canon_hasher *h = canon_hasher_new();
		unsigned char out[CANON_HASH_LEN];
		parity_doc_hash(&cfg, ENTITY_SERVICE, PARITY_TARGET, doc, h, out, &e);
		canon_hasher_free(h);
		cJSON_Delete(doc);
		parity_config_free(&back);
		sb_release(&once);
		sb_release(&twice);
	}
	parity_config_free(&cfg);
	free(text);
	return 0;
}
