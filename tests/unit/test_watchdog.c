/*
 * The partition watchdog (hv/watchdog.c) on the fake port: a pet moves the deadline, a missed one
 * stops the partition as failed with one line, once, and a partition without a watchdog is told
 * so. The run loop's part (that the timer is armed for the deadline) is the integration tests'.
 */
#include <criterion/criterion.h>
#include <goos.h>
#include <string.h>

#include "arch/host/host.h"
#include "guest_part.h"
#include "hypercall_call.h"
#include "hv/watchdog.h"

#define HZ 10000000UL

static struct partition_config wcfg;

static struct vcpu *setup_watchdog(uint32_t ms)
{
	struct vcpu *v = gp_setup();

	wcfg = *gp_part.cfg;
	wcfg.watchdog_ms = ms;
	wcfg.restart = RESTART_ON_FAILURE;
	gp_part.cfg = &wcfg;
	hv.plat.timebase_hz = HZ;
	host.now = 1000;
	watchdog_attach(&gp_part);
	watchdog_arm(&gp_part);
	return v;
}

static long pet(struct vcpu *v)
{
	struct hypercall hc = {.fid = GOOS_FN_WATCHDOG_PET};

	cr_assert_eq(hypercall_call(v, &hc), EXIT_RESUME);
	return hc.error;
}

TestSuite(watchdog, .fini = gp_teardown);

Test(watchdog, pet_without_one_is_not_supported)
{
	struct vcpu *v = gp_setup();

	cr_assert_eq(pet(v), GOOS_ERR_NOT_SUPPORTED);
	cr_assert_null(hv.cpus[0].watchdogs);
}

Test(watchdog, pets_in_time_keep_it_running)
{
	struct vcpu *v = setup_watchdog(100);
	struct cpu *c = &hv.cpus[0];

	uint64_t due = host.now + HZ / 10;

	cr_assert_eq(c->watchdogs, &gp_part);
	for (int i = 0; i < 50; i++) {
		host.now += HZ / 20; /* 50 ms */
		cr_assert_eq(watchdog_scan(c), due, "turn %d", i);
		cr_assert_eq(pet(v), GOOS_OK);
		due = host.now + HZ / 10;
		cr_assert_eq(watchdog_scan(c), host.now + HZ / 10, "the pet moved the deadline");
	}
	cr_assert_eq(gp_part.state, PART_RUNNING);
	cr_assert_eq(gp_out.len, 0, "%s", gp_out.text);
}

Test(watchdog, a_missed_deadline_stops_the_partition_once)
{
	struct vcpu *v = setup_watchdog(100);
	struct cpu *c = &hv.cpus[0];

	host.now += HZ / 10 - 1;
	watchdog_scan(c);
	cr_assert_eq(gp_part.state, PART_RUNNING, "a tick early");
	host.now += 1;
	cr_assert_eq(watchdog_scan(c), ~0UL, "a stopping partition has no deadline");
	cr_assert_eq(gp_part.state, PART_STOPPING);
	cr_assert(gp_part.exit_failed && gp_part.faulted);
	cr_assert_eq(gp_part.exit_code, GOOS_EXIT_FAULT);
	cr_assert(v->requests & VREQ_STOP, "its vCPU 0 was not asked to park");
	cr_assert_str_eq(gp_out.text,
			 "gohv: fault: partition test: watchdog expired (no pet for 100 ms)\n");
	host.now += HZ;
	watchdog_scan(c);
	cr_assert_eq(gp_out.calls, 1, "more than one line: %s", gp_out.text);
}

Test(watchdog, a_pet_racing_the_scan_wins)
{
	setup_watchdog(100);

	host.now += HZ;
	/* The scan read the old deadline; the pet came before the stop. */
	gp_part.watchdog_at = host.now + 1;
	partition_watchdog_expired(&gp_part, host.now);
	cr_assert_eq(gp_part.state, PART_RUNNING);
	cr_assert_eq(gp_out.len, 0);
}

Test(watchdog, a_partition_already_stopping_is_left_alone)
{
	setup_watchdog(100);

	gp_part.state = PART_STOPPING;
	host.now += HZ;
	watchdog_scan(&hv.cpus[0]);
	cr_assert_eq(gp_out.len, 0);
	cr_assert_not(gp_part.faulted);
}
