/* The goos ABI, a firmware-specific SBI extension: handed to the core as it is. handle_exit
 * calls the core directly for it; this adapter is what the extension table (and so BASE's
 * probe) finds. */
#include "hv/port.h"
#include "vsbi.h"

struct sbiret vsbi_goos(struct vcpu *v, unsigned long fid, const unsigned long *a,
			enum vcpu_exit *next)
{
	struct hypercall_ret r = goos_hypercall(v, fid, a, next);

	return (struct sbiret){r.error, r.value};
}
