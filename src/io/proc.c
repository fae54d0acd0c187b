/* proc — fork/exec with the child in its own process group, so a timeout
 * stops the whole tree the command started. Exec failures come back over a
 * close-on-exec pipe, which is how "not found" is told from "exited 127". */
#include "warroom/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

struct proc {
	int64_t id;
	pid_t pid;
	int fd[2];            /* stdout, stderr; -1 once closed */
	int64_t started_ms, deadline_ms, kill_at_ms;
	int exited, status, timed_out;
	char exec_error[128];
	proc_output_fn out;
	proc_done_fn done;
	void *ctx;
};

struct proc_set {
	struct proc **v;
	size_t n, cap;
	int64_t next_id;
};

static const char *const stream_names[2] = {"stdout", "stderr"};

struct proc_set *proc_set_new(void)
{
	return xcalloc(1, sizeof(struct proc_set));
}

static void proc_close_fds(struct proc *p)
{
	for (int i = 0; i < 2; i++)
		if (p->fd[i] >= 0) {
			close(p->fd[i]);
			p->fd[i] = -1;
		}
}

void proc_set_free(struct proc_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		struct proc *p = s->v[i];
		if (!p->exited) {
			kill(-p->pid, SIGKILL);
			waitpid(p->pid, NULL, 0);
		}
		proc_close_fds(p);
		free(p);
	}
	free(s->v);
	free(s);
}

size_t proc_running(const struct proc_set *s)
{
	return s->n;
}

static void child(const struct proc_spec *spec, int out_fd, int err_fd, int status_fd)
{
	setpgid(0, 0);
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		dup2(devnull, 0);
	dup2(out_fd, 1);
	dup2(err_fd, 2);
	signal(SIGPIPE, SIG_DFL);
	if (spec->cwd && chdir(spec->cwd) < 0) {
		int er = errno;
		(void)!write(status_fd, &er, sizeof(er));
		_exit(127);
	}
	if (spec->shell)
		execl("/bin/sh", "sh", "-c", spec->shell, (char *)NULL);
	else
		execvp(spec->argv[0], (char *const *)spec->argv);
	int er = errno;
	(void)!write(status_fd, &er, sizeof(er));
	_exit(127);
}

