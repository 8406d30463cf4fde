/* The partition watchdog end to end (tests/boards/it-watchdog.dts, tests/guests/t_watchdog.c): a
 * guest that stops petting is stopped with one line per missed deadline and its restart policy
 * applies, whether it spins or sleeps; a guest that keeps petting is never stopped; the others run
 * on. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define EXPIRED(name, ms)                                                                          \
	"gohv: fault: partition " name ": watchdog expired (no pet for " ms " ms)\n"

/* Occurrences of needle in the output before offset end. */
static unsigned count_before(const struct run *r, const char *needle, long end)
{
	unsigned n = 0;

	for (const char *p = r->out; (p = strstr(p, needle)) && p - r->out < end; p++)
		n++;
	return n;
}

/* The offset of needle's first occurrence, failing the test if it has none. */
static long pos(const struct run *r, const char *needle)
{
	long at = run_pos(r, needle);

	if (at < 0)
		run_dump(r, needle);
	cr_assert_geq(at, 0, "console lacks \"%s\"", needle);
	return at;
}

Test(watchdog, a_guest_that_stops_petting_is_stopped_once_per_run_and_restarted, .timeout = 120)
{
	static const char *const until[] = {
	    "partition lapsed restarting (policy on-failure, restart 3)",
	    "partition faithful exited with code 0\n", "partition bare exited with code 0\n", NULL};
	struct boot_opts o = {.until = until, .timeout_s = 60};
	struct run r;
	char want[128];

	boot_board("it-watchdog", &o, &r);
	if (r.timed_out)
		run_dump(&r, "timed out");
	cr_assert(!r.timed_out, "the watchdog never stopped lapsed three times");
	assert_has(&r, "partition lapsed: 1 vcpu(s) on cpu 1, 2 MiB at ");
	assert_has(&r, ", restart on-failure, watchdog 30 ms\n");

	/* Each run pets in time (5 pets over 50 ms, longer than the 30 ms period), then hangs, and
	 * only then is stopped: one line, the fault exit, the restart, for each of three runs. */
	long third = pos(&r, "partition lapsed restarting (policy on-failure, restart 3)");
	cr_assert_eq(count_before(&r, EXPIRED("lapsed", "30"), third), 3);
	for (unsigned run = 0; run < 3; run++) {
		snprintf(want, sizeof(want), "[lapsed] WATCHDOG run=%u period=30 pet=0\n", run);
		long start = pos(&r, want);
		snprintf(want, sizeof(want), "[lapsed] PETTED run=%u n=5 ", run);
		long petted = pos(&r, want);
		snprintf(want, sizeof(want), "[lapsed] HANG run=%u spin\n", run);
		long hang = pos(&r, want);
		snprintf(want, sizeof(want),
			 "partition lapsed restarting (policy on-failure, restart %u)", run + 1);
		long restart = pos(&r, want);
		cr_assert(start < petted && petted < hang && hang < restart, "run %u out of order",
			  run);
		cr_assert_eq(count_before(&r, EXPIRED("lapsed", "30"), hang), run,
			     "run %u was stopped before it stopped petting", run);
		cr_assert_eq(count_before(&r, EXPIRED("lapsed", "30"), restart), run + 1,
			     "run %u: not one expiry line before its restart", run);
	}
	cr_assert_eq(
	    count_before(&r, "gohv: partition lapsed exited with code 255 (fault)\n", third), 3);

	/* Idle for ever, alone on its CPU: caught by the hv's timer all the same; restart never. */
	long hang = pos(&r, "[sleeper] HANG run=0 idle\n");
	long expired = pos(&r, EXPIRED("sleeper", "30"));
	cr_assert_lt(hang, expired, "sleeper was stopped while it still petted");
	cr_assert_eq(run_count(&r, EXPIRED("sleeper", "30")), 1);
	assert_has(&r, "gohv: partition sleeper exited with code 255 (fault)\n");
	assert_lacks(&r, "partition sleeper restarting");

	/* Pets every 10 ms within 50 ms, on a shared CPU, beside all the above: never stopped. */
	assert_has(&r, "[faithful] WATCHDOG run=0 period=50 pet=0\n");
	assert_has(&r, "[faithful] PETTED run=0 n=40 ");
	assert_lacks(&r, "partition faithful: watchdog expired");
	/* No watchdog: the pet is refused, the guest runs its course. */
	assert_has(&r, "[bare] WATCHDOG run=0 period=0 pet=-2\n");
	assert_has(&r, "[bare] PETTED run=0 n=40 ");
	assert_lacks(&r, "partition bare: watchdog expired");
	run_free(&r);
}
