#include "guest_fdt.h"

#include <fmt.h>
#include <goos.h>
#include <libfdt.h>
#include <string.h>

#include "hv.h"
#include "info_page.h"

#define GUEST_RNG_SEED	    32
#define GUEST_FDT_FIRST_TRY (8u << 10)

/* The port describes the vCPUs, each as the CPU it runs on. */
static int write_cpus(const struct partition *p, void *fdt)
{
	const struct platform_cpu *cpus[CONFIG_MAX_VCPUS];

	for (unsigned i = 0; i < p->nvcpus; i++)
		cpus[i] = platform_cpu(&hv.plat, p->vcpus[i].cpu->hwid);
	return arch_guest_fdt_cpus(fdt, cpus, p->nvcpus, hv.plat.timebase_hz);
}

/* The tree in buf's first room bytes; the reservation covers all size of the area. */
static int build(struct partition *p, void *buf, size_t room, size_t size, uint64_t gpa)
{
	const struct partition_config *cfg = p->cfg;
	uint8_t seed[GUEST_RNG_SEED];
	char name[32];
	int err;

	/* Each property name written out, not searched for in the strings so far: the search was a
	 * tenth of boot.1, the duplicates cost a few hundred bytes of a 64 KiB area. */
	FDT_TRY(fdt_create_with_flags(buf, (int)room, FDT_CREATE_FLAG_NO_NAME_DEDUP));
	FDT_TRY(fdt_add_reservemap_entry(buf, gpa, size));
	if (p->initrd_size)
		FDT_TRY(fdt_add_reservemap_entry(buf, p->initrd_gpa, p->initrd_size));
	FDT_TRY(fdt_finish_reservemap(buf));
	FDT_TRY(fdt_begin_node(buf, ""));
	FDT_TRY(fdt_property_u32(buf, "#address-cells", 2));
	FDT_TRY(fdt_property_u32(buf, "#size-cells", 2));
	FDT_TRY(fdt_property_string(buf, "compatible", "gohv,partition"));
	snprintf(name, sizeof(name), "gohv partition %s", cfg->name);
	FDT_TRY(fdt_property_string(buf, "model", name));

	FDT_TRY(fdt_begin_node(buf, "chosen"));
	FDT_TRY(fdt_property_string(buf, "bootargs", cfg->bootargs));
	/* Where Linux looks for an initrd, so a guest written for Linux boot finds it too. */
	if (p->initrd_size) {
		FDT_TRY(fdt_property_u64(buf, "linux,initrd-start", p->initrd_gpa));
		FDT_TRY(fdt_property_u64(buf, "linux,initrd-end", p->initrd_gpa + p->initrd_size));
	}
	/* CLOCK_REALTIME minus arch_time_now() in ns (two's complement): the guest adds its own
	 * reading of that clock to get the date, with no device to map. */
	if (hv.has_realtime)
		FDT_TRY(fdt_property_u64(buf, "gohv,realtime-ns", (uint64_t)hv.realtime_offset_ns));
	/* Fresh at every start, from the partition's own DRBG. */
	err = drbg_generate(&p->rng, seed, sizeof(seed));
	if (err == 0)
		err = fdt_property(buf, "rng-seed", seed, sizeof(seed));
	memset(seed, 0, sizeof(seed));
	FDT_TRY(err);
	FDT_TRY(fdt_end_node(buf));

	FDT_TRY(write_cpus(p, buf));

	snprintf(name, sizeof(name), "memory@%lx", (unsigned long)p->ram_gpa);
	FDT_TRY(fdt_begin_node(buf, name));
	FDT_TRY(fdt_property_string(buf, "device_type", "memory"));
	fdt64_t reg[2] = {cpu_to_fdt64(p->ram_gpa), cpu_to_fdt64(p->ram_size)};
	FDT_TRY(fdt_property(buf, "reg", reg, sizeof(reg)));
	FDT_TRY(fdt_end_node(buf));

	FDT_TRY(fdt_begin_node(buf, GOOS_DT_NODE));
	FDT_TRY(fdt_property_string(buf, "compatible", GOOS_DT_COMPATIBLE));
	FDT_TRY(fdt_property_u32(buf, "version", GOOS_ABI_VERSION));
	FDT_TRY(fdt_property_u32(buf, "sbi-extension", (uint32_t)GOOS_EID));
	FDT_TRY(fdt_property_string(buf, "partition", cfg->name));
	FDT_TRY(fdt_property_u32(buf, "vcpus", p->nvcpus));
	FDT_TRY(fdt_property_string(buf, "restart", restart_policy_name(cfg->restart)));
	/* A guest must know how often to pet; none says it has no watchdog to pet. */
	if (cfg->watchdog_ms)
		FDT_TRY(fdt_property_u32(buf, GOOS_DT_WATCHDOG_MS, cfg->watchdog_ms));
	if (p->info_mmio.size || p->chan_owned) {
		/* /goos becomes the bus of its children (the info page, the channel windows):
		 * addresses as the root's, mapped one to one. */
		FDT_TRY(fdt_property_u32(buf, "#address-cells", 2));
		FDT_TRY(fdt_property_u32(buf, "#size-cells", 2));
		FDT_TRY(dt_empty_prop(buf, "ranges"));
	}
	FDT_TRY(info_page_fdt(p, buf));
	FDT_TRY(channel_fdt(p, buf));
	FDT_TRY(passthru_fdt(p, buf));
	FDT_TRY(fdt_end_node(buf));

	FDT_TRY(fdt_end_node(buf));
	return fdt_finish(buf);
}

int guest_fdt_build(struct partition *p, void *buf, size_t size, uint64_t gpa)
{
	/* libfdt clears all the room it is given, which the hv cleared already: the first try
	 * gives it what a tree of many devices and channels needs, the whole area only when that is
	 * short. */
	int err = size > GUEST_FDT_FIRST_TRY ? build(p, buf, GUEST_FDT_FIRST_TRY, size, gpa)
					     : -FDT_ERR_NOSPACE;

	return err == -FDT_ERR_NOSPACE ? build(p, buf, size, size, gpa) : err;
}
