/*
 * What start.S knows of gort's C structures, generated into asm-offsets.h (gort.mk) so that a
 * change to a struct moves the assembly with it. The asserts pin what the assembly cannot
 * express: the width of each access it makes.
 */
#include <asm_export.h>

#include "gort.h"
#include "riscv.h"

#define FIELD_SIZE(type, member) sizeof(((type *)0)->member)

_Static_assert(FIELD_SIZE(struct cpu, cur) == 8 && FIELD_SIZE(struct cpu, scratch) == 8 &&
		   FIELD_SIZE(struct cpu, kstack_top) == 8,
	       "start.S moves these with ld/sd");
_Static_assert(FIELD_SIZE(struct uregs, gregs[0]) == 8, "start.S saves the GPRs with sd");
_Static_assert(FIELD_SIZE(struct uregs, fpr[0]) == 8, "start.S saves the FPRs with fsd");
_Static_assert(FIELD_SIZE(struct uregs, fcsr) == 4, "start.S saves fcsr with sw");
_Static_assert(FIELD_SIZE(struct thread, pid) == 4, "start.S's getpid loads it with lw");

void asm_offsets(void);

void asm_offsets(void)
{
	/* struct cpu, in tp or sscratch */
	ASM_OFFSET(CPU_CUR, struct cpu, cur);
	ASM_OFFSET(CPU_SCRATCH, struct cpu, scratch);
	ASM_OFFSET(CPU_KSTACK_TOP, struct cpu, kstack_top);
	/* the running thread's registers: gregs[0] is the pc, gregs[n] is xn */
	ASM_OFFSET(THREAD_GREGS, struct thread, regs.gregs);
	ASM_OFFSET(THREAD_PID, struct thread, pid);
	/* struct uregs, for gort_user_return and the FP save and restore */
	ASM_OFFSET(UREGS_GREGS, struct uregs, gregs);
	ASM_OFFSET(UREGS_FPR, struct uregs, fpr);
	ASM_OFFSET(UREGS_FCSR, struct uregs, fcsr);
	ASM_CONST(REG_SIZE, FIELD_SIZE(struct uregs, gregs[0]));
	/* the kernel stacks, one per vCPU */
	ASM_CONST(KSTACK_SIZE, GORT_KSTACK_SIZE);
	ASM_CONST(MAX_VCPUS, GORT_MAX_VCPUS);
	/* the null system call the trap vector answers */
	ASM_CONST(SCAUSE_ECALL_U, EXC_ECALL_U);
	ASM_CONST(NR_GETPID, GORT_NR_GETPID);
}
