/* The SBI the hv serves to its guests: the standard extensions a guest kernel expects, plus the
 * goos ABI (a firmware-specific extension) which is handed to the core. Guest hart ids are vCPU
 * indices. */
#include <arch/csr.h>
#include <goos.h>

#include "hv/hv.h"
#include "hv/hypercall.h"
#include "riscv.h"
#include "sbi.h"

#define SBI_SPEC_VERSION 0x02000000UL /* 2.0: DBCN and SRST included */
#define SBI_IMPL_ID	 0x676f6876UL /* "gohv" */

static bool extension_present(unsigned long eid)
{
	switch (eid) {
	case SBI_EXT_BASE:
	case SBI_EXT_TIME:
	case SBI_EXT_IPI:
	case SBI_EXT_RFENCE:
	case SBI_EXT_HSM:
	case SBI_EXT_SRST:
	case SBI_EXT_DBCN:
	case SBI_EXT_LEGACY_SET_TIMER:
	case SBI_EXT_LEGACY_PUTCHAR:
	case SBI_EXT_LEGACY_SHUTDOWN:
	case GOOS_EID:
		return true;
	default:
		return false;
	}
}

/* SBI's number for a core error. */
static long sbi_err(enum hv_err e)
{
	static const long codes[] = {
	    [HV_OK] = SBI_SUCCESS,
	    [HV_ERR_FAILED] = SBI_ERR_FAILED,
	    [HV_ERR_NOT_SUPPORTED] = SBI_ERR_NOT_SUPPORTED,
	    [HV_ERR_INVALID_PARAM] = SBI_ERR_INVALID_PARAM,
	    [HV_ERR_INVALID_ADDR] = SBI_ERR_INVALID_ADDRESS,
	    [HV_ERR_DENIED] = SBI_ERR_DENIED,
	    [HV_ERR_ALREADY_STARTED] = SBI_ERR_ALREADY_AVAILABLE,
	};

	return (unsigned)e < sizeof(codes) / sizeof(codes[0]) ? codes[e] : SBI_ERR_FAILED;
}

static struct sbiret base(unsigned long fid, unsigned long a0)
{
	switch (fid) {
	case 0:
		return (struct sbiret){0, SBI_SPEC_VERSION};
	case 1:
		return (struct sbiret){0, SBI_IMPL_ID};
	case 2:
		return (struct sbiret){0, 1};
	case 3:
		return (struct sbiret){0, extension_present(a0)};
	case 4: /* mvendorid, marchid, mimpid: nothing to claim */
	case 5:
	case 6:
		return (struct sbiret){0, 0};
	default:
		return (struct sbiret){SBI_ERR_NOT_SUPPORTED, 0};
	}
}

/* Calls fn for every vCPU a (hart_mask, hart_mask_base) pair names. */
static long for_each_target(struct vcpu *v, unsigned long mask, unsigned long mask_base,
			    void (*fn)(struct vcpu *, struct vcpu *))
{
	struct partition *p = v->part;

	if (mask_base == ~0UL) {
		for (unsigned i = 0; i < p->nvcpus; i++)
			fn(v, &p->vcpus[i]);
		return SBI_SUCCESS;
	}
	for (unsigned bit = 0; bit < 64 && mask >> bit; bit++) {
		if (!((mask >> bit) & 1))
			continue;
		/* A base near 2^64 must not wrap round to vCPU 0. */
		struct vcpu *t =
		    mask_base + bit < mask_base ? NULL : vcpu_sibling(v, mask_base + bit);
		if (!t)
			return SBI_ERR_INVALID_PARAM;
	}
	for (unsigned bit = 0; bit < 64 && mask >> bit; bit++)
		if ((mask >> bit) & 1)
			fn(v, vcpu_sibling(v, mask_base + bit));
	return SBI_SUCCESS;
}

/* HSM: *e is what the caller does next (hart_stop does not return, suspend waits). */
static struct sbiret hsm(struct vcpu *v, unsigned long fid, unsigned long *a, enum vcpu_exit *e)
{
	struct vcpu *t;

