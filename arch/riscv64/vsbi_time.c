/* SBI TIME: the guest's timer, kept by the port (vstimecmp with Sstc, emulated without). */
#include "vsbi.h"

struct sbiret vsbi_time(struct vcpu *v, unsigned long fid, const unsigned long *a,
			enum vcpu_exit *next)
{
	if (fid != SBI_TIME_SET_TIMER)
		return (struct sbiret){SBI_ERR_NOT_SUPPORTED, 0};
	arch_vcpu_set_timer(v, a[0]);
	return (struct sbiret){SBI_SUCCESS, 0};
}
