/* Boot: what the boot CPU does once, then what every CPU does forever. */
#include <fmt.h>
#include <libfdt.h>
#include <string.h>

#include "hv.h"

extern char __hv_start[], __pkg_start[];

#ifdef GOHV_BENCH
/* Bench build only: the time counter at the hv's first instruction (written by the port's boot
 * code). */
unsigned long gohv_bench_entry_tick;
#endif

/* ctx is the machine's console once its driver has set it up; until then (or without one) the
 * firmware's console serves. */
static void console_sink(void *ctx, const char *s, size_t n)
{
	struct console_dev *dev = ctx;

	if (dev) {
		dev->ops->write(&dev->state, s, n);
		return;
	}
	while (n--)
		arch_console_putc(*s++);
}

static const struct gohv_pkg_header *find_package(void)
{
	const struct gohv_pkg_header *h = (const void *)__pkg_start;
	uint64_t room = hv.plat.ram.base + hv.plat.ram.size - arch_va_to_pa(__pkg_start);
	char err[120];

	if (package_check(h, room, err, sizeof(err)))
		hv_panic("%s", err);
	return h;
}

static void memory_init(void)
{
	const struct mem_range *ram = &hv.plat.ram;
	size_t npages = ram->size / PAGE_SIZE;
	/* The page bitmap sits in the RAM it describes, after the package: sized by the machine,
	 * not by the largest machine the hv could meet, and no part of the bss boot.S clears. The
	 * package's own bitmap follows it, sized by the package. */
	uint64_t bitmap = (arch_va_to_pa(__pkg_start) + hv.pkg->size + 7) & ~7UL,
		 checked = bitmap + (npages + 63) / 64 * 8,
		 bitmap_end = checked + PACKAGE_CHECKED_WORDS(hv.pkg->size) * 8;

	if (bitmap_end > ram->base + ram->size)
		hv_panic("memory: no room after the package for the page bitmaps (%lu bytes)",
			 (unsigned long)(bitmap_end - bitmap));
	page_alloc_init(&hv.pages, ram->base, npages, arch_pa_to_va(bitmap));
	/* Then which of the package's chunks were found intact: none yet. */
	hv.pkg_checked.pkg = hv.pkg;
	hv.pkg_checked.bits = arch_pa_to_va(checked);
	memset(hv.pkg_checked.bits, 0, PACKAGE_CHECKED_WORDS(hv.pkg->size) * 8);
	/* Firmware below us, the hv, the package and the bitmap after it. Not the machine's device
	 * tree: platform_parse took all the hv needs from it, and where the firmware puts it can
	 * cut RAM in two (QEMU's virt puts it just below 3 GiB, so with more than 1 GiB of RAM no
	 * 1 GiB partition would fit either side). Its pages go to partitions like any others. */
	page_alloc_reserve(&hv.pages, ram->base, bitmap_end - ram->base);
	hv.plat.fdt = NULL;
	hv.plat.fdt_size = 0;
	for (unsigned i = 0; i < hv.plat.nreserved; i++)
		page_alloc_reserve(&hv.pages, hv.plat.reserved[i].base, hv.plat.reserved[i].size);
	hv_log("memory: 0x%lx-0x%lx, %lu MiB free for partitions", (unsigned long)ram->base,
	       (unsigned long)(ram->base + ram->size), (unsigned long)(hv.pages.nfree >> 8));
}

/* The root DRBG takes everything available; a seed never comes from a constant alone. */
static void entropy_init(void)
{
	uint8_t buf[64];
	size_t n = arch_hw_entropy(buf, sizeof(buf));

	if (hv.plat.rng_seed_len)
		drbg_seed(&hv.root_rng, hv.plat.rng_seed, hv.plat.rng_seed_len);
	if (n)
		drbg_seed(&hv.root_rng, buf, n);
	if (!hv.plat.rng_seed_len && !n)
		hv_log(
		    "WARNING: no entropy source (no rng-seed, no Zkr): seeding from timing only");
	uint64_t t = arch_time_now();
	drbg_seed(&hv.root_rng, &t, sizeof(t));
	memset(buf, 0, sizeof(buf));
	hv_log("entropy: %s%stimer", hv.plat.rng_seed_len ? "fdt-rng-seed + " : "",
	       n ? "cpu entropy + " : "");
}

/* The wall clock as an offset from arch_time_now(), the clock every partition reads without an
 * exit: a guest then gets the date without a device of its own, and all partitions agree on it. */
static void realtime_init(void)
{
	struct rtc_dev *dev = &hv.plat.rtc;
	uint64_t hz = hv.plat.timebase_hz, t, rtc;

	if (!dev->ops || !hz)
		return;
	rtc = dev->ops->read_ns(&dev->state);
	t = arch_time_now();
	if (!rtc)
		return;
	/* Split so ticks * 1e9 cannot overflow however long the machine has been up. */
	uint64_t t_ns = t / hz * 1000000000UL + t % hz * 1000000000UL / hz;
	hv.realtime_offset_ns = (int64_t)(rtc - t_ns);
	hv.has_realtime = true;
}

