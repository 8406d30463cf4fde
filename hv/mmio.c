/* Emulated MMIO: a partition's regions and the dispatch of a decoded access to its model. */
#include "mmio.h"

#include <fmt.h>

#include "hv.h"

/* [a, a+as) and [b, b+bs) share a byte (neither wraps). */
static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

enum hv_err mmio_register(struct partition *p, struct mmio_region *r)
{
	struct mmio_region **at = &p->mmio;

	if (!r->size || r->base + r->size < r->base || r->base + r->size > stage2_limit() ||
	    !r->ops || !r->ops->read || overlaps(r->base, r->size, p->ram_gpa, p->ram_size))
		return HV_ERR_INVALID_ADDR;
	for (struct mmio_region *q = p->mmio; q; q = q->next)
		if (overlaps(r->base, r->size, q->base, q->size))
			return HV_ERR_INVALID_ADDR;
	while (*at && (*at)->base < r->base)
		at = &(*at)->next;
	r->next = *at;
	*at = r;
	return HV_OK;
}

const struct mmio_region *mmio_find(const struct partition *p, uint64_t gpa)
{
	for (const struct mmio_region *r = p->mmio; r && r->base <= gpa; r = r->next)
		if (gpa - r->base < r->size)
			return r;
	return NULL;
}

static const char *refusal(enum hv_err e)
{
	switch (e) {
	case HV_ERR_INVALID_ADDR:
		return "misaligned";
	case HV_ERR_INVALID_PARAM:
		return "no such register or width";
	case HV_ERR_DENIED:
		return "not allowed";
	default:
		return "failed";
	}
}

enum vcpu_exit mmio_dispatch(struct vcpu *v, struct mmio_access *a)
{
	const struct mmio_region *r = mmio_find(v->part, a->gpa);
	const char *why;
	char what[96];

	if (!r)
		return vcpu_fault(v,
				  a->write ? "store outside partition memory"
					   : "load outside partition memory",
				  a->pc, a->gpa);
	uint64_t off = a->gpa - r->base;
	uint64_t mask = a->width >= 8 ? ~0ULL : (1ULL << (a->width * 8)) - 1;
	uint64_t value = 0;
	enum hv_err e;

	if (a->width != 1 && a->width != 2 && a->width != 4 && a->width != 8)
		why = "unsupported width";
	else if (a->width > r->size - off)
		why = "crosses the region's end";
	else if (a->write && !r->ops->write)
		why = "read-only";
	else {
		e = a->write ? r->ops->write(r->ctx, v, off, a->width, a->value & mask)
			     : r->ops->read(r->ctx, v, off, a->width, &value);
		if (e == HV_OK) {
			if (!a->write)
				a->value = value & mask;
			return EXIT_RESUME;
		}
		why = refusal(e);
	}
	snprintf(what, sizeof(what), "%u-byte %s %s refused: %s", a->width,
		 a->write ? "store to" : "load from", r->ops->name, why);
	return vcpu_fault(v, what, a->pc, a->gpa);
}

const struct mmio_region *vcpu_mmio_find(const struct vcpu *v, uint64_t gpa)
{
	return mmio_find(v->part, gpa);
}
