/* The host port's pa_to_va seam: unit tests hand the core ordinary pointers as "physical"
 * addresses, so the translation is the identity. */
#ifndef GOHV_ARCH_MEM_H
#define GOHV_ARCH_MEM_H

#include <stdint.h>

static inline void *arch_pa_to_va(uint64_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline uint64_t arch_va_to_pa(const void *va)
{
	return (uint64_t)(uintptr_t)va;
}

#endif
