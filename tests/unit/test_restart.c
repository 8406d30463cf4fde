/*
 * The restart backoff (hv/partition.c) as the core computes it: a partition that ends soon after
 * it starts waits ever longer before its next start, whatever ended it, an SBI reboot included,
 * by the board's restart-backoff-ms or the default. The stop is driven by hand up to the line the
 * hv prints: the restart itself needs a package.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "arch/host/host.h"
#include "guest_part.h"

static struct vcpu *v;
static struct partition *p = &gp_part;

static void setup(void)
{
	v = gp_setup();
	hv.plat.timebase_hz = 10000000;
	host.now = 1000;
	p->started_at = host.now;
}

TestSuite(restart, .init = setup, .fini = gp_teardown);

/* One run that lasts `ran` ticks, then ends by how(); returns the delay the hv announced. */
static long run_and_end(uint64_t ran, enum vcpu_exit (*how)(struct vcpu *))
{
	/* What partition_start leaves behind. */
	p->state = PART_RUNNING;
	p->reboot = false;
	p->running = 1;
	v->state = VCPU_RUNNING;
	p->started_at = host.now;
	host.now += ran;
	gp_out.len = 0;
	gp_out.text[0] = '\0';

	how(v);
	/* The run loop parks it: the last vCPU to park finishes the stop. */
	v->state = VCPU_OFF;
	partition_vcpu_parked(p);
	cr_assert_eq(p->state, PART_STOPPED);
	cr_assert(p->restart_pending, "no restart after: %s", gp_out.text);
	const char *in = strstr(gp_out.text, ") in ");
	cr_assert_not_null(in, "no restart line in: %s", gp_out.text);
	return strtol(in + 5, NULL, 10);
}

static enum vcpu_exit reboot(struct vcpu *w)
{
	return partition_reboot(w, 0, false);
}

static enum vcpu_exit crash(struct vcpu *w)
{
	return partition_exit(w, 1, true);
}

/* 1 ms of running: well inside the backoff's 10 s. */
#define QUICK 10000

/* The partition's config for the test to change, restart = "on-failure". */
static struct partition_config *own_config(void)
{
	static struct partition_config c;

	c = *p->cfg;
	c.restart = RESTART_ON_FAILURE;
	p->cfg = &c;
	return &c;
}

Test(restart, a_quick_reboot_loop_backs_off_as_a_crash_loop_does)
{
	const long want[] = {0, 10, 20, 40, 80};

	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_eq(run_and_end(QUICK, reboot), want[i], "reboot %u: line %s", i + 1,
			     gp_out.text);
	cr_assert(strstr(gp_out.text, "(policy reboot, restart 5) in 80 ms"), "%s", gp_out.text);
}

Test(restart, reboots_and_crashes_share_one_backoff)
{
	static struct partition_config on_failure;

	on_failure = *p->cfg;
	on_failure.restart = RESTART_ON_FAILURE;
	p->cfg = &on_failure;
	cr_assert_eq(run_and_end(QUICK, crash), 0);
	cr_assert_eq(run_and_end(QUICK, reboot), 10);
	cr_assert_eq(run_and_end(QUICK, crash), 20);
}

Test(restart, a_reboot_after_a_long_run_starts_at_once)
{
	cr_assert_eq(run_and_end(QUICK, reboot), 0);
	cr_assert_eq(run_and_end(QUICK, reboot), 10);
	/* 11 s of running: the backoff starts over. */
	cr_assert_eq(run_and_end(11 * 10000000UL, reboot), 0);
	cr_assert_eq(run_and_end(QUICK, reboot), 0, "the first quick end after a reset is at once");
	cr_assert_eq(run_and_end(QUICK, reboot), 10);
}

Test(restart, the_boards_backoff_doubles_from_min_up_to_max)
{
	struct partition_config *c = own_config();
	const long want[] = {0, 5, 10, 20, 30, 30, 30};

	c->backoff_min_ms = 5;
	c->backoff_max_ms = 30;
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		cr_assert_eq(run_and_end(QUICK, crash), want[i], "failure %u: line %s", i + 1,
			     gp_out.text);
	/* One long run: it starts over. */
	cr_assert_eq(run_and_end(11 * 10000000UL, crash), 0);
	cr_assert_eq(run_and_end(QUICK, reboot), 0);
	cr_assert_eq(run_and_end(QUICK, reboot), 5);
}

Test(restart, the_largest_backoff_is_reached_and_held_without_overflow)
{
	struct partition_config *c = own_config();
	long last = 0;

	c->backoff_min_ms = 1;
	c->backoff_max_ms = CONFIG_BACKOFF_MS_MAX;
	for (unsigned i = 0; i < 100; i++) {
		long ms = run_and_end(QUICK, crash);

		cr_assert_geq(ms, last, "failure %u: %ld ms after %ld", i + 1, ms, last);
		cr_assert_leq(ms, CONFIG_BACKOFF_MS_MAX);
		last = ms;
	}
	cr_assert_eq(last, CONFIG_BACKOFF_MS_MAX);
	cr_assert_eq(p->restart_at - host.now, (uint64_t)CONFIG_BACKOFF_MS_MAX * 10000);
}

Test(restart, only_a_board_saying_0_0_restarts_a_crash_loop_at_once)
{
	struct partition_config *c = own_config();

	for (unsigned i = 0; i < 3; i++)
		run_and_end(QUICK, crash);
	cr_assert_gt(run_and_end(QUICK, crash), 0, "the default backs off");
	c->backoff_min_ms = 1;
	c->backoff_max_ms = 1;
	cr_assert_eq(run_and_end(QUICK, crash), 1, "the smallest backoff a board can give");
	c->backoff_min_ms = 0;
	c->backoff_max_ms = 0;
	for (unsigned i = 0; i < 20; i++)
		cr_assert_eq(run_and_end(QUICK, crash), 0);
}
