/*
 * The run loop (hv/vcpu.c, hv/sched.c, hv/partition.c) serving the SBI the port gives guests
 * (arch/riscv64/vsbi*.c, goos calls through it to hv/hypercall.c), on the host port, for two
 * partitions of several vCPUs over four CPUs. The input says which CPU takes its next turn and
 * what each guest entry does (an ecall with its arguments, a fault, writing its RAM); at the
 * port's calls the core makes mid-turn (host.h: on_port_call, on_wfi) a second stream (the tail
 * of the input, its length set by the first byte) may play another CPU's turn there and then,
 * while the first is paused, as long as no lock is held. Between turns the
 * partitions' books must balance (running = vCPUs not off); ASan fences the RAM arena outside
 * the partitions' RAM.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

#include "arch/host/host.h"
#include "arch/riscv64/riscv.h"
#include "arch/riscv64/sbi.h"
#include <sanitizer/asan_interface.h>

#include "fuzz.h"
#include "fuzz_hv.h"
#include <goos.h>

#define NCPUS	  4
#define NPARTS	  2
#define RAM	  CONFIG_MEM_ALIGN
#define MAX_DEPTH 3 /* a turn, and up to two more played inside it */

/* Two streams, so mutating one does not shift the other: what the guests and CPUs do, and where
 * turns are played inside others. */
static struct fuzz_in in, sched_in;
static unsigned depth, wfi_streak;
static bool busy[NCPUS], forced_irq;
static jmp_buf off_jmp;
static struct partition parts[NPARTS];
static struct vcpu part_vcpus[NPARTS][CONFIG_MAX_VCPUS];
static struct partition_config cfgs[NPARTS];
/* One channel joins the two partitions (p0 drives), so calls ring, take and restart its ends. */
static struct channel_config chan_cfg = {
    .name = "link",
    .end = {0, 1},
    .address = CHAN_AREA_BASE,
    .size = 5 * PAGE_SIZE,
    .queues = 2,
    .queue_size = 8,
};
static struct channel chan;

static const struct layout {
	uint32_t cpus[NPARTS][3];
	unsigned n[NPARTS];
	bool shared[NPARTS];
} layouts[] = {
    /* CPU 2 shared by both, 0, 1 and 3 each alone with one vCPU. */
    {{{0, 1, 2}, {2, 3}}, {3, 2}, {true, true}},
    {{{0, 1}, {2, 3}}, {2, 2}, {false, true}},
    /* Both partitions on every CPU they have. */
    {{{0, 1, 3}, {1, 0, 3}}, {3, 3}, {true, true}},
};

static const unsigned long eids[] = {
    GOOS_EID,
    GOOS_EID,
    SBI_EXT_BASE,
    SBI_EXT_TIME,
    SBI_EXT_IPI,
    SBI_EXT_RFENCE,
    SBI_EXT_HSM,
    SBI_EXT_HSM,
    SBI_EXT_SRST,
    SBI_EXT_DBCN,
    SBI_EXT_LEGACY_SET_TIMER,
    SBI_EXT_LEGACY_PUTCHAR,
    SBI_EXT_LEGACY_GETCHAR,
    SBI_EXT_LEGACY_SHUTDOWN,
    0x03,
    0x04,
    0x05,
    0x06,
    0x07,
};

/* FUZZ_TRACE=1 in the environment: each turn and guest call on stderr (to replay a crash). */
static bool tracing;
#define TRACE(...)                                                                                 \
	do {                                                                                       \
		if (tracing)                                                                       \
			fprintf(stderr, __VA_ARGS__);                                              \
	} while (0)

static void step(unsigned c)
{
	struct cpu *save = host_this_cpu;

	TRACE("%*scpu %u: turn\n", 2 * depth, "", c);
	busy[c] = true;
	depth++;
	host_this_cpu = &hv.cpus[c];
	vcpu_run_once(&hv.cpus[c]);
	host_this_cpu = save;
	depth--;
	busy[c] = false;
}

/* Another CPU's turn, here and now, if the input asks for one and it may be played. */
static void maybe_interleave(unsigned ratio)
{
	if (depth == 0 || depth >= MAX_DEPTH || !sched_in.n || fuzz_hv_locked())
		return;
	uint8_t b = fuzz_u8(&sched_in);
	unsigned c = b % NCPUS;

	if (b < ratio && !busy[c])
		step(c);
}

static void on_port_call(void)
{
	maybe_interleave(0x20);
}

static void on_wfi(void)
{
	maybe_interleave(0x80);
	/* A wait with nothing left to end it (no input, or a far deadline) ends on an interrupt. */
	if (++wfi_streak > 32 || !in.n) {
		host.irq_pending = true;
		forced_irq = true;
	}
}

