/* SBI SRST: a guest's system reset ends its partition; a reboot restarts it whatever its
 * restart policy, and a failure reason makes the exit code 1. */
#include "hv/port.h"
#include "vsbi.h"

struct sbiret vsbi_srst(struct vcpu *v, unsigned long fid, const unsigned long *a,
			enum vcpu_exit *next)
{
	unsigned long type = a[0], reason = a[1];

	if (fid != SBI_SRST_SYSTEM_RESET || type > SBI_SRST_TYPE_WARM_REBOOT)
		return (struct sbiret){SBI_ERR_INVALID_PARAM, 0};
	bool failed = reason != SBI_SRST_REASON_NONE;

	*next = type == SBI_SRST_TYPE_SHUTDOWN ? partition_exit(v, failed, failed)
					       : partition_reboot(v, failed, failed);
	return (struct sbiret){SBI_SUCCESS, 0};
}