int64_t proc_spawn(struct proc_set *s, const struct proc_spec *spec, proc_output_fn out,
		   proc_done_fn done, void *ctx, struct err *e)
{
	if (!spec->shell && (!spec->argv || !spec->argv[0] || !spec->argv[0][0])) {
		err_set(e, "a command needs an argv or a shell line");
		return -1;
	}
	int po[2], pe[2], ps[2];
	if (pipe2(po, O_CLOEXEC) < 0) {
		err_set(e, "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]), close(po[1]);
		err_set(e, "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(ps, O_CLOEXEC) < 0) {
		close(po[0]), close(po[1]), close(pe[0]), close(pe[1]);
		err_set(e, "pipe: %s", strerror(errno));
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		close(po[0]), close(po[1]), close(pe[0]), close(pe[1]), close(ps[0]), close(ps[1]);
		err_set(e, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(po[0]), close(pe[0]), close(ps[0]);
		child(spec, po[1], pe[1], ps[1]);
	}
	setpgid(pid, pid); /* also in the child: whichever runs first */
	close(po[1]), close(pe[1]), close(ps[1]);
	struct proc *p = xcalloc(1, sizeof(*p));
	/* The status pipe closes on a successful exec; it carries errno otherwise. */
	int er = 0;
	ssize_t got;
	do
		got = read(ps[0], &er, sizeof(er));
	while (got < 0 && errno == EINTR);
	close(ps[0]);
	if (got == (ssize_t)sizeof(er))
		snprintf(p->exec_error, sizeof(p->exec_error), "cannot run %s: %s",
			 spec->shell ? "/bin/sh" : spec->argv[0], strerror(er));
	p->id = ++s->next_id;
	p->pid = pid;
	p->fd[0] = po[0];
	p->fd[1] = pe[0];
	for (int i = 0; i < 2; i++)
		fcntl(p->fd[i], F_SETFL, fcntl(p->fd[i], F_GETFL) | O_NONBLOCK);
	p->started_ms = util_mono_ms();
	p->deadline_ms = spec->timeout_ms > 0 ? p->started_ms + spec->timeout_ms : 0;
	p->out = out;
	p->done = done;
	p->ctx = ctx;
	VEC_PUSH(s->v, s->n, s->cap, p);
	return p->id;
}

size_t proc_fds(const struct proc_set *s, struct pollfd *fds, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		for (int k = 0; k < 2; k++)
			if (s->v[i]->fd[k] >= 0 && n < max)
				fds[n++] = (struct pollfd){.fd = s->v[i]->fd[k], .events = POLLIN};
	return n;
}

int proc_wait_hint_ms(const struct proc_set *s)
{
	if (!s->n)
		return -1;
	int64_t now = util_mono_ms(), hint = 100; /* reaping is polled: children may close early */
	for (size_t i = 0; i < s->n; i++) {
		const struct proc *p = s->v[i];
		int64_t at = p->kill_at_ms ? p->kill_at_ms : p->deadline_ms;
		if (at && at - now < hint)
			hint = at - now;
	}
	return hint < 0 ? 0 : (int)hint;
}

static void drain(struct proc *p, int k)
{
	char buf[8192];
	for (;;) {
		ssize_t n = read(p->fd[k], buf, sizeof(buf));
		if (n > 0) {
			if (p->out)
				p->out(p->ctx, stream_names[k], buf, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
			close(p->fd[k]);
			p->fd[k] = -1;
		}
		return;
	}
}

static void signal_group(struct proc *p, int sig)
{
	if (kill(-p->pid, sig) < 0)
		kill(p->pid, sig);
}

/* Returns 1 when p is over and its callback ran. */
static int proc_step(struct proc *p, int64_t now)
{
	for (int k = 0; k < 2; k++)
		if (p->fd[k] >= 0)
			drain(p, k);
	if (!p->exited) {
		int st;
		pid_t r = waitpid(p->pid, &st, WNOHANG);
		if (r == p->pid) {
			p->exited = 1;
			p->status = st;
		}
	}
	if (!p->exited) {
		if (p->deadline_ms && now >= p->deadline_ms && !p->kill_at_ms) {
			p->timed_out = 1;
			signal_group(p, SIGTERM);
			p->kill_at_ms = now + PROC_KILL_GRACE_MS;
		} else if (p->kill_at_ms && now >= p->kill_at_ms) {
			signal_group(p, SIGKILL);
			p->kill_at_ms = now + 60000;
		}
		return 0;
	}
	/* The command is gone; anything it left holding the pipes goes too. */
	if (p->fd[0] >= 0 || p->fd[1] >= 0) {
		kill(-p->pid, SIGKILL);
		for (int k = 0; k < 2; k++)
			if (p->fd[k] >= 0) {
				int fl = fcntl(p->fd[k], F_GETFL);
				fcntl(p->fd[k], F_SETFL, fl & ~O_NONBLOCK);
				drain(p, k);
			}
	}
	struct proc_result res = {0};
	res.duration_ms = now - p->started_ms;
	res.timed_out = p->timed_out;
	if (WIFEXITED(p->status)) {
		res.exit_code = WEXITSTATUS(p->status);
	} else {
		res.exit_code = -1;
		res.signal = WIFSIGNALED(p->status) ? WTERMSIG(p->status) : 0;
	}
	snprintf(res.error, sizeof(res.error), "%s", p->exec_error);
	if (p->done)
		p->done(p->ctx, &res);
	return 1;
}

void proc_work(struct proc_set *s, const struct pollfd *fds, size_t n)
{
	(void)fds;
	(void)n; /* every pipe is non-blocking: reading them all is as cheap */
	int64_t now = util_mono_ms();
	for (size_t i = 0; i < s->n;) {
		struct proc *p = s->v[i];
		/* A callback may spawn more: they are appended, so index i stays p. */
		if (!proc_step(p, now)) {
			i++;
			continue;
		}
		s->v[i] = s->v[--s->n];
		proc_close_fds(p);
		free(p);
	}
}

void proc_stop(struct proc_set *s, int64_t id)
{
	for (size_t i = 0; i < s->n; i++) {
		struct proc *p = s->v[i];
		if (p->id == id && !p->exited && !p->kill_at_ms) {
			signal_group(p, SIGTERM);
			p->kill_at_ms = util_mono_ms() + PROC_KILL_GRACE_MS;
		}
	}
}

static void quote_word(struct strbuf *sb, const char *w)
{
	if (*w && strcspn(w, " \t\n'\"\\$`*?;&|<>(){}[]#~") == strlen(w)) {
		sb_adds(sb, w);
		return;
	}
	sb_addc(sb, '\'');
	for (; *w; w++) {
		if (*w == '\'')
			sb_adds(sb, "'\\''");
		else
			sb_addc(sb, *w);
	}
	sb_addc(sb, '\'');
}

char *proc_describe(const struct proc_spec *spec)
{
	struct strbuf sb = {0};
	if (spec->shell) {
		sb_adds(&sb, "sh -c ");
		quote_word(&sb, spec->shell);
	} else {
		for (size_t i = 0; spec->argv && spec->argv[i]; i++) {
			if (i)
				sb_addc(&sb, ' ');
			quote_word(&sb, spec->argv[i]);
		}
	}
	return sb_detach(&sb);
}
