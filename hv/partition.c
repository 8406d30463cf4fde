/* Partition lifecycle: create at boot, (re)start, exit, stop and restart per policy. */
#include "partition.h"

#include <fmt.h>
#include <goos.h>
#include <string.h>

#include "guest_fdt.h"
#include "info_page.h"
#include "hv.h"
#include "watchdog.h"

#define refuse(p, ...)                                                                             \
	({                                                                                         \
		char __why[200];                                                                   \
		snprintf(__why, sizeof(__why), __VA_ARGS__);                                       \
		hv_log(CONSOLE_REFUSED_FMT, (p)->cfg->name, __why);                                \
		(p)->state = PART_REFUSED;                                                         \
		-1;                                                                                \
	})

#ifdef GOHV_BENCH
/* Bench build only: bytes of stage-2 tables allocated, for the per-partition footprint. */
static unsigned long bench_table_bytes;
#endif

static void *table_alloc(void *ctx, size_t size, size_t align)
{
	uint64_t pa = page_alloc(&hv.pages, size / PAGE_SIZE, align);

	if (!pa)
		return NULL;
	memset(arch_pa_to_va(pa), 0, size);
#ifdef GOHV_BENCH
	bench_table_bytes += size;
#endif
	return arch_pa_to_va(pa);
}

static const struct gohv_pkg_image *find_image(const char *name)
{
	for (unsigned i = 0; i < hv.pkg->nimages; i++)
		if (!strncmp(hv.pkg->images[i].name, name, GOHV_PKG_NAME_MAX))
			return &hv.pkg->images[i];
	return NULL;
}

/* The config parser checked the CPUs against the board; this checks them against the machine, and
 * that an exclusive partition's CPUs run nothing else (a shared one's run only shared ones). */
static int check_cpus(struct partition *p)
{
	const struct partition_config *cfg = p->cfg;

	for (unsigned i = 0; i < cfg->ncpus; i++) {
		uint32_t c = cfg->cpus[i];

		if (c >= hv.ncpus || !platform_has_cpu(&hv.plat, hv.cpus[c].hwid))
			return refuse(p, "cpu %u is not on this machine or cannot run guests", c);
		const struct sched *s = &hv.cpus[c].sched;
		if (s->exclusive || (!cfg->shared && s->nvcpus))
			return refuse(p, "cpu %u is already %s", c,
				      s->exclusive ? "another partition's alone"
						   : "shared by other partitions");
	}
	return 0;
}

/* A package entry by name, bounds and (unless sum is given, for the caller to check) checksum
 * checked: the package came from outside. */
/* Entry name of the package, its bytes in bounds, on a page, with its chunk sums (their own sum
 * checked). An image is checked whole now (sums NULL); an initrd's chunks are checked as they are
 * first used, and *sums says what each must sum to. */
static const uint8_t *package_file(struct partition *p, const char *what, const char *name,
				   uint64_t *size, const uint64_t **sums)
{
	const struct gohv_pkg_image *img = find_image(name);
	const uint8_t *data;
	const uint64_t *s;
	uint64_t n;

	if (!img) {
		(void)refuse(p, "%s %s is not in the package", what, name);
		return NULL;
	}
	n = gohv_pkg_chunks(img->size);
	if (img->offset > hv.pkg->size || img->size > hv.pkg->size - img->offset ||
	    gohv_pkg_sums_offset(img) > hv.pkg->size ||
	    n * 8 > hv.pkg->size - gohv_pkg_sums_offset(img)) {
		(void)refuse(p, "%s %s lies outside the package", what, name);
		return NULL;
	}
	if (img->offset % GOHV_PKG_ENTRY_ALIGN) {
		(void)refuse(p, "%s %s does not start on a page of the package", what, name);
		return NULL;
	}
	data = (const uint8_t *)hv.pkg + img->offset;
	s = (const uint64_t *)(const void *)((const uint8_t *)hv.pkg + gohv_pkg_sums_offset(img));
	bool corrupt = gohv_pkg_sum(s, n * 8) != img->checksum;
	/* Partitions of one image check it once between them. */
	for (uint64_t c = 0; !sums && !corrupt && c < n; c++)
		corrupt = !package_chunk_intact(&hv.pkg_checked, data + c * GOHV_PKG_CHUNK,
						gohv_pkg_chunk_len(img->size, c), s[c]);
	if (corrupt) {
		(void)refuse(p, "%s %s is corrupt (checksum mismatch)", what, name);
		return NULL;
	}
	if (sums)
		*sums = s;
	*size = img->size;
	return data;
}

