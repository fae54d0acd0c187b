/* proc — subprocesses of plan steps: an argv run directly (a shell only when
 * the plan asks, as `sh -c`), stdin from /dev/null, stdout and stderr read
 * through non-blocking pipes and handed over in chunks, a timeout that sends
 * SIGTERM to the process group and SIGKILL after a grace period, and the exit
 * code or signal. Many run at once on the caller's poll loop. */
#ifndef WARROOM_PROC_H
#define WARROOM_PROC_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "warroom/util.h"

#define PROC_KILL_GRACE_MS 2000

struct proc_spec {
	const char *const *argv; /* NULL-terminated; or */
	const char *shell;       /* run as sh -c SHELL */
	int64_t timeout_ms;      /* 0: none */
	const char *cwd;         /* NULL: inherited */
};

struct proc_result {
	int exit_code;      /* -1 when killed by a signal or never started */
	int signal;         /* 0 when it exited */
	int timed_out;
	int64_t duration_ms;
	char error[256];    /* "" when it ran; else why it could not start */
};

/* stream is "stdout" or "stderr". */
typedef void (*proc_output_fn)(void *ctx, const char *stream, const char *data, size_t n);
typedef void (*proc_done_fn)(void *ctx, const struct proc_result *r);

struct proc_set;
struct proc_set *proc_set_new(void);
/* Kills (SIGKILL to the group) and reaps whatever still runs; no callbacks. */
void proc_set_free(struct proc_set *s);

/* Starts a process. Returns an id (> 0), or -1 with e when it cannot start
 * (an executable that does not exist is reported through done instead, with
 * exit code 127, as a shell would). */
int64_t proc_spawn(struct proc_set *s, const struct proc_spec *spec, proc_output_fn out,
		   proc_done_fn done, void *ctx, struct err *e);
size_t proc_running(const struct proc_set *s);
/* Fills up to max pollfds to wait on; returns how many. */
size_t proc_fds(const struct proc_set *s, struct pollfd *fds, size_t max);
/* The longest the caller may wait before proc_work must run (timeouts,
 * reaping), in ms; -1 when nothing is running. */
int proc_wait_hint_ms(const struct proc_set *s);
/* Reads what is ready, enforces timeouts, reaps, calls callbacks. fds are
 * the ones proc_fds gave (with revents), or NULL to just check. */
void proc_work(struct proc_set *s, const struct pollfd *fds, size_t n);
/* Asks a process to stop (SIGTERM, then SIGKILL after the grace period). */
void proc_stop(struct proc_set *s, int64_t id);
/* "sh -c 'echo hi'" or "a b 'c d'": argv quoted for a log line; caller frees. */
char *proc_describe(const struct proc_spec *spec);

#endif
