/* The host fake describes the machine's CPUs as the RISC-V port does: the unit tests run that
 * port's device tree code (arch/riscv64/platform.c, guest_fdt.c) against the core, as they run its
 * stage2.c, since it touches no CSR. */
#include "arch/riscv64/include/arch/cpu_desc.h"
