/* The goos ABI and SBI calls gort makes (guest-abi/README.md). */
#ifndef GORT_GOOS_CALL_H
#define GORT_GOOS_CALL_H

#include <goos.h>
#include <goos_sbi.h>

/* A standard SBI call with up to four arguments (IPI, RFENCE). */
static inline struct goos_ret goos_call6(unsigned long eid, unsigned long fid, unsigned long a0,
					 unsigned long a1, unsigned long a2, unsigned long a3)
{
	return goos_sbi_call(eid, fid, a0, a1, a2, a3, 0, 0);
}

static inline struct goos_ret goos(unsigned long fid, unsigned long a0, unsigned long a1,
				   unsigned long a2, unsigned long a3)
{
	return goos_call(fid, a0, a1, a2, a3);
}

#endif
