/* `warroom exception add|close|list` — the exception registry from a shell:
 * a deviation is registered with an owner, a reason, compensating controls
 * and an expiry; each add and close lands in the audit log first. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warroom/cli.h"
#include "warroom/exceptions.h"
#include "warroom/source.h"
#include "warroom/store.h"
#include "warroom/units.h"

struct exc_opts {
	const char *verb, *program, *db, *scope, *owner, *reason, *controls, *expires, *note;
	long long id;
	enum exceptions_filter filter;
	int json;
};

static int parse_opts(int argc, char **argv, struct exc_opts *o)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},      {"scope", required_argument, NULL, 's'},
		{"owner", required_argument, NULL, 'O'},   {"reason", required_argument, NULL, 'r'},
		{"controls", required_argument, NULL, 'c'}, {"expires", required_argument, NULL, 'x'},
		{"id", required_argument, NULL, 'i'},      {"note", required_argument, NULL, 'n'},
		{"open", no_argument, NULL, 'o'},          {"expired", no_argument, NULL, 'E'},
		{"closed", no_argument, NULL, 'C'},        {"all", no_argument, NULL, 'a'},
		{"json", no_argument, NULL, 'j'},          {NULL, 0, NULL, 0},
	};
	opterr = 0;
	optind = 0;
	o->filter = EXC_ALL;
	int c;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o->db = optarg; break;
		case 's': o->scope = optarg; break;
		case 'O': o->owner = optarg; break;
		case 'r': o->reason = optarg; break;
		case 'c': o->controls = optarg; break;
		case 'x': o->expires = optarg; break;
		case 'n': o->note = optarg; break;
		case 'o': o->filter = EXC_OPEN; break;
		case 'E': o->filter = EXC_EXPIRED; break;
		case 'C': o->filter = EXC_CLOSED; break;
		case 'a': o->filter = EXC_ALL; break;
		case 'j': o->json = 1; break;
		case 'i': {
			char *end;
			errno = 0;
			o->id = strtoll(optarg, &end, 10);
			if (errno || !*optarg || *end || o->id < 1)
				return cli_usage_error("exception", "--id wants an exception number, not", optarg);
			break;
		}
		case ':': return cli_usage_error("exception", "a value is missing after", argv[optind - 1]);
		default: return cli_usage_error("exception", "unknown option", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->verb = argv[optind++];
	if (optind < argc)
		o->program = argv[optind++];
	if (!o->verb || !o->program)
		return cli_usage_error("exception", "say add, close or list, then the program", NULL);
	if (optind < argc)
		return cli_usage_error("exception", "unexpected argument", argv[optind]);
	return 0;
}

/* "--expires 7d" (from now) or "--expires 2030-01-31T00:00:00Z". */
static int parse_expiry(const char *s, int64_t now, int64_t *out)
{
	int64_t ms;
	if (units_parse_duration_ms(s, &ms) == 0 && ms > 0) {
		*out = now + ms;
		return 0;
	}
	return source_time_ms(s, out);
}

static int do_add(struct store *st, const struct exc_opts *o)
{
	if (!o->scope || !o->owner || !o->reason || !o->expires)
		return cli_usage_error("exception", "add needs --scope, --owner, --reason and --expires", NULL);
	int64_t now = util_now_ms();
	struct exception x = {.opened_ms = now};
	if (parse_expiry(o->expires, now, &x.expires_ms) < 0)
		return cli_usage_error("exception", "--expires wants a duration (7d, 12h) or an RFC 3339 time, not",
				   o->expires);
	x.scope = xstrdup(o->scope);
	x.owner = xstrdup(o->owner);
	x.reason = xstrdup(o->reason);
	x.controls = xstrdup(o->controls ? o->controls : "");
	struct err e = {{0}};
	int rc = exceptions_add(st, &x, &e);
	if (rc)
		fprintf(stderr, "warroom exception: %s\n", e.msg);
	else
		printf("exception #%lld registered: %s (owner %s)\n", (long long)x.id, x.scope, x.owner);
	exception_free(&x);
	return rc ? EXIT_FAIL : EXIT_OK;
}

