/*
 * Channels (hv/channel.c) on a board built as hv_main builds one (board.h): where the windows are
 * mapped (stage-2 walked for every partition), the header, refusals that take only the channel,
 * the doorbells (ownership, the pending set, waking an idle peer or interrupting a busy one) and
 * the generations an end's restart bumps.
 */
#include <criterion/criterion.h>
#include <goos.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "arch/host/host.h"
#include "board.h"
#include "hv/chan_layout.h"
#include "hv/guest_fdt.h"
#include "hypercall_call.h"

#define A_GPA  0x40000000UL
#define A_SIZE 0x8000UL
#define B_GPA  0x7fff0000UL /* the last window of the area */
#define B_SIZE 0x10000UL
#define PG     4096UL

TestSuite(channel, .fini = tb_teardown, .timeout = 10);

static struct hypercall call(unsigned part, unsigned long fid, unsigned long a0)
{
	struct hypercall hc = {.fid = fid, .arg = {a0}};
	struct cpu *save = host_this_cpu;

	host_this_cpu = tb_part(part)->vcpus[0].cpu;
	hc.error = 12345;
	hypercall_call(&tb_part(part)->vcpus[0], &hc);
	host_this_cpu = save;
	return hc;
}

static long notify(unsigned part, unsigned long id)
{
	return call(part, GOOS_FN_CHAN_NOTIFY, id).error;
}

static uint64_t take(unsigned part)
{
	struct hypercall hc = call(part, GOOS_FN_CHAN_PENDING, 0);

	cr_assert_eq(hc.error, GOOS_OK);
	return hc.value;
}

static uint32_t hdr32(unsigned id, unsigned off)
{
	uint32_t v;

	memcpy(&v, hv.channels[id].window + off, 4);
	return v;
}

static uint64_t hdr64(unsigned id, unsigned off)
{
	uint64_t v;

	memcpy(&v, hv.channels[id].window + off, 8);
	return v;
}

/* Four partitions: a joins p0 (driver) and p1, b joins p2 (driver) and p1; p3 is no end. */
static void board_ab(void)
{
	tb_setup(4);
	cr_assert_eq(tb_channel("a", 0, 1, A_GPA, A_SIZE), 0);
	cr_assert_eq(tb_channel("b", 2, 1, B_GPA, B_SIZE), 1);
	tb_create();
}

static bool in_window(uint64_t hpa, unsigned *id)
{
	for (unsigned i = 0; i < hv.nchannels; i++) {
		const struct channel *c = &hv.channels[i];

		if (c->up && hpa >= c->pa && hpa < c->pa + c->cfg->size) {
			*id = i;
			return true;
		}
	}
	return false;
}

static bool is_end(const struct channel *c, const struct partition *p)
{
	return c->end[CHAN_DRIVER] == p || c->end[CHAN_DEVICE] == p;
}

/* Every page of the channel area, and every page of its RAM, in partition p's table: the
 * windows of its channels and nothing else there; no window reached from anywhere else. */
static unsigned walk(struct partition *p)
{
	unsigned mapped = 0;

	/* As if the guest had touched all of its RAM (it is mapped on first touch, guest_ram.h). */
	cr_assert_not_null(guest_ram_touch(p, p->ram_gpa, p->ram_size));

	for (uint64_t gpa = CHAN_AREA_BASE; gpa < CHAN_AREA_BASE + CHAN_AREA_SIZE; gpa += PG) {
		uint64_t hpa;
		unsigned perm, id;

		if (stage2_translate(&p->s2, gpa, &hpa, &perm))
			continue;
		cr_assert(in_window(hpa, &id), "%s: gpa 0x%lx maps 0x%lx, in no window",
			  p->cfg->name, gpa, hpa);
		const struct channel *c = &hv.channels[id];
		cr_assert(is_end(c, p), "%s has channel %s's window at 0x%lx", p->cfg->name,
			  c->cfg->name, gpa);
		cr_assert_eq(gpa - c->cfg->address, hpa - c->pa,
			     "%s: 0x%lx is not where it belongs", p->cfg->name, gpa);
		cr_assert_eq(perm, gpa == c->cfg->address ? S2_READ : S2_READ | S2_WRITE,
			     "%s: gpa 0x%lx perm %u", p->cfg->name, gpa, perm);
		mapped++;
	}
	for (uint64_t gpa = p->ram_gpa; gpa < p->ram_gpa + p->ram_size; gpa += PG) {
		uint64_t hpa;
		unsigned perm, id;

		cr_assert_eq(stage2_translate(&p->s2, gpa, &hpa, &perm), 0);
		cr_assert_not(in_window(hpa, &id), "%s's RAM at 0x%lx is channel %u's window",
			      p->cfg->name, gpa, id);
	}
	return mapped;
}

