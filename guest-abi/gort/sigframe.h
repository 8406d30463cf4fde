/*
 * The Linux riscv64 signal ABI as user memory sees it: the sigaction and stack_t of the system
 * calls, and the frame signal delivery pushes (arch/riscv/kernel/signal.c: struct rt_sigframe
 * { siginfo; ucontext; }). Go's runtime reads and rewrites the ucontext (async preemption moves
 * its pc), so these layouts must match the kernel's byte for byte; the static asserts pin them.
 */
#ifndef GORT_SIGFRAME_H
#define GORT_SIGFRAME_H

#include <stddef.h>
#include <stdint.h>

#define SS_AUTODISARM (1U << 31)
#define SI_KERNEL     0x80
#define SI_TIMER      (-2)
#define SIGSETSIZE    8 /* the kernel's sigset_t: one 64-bit word, bit sig - 1 */

/* rt_sigaction's struct sigaction on riscv64: no sa_restorer (the vDSO's __vdso_rt_sigreturn is
 * always the return path). */
struct linux_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t mask;
};

struct linux_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

/* The first fields of siginfo; the union after the 16-byte preamble is padded to 128 bytes. */
struct linux_siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t pad;
	union {
		uint64_t addr; /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
		struct {
			int32_t pid;
			uint32_t uid;
		} kill; /* SI_USER, SI_TKILL */
		uint8_t bytes[112];
	} fields;
};

/* union __riscv_fp_state: the d variant is what Linux fills; the q variant sets the size. */
union linux_fp_state {
	struct {
		uint64_t f[32];
		uint32_t fcsr;
	} d;
	struct {
		uint64_t f[64] __attribute__((aligned(16)));
		uint32_t fcsr;
		uint32_t reserved[3]; /* must be zero: rt_sigreturn rejects anything else */
	} q;
};

struct linux_sigcontext {
	uint64_t sc_regs[32]; /* user_regs_struct: pc, ra, sp, gp, tp, t0-2, s0-1, a0-7, ... */
	union linux_fp_state sc_fpregs;
};

struct linux_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct linux_stack uc_stack;
	uint64_t uc_sigmask;
	uint8_t unused[1024 / 8 - SIGSETSIZE]; /* room for a larger sigset_t */
	struct linux_sigcontext uc_mcontext;   /* 16-aligned: offset 176 */
};

struct rt_sigframe {
	struct linux_siginfo info;
	struct linux_ucontext uc;
};

_Static_assert(sizeof(struct linux_sigaction) == 24, "riscv64 sigaction has no restorer");
_Static_assert(sizeof(struct linux_stack) == 24, "stack_t");
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo is 128 bytes");
_Static_assert(offsetof(struct linux_siginfo, fields.addr) == 16, "si_addr");
_Static_assert(sizeof(union linux_fp_state) == 528, "__riscv_fp_state (q variant)");
_Static_assert(offsetof(struct linux_sigcontext, sc_fpregs) == 256, "sc_fpregs");
_Static_assert(offsetof(struct linux_ucontext, uc_sigmask) == 40, "uc_sigmask");
_Static_assert(offsetof(struct linux_ucontext, uc_mcontext) == 176, "uc_mcontext");
_Static_assert(sizeof(struct linux_ucontext) == 960, "ucontext");
_Static_assert(offsetof(struct rt_sigframe, uc) == 128, "rt_sigframe.uc");
_Static_assert(sizeof(struct rt_sigframe) == 1088, "rt_sigframe");
_Static_assert(sizeof(struct rt_sigframe) % 16 == 0, "frames keep sp 16-aligned");

#endif
