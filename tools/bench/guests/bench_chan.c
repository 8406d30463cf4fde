/*
 * Benchmark guest: one-way channel doorbell, notify to wake, between two partitions on two harts
 * (bootargs role=tx, the driver of channel "bell", or role=rx, its device). rx loops in
 * goos_idle(GOOS_NO_DEADLINE); tx sleeps SETTLE_TICKS (so rx is back in its idle's WFI), reads
 * time and instret, calls goos_chan_notify and idles; rx reads instret and time as its first act
 * after idle returns, stores them in the window with the sample's number, takes its pending set
 * and rings tx back. tx prints
 *   BENCH chan.notify_wake <median> ticks min=... max=... n=...
 *   BENCH chan.notify_wake.instr <median> instr ...
 * then "BENCH done" and exits 0; rx exits 0 when it finds tx down. bootargs: iters=N.
 */
#include "bench.h"

#define SETTLE_TICKS 100
/* The pool's words: the sample tx rings for, rx's stamps, and the sample rx answers. */
#define W_SEQ  0
#define W_TIME 1
#define W_INST 2
#define W_ACK  3

static uint64_t samples[BENCH_MAX_SAMPLES];
static uint64_t samples_i[BENCH_MAX_SAMPLES];

static volatile uint64_t *pool(const struct goos_chan *c)
{
	return (volatile uint64_t *)(c->base + goos_chan_read64(c, GOOS_CHAN_H_POOL));
}

static struct goos_chan open_bell(bool driver)
{
	struct goos_chan c;

	if (goos_chan_find("bell", &c) || c.driver != driver) {
		printf("BENCH FAIL no channel bell as %s\n", driver ? "driver" : "device");
		goos_exit(1);
	}
	return c;
}

static void take(void)
{
	uint64_t set;

	goos_chan_pending(&set);
}

static int rx(void)
{
	struct goos_chan c = open_bell(false);
	volatile uint64_t *w = pool(&c);

	for (;;) {
		long ev = goos_idle(GOOS_NO_DEADLINE);
		uint64_t ti = bench_instret();
		uint64_t t = goos_now();

		if (!(ev & GOOS_EV_VIRTQ))
			continue;
		take();
		if (goos_chan_read32(&c, GOOS_CHAN_H_DRIVER_STATE) != GOOS_CHAN_UP &&
		    goos_chan_read32(&c, GOOS_CHAN_H_DRIVER_GEN))
			return 0;
		uint64_t seq = w[W_SEQ];
		if (!seq || seq == w[W_ACK])
			continue;
		w[W_TIME] = t;
		w[W_INST] = ti;
		__sync_synchronize();
		w[W_ACK] = seq;
		goos_chan_notify(c.id);
	}
}

static int tx(void)
{
	struct goos_chan c = open_bell(true);
	volatile uint64_t *w = pool(&c);
	unsigned n = bench_iters(100);

	while (goos_chan_read32(&c, GOOS_CHAN_H_DEVICE_STATE) != GOOS_CHAN_UP)
		if (goos_idle(GOOS_NO_DEADLINE) & GOOS_EV_VIRTQ)
			take();
	for (unsigned i = 0; i < BENCH_WARMUP + n; i++) {
		uint64_t seq = i + 1;

		goos_sleep_until(goos_now() + SETTLE_TICKS);
		w[W_SEQ] = seq;
		__sync_synchronize();
		uint64_t t0 = goos_now();
		uint64_t i0 = bench_instret();

		long r = goos_chan_notify(c.id);
		if (r) {
			printf("BENCH FAIL notify %ld\n", r);
			return 1;
		}
		while (w[W_ACK] != seq)
			if (goos_idle(GOOS_NO_DEADLINE) & GOOS_EV_VIRTQ)
				take();
		take();
		if (i >= BENCH_WARMUP) {
			samples[i - BENCH_WARMUP] = w[W_TIME] - t0;
			samples_i[i - BENCH_WARMUP] = w[W_INST] - i0;
		}
	}
	bench_report("chan.notify_wake", "ticks", samples, n);
	bench_report("chan.notify_wake.instr", "instr", samples_i, n);
	printf("BENCH done\n");
	return 0;
}

int main(void)
{
	const char *role = goos_bootarg("role");

	if (role && !strncmp(role, "tx", 2))
		return tx();
	if (role && !strncmp(role, "rx", 2))
		return rx();
	printf("BENCH FAIL role=tx or role=rx\n");
	return 1;
}