Test(channel, windows_are_in_exactly_their_two_ends_tables_header_read_only)
{
	board_ab();
	cr_assert(hv.channels[0].up && hv.channels[1].up, "%s", tb_out);
	cr_assert_eq(walk(tb_part(0)), A_SIZE / PG);
	cr_assert_eq(walk(tb_part(1)), (A_SIZE + B_SIZE) / PG);
	cr_assert_eq(walk(tb_part(2)), B_SIZE / PG);
	cr_assert_eq(walk(tb_part(3)), 0, "p3 is no end, yet has a window");
	cr_assert_eq(tb_part(0)->chan_owned, 1);
	cr_assert_eq(tb_part(1)->chan_owned, 3);
	cr_assert_eq(tb_part(2)->chan_owned, 2);
	cr_assert_eq(tb_part(3)->chan_owned, 0);
	/* Windows come from the hv's pages, not from a partition's RAM. */
	for (unsigned i = 0; i < 4; i++) {
		const struct partition *p = tb_part(i);

		for (unsigned c = 0; c < 2; c++) {
			uint64_t pa = hv.channels[c].pa, end = pa + hv.channels[c].cfg->size;
			uint64_t ram = arch_va_to_pa(p->ram);

			cr_assert(end <= ram || pa >= ram + p->ram_size, "window %u in p%u's RAM",
				  c, i);
		}
	}
	cr_assert(strstr(tb_out, "gohv: channel a (id 0): p0 -> p1, 32 KiB at 0x40000000 (host 0x"),
		  "%s", tb_out);
	cr_assert(strstr(tb_out, "gohv: channel b (id 1): p2 -> p1, 64 KiB at 0x7fff0000"), "%s",
		  tb_out);
}

Test(channel, the_header_says_the_layout_and_the_rest_is_zero)
{
	board_ab();
	struct chan_layout l;

	chan_layout(2, 8, &l);
	for (unsigned id = 0; id < 2; id++) {
		const struct channel *c = &hv.channels[id];

		cr_assert_eq(hdr64(id, GOOS_CHAN_H_MAGIC), GOOS_CHAN_MAGIC);
		cr_assert_eq(memcmp(c->window, "gooschan", 8), 0);
		cr_assert_eq(hdr32(id, GOOS_CHAN_H_VERSION), GOOS_CHAN_VERSION);
		cr_assert_eq(hdr32(id, GOOS_CHAN_H_ID), id);
		cr_assert_eq(hdr32(id, GOOS_CHAN_H_QUEUES), 2);
		cr_assert_eq(hdr32(id, GOOS_CHAN_H_QSIZE), 8);
		cr_assert_eq(hdr64(id, GOOS_CHAN_H_SIZE), c->cfg->size);
		cr_assert_str_eq((const char *)c->window + GOOS_CHAN_H_NAME, id ? "b" : "a");
		for (unsigned r = 0; r < CHAN_ENDS; r++) {
			cr_assert_eq(hdr32(id, r ? GOOS_CHAN_H_DEVICE_GEN : GOOS_CHAN_H_DRIVER_GEN),
				     0);
			cr_assert_eq(
			    hdr32(id, r ? GOOS_CHAN_H_DEVICE_STATE : GOOS_CHAN_H_DRIVER_STATE),
			    GOOS_CHAN_DOWN);
		}
		/* Queue 0 on page 2: 128 bytes of descriptors, the available ring, the used ring
		 * 4-aligned; queue 1 on page 3; the pool from page 4. */
		cr_assert_eq(hdr64(id, GOOS_CHAN_H_QUEUE), 2 * PG);
		cr_assert_eq(hdr64(id, GOOS_CHAN_H_QUEUE + 8), 2 * PG + 128);
		cr_assert_eq(hdr64(id, GOOS_CHAN_H_QUEUE + 16), 2 * PG + 128 + 24);
		cr_assert_eq(hdr64(id, GOOS_CHAN_H_QUEUE + GOOS_CHAN_H_QUEUE_STRIDE), 3 * PG);
		cr_assert_eq(hdr64(id, GOOS_CHAN_H_QUEUE + 2 * GOOS_CHAN_H_QUEUE_STRIDE), 0,
			     "queue 2 does not exist");
		cr_assert_eq(hdr64(id, GOOS_CHAN_H_POOL), 4 * PG);
		cr_assert_eq(l.pool, 4 * PG);
		cr_assert_eq(hdr64(id, GOOS_CHAN_H_POOL_SIZE), c->cfg->size - 4 * PG);
		for (size_t off = GOOS_CHAN_H_POOL_SIZE + 8; off < c->cfg->size; off++)
			cr_assert_eq(c->window[off], 0, "channel %u: byte 0x%zx left from before",
				     id, off);
	}
}

