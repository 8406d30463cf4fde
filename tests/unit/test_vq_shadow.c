/*
 * Shadow virtqueues (hv/vq_shadow.c): the checks and translation between an owner's rings and the
 * device's, on host memory. The owner's RAM is a buffer said to be at guest-physical RAM_GPA and
 * host-physical RAM_HPA; the "device" is this test, reading and writing the real rings.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hv/guest_ram.h"
#include "hv/vq_shadow.h"

#define RAM_GPA	 0x80000000UL
#define RAM_HPA	 0x100000000UL
#define RAM_SIZE (64UL << 10)
#define N	 8
/* Where the owner's rings are in its RAM. */
#define DESC  0x1000UL
#define AVAIL 0x2000UL
#define USED  0x3000UL
#define BUF   0x8000UL

static uint8_t *ram_buf;
static struct vqs_ram ram;
static struct vqs_real real;
static struct vq_shadow q;
static struct vqs_fault f;

static struct virtq_desc *gdesc(void)
{
	return (struct virtq_desc *)(ram_buf + DESC);
}

static struct virtq_avail *gavail(void)
{
	return (struct virtq_avail *)(ram_buf + AVAIL);
}

static struct virtq_used *gused(void)
{
	return (struct virtq_used *)(ram_buf + USED);
}

static void setup(void)
{
	ram_buf = aligned_alloc(4096, RAM_SIZE);
	memset(ram_buf, 0, RAM_SIZE);
	ram = (struct vqs_ram){.hva = ram_buf, .gpa = RAM_GPA, .size = RAM_SIZE, .hpa = RAM_HPA};
	memset(&real, 0xee, sizeof(real));
	q = (struct vq_shadow){.num = N,
			       .desc_gpa = RAM_GPA + DESC,
			       .avail_gpa = RAM_GPA + AVAIL,
			       .used_gpa = RAM_GPA + USED,
			       .real = &real};
}

static void teardown(void)
{
	free(ram_buf);
}

TestSuite(vq_shadow, .init = setup, .fini = teardown);

/* A fresh queue, as an owner sets one up after a reset: its rings cleared. */
static void enable(void)
{
	memset(ram_buf + DESC, 0, USED + 0x1000 - DESC);
	cr_assert_eq(vqs_enable(&q, &ram, &f), 0, "%s", f.what);
}

/* The owner makes chain head available. */
static void offer(uint16_t head)
{
	struct virtq_avail *a = gavail();

	a->ring[a->idx % N] = head;
	a->idx++;
}

static void expect_refused(const char *what, uint32_t index)
{
	cr_assert_eq(vqs_post(&q, &ram, &f), -1, "accepted: expected \"%s\"", what);
	cr_assert_str_eq(f.what, what);
	cr_assert_eq(f.index, index, "index %u, expected %u", f.index, index);
}

Test(vq_shadow, enable_checks_the_size_and_that_each_ring_is_in_ram)
{
	enable();
	cr_assert(q.ready);
	for (unsigned i = 0; i < N; i++)
		cr_assert_eq(real.desc[i].addr, 0, "the real rings start cleared");
	static const uint32_t bad_sizes[] = {0, 3, 6, VQS_MAX * 2};
	for (unsigned i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		q.num = bad_sizes[i];
		cr_assert_eq(vqs_enable(&q, &ram, &f), -1, "size %u", bad_sizes[i]);
		cr_assert_not(q.ready);
	}
	q.num = N;
	q.desc_gpa = RAM_GPA + DESC + 8;
	cr_assert_eq(vqs_enable(&q, &ram, &f), -1);
	cr_assert_str_eq(f.what, "misaligned ring");
	/* The descriptor table's last byte one past the end of RAM. */
	q.desc_gpa = RAM_GPA + RAM_SIZE - VIRTQ_DESC_BYTES(N) + 16;
	cr_assert_eq(vqs_enable(&q, &ram, &f), -1);
	cr_assert_str_eq(f.what, "descriptor table outside the partition's RAM");
	q.desc_gpa = RAM_GPA + DESC;
	q.avail_gpa = RAM_GPA - 2;
	cr_assert_eq(vqs_enable(&q, &ram, &f), -1);
	cr_assert_str_eq(f.what, "available ring outside the partition's RAM");
	q.avail_gpa = RAM_GPA + AVAIL;
	q.used_gpa = ~0UL - 3; /* wraps */
	cr_assert_eq(vqs_enable(&q, &ram, &f), -1);
	cr_assert_str_eq(f.what, "used ring outside the partition's RAM");
	q.used_gpa = RAM_GPA + RAM_SIZE - 72; /* 70 bytes, 2 short of the end: fine */
	enable();
}