	switch (fid) {
	case 0: { /* hart_start(hartid, start_addr, opaque) */
		t = vcpu_sibling(v, a[0]);
		if (!t)
			return (struct sbiret){SBI_ERR_INVALID_PARAM, 0};
		if (!partition_gpa_to_hva(v->part, a[1], 4))
			return (struct sbiret){SBI_ERR_INVALID_ADDRESS, 0};
		struct vcpu_boot b = {.entry = a[1], .arg = a[2]};
		return (struct sbiret){sbi_err(vcpu_start(t, &b)), 0};
	}
	case 1: /* hart_stop */
		*e = vcpu_stop_self(v);
		return (struct sbiret){0, 0};
	case 2: /* hart_get_status */
		t = vcpu_sibling(v, a[0]);
		if (!t)
			return (struct sbiret){SBI_ERR_INVALID_PARAM, 0};
		return (struct sbiret){0, t->state == VCPU_RUNNING ? SBI_HSM_STARTED
								   : SBI_HSM_STOPPED};
	case 3: /* hart_suspend: only the retentive kind, which is a wait for an interrupt */
		if (a[0] != 0)
			return (struct sbiret){SBI_ERR_NOT_SUPPORTED, 0};
		*e = vcpu_wait(v, WAIT_IRQ, GOOS_NO_DEADLINE);
		return (struct sbiret){0, 0};
	default:
		return (struct sbiret){SBI_ERR_NOT_SUPPORTED, 0};
	}
}

static struct sbiret dbcn(struct vcpu *v, unsigned long fid, unsigned long *a)
{
	unsigned long written = 0;
	enum hv_err err;

	switch (fid) {
	case 0: /* write(num_bytes, base_lo, base_hi) */
		if (a[2])
			return (struct sbiret){SBI_ERR_INVALID_PARAM, 0};
		err = guest_console_write(v, a[1], a[0], &written);
		return (struct sbiret){sbi_err(err), written};
	case 1: /* read: the console has no input for guests */
		return (struct sbiret){0, 0};
	case 2: { /* write_byte */
		char c = (char)a[0];
		partition_console_write(v->part, &c, 1);
		return (struct sbiret){0, 0};
	}
	default:
		return (struct sbiret){SBI_ERR_NOT_SUPPORTED, 0};
	}
}

static void ipi_one(struct vcpu *v, struct vcpu *t)
{
	vcpu_send_ipi(v, t);
}

static void flush_one(struct vcpu *v, struct vcpu *t)
{
	vcpu_remote_flush(v, t);
}

enum vcpu_exit riscv_vsbi_handle(struct vcpu *v)
{
	unsigned long *x = v->arch.regs.x;
	unsigned long eid = x[REG_A7], fid = x[REG_A6];
	unsigned long *a = &x[REG_A0];
	struct sbiret ret = {SBI_ERR_NOT_SUPPORTED, 0};
	enum vcpu_exit e = EXIT_RESUME;

	switch (eid) {
	case GOOS_EID: {
		struct hypercall hc = {.fid = fid};
		for (int i = 0; i < 6; i++)
			hc.arg[i] = a[i];
		e = goos_hypercall(v, &hc);
		x[REG_A0] = hc.error;
		x[REG_A1] = hc.value;
		return e;
	}
	case SBI_EXT_BASE:
		ret = base(fid, a[0]);
		break;
	case SBI_EXT_TIME:
		if (fid == 0) {
			arch_vcpu_set_timer(v, a[0]);
			ret.error = 0;
		}
		break;
	case SBI_EXT_IPI:
		if (fid == 0)
			ret.error = for_each_target(v, a[0], a[1], ipi_one);
		break;
	case SBI_EXT_RFENCE:
		/* fence.i and sfence.vma (any range or ASID) flush everything on the targets; the
		 * hfence calls are for guests that are hypervisors themselves. */
		if (fid <= 2)
			ret.error = for_each_target(v, a[0], a[1], flush_one);
		break;
	case SBI_EXT_HSM:
		ret = hsm(v, fid, a, &e);
		break;
	case SBI_EXT_SRST:
		if (fid == 0 && a[0] <= 2) {
			v->part->reboot = a[0] != 0;
			return partition_exit(v, a[1] ? 1 : 0, a[1] != 0);
		}
		ret.error = SBI_ERR_INVALID_PARAM;
		break;
	case SBI_EXT_DBCN:
		ret = dbcn(v, fid, a);
		break;
	case SBI_EXT_LEGACY_SET_TIMER:
		arch_vcpu_set_timer(v, a[0]);
		x[REG_A0] = 0;
		return EXIT_RESUME;
	case SBI_EXT_LEGACY_PUTCHAR: {
		char c = (char)a[0];
		partition_console_write(v->part, &c, 1);
		x[REG_A0] = 0;
		return EXIT_RESUME;
	}
	case SBI_EXT_LEGACY_SHUTDOWN:
		return partition_exit(v, 0, false);
	}
	x[REG_A0] = ret.error;
	x[REG_A1] = ret.value;
	return e;
}
