#include "platform.h"

#include <fmt.h>
#include <libfdt.h>
#include <string.h>

#include <dt_scan.h>
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

/* What the walk reads of every node, in one pass over its properties (devices/dt_scan.h says why
 * not fdt_getprop). */
struct node_props {
	const char *compat, *status, *device_type;
	int compat_len, status_len, device_type_len;
	int cells[2]; /* #address-cells, #size-cells, as fdt_address_cells/fdt_size_cells give */
};

/* fdt_cells' rules: one cell, at most FDT_MAX_NCELLS; a zero #address-cells is as bad. */
static int cells_of(const void *v, int len, bool address)
{
	uint32_t c = len == 4 ? fdt32_to_cpu(*(const fdt32_t *)v) : FDT_MAX_NCELLS + 1;

	return c > FDT_MAX_NCELLS || (address && !c) ? -FDT_ERR_BADNCELLS : (int)c;
}

static void node_props(struct dt_scan *scan, struct node_props *np)
{
	const char *name;
	const void *v;
	int len;
	bool seen_ac = false, seen_sc = false;

	memset(np, 0, sizeof(*np));
	np->cells[0] = 2; /* libfdt's defaults when absent */
	np->cells[1] = 1;
	while (dt_scan_prop(scan, &name, &v, &len)) {
		/* The first of a name counts, as fdt_getprop's would. The first letter first: most
		 * properties are none of these. */
		if (name[0] == 'c' && !np->compat && !strcmp(name, "compatible")) {
			np->compat = v;
			np->compat_len = len;
		} else if (name[0] == 's' && !np->status && !strcmp(name, "status")) {
			np->status = v;
			np->status_len = len;
		} else if (name[0] == 'd' && !np->device_type && !strcmp(name, "device_type")) {
			np->device_type = v;
			np->device_type_len = len;
		} else if (name[0] != '#') {
			continue;
		} else if (!seen_ac && !strcmp(name, "#address-cells")) {
			seen_ac = true;
			np->cells[0] = cells_of(v, len, true);
		} else if (!seen_sc && !strcmp(name, "#size-cells")) {
			seen_sc = true;
			np->cells[1] = cells_of(v, len, false);
		}
	}
}

/* Whether a node's name is the one a path component names: the whole name, or the name before
 * the unit address (fdt_path_offset's rule). */
static bool name_is(const char *name, int len, const char *want)
{
	size_t n = strlen(want);

	return (size_t)len >= n && !memcmp(name, want, n) && ((size_t)len == n || name[n] == '@');
}

/* The node /chosen/stdout-path names, or a negative libfdt error. The path may carry options
 * after ':' ("/soc/serial@10000000:115200") and may be an alias. */
static int stdout_node(const void *fdt, int chosen)
{
	int len;
	const char *path = dt_getprop(fdt, chosen, "stdout-path", &len);

	if (!path || len <= 0)
		return -FDT_ERR_NOTFOUND;
	int n = (int)strnlen(path, len);
	const char *colon = memchr(path, ':', n);
	return dt_path_namelen(fdt, path, colon ? colon - path : n);
}

/* Offers an enabled node to each class of driver. The first device of a class is taken, except
 * that the console stdout-path names replaces an earlier one. */
static void take_device(struct platform *plat, const struct dt_node *n, const struct node_props *np,
			bool is_stdout)
{
	const char *compat = np->compat;
	int len = np->compat_len;
	const struct console_dev_ops *con;
	const struct intc_dev_ops *intc;
	const struct rtc_dev_ops *rtc;
	union dev_state st;

	if (!compat || !dt_status_ok(np->status, np->status_len))
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

/* RAM, reserved ranges and devices in one pass, each node's properties read once. libfdt finds a
 * node's parent only by rescanning from the root, so the walk keeps each level's cell sizes for
 * the reg of the level below. The console's node is looked up first (/chosen may come after it). */
static void walk(const void *fdt, struct platform *plat, int console)
{
	int cells[WALK_DEPTH][2], offsets[WALK_DEPTH], resv = -1, depth, namelen;
	bool memory_seen = false;
	uint64_t base, size;
	struct node_props np;
	struct dt_scan scan;
	const char *name;

	dt_scan_init(&scan, fdt);
	for (int node; (node = dt_scan_node(&scan, &depth, &name, &namelen)) >= 0;) {
		if (depth >= WALK_DEPTH)
			continue;
		node_props(&scan, &np);
		offsets[depth] = node;
		cells[depth][0] = np.cells[0];
		cells[depth][1] = np.cells[1];
		if (depth == 0)
			continue;
		const struct dt_node n = {fdt, node, cells[depth - 1][0], cells[depth - 1][1]};

		if (depth == 1 && resv < 0 && name_is(name, namelen, "reserved-memory"))
			resv = node;
		if (depth == 2 && offsets[1] == resv) {
			if (dt_reg(&n, 0, &base, &size) == 0)
				add_reserved(plat, base, size);
		} else if (!memory_seen &&
			   dt_value_is(np.device_type, np.device_type_len, "memory")) {
			memory_seen = true;
			if (dt_reg(&n, 0, &base, &size) == 0)
				plat->ram = (struct mem_range){base, size};
		} else {
			take_device(plat, &n, &np, node == console);
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
	const char *model = dt_getprop(fdt, 0, "model", NULL);
	snprintf(plat->model, sizeof(plat->model), "%s", model ? model : "unknown");

	for (int i = 0; i < fdt_num_mem_rsv(fdt); i++) {
		uint64_t base, size;
		if (fdt_get_mem_rsv(fdt, i, &base, &size) == 0)
			add_reserved(plat, base, size);
	}
	int chosen = dt_path(fdt, "/chosen");
	walk(fdt, plat, stdout_node(fdt, chosen));
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
	const void *seed = dt_getprop(fdt, chosen, "rng-seed", &len);
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
