/* exceptions — the charter's exception registry: a registered, owned,
 * expiring deviation with compensating controls. An open, unexpired
 * exception whose scope matches explains a parity or drift difference.
 * Every add and close is written to the audit log before it is reported. */
#ifndef WARROOM_EXCEPTIONS_H
#define WARROOM_EXCEPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "warroom/util.h"

struct store; /* store.h */

/* Scope grammar: "ACCOUNT[/ENTITY[/ID[#FIELD]]]", each part may be "*":
 *   "*"                    every account
 *   "acme"                 everything of account acme
 *   "acme/service"         acme's services
 *   "acme/service/P1X2"    one service
 *   a star, "/user/", a star, "#time_zone": every user's time_zone field,
 *                          in every account */
struct exception {
	int64_t id;         /* set by exceptions_add */
	char *scope;        /* owned */
	char *owner;        /* owned: who answers for it */
	char *reason;       /* owned: why the deviation is accepted */
	char *controls;     /* owned: compensating controls; "" when none */
	int64_t opened_ms;
	int64_t expires_ms; /* after this it no longer explains anything */
	int64_t closed_ms;  /* 0 while open */
	char *closed_by;    /* owned; NULL while open */
	char *opened_by;    /* owned: login of who registered it */
};
void exception_free(struct exception *x); /* the members, not x */

struct exception_list {
	struct exception *items;
	size_t n, cap;
};
void exception_list_free(struct exception_list *l);

/* Checks the scope grammar and the times (expiry after opening). Returns
 * 0 or -1 with a message. */
int exception_check(const struct exception *x, struct err *e);

/* Registers x (opened_ms 0 = now; opened_by NULL = the Unix login),
 * audits "exception.add", fills x->id. */
int exceptions_add(struct store *st, struct exception *x, struct err *e);
/* Closes an open exception; audits "exception.close". -1 when it does not
 * exist or is already closed. */
int exceptions_close(struct store *st, int64_t id, const char *by, const char *note,
		     struct err *e);

enum exceptions_filter { EXC_ALL, EXC_OPEN, EXC_EXPIRED, EXC_CLOSED };
/* Lists by id; EXC_OPEN = not closed and not expired at now_ms; EXC_EXPIRED =
 * not closed but past expiry at now_ms (the registry review's to-do list). */
int exceptions_list(struct store *st, enum exceptions_filter f, int64_t now_ms,
		    struct exception_list *out, struct err *e);

/* Pure matching, no store: does scope pattern `scope` cover account/entity/
 * id/field (entity, id, field may be NULL = "the whole thing")? */
int exception_scope_covers(const char *scope, const char *account, const char *entity,
			   const char *id, const char *field);
/* The first open exception in l (at now_ms) covering the given item, or NULL. */
const struct exception *exceptions_match(const struct exception_list *l, int64_t now_ms,
					 const char *account, const char *entity,
					 const char *id, const char *field);

/* A parity_explain_fn (parity.h) over a loaded list: ctx points at this.
 * Fills why with "exception #ID (OWNER, until DATE): REASON". */
struct exceptions_explainer {
	const struct exception_list *list;
	int64_t now_ms;
};
int exceptions_explain(void *ctx, const char *account, const char *entity, const char *id,
		       const char *field, char *why, size_t size);

#endif