Test(channel, layout_of_the_largest_queues)
{
	struct chan_layout l;

	chan_layout(8, 1024, &l);
	for (unsigned q = 0; q < 8; q++) {
		cr_assert_eq(l.desc[q], (2 + 7 * q) * PG);
		cr_assert_eq(l.avail[q], l.desc[q] + 16 * 1024);
		cr_assert_eq(l.used[q], l.avail[q] + 6 + 2 * 1024 + 2, "4-aligned");
		cr_assert_leq(l.used[q] + 6 + 8 * 1024, l.desc[q] + 7 * PG);
	}
	cr_assert_eq(l.pool, 58 * PG);
}

Test(channel, a_channel_with_a_refused_end_is_refused_alone)
{
	tb_setup(3);
	tb_cfg(1)->cpus[0] = 9; /* not on this machine: p1 is refused */
	tb_channel("gone", 0, 1, A_GPA, A_SIZE);
	tb_channel("kept", 0, 2, B_GPA, B_SIZE);
	hv.config.nchannels = 0;
	tb_create();
	hv.nchannels = hv.config.nchannels = 2;
	size_t before = hv.pages.nfree;
	channels_create();

	cr_assert(strstr(tb_out, "gohv: channel gone refused: its device, partition p1, was "
				 "refused\n"),
		  "%s", tb_out);
	cr_assert_not(hv.channels[0].up);
	cr_assert(hv.channels[1].up, "the other channel went too");
	cr_assert_eq(tb_part(0)->chan_owned, 2);
	cr_assert_eq(walk(tb_part(0)), B_SIZE / PG, "the refused window is mapped");
	cr_assert_eq(notify(0, 0), GOOS_ERR_INVALID_PARAM);
	cr_assert_eq(tb_part(0)->state, PART_STOPPED, "the end that was not refused runs");
	/* The kept window and a few tables, not the refused one's pages. */
	cr_assert_lt(before - hv.pages.nfree, (A_SIZE + B_SIZE) / PG,
		     "the refused channel's window was allocated");
	/* Its device tree has the kept channel only. */
	static uint8_t dt[64 << 10] __attribute__((aligned(8)));
	tb_start(0);
	cr_assert_eq(guest_fdt_build(tb_part(0), dt, sizeof(dt), GUEST_RAM_BASE), 0);
	cr_assert_lt(fdt_path_offset(dt, "/goos/channel@40000000"), 0);
	cr_assert_geq(fdt_path_offset(dt, "/goos/channel@7fff0000"), 0);
}

