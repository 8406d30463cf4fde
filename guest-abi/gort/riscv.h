/* The few RISC-V CSRs gort touches, as seen from VS-mode (the hardware redirects them to the vs*
 * registers). */
#ifndef GORT_RISCV_H
#define GORT_RISCV_H

#define CSR_SSTATUS    0x100
#define CSR_SIE	       0x104
#define CSR_STVEC      0x105
#define CSR_SCOUNTEREN 0x106
#define CSR_SSCRATCH   0x140
#define CSR_SIP	       0x144
#define CSR_STIMECMP   0x14d
#define CSR_SATP       0x180
#define CSR_TIME       0xc01

#define SSTATUS_SIE	   (1UL << 1)
#define SSTATUS_SPIE	   (1UL << 5)
#define SSTATUS_SPP	   (1UL << 8)
#define SSTATUS_FS	   (3UL << 13)
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_SUM	   (1UL << 18)
#define SIP_SSIP	   (1UL << 1)
#define SIE_SSIE	   (1UL << 1)
#define SIE_STIE	   (1UL << 5)
#define SIE_SEIE	   (1UL << 9)

#define SCAUSE_IRQ	     (1UL << 63)
#define IRQ_SOFT	     1
#define IRQ_TIMER	     5
#define IRQ_EXT		     9
#define EXC_INST_MISALIGNED  0
#define EXC_ILLEGAL	     2
#define EXC_BREAKPOINT	     3
#define EXC_LOAD_MISALIGNED  4
#define EXC_STORE_MISALIGNED 6
#define EXC_ECALL_U	     8
#define EXC_INST_PAGE_FAULT  12
#define EXC_LOAD_PAGE_FAULT  13
#define EXC_STORE_PAGE_FAULT 15

#define __str1(x) #x
#define __str(x)  __str1(x)
#define csr_read(c)                                                                                \
	({                                                                                         \
		unsigned long __v;                                                                 \
		__asm__ __volatile__("csrr %0, " __str(c) : "=r"(__v)::"memory");                  \
		__v;                                                                               \
	})
#define csr_write(c, v)                                                                            \
	__asm__ __volatile__("csrw " __str(c) ", %0" ::"r"((unsigned long)(v)) : "memory")
#define csr_set(c, v)                                                                              \
	__asm__ __volatile__("csrs " __str(c) ", %0" ::"r"((unsigned long)(v)) : "memory")
#define csr_clear(c, v)                                                                            \
	__asm__ __volatile__("csrc " __str(c) ", %0" ::"r"((unsigned long)(v)) : "memory")

static inline void sfence_vma_all(void)
{
	__asm__ __volatile__("sfence.vma" ::: "memory");
}

#endif
