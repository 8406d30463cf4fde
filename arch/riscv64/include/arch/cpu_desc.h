/* What the RISC-V port keeps about each hart of the machine: its ISA string from the device tree,
 * which decides whether the hart can run guests (the H extension) and what its guests are told,
 * and where an ACLINT SSWI lets the hv raise its supervisor software interrupt directly. */
#ifndef GOHV_ARCH_CPU_DESC_H
#define GOHV_ARCH_CPU_DESC_H

#include <stdint.h>

struct arch_cpu_desc {
	char isa[64];  /* "riscv,isa", cut to fit; "" if the node has none */
	uint64_t sswi; /* physical address of its SSWI SETSSIP register; 0: kicks go through SBI */
};

/* What the port takes from the rest of the machine's tree on the core's one pass over it
 * (arch_platform_node): the ACLINT SSWI, and the hart interrupt controllers it names in order. */
#define ARCH_SSWI_MAX_HARTS 64
struct arch_platform {
	uint64_t sswi_base, sswi_size; /* size 0: the machine has none */
	uint32_t sswi_intc[ARCH_SSWI_MAX_HARTS];
	unsigned sswi_n;
};

#endif