Test(vq_shadow, a_chain_is_translated_to_host_physical_and_posted)
{
	enable();
	gdesc()[2] = (struct virtq_desc){RAM_GPA + BUF, 100, VIRTQ_DESC_F_NEXT | 0x80, 5};
	gdesc()[5] = (struct virtq_desc){RAM_GPA + BUF + 0x1000, 200, VIRTQ_DESC_F_WRITE, 7};
	gavail()->flags = 1;
	offer(2);
	cr_assert_eq(vqs_post(&q, &ram, &f), 1);
	cr_assert_eq(real.avail_idx, 1);
	cr_assert_eq(real.avail_ring[0], 2);
	/* The hint is the owner's: the device must still interrupt the hv, which copies used
	 * entries only then. */
	cr_assert_eq(real.avail_flags, 0, "the no-interrupt hint does not reach the device");
	cr_assert_not(vqs_wants_interrupt(&q));
	gavail()->flags = 0;
	cr_assert(vqs_wants_interrupt(&q));
	cr_assert_eq(real.desc[2].addr, RAM_HPA + BUF);
	cr_assert_eq(real.desc[2].len, 100);
	cr_assert_eq(real.desc[2].flags, VIRTQ_DESC_F_NEXT, "unknown flags are dropped");
	cr_assert_eq(real.desc[2].next, 5);
	cr_assert_eq(real.desc[5].addr, RAM_HPA + BUF + 0x1000);
	cr_assert_eq(real.desc[5].flags, VIRTQ_DESC_F_WRITE);
	cr_assert_eq(q.busy, (1u << 2) | (1u << 5));
	/* Nothing new: nothing posted. */
	cr_assert_eq(vqs_post(&q, &ram, &f), 0);
	cr_assert_eq(real.avail_idx, 1);
	/* A buffer ending exactly at the end of RAM is the owner's. */
	gdesc()[0] = (struct virtq_desc){RAM_GPA + RAM_SIZE - 16, 16, VIRTQ_DESC_F_WRITE, 0};
	offer(0);
	cr_assert_eq(vqs_post(&q, &ram, &f), 1);
	cr_assert_eq(real.desc[0].addr, RAM_HPA + RAM_SIZE - 16);
}

/* The ranges touch was asked for, in order; refuse_at: the call that fails (0: none). */
static struct {
	uint64_t gpa[8], len[8];
	unsigned n, refuse_at;
} touched;

static void *record_touch(void *ctx, uint64_t gpa, uint64_t len)
{
	cr_assert_eq(ctx, &touched);
	cr_assert_lt(touched.n, 8);
	touched.gpa[touched.n] = gpa;
	touched.len[touched.n] = len;
	if (++touched.n == touched.refuse_at)
		return NULL;
	return ram_buf + (gpa - RAM_GPA);
}

/* RAM present on first touch (guest_ram.h): the rings and every buffer are touched before the
 * hv reads them or the device is given them, and a range touch refuses is not posted. */
Test(vq_shadow, rings_and_buffers_are_touched_before_use)
{
	memset(&touched, 0, sizeof(touched));
	ram.touch = record_touch;
	ram.ctx = &touched;
	enable();
	cr_assert_eq(touched.n, 3);
	cr_assert_eq(touched.gpa[0], RAM_GPA + DESC);
	cr_assert_eq(touched.len[0], VIRTQ_DESC_BYTES(N));
	cr_assert_eq(touched.gpa[1], RAM_GPA + AVAIL);
	cr_assert_eq(touched.gpa[2], RAM_GPA + USED);
	gdesc()[2] = (struct virtq_desc){RAM_GPA + BUF, 100, VIRTQ_DESC_F_NEXT, 5};
	gdesc()[5] = (struct virtq_desc){RAM_GPA + BUF + 0x1000, 200, VIRTQ_DESC_F_WRITE, 0};
	offer(2);
	cr_assert_eq(vqs_post(&q, &ram, &f), 1);
	cr_assert_eq(touched.n, 5);
	cr_assert_eq(touched.gpa[3], RAM_GPA + BUF);
	cr_assert_eq(touched.len[3], 100);
	cr_assert_eq(touched.gpa[4], RAM_GPA + BUF + 0x1000);
	cr_assert_eq(touched.len[4], 200);
	/* The next buffer cannot be made present: refused, as a buffer outside RAM is. */
	touched.refuse_at = 6;
	gdesc()[0] = (struct virtq_desc){RAM_GPA + BUF + 0x2000, 64, VIRTQ_DESC_F_WRITE, 0};
	offer(0);
	cr_assert_eq(vqs_post(&q, &ram, &f), -1);
	cr_assert_eq(real.avail_idx, 1, "nothing more reached the device");
}