static void describe(const struct partition *p)
{
	char cpus[48] = "";
	size_t len = 0;

	for (unsigned i = 0; i < p->nvcpus && len < sizeof(cpus); i++)
		len += snprintf(cpus + len, sizeof(cpus) - len, "%s%u", i ? "," : "",
				p->vcpus[i].cpu->index);
	char initrd[CONFIG_IMAGE_MAX + 40] = "";

	if (p->initrd)
		snprintf(initrd, sizeof(initrd), ", initrd %s (%lu KiB)", p->cfg->initrd,
			 (unsigned long)((p->initrd_size + 1023) >> 10));
	char watchdog[32] = "";

	if (p->cfg->watchdog_ms)
		snprintf(watchdog, sizeof(watchdog), ", watchdog %u ms",
			 (unsigned)p->cfg->watchdog_ms);
	hv_log("partition %s: %u vcpu(s) on cpu %s%s, %lu MiB at 0x%lx, image %s%s, restart %s%s",
	       p->cfg->name, p->nvcpus, cpus, p->cfg->shared ? " (shared)" : "",
	       (unsigned long)(p->ram_size >> 20), (unsigned long)arch_va_to_pa(p->ram),
	       p->cfg->image, initrd, restart_policy_name(p->cfg->restart), watchdog);
}

/* Boot-time memory for the hv's own tables, from the pages partitions are also made of. */
static void *boot_alloc(void *ctx, size_t size)
{
	uint64_t pa = page_alloc(&hv.pages, (size + PAGE_SIZE - 1) / PAGE_SIZE, PAGE_SIZE);

	return pa ? arch_pa_to_va(pa) : NULL;
}

static void partitions_init(void)
{
	const struct gohv_pkg_header *pkg = hv.pkg;
	struct config_error cerr;

	if (config_parse((const uint8_t *)pkg + pkg->config_offset, pkg->config_size, boot_alloc,
			 NULL, &hv.config, &cerr)) {
		hv_log(CONSOLE_CONFIG_REFUSED_FMT, cerr.msg);
		arch_system_off(true);
	}
	if (hv.config.legacy)
		hv_log("board config is in the old format (%s): say cpus for %s",
		       CONFIG_COMPATIBLE_V1, CONFIG_V1_CPUS);
	/* As many partitions and vCPUs as the board has, in one allocation: their cost is memory,
	 * not a table size. */
	_Static_assert(sizeof(struct partition) % _Alignof(struct vcpu) == 0,
		       "the vCPUs follow the partitions in one allocation");
	size_t nvcpus = 0;
	for (unsigned i = 0; i < hv.config.npartitions; i++)
		nvcpus += hv.config.partitions[i].ncpus;
	hv.partitions = boot_alloc(NULL, hv.config.npartitions * sizeof(struct partition) +
					     nvcpus * sizeof(struct vcpu));
	if (!hv.partitions) {
		hv_log("no memory for %u partitions", hv.config.npartitions);
		arch_system_off(true);
	}
	hv.npartitions = hv.config.npartitions;
	/* Before the partitions: each binds its devices as it is created. */
	if (hv.config.ndevices &&
	    !(hv.devices = boot_alloc(NULL, hv.config.ndevices * sizeof(struct passthru)))) {
		hv_log("no memory for %u devices", hv.config.ndevices);
		arch_system_off(true);
	}
	/* Unbound until their owner's creation binds them: no slot, no owner. */
	memset(hv.devices, 0, hv.config.ndevices * sizeof(struct passthru));
	hv.ndevices = hv.config.ndevices;
	struct vcpu *vcpus = (struct vcpu *)(hv.partitions + hv.npartitions);
	for (unsigned i = 0; i < hv.npartitions; i++) {
		struct partition *p = &hv.partitions[i];
		const struct partition_config *cfg = &hv.config.partitions[i];

		if (partition_create(p, i, cfg, vcpus) == 0) {
			describe(p);
			hv.live++;
		}
		vcpus += cfg->ncpus;
	}
	if (!hv.live) {
		hv_log(CONSOLE_NONE_CAN_RUN);
		arch_system_off(true);
	}
}

/* After the partitions: a channel needs both ends built. */
static void channels_init(void)
{
	if (!hv.config.nchannels)
		return;
	hv.channels = boot_alloc(NULL, hv.config.nchannels * sizeof(struct channel));
	if (!hv.channels) {
		/* Nothing of any channel is mapped yet: the partitions run without them. */
		hv_log("no memory for %u channels; the partitions run without them",
		       hv.config.nchannels);
		return;
	}
	hv.nchannels = hv.config.nchannels;
	channels_create();
}

struct cpu *hv_cpu_of(unsigned long hwid)
{
	for (unsigned i = 0; i < hv.ncpus; i++)
		if (hv.cpus[i].hwid == hwid)
			return &hv.cpus[i];
	return NULL;
}

