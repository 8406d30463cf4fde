/* Running host commands from the Go tests (grun.h). */
#include "grun.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

/* The build folder as an absolute path: tests run programs from other folders. */
const char *build_dir(void)
{
	static char real[PATH_MAX];

	if (!real[0])
		cr_assert_not_null(realpath(env_or("GOHV_BUILD", "build"), real),
				   "build folder %s: %s", env_or("GOHV_BUILD", "build"),
				   strerror(errno));
	return real;
}

const char *bpath(const char *rel)
{
	static char bufs[8][PATH_MAX + 64];
	static int next;
	char *p = bufs[next++ % 8];

	snprintf(p, sizeof(bufs[0]), "%s/%s", build_dir(), rel);
	return p;
}

void need(const char *path, const char *how)
{
	cr_assert_eq(access(path, R_OK), 0, "%s missing: %s", path, how);
}

void append(char **buf, size_t *len, const char *data, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	cr_assert_not_null(*buf);
	memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = 0;
}

/* Runs argv in folder dir (NULL: here) with stdin from /dev/null, collecting stdout and stderr. */
void run_cmd(const char *dir, const char *const *argv, const char *const *env_add, struct grun *r)
{
	int out[2], err[2];
	size_t olen = 0, elen = 0;

	memset(r, 0, sizeof(*r));
	append(&r->out, &olen, "", 0);
	append(&r->err, &elen, "", 0);
	cr_assert_eq(pipe(out), 0);
	cr_assert_eq(pipe(err), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]), close(err[0]), close(out[1]), close(err[1]);
		if (dir && chdir(dir)) {
			fprintf(stderr, "chdir %s: %s\n", dir, strerror(errno));
			_exit(126);
		}
		for (; env_add && *env_add; env_add++)
			putenv((char *)*env_add);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	struct pollfd pfd[2] = {{.fd = out[0], .events = POLLIN}, {.fd = err[0], .events = POLLIN}};
	int open_fds = 2;
	char chunk[4096];
	while (open_fds) {
		if (poll(pfd, 2, -1) < 0) {
			cr_assert_eq(errno, EINTR);
			continue;
		}
		for (int i = 0; i < 2; i++) {
			if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(pfd[i].fd, chunk, sizeof(chunk));
			if (n <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_fds--;
				continue;
			}
			if (i == 0)
				append(&r->out, &olen, chunk, (size_t)n);
			else
				append(&r->err, &elen, chunk, (size_t)n);
		}
	}
	int st;
	r->out_len = olen;
	r->err_len = elen;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void grun_free(struct grun *r)
{
	free(r->out);
	free(r->err);
}

void dump(const struct grun *r)
{
	fprintf(stderr, "---- status %d, stdout:\n%s---- stderr:\n%s---- end\n", r->status, r->out,
		r->err);
}
