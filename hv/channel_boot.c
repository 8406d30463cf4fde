/* Channels at boot and at each start: building the windows and describing them to the ends
 * (channel.h). Cold code, built for size with the rest of boot. */
#include "channel.h"

#include <fmt.h>
#include <goos.h>
#include <string.h>

#include "chan_layout.h"
#include "guest_fdt.h"
#include "hv.h"

_Static_assert(CONFIG_CHAN_PAGE == PAGE_SIZE, "windows are mapped a page at a time");
_Static_assert(GOOS_INFO_BASE + GOOS_INFO_SIZE <= CHAN_AREA_BASE &&
		   CHAN_AREA_BASE + CHAN_AREA_SIZE <= GUEST_RAM_BASE,
	       "the channel area lies clear of the info page and of guest RAM");
_Static_assert(CONFIG_MAX_CHANNELS *CONFIG_CHAN_SIZE_MAX <= CHAN_AREA_SIZE,
	       "the area holds the most channels at the largest size");

#define refuse(c, ...)                                                                             \
	({                                                                                         \
		char __why[160];                                                                   \
		snprintf(__why, sizeof(__why), __VA_ARGS__);                                       \
		hv_log(CONSOLE_CHAN_REFUSED_FMT, (c)->cfg->name, __why);                           \
		-1;                                                                                \
	})

static void put64(uint8_t *h, unsigned off, uint64_t v)
{
	memcpy(h + off, &v, sizeof(v));
}

static void put32(uint8_t *h, unsigned off, uint32_t v)
{
	memcpy(h + off, &v, sizeof(v));
}

/* The header as the ends read it before either has started: every field but the ends' states and
 * generations is fixed from here on. */
static void header_init(const struct channel *c)
{
	const struct channel_config *cfg = c->cfg;
	uint8_t *h = c->window;
	struct chan_layout l;

	chan_layout(cfg->queues, cfg->queue_size, &l);
	put64(h, GOOS_CHAN_H_MAGIC, GOOS_CHAN_MAGIC);
	put32(h, GOOS_CHAN_H_VERSION, GOOS_CHAN_VERSION);
	put32(h, GOOS_CHAN_H_ID, c->id);
	put32(h, GOOS_CHAN_H_QUEUES, cfg->queues);
	put32(h, GOOS_CHAN_H_QSIZE, cfg->queue_size);
	put64(h, GOOS_CHAN_H_SIZE, cfg->size);
	memcpy(h + GOOS_CHAN_H_NAME, cfg->name, strlen(cfg->name));
	for (unsigned q = 0; q < GOOS_CHAN_MAX_QUEUES; q++) {
		unsigned at = GOOS_CHAN_H_QUEUE + q * GOOS_CHAN_H_QUEUE_STRIDE;

		put64(h, at, l.desc[q]);
		put64(h, at + 8, l.avail[q]);
		put64(h, at + 16, l.used[q]);
	}
	put64(h, GOOS_CHAN_H_POOL, l.pool);
	put64(h, GOOS_CHAN_H_POOL_SIZE, cfg->size - l.pool);
}

static void unmap_both(struct channel *c)
{
	for (unsigned r = 0; r < CHAN_ENDS; r++)
		stage2_unmap(&c->end[r]->s2, c->cfg->address, c->cfg->size);
}

/* Page 0, the header, read-only; the rest read-write; no execution from the window. */
static int map_end(struct channel *c, struct partition *p)
{
	uint64_t gpa = c->cfg->address;

	if (stage2_map(&p->s2, gpa, c->pa, PAGE_SIZE, S2_READ))
		return -1;
	return stage2_map(&p->s2, gpa + PAGE_SIZE, c->pa + PAGE_SIZE, c->cfg->size - PAGE_SIZE,
			  S2_READ | S2_WRITE);
}

static void describe(const struct channel *c)
{
	const struct channel_config *cfg = c->cfg;

	hv_log("channel %s (id %u): %s -> %s, %lu KiB at 0x%lx (host 0x%lx), %u queue(s) of %u",
	       cfg->name, c->id, c->end[CHAN_DRIVER]->cfg->name, c->end[CHAN_DEVICE]->cfg->name,
	       (unsigned long)(cfg->size >> 10), (unsigned long)cfg->address, (unsigned long)c->pa,
	       cfg->queues, cfg->queue_size);
}

static int create(struct channel *c)
{
	const struct channel_config *cfg = c->cfg;
	size_t npages = cfg->size / PAGE_SIZE;

	for (unsigned r = 0; r < CHAN_ENDS; r++) {
		c->end[r] = &hv.partitions[cfg->end[r]];
		if (c->end[r]->state == PART_REFUSED)
			return refuse(c, "its %s, partition %s, was refused",
				      chan_role_name((enum chan_role)r), c->end[r]->cfg->name);
	}
	c->pa = page_alloc(&hv.pages, npages, PAGE_SIZE);
	if (!c->pa)
		return refuse(c, "not enough free memory for its %lu KiB window",
			      (unsigned long)(cfg->size >> 10));
	c->window = arch_pa_to_va(c->pa);
	/* Whatever a previous boot or the firmware left there is not the channel's. */
	memset(c->window, 0, cfg->size);
	header_init(c);
	for (unsigned r = 0; r < CHAN_ENDS; r++) {
		if (map_end(c, c->end[r]) == 0)
			continue;
		unmap_both(c);
		page_free(&hv.pages, c->pa, npages);
		return refuse(c, "no memory for the stage-2 tables of partition %s",
			      c->end[r]->cfg->name);
	}
	c->up = true;
	for (unsigned r = 0; r < CHAN_ENDS; r++)
		c->end[r]->chan_owned |= 1UL << c->id;
	describe(c);
	return 0;
}

void channels_create(void)
{
	for (unsigned i = 0; i < hv.nchannels; i++) {
		struct channel *c = &hv.channels[i];

		memset(c, 0, sizeof(*c));
		c->cfg = &hv.config.channels[i];
		c->id = i;
		(void)create(c);
	}
}

int channel_fdt(const struct partition *p, void *fdt)
{
	for (unsigned id = 0; id < hv.nchannels; id++) {
		const struct channel *c = &hv.channels[id];

		if (!(p->chan_owned & (1UL << id)))
			continue;
		fdt64_t reg[2] = {cpu_to_fdt64(c->cfg->address), cpu_to_fdt64(c->cfg->size)};
		char name[40];

		snprintf(name, sizeof(name), GOOS_CHAN_DT_NODE "@%lx",
			 (unsigned long)c->cfg->address);
		FDT_TRY(fdt_begin_node(fdt, name));
		FDT_TRY(fdt_property_string(fdt, "compatible", GOOS_CHAN_COMPATIBLE));
		FDT_TRY(fdt_property(fdt, "reg", reg, sizeof(reg)));
		FDT_TRY(fdt_property_string(fdt, GOOS_CHAN_DT_NAME, c->cfg->name));
		FDT_TRY(fdt_property_u32(fdt, GOOS_CHAN_DT_ID, c->id));
		FDT_TRY(fdt_property_string(fdt, GOOS_CHAN_DT_ROLE,
					    chan_role_name(channel_role(c, p))));
		FDT_TRY(fdt_end_node(fdt));
	}
	return 0;
}