static unsigned long arg(void)
{
	switch (fuzz_u8(&in) % 8) {
	case 0:
		return fuzz_u8(&in);
	case 1:
		return GUEST_RAM_BASE + fuzz_u32(&in) % (RAM + 0x2000);
	case 2:
		return fuzz_u64(&in);
	case 3:
		return fuzz_u8(&in) % 10;
	case 4:
		return ~0UL - fuzz_u8(&in);
	case 5:
		return host.now + fuzz_u16(&in) * 100UL;
	case 6:
		return GOOS_NO_DEADLINE;
	default:
		return GUEST_RAM_BASE + RAM - fuzz_u16(&in);
	}
}

static enum vcpu_exit ecall(struct vcpu *v, unsigned long eid, unsigned long fid)
{
	unsigned long *x = v->arch.regs.x;

	for (unsigned i = 0; i < 6; i++)
		x[REG_A0 + i] = arg();
	x[REG_A6] = fid;
	x[REG_A7] = eid;
	v->arch.regs.sepc += 4; /* as the port's trap path does before it dispatches */
	TRACE("%*s%s/%u: ecall 0x%lx/%lu (0x%lx, 0x%lx, 0x%lx, 0x%lx)\n", 2 * depth, "",
	      v->part->cfg->name, v->id, eid, fid, x[REG_A0], x[REG_A1], x[REG_A2], x[REG_A3]);
	enum vcpu_exit e = riscv_vsbi_handle(v);
	TRACE("%*s  -> %ld 0x%lx, exit %d\n", 2 * depth, "", (long)x[REG_A0], x[REG_A1], e);
	return e;
}

/* What the guest does on this entry. */
static enum vcpu_exit guest(struct vcpu *v)
{
	struct partition *p = v->part;

	FUZZ_CHECK(v->cpu == this_cpu(), "%s/%u entered on cpu %u, its home is %u", p->cfg->name,
		   v->id, this_cpu()->index, v->cpu->index);
	FUZZ_CHECK(v->state == VCPU_RUNNING &&
		       (p->state == PART_RUNNING || p->state == PART_STOPPING),
		   "%s/%u entered in vcpu state %d, partition state %d", p->cfg->name, v->id,
		   v->state, p->state);
	wfi_streak = 0;
	if (!in.n)
		return EXIT_YIELD;
	uint8_t op = fuzz_u8(&in);
	switch (op % 8) {
	case 0:
	case 1:
	case 2:
		return ecall(v, GOOS_EID, fuzz_u8(&in) % 13);
	case 3:
	case 4: {
		uint8_t e = fuzz_u8(&in);
		unsigned long eid =
		    e == 0xff ? fuzz_u32(&in) : eids[e % (sizeof(eids) / sizeof(eids[0]))];
		return ecall(v, eid, fuzz_u8(&in) % 8);
	}
	case 5:
		return vcpu_fault(v, "fuzz fault", v->arch.regs.sepc, arg());
	case 6: {
		uint64_t gpa = arg();
		size_t len = fuzz_u8(&in);
		uint8_t *dst = guest_ram_touch(p, gpa, len);

		if (dst && len <= in.n) {
			memcpy(dst, in.p, len);
			in.p += len;
			in.n -= len;
		}
		return EXIT_RESUME;
	}
	default:
		return EXIT_YIELD;
	}
}

static void powered_off(bool failure)
{
	FUZZ_CHECK(!failure, "the hv panicked");
	longjmp(off_jmp, 1);
}

/* Between turns, with no turn in progress. */
static void check_books(void)
{
	unsigned live = 0;

	for (unsigned i = 0; i < NPARTS; i++) {
		const struct partition *p = &parts[i];
		unsigned on = 0;

		for (unsigned j = 0; j < p->nvcpus; j++)
			on += p->vcpus[j].state != VCPU_OFF;
		FUZZ_CHECK(p->running == on, "%s: running %u, vCPUs not off %u (state %d)",
			   p->cfg->name, p->running, on, p->state);
		FUZZ_CHECK(p->state != PART_STOPPED || on == 0, "%s stopped with %u vCPUs on",
			   p->cfg->name, on);
		live += p->state != PART_STOPPED || p->restart_pending || p->scrubbed < p->ram_size;
	}
	FUZZ_CHECK(hv.live >= live && hv.live <= NPARTS, "live %u, partitions alive %u", hv.live,
		   live);
	/* The header says what the hv knows: a running end is up, a stopped one down; nothing
	 * but the channel rings. */
	for (unsigned i = 0; i < NPARTS; i++) {
		const struct partition *p = &parts[i];
		uint32_t state;

		memcpy(&state,
		       chan.window + (i ? GOOS_CHAN_H_DEVICE_STATE : GOOS_CHAN_H_DRIVER_STATE), 4);
		FUZZ_CHECK(
		    p->state == PART_RUNNING ? state == GOOS_CHAN_UP : state == GOOS_CHAN_DOWN,
		    "%s: partition state %d, channel state %u", p->cfg->name, p->state, state);
		FUZZ_CHECK((p->chan_pending & ~1UL) == 0, "%s: pending 0x%lx", p->cfg->name,
			   (unsigned long)p->chan_pending);
	}
}

