/* The goos ABI (guest-abi/goos.h) as the core serves it, independent of how a port traps. */
#ifndef GOHV_HYPERCALL_H
#define GOHV_HYPERCALL_H

#include <stdbool.h>

#include "arch.h"
#include "console.h"

struct vcpu;

/* What a goos call answers (returned in two registers, so a port writes them straight back). */
struct hypercall_ret {
	long error; /* GOOS_OK or GOOS_ERR_* */
	unsigned long value;
};

/* Serves call fid with arguments arg[0..5] from v and sets *next to what v does next; a call
 * that blocks (idle) gets its value when its wait ends. */
struct hypercall_ret goos_hypercall(struct vcpu *v, unsigned long fid, const unsigned long *arg,
				    enum vcpu_exit *next);
/* The goos number for a core error. */
long goos_err(enum hv_err e);

/* Services shared with a port's own guest interfaces (SBI DBCN, HSM, IPI...). */
enum hv_err guest_console_write(struct vcpu *v, enum console_stream stream, unsigned long gpa,
				unsigned long len, unsigned long *written);
/* Sends a guest software interrupt to target (possibly v itself). */
void vcpu_send_ipi(struct vcpu *v, struct vcpu *target);
/* Asks target's CPU to flush its guest TLB and instruction cache. */
void vcpu_remote_flush(struct vcpu *v, struct vcpu *target);
/* The vCPU of v's partition with index id, or NULL. */
struct vcpu *vcpu_sibling(struct vcpu *v, unsigned long id);

#endif
