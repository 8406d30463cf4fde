/* The goos ABI (guest-abi/goos.h) as the core serves it, independent of how a port traps. */
#ifndef GOHV_HYPERCALL_H
#define GOHV_HYPERCALL_H

#include <stdbool.h>

struct vcpu;

struct hypercall {
	unsigned long fid;
	unsigned long arg[6];
	long error; /* GOOS_OK or GOOS_ERR_* */
	unsigned long value;
};

/* Serves one call from v. Returns false if v must not resume (it exited or was stopped). */
bool goos_hypercall(struct vcpu *v, struct hypercall *hc);

/* Services shared with a port's own guest interfaces (SBI DBCN, HSM, IPI...). */
long guest_console_write(struct vcpu *v, unsigned long gpa, unsigned long len,
			 unsigned long *written);
/* Sends a guest software interrupt to target (possibly v itself). */
void vcpu_send_ipi(struct vcpu *v, struct vcpu *target);
/* Asks target's hart to flush its guest TLB and instruction cache. */
void vcpu_remote_flush(struct vcpu *v, struct vcpu *target);
/* The vCPU of v's partition with index id, or NULL. */
struct vcpu *vcpu_sibling(struct vcpu *v, unsigned long id);

#endif