Test(channel, no_memory_for_a_window_refuses_that_channel_only)
{
	tb_setup(2);
	tb_channel("big", 0, 1, A_GPA, 16UL << 20);
	tb_channel("small", 1, 0, B_GPA, B_SIZE);
	hv.config.nchannels = 0;
	tb_create();
	hv.nchannels = hv.config.nchannels = 2;
	/* Less than the big window left, enough for the small one and its tables. */
	while (hv.pages.nfree > (8UL << 20) / PAGE_SIZE)
		cr_assert_neq(page_alloc(&hv.pages, 1, PAGE_SIZE), 0);
	channels_create();
	cr_assert(strstr(tb_out, "gohv: channel big refused: not enough free memory for its 16384 "
				 "KiB window\n"),
		  "%s", tb_out);
	cr_assert_not(hv.channels[0].up);
	cr_assert(hv.channels[1].up, "%s", tb_out);
	cr_assert_eq(walk(tb_part(0)), B_SIZE / PG);
}

/* Room for the window and for one end's tables only: the first end's mapping is undone. */
Test(channel, no_memory_for_the_second_ends_tables_undoes_the_first)
{
	tb_setup(2);
	tb_channel("a", 0, 1, A_GPA, A_SIZE);
	hv.config.nchannels = 0;
	tb_create();
	hv.config.nchannels = 1;
	hv.nchannels = 1;
	/* Everything but the window and two table pages (a middle and a leaf table). */
	size_t keep = A_SIZE / PG + 2;
	while (hv.pages.nfree > keep)
		cr_assert_neq(page_alloc(&hv.pages, 1, PAGE_SIZE), 0);
	channels_create();
	cr_assert(strstr(tb_out, "gohv: channel a refused: no memory for the stage-2 tables of "
				 "partition p1\n"),
		  "%s", tb_out);
	cr_assert_not(hv.channels[0].up);
	cr_assert_eq(walk(tb_part(0)), 0, "p0 kept the window");
	cr_assert_eq(walk(tb_part(1)), 0);
	cr_assert_eq(tb_part(0)->chan_owned | tb_part(1)->chan_owned, 0);
	cr_assert_neq(page_alloc(&hv.pages, A_SIZE / PG, PAGE_SIZE), 0, "the window was not freed");
}

Test(channel, notify_only_on_a_channel_of_ones_own_to_a_running_peer)
{
	board_ab();
	tb_start(0);
	cr_assert_eq(notify(0, 0), GOOS_ERR_PEER_DOWN, "p1 has not started");
	cr_assert_eq(tb_part(1)->chan_pending, 0, "a peer that is down was rung");
	tb_start(1);
	take(0);
	cr_assert_eq(notify(0, 0), GOOS_OK);
	cr_assert_eq(tb_part(1)->chan_pending, 1);
	cr_assert_eq(notify(0, 1), GOOS_ERR_INVALID_PARAM, "p0 is no end of b");
	tb_start(3);
	cr_assert_eq(notify(3, 0), GOOS_ERR_INVALID_PARAM, "p3 is no end of a");
	cr_assert_eq(notify(3, 1), GOOS_ERR_INVALID_PARAM);
	const unsigned long bad[] = {2, 63, 64, 65, 1000, ~0UL, 1UL << 32};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(notify(0, bad[i]), GOOS_ERR_INVALID_PARAM, "id 0x%lx", bad[i]);
	cr_assert_eq(tb_part(1)->chan_pending, 1, "a refused notify rang");
	cr_assert_eq(tb_part(3)->chan_pending, 0);
	/* p1 is an end of both, either way. */
	tb_start(2);
	take(1);
	cr_assert_eq(notify(1, 0), GOOS_OK);
	cr_assert_eq(notify(1, 1), GOOS_OK);
	cr_assert_eq(take(0), 1);
	cr_assert_eq(take(2), 2);
}

Test(channel, the_pending_set_is_taken_whole_once)
{
	board_ab();
	for (unsigned i = 0; i < 3; i++)
		tb_start(i);
	take(1);
	cr_assert_eq(notify(0, 0), GOOS_OK);
	cr_assert_eq(notify(0, 0), GOOS_OK);
	cr_assert_eq(notify(2, 1), GOOS_OK);
	cr_assert_eq(take(1), 3, "both channels, each once");
	cr_assert_eq(take(1), 0, "taken twice");
	cr_assert_eq(take(3), 0);
}

