/*
 * The goos ABI as hv/hypercall.c serves it, against the partition of guest_part.h (1 MiB of
 * guest RAM, one running vCPU on hv.cpus[0], the console captured). Every guest pointer the calls
 * take is checked against that RAM. GOOS_FN_EXIT is not called: it runs the partition's teardown
 * and restart, which need a package.
 */
#include <criterion/criterion.h>
#include <goos.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"
#include "hv/hv.h"
#include "hypercall_call.h"

#include "guest_part.h"

static struct partition *p = &gp_part;
static struct vcpu *v;

static void setup(void)
{
	v = gp_setup();
}

TestSuite(hypercall, .init = setup, .fini = gp_teardown);
TestSuite(gpa_to_hva, .init = setup, .fini = gp_teardown);

static struct hypercall call_on(struct vcpu *c, unsigned long fid, unsigned long a0,
				unsigned long a1, unsigned long a2, unsigned long a3)
{
	struct hypercall hc = {.fid = fid, .arg = {a0, a1, a2, a3, 0xdead, 0xbeef}};

	hc.error = 12345;
	hc.value = 54321;
	cr_assert_eq(hypercall_call(c, &hc), EXIT_RESUME, "fid %lu: vCPU must resume", fid);
	return hc;
}

static struct hypercall call(unsigned long fid, unsigned long a0, unsigned long a1)
{
	return call_on(v, fid, a0, a1, 0, 0);
}

/* ---------------------------------------------------------------- guest_ram_touch */

Test(gpa_to_hva, inside)
{
	cr_assert_eq(guest_ram_touch(p, GUEST_RAM_BASE, 1), p->ram);
	cr_assert_eq(guest_ram_touch(p, GUEST_RAM_BASE, GP_RAM_SIZE), p->ram);
	cr_assert_eq(guest_ram_touch(p, GUEST_RAM_BASE + 0x1234, 16), p->ram + 0x1234);
	cr_assert_eq(guest_ram_touch(p, GP_RAM_END - 1, 1), p->ram + GP_RAM_SIZE - 1);
	cr_assert_eq(guest_ram_touch(p, GP_RAM_END - 16, 16), p->ram + GP_RAM_SIZE - 16);
}

Test(gpa_to_hva, below_base)
{
	cr_assert_null(guest_ram_touch(p, GUEST_RAM_BASE - 1, 1));
	cr_assert_null(guest_ram_touch(p, GUEST_RAM_BASE - 1, 0));
	cr_assert_null(guest_ram_touch(p, GUEST_RAM_BASE - 16, 32)); /* straddles the base */
	cr_assert_null(guest_ram_touch(p, 0, 0));
	cr_assert_null(guest_ram_touch(p, 0, GUEST_RAM_BASE + 16));
}

Test(gpa_to_hva, len_zero)
{
	cr_assert_eq(guest_ram_touch(p, GUEST_RAM_BASE, 0), p->ram);
	cr_assert_eq(guest_ram_touch(p, GP_RAM_END, 0), p->ram + GP_RAM_SIZE);
	cr_assert_null(guest_ram_touch(p, GP_RAM_END + 1, 0));
}

Test(gpa_to_hva, at_and_past_end)
{
	cr_assert_null(guest_ram_touch(p, GP_RAM_END, 1));
	cr_assert_null(guest_ram_touch(p, GP_RAM_END - 1, 2));
	cr_assert_null(guest_ram_touch(p, GUEST_RAM_BASE, GP_RAM_SIZE + 1));
	cr_assert_null(guest_ram_touch(p, GP_RAM_END + 0x1000, 4));
}

Test(gpa_to_hva, overflow)
{
	cr_assert_null(guest_ram_touch(p, GUEST_RAM_BASE, ~0UL));
	cr_assert_null(guest_ram_touch(p, GUEST_RAM_BASE + 16, ~0UL));
	/* gpa + len wraps around to a small number (or back into RAM). */
	cr_assert_null(guest_ram_touch(p, GP_RAM_END - 16, -(GP_RAM_END - 16) + 0x10));
	cr_assert_null(guest_ram_touch(p, GUEST_RAM_BASE + 16, -16UL));
	cr_assert_null(guest_ram_touch(p, ~0UL, 2));
	cr_assert_null(guest_ram_touch(p, ~0UL - 7, 16));
	cr_assert_null(guest_ram_touch(p, ~0UL, 0));
}

