/* Running one QEMU to its end and collecting what it prints: shared by the integration-test
 * harness and the benchmark tool, which differ only in the command line and in what they do with
 * the output. */
#ifndef GOHV_TOOLS_QEMU_RUN_H
#define GOHV_TOOLS_QEMU_RUN_H

#include <stdbool.h>
#include <stddef.h>

struct qemu_result {
	bool exited;	/* QEMU ended by itself (the hv powered the machine off) */
	bool timed_out; /* killed at the deadline */
	int status;	/* its exit status when it exited; -1 if a signal ended it */
};

/* Gets each chunk QEMU prints; returns true to stop it now. */
typedef bool (*qemu_feed_fn)(void *ctx, const char *buf, size_t n);

/* Runs argv (argv[0] looked up in PATH) in its own process group, so the kill at the end takes
 * nothing else along, with stdin from /dev/null and stdout and stderr into feed, until it exits,
 * feed says stop, or timeout_s passes. Returns 0, or -1 with errno set if it could not start. */
int qemu_run(char *const argv[], unsigned timeout_s, qemu_feed_fn feed, void *ctx,
	     struct qemu_result *res);

#endif
