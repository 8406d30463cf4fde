/* The goos ABI calls gort makes (guest-abi/README.md). */
#ifndef GORT_GOOS_CALL_H
#define GORT_GOOS_CALL_H

#include <goos.h>

struct goos_result {
	long error;
	unsigned long value;
};

static inline struct goos_result goos_call6(unsigned long eid, unsigned long fid, unsigned long a0,
					    unsigned long a1, unsigned long a2, unsigned long a3)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r3 __asm__("a3") = a3;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = eid;

	__asm__ __volatile__("ecall"
			     : "+r"(r0), "+r"(r1)
			     : "r"(r2), "r"(r3), "r"(r6), "r"(r7)
			     : "memory");
	return (struct goos_result){(long)r0, r1};
}

static inline struct goos_result goos(unsigned long fid, unsigned long a0, unsigned long a1,
				      unsigned long a2, unsigned long a3)
{
	return goos_call6(GOOS_EID, fid, a0, a1, a2, a3);
}

#endif
