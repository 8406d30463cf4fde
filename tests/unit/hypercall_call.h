/* A goos call as the unit tests make it: the call and its answer in one struct. */
#ifndef GOHV_TEST_HYPERCALL_CALL_H
#define GOHV_TEST_HYPERCALL_CALL_H

#include "hv/hypercall.h"

struct hypercall {
	unsigned long fid;
	unsigned long arg[6];
	long error;
	unsigned long value;
};

static inline enum vcpu_exit hypercall_call(struct vcpu *v, struct hypercall *hc)
{
	enum vcpu_exit next;
	struct hypercall_ret r = goos_hypercall(v, hc->fid, hc->arg, &next);

	hc->error = r.error;
	hc->value = r.value;
	return next;
}

#endif
