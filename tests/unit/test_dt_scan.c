/*
 * devices/dt_scan against libfdt on the test machine's tree: the same nodes in the same order at
 * the same offsets and depths, each with the properties fdt_for_each_property_offset gives; and a
 * blob cut short or with a property running past its block ends the pass without reading past.
 */
#include <criterion/criterion.h>
#include <libfdt.h>
#include <string.h>

#include <dt_scan.h>
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

/* Every lookup against libfdt's, node by node on the test machine's tree: each property by name
 * (the same pointer and length) and a name no node has, the name, the first child and the next
 * sibling, each child by its whole name and by the name before its unit address, the node's own
 * path, and compatible checks. */
Test(dt_scan, lookups_agree_with_libfdt_on_every_node)
{
	struct mopts o = {.sswi = true, .second_uart = true};
	int depth = 0, nodes = 0, len;

	machine_fdt_build(blob, &o);
	for (int node = 0; node >= 0 && depth >= 0; node = fdt_next_node(blob, node, &depth)) {
		int p, want_len, child;
		const char *fname = fdt_get_name(blob, node, &want_len), *pname;
		char path[256];

		cr_assert_eq(dt_get_name(blob, node, &len), fname);
		cr_assert_eq(len, want_len);
		fdt_for_each_property_offset(p, blob, node)
		{
			const void *want = fdt_getprop_by_offset(blob, p, &pname, &want_len);

			/* The first of a name, as fdt_getprop: the tree has no repeated names. */
			cr_assert_eq(dt_getprop(blob, node, pname, &len), want, "%s: %s", fname,
				     pname);
			cr_assert_eq(len, want_len);
			cr_assert_eq(
			    dt_getprop_namelen(blob, node, pname, (int)strlen(pname) - 1, &len),
			    fdt_getprop_namelen(blob, node, pname, (int)strlen(pname) - 1,
						&want_len));
			cr_assert_eq(len, want_len, "%s: %.*s", fname, (int)strlen(pname) - 1,
				     pname);
		}
		cr_assert_null(dt_getprop(blob, node, "no-such-property", &len));
		cr_assert_eq(len, -FDT_ERR_NOTFOUND);
		cr_assert_eq(dt_first_child(blob, node), fdt_first_subnode(blob, node), "%s",
			     fname);
		cr_assert_eq(dt_next_sibling(blob, node),
			     node ? fdt_next_subnode(blob, node) : -FDT_ERR_NOTFOUND, "%s", fname);
		fdt_for_each_subnode(child, blob, node)
		{
			const char *cname = fdt_get_name(blob, child, &len);
			const char *at = memchr(cname, '@', len);

			cr_assert_eq(dt_child(blob, node, cname), child, "%s in %s", cname, fname);
			if (at)
				cr_assert_eq(dt_child_namelen(blob, node, cname, (int)(at - cname)),
					     fdt_subnode_offset_namelen(blob, node, cname,
									(int)(at - cname)),
					     "%.*s in %s", (int)(at - cname), cname, fname);
		}
		cr_assert_eq(dt_child(blob, node, "no-such-node"), -FDT_ERR_NOTFOUND);
		cr_assert_eq(fdt_get_path(blob, node, path, sizeof(path)), 0);
		cr_assert_eq(dt_path(blob, path), node, "%s", path);
		cr_assert_eq(dt_node_check_compatible(blob, node, "ns16550a"),
			     fdt_node_check_compatible(blob, node, "ns16550a"), "%s", path);
		nodes++;
	}
	cr_assert_gt(nodes, 10);
	cr_assert_eq(dt_path(blob, "/soc/no-such-node"), -FDT_ERR_NOTFOUND);
	cr_assert_eq(dt_path(blob, "//soc//"), fdt_path_offset(blob, "//soc//"));
	/* Offsets that are no node's. */
	cr_assert_null(dt_getprop(blob, 4, "reg", &len));
	cr_assert_eq(len, -FDT_ERR_BADOFFSET);
	cr_assert_eq(dt_first_child(blob, -1), -FDT_ERR_BADOFFSET);
	cr_assert_eq(dt_next_sibling(blob, 1 << 20), -FDT_ERR_BADOFFSET);
	cr_assert_null(dt_get_name(blob, 6, &len));
}

Test(dt_scan, a_path_through_an_alias_is_libfdts)
{
	static uint64_t b[512];

	cr_assert_eq(fdt_create(b, sizeof(b)), 0);
	cr_assert_eq(fdt_finish_reservemap(b), 0);
	cr_assert_eq(fdt_begin_node(b, ""), 0);
	cr_assert_eq(fdt_begin_node(b, "aliases"), 0);
	cr_assert_eq(fdt_property_string(b, "serial0", "/soc/serial@10000000"), 0);
	cr_assert_eq(fdt_property_string(b, "broken", "soc"), 0);
	cr_assert_eq(fdt_end_node(b), 0);
	cr_assert_eq(fdt_begin_node(b, "soc"), 0);
	cr_assert_eq(fdt_begin_node(b, "serial@10000000"), 0);
	cr_assert_eq(fdt_begin_node(b, "port"), 0);
	cr_assert_eq(fdt_end_node(b), 0);
	cr_assert_eq(fdt_end_node(b), 0);
	cr_assert_eq(fdt_end_node(b), 0);
	cr_assert_eq(fdt_end_node(b), 0);
	cr_assert_eq(fdt_finish(b), 0);
	int serial = fdt_path_offset(b, "/soc/serial");

	cr_assert_geq(serial, 0);
	cr_assert_eq(dt_path(b, "serial0"), serial);
	cr_assert_eq(dt_path(b, "serial0/port"), fdt_path_offset(b, "serial0/port"));
	cr_assert_eq(dt_path_namelen(b, "serial0:115200", 7), serial);
	cr_assert_eq(dt_path(b, "serial1"), -FDT_ERR_BADPATH);
	cr_assert_eq(dt_path(b, "broken"), -FDT_ERR_BADPATH);
}

Test(dt_scan, a_name_running_past_the_strings_block_is_not_read)
{
	struct mopts o = {0};
	struct dt_scan s;
	int d, namelen, len, names = 0;
	const char *name, *pname;
	const void *v;

	machine_fdt_build(blob, &o);
	/* The last name in the block loses its NUL. */
	char *str = (char *)blob + fdt_off_dt_strings(blob);
	uint32_t str_len = fdt_size_dt_strings(blob);
	const char *last = str + str_len - 2;

	while (last > str && last[-1])
		last--;
	str[str_len - 1] = 'x';
	dt_scan_init(&s, blob);
	while (dt_scan_node(&s, &d, &name, &namelen) >= 0) {
		while (dt_scan_prop(&s, &pname, &v, &len)) {
			cr_assert_lt(strnlen(pname, str + str_len - pname),
				     (size_t)(str + str_len - pname));
			cr_assert_neq(pname, last);
			names++;
		}
	}
	cr_assert_gt(names, 10);
}