/* ---------------------------------------------------------------- simple calls */

Test(hypercall, version)
{
	struct hypercall hc = call(GOOS_FN_VERSION, 0, 0);

	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, GOOS_ABI_VERSION);
	cr_assert_eq(hc.value, 3);
}

Test(hypercall, vcpu_id)
{
	struct hypercall hc = call(GOOS_FN_VCPU_ID, 7, 7);

	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, 0);
}

Test(hypercall, vcpu_id_second_vcpu)
{
	struct vcpu *w = gp_add_vcpu();

	w->state = VCPU_RUNNING;
	struct hypercall hc = call_on(w, GOOS_FN_VCPU_ID, 0, 0, 0, 0);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, 1);
}

Test(hypercall, unknown_function)
{
	const unsigned long fids[] = {13, 100, 0x7fffffff, ~0UL};

	for (unsigned i = 0; i < sizeof(fids) / sizeof(fids[0]); i++) {
		struct hypercall hc = call(fids[i], 0, 0);
		cr_assert_eq(hc.error, GOOS_ERR_NOT_SUPPORTED, "fid 0x%lx", fids[i]);
		cr_assert_eq(hc.value, 0);
	}
	cr_assert_eq(gp_out.len, 0);
}

Test(hypercall, set_timer)
{
	struct hypercall hc = call(GOOS_FN_SET_TIMER, 123456, 0);

	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(v->arch.timer_deadline, 123456);
}

/* ---------------------------------------------------------------- console */

Test(hypercall, console_write)
{
	const char msg[] = "hello world\n";
	uint64_t gpa = GUEST_RAM_BASE + 0x100;

	memcpy(gp_ram(gpa), msg, strlen(msg));
	struct hypercall hc = call(GOOS_FN_CONSOLE_WRITE, gpa, strlen(msg));
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, strlen(msg));
	cr_assert_str_eq(gp_out.text, "[test] hello world\n");
}

Test(hypercall, console_write_partial_lines)
{
	uint64_t gpa = GUEST_RAM_BASE + 0x200;

	memcpy(gp_ram(gpa), "abc", 3);
	cr_assert_eq(call(GOOS_FN_CONSOLE_WRITE, gpa, 3).error, GOOS_OK);
	cr_assert_eq(gp_out.len, 0);
	memcpy(gp_ram(gpa), "def\nxy", 6);
	cr_assert_eq(call(GOOS_FN_CONSOLE_WRITE, gpa, 6).value, 6);
	cr_assert_str_eq(gp_out.text, "[test] abcdef\n");
	cr_assert_eq(p->line.len, 2);
}

Test(hypercall, console_write_last_bytes_of_ram)
{
	memcpy(gp_ram(GP_RAM_END - 3), "ok\n", 3);
	struct hypercall hc = call(GOOS_FN_CONSOLE_WRITE, GP_RAM_END - 3, 3);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, 3);
	cr_assert_str_eq(gp_out.text, "[test] ok\n");
}

Test(hypercall, console_write_empty)
{
	struct hypercall hc = call(GOOS_FN_CONSOLE_WRITE, GUEST_RAM_BASE, 0);

	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, 0);
	cr_assert_eq(gp_out.len, 0);
}

Test(hypercall, console_write_bad_pointers)
{
	const struct {
		unsigned long gpa, len;
	} bad[] = {
	    {GUEST_RAM_BASE - 0x1000, 8},	    /* below RAM */
	    {GUEST_RAM_BASE - 4, 8},		    /* straddling the start */
	    {GP_RAM_END, 1},			    /* just past the end */
	    {GP_RAM_END + 0x100000, 8},		    /* well past it */
	    {GP_RAM_END - 4, 8},		    /* straddling the end */
	    {GP_RAM_END - 100, GOOS_MAX_XFER + 10}, /* cut to GOOS_MAX_XFER, still straddling */
	    {~0UL - 3, 16},			    /* gpa + len wraps */
	    {0, 16},
	};

	/* Something printable right at the end of RAM, in case a check lets it through. */
	memset(gp_ram(GP_RAM_END - 256), 'x', 256);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hypercall hc = call(GOOS_FN_CONSOLE_WRITE, bad[i].gpa, bad[i].len);
		cr_assert_eq(hc.error, GOOS_ERR_INVALID_ADDR, "case %u: error %ld", i, hc.error);
		cr_assert_eq(hc.value, 0, "case %u", i);
	}
	cr_assert_eq(gp_out.len, 0);
	cr_assert_eq(p->line.len, 0);
}

