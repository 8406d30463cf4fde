/*
 * Benchmark guest: the cost of a notify to a passed-through virtio device (docs/passthrough.md),
 * a QEMU virtio-rng behind the hv's shadow queue. Prints
 *   passthru.notify.empty  the owner's store to QueueNotify with nothing new, to its next
 *                          instruction: the trap, the decode, the emulated register, back
 *                          (rdinstret; sw; rdinstret in one asm block, minus two back-to-back
 *                          reads)
 * then "BENCH done". Each sample first posts one new one-descriptor chain with a store of its own,
 * which the bench hv times inside (passthru.post.1): the
 * device completes that chain at a moment QEMU picks, and its interrupt would land in the
 * window of a guest measurement. The driver asks for no interrupts
 * (VIRTQ_AVAIL_F_NO_INTERRUPT) and polls for the used entry before the empty notify it times.
 * bootargs: iters=N.
 */
#include "bench.h"

static struct goos_vq q;
static struct goos_virtio dev;
static uint8_t buf[16];
static uint64_t samples[BENCH_MAX_SAMPLES];

static uint64_t timed_notify(void)
{
	volatile uint32_t *reg = (volatile uint32_t *)(dev.regs + VIRTIO_MMIO_QUEUE_NOTIFY);
	uint64_t t0, t1;

	__asm__ volatile("rdinstret %0\n\t"
			 ".option push\n\t"
			 ".option norvc\n\t"
			 "sw zero, 0(%2)\n\t"
			 ".option pop\n\t"
			 "rdinstret %1"
			 : "=&r"(t0), "=&r"(t1)
			 : "r"(reg)
			 : "memory");
	return t1 - t0;
}

static uint64_t read_overhead(void)
{
	uint64_t t0, t1;

	__asm__ volatile("rdinstret %0\n\trdinstret %1" : "=&r"(t0), "=&r"(t1));
	return t1 - t0;
}

int main(void)
{
	unsigned n = bench_iters(100);
	uint64_t overhead = read_overhead();

	if (goos_virtio_find("rng0", &dev) != GOOS_OK ||
	    goos_virtio_start(&dev, VIRTIO_ID_RNG, 0, &q, 1) != GOOS_OK) {
		printf("BENCH FAIL no entropy device\n");
		return 1;
	}
	q.avail.flags = 1; /* VIRTQ_AVAIL_F_NO_INTERRUPT */
	for (unsigned i = 0; i < BENCH_WARMUP + n; i++) {
		q.desc[0] = (struct virtq_desc){(uintptr_t)buf, sizeof(buf), VIRTQ_DESC_F_WRITE, 0};
		q.avail.ring[q.avail.idx % GOOS_VQ_SIZE] = 0;
		__asm__ volatile("fence rw,rw" ::: "memory");
		q.avail.idx++;
		__asm__ volatile("fence rw,rw" ::: "memory");
		timed_notify();
		/* The chain's completion first: QEMU picks its moment by the host's timing, and its
		 * interrupt inside the window below made the figure move with the host's load. */
		uint64_t deadline = goos_now() + goos_ticks_from_ms(1000);
		while (*(volatile uint16_t *)&q.used.idx == q.used_seen)
			if (goos_now() > deadline) {
				printf("BENCH FAIL no used entry\n");
				return 1;
			}
		q.used_seen++;
		uint64_t empty = timed_notify() - overhead;
		if (i >= BENCH_WARMUP)
			samples[i - BENCH_WARMUP] = empty;
	}
	bench_report("passthru.notify.empty", "instr", samples, n);
	printf("BENCH done\n");
	return 0;
}
