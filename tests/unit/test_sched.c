/*
 * The per-CPU scheduler (hv/sched.c) on its own: vCPUs built by hand on hv.cpus[0], time given
 * as numbers (slices of 100 ticks, weight 1 unless a test says). What it must guarantee: equals
 * take turns by slices only while another is ready, weights set the share, a wake is served at
 * once but sleeping banks at most one slice, sleepers come back in wake order, and no wake is
 * lost while a vCPU is put away.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
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
		vs[i].weight = 1;
		sched_add(c, &vs[i]);
	}
}

/* The run loop's view at time t: what runs. */
static struct vcpu *at(uint64_t t)
{
	host.now = t;
	return sched_pick(c, t);
}

TestSuite(sched, .init = setup);

Test(sched, nothing_ready_picks_nothing)
{
	cr_assert_null(at(0));
	cr_assert_eq(sched_deadline(c), ~0UL);
	cr_assert_eq(c->sched.nvcpus, 4);
}

Test(sched, a_lone_vcpu_keeps_the_cpu_and_arms_no_slice)
{
	cr_assert(sched_wake(&vs[0]));
	cr_assert_eq(at(0), &vs[0]);
	cr_assert_eq(vs[0].where, WHERE_CURRENT);
	cr_assert_eq(sched_deadline(c), ~0UL, "alone: no slice timer");
	cr_assert_eq(at(1000000), &vs[0], "alone, its slice never ends");
	/* Already current: a wake only asks for a kick (it must leave the guest to look). */
	cr_assert(sched_wake(&vs[0]));
}

Test(sched, equals_take_turns_by_slices_only_while_another_is_ready)
{
	sched_wake(&vs[0]);
	cr_assert_eq(at(0), &vs[0]);
	sched_wake(&vs[1]);
	cr_assert_eq(sched_deadline(c), 100, "another is ready: the slice end");
	cr_assert_eq(at(99), &vs[0], "its slice is not over");
	cr_assert_eq(at(100), &vs[1]);
	cr_assert_eq(vs[0].where, WHERE_RUNQ, "preempted to the queue");
	cr_assert_eq(sched_deadline(c), 200);
	cr_assert_eq(at(200), &vs[0]);
	cr_assert_eq(at(300), &vs[1]);
}

Test(sched, weights_set_the_share)
{
	vs[1].weight = 3;
	sched_wake(&vs[0]);
	sched_wake(&vs[1]);
	unsigned ran[2] = {0, 0};
	for (uint64_t t = 0; t < 40 * 100; t += 100)
		ran[at(t) == &vs[1]]++;
	cr_assert(ran[1] >= 29 && ran[1] <= 31, "weight 3 ran %u of 40 slices", ran[1]);
}

/* vs[0] and vs[1] take a slice each, then vs[1] sleeps at 150 and vs[0] runs alone until until. */
static void one_sleeps_while_the_other_runs(uint64_t until)
{
	sched_wake(&vs[0]);
	sched_wake(&vs[1]);
	cr_assert_eq(at(0), &vs[0]);
	cr_assert_eq(at(100), &vs[1]);
	vs[1].wake_at = ~0UL;
	host.now = 150;
	sched_block(c, &vs[1]);
	cr_assert_eq(at(150), &vs[0]);
	for (uint64_t t = 200; t <= until; t += 100)
		cr_assert_eq(at(t), &vs[0]);
}

Test(sched, a_wake_preempts_one_that_ran_more)
{
	one_sleeps_while_the_other_runs(10000);
	/* Woken, it runs at once, mid-slice... */
	host.now = 10050;
	cr_assert(sched_wake(&vs[1]));
	cr_assert_eq(at(10050), &vs[1], "a wake is served at once");
	/* ...but its long sleep earned it a slice (plus the 50 ticks vs[0] ran since its share was
	 * last counted), no more. */
	cr_assert_eq(at(10150), &vs[1]);
	cr_assert_eq(at(10250), &vs[0]);
	cr_assert_eq(at(10350), &vs[1]);
}

/* Two vCPUs that run their whole slice, sleep one tick and wake cannot push a third that never
 * sleeps off the CPU: all three get a third. */
Test(sched, sleeping_often_earns_nothing)
{
	unsigned ran[3] = {0, 0, 0};

	for (int i = 0; i < 3; i++)
		sched_wake(&vs[i]);
	uint64_t t = 0, least = 0;
	for (int turn = 0; turn < 300; turn++) {
		struct vcpu *v = at(t);

		cr_assert_not_null(v);
		/* The floor wakes are placed against never goes back, or credit would add up. */
		cr_assert_geq(c->sched.min_vruntime, least, "min_vruntime went back at turn %d",
			      turn);
		least = c->sched.min_vruntime;
		ran[v - vs]++;
		t += 100;
		if (v != &vs[2]) {
			/* Its slice used, it naps a tick. */
			host.now = t - 1;
			v->wake_at = t;
			sched_block(c, v);
		}
	}
	for (int i = 0; i < 3; i++)
		cr_assert(ran[i] >= 90 && ran[i] <= 110, "vCPU %d ran %u of 300 slices", i, ran[i]);
}