static const struct gohv_pkg_header *package(void)
{
	static struct {
		struct gohv_pkg_header h;
		uint8_t image[256] __attribute__((aligned(GOHV_PKG_ENTRY_ALIGN)));
		uint64_t sums[1];
	} pkg __attribute__((aligned(4096)));
	size_t n;
	const uint8_t *elf = fuzz_tiny_elf(&n);

	if (pkg.h.magic)
		return &pkg.h;
	pkg.h.magic = GOHV_PKG_MAGIC;
	pkg.h.version = GOHV_PKG_VERSION;
	pkg.h.size = sizeof(pkg);
	pkg.h.nimages = 1;
	strcpy(pkg.h.images[0].name, "fuzz.elf");
	pkg.h.images[0].offset = offsetof(__typeof__(pkg), image);
	pkg.h.images[0].size = n;
	memcpy(pkg.image, elf, n);
	/* The sums right after the entry's bytes: n rounded up to 8 lands inside image. */
	pkg.h.images[0].checksum =
	    gohv_pkg_sums(pkg.image, n, (uint64_t *)(void *)(pkg.image + ((n + 7) & ~7UL)));
	return &pkg.h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t split = size ? size - size * data[0] / 256 : 0;

	tracing = getenv("FUZZ_TRACE");
	in = (struct fuzz_in){data, split};
	sched_in = (struct fuzz_in){data + split, size - split};
	depth = 0;
	memset(busy, 0, sizeof(busy));
	/* Two partitions, a guard after each, the stage-2 tables. */
	fuzz_hv_reset(NCPUS, 5 * CONFIG_MEM_ALIGN);
	host.wfi_step = 1000;
	host.on_run = guest;
	host.on_port_call = on_port_call;
	host.on_wfi = on_wfi;
	host.on_system_off = powered_off;
	hv.pkg = package();
	static uint64_t checked[PACKAGE_CHECKED_WORDS(sizeof(struct gohv_pkg_header) + 2 * 4096)];
	memset(checked, 0, sizeof(checked));
	hv.pkg_checked = (struct package_checked){.pkg = hv.pkg, .bits = checked};

	const struct layout *l = &layouts[fuzz_u8(&in) % (sizeof(layouts) / sizeof(layouts[0]))];
	uint8_t policy = fuzz_u8(&in);
	for (unsigned i = 0; i < NPARTS; i++) {
		struct partition_config *c = &cfgs[i];

		memset(c, 0, sizeof(*c));
		snprintf(c->name, sizeof(c->name), "p%u", i);
		memcpy(c->cpus, l->cpus[i], sizeof(l->cpus[i]));
		c->ncpus = l->n[i];
		c->shared = l->shared[i];
		c->weight = 1 + i;
		c->memory_size = RAM;
		strcpy(c->image, "fuzz.elf");
		c->restart = (policy >> (2 * i)) % 3;
		c->backoff_min_ms = CONFIG_BACKOFF_MIN_MS_DEFAULT;
		c->backoff_max_ms = CONFIG_BACKOFF_MAX_MS_DEFAULT;
	}
	hv.partitions = parts;
	hv.npartitions = NPARTS;
	for (unsigned i = 0; i < NPARTS; i++) {
		FUZZ_CHECK(partition_create(&parts[i], i, &cfgs[i], part_vcpus[i]) == 0,
			   "create p%u", i);
		fuzz_hv_guard();
		hv.live++;
	}
	hv.config.channels = &chan_cfg;
	hv.config.nchannels = hv.nchannels = 1;
	hv.channels = &chan;
	channels_create();
	FUZZ_CHECK(chan.up, "the channel was not built");
	fuzz_hv_fence();
	/* The window is the hv's, and both partitions reach it. */
	ASAN_UNPOISON_MEMORY_REGION(chan.window, chan_cfg.size);
	for (unsigned i = 0; i < NPARTS; i++)
		partition_start(&parts[i]);

	if (setjmp(off_jmp)) {
		FUZZ_CHECK(hv.live == 0, "powered off with %u live", hv.live);
		return 0;
	}
	while (in.n) {
		uint8_t op = fuzz_u8(&in);

		wfi_streak = 0;
		switch (op % 8) {
		case 5:
			host.now += 1UL << (fuzz_u8(&in) % 28);
			break;
		case 6:
			host.irq_pending = !host.irq_pending;
			break;
		case 7:
			for (unsigned c = 0; c < NCPUS; c++)
				step(c);
			break;
		default:
			step((op >> 3) % NCPUS);
			break;
		}
		if (forced_irq) {
			host.irq_pending = false;
			forced_irq = false;
		}
		check_books();
	}
	return 0;
}
