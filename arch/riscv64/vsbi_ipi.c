/* SBI IPI: a software interrupt to each vCPU named. */
#include "hv/port.h"
#include "vsbi.h"

struct sbiret vsbi_ipi(struct vcpu *v, unsigned long fid, const unsigned long *a,
		       enum vcpu_exit *next)
{
	if (fid != SBI_IPI_SEND_IPI)
		return (struct sbiret){SBI_ERR_NOT_SUPPORTED, 0};
	return (struct sbiret){sbi_err(vsbi_each_hart(v, a[0], a[1], vcpu_send_ipi)), 0};
}