/* A buffer wholly in chunks the present bitmap has needs no touch; one in a chunk that is not
 * there still gets it. */
Test(vq_shadow, buffers_in_present_chunks_are_not_touched_again)
{
	uint64_t present[1] = {0};

	memset(&touched, 0, sizeof(touched));
	ram.touch = record_touch;
	ram.ctx = &touched;
	ram.present = present;
	enable();
	cr_assert_eq(touched.n, 3, "the rings' chunk is not present: touched");
	present[0] = 1UL << (BUF / GUEST_RAM_CHUNK);
	gdesc()[2] = (struct virtq_desc){RAM_GPA + BUF, 100, VIRTQ_DESC_F_WRITE, 0};
	offer(2);
	cr_assert_eq(vqs_post(&q, &ram, &f), 1);
	cr_assert_eq(touched.n, 3, "a buffer in a present chunk is not touched");
	present[0] = 0;
	gdesc()[0] = (struct virtq_desc){RAM_GPA + BUF + 0x100, 16, VIRTQ_DESC_F_WRITE, 0};
	offer(0);
	cr_assert_eq(vqs_post(&q, &ram, &f), 1);
	cr_assert_eq(touched.n, 4, "one in a chunk not present is");
	cr_assert_eq(touched.gpa[3], RAM_GPA + BUF + 0x100);
	ram.present = NULL;
}

Test(vq_shadow, buffers_outside_the_owners_ram_are_refused)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
	} bad[] = {
	    {RAM_GPA + RAM_SIZE, 64},	     /* the next partition's RAM, once translated */
	    {RAM_GPA + RAM_SIZE - 16, 17},   /* one byte past the end */
	    {RAM_GPA - 64, 128},	     /* straddles the start: the memory below */
	    {0x80200000UL + RAM_SIZE, 4096}, /* where the hv is, in host terms */
	    {~0UL - 0xfff, 0x2000},	     /* addr + len wraps */
	    {RAM_GPA + BUF, 0xffffffffu},    /* a length past the end */
	    {0, 16},			     /* nowhere */
	};

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enable();
		gdesc()[1] = (struct virtq_desc){bad[i].addr, bad[i].len, VIRTQ_DESC_F_WRITE, 0};
		offer(1);
		expect_refused("buffer outside the partition's RAM", 1);
		cr_assert_eq(f.addr, bad[i].addr);
		cr_assert_eq(f.len, bad[i].len);
		cr_assert_eq(real.avail_idx, 0, "case %u: nothing posted", i);
		cr_assert_eq(q.busy, 0);
	}
}

Test(vq_shadow, bad_indexes_loops_and_indirect_chains_are_refused)
{
	enable();
	offer(N);
	expect_refused("descriptor index past the queue size", N);

	enable();
	gdesc()[0] = (struct virtq_desc){RAM_GPA + BUF, 8, VIRTQ_DESC_F_NEXT, N + 100};
	offer(0);
	expect_refused("descriptor index past the queue size", N + 100);

	/* A chain longer than the queue can only revisit a descriptor: through all of them... */
	enable();
	for (unsigned i = 0; i < N; i++)
		gdesc()[i] = (struct virtq_desc){RAM_GPA + BUF, 8, VIRTQ_DESC_F_NEXT, (i + 1) % N};
	offer(3);
	expect_refused("chain longer than the queue", 3);
	/* ...or sooner. */
	enable();
	gdesc()[5] = (struct virtq_desc){RAM_GPA + BUF, 8, VIRTQ_DESC_F_NEXT, 6};
	gdesc()[6] = (struct virtq_desc){RAM_GPA + BUF, 8, VIRTQ_DESC_F_NEXT, 5};
	offer(5);
	expect_refused("chain loops", 5);
	cr_assert_eq(q.busy, 0);

	enable();
	gdesc()[4] = (struct virtq_desc){RAM_GPA + BUF, 16, VIRTQ_DESC_F_INDIRECT, 0};
	offer(4);
	expect_refused("indirect descriptor (not offered)", 4);

	/* More made available than the queue holds. */
	enable();
	gavail()->idx = N + 1;
	expect_refused("available index runs more than the queue size ahead", N + 1);
	cr_assert_eq(real.avail_idx, 0);
}

