/* The info page: the partition's facts as registers, read through emulated MMIO. */
#include "info_page.h"

#include <fmt.h>
#include <goos.h>
#include <libfdt.h>

#include "guest_fdt.h"
#include "hv.h"
#include "mmio.h"

/* The 8-byte slot holding off (naturally aligned reads never span two). */
static uint64_t slot(const struct partition *p, const struct vcpu *v, uint64_t off)
{
	switch (off & ~7UL) {
	case GOOS_INFO_MAGIC:
		return GOOS_INFO_MAGIC_VALUE;
	case GOOS_INFO_VERSION: /* and GOOS_INFO_PARTITION */
		return GOOS_INFO_ABI_VERSION | (uint64_t)p->index << 32;
	case GOOS_INFO_VCPUS: /* and GOOS_INFO_VCPU_ID */
		return p->nvcpus | (uint64_t)v->id << 32;
	case GOOS_INFO_RESTARTS:
		return p->restarts;
	case GOOS_INFO_RAM_BASE:
		return p->ram_gpa;
	case GOOS_INFO_RAM_SIZE:
		return p->ram_size;
	case GOOS_INFO_TIMEBASE:
		return hv.plat.timebase_hz;
	default:
		return 0; /* reserved */
	}
}

static enum hv_err info_read(void *ctx, struct vcpu *v, uint64_t off, unsigned width,
			     uint64_t *value)
{
	if (width != 1 && width != 2 && width != 4 && width != 8)
		return HV_ERR_INVALID_PARAM;
	if (off & (width - 1))
		return HV_ERR_INVALID_ADDR;
	*value = slot(ctx, v, off) >> (off & 7) * 8;
	return HV_OK;
}

static const struct mmio_ops info_ops = {
    .name = "info page",
    .read = info_read,
};

enum hv_err info_page_attach(struct partition *p)
{
	p->info_mmio = (struct mmio_region){
	    .base = GOOS_INFO_BASE,
	    .size = GOOS_INFO_SIZE,
	    .ops = &info_ops,
	    .ctx = p,
	};
	return mmio_register(p, &p->info_mmio);
}

int info_page_fdt(const struct partition *p, void *fdt)
{
	char name[32];
	fdt64_t reg[2] = {cpu_to_fdt64(p->info_mmio.base), cpu_to_fdt64(p->info_mmio.size)};

	if (!p->info_mmio.size)
		return 0;
	snprintf(name, sizeof(name), GOOS_INFO_DT_NODE "@%lx", (unsigned long)p->info_mmio.base);
	FDT_TRY(fdt_begin_node(fdt, name));
	FDT_TRY(fdt_property_string(fdt, "compatible", GOOS_INFO_COMPATIBLE));
	FDT_TRY(fdt_property(fdt, "reg", reg, sizeof(reg)));
	return fdt_end_node(fdt);
}
