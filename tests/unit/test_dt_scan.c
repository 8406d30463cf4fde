/*
 * devices/dt_scan against libfdt on the test machine's tree: the same nodes in the same order at
 * the same offsets and depths, each with the properties fdt_for_each_property_offset gives; and a
 * blob cut short or with a property running past its block ends the pass without reading past.
 */
#include <criterion/criterion.h>
#include <libfdt.h>
#include <string.h>

#include "devices/dt_scan.h"
#include "machine_fdt.h"

static uint64_t blob[MACHINE_FDT_SIZE / 8];

Test(dt_scan, agrees_with_libfdt_node_for_node_and_property_for_property)
{
	struct mopts o = {.sswi = true, .second_uart = true};
	struct dt_scan s;
	int depth = 0, d, namelen, nodes = 0, props = 0;
	const char *name;

	machine_fdt_build(blob, &o);
	dt_scan_init(&s, blob);
	for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(blob, node, &depth)) {
		int off = dt_scan_node(&s, &d, &name, &namelen), p, len, want_len;
		const char *fname = fdt_get_name(blob, node, &want_len), *pname, *want_name;
		const void *v, *want;

		cr_assert_eq(off, node, "node %d: %d, libfdt %d (%s)", nodes, off, node,
			     fdt_get_name(blob, node, NULL));
		cr_assert_eq(d, depth, "depth of %s", fname);
		cr_assert_eq(namelen, want_len);
		cr_assert_eq(memcmp(name, fname, namelen), 0);
		fdt_for_each_property_offset(p, blob, node)
		{
			want = fdt_getprop_by_offset(blob, p, &want_name, &want_len);
			cr_assert(dt_scan_prop(&s, &pname, &v, &len), "%s: %s missing", fname,
				  want_name);
			cr_assert_str_eq(pname, want_name);
			cr_assert_eq(v, want);
			cr_assert_eq(len, want_len);
			props++;
		}
		cr_assert_not(dt_scan_prop(&s, &pname, &v, &len), "%s: a property too many", fname);
		nodes++;
	}
	cr_assert_lt(dt_scan_node(&s, &d, &name, &namelen), 0, "a node after the end");
	cr_assert_gt(nodes, 10);
	cr_assert_gt(props, 30);
}

Test(dt_scan, a_property_past_the_block_ends_the_pass)
{
	struct mopts o = {0};
	struct dt_scan s;
	int d, namelen, len, n = 0;
	const char *name, *pname;
	const void *v;

	machine_fdt_build(blob, &o);
	dt_scan_init(&s, blob);
	/* The root's first property claims more bytes than the structure block holds. */
	uint8_t *st = (uint8_t *)blob + fdt_off_dt_struct(blob);
	int first = fdt_first_property_offset(blob, 0);
	cr_assert_geq(first, 0);
	*(fdt32_t *)(st + first + 4) = cpu_to_fdt32(fdt_size_dt_struct(blob));
	cr_assert_eq(dt_scan_node(&s, &d, &name, &namelen), 0);
	cr_assert_not(dt_scan_prop(&s, &pname, &v, &len));
	while (dt_scan_node(&s, &d, &name, &namelen) >= 0)
		n++;
	cr_assert_eq(n, 0, "the pass went on past a property it could not step over");
}