Test(vq_shadow, chains_before_a_bad_one_are_posted_and_those_after_are_not)
{
	enable();
	gdesc()[0] = (struct virtq_desc){RAM_GPA + BUF, 8, 0, 0};
	gdesc()[1] = (struct virtq_desc){RAM_GPA + RAM_SIZE, 8, 0, 0};
	gdesc()[2] = (struct virtq_desc){RAM_GPA + BUF, 8, 0, 0};
	offer(0);
	offer(1);
	offer(2);
	expect_refused("buffer outside the partition's RAM", 1);
	cr_assert_eq(real.avail_idx, 1);
	cr_assert_eq(real.avail_ring[0], 0);
	cr_assert_eq(q.busy, 1);
}

Test(vq_shadow, a_descriptor_the_device_holds_cannot_be_posted_again)
{
	enable();
	gdesc()[0] = (struct virtq_desc){RAM_GPA + BUF, 8, VIRTQ_DESC_F_NEXT, 1};
	gdesc()[1] = (struct virtq_desc){RAM_GPA + BUF, 8, VIRTQ_DESC_F_WRITE, 0};
	offer(0);
	cr_assert_eq(vqs_post(&q, &ram, &f), 1);
	/* The owner rewrites descriptor 1 (held by the device) to point elsewhere and posts it. */
	gdesc()[1] = (struct virtq_desc){RAM_GPA + BUF + 64, 8, VIRTQ_DESC_F_WRITE, 0};
	offer(1);
	expect_refused("descriptor reused while the device holds it", 1);
	cr_assert_eq(real.desc[1].addr, RAM_HPA + BUF, "what the device reads is unchanged");
	cr_assert_eq(real.avail_idx, 1);
}

Test(vq_shadow, used_entries_are_copied_back_clamped_and_free_their_descriptors)
{
	enable();
	gdesc()[0] = (struct virtq_desc){RAM_GPA + BUF, 10, VIRTQ_DESC_F_NEXT, 3};
	gdesc()[3] = (struct virtq_desc){RAM_GPA + BUF + 64, 100, VIRTQ_DESC_F_WRITE, 0};
	gdesc()[6] = (struct virtq_desc){RAM_GPA + BUF + 256, 50, VIRTQ_DESC_F_WRITE, 0};
	offer(0);
	offer(6);
	cr_assert_eq(vqs_post(&q, &ram, &f), 2);
	cr_assert_eq(vqs_complete(&q), 0, "nothing used yet");
	/* The device uses both: the first says 80 bytes, the second more than its 50. */
	real.used_ring[0] = (struct virtq_used_elem){0, 80};
	real.used_ring[1] = (struct virtq_used_elem){6, 4096};
	real.used_flags = 1;
	real.used_idx = 2;
	cr_assert_eq(vqs_complete(&q), 2);
	cr_assert_eq(gused()->idx, 2);
	cr_assert_eq(gused()->flags, 1);
	cr_assert_eq(gused()->ring[0].id, 0);
	cr_assert_eq(gused()->ring[0].len, 80);
	cr_assert_eq(gused()->ring[1].id, 6);
	cr_assert_eq(gused()->ring[1].len, 50, "at most what the chain lets the device write");
	cr_assert_eq(q.busy, 0);
	/* Freed: the owner may post them again, and its own used idx does not steer the copy. */
	gused()->idx = 1000;
	offer(0);
	cr_assert_eq(vqs_post(&q, &ram, &f), 1);
	real.used_ring[2] = (struct virtq_used_elem){0, 0};
	real.used_idx = 3;
	cr_assert_eq(vqs_complete(&q), 1);
	cr_assert_eq(gused()->idx, 3);
}

Test(vq_shadow, a_queue_not_ready_posts_and_completes_nothing)
{
	cr_assert_eq(vqs_post(&q, &ram, &f), -1);
	cr_assert_str_eq(f.what, "queue not ready");
	cr_assert_eq(vqs_complete(&q), 0);
}
