/* SBI HSM: starting, stopping and suspending the partition's own vCPUs. */
#include <goos.h>

#include "hv/port.h"
#include "vsbi.h"

struct sbiret vsbi_hsm(struct vcpu *v, unsigned long fid, const unsigned long *a,
		       enum vcpu_exit *next)
{
	struct vcpu *t;

	switch (fid) {
	case SBI_HSM_HART_START: { /* (hartid, start_addr, opaque) */
		t = vcpu_sibling(v, a[0]);
		if (!t)
			return (struct sbiret){SBI_ERR_INVALID_PARAM, 0};
		if (!guest_range_ok(v, a[1], 4))
			return (struct sbiret){SBI_ERR_INVALID_ADDRESS, 0};
		struct vcpu_boot b = {.entry = a[1], .arg = a[2]};
		return (struct sbiret){sbi_err(vcpu_start(t, &b)), 0};
	}
	case SBI_HSM_HART_STOP:
		*next = vcpu_stop_self(v);
		return (struct sbiret){SBI_SUCCESS, 0};
	case SBI_HSM_HART_GET_STATUS:
		t = vcpu_sibling(v, a[0]);
		if (!t)
			return (struct sbiret){SBI_ERR_INVALID_PARAM, 0};
		return (struct sbiret){SBI_SUCCESS, t->state == VCPU_RUNNING ? SBI_HSM_STARTED
									     : SBI_HSM_STOPPED};
	case SBI_HSM_HART_SUSPEND:
		/* Only the retentive kind, which is a wait for an interrupt. */
		if (a[0] != SBI_HSM_SUSPEND_RETENTIVE)
			return (struct sbiret){SBI_ERR_NOT_SUPPORTED, 0};
		*next = vcpu_wait(v, WAIT_IRQ, GOOS_NO_DEADLINE);
		return (struct sbiret){SBI_SUCCESS, 0};
	default:
		return (struct sbiret){SBI_ERR_NOT_SUPPORTED, 0};
	}
}
