/* What a core service reports. Each guest ABI adapter (goos in hv/hypercall.c, SBI in the RISC-V
 * port, PSCI later) maps these to its own numbers: the same failure has different codes in each. */
#ifndef GOHV_ERR_H
#define GOHV_ERR_H

enum hv_err {
	HV_OK = 0,
	HV_ERR_FAILED,		/* it could not be done (no entropy, say) */
	HV_ERR_NOT_SUPPORTED,	/* no such service */
	HV_ERR_INVALID_PARAM,	/* an argument names nothing that exists */
	HV_ERR_INVALID_ADDR,	/* a guest address outside the caller's memory */
	HV_ERR_DENIED,		/* not now (the partition is stopping) */
	HV_ERR_ALREADY_STARTED, /* the vCPU is running */
	HV_ERR_PEER_DOWN,	/* the other end of a channel is not running */
};

#endif
