#include "qemu_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int qemu_run(char *const argv[], unsigned timeout_s, qemu_feed_fn feed, void *ctx,
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
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		setpgid(0, 0);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);

	double deadline = now_s() + timeout_s;
	char buf[4096];
	for (;;) {
		double left = deadline - now_s();
		if (left <= 0) {
			res->timed_out = true;
			break;
		}
		struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
		int pr = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (pr <= 0)
			continue; /* a time-out (checked above) or EINTR */
		ssize_t n = read(fds[0], buf, sizeof(buf));
		if (n <= 0) {
			res->exited = true;
			break;
		}
		if (feed(ctx, buf, (size_t)n))
			break;
	}
	close(fds[0]);
	if (!res->exited)
		kill(-pid, SIGKILL);
	waitpid(pid, &st, 0);
	if (res->exited)
		res->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}