static unsigned long idle_result(unsigned part)
{
	return tb_part(part)->vcpus[0].arch.regs.x[REG_A1];
}

Test(channel, idle_returns_virtq_while_the_set_is_not_empty)
{
	board_ab();
	tb_start(0);
	tb_start(1);
	take(1);
	struct hypercall hc = call(1, GOOS_FN_IDLE, host.now + 1000000);
	cr_assert_eq(tb_part(1)->vcpus[0].wait, WAIT_IDLE, "an empty set must not end the idle");
	tb_part(1)->vcpus[0].wait = WAIT_NONE;

	cr_assert_eq(notify(0, 0), GOOS_OK);
	for (int i = 0; i < 2; i++) {
		hc = call(1, GOOS_FN_IDLE, GOOS_NO_DEADLINE);
		cr_assert_eq(hc.value, GOOS_EV_VIRTQ, "idle %d: 0x%lx", i, hc.value);
		cr_assert_eq(tb_part(1)->vcpus[0].wait, WAIT_NONE);
	}
	cr_assert_eq(take(1), 1);
	call(1, GOOS_FN_IDLE, GOOS_NO_DEADLINE);
	cr_assert_eq(tb_part(1)->vcpus[0].wait, WAIT_IDLE, "the set was taken: idle waits");
}

Test(channel, a_ring_wakes_an_idle_peer_with_virtq_and_no_interrupt)
{
	board_ab();
	tb_start(0);
	tb_start(1);
	take(1);
	struct vcpu *w = &tb_part(1)->vcpus[0];

	call(1, GOOS_FN_IDLE, GOOS_NO_DEADLINE);
	cr_assert_eq(w->wait, WAIT_IDLE);
	w->requests = 0;
	cr_assert_eq(notify(0, 0), GOOS_OK);
	cr_assert(w->requests & VREQ_WAKE, "the idle peer was not woken");
	cr_assert_eq(w->virq, 0, "an idle peer got the interrupt too");
	tb_turn(1);
	cr_assert_eq(w->wait, WAIT_NONE);
	cr_assert_eq(idle_result(1), GOOS_EV_VIRTQ);
	cr_assert_eq(w->arch.virqs, 0);
}

Test(channel, a_busy_peer_gets_the_interrupt_until_it_takes_the_set)
{
	board_ab();
	tb_start(0);
	tb_start(1);
	take(1);
	struct vcpu *w = &tb_part(1)->vcpus[0];

	cr_assert(w->virq_enabled & VIRQ_BIT(VIRQ_CHANNEL), "an end's vCPU 0 has it enabled");
	cr_assert_eq(notify(0, 0), GOOS_OK);
	cr_assert(w->virq & VIRQ_BIT(VIRQ_CHANNEL));
	cr_assert(w->requests & VREQ_VIRQ);
	tb_turn(1);
	cr_assert_eq(w->arch.virqs, VIRQ_BIT(VIRQ_CHANNEL), "not delivered");
	/* Pending as long as the set is not taken, however often it rings. */
	cr_assert_eq(notify(0, 0), GOOS_OK);
	tb_turn(1);
	tb_turn(1);
	cr_assert_eq(w->arch.virqs, VIRQ_BIT(VIRQ_CHANNEL));
	cr_assert_eq(host.withdrawn, 0);
	cr_assert_eq(take(1), 1);
	tb_turn(1);
	cr_assert_eq(w->arch.virqs, 0, "still pending once the set was taken");
	cr_assert_eq(host.withdrawn, 1);
	/* Taken again with nothing rung: nothing to lower. */
	cr_assert_eq(take(1), 0);
	tb_turn(1);
	cr_assert_eq(host.withdrawn, 1);
	/* Rung again: raised again. */
	cr_assert_eq(notify(0, 0), GOOS_OK);
	tb_turn(1);
	cr_assert_eq(w->arch.virqs, VIRQ_BIT(VIRQ_CHANNEL));
}

