/* The guest's /cpus node in the RISC-V binding: each vCPU is described with the ISA of the hart it
 * runs on, less what only a hypervisor can use. Plain libfdt, so the host unit tests run it too. */
#include <fmt.h>
#include <libfdt.h>

#include "hv/arch.h"
#include "hv/guest_fdt.h"

/* Said of a vCPU whose hart the machine's tree did not describe. */
#define ISA_FALLBACK "rv64imafdc"

/* The guest ISA is the hart's minus the hypervisor extension and the extensions that only make
 * sense with it (Sh*): the guest cannot nest. */
static void guest_isa(const char *host, char *out, size_t len)
{
	size_t n = 0;

	if (!*host)
		host = ISA_FALLBACK;
	const char *p = host;
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

int arch_guest_fdt_cpus(void *fdt, const struct platform_cpu *const *cpus, unsigned n,
			uint64_t timebase_hz)
{
	char isa[sizeof(cpus[0]->arch.isa)], name[16];

	FDT_TRY(fdt_begin_node(fdt, "cpus"));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 1));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 0));
	FDT_TRY(fdt_property_u32(fdt, "timebase-frequency", (uint32_t)timebase_hz));
	for (unsigned i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "cpu@%u", i);
		guest_isa(cpus[i] ? cpus[i]->arch.isa : "", isa, sizeof(isa));
		FDT_TRY(fdt_begin_node(fdt, name));
		FDT_TRY(fdt_property_string(fdt, "device_type", "cpu"));
		FDT_TRY(fdt_property_u32(fdt, "reg", i));
		FDT_TRY(fdt_property_string(fdt, "compatible", "riscv"));
		FDT_TRY(fdt_property_string(fdt, "riscv,isa", isa));
		FDT_TRY(fdt_property_string(fdt, "mmu-type", "riscv,sv39"));
		FDT_TRY(fdt_property_string(fdt, "status", "okay"));
		FDT_TRY(fdt_begin_node(fdt, "interrupt-controller"));
		FDT_TRY(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
		FDT_TRY(fdt_property_u32(fdt, "#interrupt-cells", 1));
		FDT_TRY(dt_empty_prop(fdt, "interrupt-controller"));
		FDT_TRY(fdt_property_u32(fdt, "phandle", i + 1));
		FDT_TRY(fdt_end_node(fdt));
		FDT_TRY(fdt_end_node(fdt));
	}
	return fdt_end_node(fdt);
}
