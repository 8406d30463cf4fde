/*
 * The restart backoff (hv/partition.c) as the core computes it: a partition that ends soon after
 * it starts waits ever longer before its next start, whatever ended it, an SBI reboot included,
 * by the board's restart-backoff-ms or the default. And how a reboot ends a run: said as a
 * reboot, never as an exit. The stop is driven by hand up to the line the hv prints: the restart
 * itself needs a package.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "arch/host/host.h"
#include "arch/riscv64/riscv.h"
#include "arch/riscv64/sbi.h"
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

/* The stop line and the restart decision after one run ended by an ecall of the guest. */
static void sbi_reset(unsigned long type, unsigned long reason)
{
	unsigned long *x = v->arch.regs.x;

	x[REG_A0] = type;
	x[REG_A1] = reason;
	x[REG_A6] = SBI_SRST_SYSTEM_RESET;
	x[REG_A7] = SBI_EXT_SRST;
	cr_assert_eq(riscv_vsbi_handle(v), EXIT_STOPPED);
	v->state = VCPU_OFF;
	partition_vcpu_parked(p);
	cr_assert_eq(p->state, PART_STOPPED);
}

/* The lost reboot of the first storm: a guest's cold reboot under on-failure printed "exited
 * with code 0", the line of a clean exit, and whoever read the console (the storm test waited
 * for that line) took the partition for done while the hv was restarting it. */
Test(restart, an_sbi_cold_reboot_under_on_failure_restarts_and_says_reboot)
{
	own_config();
	sbi_reset(SBI_SRST_TYPE_COLD_REBOOT, SBI_SRST_REASON_NONE);
	cr_assert(p->restart_pending, "no restart after: %s", gp_out.text);
	cr_assert(strstr(gp_out.text, "gohv: partition test rebooted (code 0)\n"), "%s",
		  gp_out.text);
	cr_assert_null(strstr(gp_out.text, "exited"), "a reboot reads as an exit: %s", gp_out.text);
	cr_assert(strstr(gp_out.text, "gohv: partition test restarting (policy reboot, restart 1)"),
		  "%s", gp_out.text);
}

Test(restart, an_sbi_shutdown_under_on_failure_is_a_clean_exit)
{
	own_config();
	sbi_reset(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_NONE);
	cr_assert_not(p->restart_pending);
	cr_assert_str_eq(gp_out.text, "gohv: partition test exited with code 0\n");
}

/* vCPU 1 faults; vCPU 0 asks for a reboot before it parks: the run ended in the fault, and a
 * partition that restarts never stays down. */
Test(restart, a_reboot_asked_for_after_another_vcpus_fault_is_no_reboot)
{
	struct vcpu *w = gp_add_vcpu();

	w->state = VCPU_RUNNING;
	p->running = 2;
	cr_assert_eq(vcpu_fault(w, "test fault", GUEST_RAM_BASE, 0), EXIT_FAULTED);
	w->state = VCPU_OFF;
	partition_vcpu_parked(p);
	cr_assert_eq(partition_reboot(v, 0, false), EXIT_STOPPED);
	v->state = VCPU_OFF;
	partition_vcpu_parked(p);
	cr_assert_eq(p->state, PART_STOPPED);
	cr_assert_not(p->restart_pending, "%s", gp_out.text);
	cr_assert(strstr(gp_out.text, "gohv: partition test exited with code 255 (fault)\n"), "%s",
		  gp_out.text);
	cr_assert_null(strstr(gp_out.text, "rebooted"), "%s", gp_out.text);
}
