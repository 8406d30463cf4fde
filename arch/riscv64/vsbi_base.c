/* SBI BASE: what the hv is and which extensions it serves. */
#include "vsbi.h"

#define IMPL_ID	     0x676f6876UL /* "gohv" */
#define IMPL_VERSION 1

struct sbiret vsbi_base(struct vcpu *v, unsigned long fid, const unsigned long *a,
			enum vcpu_exit *next)
{
	switch (fid) {
	case SBI_BASE_GET_SPEC_VERSION:
		return (struct sbiret){SBI_SUCCESS, VSBI_SPEC_VERSION};
	case SBI_BASE_GET_IMPL_ID:
		return (struct sbiret){SBI_SUCCESS, IMPL_ID};
	case SBI_BASE_GET_IMPL_VERSION:
		return (struct sbiret){SBI_SUCCESS, IMPL_VERSION};
	case SBI_BASE_PROBE_EXTENSION:
		return (struct sbiret){SBI_SUCCESS, vsbi_find(a[0]) != NULL};
	case SBI_BASE_GET_MVENDORID: /* and marchid, mimpid: a virtual hart claims no hardware */
	case SBI_BASE_GET_MARCHID:
	case SBI_BASE_GET_MIMPID:
		return (struct sbiret){SBI_SUCCESS, 0};
	default:
		return (struct sbiret){SBI_ERR_NOT_SUPPORTED, 0};
	}
}