Test(sched, sleepers_come_back_in_wake_order_at_their_time)
{
	sched_wake(&vs[0]);
	cr_assert_eq(at(0), &vs[0]);
	vs[0].wake_at = 500;
	sched_block(c, &vs[0]);
	vs[1].wake_at = 300;
	sched_block(c, &vs[1]);
	vs[2].wake_at = 400;
	sched_block(c, &vs[2]);
	cr_assert_eq(sched_deadline(c), 300, "the first sleeper's time");
	cr_assert_null(at(299));
	cr_assert_eq(at(300), &vs[1]);
	cr_assert_eq(sched_deadline(c), 400);
	cr_assert_eq(at(399), &vs[1]);
	cr_assert_eq(vs[2].where, WHERE_SLEEP);
	cr_assert_eq(at(400), &vs[2], "woken, and it ran less than vs[1]");
	cr_assert_eq(vs[0].where, WHERE_SLEEP);
}

Test(sched, a_request_posted_while_it_is_put_away_is_not_lost)
{
	sched_wake(&vs[0]);
	cr_assert_eq(at(0), &vs[0]);
	/* Another CPU posted while it was current (so only kicked); then its CPU blocks it. */
	vs[0].requests = VREQ_WAKE;
	vs[0].wake_at = ~0UL;
	sched_block(c, &vs[0]);
	cr_assert_eq(vs[0].where, WHERE_RUNQ, "a pending request keeps it ready");
	cr_assert_eq(at(1), &vs[0]);
	vs[0].requests = VREQ_START;
	sched_park(c, &vs[0]);
	cr_assert_eq(vs[0].where, WHERE_RUNQ);
	cr_assert_eq(at(2), &vs[0]);
	vs[0].requests = 0;
	sched_park(c, &vs[0]);
	cr_assert_eq(vs[0].where, WHERE_NONE);
	cr_assert_null(at(3));
}

/* Both threads of the race below meet here before and after each round (spinning, so they leave
 * it together; yielding, so a loaded host still lets the other run). */
static struct {
	unsigned arrived, round;
} meet;

static void meet_up(unsigned *round)
{
	unsigned r = ++*round;

	if (__atomic_add_fetch(&meet.arrived, 1, __ATOMIC_SEQ_CST) == 2 * r)
		__atomic_store_n(&meet.round, r, __ATOMIC_SEQ_CST);
	for (unsigned n = 0; __atomic_load_n(&meet.round, __ATOMIC_SEQ_CST) < r; n++)
		if (n > 1000)
			sched_yield();
}

#define RACE_ROUNDS 20000

/* Another CPU, as vcpu_post does it: the post, then the wake. */
static void *post_each_round(void *arg)
{
	unsigned round = 0;

	(void)arg;
	for (int i = 0; i < RACE_ROUNDS; i++) {
		meet_up(&round);
		__atomic_fetch_or(&vs[0].requests, VREQ_WAKE, __ATOMIC_SEQ_CST);
		sched_wake(&vs[0]);
		meet_up(&round);
	}
	return NULL;
}

/* sched_wake looks for a current vCPU without the lock: a post that lands while the home CPU
 * blocks it must still leave it ready, whichever side goes first. Real threads, many rounds: the
 * host's store buffer reorders a store and a later load, as a RISC-V hart may. */
Test(sched, a_post_racing_the_block_is_never_lost)
{
	pthread_t poster;
	unsigned round = 0, lost = 0;

	memset(&meet, 0, sizeof(meet));
	sched_wake(&vs[0]);
	cr_assert_eq(pthread_create(&poster, NULL, post_each_round, NULL), 0);
	for (int i = 0; i < RACE_ROUNDS; i++) {
		vs[0].requests = 0;
		vs[0].wake_at = ~0UL;
		cr_assert_eq(at((uint64_t)i), &vs[0]);
		cr_assert_eq(vs[0].where, WHERE_CURRENT);
		meet_up(&round);
		sched_block(c, &vs[0]);
		meet_up(&round);
		if (vs[0].where != WHERE_RUNQ) {
			lost++;
			sched_wake(&vs[0]); /* as a later post would, for the next round */
		}
	}
	pthread_join(poster, NULL);
	cr_assert_eq(lost, 0, "%u of %d posts left their vCPU asleep", lost, RACE_ROUNDS);
}

Test(sched, waking_a_queued_vcpu_needs_no_kick)
{
	sched_wake(&vs[0]);
	cr_assert_not(sched_wake(&vs[0]), "already queued: its CPU was kicked then");
}

/* A woken vCPU starts up to a slice behind; while it runs, the floor for the next wake must not
 * follow it down, or each wake would add another slice of credit. */
Test(sched, the_wake_floor_never_goes_back)
{
	one_sleeps_while_the_other_runs(5000);
	uint64_t floor = c->sched.min_vruntime;
	host.now = 5010;
	sched_wake(&vs[1]);
	cr_assert_eq(at(5010), &vs[1], "the wake preempts");
	cr_assert_eq(at(5020), &vs[1], "mid-slice, it keeps the CPU");
	cr_assert_geq(c->sched.min_vruntime, floor, "the floor went back with the woken vCPU");
}
