/*
 * The per-CPU scheduler (hv/sched.c) on its own: vCPUs built by hand on hv.cpus[0], time given
 * as numbers. What it must guarantee: round robin by slices only while another is ready, wakes to
 * the front, sleepers handed back in wake order, and no wake lost while a vCPU is put away.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "arch/host/host.h"
#include "hv/hv.h"

static struct vcpu vs[4];
static struct cpu *c = &hv.cpus[0];

static void setup(void)
{
	memset(vs, 0, sizeof(vs));
	memset(hv.cpus, 0, sizeof(hv.cpus));
	memset(&host, 0, sizeof(host));
	host_this_cpu = c;
	for (int i = 0; i < 4; i++) {
		vs[i].cpu = c;
		vs[i].slice = 100;
		sched_add(c, &vs[i]);
	}
}

TestSuite(sched, .init = setup);

Test(sched, nothing_ready_picks_nothing)
{
	cr_assert_null(sched_pick(c, 0));
	cr_assert_eq(sched_deadline(c), ~0UL);
	cr_assert_eq(c->sched.nvcpus, 4);
}

Test(sched, a_lone_vcpu_keeps_the_cpu_and_arms_no_slice)
{
	cr_assert(sched_wake(&vs[0]));
	cr_assert_eq(sched_pick(c, 0), &vs[0]);
	cr_assert_eq(vs[0].where, WHERE_CURRENT);
	cr_assert_eq(sched_deadline(c), ~0UL, "alone: no slice timer");
	cr_assert_eq(sched_pick(c, 1000000), &vs[0], "alone, its slice never ends");
	/* Already current: a wake only asks for a kick (it must leave the guest to look). */
	cr_assert(sched_wake(&vs[0]));
}

Test(sched, slices_rotate_only_while_another_is_ready)
{
	sched_wake(&vs[0]);
	cr_assert_eq(sched_pick(c, 0), &vs[0]);
	sched_wake(&vs[1]);
	cr_assert_eq(sched_deadline(c), 100, "another is ready: the slice end");
	cr_assert_eq(sched_pick(c, 99), &vs[0], "its slice is not over");
	cr_assert_eq(sched_pick(c, 100), &vs[1]);
	cr_assert_eq(vs[0].where, WHERE_RUNQ, "preempted to the queue");
	cr_assert_eq(sched_deadline(c), 200);
	cr_assert_eq(sched_pick(c, 200), &vs[0]);
}

Test(sched, weights_lengthen_the_slice)
{
	vs[1].slice = 300;
	sched_wake(&vs[1]);
	sched_wake(&vs[0]);
	cr_assert_eq(sched_pick(c, 0), &vs[1]);
	cr_assert_eq(sched_pick(c, 299), &vs[1]);
	cr_assert_eq(sched_pick(c, 300), &vs[0]);
}

Test(sched, a_preempted_vcpu_goes_to_the_back_a_woken_one_to_the_front)
{
	sched_wake(&vs[0]);
	sched_wake(&vs[1]);
	sched_wake(&vs[2]);
	cr_assert_eq(sched_pick(c, 0), &vs[0]);
	/* vs[3] slept: woken, it jumps the queue. */
	vs[3].wake_at = ~0UL;
	sched_block(c, &vs[3]);
	cr_assert_eq(vs[3].where, WHERE_SLEEP);
	sched_wake(&vs[3]);
	cr_assert_eq(sched_pick(c, 100), &vs[3]);
	cr_assert_eq(sched_pick(c, 200), &vs[1]);
	cr_assert_eq(sched_pick(c, 300), &vs[2]);
	cr_assert_eq(sched_pick(c, 400), &vs[0]);
	cr_assert_eq(sched_pick(c, 500), &vs[3]);
}

Test(sched, sleepers_come_back_in_wake_order_at_their_time)
{
	sched_wake(&vs[0]);
	cr_assert_eq(sched_pick(c, 0), &vs[0]);
	vs[0].wake_at = 500;
	sched_block(c, &vs[0]);
	vs[1].wake_at = 300;
	sched_block(c, &vs[1]);
	vs[2].wake_at = 400;
	sched_block(c, &vs[2]);
	cr_assert_eq(sched_deadline(c), 300, "the first sleeper's time");
	cr_assert_null(sched_pick(c, 299));
	cr_assert_eq(sched_pick(c, 300), &vs[1]);
	cr_assert_eq(sched_deadline(c), 400);
	cr_assert_eq(sched_pick(c, 399), &vs[1]);
	cr_assert_eq(vs[2].where, WHERE_SLEEP);
	cr_assert_eq(sched_pick(c, 400), &vs[2], "woken, and vs[1]'s slice is over");
	cr_assert_eq(vs[1].where, WHERE_RUNQ);
	cr_assert_eq(vs[0].where, WHERE_SLEEP);
}

Test(sched, a_request_posted_while_it_is_put_away_is_not_lost)
{
	sched_wake(&vs[0]);
	cr_assert_eq(sched_pick(c, 0), &vs[0]);
	/* Another CPU posted while it was current (so only kicked); then its CPU blocks it. */
	vs[0].requests = VREQ_WAKE;
	vs[0].wake_at = ~0UL;
	sched_block(c, &vs[0]);
	cr_assert_eq(vs[0].where, WHERE_RUNQ, "a pending request keeps it ready");
	cr_assert_eq(sched_pick(c, 1), &vs[0]);
	vs[0].requests = VREQ_START;
	sched_park(c, &vs[0]);
	cr_assert_eq(vs[0].where, WHERE_RUNQ);
	cr_assert_eq(sched_pick(c, 2), &vs[0]);
	vs[0].requests = 0;
	sched_park(c, &vs[0]);
	cr_assert_eq(vs[0].where, WHERE_NONE);
	cr_assert_null(sched_pick(c, 3));
}

Test(sched, waking_a_queued_vcpu_needs_no_kick)
{
	sched_wake(&vs[0]);
	cr_assert_not(sched_wake(&vs[0]), "already queued: its CPU was kicked then");
}