Test(hypercall, console_write_cut_to_max_xfer)
{
	memset(gp_ram(GUEST_RAM_BASE), 'a', 3 * GOOS_MAX_XFER);
	struct hypercall hc = call(GOOS_FN_CONSOLE_WRITE, GUEST_RAM_BASE, GOOS_MAX_XFER + 1000);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, GOOS_MAX_XFER);

	/* Exactly GOOS_MAX_XFER characters went to the console (emitted or still pending). */
	size_t as = 0;
	for (size_t i = 0; i < gp_out.len; i++)
		as += gp_out.text[i] == 'a';
	cr_assert_eq(as + p->line.len, GOOS_MAX_XFER);

	/* All of RAM is one buffer too: checked whole, then cut. */
	hc = call(GOOS_FN_CONSOLE_WRITE, GUEST_RAM_BASE, GP_RAM_SIZE);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, GOOS_MAX_XFER);
}

/* A buffer whose first GOOS_MAX_XFER bytes fit but the rest does not is refused whole, as the ABI
 * says, for both calls that take one: the cut is no excuse. */
Test(hypercall, buffers_are_checked_whole_before_the_cut)
{
	const struct {
		unsigned long gpa, len;
	} bad[] = {
	    {GUEST_RAM_BASE, GP_RAM_SIZE + 1},		      /* one byte too many */
	    {GUEST_RAM_BASE, ~0UL},			      /* a huge length */
	    {GP_RAM_END - GOOS_MAX_XFER, GOOS_MAX_XFER + 1},  /* the first 4 KiB end at the end */
	    {GUEST_RAM_BASE + 0x1000, ~0UL - GUEST_RAM_BASE}, /* gpa + len wraps to 0xfff */
	    {GUEST_RAM_BASE + 0x1000, -0x1000UL},	      /* gpa + len wraps to RAM base */
	};
	const unsigned long fns[] = {GOOS_FN_CONSOLE_WRITE, GOOS_FN_ENTROPY};

	memset(gp_ram(GUEST_RAM_BASE), 'x', GP_RAM_SIZE);
	for (unsigned f = 0; f < 2; f++)
		for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			struct hypercall hc = call(fns[f], bad[i].gpa, bad[i].len);
			cr_assert_eq(hc.error, GOOS_ERR_INVALID_ADDR, "fn %lu case %u: error %ld",
				     fns[f], i, hc.error);
			cr_assert_eq(hc.value, 0, "fn %lu case %u", fns[f], i);
		}
	cr_assert_eq(gp_out.len, 0);
	cr_assert_eq(p->line.len, 0);
	for (uint64_t i = 0; i < GP_RAM_SIZE; i++)
		cr_assert_eq(*gp_ram(GUEST_RAM_BASE + i), 'x', "byte 0x%lx written",
			     (unsigned long)i);
}

Test(hypercall, console_write_control_chars_neutralised)
{
	const char msg[] = "a\x1b[2Jb\n";

	memcpy(gp_ram(GUEST_RAM_BASE), msg, strlen(msg));
	cr_assert_eq(call(GOOS_FN_CONSOLE_WRITE, GUEST_RAM_BASE, strlen(msg)).error, GOOS_OK);
	cr_assert_str_eq(gp_out.text, "[test] a\\x1b[2Jb\n");
}

Test(hypercall, console_write_stream_tags_stderr)
{
	memcpy(gp_ram(GUEST_RAM_BASE), "out\nerr\n", 8);
	struct hypercall hc =
	    call_on(v, GOOS_FN_CONSOLE_WRITE_STREAM, GUEST_RAM_BASE, 4, GOOS_STREAM_STDOUT, 0);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, 4);
	hc = call_on(v, GOOS_FN_CONSOLE_WRITE_STREAM, GUEST_RAM_BASE + 4, 4, GOOS_STREAM_STDERR, 0);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, 4);
	cr_assert_str_eq(gp_out.text, "[test] out\n[test:err] err\n");
}

