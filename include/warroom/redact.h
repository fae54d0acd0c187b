/* redact — secrets out of anything that reaches the audit log or the screen:
 * JSON fields named like a secret, Authorization/Cookie headers, bearer and
 * PagerDuty-style tokens, key=value pairs with secret-ish keys in free text.
 * Pure logic (core): callers apply it before storing or drawing. */
#ifndef WARROOM_REDACT_H
#define WARROOM_REDACT_H

#include <cjson/cJSON.h>

#define REDACT_MASK "[redacted]"

/* Whether a field or header name names a secret: case-insensitive substring
 * match (ignoring '-' and '_') of token, secret, password, passwd, api_key,
 * authorization, cookie, private_key, access_key, credential, ... */
int redact_key_is_secret(const char *key);

/* In place: every member whose name is secret-ish gets REDACT_MASK as its
 * value (whatever its type); every other string is passed through
 * redact_text. Returns how many values were changed. */
int redact_json(cJSON *v);

/* "Authorization: Bearer x" -> "Authorization: [redacted]"; lines whose
 * header name is not secret-ish go through redact_text. Caller frees. */
char *redact_header_line(const char *line);

/* Free text: "Bearer x", "Basic x", "Token token=x", key=value and
 * "key": "value" pairs with secret-ish keys, secret header lines, URL query
 * parameters. Caller frees. */
char *redact_text(const char *text);

#endif
