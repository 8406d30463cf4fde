/* Running one QEMU (a command line from qemu_cmd.h) and collecting what it prints: shared by
 * `gohv run`, the integration-test harness and the benchmark tool, which differ only in the
 * command line and in what they do with the output; and exec'ing one on the terminal for
 * `gohv qemu` (`make run`). */
#ifndef GOHV_TOOLS_QEMU_RUN_H
#define GOHV_TOOLS_QEMU_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct qemu_result {
	bool exited;	  /* QEMU ended by itself (the hv powered the machine off) */
	bool timed_out;	  /* killed at the deadline */
	bool interrupted; /* killed because *interrupt became nonzero */
	int status;	  /* its exit status when it exited; -1 if a signal ended it; 127: QEMU
			     could not be started (the reason went to its stderr) */
	pid_t pid;	  /* QEMU's, from its start on (a feed may look at the process) */
};

enum qemu_feed_result {
	QEMU_FEED_MORE,	  /* keep going */
	QEMU_FEED_STOP,	  /* kill QEMU now */
	QEMU_FEED_ENDING, /* the end is near: QEMU has grace_s more to end by itself */
};

/* Gets each chunk QEMU prints. */
typedef enum qemu_feed_result (*qemu_feed_fn)(void *ctx, const char *buf, size_t n);

struct qemu_run_opts {
	unsigned timeout_s; /* hard limit */
	unsigned grace_s;   /* after QEMU_FEED_ENDING */
	bool own_stderr;    /* QEMU's stderr stays ours, not fed: only its stdout is the console */
	const volatile sig_atomic_t *interrupt; /* NULL, or a flag a signal handler sets */
};

/* Runs argv (argv[0] looked up in PATH) in its own process group, so the kill at the end takes
 * nothing else along, and tied to this process's life (it is killed if we die), with stdin from
 * /dev/null and its output into feed, until it exits, feed says stop, the time is up or
 * *interrupt is set. Returns 0, or -1 with errno set if it could not start. */
int qemu_run(char *const argv[], const struct qemu_run_opts *o, qemu_feed_fn feed, void *ctx,
	     struct qemu_result *res);

/* Replaces this process with QEMU on the terminal. Returns only on failure (errno set). */
int qemu_exec(char *const argv[]);

#endif
