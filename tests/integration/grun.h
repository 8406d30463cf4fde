/*
 * Running host commands from the Go tests (test_go.c, test_tamago.c): a command's exit status,
 * stdout and stderr, the build folder's files, and assertions on what a command printed.
 */
#ifndef GOHV_TESTS_GRUN_H
#define GOHV_TESTS_GRUN_H

#include <stddef.h>
#include <string.h>

struct grun {
	int status; /* exit code, or -1 if killed by a signal */
	char *out, *err;
	size_t out_len, err_len; /* they may hold NULs */
};

/* The environment variable name, or def when it is unset or empty. */
const char *env_or(const char *name, const char *def);
/* The build folder ($GOHV_BUILD, default build) as an absolute path: tests run programs from
 * other folders. */
const char *build_dir(void);
/* build_dir()/rel, in one of 8 rotating buffers. */
const char *bpath(const char *rel);
/* Fails the test unless path is readable; how says how to make it. */
void need(const char *path, const char *how);
/* Appends n bytes to the NUL-terminated *buf of *len bytes. */
void append(char **buf, size_t *len, const char *data, size_t n);
/* Runs argv in folder dir (NULL: here) with stdin from /dev/null, KEY=VALUE strings env_add
 * added to its environment, collecting stdout and stderr. */
void run_cmd(const char *dir, const char *const *argv, const char *const *env_add, struct grun *r);
void grun_free(struct grun *r);
/* Prints r's status and output to stderr: an assertion about to fail is unreadable without. */
void dump(const struct grun *r);

#define expect_status(r, want)                                                                     \
	do {                                                                                       \
		if ((r)->status != (want))                                                         \
			dump(r);                                                                   \
		cr_assert_eq((r)->status, (want), "exit status %d, want %d", (r)->status, (want)); \
	} while (0)
#define expect_out(r, s)                                                                           \
	do {                                                                                       \
		if (!strstr((r)->out, (s)))                                                        \
			dump(r);                                                                   \
		cr_assert(strstr((r)->out, (s)), "stdout lacks \"%s\"", (s));                      \
	} while (0)

#define expect_err(r, s)                                                                           \
	do {                                                                                       \
		if (!strstr((r)->err, (s)))                                                        \
			dump(r);                                                                   \
		cr_assert(strstr((r)->err, (s)), "stderr lacks \"%s\"", (s));                      \
	} while (0)

#endif
