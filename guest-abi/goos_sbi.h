/*
 * Making a call from a RISC-V guest in VS-mode: the SBI convention (a7 = extension, a6 =
 * function, arguments in a0..a5, error in a0 and value in a1) that both the goos ABI and the
 * standard SBI use. Shared by libgoos and gort.
 */
#ifndef GOOS_SBI_H
#define GOOS_SBI_H

#include "goos.h"

struct goos_ret {
	long error;	     /* GOOS_OK or a negative GOOS_ERR_* */
	unsigned long value; /* meaning depends on the call */
};

/* Any SBI-convention call: a7 = eid, a6 = fid. The hv may read or write guest memory the
 * arguments point at, hence the memory clobber. */
static inline struct goos_ret goos_sbi_call(unsigned long eid, unsigned long fid,
					    unsigned long arg0, unsigned long arg1,
					    unsigned long arg2, unsigned long arg3,
					    unsigned long arg4, unsigned long arg5)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a1 __asm__("a1") = arg1;
	register unsigned long a2 __asm__("a2") = arg2;
	register unsigned long a3 __asm__("a3") = arg3;
	register unsigned long a4 __asm__("a4") = arg4;
	register unsigned long a5 __asm__("a5") = arg5;
	register unsigned long a6 __asm__("a6") = fid;
	register unsigned long a7 __asm__("a7") = eid;

	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1)
			 : "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a6), "r"(a7)
			 : "memory");
	return (struct goos_ret){(long)a0, a1};
}

/* A goos ABI call (a7 = GOOS_EID). */
static inline struct goos_ret goos_call(unsigned long fid, unsigned long arg0, unsigned long arg1,
					unsigned long arg2, unsigned long arg3)
{
	return goos_sbi_call(GOOS_EID, fid, arg0, arg1, arg2, arg3, 0, 0);
}

#endif
