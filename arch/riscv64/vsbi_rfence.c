/* SBI RFENCE: fence.i and sfence.vma (any range or ASID) flush everything on the vCPUs named,
 * which is always enough. The hfence calls are for guests that are hypervisors themselves, and
 * are not served. */
#include "hv/port.h"
#include "vsbi.h"

struct sbiret vsbi_rfence(struct vcpu *v, unsigned long fid, const unsigned long *a,
			  enum vcpu_exit *next)
{
	switch (fid) {
	case SBI_RFENCE_FENCE_I:
	case SBI_RFENCE_SFENCE_VMA:
	case SBI_RFENCE_SFENCE_VMA_ASID:
		return (struct sbiret){sbi_err(vsbi_each_hart(v, a[0], a[1], vcpu_remote_flush)),
				       0};
	default:
		return (struct sbiret){SBI_ERR_NOT_SUPPORTED, 0};
	}
}
