#define _GNU_SOURCE /* program_invocation_short_name */

#include "qemu_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void child(char *const argv[], const struct qemu_run_opts *o, int out)
{
	int null = open("/dev/null", O_RDWR);

	/* QEMU must not outlive us, however we end (go test kills a hung -exec). */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
	dup2(null, 0);
	dup2(out, 1);
	if (!o->own_stderr)
		dup2(out, 2);
	close(out);
	execvp(argv[0], argv);
	fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, argv[0], strerror(errno));
	_exit(127);
}

int qemu_run(char *const argv[], const struct qemu_run_opts *o, qemu_feed_fn feed, void *ctx,
	     struct qemu_result *res)
{
	int fds[2], st = 0;

	memset(res, 0, sizeof(*res));
	if (pipe(fds))
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child(argv, o, fds[1]);
	}
	close(fds[1]);
	res->pid = pid;

	double deadline = now_s() + o->timeout_s, grace = 0;
	char buf[4096];
	for (;;) {
		double left = (grace ? grace : deadline) - now_s();

		if (o->interrupt && *o->interrupt) {
			res->interrupted = true;
			break;
		}
		if (left <= 0) {
			/* Past the grace period QEMU was ending anyway: not a time-out. */
			res->timed_out = !grace;
			break;
		}
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		int pr = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0)
			continue; /* a time-out or a signal: both checked above */
		ssize_t n = read(fds[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			res->exited = true;
			break;
		}
		enum qemu_feed_result f = feed(ctx, buf, (size_t)n);
		if (f == QEMU_FEED_STOP)
			break;
		if (f == QEMU_FEED_ENDING && !grace)
			grace = now_s() + o->grace_s;
	}
	close(fds[0]);
	if (!res->exited)
		kill(-pid, SIGKILL);
	waitpid(pid, &st, 0);
	if (res->exited)
		res->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}

int qemu_exec(char *const argv[])
{
	execvp(argv[0], argv);
	return -1;
}
