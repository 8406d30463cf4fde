/*
 * The SBI the RISC-V port serves to guests (arch/riscv64/vsbi*.c), through its dispatcher as an
 * ecall reaches it: the guest's registers in, the guest's registers out. Against the partition of
 * guest_part.h; the partition is never ended here, only moved to STOPPING, which is all an exit
 * call does by itself.
 */
#include <criterion/criterion.h>
#include <goos.h>
#include <stdio.h>
#include <string.h>

#include "arch/host/host.h"
#include "arch/riscv64/riscv.h"
#include "arch/riscv64/sbi.h"
#include "hv/hv.h"

#include "guest_part.h"

#define UNTOUCHED 0x5a5a5a5aUL /* what a1 holds before a call that must not write it */

static struct partition *p = &gp_part;
static struct vcpu *v;

static void setup(void)
{
	v = gp_setup();
}

TestSuite(vsbi, .init = setup, .fini = gp_teardown);

struct answer {
	long error;	     /* a0 */
	unsigned long value; /* a1 */
	enum vcpu_exit next;
};

/* One ecall from c: a7 = eid, a6 = fid, a0-a5 = args (a1 preset to UNTOUCHED when not given). */
static struct answer ecall_on(struct vcpu *c, unsigned long eid, unsigned long fid,
			      const unsigned long *args, unsigned nargs)
{
	unsigned long *x = c->arch.regs.x;
	unsigned long sepc = c->arch.regs.sepc = GUEST_RAM_BASE + 0x1000;

	for (unsigned i = 0; i < 6; i++)
		x[REG_A0 + i] = i < nargs ? args[i] : (i == 1 ? UNTOUCHED : 0xdead0000 + i);
	x[REG_A6] = fid;
	x[REG_A7] = eid;
	enum vcpu_exit e = riscv_vsbi_handle(c);
	cr_assert_eq(c->arch.regs.sepc, sepc, "the dispatcher moved the pc");
	cr_assert_eq(x[REG_A6], fid);
	cr_assert_eq(x[REG_A7], eid);
	return (struct answer){(long)x[REG_A0], x[REG_A1], e};
}

