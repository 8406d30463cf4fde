/* The dispatcher of the SBI served to guests: finds the extension an ecall names, lets its
 * adapter serve it and writes the answer back. It moves no pc: handle_exit steps over the ecall
 * for every call, served or not. */
#include <goos.h>

#include "hv/vcpu.h"
#include "riscv.h"
#include "vsbi.h"

/* Every extension served: what BASE's probe_extension reports and what the dispatcher finds.
 * goos first: nearly every call is one, and vsbi_find tries it before it walks the rest. */
static const struct vsbi_ext exts[] = {
    {.eid = GOOS_EID, .handle = vsbi_goos},
    {.eid = SBI_EXT_BASE, .handle = vsbi_base},
    {.eid = SBI_EXT_TIME, .handle = vsbi_time},
    {.eid = SBI_EXT_IPI, .handle = vsbi_ipi},
    {.eid = SBI_EXT_RFENCE, .handle = vsbi_rfence},
    {.eid = SBI_EXT_HSM, .handle = vsbi_hsm},
    {.eid = SBI_EXT_SRST, .handle = vsbi_srst},
    {.eid = SBI_EXT_DBCN, .handle = vsbi_dbcn},
    {.eid = SBI_EXT_LEGACY_SET_TIMER, .legacy = true, .handle = vsbi_legacy_set_timer},
    {.eid = SBI_EXT_LEGACY_PUTCHAR, .legacy = true, .handle = vsbi_legacy_putchar},
    {.eid = SBI_EXT_LEGACY_SHUTDOWN, .legacy = true, .handle = vsbi_legacy_shutdown},
};

#define EXTS_END (exts + sizeof(exts) / sizeof(exts[0]))

/* Inline in the dispatcher, the goos test is one compare with a constant, and its adapter a
 * direct call. */
static inline const struct vsbi_ext *find(unsigned long eid)
{
	if (eid == exts[0].eid)
		return &exts[0];
	for (const struct vsbi_ext *e = exts + 1; e < EXTS_END; e++)
		if (e->eid == eid)
			return e;
	return NULL;
}

const struct vsbi_ext *vsbi_find(unsigned long eid)
{
	return find(eid);
}

long sbi_err(enum hv_err e)
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

enum vcpu_exit riscv_vsbi_handle(struct vcpu *v)
{
	unsigned long *x = v->arch.regs.x;
	const struct vsbi_ext *ext = find(x[REG_A7]);
	enum vcpu_exit next = EXIT_RESUME;

	if (!ext) {
		x[REG_A0] = SBI_ERR_NOT_SUPPORTED;
		x[REG_A1] = 0;
		return next;
	}
	struct sbiret r = ext->handle(v, x[REG_A6], &x[REG_A0], &next);
	x[REG_A0] = r.error;
	if (!ext->legacy)
		x[REG_A1] = r.value;
	return next;
}
