#include "guest_fdt.h"

#include <fmt.h>
#include <goos.h>
#include <libfdt.h>
#include <string.h>

#include "hv.h"

#define GUEST_RNG_SEED 32

/* The guest ISA is the hart's minus the hypervisor extension and the extensions that only make
 * sense with it (Sh*): the guest cannot nest. */
static void guest_isa(const char *host, char *out, size_t len)
{
	size_t n = 0;
	const char *p = host;

	if (!*p)
		p = "rv64imafdc";
	for (int base = 1; *p && n + 1 < len; p++) {
		if (*p == '_') {
			base = 0;
			if ((p[1] == 's' || p[1] == 'S') && (p[2] == 'h' || p[2] == 'H')) {
				while (p[1] && p[1] != '_')
					p++;
				continue;
			}
		}
		if (base && p >= host + 4 && *p == 'h')
			continue;
		out[n++] = *p;
	}
	out[n] = 0;
}

static const char *hart_isa(unsigned long hartid)
{
	const struct platform_cpu *c = platform_cpu(&hv.plat, hartid);

	return c ? c->arch.isa : "";
}

#define TRY(x)                                                                                     \
	do {                                                                                       \
		int __e = (x);                                                                     \
		if (__e < 0)                                                                       \
			return __e;                                                                \
	} while (0)

static int write_cpus(struct partition *p, void *fdt)
{
	char isa[64], name[16];

	TRY(fdt_begin_node(fdt, "cpus"));
	TRY(fdt_property_u32(fdt, "#address-cells", 1));
	TRY(fdt_property_u32(fdt, "#size-cells", 0));
	TRY(fdt_property_u32(fdt, "timebase-frequency", (uint32_t)hv.plat.timebase_hz));
	for (unsigned i = 0; i < p->nvcpus; i++) {
		snprintf(name, sizeof(name), "cpu@%u", i);
		guest_isa(hart_isa(p->vcpus[i].cpu->hartid), isa, sizeof(isa));
		TRY(fdt_begin_node(fdt, name));
		TRY(fdt_property_string(fdt, "device_type", "cpu"));
		TRY(fdt_property_u32(fdt, "reg", i));
		TRY(fdt_property_string(fdt, "compatible", "riscv"));
		TRY(fdt_property_string(fdt, "riscv,isa", isa));
		TRY(fdt_property_string(fdt, "mmu-type", "riscv,sv39"));
		TRY(fdt_property_string(fdt, "status", "okay"));
		TRY(fdt_begin_node(fdt, "interrupt-controller"));
		TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
		TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
		TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
		TRY(fdt_property_u32(fdt, "phandle", i + 1));
		TRY(fdt_end_node(fdt));
		TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}

int guest_fdt_build(struct partition *p, void *buf, size_t size, uint64_t gpa)
{
	const struct partition_config *cfg = p->cfg;
	uint8_t seed[GUEST_RNG_SEED];
	char name[32];
	int err;

	TRY(fdt_create(buf, (int)size));
	TRY(fdt_add_reservemap_entry(buf, gpa, size));
	if (p->initrd_size)
		TRY(fdt_add_reservemap_entry(buf, p->initrd_gpa, p->initrd_size));
	TRY(fdt_finish_reservemap(buf));
	TRY(fdt_begin_node(buf, ""));
	TRY(fdt_property_u32(buf, "#address-cells", 2));
	TRY(fdt_property_u32(buf, "#size-cells", 2));
	TRY(fdt_property_string(buf, "compatible", "gohv,partition"));
	snprintf(name, sizeof(name), "gohv partition %s", cfg->name);
	TRY(fdt_property_string(buf, "model", name));

	TRY(fdt_begin_node(buf, "chosen"));
	TRY(fdt_property_string(buf, "bootargs", cfg->bootargs));
	/* Where Linux looks for an initrd, so a guest written for Linux boot finds it too. */
	if (p->initrd_size) {
		TRY(fdt_property_u64(buf, "linux,initrd-start", p->initrd_gpa));
		TRY(fdt_property_u64(buf, "linux,initrd-end", p->initrd_gpa + p->initrd_size));
	}
	/* CLOCK_REALTIME minus the time CSR in ns (two's complement): the guest adds its own time
	 * reading to get the date, with no device to map. */
	if (hv.has_realtime)
		TRY(fdt_property_u64(buf, "gohv,realtime-ns", (uint64_t)hv.realtime_offset_ns));
	/* Fresh at every start, from the partition's own DRBG. */
	err = drbg_generate(&p->rng, seed, sizeof(seed));
	if (err == 0)
		err = fdt_property(buf, "rng-seed", seed, sizeof(seed));
	memset(seed, 0, sizeof(seed));
	TRY(err);
	TRY(fdt_end_node(buf));

	TRY(write_cpus(p, buf));

	snprintf(name, sizeof(name), "memory@%lx", (unsigned long)p->ram_gpa);
	TRY(fdt_begin_node(buf, name));
	TRY(fdt_property_string(buf, "device_type", "memory"));
	fdt64_t reg[2] = {cpu_to_fdt64(p->ram_gpa), cpu_to_fdt64(p->ram_size)};
	TRY(fdt_property(buf, "reg", reg, sizeof(reg)));
	TRY(fdt_end_node(buf));

	TRY(fdt_begin_node(buf, GOOS_DT_NODE));
	TRY(fdt_property_string(buf, "compatible", GOOS_DT_COMPATIBLE));
	TRY(fdt_property_u32(buf, "version", GOOS_ABI_VERSION));
	TRY(fdt_property_u32(buf, "sbi-extension", (uint32_t)GOOS_EID));
	TRY(fdt_property_string(buf, "partition", cfg->name));
	TRY(fdt_property_u32(buf, "vcpus", p->nvcpus));
	TRY(fdt_property_string(buf, "restart", restart_policy_name(cfg->restart)));
	TRY(fdt_end_node(buf));

	TRY(fdt_end_node(buf));
	return fdt_finish(buf);
}