Test(channel, a_partition_with_no_channel_has_the_interrupt_masked)
{
	board_ab();
	tb_start(3);
	cr_assert_eq(tb_part(3)->vcpus[0].virq_enabled, VIRQ_RESET_ENABLED);
}

/* p1 restarts (on failure) once: its own guest ends it at its next entry. */
static bool end_p1;
static enum vcpu_exit p1_fails(struct vcpu *v)
{
	if (v->part == tb_part(1) && end_p1) {
		end_p1 = false;
		return partition_exit(v, 1, true);
	}
	return EXIT_YIELD;
}

Test(channel, a_restart_bumps_the_generation_rings_the_peer_and_keeps_the_window)
{
	board_ab();
	tb_cfg(1)->restart = RESTART_ON_FAILURE;
	tb_start(0);
	tb_start(1);
	cr_assert_eq(hdr32(0, GOOS_CHAN_H_DRIVER_GEN), 1);
	cr_assert_eq(hdr32(0, GOOS_CHAN_H_DEVICE_GEN), 1);
	cr_assert_eq(hdr32(0, GOOS_CHAN_H_DRIVER_STATE), GOOS_CHAN_UP);
	cr_assert_eq(hdr32(0, GOOS_CHAN_H_DEVICE_STATE), GOOS_CHAN_UP);
	cr_assert_eq(hdr32(1, GOOS_CHAN_H_DEVICE_GEN), 1, "p1 is b's device too");
	cr_assert_eq(hdr32(1, GOOS_CHAN_H_DRIVER_GEN), 0, "p2 never started");
	cr_assert_eq(take(0), 1, "p1's start rang p0");
	cr_assert_eq(take(1), 0, "p0's start rang p1 before it ran");

	struct channel *c = &hv.channels[0];
	memset(c->window + 4 * PG, 0x5c, 64); /* a message in the pool */
	/* p1's run writes there (which makes that RAM present, guest_ram.h). */
	uint8_t *ram = guest_ram_touch(tb_part(1), tb_part(1)->ram_gpa, TB_RAM);
	memset(ram + TB_RAM / 2, 0x77, 64);

	/* A ring p1 never takes: its next run must not see it. */
	cr_assert_eq(notify(0, 0), GOOS_OK);
	cr_assert_eq(tb_part(1)->chan_pending, 1);
	host.on_run = p1_fails;
	end_p1 = true;
	tb_turn(1);
	cr_assert_neq(tb_part(1)->state, PART_RUNNING);
	cr_assert_eq(hdr32(0, GOOS_CHAN_H_DEVICE_STATE), GOOS_CHAN_DOWN);
	cr_assert_eq(hdr32(0, GOOS_CHAN_H_DEVICE_GEN), 1);
	cr_assert_eq(hdr32(0, GOOS_CHAN_H_DRIVER_STATE), GOOS_CHAN_UP);
	cr_assert_eq(take(0), 1, "the stop did not ring p0");
	cr_assert_eq(notify(0, 0), GOOS_ERR_PEER_DOWN);
	/* Its vCPU 0 scrubs, then restarts it. */
	for (int i = 0; i < 16 && hdr32(0, GOOS_CHAN_H_DEVICE_GEN) == 1; i++)
		tb_turn(1);
	cr_assert_eq(hdr32(0, GOOS_CHAN_H_DEVICE_GEN), 2, "%s", tb_out);
	cr_assert_eq(hdr32(0, GOOS_CHAN_H_DEVICE_STATE), GOOS_CHAN_UP);
	cr_assert_eq(hdr32(1, GOOS_CHAN_H_DEVICE_GEN), 2);
	cr_assert_eq(hdr32(0, GOOS_CHAN_H_DRIVER_GEN), 1, "the other end did not restart");
	cr_assert_eq(take(0), 1, "the start did not ring p0");
	cr_assert_eq(tb_part(2)->chan_pending, 0, "p2 is down: not rung");
	for (int i = 0; i < 64; i++)
		cr_assert_eq(c->window[4 * PG + i], 0x5c, "the window was scrubbed");
	for (int i = 0; i < 64; i++)
		cr_assert_eq(ram[TB_RAM / 2 + i], 0, "p1's RAM was not scrubbed");
	cr_assert_eq(tb_part(1)->chan_pending, 0, "the new run saw a ring of the last");
	tb_turn(1);
	cr_assert_eq(notify(0, 0), GOOS_OK);
	cr_assert_eq(take(1), 1);
}

