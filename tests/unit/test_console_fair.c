/* The console lock under contention, counted rather than timed: three threads, each a CPU of its
 * own, flood the real console with whole lines while a fourth writes one line at a time and
 * counts how many other lines went out between its arrival and its own line. Lines are served in
 * order of arrival and each CPU waits with at most one line, so that count is at most one line
 * per other CPU however the host schedules the threads. A test-and-set lock (the console's lock
 * before issue 8) lets the flood pass the waiter again and again: 10^4 to 10^5 lines in its first
 * round, in 50 of 50 runs on a loaded 2-core host, where the ticket lock's worst was 3.
 *
 * The writers take one lock ("arrivals", standing for a partition's lock) around each call: the
 * console takes a line's place in the queue under the caller's lock, so the waiter's count, read
 * under it too, starts exactly at its arrival, even if the host preempts it right there. That
 * leaves no slack to allow for: the bound is the number of other CPUs. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "arch/host/host.h"
#include "hv/console.h"
#include "hv/cpu.h"

#define SPAMMERS   3
#define ROUNDS	   2000
#define UART_SPINS 10

static struct console con;
static struct cpu cpus[SPAMMERS + 1];
static spinlock_t arrivals;
static unsigned long emitted; /* lines the sink has written */
static unsigned long own_at;  /* emitted when the waiter's line came to the sink */
static int started, done;
static volatile char uart;

/* Called by whoever holds the console's lock; atomics anyway, so a broken lock only miscounts.
 * Like a UART it takes a while per byte, so the lock, not the writers' own work, is what they
 * contend for. */
static void sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	for (size_t i = 0; i < n; i++)
		for (unsigned k = 0; k < UART_SPINS; k++)
			uart = s[i];
	if (n > 2 && s[1] == 'w')
		__atomic_store_n(&own_at, __atomic_load_n(&emitted, __ATOMIC_SEQ_CST),
				 __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&emitted, 1, __ATOMIC_SEQ_CST);
}

static void write_line(const char *tag, struct console_line *line, const char *s)
{
	console_guest_write(&con, &arrivals, tag, line, CONSOLE_STDOUT, s, strlen(s));
}

static void *spam(void *arg)
{
	struct cpu *me = arg;
	struct console_line line = {0};
	char tag[] = {'s', (char)('0' + me->index), '\0'};

	arch_cpu_enter(me);
	__atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&done, __ATOMIC_SEQ_CST)) {
		spin_lock(&arrivals);
		write_line(tag, &line,
			   "the quick brown fox jumps over the lazy dog, again and again\n");
		spin_unlock(&arrivals);
	}
	return NULL;
}

Test(console_fair, a_flood_from_three_cpus_passes_a_waiter_at_most_once_each, .timeout = 60)
{
	pthread_t threads[SPAMMERS];
	struct console_line line = {0};
	unsigned long worst = 0, worst_round = 0, round;

	console_init(&con, sink, NULL);
	for (unsigned i = 0; i <= SPAMMERS; i++) {
		cpus[i].index = i;
		cpus[i].online = 1; /* so that a waiter may sleep and be kicked */
	}
	arch_cpu_enter(&cpus[SPAMMERS]);
	for (unsigned i = 0; i < SPAMMERS; i++)
		cr_assert_eq(pthread_create(&threads[i], NULL, spam, &cpus[i]), 0);
	/* The flood is on before the first round. */
	while (__atomic_load_n(&started, __ATOMIC_SEQ_CST) < SPAMMERS)
		sched_yield();

	for (round = 0; round < ROUNDS && worst <= SPAMMERS; round++) {
		spin_lock(&arrivals);
		unsigned long before = __atomic_load_n(&emitted, __ATOMIC_SEQ_CST);
		write_line("w", &line, "one line among the flood\n");
		spin_unlock(&arrivals);
		unsigned long passed = __atomic_load_n(&own_at, __ATOMIC_SEQ_CST) - before;
		if (passed > worst)
			worst = passed, worst_round = round;
	}
	__atomic_store_n(&done, 1, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < SPAMMERS; i++)
		pthread_join(threads[i], NULL);

	unsigned long flood = emitted - round;
	fprintf(stderr,
		"console_fair: %lu rounds among %lu flood lines, worst %lu passed (%u sleeps, "
		"%u kicks)\n",
		round, flood, worst, host.wfis, host.kicks);
	cr_assert_leq(worst, SPAMMERS, "%lu lines passed the waiter's line in round %lu", worst,
		      worst_round);
}
