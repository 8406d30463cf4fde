#include "platform.h"

#include <fmt.h>
#include <libfdt.h>
#include <string.h>

#include "dtb_check.h"

/* Nothing the hv reads sits deeper; deeper nodes are passed over. */
#define WALK_DEPTH 8

static void add_reserved(struct platform *plat, uint64_t base, uint64_t size)
{
	if (plat->nreserved < PLATFORM_MAX_RESERVED && size) {
		plat->reserved[plat->nreserved].base = base;
		plat->reserved[plat->nreserved].size = size;
		plat->nreserved++;
	}
}

/* The node /chosen/stdout-path names, or a negative libfdt error. The path may carry options
 * after ':' ("/soc/serial@10000000:115200") and may be an alias. */
static int stdout_node(const void *fdt)
{
	int len;
	const char *path = fdt_getprop(fdt, fdt_path_offset(fdt, "/chosen"), "stdout-path", &len);

	if (!path || len <= 0)
		return -FDT_ERR_NOTFOUND;
	int n = (int)strnlen(path, len);
	const char *colon = memchr(path, ':', n);
	return fdt_path_offset_namelen(fdt, path, colon ? colon - path : n);
}

/* Offers an enabled node to each class of driver. The first device of a class is taken, except
 * that the console stdout-path names replaces an earlier one. */
static void take_device(struct platform *plat, const struct dt_node *n, bool is_stdout)
{
	int len;
	const char *compat = fdt_getprop(n->fdt, n->offset, "compatible", &len);
	const struct console_dev_ops *con;
	const struct intc_dev_ops *intc;
	const struct rtc_dev_ops *rtc;
	union dev_state st;

	if (!compat || !dt_enabled(n->fdt, n->offset))
		return;
	arch_platform_node(n, compat, len, &plat->arch);
	con = console_dev_match(compat, len);
	if (con && (!plat->console.ops || is_stdout) && con->probe(&st, n) == 0) {
		plat->console.ops = con;
		plat->console.state = st;
	}
	intc = intc_dev_match(compat, len);
	if (intc && !plat->intc.ops && intc->probe(&st, n) == 0) {
		plat->intc.ops = intc;
		plat->intc.state = st;
	}
	if (devices_passthru_match(compat, len) && plat->nslots < PLATFORM_MAX_SLOTS &&
	    dt_reg(n, 0, &plat->slots[plat->nslots].base, &plat->slots[plat->nslots].size) == 0)
		plat->slots[plat->nslots++].irq = dt_u32(n, "interrupts", 0);
	rtc = rtc_dev_match(compat, len);
	if (rtc && !plat->rtc.ops && rtc->probe(&st, n) == 0) {
		plat->rtc.ops = rtc;
		plat->rtc.state = st;
	}
}

/* RAM, reserved ranges and devices in one pass. libfdt finds a node's parent only by rescanning
 * from the root, so the walk keeps each level's cell sizes for the reg of the level below. */
static void walk(const void *fdt, struct platform *plat)
{
	int cells[WALK_DEPTH][2], offsets[WALK_DEPTH], depth = 0;
	int console = stdout_node(fdt), resv = fdt_path_offset(fdt, "/reserved-memory");
	bool memory_seen = false;
	uint64_t base, size;

	for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(fdt, node, &depth)) {
		if (depth >= WALK_DEPTH)
			continue;
		offsets[depth] = node;
		cells[depth][0] = fdt_address_cells(fdt, node);
		cells[depth][1] = fdt_size_cells(fdt, node);
		if (depth == 0)
			continue;
		const struct dt_node n = {fdt, node, cells[depth - 1][0], cells[depth - 1][1]};

		if (depth == 2 && offsets[1] == resv) {
			if (dt_reg(&n, 0, &base, &size) == 0)
				add_reserved(plat, base, size);
		} else if (!memory_seen && dt_prop_is(fdt, node, "device_type", "memory")) {
			memory_seen = true;
			if (dt_reg(&n, 0, &base, &size) == 0)
				plat->ram = (struct mem_range){base, size};
		} else {
			take_device(plat, &n, node == console);
		}
	}
}

int platform_parse(const void *fdt, struct platform *plat, char *err, size_t errlen)
{
	int len, n;

	memset(plat, 0, sizeof(*plat));
	char why[96];

	if (fdt_check_header(fdt)) {
		snprintf(err, errlen, "machine device tree at %p is not valid", fdt);
		return -1;
	}
	/* The firmware's tree is input too: checked whole before libfdt walks it (dtb_check.h). */
	if (dtb_check(fdt, fdt_totalsize(fdt), why, sizeof(why))) {
		snprintf(err, errlen, "machine device tree at %p: %s", fdt, why);
		return -1;
	}
	plat->fdt = fdt;
	plat->fdt_size = fdt_totalsize(fdt);
	const char *model = fdt_getprop(fdt, 0, "model", NULL);
	snprintf(plat->model, sizeof(plat->model), "%s", model ? model : "unknown");

	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		uint64_t base, size;
		if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0)
			add_reserved(plat, base, size);
	}
	walk(fdt, plat);
	if (!plat->ram.size) {
		snprintf(err, errlen, "machine device tree has no usable memory node");
		return -1;
	}
	n = arch_platform_cpus(fdt, &plat->arch, plat->cpus,
			       sizeof(plat->cpus) / sizeof(plat->cpus[0]), &plat->timebase_hz, err,
			       errlen);
	if (n < 0)
		return -1;
	plat->ncpus = n;
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