Test(hypercall, console_write_stream_unknown_is_invalid_param)
{
	const unsigned long streams[] = {2, 3, 0x100000000UL, ~0UL};

	memcpy(gp_ram(GUEST_RAM_BASE), "x\n", 2);
	for (unsigned i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
		struct hypercall hc =
		    call_on(v, GOOS_FN_CONSOLE_WRITE_STREAM, GUEST_RAM_BASE, 2, streams[i], 0);
		cr_assert_eq(hc.error, GOOS_ERR_INVALID_PARAM, "stream 0x%lx", streams[i]);
	}
	cr_assert_eq(gp_out.len, 0);
}

/* ---------------------------------------------------------------- entropy */

static bool all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

Test(hypercall, entropy_fills)
{
	uint64_t a = GUEST_RAM_BASE + 0x1000, b = GUEST_RAM_BASE + 0x2000;

	struct hypercall hc = call(GOOS_FN_ENTROPY, a, 64);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, 64);
	cr_assert_not(all_zero(gp_ram(a), 64));
	/* Nothing past the buffer. */
	cr_assert(all_zero(gp_ram(a + 64), 64));

	hc = call(GOOS_FN_ENTROPY, b, 64);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, 64);
	cr_assert_neq(memcmp(gp_ram(a), gp_ram(b), 64), 0, "two entropy calls gave the same bytes");
}

Test(hypercall, entropy_odd_sizes)
{
	const unsigned long sizes[] = {1, 3, 31, 33, 63, 65, 1000};
	uint64_t gpa = GUEST_RAM_BASE + 0x4000;

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(gp_ram(gpa), 0x5a, 2048);
		struct hypercall hc = call(GOOS_FN_ENTROPY, gpa, sizes[i]);
		cr_assert_eq(hc.error, GOOS_OK);
		cr_assert_eq(hc.value, sizes[i]);
		cr_assert_eq(*gp_ram(gpa + sizes[i]), 0x5a, "wrote past %lu bytes", sizes[i]);
	}
}

Test(hypercall, entropy_cut_to_max_xfer)
{
	uint64_t gpa = GUEST_RAM_BASE + 0x10000;

	memset(gp_ram(gpa), 0x5a, 3 * GOOS_MAX_XFER);
	struct hypercall hc = call(GOOS_FN_ENTROPY, gpa, 2 * GOOS_MAX_XFER);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, GOOS_MAX_XFER);
	for (size_t i = GOOS_MAX_XFER; i < 3 * GOOS_MAX_XFER; i++)
		cr_assert_eq(*gp_ram(gpa + i), 0x5a, "byte %zu past the cut written", i);
}

Test(hypercall, entropy_bad_pointers_write_nothing)
{
	/* Canaries at both ends of RAM. */
	memset(gp_ram(GUEST_RAM_BASE), 0x5a, 64);
	memset(gp_ram(GP_RAM_END - 64), 0x5a, 64);

	const struct {
		unsigned long gpa, len;
	} bad[] = {
	    {GUEST_RAM_BASE - 32, 64}, {GUEST_RAM_BASE - 0x1000, 16}, {GP_RAM_END - 32, 64},
	    {GP_RAM_END, 1},	       {GP_RAM_END - 32, ~0UL},	      {~0UL - 15, 32},
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hypercall hc = call(GOOS_FN_ENTROPY, bad[i].gpa, bad[i].len);
		cr_assert_eq(hc.error, GOOS_ERR_INVALID_ADDR, "case %u: error %ld", i, hc.error);
		cr_assert_eq(hc.value, 0);
	}
	for (int i = 0; i < 64; i++) {
		cr_assert_eq(*gp_ram(GUEST_RAM_BASE + i), 0x5a);
		cr_assert_eq(*gp_ram(GP_RAM_END - 64 + i), 0x5a);
	}
}

Test(hypercall, entropy_unseeded_fails)
{
	uint64_t gpa = GUEST_RAM_BASE + 0x1000;

	drbg_wipe(&p->rng);
	memset(gp_ram(gpa), 0x5a, 32);
	struct hypercall hc = call(GOOS_FN_ENTROPY, gpa, 32);
	cr_assert_eq(hc.error, GOOS_ERR_FAILED);
	cr_assert_eq(hc.value, 0);
	for (int i = 0; i < 32; i++)
		cr_assert_eq(*gp_ram(gpa + i), 0x5a);
}

/* ---------------------------------------------------------------- vCPU start and wake */