static int check_image(struct partition *p)
{
	const struct partition_config *cfg = p->cfg;
	char err[ELF_ERR_MAX];
	uint64_t size;
	const uint8_t *data = package_file(p, "image", cfg->image, &size, NULL);

	if (!data)
		return -1;
	if (elf_check(data, size, ARCH_ELF_MACHINE, &p->image, err, sizeof(err)))
		return refuse(p, "image %s: %s", cfg->image, err);
	if (p->image.lowest < GUEST_RAM_BASE ||
	    p->image.highest > GUEST_RAM_BASE + cfg->memory_size - GUEST_DT_RESERVE)
		return refuse(p, "image %s spans 0x%lx-0x%lx, outside its RAM", cfg->image,
			      (unsigned long)p->image.lowest, (unsigned long)p->image.highest);
	return 0;
}

/* The initrd goes right below the device tree, on a chunk, and must clear the image. */
static int check_initrd(struct partition *p)
{
	const struct partition_config *cfg = p->cfg;
	uint64_t dt_gpa = GUEST_RAM_BASE + cfg->memory_size - GUEST_DT_RESERVE, size;
	const uint8_t *data;

	if (!cfg->initrd[0])
		return 0;
	data = package_file(p, "initrd", cfg->initrd, &size, &p->initrd_sums);
	if (!data)
		return -1;
	if (size > dt_gpa - p->image.highest ||
	    gohv_pkg_initrd_gpa(dt_gpa, size) < p->image.highest)
		return refuse(p,
			      "initrd %s (%lu bytes) does not fit between image end 0x%lx and the "
			      "device tree at 0x%lx",
			      cfg->initrd, (unsigned long)size, (unsigned long)p->image.highest,
			      (unsigned long)dt_gpa);
	p->initrd = data;
	p->initrd_checked = &hv.pkg_checked;
	p->initrd_size = size;
	p->initrd_gpa = gohv_pkg_initrd_gpa(dt_gpa, size);
	return 0;
}

int partition_create(struct partition *p, unsigned index, const struct partition_config *cfg,
		     struct vcpu *vcpus)
{
	memset(p, 0, sizeof(*p));
	memset(vcpus, 0, cfg->ncpus * sizeof(*vcpus));
	p->vcpus = vcpus;
	p->cfg = cfg;
	p->index = index;
	if (check_cpus(p) || check_image(p) || check_initrd(p))
		return -1;