/* CPUs get their logical index (what board configs name) in the order the machine lists them;
 * the port's own id for each stays beside it. */
static void cpus_init(void)
{
	for (unsigned i = 0; i < hv.plat.ncpus; i++) {
		hv.cpus[i].index = i;
		hv.cpus[i].hwid = hv.plat.cpus[i].hwid;
	}
	hv.ncpus = hv.plat.ncpus;
}

/* A CPU the firmware started gets this long to reach the hv before boot goes on without it. */
#define CPU_ONLINE_TIMEOUT_MS 1000

/* Every CPU comes up in the hv before any partition starts: a guest that never halts could
 * otherwise keep the firmware from bringing up the CPUs after it (under -icount all CPUs share
 * one host thread). One without a vCPU then sleeps in WFI until there is work for it. The boot
 * CPU waits in WFI too; each CPU kicks it once online. */
static void cpus_start(struct cpu *boot)
{
	bool started[CONFIG_MAX_CPUS] = {false};
	uint64_t deadline = arch_time_now() + hv.plat.timebase_hz * CPU_ONLINE_TIMEOUT_MS / 1000;

	for (unsigned i = 0; i < hv.ncpus; i++) {
		if (&hv.cpus[i] == boot)
			continue;
		int err = arch_cpu_start(&hv.cpus[i]);
		if (err)
			hv_log("cpu %u did not start (error %d)", i, err);
		started[i] = !err;
	}
	for (;;) {
		/* Cleared before looking: a CPU that comes online after the look kicks again. */
		arch_kick_clear();
		unsigned waiting = 0;
		for (unsigned i = 0; i < hv.ncpus; i++)
			waiting +=
			    started[i] && !__atomic_load_n(&hv.cpus[i].online, __ATOMIC_SEQ_CST);
		if (!waiting)
			break;
		if (arch_time_now() >= deadline) {
			for (unsigned i = 0; i < hv.ncpus; i++)
				if (started[i] && !hv.cpus[i].online)
					hv_log("cpu %u did not come online; booting without it", i);
			break;
		}
		arch_hv_timer_set(deadline);
		arch_wait_for_interrupt();
	}
	arch_hv_timer_set(~0UL);
}

void hv_main(unsigned long hwid, const void *fdt)
{
	char buf[160];

	console_init(&hv.console, console_sink, NULL);
	if (platform_parse(fdt, &hv.plat, buf, sizeof(buf)))
		hv_panic("%s", buf);
	if (hv.plat.console.ops) {
		hv.plat.console.ops->init(&hv.plat.console.state);
		/* Only this CPU runs yet, so the console's lock is free to be reset. */
		console_init(&hv.console, console_sink, &hv.plat.console);
	}
	cpus_init();
	struct cpu *cpu = hv_cpu_of(hwid);
	if (!cpu)
		hv_panic("the boot cpu (id %lu) is not among the machine's cpus", hwid);
	hv.boot_cpu = cpu;
	arch_cpu_enter(cpu);
	arch_cpu_init(cpu, &hv.plat.cpus[cpu->index].arch);
	cpu->online = 1;
	hv_log("gohv %s (%s) booting on cpu %u: %s", GOHV_VERSION, ARCH_NAME, cpu->index,
	       hv.plat.model);
#ifdef GOHV_BENCH
	hv_log("bench: hv entered at tick %lu", gohv_bench_entry_tick);
#endif
	arch_describe_features(&cpu->arch.features, buf, sizeof(buf));
	hv_log("cpus: %u, timebase %lu Hz, features: %s", hv.plat.ncpus,
	       (unsigned long)hv.plat.timebase_hz, buf);
	hv.pkg = find_package();
	memory_init();
	if (hv.plat.intc.ops)
		hv.plat.intc.ops->init(&hv.plat.intc.state);
	entropy_init();
	realtime_init();
	partitions_init();
	channels_init();
	hv_log(CONSOLE_FREE_FMT, (unsigned long)hv.pages.nfree);

	cpus_start(cpu);
	for (unsigned i = 0; i < hv.npartitions; i++)
		if (hv.partitions[i].state == PART_STOPPED)
			partition_start(&hv.partitions[i]);
	passthru_cpu_up(cpu);
	vcpu_run_loop(cpu);
}

void hv_secondary_main(struct cpu *cpu)
{
	char a[96], b[96];

	arch_cpu_init(cpu, &hv.plat.cpus[cpu->index].arch);
	__atomic_store_n(&cpu->online, 1, __ATOMIC_SEQ_CST);
	/* The boot CPU waits for every CPU before it starts any partition. */
	cpu_kick(hv.boot_cpu);
	/* Partitions were laid out with the boot CPU's view of the ISA. */
	arch_describe_features(&cpu->arch.features, a, sizeof(a));
	arch_describe_features(&hv.boot_cpu->arch.features, b, sizeof(b));
	if (strcmp(a, b))
		hv_log("cpu %u differs from the boot cpu: %s", cpu->index, a);
	passthru_cpu_up(cpu);
	vcpu_run_loop(cpu);
}
