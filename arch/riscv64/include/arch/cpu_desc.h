/* What the RISC-V port keeps about each hart of the machine: its ISA string from the device tree,
 * which decides whether the hart can run guests (the H extension) and what its guests are told. */
#ifndef GOHV_ARCH_CPU_DESC_H
#define GOHV_ARCH_CPU_DESC_H

struct arch_cpu_desc {
	char isa[64]; /* "riscv,isa", cut to fit; "" if the node has none */
};

#endif
