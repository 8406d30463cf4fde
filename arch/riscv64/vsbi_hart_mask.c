/* The (hart_mask, hart_mask_base) pair SBI names a set of harts with: bit i of the mask is hart
 * base + i, and the base SBI_HART_MASK_BASE_ALL is every hart. */
#include "hv/port.h"
#include "vsbi.h"

enum hv_err vsbi_each_hart(struct vcpu *v, unsigned long mask, unsigned long base,
			   void (*fn)(struct vcpu *v, struct vcpu *target))
{
	if (base == SBI_HART_MASK_BASE_ALL) {
		for (unsigned i = 0; i < vcpu_count(v); i++)
			fn(v, vcpu_sibling(v, i));
		return HV_OK;
	}
	/* Every target is checked before any is touched: a call refused does nothing. */
	for (unsigned bit = 0; bit < 64 && mask >> bit; bit++) {
		if (!((mask >> bit) & 1))
			continue;
		/* A base near 2^64 must not wrap round to vCPU 0. */
		if (base + bit < base || !vcpu_sibling(v, base + bit))
			return HV_ERR_INVALID_PARAM;
	}
	for (unsigned bit = 0; bit < 64 && mask >> bit; bit++)
		if ((mask >> bit) & 1)
			fn(v, vcpu_sibling(v, base + bit));
	return HV_OK;
}
