/*
 * The start race (issue 8, finding 1), as a deterministic interleaving: vCPU 0 (on CPU 0) starts
 * vCPU 1 (on CPU 1) and tries to start it again at every step CPU 1's run loop takes for it, in
 * the guest and while it stops itself and parks. However the steps interleave, a start is
 * accepted only while vCPU 1 is off, the partition's running count stays the number of vCPUs
 * started and not parked, and the partition still finishes stopping when it exits.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "arch/host/host.h"
#include "guest_part.h"

static struct vcpu *v, *w;
static struct partition *p = &gp_part;
static unsigned accepted, refused;
static const char *hammer_at; /* the one step to start at, or NULL for every step */

static void setup(void)
{
	v = gp_setup();
	w = gp_add_vcpu();
	accepted = refused = 0;
	hammer_at = NULL;
}

TestSuite(vcpu_start, .init = setup, .fini = gp_teardown);

/* vCPU 0, on CPU 0, asks for vCPU 1 while CPU 1 is at a step of its run loop. */
static void start_w(void)
{
	struct cpu *was = host_this_cpu;
	struct vcpu_boot b = {.entry = GUEST_RAM_BASE, .arg = accepted};

	host_this_cpu = &hv.cpus[0];
	enum hv_err e = vcpu_start(w, &b);
	host_this_cpu = was;
	if (e == HV_OK)
		accepted++;
	else {
		cr_assert_eq(e, HV_ERR_ALREADY_STARTED, "start refused with %d", e);
		refused++;
	}
}

static void hammer(struct vcpu *at, const char *where)
{
	if (at == w && (!hammer_at || !strcmp(where, hammer_at)))
		start_w();
}

/* vCPU 1 stops itself (SBI HSM stop) at each entry. */
static enum vcpu_exit stop_self(struct vcpu *x)
{
	return x == w ? vcpu_stop_self(x) : EXIT_YIELD;
}

/* One turn of CPU 1, then the invariant: nothing is in the middle of parking, so the count is
 * exactly the vCPUs started and not parked. */
static void turn_cpu1(void)
{
	host_this_cpu = &hv.cpus[1];
	vcpu_run_once(&hv.cpus[1]);
	host_this_cpu = &hv.cpus[0];
	unsigned want = (v->state == VCPU_RUNNING) + (w->state == VCPU_RUNNING);
	cr_assert_eq(p->running, want, "running %u, but %u vCPU(s) started (after %u starts)",
		     p->running, want, accepted);
}

/* vCPU 0 exits: CPU 1 parks vCPU 1, CPU 0 parks vCPU 0, and the last park ends the partition. */
static void exit_and_check_stopped(void)
{
	host.on_step = NULL;
	cr_assert_eq(partition_exit(v, 7, true), EXIT_STOPPED);
	for (int i = 0; i < 10 && w->state == VCPU_RUNNING; i++)
		turn_cpu1();
	cr_assert_eq(w->state, VCPU_OFF, "vCPU 1 never parked");
	cr_assert_eq(p->running, 1);
	v->state = VCPU_OFF;
	partition_vcpu_parked(p);
	cr_assert_eq(p->running, 0);
	cr_assert_eq(p->state, PART_STOPPED, "the partition never finished stopping");
	cr_assert(strstr(gp_out.text, "gohv: partition test exited with code 7\n"), "%s",
		  gp_out.text);
}

/* vCPU 0 keeps starting vCPU 1, which stops itself at each entry: at the step named (all if
 * NULL) and, like a guest retrying, whenever it finds it off between two turns. */
static void race(const char *at, bool some_refused)
{
	hammer_at = at;
	host.on_run = stop_self;
	host.on_step = hammer;
	for (int i = 0; i < 200; i++) {
		if (w->state == VCPU_OFF)
			start_w();
		turn_cpu1();
	}
	cr_assert_gt(accepted, 50, "vCPU 1 was started only %u times", accepted);
	if (some_refused)
		cr_assert_gt(refused, 0, "no start came while it ran");
	exit_and_check_stopped();
}

Test(vcpu_start, a_start_at_every_step_of_the_target_is_counted_once)
{
	race(NULL, true);
}

/* The step right after the run loop takes the start, before the guest runs (where the old code
 * set the vCPU running outside the partition's lock). */
Test(vcpu_start, a_start_while_the_target_takes_its_start_is_refused)
{
	race("reset", true);
}

/* The step where a vCPU that stopped itself is already off but not yet uncounted. */
Test(vcpu_start, a_start_while_the_target_parks_is_counted_once_and_not_lost)
{
	race("park", false);
}

Test(vcpu_start, a_second_start_before_the_target_looks_is_refused)
{
	start_w();
	start_w();
	cr_assert_eq(accepted, 1);
	cr_assert_eq(refused, 1);
	cr_assert_eq(p->running, 2);
	turn_cpu1();
	cr_assert_eq(w->arch.regs.x[REG_A1], 0, "the first start's boot parameters");
	exit_and_check_stopped();
}