Test(hypercall, vcpu_start_bad_index)
{
	cr_assert_eq(call_on(v, GOOS_FN_VCPU_START, 1, GUEST_RAM_BASE, 0, 0).error,
		     GOOS_ERR_INVALID_PARAM);
	cr_assert_eq(call_on(v, GOOS_FN_VCPU_START, CONFIG_MAX_VCPUS, GUEST_RAM_BASE, 0, 0).error,
		     GOOS_ERR_INVALID_PARAM);
	cr_assert_eq(call_on(v, GOOS_FN_VCPU_START, ~0UL, GUEST_RAM_BASE, 0, 0).error,
		     GOOS_ERR_INVALID_PARAM);
	cr_assert_eq(p->vcpus[1].requests, 0);
	cr_assert_eq(host.kicks, 0);
}

Test(hypercall, vcpu_start_entry_outside_ram)
{
	const unsigned long entries[] = {0, GUEST_RAM_BASE - 4, GP_RAM_END, GP_RAM_END - 2,
					 ~0UL - 1};

	gp_add_vcpu();
	for (unsigned i = 0; i < sizeof(entries) / sizeof(entries[0]); i++)
		cr_assert_eq(call_on(v, GOOS_FN_VCPU_START, 1, entries[i], 0, 0).error,
			     GOOS_ERR_INVALID_ADDR, "entry 0x%lx", entries[i]);
	cr_assert_eq(p->vcpus[1].requests, 0);
	cr_assert_eq(p->vcpus[1].state, VCPU_OFF);
}

Test(hypercall, vcpu_start_self_already_started)
{
	cr_assert_eq(call_on(v, GOOS_FN_VCPU_START, 0, GUEST_RAM_BASE, 0, 0).error,
		     GOOS_ERR_ALREADY_STARTED);
}

Test(hypercall, vcpu_start_sibling)
{
	struct vcpu *w = gp_add_vcpu();
	uint64_t entry = GUEST_RAM_BASE + 0x800, stack = GUEST_RAM_BASE + 0x8000;

	struct hypercall hc = call_on(v, GOOS_FN_VCPU_START, 1, entry, stack, 0x4242);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(w->boot.entry, entry);
	cr_assert_eq(w->boot.stack, stack);
	cr_assert_eq(w->boot.arg, 0x4242);
	cr_assert_eq(w->boot.dt, 0);
	cr_assert(w->requests & VREQ_START);
	cr_assert_eq(w->where, WHERE_RUNQ, "queued on its CPU");
	cr_assert_eq(host.kicks, 1);
	cr_assert_eq(p->running, 2);

	/* A second start before the hart took the first is refused. */
	hc = call_on(v, GOOS_FN_VCPU_START, 1, entry, stack, 0);
	cr_assert_eq(hc.error, GOOS_ERR_ALREADY_STARTED);
	cr_assert_eq(p->running, 2);
}

/* A hart still parked in the firmware is never interrupted (OpenSBI 1.1 could then enter the hv
 * at its boot entry): it finds the request when its run loop starts. */
Test(hypercall, vcpu_start_on_a_hart_not_yet_online_posts_without_a_kick)
{
	gp_add_vcpu();
	hv.cpus[1].online = 0;

	struct hypercall hc = call_on(v, GOOS_FN_VCPU_START, 1, GUEST_RAM_BASE + 0x800, 0, 0);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert(p->vcpus[1].requests & VREQ_START);
	cr_assert_eq(host.kicks, 0);
}

Test(hypercall, wake_bad_index)
{
	cr_assert_eq(call(GOOS_FN_WAKE, 1, 0).error, GOOS_ERR_INVALID_PARAM);
	cr_assert_eq(call(GOOS_FN_WAKE, ~0UL, 0).error, GOOS_ERR_INVALID_PARAM);
	cr_assert_eq(v->wake_pending, 0);
}

Test(hypercall, wake_sibling)
{
	struct vcpu *w = gp_add_vcpu();

	w->state = VCPU_RUNNING;
	cr_assert_eq(call(GOOS_FN_WAKE, 1, 0).error, GOOS_OK);
	cr_assert_eq(w->wake_pending, 1);
	cr_assert(w->requests & VREQ_WAKE);
	cr_assert_eq(host.kicks, 1);
}

/* ---------------------------------------------------------------- idle */

Test(hypercall, idle_deadline_past)
{
	host.now = 5000;
	struct hypercall hc = call(GOOS_FN_IDLE, 4000, 0);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, GOOS_EV_TIMER);
	cr_assert_eq(host.wfis, 0);

	/* A deadline of exactly now has passed too. */
	hc = call(GOOS_FN_IDLE, 5000, 0);
	cr_assert_eq(hc.value, GOOS_EV_TIMER);
	cr_assert_eq(host.wfis, 0);
	cr_assert_eq(hv.cpus[0].arch.hv_timer, ~0UL);
}

