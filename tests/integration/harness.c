#include "harness.h"

#include "tools/qemu_cmd.h"
#include "tools/qemu_run.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);
	return v && *v ? v : def;
}

/* Runs argv to completion with output to /dev/null except stderr captured into err. */
static int run_tool(char *const argv[], char *err, size_t errlen)
{
	int fds[2];
	cr_assert(pipe(fds) == 0);
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	size_t n = 0;
	ssize_t got;
	while ((got = read(fds[0], err + n, errlen - 1 - n)) > 0 && n + 1 < errlen)
		n += got;
	err[n] = 0;
	close(fds[0]);
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool all_seen(const struct run *r, const char *const *until)
{
	for (; *until; until++)
		if (!strstr(r->out, *until))
			return false;
	return true;
}

static void append(struct run *r, const char *buf, size_t n, size_t *cap)
{
	if (r->len + n + 1 > *cap) {
		*cap = (*cap + n + 1) * 2;
		r->out = realloc(r->out, *cap);
		cr_assert(r->out);
	}
	/* The UART turns "\n" into "\r\n"; markers are written with "\n" alone. */
	for (size_t i = 0; i < n; i++)
		if (buf[i] != '\r')
			r->out[r->len++] = buf[i];
	r->out[r->len] = 0;
}

struct collect {
	struct run *r;
	const char *const *until;
	size_t cap;
	const struct boot_opts *opts;
};

static enum qemu_feed_result collect(void *ctx, const char *buf, size_t n)
{
	struct collect *c = ctx;

	append(c->r, buf, n, &c->cap);
	if (c->opts && c->opts->watch && !*c->opts->seen && strstr(c->r->out, c->opts->watch))
		*c->opts->seen = true;
	return c->until && all_seen(c->r, c->until) ? QEMU_FEED_STOP : QEMU_FEED_MORE;
}

void boot_board(const char *board, const struct boot_opts *opts, struct run *r)
{
	const char *build = env_or("GOHV_BUILD", "build");
	char dir[] = "/tmp/gohv-test-XXXXXX", pack[512], hv[512], dtb[512], guests[512], img[600],
	     args[600], err[1024];

	memset(r, 0, sizeof(*r));
	cr_assert(mkdtemp(dir));
	snprintf(pack, sizeof(pack), "%s/tools/gohv-pack", build);
	snprintf(hv, sizeof(hv), "%s/hv/gohv.elf", build);
	if (!strncmp(board, "boards/", 7)) /* a board of the tree, as `make images` built it */
		snprintf(dtb, sizeof(dtb), "%s/%s/config.dtb", build, board);
	else
		snprintf(dtb, sizeof(dtb), "%s/tests/boards/%s.dtb", build, board);
	snprintf(guests, sizeof(guests), "%s/guests", build);
	snprintf(img, sizeof(img), "%s/gohv.img", dir);
	snprintf(args, sizeof(args), "%s/qemu-args", dir);
	char *pack_argv[32] = {pack,   "--hv", hv,  "--config",	   dtb, "-L",
			       guests, "-o",   img, "--qemu-args", args};
	int pn = 11;
	for (const char *const *d = opts ? opts->dirs : NULL; d && *d && pn < 29; d++) {
		pack_argv[pn++] = "-L";
		pack_argv[pn++] = (char *)*d;
	}
	pack_argv[pn] = NULL;
	int rc = run_tool(pack_argv, err, sizeof(err));
	cr_assert_eq(rc, 0, "packing %s failed: %s", board, err);
	if (opts && opts->patch)
		opts->patch(img);

	/* Guest time is counted in instructions unless the test wants real parallel harts. */
	struct qemu_cmd_opts qo = {
	    .kernel = img,
	    .cpu = opts ? opts->cpu : NULL,
	    .machine = opts ? opts->machine : NULL,
	    .smp = opts ? opts->smp : NULL,
	    .qemu_args = args,
	    .icount = !(opts && opts->real_time),
	    .user_net = opts && opts->user_net,
	    .net_forwards = opts ? opts->net_forwards : NULL,
	    .extra = opts ? opts->qemu_extra : NULL,
	};
	struct qemu_cmd cmd;
	cr_assert_eq(qemu_cmd_build(&qo, &cmd, err, sizeof(err)), 0, "%s", err);
	struct qemu_run_opts ro = {.timeout_s = opts && opts->timeout_s ? opts->timeout_s : 60};
	struct collect c = {r, opts ? opts->until : NULL, 0, opts};
	struct qemu_result res;
	append(r, "", 0, &c.cap);
	cr_assert_eq(qemu_run(cmd.argv, &ro, collect, &c, &res), 0, "cannot start QEMU: %s",
		     strerror(errno));
	qemu_cmd_free(&cmd);
	r->exited = res.exited;
	r->timed_out = res.timed_out;
	r->status = res.status;
	unlink(img);
	unlink(args);
	rmdir(dir);
}

void run_free(struct run *r)
{
	free(r->out);
	r->out = NULL;
}

unsigned run_count(const struct run *r, const char *needle)
{
	unsigned n = 0;
	for (const char *p = r->out; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

const char *run_line(const struct run *r, const char *needle, char *buf, size_t len)
{
	const char *p = strstr(r->out, needle);
	if (!p)
		return NULL;
	while (p > r->out && p[-1] != '\n')
		p--;
	size_t n = strcspn(p, "\r\n");
	if (n >= len)
		n = len - 1;
	memcpy(buf, p, n);
	buf[n] = 0;
	return buf;
}

long run_pos(const struct run *r, const char *needle)
{
	const char *p = strstr(r->out, needle);
	return p ? p - r->out : -1;
}

void test_figure(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("[figure] ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void run_dump(const struct run *r, const char *why)
{
	fprintf(stderr, "---- console (%s%s), looking for \"%s\" ----\n%s\n---- end ----\n",
		r->exited ? "powered off" : "killed", r->timed_out ? ", timed out" : "", why,
		r->out);
}
