/* The run loop's promises under hostile timing: boot, starts, restarts and their backoff. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>

#include "harness.h"

/* The number after key in the first line containing line_has. */
static long field(const struct run *r, const char *line_has, const char *key)
{
	char buf[256];
	const char *l = run_line(r, line_has, buf, sizeof(buf));
	const char *k = l ? strstr(l, key) : NULL;

	if (!k)
		run_dump(r, key);
	cr_assert_not_null(k, "no \"%s\" in a line with \"%s\"", key, line_has);
	return strtol(k + strlen(key), NULL, 10);
}

/* Under QEMU 7.2's -icount round robin, a CPU whose guest never traps and never takes an
 * interrupt starved the next CPU of every instruction, at boot or later: the heartbeat on the CPU
 * after the spinner's never printed. The hv's run tick gives the spinner's CPU an interrupt. */
Test(boot, a_partition_spinning_from_its_first_instruction_starves_no_other_cpu, .timeout = 120)
{
	static const char *const until[] = {"partition beat exited with code 0\n", NULL};
	struct boot_opts o = {.until = until, .timeout_s = 30};
	struct run r;

	boot_board("it-bootspin", &o, &r);
	if (r.timed_out)
		run_dump(&r, "no heartbeat");
	cr_assert(!r.timed_out, "the partition on the CPU after the spinner's never finished");
	long late = field(&r, "[beat] BEAT n=20 ", "max_late=");
	/* 10 ms beats; the round robin still delays them by a few of the hv's ticks. */
	cr_assert_leq(late, 1000000, "heartbeat %ld ticks late beside a spinner", late);
	run_free(&r);
}

/* A guest hammering starts of a vCPU that stops itself at once: each start is counted once, so
 * the partition still finishes stopping (its exit line, then the power-off) when it exits. On
 * real parallel CPUs: under -icount the CPUs take turns in long stretches and the windows between
 * two steps of a start are almost never hit (the model test in tests/unit/test_vcpu_start.c hits
 * each one on purpose). */
Test(starts, a_vcpu_started_thousands_of_times_is_counted_once_each_time, .timeout = 120)
{
	struct boot_opts o = {.timeout_s = 60, .real_time = true};
	struct run r;

	boot_board("it-starts", &o, &r);
	if (r.timed_out)
		run_dump(&r, "no power-off");
	cr_assert(!r.timed_out, "the partition never finished stopping");
	assert_has(&r, "[starts] STARTS n=20000 runs=20000 ");
	assert_has(&r, "gohv: partition starts exited with code 7\n");
	assert_has(&r, "gohv: all partitions stopped; powering off");
	run_free(&r);
}

static double cpu_seconds_of_children(void)
{
	struct rusage u;

	cr_assert_eq(getrusage(RUSAGE_CHILDREN, &u), 0);
	return u.ru_utime.tv_sec + u.ru_stime.tv_sec +
	       (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* A crash loop waits out its backoff asleep: the dead run's timer, due and enabled, must not keep
 * its CPU awake. In real time a CPU that keeps waking burns a host core, so QEMU's CPU time over
 * 1.27 s of backoffs (10 + 20 + ... + 640 ms) must stay well below that: 0.12 s when it sleeps,
 * 0.80 s when the timer was left armed. (Under -icount a heartbeat on another CPU did not show
 * the busy wait on this tree.) */
Test(restart, the_backoff_burns_no_host_cpu, .timeout = 120)
{
	static const char *const until[] = {
	    "partition crasher restarting (policy on-failure, restart 9) in 1280 ms", NULL};
	struct boot_opts o = {.until = until, .timeout_s = 60, .real_time = true};
	struct run r;
	double before = cpu_seconds_of_children();

	boot_board("it-backoff", &o, &r);
	double cpu = cpu_seconds_of_children() - before;
	cr_assert(!r.timed_out, "the crash loop never reached its ninth restart");
	test_figure("QEMU took %.2f CPU-seconds over 1.27 s of backoff", cpu);
	cr_assert_lt(cpu, 0.4, "%.2f CPU-seconds over 1.27 s of backoff: it busy-waits", cpu);
	run_free(&r);
}