Test(hypercall, idle_wake_pending)
{
	host.now = 100;
	cr_assert_eq(call(GOOS_FN_WAKE, 0, 0).error, GOOS_OK); /* wakes itself */
	cr_assert_eq(v->wake_pending, 1);
	struct hypercall hc = call(GOOS_FN_IDLE, GOOS_NO_DEADLINE, 0);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, GOOS_EV_WAKE);
	cr_assert_eq(host.wfis, 0);
	/* Consumed: the next idle sees only its timer. */
	cr_assert_eq(v->wake_pending, 0);
	hc = call(GOOS_FN_IDLE, 0, 0);
	cr_assert_eq(hc.value, GOOS_EV_TIMER);
}

Test(hypercall, idle_irq_pending)
{
	host.irq_pending = true;
	struct hypercall hc = call(GOOS_FN_IDLE, GOOS_NO_DEADLINE, 0);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(hc.value, GOOS_EV_IRQ);
	cr_assert_eq(host.wfis, 0);
}

Test(hypercall, idle_reports_all_ready_events)
{
	host.now = 10;
	host.irq_pending = true;
	v->wake_pending = 1;
	struct hypercall hc = call(GOOS_FN_IDLE, 5, 0);
	cr_assert_eq(hc.value, GOOS_EV_TIMER | GOOS_EV_WAKE | GOOS_EV_IRQ);
}

/* The run loop on CPU 0 until it enters v's guest again (the host port's entry just counts). */
static void run_until_entered(void)
{
	unsigned entries = host.entries;

	for (int turns = 0; host.entries == entries; turns++) {
		cr_assert_lt(turns, 100000, "v never ran again");
		vcpu_run_once(&hv.cpus[0]);
	}
}

Test(hypercall, idle_future_deadline)
{
	const uint64_t deadline = 10050;

	hv.plat.timebase_hz = 10000000;
	host.now = 0;
	host.wfi_step = 100;
	struct hypercall hc = {.fid = GOOS_FN_IDLE, .arg = {deadline}};
	/* Nothing is ready: the call blocks, and the run loop (not the handler) waits. */
	cr_assert_eq(hypercall_call(v, &hc), EXIT_BLOCK);
	cr_assert_eq(hc.error, GOOS_OK);
	cr_assert_eq(host.wfis, 0);
	run_until_entered();
	cr_assert_eq(v->arch.regs.x[REG_A1], GOOS_EV_TIMER, "the call's value");
	cr_assert_geq(host.now, deadline, "returned at %lu, before the deadline",
		      (unsigned long)host.now);
	/* It slept rather than spun, and no longer than needed. */
	cr_assert_eq(host.wfis, 101);
	cr_assert_lt(host.now, deadline + host.wfi_step);
	/* Alone on its CPU, it runs with no slice: only the run tick (vcpu.c) is armed. */
	uint64_t tick = hv.plat.timebase_hz / 100;
	cr_assert_eq(hv.cpus[0].arch.hv_timer, hv.cpus[0].tick_at);
	cr_assert(hv.cpus[0].tick_at + tick > host.now && hv.cpus[0].tick_at <= host.now + tick,
		  "tick at %lu, now %lu", (unsigned long)hv.cpus[0].tick_at,
		  (unsigned long)host.now);
}

Test(hypercall, a_machine_of_one_cpu_runs_without_the_tick)
{
	hv.plat.timebase_hz = 10000000;
	host.now = 0;
	host.wfi_step = 100;
	hv.ncpus = 1;
	struct hypercall hc = {.fid = GOOS_FN_IDLE, .arg = {500}};
	cr_assert_eq(hypercall_call(v, &hc), EXIT_BLOCK);
	run_until_entered();
	/* No CPU to starve: alone on the only CPU, the guest runs with no hv deadline at all. */
	cr_assert_eq(hv.cpus[0].arch.hv_timer, ~0UL, "hv timer %lu",
		     (unsigned long)hv.cpus[0].arch.hv_timer);
}

static enum vcpu_where blocked_where;