static int do_close(struct store *st, const struct exc_opts *o)
{
	if (!o->id)
		return cli_usage_error("exception", "close needs --id N", NULL);
	struct err e = {{0}};
	if (exceptions_close(st, o->id, NULL, o->note, &e)) {
		fprintf(stderr, "warroom exception: %s\n", e.msg);
		return EXIT_FAIL;
	}
	printf("exception #%lld closed\n", o->id);
	return EXIT_OK;
}

static const char *state_of(const struct exception *x, int64_t now)
{
	return x->closed_ms ? "closed" : x->expires_ms <= now ? "expired" : "open";
}

static int do_list(struct store *st, const struct exc_opts *o)
{
	struct exception_list l = {0};
	struct err e = {{0}};
	int64_t now = util_now_ms();
	if (exceptions_list(st, o->filter, now, &l, &e)) {
		fprintf(stderr, "warroom exception: %s\n", e.msg);
		return EXIT_FAIL;
	}
	cJSON *arr = o->json ? cJSON_CreateArray() : NULL;
	if (!arr)
		printf("%-5s %-8s %-28s %-12s %-24s %s\n", "ID", "STATE", "SCOPE", "OWNER", "EXPIRES",
		       "REASON");
	for (size_t i = 0; i < l.n; i++) {
		const struct exception *x = &l.items[i];
		char until[32];
		util_iso8601(x->expires_ms, until, sizeof(until));
		if (!arr) {
			printf("%-5lld %-8s %-28s %-12s %-24s %s\n", (long long)x->id, state_of(x, now),
			       x->scope, x->owner, until, x->reason);
			continue;
		}
		cJSON *j = cJSON_CreateObject();
		cJSON_AddNumberToObject(j, "id", (double)x->id);
		cJSON_AddStringToObject(j, "state", state_of(x, now));
		cJSON_AddStringToObject(j, "scope", x->scope);
		cJSON_AddStringToObject(j, "owner", x->owner);
		cJSON_AddStringToObject(j, "reason", x->reason);
		cJSON_AddStringToObject(j, "controls", x->controls);
		cJSON_AddStringToObject(j, "expires", until);
		cJSON_AddStringToObject(j, "opened_by", x->opened_by ? x->opened_by : "");
		cJSON_AddItemToArray(arr, j);
	}
	if (arr) {
		char *text = cJSON_Print(arr);
		printf("%s\n", text);
		free(text);
		cJSON_Delete(arr);
	}
	exception_list_free(&l);
	return EXIT_OK;
}

struct exc_verb {
	const char *name;
	int (*fn)(struct store *st, const struct exc_opts *o);
	enum store_mode mode;
};
static const struct exc_verb verbs[] = {
	{"add", do_add, STORE_READWRITE},
	{"close", do_close, STORE_READWRITE},
	{"list", do_list, STORE_READONLY},
};

int cmd_exception(int argc, char **argv)
{
	struct exc_opts o = {0};
	if (parse_opts(argc, argv, &o))
		return EXIT_USAGE;
	const struct exc_verb *v = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (strcmp(verbs[i].name, o.verb) == 0)
			v = &verbs[i];
	if (!v)
		return cli_usage_error("exception", "unknown verb (add, close or list):", o.verb);
	char *path = store_default_path(o.db, o.program);
	struct err e = {{0}};
	/* A list on a fresh program has nothing to read: create the store then. */
	struct store *st = store_open(path, v->mode, &e);
	if (!st && v->mode == STORE_READONLY)
		st = store_open(path, STORE_READWRITE, &(struct err){{0}});
	free(path);
	if (!st) {
		fprintf(stderr, "warroom exception: %s\n", e.msg);
		return EXIT_FAIL;
	}
	int rc = v->fn(st, &o);
	store_close(st);
	return rc;
}
