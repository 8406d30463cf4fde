/* The machine's harts, from the RISC-V /cpus binding: reg is the hart id, riscv,isa says whether
 * the hart has the H extension a vCPU needs; and an ACLINT SSWI's register for each, if the machine
 * has one. Plain libfdt, so the host unit tests run it too. */
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

/*
 * An ACLINT SSWI (QEMU virt with aclint=on) has one 4-byte SETSSIP register per hart, in the order
 * of its interrupts-extended, whose entries name each hart's interrupt controller (a child of the
 * hart's node, #interrupt-cells = 1 by the binding) by phandle. Writing 1 there raises that hart's
 * SSIP: a kick without the firmware, which costs OpenSBI 1.1 about 550 instructions on the sender
 * and 280 on the receiver. Taken on the core's pass, so finding it costs no scan of its own; a
 * malformed node is left alone and harts keep kicking through SBI.
 */
void arch_platform_node(const struct dt_node *n, const char *compat, int len,
			struct arch_platform *ap)
{
	uint64_t base, size;

	if (ap->sswi_size || !dt_list_has(compat, len, "riscv,aclint-sswi"))
		return;
	const fdt32_t *ie = dt_getprop(n->fdt, n->offset, "interrupts-extended", &len);
	if (!ie || len <= 0 || len % 8 || len / 8 > ARCH_SSWI_MAX_HARTS ||
	    dt_reg(n, 0, &base, &size) || size < (uint64_t)len / 8 * 4)
		return;
	for (int i = 0; i < len / 8; i++)
		ap->sswi_intc[i] = fdt32_to_cpu(ie[2 * i]);
	ap->sswi_n = (unsigned)len / 8;
	ap->sswi_base = base;
	ap->sswi_size = size;
}

static uint64_t sswi_of(const struct arch_platform *ap, uint32_t intc)
{
	for (unsigned i = 0; intc && i < ap->sswi_n; i++)
		if (ap->sswi_intc[i] == intc)
			return ap->sswi_base + (uint64_t)i * 4;
	return 0;
}

int arch_platform_cpus(const void *fdt, const struct arch_platform *ap, struct platform_cpu *out,
		       unsigned max, uint64_t *timebase_hz, char *err, size_t errlen)
{

	int cpus = dt_path(fdt, "/cpus"), node, len;
	unsigned n = 0;
	const fdt32_t *tb;

	if (cpus < 0) {
		snprintf(err, errlen, "machine device tree has no /cpus");
		return -1;
	}
	tb = dt_getprop(fdt, cpus, "timebase-frequency", &len);
	if (!tb || (len != 4 && len != 8)) {
		snprintf(err, errlen, "/cpus: no usable timebase-frequency");
		return -1;
	}
	*timebase_hz = dt_cells(tb, len / 4);
	if (!*timebase_hz) {
		/* Every deadline and nanosecond the hv hands out divides by it. */
		snprintf(err, errlen, "/cpus: timebase-frequency is 0");
		return -1;
	}
	dt_for_each_child(node, fdt, cpus)
	{
		int isa_len;
		const char *isa = dt_getprop(fdt, node, "riscv,isa", &isa_len);
		const fdt32_t *reg = dt_getprop(fdt, node, "reg", &len);

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
		int ic = ap->sswi_n ? dt_child(fdt, node, "interrupt-controller") : -1;
		out[n].arch.sswi = ic < 0 ? 0 : sswi_of(ap, dt_phandle(fdt, ic));
		n++;
	}
	if (!n) {
		snprintf(err, errlen, "/cpus: no usable hart");
		return -1;
	}
	return (int)n;
}
