/* The console under load (tests/boards/it-console.dts): three partitions flood it from their own
 * CPUs while a fourth writes one line every 5 ms and measures how long each call takes. Lines
 * are served in order of arrival, so it waits for at most the lines already queued (one per
 * other partition), however long the flood lasts.
 *
 * This one runs on real parallel harts, on the host's clock. Under QEMU 7.2's -icount one host
 * thread runs the harts in turn and a lock is almost never contended the way it is in parallel:
 * there the old test-and-set lock kept the waiter's calls at 18 ticks too, while on parallel
 * harts it let the spammers take the lock again and again for most of the flood (200-420 ms, over
 * 400 ms of flood; the fair lock's worst was 1.6-5.3 ms on a loaded 2-core host). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Ten times the worst seen with the fair lock, a sixth of the best seen without it. */
#define WORST_US_MAX 50000

static long field(const struct run *r, const char *line_has, const char *key)
{
	char buf[256];
	const char *l = run_line(r, line_has, buf, sizeof(buf));

	if (!l)
		run_dump(r, line_has);
	cr_assert_not_null(l, "no line with \"%s\"", line_has);
	const char *v = strstr(l, key);
	cr_assert_not_null(v, "no %s in: %s", key, l);
	return strtol(v + strlen(key), NULL, 10);
}

Test(console, a_flood_from_three_partitions_keeps_another_waiting_briefly, .timeout = 180)
{
	struct boot_opts o = {.real_time = true};
	struct run r;

	boot_board("it-console", &o, &r);
	cr_assert(r.exited, "the hv did not power off");
	long worst = field(&r, "[waiter] CONWAIT", "worst_us="),
	     late = field(&r, "[waiter] CONWAIT", "worst_late_us=");
	long lines = field(&r, "[spam1] SPAM done", "lines=") +
		     field(&r, "[spam2] SPAM done", "lines=") +
		     field(&r, "[spam3] SPAM done", "lines=");
	fprintf(stderr,
		"console: the waiter's worst line took %ld us (%ld us after it was due), "
		"among %ld flood lines\n",
		worst, late, lines);
	cr_assert_eq(run_count(&r, "[waiter] conwait: one line among the flood\n"), 60);
	/* The flood really was one: the spammers kept the console busy all along. */
	cr_assert_gt(lines, 500, "only %ld flood lines", lines);
	cr_assert_leq(worst, WORST_US_MAX, "a line waited %ld us behind the flood", worst);
	run_free(&r);
}