static const char *prop_str(const void *dt, int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(dt, node, name, &len);

	cr_assert_not_null(s, "no %s", name);
	cr_assert_eq(strnlen(s, (size_t)len) + 1, (size_t)len);
	return s;
}

static uint32_t prop_u32(const void *dt, int node, const char *name)
{
	int len;
	const fdt32_t *v = fdt_getprop(dt, node, name, &len);

	cr_assert_not_null(v, "no %s", name);
	cr_assert_eq(len, 4);
	return fdt32_to_cpu(*v);
}

Test(channel, each_end_finds_its_channels_in_its_device_tree)
{
	static uint8_t dt[64 << 10] __attribute__((aligned(8)));
	board_ab();

	for (unsigned i = 0; i < 4; i++) {
		tb_start(i);
		cr_assert_eq(guest_fdt_build(tb_part(i), dt, sizeof(dt), GUEST_RAM_BASE), 0);
		int a = fdt_path_offset(dt, "/goos/channel@40000000");
		int b = fdt_path_offset(dt, "/goos/channel@7fff0000");

		cr_assert_eq(a >= 0, i <= 1, "p%u: channel a %s", i, a >= 0 ? "present" : "absent");
		cr_assert_eq(b >= 0, i == 1 || i == 2, "p%u: channel b", i);
		if (a >= 0) {
			cr_assert_str_eq(prop_str(dt, a, "compatible"), GOOS_CHAN_COMPATIBLE);
			cr_assert_str_eq(prop_str(dt, a, GOOS_CHAN_DT_NAME), "a");
			cr_assert_eq(prop_u32(dt, a, GOOS_CHAN_DT_ID), 0);
			cr_assert_str_eq(prop_str(dt, a, GOOS_CHAN_DT_ROLE),
					 i ? "device" : "driver");
			int len;
			const fdt64_t *reg = fdt_getprop(dt, a, "reg", &len);
			cr_assert_eq(len, 16);
			cr_assert_eq(fdt64_to_cpu(reg[0]), A_GPA);
			cr_assert_eq(fdt64_to_cpu(reg[1]), A_SIZE);
		}
		if (b >= 0) {
			cr_assert_eq(prop_u32(dt, b, GOOS_CHAN_DT_ID), 1);
			cr_assert_str_eq(prop_str(dt, b, GOOS_CHAN_DT_ROLE),
					 i == 2 ? "driver" : "device");
		}
		int g = fdt_path_offset(dt, "/goos");
		cr_assert_eq(prop_u32(dt, g, "#address-cells"), 2);
	}
}

Test(channel, a_device_tree_of_every_channel_is_built_whole)
{
	/* 64 channels between two partitions: each end's tree is larger than guest_fdt's first try
	 * (8 KiB), so it is built again in the whole area, with every channel. */
	static uint8_t dt[64 << 10] __attribute__((aligned(8)));
	char name[8];

	tb_setup(2);
	for (unsigned i = 0; i < CONFIG_MAX_CHANNELS; i++) {
		snprintf(name, sizeof(name), "c%u", i);
		cr_assert_eq(tb_channel(name, 0, 1, A_GPA + i * A_SIZE, A_SIZE), i);
	}
	tb_create();
	tb_start(0);
	cr_assert_eq(guest_fdt_build(tb_part(0), dt, sizeof(dt), GUEST_RAM_BASE), 0);
	cr_assert_gt(fdt_totalsize(dt), 8u << 10);
	for (unsigned i = 0; i < CONFIG_MAX_CHANNELS; i++) {
		char path[40];

		snprintf(path, sizeof(path), "/goos/channel@%lx", A_GPA + i * A_SIZE);
		cr_assert_geq(fdt_path_offset(dt, path), 0, "%s missing", path);
	}
}
