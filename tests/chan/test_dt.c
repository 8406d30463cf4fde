/* gchan_dt_read, the channel-node parser libgoos and gort share, on trees made here with libfdt:
 * the node the hv writes is read whole (both cell layouts), and each way a node can be malformed
 * is refused. */
#include <criterion/criterion.h>
#include <libfdt.h>
#include <string.h>

#include "gchan_dt.h"

/* What a test changes in the node the hv would write. */
struct node_opts {
	int cells;	       /* /goos's #address-cells and #size-cells: 2 unless set */
	int reg_len;	       /* bytes of reg: (2 x cells) x 4 unless set */
	const char *compat;    /* GOOS_CHAN_COMPATIBLE unless set */
	const char *role;      /* "driver" unless set; "" leaves it out */
	const char *name;      /* "vault" unless set; "" leaves it out */
	int id_len;	       /* 4 unless set; -1 leaves it out */
	bool name_two_strings; /* channel-name holds "a\0b\0" */
};

static char blob[4096];

/* /goos with one channel node at 0x40000000, 0x40000 bytes, id 3; returns the node's offset and
 * /goos's in *goos. */
static int make(const struct node_opts *o, int *goos)
{
	int cells = o->cells ? o->cells : 2;
	uint32_t reg[4] = {0}, id[2] = {cpu_to_fdt32(3), 0};
	const uint64_t base = 0x40000000, size = 0x40000;

	if (cells == 2) {
		reg[0] = cpu_to_fdt32(base >> 32);
		reg[1] = cpu_to_fdt32((uint32_t)base);
		reg[2] = cpu_to_fdt32(size >> 32);
		reg[3] = cpu_to_fdt32((uint32_t)size);
	} else {
		reg[0] = cpu_to_fdt32((uint32_t)base);
		reg[1] = cpu_to_fdt32((uint32_t)size);
	}
	cr_assert_eq(fdt_create(blob, sizeof(blob)), 0);
	cr_assert_eq(fdt_finish_reservemap(blob), 0);
	cr_assert_eq(fdt_begin_node(blob, ""), 0);
	cr_assert_eq(fdt_begin_node(blob, GOOS_DT_NODE), 0);
	cr_assert_eq(fdt_property_u32(blob, "#address-cells", (uint32_t)cells), 0);
	cr_assert_eq(fdt_property_u32(blob, "#size-cells", (uint32_t)cells), 0);
	cr_assert_eq(fdt_begin_node(blob, "channel@40000000"), 0);
	cr_assert_eq(
	    fdt_property_string(blob, "compatible", o->compat ? o->compat : GOOS_CHAN_COMPATIBLE),
	    0);
	cr_assert_eq(fdt_property(blob, "reg", reg, o->reg_len ? o->reg_len : 2 * cells * 4), 0);
	if (!o->role || *o->role)
		cr_assert_eq(fdt_property_string(blob, GOOS_CHAN_DT_ROLE,
						 o->role ? o->role : GOOS_CHAN_ROLE_DRIVER),
			     0);
	if (o->name_two_strings)
		cr_assert_eq(fdt_property(blob, GOOS_CHAN_DT_NAME, "a\0b", 4), 0);
	else if (!o->name || *o->name)
		cr_assert_eq(
		    fdt_property_string(blob, GOOS_CHAN_DT_NAME, o->name ? o->name : "vault"), 0);
	if (o->id_len >= 0)
		cr_assert_eq(fdt_property(blob, GOOS_CHAN_DT_ID, id, o->id_len ? o->id_len : 4), 0);
	cr_assert_eq(fdt_end_node(blob), 0);
	cr_assert_eq(fdt_end_node(blob), 0);
	cr_assert_eq(fdt_end_node(blob), 0);
	cr_assert_eq(fdt_finish(blob), 0);
	*goos = fdt_path_offset(blob, "/" GOOS_DT_NODE);
	cr_assert_geq(*goos, 0);
	int node = fdt_subnode_offset(blob, *goos, "channel@40000000");
	cr_assert_geq(node, 0);
	return node;
}

static bool read_with(const struct node_opts *o, struct gchan_dt *c)
{
	int goos, node = make(o, &goos);

	return gchan_dt_read(blob, goos, node, c);
}

static void well_formed(const struct node_opts *o, enum gchan_role role)
{
	struct gchan_dt c;

	cr_assert(read_with(o, &c));
	cr_assert_eq(c.base, 0x40000000);
	cr_assert_eq(c.size, 0x40000);
	cr_assert_eq(c.id, 3);
	cr_assert_eq(c.role, role);
	cr_assert_str_eq(c.name, "vault");
}

static void refused(const struct node_opts *o)
{
	struct gchan_dt c;

	cr_assert_not(read_with(o, &c));
}

Test(dt, the_node_the_hv_writes_is_read_whole)
{
	well_formed(&(struct node_opts){0}, GCHAN_DRIVER);
	well_formed(&(struct node_opts){.role = GOOS_CHAN_ROLE_DEVICE}, GCHAN_DEVICE);
	well_formed(&(struct node_opts){.cells = 1}, GCHAN_DRIVER);
}

Test(dt, a_malformed_node_is_refused)
{
	refused(&(struct node_opts){.compat = "gohv,channel-v9"});
	refused(&(struct node_opts){.reg_len = 12});
	refused(&(struct node_opts){.cells = 1, .reg_len = 16});
	refused(&(struct node_opts){.cells = 3, .reg_len = 16});
	refused(&(struct node_opts){.role = ""});
	refused(&(struct node_opts){.role = "both"});
	refused(&(struct node_opts){.name = ""});
	refused(&(struct node_opts){.name_two_strings = true});
	refused(&(struct node_opts){.id_len = -1});
	refused(&(struct node_opts){.id_len = 8});
}