	p->ram_gpa = GUEST_RAM_BASE;
	p->ram_size = cfg->memory_size;
	if (info_page_attach(p) != HV_OK)
		return refuse(p, "its info page at 0x%lx clashes with its RAM",
			      (unsigned long)GOOS_INFO_BASE);
	char why[160];
	if (passthru_attach(p, why, sizeof(why)))
		return refuse(p, "%s", why);
	uint64_t ram = page_alloc(&hv.pages, cfg->memory_size / PAGE_SIZE, CONFIG_MEM_ALIGN);
	if (!ram)
		return refuse(p, "not enough free memory for %lu MiB",
			      (unsigned long)(cfg->memory_size >> 20));
	p->ram = arch_pa_to_va(ram);
	unsigned vmid = arch_vmid(index);
#ifdef GOHV_BENCH
	bench_table_bytes = 0;
#endif
	size_t bitmap_pages = (guest_ram_bitmap_words(p->ram_size) * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
	uint64_t present = page_alloc(&hv.pages, bitmap_pages, PAGE_SIZE);
	bool mapped = present && !stage2_init(&p->s2, vmid, table_alloc, NULL);
	if (mapped) {
		/* What every start writes is made present now, where running short can refuse: the
		 * image's file bytes, not its bss, which is zero wherever the guest first touches
		 * it (a stack or heap in bss would cost its whole zeroing at every boot). */
		uint64_t dt_gpa = p->ram_gpa + p->ram_size - GUEST_DT_RESERVE;

		guest_ram_init(p, arch_pa_to_va(present));
		mapped = guest_ram_touch(p, p->image.lowest, p->image.file_end - p->image.lowest) &&
			 guest_ram_touch(p, dt_gpa, GUEST_DT_RESERVE);
	}
	/* The initrd is neither loaded nor checked here: each chunk is when first used. */
	if (!mapped) {
		/* The tables it took stay taken: a refused partition is only ever refused at boot.
		 */
		if (present)
			page_free(&hv.pages, present, bitmap_pages);
		page_free(&hv.pages, ram, cfg->memory_size / PAGE_SIZE);
		return refuse(p, "no memory for its stage-2 tables");
	}
#ifdef GOHV_BENCH
	hv_log("bench: partition %s stage-2 tables %lu bytes (%lu tables), "
	       "struct partition %lu bytes",
	       cfg->name, bench_table_bytes, (unsigned long)p->s2.tables,
	       (unsigned long)(sizeof(struct partition) + cfg->ncpus * sizeof(struct vcpu)));
#endif

	/* The board's slice, at least one tick; the weight sets the share, not the slice. */
	uint64_t slice = hv.plat.timebase_hz * hv.config.time_slice_us / 1000000;
	p->nvcpus = cfg->ncpus;
	for (unsigned i = 0; i < p->nvcpus; i++) {
		struct vcpu *v = &p->vcpus[i];

		v->part = p;
		v->id = i;
		v->cpu = &hv.cpus[cfg->cpus[i]];
		v->slice = slice ? slice : 1;
		v->weight = cfg->weight;
		v->virq_enabled = VIRQ_RESET_ENABLED;
		arch_vcpu_init(v, &p->s2, cfg->shared);
		sched_add(v->cpu, v);
		v->cpu->sched.exclusive = !cfg->shared;
	}
	watchdog_attach(p);
	p->state = PART_STOPPED;
	return 0;
}

void partition_start(struct partition *p)
{
	uint64_t dt_gpa = p->ram_gpa + p->ram_size - GUEST_DT_RESERVE;
	uint8_t seed[32];
	char err[ELF_ERR_MAX];

	/* The image was checked at create time, and what the hv writes here made present: loading
	 * cannot fail unless RAM changed size. */
	if (elf_load(&p->image, p->ram_gpa, p->ram_size, p->ram, err, sizeof(err)))
		hv_panic("partition %s: %s", p->cfg->name, err);
	/* After the ELF: checked at create time not to overlap it. */
	guest_ram_reload_initrd(p);
	hv_entropy(seed, sizeof(seed));
	drbg_seed(&p->rng, seed, sizeof(seed));
	memset(seed, 0, sizeof(seed));
	int fe = guest_fdt_build(p, guest_ram_touch(p, dt_gpa, GUEST_DT_RESERVE), GUEST_DT_RESERVE,
				 dt_gpa);
	if (fe)
		hv_panic("partition %s: device tree: error %d", p->cfg->name, fe);

	p->exit_code = 0;
	p->exit_failed = false;
	p->faulted = false;
	p->reboot = false;
	p->running = 0;
	p->line.len = 0;
	p->started_at = arch_time_now();
	watchdog_arm(p);
	/* Nothing of the last run rings this one; a peer's ring from RUNNING on is kept. */
	__atomic_store_n(&p->chan_pending, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&p->chan_irq, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&p->state, PART_RUNNING, __ATOMIC_SEQ_CST);
	channels_started(p);
	struct vcpu_boot boot = {.entry = p->image.entry, .dt = dt_gpa};
	vcpu_start(&p->vcpus[0], &boot);
}

void partition_console_write(struct partition *p, enum console_stream stream, const char *s,
			     size_t n)
{
	spin_lock(&p->lock);
	console_guest_write(&hv.console, &p->lock, p->cfg->name, &p->line, stream, s, n);
	spin_unlock(&p->lock);
}

/* Marks the partition stopping, if it is running: true for the first stop, which must ask the
 * vCPUs to park (stop_others). Only the first stop says how the run ended: a reboot asked for
 * while another vCPU's fault or exit is already ending it is not a reboot. */
static bool stop_begin(struct partition *p, int code, bool failed, bool faulted, bool reboot)
{
	bool first;

	spin_lock(&p->lock);
	first = p->state == PART_RUNNING;
	if (first) {
		p->state = PART_STOPPING;
		p->exit_code = code;
		p->exit_failed = failed || code != 0;
		p->faulted = faulted;
		p->reboot = reboot;
	}
	spin_unlock(&p->lock);
	if (first)
		channels_stopped(p);
	return first;
}

/* Asks p's vCPUs but self (whose run loop parks it) to park. */
static void stop_others(struct partition *p, const struct vcpu *self)
{
	for (unsigned i = 0; i < p->nvcpus; i++)
		if (&p->vcpus[i] != self)
			vcpu_post(&p->vcpus[i], VREQ_STOP);
}

static enum vcpu_exit stop(struct vcpu *v, int code, bool failed, bool faulted, bool reboot)
{
	if (stop_begin(v->part, code, failed, faulted, reboot))
		stop_others(v->part, v);
	return faulted ? EXIT_FAULTED : EXIT_STOPPED;
}

void partition_watchdog_expired(struct partition *p, uint64_t now)
{
	/* A pet since the scan read the deadline is a pet in time. */
	if (now < p->watchdog_at || !stop_begin(p, GOOS_EXIT_FAULT, true, true, false))
		return;
	hv_log(CONSOLE_WATCHDOG_FMT, p->cfg->name, (unsigned)p->cfg->watchdog_ms);
	stop_others(p, NULL);
}

enum vcpu_exit partition_exit(struct vcpu *v, int code, bool failed)
{
	return stop(v, code, failed, false, false);
}

enum vcpu_exit partition_reboot(struct vcpu *v, int code, bool failed)
{
	return stop(v, code, failed, false, true);
}

bool guest_range_ok(const struct vcpu *v, uint64_t gpa, uint64_t len)
{
	return guest_ram_touch(v->part, gpa, len) != NULL;
}

unsigned vcpu_count(const struct vcpu *v)
{
	return v->part->nvcpus;
}

void vcpu_console_putc(struct vcpu *v, char c)
{
	partition_console_write(v->part, CONSOLE_STDOUT, &c, 1);
}

void partition_fault(struct vcpu *v)
{
	stop(v, GOOS_EXIT_FAULT, true, true, false);
}

static bool should_restart(const struct partition *p)
{
	if (p->reboot)
		return true;
	switch (p->cfg->restart) {
	case RESTART_ALWAYS:
		return true;
	case RESTART_ON_FAILURE:
		return p->exit_failed;
	default:
		return false;
	}
}

/* A partition that keeps ending soon after it starts is restarted ever more slowly, so a crash
 * loop neither floods the console nor keeps a CPU busy; one that ran for a while starts afresh.
 * A reboot is no exception: a guest that reboots at once is a crash loop too. */
static uint64_t restart_delay(struct partition *p)
{
	const struct partition_config *cfg = p->cfg;
	uint64_t hz = hv.plat.timebase_hz;

	if (arch_time_now() - p->started_at > RESTART_BACKOFF_RESET_S * hz) {
		p->backoff = 0;
		return 0;
	}
	/* The first quick failure restarts at once (one is not a loop yet), then min, 2 min, ... up
	 * to max. Past 2^31 min any max (at most CONFIG_BACKOFF_MS_MAX) is reached. */
	unsigned level = p->backoff < 32 ? p->backoff : 32;
	uint64_t ms = level ? (uint64_t)cfg->backoff_min_ms << (level - 1) : 0;
	if (ms > cfg->backoff_max_ms)
		ms = cfg->backoff_max_ms;
	if (p->backoff < 32)
		p->backoff++;
	return ms * hz / 1000;
}

/* In the run loop of the last vCPU to park: nothing of the partition runs any more. vCPU 0's run
 * loop does the rest (cleanup_step in vcpu.c), a chunk at a time, so the CPUs it shares are not
 * held up by the scrub or the backoff. */
static void finish_stop(struct partition *p)
{
	spin_lock(&p->lock);
	console_guest_flush(&hv.console, &p->lock, p->cfg->name, &p->line);
	spin_unlock(&p->lock);
	if (p->reboot)
		hv_log(CONSOLE_REBOOT_FMT, p->cfg->name, p->exit_code);
	else
		hv_log(CONSOLE_EXIT_FMT, p->cfg->name, p->exit_code,
		       p->faulted ? CONSOLE_EXIT_FAULT : "");
	/* Nothing of this run may be seen by the next one, or by whoever gets the RAM: its
	 * devices write there no more. */
	passthru_stopped(p);
	drbg_wipe(&p->rng);
	p->scrubbed = 0;
	p->restart_pending = should_restart(p);
	if (p->restart_pending) {
		uint64_t delay = restart_delay(p);

		p->restarts++;
		hv_log(CONSOLE_RESTART_FMT, p->cfg->name,
		       p->reboot ? "reboot" : restart_policy_name(p->cfg->restart), p->restarts,
		       (unsigned long)(delay * 1000 / hv.plat.timebase_hz));
		p->restart_at = arch_time_now() + delay;
	}
	p->state = PART_STOPPED;
	vcpu_post(&p->vcpus[0], VREQ_CLEANUP);
}

void partition_retire(struct partition *p)
{
	if (__atomic_sub_fetch(&hv.live, 1, __ATOMIC_SEQ_CST) == 0) {
#ifdef GOHV_BENCH
		bench_switch_report();
		bench_post_report();
#endif
		hv_log(CONSOLE_FREE_FMT, (unsigned long)hv.pages.nfree);
		hv_log(CONSOLE_ALL_STOPPED);
		arch_system_off(false);
	}
}

void partition_vcpu_parked(struct partition *p)
{
	bool last, shut_down = false;

	spin_lock(&p->lock);
	last = --p->running == 0;
	/* Every vCPU stopped itself (a guest CPU-stop call): the partition shut down. */
	if (last && p->state == PART_RUNNING) {
		p->state = PART_STOPPING;
		p->exit_code = 0;
		p->exit_failed = false;
		p->faulted = false;
		p->reboot = false;
		shut_down = true;
	}
	spin_unlock(&p->lock);
	if (shut_down)
		channels_stopped(p);
	if (last)
		finish_stop(p);
}
