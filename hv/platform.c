#include "platform.h"

#include <fmt.h>
#include <libfdt.h>
#include <string.h>

static uint64_t read_cells(const fdt32_t *p, int cells)
{
	uint64_t v = 0;

	while (cells--)
		v = (v << 32) | fdt32_to_cpu(*p++);
	return v;
}

/* The first (address, size) pair of a node's reg, in its parent's cell sizes. */
static int read_reg(const void *fdt, int node, struct mem_range *r)
{
	int parent = fdt_parent_offset(fdt, node);
	int ac = fdt_address_cells(fdt, parent), sc = fdt_size_cells(fdt, parent), len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (!reg || ac < 1 || ac > 2 || sc < 0 || sc > 2 || len < (ac + sc) * 4)
		return -1;
	r->base = read_cells(reg, ac);
	r->size = read_cells(reg + ac, sc);
	return 0;
}

static int node_ok(const void *fdt, int node)
{
	const char *status = fdt_getprop(fdt, node, "status", NULL);
	return !status || !strcmp(status, "okay") || !strcmp(status, "ok");
}

static void add_reserved(struct platform *plat, uint64_t base, uint64_t size)
{
	if (plat->nreserved < PLATFORM_MAX_RESERVED && size) {
		plat->reserved[plat->nreserved].base = base;
		plat->reserved[plat->nreserved].size = size;
		plat->nreserved++;
	}
}

static void parse_uart(const void *fdt, struct platform *plat)
{
	int node = -1, len;
	const char *path = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path", &len);

	/* stdout-path may carry options after ':' ("/soc/serial@10000000:115200"). */
	if (path) {
		char buf[96];
		size_t n = strnlen(path, len);
		const char *colon = memchr(path, ':', n);

		if (colon)
			n = colon - path;
		if (n < sizeof(buf)) {
			memcpy(buf, path, n);
			buf[n] = 0;
			node = fdt_path_offset(fdt, buf);
		}
	}
	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "ns16550a");
	struct mem_range r;
	if (node >= 0 && read_reg(fdt, node, &r) == 0) {
		const fdt32_t *p = fdt_getprop(fdt, node, "clock-frequency", &len);
		plat->uart_base = r.base;
		plat->uart_clock = p && len == 4 ? fdt32_to_cpu(*p) : 0;
		p = fdt_getprop(fdt, node, "reg-shift", &len);
		plat->uart_reg_shift = p && len == 4 ? (int)fdt32_to_cpu(*p) : 0;
	}
}

int platform_parse(const void *fdt, struct platform *plat, char *err, size_t errlen)
{
	int node, len, n;
	struct mem_range r;

	memset(plat, 0, sizeof(*plat));
	if (fdt_check_header(fdt)) {
		snprintf(err, errlen, "machine device tree at %p is not valid", fdt);
		return -1;
	}
	plat->fdt = fdt;
	plat->fdt_size = fdt_totalsize(fdt);
	const char *model = fdt_getprop(fdt, 0, "model", NULL);
	snprintf(plat->model, sizeof(plat->model), "%s", model ? model : "unknown");

	node = fdt_node_offset_by_prop_value(fdt, -1, "device_type", "memory", 7);
	if (node < 0 || read_reg(fdt, node, &plat->ram) || !plat->ram.size) {
		snprintf(err, errlen, "machine device tree has no usable memory node");
		return -1;
	}
	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		uint64_t base, size;
		if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0)
			add_reserved(plat, base, size);
	}
	int resv = fdt_path_offset(fdt, "/reserved-memory");
	if (resv >= 0)
		fdt_for_each_subnode(node, fdt, resv) if (read_reg(fdt, node, &r) == 0)
		    add_reserved(plat, r.base, r.size);
	n = arch_platform_cpus(fdt, plat->cpus, sizeof(plat->cpus) / sizeof(plat->cpus[0]),
			       &plat->timebase_hz, err, errlen);
	if (n < 0)
		return -1;
	plat->ncpus = n;
	parse_uart(fdt, plat);

	node = fdt_node_offset_by_compatible(fdt, -1, "riscv,plic0");
	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "sifive,plic-1.0.0");
	if (node >= 0 && read_reg(fdt, node, &r) == 0) {
		plat->plic_base = r.base;
		plat->plic_size = r.size;
		if (fdt_getprop(fdt, node, "interrupts-extended", &len) && len > 0)
			plat->plic_ncontexts = len / 8;
	}
	node = fdt_node_offset_by_compatible(fdt, -1, "google,goldfish-rtc");
	if (node >= 0 && node_ok(fdt, node) && read_reg(fdt, node, &r) == 0 && r.size >= 8)
		plat->rtc_base = r.base;
	const void *seed = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "rng-seed", &len);
	if (seed && len > 0) {
		plat->rng_seed_len =
		    (size_t)len < sizeof(plat->rng_seed) ? (size_t)len : sizeof(plat->rng_seed);
		memcpy(plat->rng_seed, seed, plat->rng_seed_len);
	}
	return 0;
}

const struct platform_cpu *platform_cpu(const struct platform *plat, unsigned long hwid)
{
	for (unsigned i = 0; i < plat->ncpus; i++)
		if (plat->cpus[i].hwid == hwid)
			return &plat->cpus[i];
	return NULL;
}

bool platform_has_cpu(const struct platform *plat, unsigned long hwid)
{
	const struct platform_cpu *c = platform_cpu(plat, hwid);

	return c && c->can_run_guests;
}
