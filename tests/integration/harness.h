/* Boots a test board in QEMU and collects what its console printed. One QEMU per call, with a hard
 * timeout; the virtual clock is instruction-counted so timings inside the guests do not depend on
 * how loaded the test machine is. */
#ifndef GOHV_TEST_HARNESS_H
#define GOHV_TEST_HARNESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct run {
	char *out; /* everything QEMU printed, NUL-terminated */
	size_t len;
	bool exited;	/* QEMU stopped by itself: the hv powered the machine off */
	int status;	/* its exit status, when it exited */
	bool timed_out; /* killed at the timeout before the markers all showed */
};

struct boot_opts {
	const char *smp;	  /* override the board's -smp (e.g. to run fewer harts) */
	const char *cpu;	  /* override the -cpu model (e.g. "rv64,h=true,sstc=false") */
	const char *machine;	  /* override the -M machine (e.g. "virt": no ACLINT SSWI) */
	const char *const *until; /* stop once all of these appeared; NULL: wait for power-off */
	unsigned timeout_s;	  /* hard limit; 0 means 60 s */
	const char *const *dirs;  /* more -L folders for the packer (NULL-terminated), after the
				     guests folder: e.g. $GOHV_BUILD/go for Go initrds */
	bool real_time;		  /* no -icount: real parallel harts on the host's clock */
	/* A virtio-net device on QEMU's user network with restrict=on (qemu_cmd's user_net). */
	bool user_net;
	/* With user_net: hostfwd=/guestfwd= options of its -netdev (qemu_cmd's net_forwards),
	 * NULL-terminated; 127.0.0.1 only on the host side. */
	const char *const *net_forwards;
	/* More QEMU arguments (NULL-terminated), e.g. the devices a board passes through. */
	const char *const *qemu_extra;
	/* Called with the packed image's path before QEMU boots it: to hand the hv an image the
	 * packer would refuse to make. */
	void (*patch)(const char *image);
	/* *seen is set once the output has this (for a thread that acts on the guest's progress
	 * while the board runs). */
	const char *watch;
	atomic_bool *seen;
};

/* Packs tests/boards/<board>.dts (built to $GOHV_BUILD/tests/boards/<board>.dtb) with the hv and
 * the test guests, boots it, and fills r. Fails the test if packing fails. A board named
 * "boards/<name>" is the tree's boards/<name>/config.dts (built to
 * $GOHV_BUILD/boards/<name>/config.dtb), as `make run BOARD=<name>` boots it. */
void boot_board(const char *board, const struct boot_opts *opts, struct run *r);
void run_free(struct run *r);

/* Occurrences of needle in the output. */
unsigned run_count(const struct run *r, const char *needle);
/* The first line containing needle (a pointer into out, up to the newline), or NULL. */
const char *run_line(const struct run *r, const char *needle, char *buf, size_t len);
/* Offset of the first occurrence of needle, or -1. */
long run_pos(const struct run *r, const char *needle);

/* Dumps the output to stderr when an assertion is about to fail: a failing integration test is
 * unreadable without the console. */
void run_dump(const struct run *r, const char *why);

/* Prints a figure the test measured (one line, "[figure] ..."), where `make test` shows it:
 * Criterion's cr_log_info is seen only with --verbose. */
void test_figure(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define assert_has(r, s)                                                                           \
	do {                                                                                       \
		if (!strstr((r)->out, (s)))                                                        \
			run_dump((r), s);                                                          \
		cr_assert(strstr((r)->out, (s)), "console lacks \"%s\"", (s));                     \
	} while (0)
#define assert_lacks(r, s)                                                                         \
	do {                                                                                       \
		if (strstr((r)->out, (s)))                                                         \
			run_dump((r), s);                                                          \
		cr_assert(!strstr((r)->out, (s)), "console has \"%s\"", (s));                      \
	} while (0)

#endif
