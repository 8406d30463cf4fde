/* How the hv reaches physical memory (hv/arch.h's pa_to_va seam). The hv runs with translation
 * off (satp bare), so a physical address is its own pointer. A port whose hv must run translated
 * (arm64 at EL2 maps RAM to get Normal, cacheable memory and working atomics) translates here. */
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
