/* The machine's harts, from the RISC-V /cpus binding: reg is the hart id, riscv,isa says whether
 * the hart has the H extension a vCPU needs. Plain libfdt, so the host unit tests run it too. */
#include <fmt.h>
#include <libfdt.h>
#include <string.h>

#include "devices/dt.h"
#include "hv/arch.h"

/* Only the single-letter part counts: the 'h' of a multi-letter extension ("_zihintpause") is
 * not H. */
static bool isa_has_h(const char *isa)
{
	if (strncmp(isa, "rv64", 4))
		return false;
	for (const char *p = isa + 4; *p && *p != '_'; p++)
		if (*p == 'h')
			return true;
	return false;
}

int arch_platform_cpus(const void *fdt, struct platform_cpu *out, unsigned max,
		       uint64_t *timebase_hz, char *err, size_t errlen)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node, len;
	unsigned n = 0;
	const fdt32_t *tb;

	if (cpus < 0) {
		snprintf(err, errlen, "machine device tree has no /cpus");
		return -1;
	}
	tb = fdt_getprop(fdt, cpus, "timebase-frequency", &len);
	if (!tb || (len != 4 && len != 8)) {
		snprintf(err, errlen, "/cpus: no usable timebase-frequency");
		return -1;
	}
	*timebase_hz = dt_cells(tb, len / 4);
	fdt_for_each_subnode(node, fdt, cpus)
	{
		int isa_len;
		const char *isa = fdt_getprop(fdt, node, "riscv,isa", &isa_len);
		const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

		if (!dt_prop_is(fdt, node, "device_type", "cpu") || !reg || len < 4 ||
		    !dt_enabled(fdt, node))
			continue;
		if (n == max)
			break;
		out[n].hwid = dt_cells(reg, len >= 8 ? 2 : 1);
		/* By length: a string without its NUL must not be read past its end. */
		snprintf(out[n].arch.isa, sizeof(out[n].arch.isa), "%.*s",
			 isa ? (int)strnlen(isa, isa_len) : 0, isa ? isa : "");
		out[n].can_run_guests = isa_has_h(out[n].arch.isa);
		n++;
	}
	if (!n) {
		snprintf(err, errlen, "/cpus: no usable hart");
		return -1;
	}
	return (int)n;
}
