/* The goos ABI, a firmware-specific SBI extension: handed to the core as it is. */
#include "hv/port.h"
#include "vsbi.h"

struct sbiret vsbi_goos(struct vcpu *v, unsigned long fid, const unsigned long *a,
			enum vcpu_exit *next)
{
	struct hypercall hc = {.fid = fid, .arg = {a[0], a[1], a[2], a[3], a[4], a[5]}};

	_Static_assert(sizeof(hc.arg) == 6 * sizeof(a[0]), "goos takes a0-a5");
	*next = goos_hypercall(v, &hc);
	return (struct sbiret){hc.error, hc.value};
}