/* The sibling on CPU 1 wakes v, once, in the middle of CPU 0's sleep. */
static void sibling_wakes_v(void)
{
	if (host.kicks)
		return;
	blocked_where = v->where;
	host_this_cpu = &hv.cpus[1];
	vcpu_wake(v);
	host_this_cpu = &hv.cpus[0];
}

static void blocked_then_woken_by_a_sibling(enum vcpu_where while_blocked)
{
	struct vcpu *w = gp_add_vcpu();

	host.wfi_step = 10;
	w->state = VCPU_RUNNING;
	struct hypercall hc = {.fid = GOOS_FN_IDLE, .arg = {GOOS_NO_DEADLINE}};
	cr_assert_eq(hypercall_call(v, &hc), EXIT_BLOCK);
	host.on_wfi = sibling_wakes_v;
	run_until_entered();
	cr_assert_eq(host.kicks, 1, "the wake kicked CPU 0");
	cr_assert_eq(v->arch.regs.x[REG_A1], GOOS_EV_WAKE);
	cr_assert_eq(v->where, WHERE_CURRENT);
	cr_assert_eq(blocked_where, while_blocked);
}

/* Alone on its CPU, a blocked vCPU waits in place (still current): nothing else could run. */
Test(hypercall, idle_blocked_alone_wakes_on_a_sibling_wake)
{
	blocked_then_woken_by_a_sibling(WHERE_CURRENT);
	cr_assert_eq(host.wfis, 1, "it slept, once");
}

/* On a shared CPU it leaves the CPU for the sleep list, and the wake queues it again. */
Test(hypercall, idle_blocked_on_a_shared_cpu_wakes_on_a_sibling_wake)
{
	hv.cpus[0].sched.nvcpus = 2;
	blocked_then_woken_by_a_sibling(WHERE_SLEEP);
}

Test(hypercall, idle_wake_request_while_sleeping)
{
	/* A wake from another hart arrives as wake_pending plus a request. */
	host.now = 0;
	host.wfi_step = 10;
	struct vcpu *w = gp_add_vcpu();
	w->state = VCPU_RUNNING;
	host_this_cpu = &hv.cpus[1];
	vcpu_wake(v);
	host_this_cpu = &hv.cpus[0];
	cr_assert(v->requests & VREQ_WAKE);

	struct hypercall hc = call(GOOS_FN_IDLE, 1000000, 0);
	cr_assert_eq(hc.value, GOOS_EV_WAKE);
}

/* A lone vCPU idling with no deadline on a machine of two CPUs: while the run tick is ahead its
 * WFIs keep it armed (no disarm for the wait, no re-arm when a kick ends it); once the tick has
 * passed the hv timer is off, so the hart sleeps until an event rather than waking at every
 * turn. */
static uint64_t wfi_timers[64];
static unsigned nwfi;
static void record_then_wake(void)
{
	wfi_timers[nwfi++] = hv.cpus[0].arch.hv_timer;
	if (nwfi == 40) {
		host_this_cpu = &hv.cpus[1];
		vcpu_wake(v);
		host_this_cpu = &hv.cpus[0];
	}
}

Test(hypercall, a_lone_wait_keeps_the_tick_while_it_is_ahead)
{
	struct vcpu *w = gp_add_vcpu();

	hv.plat.timebase_hz = 10000000;
	hv.ncpus = 2;
	host.now = 0;
	host.wfi_step = 10000; /* 1 ms: the 10 ms tick passes during the wait */
	w->state = VCPU_RUNNING;
	hv.cpus[0].tick_at = 50000;
	struct hypercall hc = {.fid = GOOS_FN_IDLE, .arg = {GOOS_NO_DEADLINE}};
	cr_assert_eq(hypercall_call(v, &hc), EXIT_BLOCK);
	nwfi = 0;
	host.on_wfi = record_then_wake;
	run_until_entered();
	cr_assert_eq(v->arch.regs.x[REG_A1], GOOS_EV_WAKE);
	cr_assert_eq(nwfi, 40);
	/* The WFIs before the tick (host.now counts from 0 in 1 ms steps) had it armed... */
	cr_assert_eq(wfi_timers[0], 50000);
	cr_assert_eq(wfi_timers[3], 50000);
	/* ...and every one after it none. */
	for (unsigned i = 5; i < nwfi; i++)
		cr_assert_eq(wfi_timers[i], ~0UL, "WFI %u: hv timer %lu", i,
			     (unsigned long)wfi_timers[i]);
}
