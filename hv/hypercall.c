/* The goos ABI v1, call by call as guest-abi/README.md documents it. Every guest address is
 * checked against the calling partition's RAM before the hv touches it. */
#include "hypercall.h"

#include <goos.h>

#include "hv.h"

long guest_console_write(struct vcpu *v, unsigned long gpa, unsigned long len,
			 unsigned long *written)
{
	if (len > GOOS_MAX_XFER)
		len = GOOS_MAX_XFER;
	const char *buf = partition_gpa_to_hva(v->part, gpa, len);
	if (!buf)
		return GOOS_ERR_INVALID_ADDR;
	partition_console_write(v->part, buf, len);
	*written = len;
	return GOOS_OK;
}

static long entropy(struct vcpu *v, unsigned long gpa, unsigned long len, unsigned long *done)
{
	struct partition *p = v->part;

	if (len > GOOS_MAX_XFER)
		len = GOOS_MAX_XFER;
	void *buf = partition_gpa_to_hva(p, gpa, len);
	if (!buf)
		return GOOS_ERR_INVALID_ADDR;
	spin_lock(&p->lock);
	int err = drbg_generate(&p->rng, buf, len);
	spin_unlock(&p->lock);
	if (err)
		return GOOS_ERR_FAILED;
	*done = len;
	return GOOS_OK;
}

bool goos_hypercall(struct vcpu *v, struct hypercall *hc)
{
	struct partition *p = v->part;
	unsigned long *a = hc->arg;
	struct vcpu *t;

	hc->error = GOOS_OK;
	hc->value = 0;
	switch (hc->fid) {
	case GOOS_FN_VERSION:
		hc->value = GOOS_ABI_VERSION;
		break;
	case GOOS_FN_CONSOLE_WRITE:
		hc->error = guest_console_write(v, a[0], a[1], &hc->value);
		break;
	case GOOS_FN_ENTROPY:
		hc->error = entropy(v, a[0], a[1], &hc->value);
		break;
	case GOOS_FN_IDLE:
		hc->value = vcpu_idle(v, a[0]);
		break;
	case GOOS_FN_EXIT:
		/* As on Linux, only the low 8 bits of an exit status survive. */
		partition_exit(v, (int)(a[0] & 0xff), (a[0] & 0xff) != 0);
		return false;
	case GOOS_FN_VCPU_START:
		t = vcpu_sibling(v, a[0]);
		if (!t)
			hc->error = GOOS_ERR_INVALID_PARAM;
		else if (!partition_gpa_to_hva(p, a[1], 4))
			hc->error = GOOS_ERR_INVALID_ADDR;
		else
			hc->error = vcpu_start(t, a[1], a[3], a[2]);
		break;
	case GOOS_FN_WAKE:
		t = vcpu_sibling(v, a[0]);
		if (!t)
			hc->error = GOOS_ERR_INVALID_PARAM;
		else
			vcpu_wake(t);
		break;
	case GOOS_FN_SET_TIMER:
		arch_vcpu_set_timer(v, a[0]);
		break;
	case GOOS_FN_VCPU_ID:
		hc->value = v->id;
		break;
	default:
		hc->error = GOOS_ERR_NOT_SUPPORTED;
	}
	return v->state == VCPU_RUNNING;
}