#define ECALL_ON(c, eid, fid, ...)                                                                 \
	ecall_on((c), (eid), (fid), (const unsigned long[]){0, ##__VA_ARGS__} + 1,                 \
		 sizeof((unsigned long[]){0, ##__VA_ARGS__}) / sizeof(unsigned long) - 1)
#define ECALL(eid, fid, ...) ECALL_ON(v, (eid), (fid), ##__VA_ARGS__)

static void assert_answer(struct answer a, long error, unsigned long value, const char *what)
{
	cr_assert_eq(a.error, error, "%s: error %ld, not %ld", what, a.error, error);
	cr_assert_eq(a.value, value, "%s: value 0x%lx, not 0x%lx", what, a.value, value);
	cr_assert_eq(a.next, EXIT_RESUME, "%s: the vCPU must resume", what);
}

/* ---------------------------------------------------------------- dispatch */

Test(vsbi, goos_calls_reach_the_core)
{
	assert_answer(ECALL(GOOS_EID, GOOS_FN_VERSION), GOOS_OK, GOOS_ABI_VERSION, "version");
	assert_answer(ECALL(GOOS_EID, 10), GOOS_ERR_NOT_SUPPORTED, 0, "unknown goos function");
}

Test(vsbi, goos_arguments_are_a0_to_a3)
{
	struct vcpu *w = gp_add_vcpu();
	uint64_t entry = GUEST_RAM_BASE + 0x800, stack = GUEST_RAM_BASE + 0x8000;

	assert_answer(ECALL(GOOS_EID, GOOS_FN_VCPU_START, 1, entry, stack, 0x4242), GOOS_OK, 0,
		      "vcpu_start");
	cr_assert_eq(w->boot.entry, entry);
	cr_assert_eq(w->boot.stack, stack);
	cr_assert_eq(w->boot.arg, 0x4242);
}

Test(vsbi, goos_idle_blocks)
{
	host.now = 0;
	struct answer a = ECALL(GOOS_EID, GOOS_FN_IDLE, 1000);
	cr_assert_eq(a.next, EXIT_BLOCK);
	cr_assert_eq(a.error, GOOS_OK);
	cr_assert_eq(v->wait, WAIT_IDLE);
}

Test(vsbi, unknown_extensions)
{
	const unsigned long eids[] = {
	    0x02,		      /* legacy getchar: not served */
	    0x03,		      /* legacy clear_ipi */
	    0x04,		      /* legacy send_ipi */
	    0x07,		      /* legacy remote_sfence_vma_asid */
	    0x0f,		      /* last legacy id */
	    0x11,		      /* just past BASE */
	    0x504D55,		      /* PMU */
	    0x53555350,		      /* SUSP */
	    GOOS_EID + 1, 0x0A000000, /* first firmware-specific id */
	    ~0UL,
	};

	for (unsigned i = 0; i < sizeof(eids) / sizeof(eids[0]); i++) {
		char what[32];

		snprintf(what, sizeof(what), "eid 0x%lx", eids[i]);
		assert_answer(ECALL(eids[i], 0), SBI_ERR_NOT_SUPPORTED, 0, what);
	}
	cr_assert_eq(gp_out.len, 0);
	cr_assert_eq(host.kicks, 0);
}

/* ---------------------------------------------------------------- BASE */

Test(vsbi, base_identity)
{
	assert_answer(ECALL(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION), 0, 0x02000000, "spec");
	assert_answer(ECALL(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID), 0, 0x676f6876, "impl id");
	assert_answer(ECALL(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION), 0, 1, "impl version");
	assert_answer(ECALL(SBI_EXT_BASE, SBI_BASE_GET_MVENDORID), 0, 0, "mvendorid");
	assert_answer(ECALL(SBI_EXT_BASE, SBI_BASE_GET_MARCHID), 0, 0, "marchid");
	assert_answer(ECALL(SBI_EXT_BASE, SBI_BASE_GET_MIMPID), 0, 0, "mimpid");
	assert_answer(ECALL(SBI_EXT_BASE, 7), SBI_ERR_NOT_SUPPORTED, 0, "fid 7");
	assert_answer(ECALL(SBI_EXT_BASE, ~0UL), SBI_ERR_NOT_SUPPORTED, 0, "fid ~0");
}

Test(vsbi, base_probe_extension)
{
	const unsigned long served[] = {
	    SBI_EXT_BASE,
	    SBI_EXT_TIME,
	    SBI_EXT_IPI,
	    SBI_EXT_RFENCE,
	    SBI_EXT_HSM,
	    SBI_EXT_SRST,
	    SBI_EXT_DBCN,
	    SBI_EXT_LEGACY_SET_TIMER,
	    SBI_EXT_LEGACY_PUTCHAR,
	    SBI_EXT_LEGACY_SHUTDOWN,
	    GOOS_EID,
	};
	const unsigned long absent[] = {SBI_EXT_LEGACY_GETCHAR, 0x03, 0x0f, 0x504D55, 0x53555350,
					GOOS_EID - 1,		~0UL};
	char what[40];

	for (unsigned i = 0; i < sizeof(served) / sizeof(served[0]); i++) {
		snprintf(what, sizeof(what), "probe 0x%lx", served[i]);
		assert_answer(ECALL(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, served[i]), 0, 1, what);
	}
	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		snprintf(what, sizeof(what), "probe 0x%lx", absent[i]);
		assert_answer(ECALL(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, absent[i]), 0, 0, what);
	}
}

/* ---------------------------------------------------------------- TIME and the legacy calls */

Test(vsbi, time_set_timer)
{
	assert_answer(ECALL(SBI_EXT_TIME, SBI_TIME_SET_TIMER, 123456), 0, 0, "set_timer");
	cr_assert_eq(v->arch.timer_deadline, 123456);
	assert_answer(ECALL(SBI_EXT_TIME, 1, 7), SBI_ERR_NOT_SUPPORTED, 0, "fid 1");
	cr_assert_eq(v->arch.timer_deadline, 123456);
}

/* An SBI v0.1 call answers in a0 alone: the guest's a1 survives it. */
Test(vsbi, legacy_calls_write_a0_only)
{
	struct answer a = ECALL(SBI_EXT_LEGACY_SET_TIMER, 0, 777);
	assert_answer(a, 0, UNTOUCHED, "legacy set_timer");
	cr_assert_eq(v->arch.timer_deadline, 777);

	a = ECALL(SBI_EXT_LEGACY_PUTCHAR, 0, 'h');
	assert_answer(a, 0, UNTOUCHED, "legacy putchar");
	ECALL(SBI_EXT_LEGACY_PUTCHAR, 0, 'i');
	ECALL(SBI_EXT_LEGACY_PUTCHAR, 0, '\n');
	cr_assert_str_eq(gp_out.text, "[test] hi\n");
}

Test(vsbi, legacy_shutdown_ends_the_partition)
{
	struct answer a = ECALL(SBI_EXT_LEGACY_SHUTDOWN, 0);
	cr_assert_eq(a.next, EXIT_STOPPED);
	cr_assert_eq(p->state, PART_STOPPING);
	cr_assert_eq(p->exit_code, 0);
	cr_assert_not(p->exit_failed);
	cr_assert_not(p->reboot);
}

/* ---------------------------------------------------------------- IPI and RFENCE */

/* vCPU 1 started: hart masks have two vCPUs to name. */
static struct vcpu *two_running(void)
{
	struct vcpu *w = gp_add_vcpu();

	w->state = VCPU_RUNNING;
	p->running = 2;
	return w;
}

Test(vsbi, ipi_by_mask_and_to_all)
{
	struct vcpu *w = two_running();

	assert_answer(ECALL(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0x2, 0), 0, 0, "mask 0b10");
	cr_assert(w->virq & VIRQ_BIT(VIRQ_SOFT));
	cr_assert_not(v->virq & VIRQ_BIT(VIRQ_SOFT));
	w->virq = 0;

	/* Bit 0 with base 1 is vCPU 1 too. */
	assert_answer(ECALL(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0x1, 1), 0, 0, "base 1");
	cr_assert(w->virq & VIRQ_BIT(VIRQ_SOFT));
	w->virq = 0;

	/* A base of -1 names every vCPU, whatever the mask. */
	assert_answer(ECALL(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0, ~0UL), 0, 0, "all");
	cr_assert(w->virq & VIRQ_BIT(VIRQ_SOFT));
	cr_assert(v->virq & VIRQ_BIT(VIRQ_SOFT));

	assert_answer(ECALL(SBI_EXT_IPI, 1, 0x1, 0), SBI_ERR_NOT_SUPPORTED, 0, "fid 1");
}

Test(vsbi, ipi_skips_a_stopped_vcpu)
{
	struct vcpu *w = gp_add_vcpu();

	assert_answer(ECALL(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0x3, 0), 0, 0, "mask 0b11");
	cr_assert(v->virq & VIRQ_BIT(VIRQ_SOFT));
	cr_assert_eq(w->virq, 0);
}

/* A mask naming any vCPU that does not exist is refused whole: nobody gets the interrupt. */
Test(vsbi, ipi_bad_targets_send_nothing)
{
	struct vcpu *w = two_running();
	const struct {
		unsigned long mask, base;
	} bad[] = {
	    {0x4, 0},		    /* vCPU 2 */
	    {0x7, 0},		    /* 0 and 1 exist, 2 does not */
	    {0x1, 2},		    /* base past the vCPUs */
	    {1UL << 63, 0},	    /* vCPU 63 */
	    {0x1, ~0UL - 1},	    /* a base that is not "all" but near it */
	    {0x4, ~0UL - 1},	    /* base + 2 wraps round to vCPU 0 */
	    {0x8, ~0UL - 2},	    /* base + 3 wraps round to vCPU 0 */
	    {0x6, ~0UL - 1},	    /* base + 2 wraps to 0 and base + 3 to 1 */
	    {1UL << 63, 1UL << 63}, /* base + 63 does not wrap, but is no vCPU */
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char what[64];

		snprintf(what, sizeof(what), "mask 0x%lx base 0x%lx", bad[i].mask, bad[i].base);
		assert_answer(ECALL(SBI_EXT_IPI, SBI_IPI_SEND_IPI, bad[i].mask, bad[i].base),
			      SBI_ERR_INVALID_PARAM, 0, what);
		cr_assert_eq(v->virq, 0, "%s", what);
		cr_assert_eq(w->virq, 0, "%s", what);
	}
	cr_assert_eq(host.kicks, 0);
}

Test(vsbi, ipi_empty_mask)
{
	assert_answer(ECALL(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0, 0), 0, 0, "mask 0");
	assert_answer(ECALL(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 0, ~0UL - 1), 0, 0, "mask 0, high base");
	cr_assert_eq(v->virq, 0);
}

Test(vsbi, rfence_flushes_self_and_asks_siblings)
{
	struct vcpu *w = two_running();
	const unsigned long fids[] = {SBI_RFENCE_FENCE_I, SBI_RFENCE_SFENCE_VMA,
				      SBI_RFENCE_SFENCE_VMA_ASID};

	for (unsigned i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		unsigned flushes = v->arch.flushes;

		w->requests = 0;
		/* (mask, base, start, size, asid): the range and ASID do not matter. */
		assert_answer(ECALL(SBI_EXT_RFENCE, fids[i], 0x3, 0, GUEST_RAM_BASE, 4096, 5), 0, 0,
			      "rfence");
		cr_assert_eq(v->arch.flushes, flushes + 1, "fid %lu: the caller flushed at once",
			     fids[i]);
		cr_assert(w->requests & VREQ_FLUSH, "fid %lu: the sibling was asked", fids[i]);
	}
}

Test(vsbi, rfence_hfence_and_bad_targets)
{
	struct vcpu *w = two_running();

	for (unsigned long fid = 3; fid <= 7; fid++)
		assert_answer(ECALL(SBI_EXT_RFENCE, fid, 0x3, 0), SBI_ERR_NOT_SUPPORTED, 0,
			      "hfence");
	assert_answer(ECALL(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, 0x4, ~0UL - 1),
		      SBI_ERR_INVALID_PARAM, 0, "base + 2 wraps");
	cr_assert_eq(v->arch.flushes, 0);
	cr_assert_eq(w->requests, 0);
}

/* ---------------------------------------------------------------- HSM */

Test(vsbi, hsm_get_status)
{
	gp_add_vcpu();

	assert_answer(ECALL(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 0), 0, SBI_HSM_STARTED, "self");
	assert_answer(ECALL(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 1), 0, SBI_HSM_STOPPED, "off");
	assert_answer(ECALL(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 2), SBI_ERR_INVALID_PARAM, 0,
		      "no such vCPU");
	assert_answer(ECALL(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, ~0UL), SBI_ERR_INVALID_PARAM, 0,
		      "id ~0");
}

Test(vsbi, hsm_hart_start)
{
	struct vcpu *w = gp_add_vcpu();
	uint64_t entry = GUEST_RAM_BASE + 0x800;

	assert_answer(ECALL(SBI_EXT_HSM, SBI_HSM_HART_START, 1, entry, 0x77), 0, 0, "start");
	cr_assert_eq(w->boot.entry, entry);
	cr_assert_eq(w->boot.arg, 0x77, "opaque reaches a1");
	cr_assert_eq(w->boot.stack, 0);
	cr_assert_eq(w->boot.dt, 0);
	cr_assert(w->requests & VREQ_START);
	assert_answer(ECALL(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, 1), 0, SBI_HSM_STARTED, "now");

	assert_answer(ECALL(SBI_EXT_HSM, SBI_HSM_HART_START, 1, entry, 0),
		      SBI_ERR_ALREADY_AVAILABLE, 0, "again");
	assert_answer(ECALL(SBI_EXT_HSM, SBI_HSM_HART_START, 0, entry, 0),
		      SBI_ERR_ALREADY_AVAILABLE, 0, "self");
}

Test(vsbi, hsm_hart_start_refused)
{
	struct vcpu *w = gp_add_vcpu();

	assert_answer(ECALL(SBI_EXT_HSM, SBI_HSM_HART_START, 2, GUEST_RAM_BASE, 0),
		      SBI_ERR_INVALID_PARAM, 0, "no such vCPU");
	assert_answer(ECALL(SBI_EXT_HSM, SBI_HSM_HART_START, 1, GUEST_RAM_BASE - 4, 0),
		      SBI_ERR_INVALID_ADDRESS, 0, "entry below RAM");
	assert_answer(ECALL(SBI_EXT_HSM, SBI_HSM_HART_START, 1, GP_RAM_END - 2, 0),
		      SBI_ERR_INVALID_ADDRESS, 0, "entry straddling the end");
	cr_assert_eq(w->state, VCPU_OFF);
	cr_assert_eq(w->requests, 0);

	/* A stopping partition starts nothing. */
	p->state = PART_STOPPING;
	assert_answer(ECALL(SBI_EXT_HSM, SBI_HSM_HART_START, 1, GUEST_RAM_BASE, 0), SBI_ERR_DENIED,
		      0, "stopping");
	cr_assert_eq(w->state, VCPU_OFF);
}

Test(vsbi, hsm_stop_and_suspend)
{
	struct answer a = ECALL(SBI_EXT_HSM, SBI_HSM_HART_STOP);
	cr_assert_eq(a.next, EXIT_STOPPED);
	cr_assert_eq(a.error, 0);

	a = ECALL(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0x80000000, GUEST_RAM_BASE, 0);
	assert_answer(a, SBI_ERR_NOT_SUPPORTED, 0, "non-retentive suspend");
	a = ECALL(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, 0);
	cr_assert_eq(a.next, EXIT_BLOCK, "a retentive suspend waits");
	cr_assert_eq(a.error, 0);
	cr_assert_eq(v->wait, WAIT_IRQ);

	assert_answer(ECALL(SBI_EXT_HSM, 4), SBI_ERR_NOT_SUPPORTED, 0, "fid 4");
}

/* ---------------------------------------------------------------- SRST */

Test(vsbi, srst_refuses_bad_calls)
{
	assert_answer(ECALL(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, 3, 0), SBI_ERR_INVALID_PARAM, 0,
		      "type 3");
	assert_answer(ECALL(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, 0xF0000000, 0),
		      SBI_ERR_INVALID_PARAM, 0, "vendor type");
	assert_answer(ECALL(SBI_EXT_SRST, 1, 0, 0), SBI_ERR_INVALID_PARAM, 0, "fid 1");
	cr_assert_eq(p->state, PART_RUNNING);
}

Test(vsbi, srst_shutdown)
{
	struct answer a = ECALL(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, SBI_SRST_TYPE_SHUTDOWN,
				SBI_SRST_REASON_NONE);
	cr_assert_eq(a.next, EXIT_STOPPED);
	cr_assert_eq(p->state, PART_STOPPING);
	cr_assert_eq(p->exit_code, 0);
	cr_assert_not(p->exit_failed);
	cr_assert_not(p->reboot);
}

Test(vsbi, srst_warm_reboot_for_a_failure)
{
	struct answer a = ECALL(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, SBI_SRST_TYPE_WARM_REBOOT,
				SBI_SRST_REASON_SYSTEM_FAILURE);
	cr_assert_eq(a.next, EXIT_STOPPED);
	cr_assert_eq(p->exit_code, 1);
	cr_assert(p->exit_failed);
	cr_assert(p->reboot);
}

/* ---------------------------------------------------------------- DBCN */

Test(vsbi, dbcn_write)
{
	const char msg[] = "dbcn works\n";
	uint64_t gpa = GUEST_RAM_BASE + 0x100;

	memcpy(gp_ram(gpa), msg, strlen(msg));
	/* (num_bytes, base_lo, base_hi) */
	assert_answer(ECALL(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, strlen(msg), gpa, 0), 0,
		      strlen(msg), "write");
	cr_assert_str_eq(gp_out.text, "[test] dbcn works\n");
}

Test(vsbi, dbcn_write_refused)
{
	memset(gp_ram(GP_RAM_END - 64), 'x', 64);
	assert_answer(ECALL(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 8, GUEST_RAM_BASE, 1),
		      SBI_ERR_INVALID_PARAM, 0, "base_hi set");
	assert_answer(ECALL(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 8, GP_RAM_END - 4, 0),
		      SBI_ERR_INVALID_ADDRESS, 0, "straddling the end");
	assert_answer(ECALL(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, 16, ~0UL - 3, 0),
		      SBI_ERR_INVALID_ADDRESS, 0, "wrapping");
	assert_answer(ECALL(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, GOOS_MAX_XFER + 1,
			    GP_RAM_END - GOOS_MAX_XFER, 0),
		      SBI_ERR_INVALID_ADDRESS, 0, "only the first 4 KiB fit");
	assert_answer(ECALL(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, ~0UL, GUEST_RAM_BASE, 0),
		      SBI_ERR_INVALID_ADDRESS, 0, "a huge length");
	cr_assert_eq(gp_out.len, 0);
	cr_assert_eq(p->line.len, 0);
}

Test(vsbi, dbcn_write_cut_to_max_xfer)
{
	memset(gp_ram(GUEST_RAM_BASE), 'a', 2 * GOOS_MAX_XFER);
	assert_answer(
	    ECALL(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE, GOOS_MAX_XFER + 1, GUEST_RAM_BASE, 0), 0,
	    GOOS_MAX_XFER, "a long write is cut");
}

Test(vsbi, dbcn_read_and_write_byte)
{
	assert_answer(ECALL(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 16, GUEST_RAM_BASE, 0), 0, 0,
		      "read: no input");
	/* Its buffer is checked as a write's, though nothing is ever read into it. */
	assert_answer(ECALL(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 16, 0x1000, 0),
		      SBI_ERR_INVALID_ADDRESS, 0, "read outside RAM");
	assert_answer(ECALL(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 16, GP_RAM_END - 4, 0),
		      SBI_ERR_INVALID_ADDRESS, 0, "read straddling the end");
	assert_answer(ECALL(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_READ, 16, GUEST_RAM_BASE, 1),
		      SBI_ERR_INVALID_PARAM, 0, "read with base_hi set");
	assert_answer(ECALL(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, 'k'), 0, 0, "write_byte");
	ECALL(SBI_EXT_DBCN, SBI_DBCN_CONSOLE_WRITE_BYTE, '\n');
	cr_assert_str_eq(gp_out.text, "[test] k\n");
	assert_answer(ECALL(SBI_EXT_DBCN, 3), SBI_ERR_NOT_SUPPORTED, 0, "fid 3");
}
