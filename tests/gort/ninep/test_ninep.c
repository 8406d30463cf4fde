/* Tests of gort's 9P2000.L client itself (guest-abi/gort/ninep.c) against the scripted server of
 * fake_server.c: the requests that change host files as they go on the wire, a write split at
 * the agreed msize with its bytes in pages of their own, and an Rlerror's errno as the result. */
#include <criterion/criterion.h>
#include <string.h>

#include "errno.h"
#include "fake_server.h"
#include "linux.h"

static struct ninep *s;
static long fake_source(void *ctx, uint64_t at, void *p, size_t len);

static void start(void)
{
	memset(&fake_9p, 0, sizeof(fake_9p));
	fake_9p.msize = 65536;
	s = mm_kernel_page();
	cr_assert_eq(ninep_start(s, NULL, "share0"), 0);
	cr_assert_str_eq(s->tag, "tag");
}

TestSuite(ninep, .init = start);

/* The request the session's i-th call sent (after version and attach). */
static const struct fake_req *req(unsigned i)
{
	cr_assert_gt(fake_9p.nreqs, 2 + i);
	const struct fake_req *r = &fake_9p.reqs[2 + i];
	cr_assert(r->size_ok, "request %u: its size field is not its length", r->type);
	return r;
}

/* A string field at off: equal to want, the offset after it returned. */
static size_t str_at(const struct fake_req *r, size_t off, const char *want)
{
	uint16_t n = (uint16_t)(r->body[off] | r->body[off + 1] << 8);
	cr_assert_eq(n, strlen(want));
	cr_assert_eq(memcmp(r->body + off + 2, want, n), 0);
	return off + 2 + n;
}

Test(ninep, the_first_request_makes_the_session_then_mkdir_encodes)
{
	cr_assert_eq(ninep_mkdir(s, 7, "dir", 3, 0750), 0);
	cr_assert_eq(fake_9p.reqs[0].type, 100); /* Tversion */
	cr_assert_eq(fake_9p_u32(&fake_9p.reqs[0], 0), 65536);
	cr_assert_eq(fake_9p.reqs[1].type, 104); /* Tattach */
	const struct fake_req *r = req(0);
	cr_assert_eq(r->type, 72);
	cr_assert_eq(fake_9p_u32(r, 0), 7);
	size_t o = str_at(r, 4, "dir");
	cr_assert_eq(fake_9p_u32(r, o), 0750);
	cr_assert_eq(fake_9p_u32(r, o + 4), 0); /* gid */
	cr_assert_eq(r->len, o + 8);
}

Test(ninep, create_setattr_rename_unlink_link_symlink_fsync_encode)
{
	cr_assert_eq(ninep_lcreate(s, 3, "f", 1, 02101, 0640), 0);
	const struct fake_req *r = req(0);
	cr_assert_eq(r->type, 14);
	size_t o = str_at(r, 4, "f");
	cr_assert_eq(fake_9p_u32(r, o), 02101); /* O_WRONLY | O_TRUNC | O_APPEND, as given */
	cr_assert_eq(fake_9p_u32(r, o + 4), 0640);

	struct ninep_setattr a = {.valid = NINEP_SET_SIZE | NINEP_SET_MTIME | NINEP_SET_MTIME_SET,
				  .size = 1ULL << 40,
				  .mtime_sec = 981158400,
				  .mtime_nsec = 5};
	cr_assert_eq(ninep_setattr(s, 4, &a), 0);
	r = req(1);
	cr_assert_eq(r->type, 26);
	cr_assert_eq(fake_9p_u32(r, 0), 4);
	cr_assert_eq(fake_9p_u32(r, 4), NINEP_SET_SIZE | NINEP_SET_MTIME | NINEP_SET_MTIME_SET);
	cr_assert_eq(fake_9p_u64(r, 20), 1ULL << 40);
	cr_assert_eq(fake_9p_u64(r, 44), 981158400);
	cr_assert_eq(fake_9p_u64(r, 52), 5);
	cr_assert_eq(r->len, 60);

	cr_assert_eq(ninep_renameat(s, 5, "old", 3, 6, "new", 3), 0);
	r = req(2);
	cr_assert_eq(r->type, 74);
	o = str_at(r, 4, "old");
	cr_assert_eq(fake_9p_u32(r, o), 6);
	str_at(r, o + 4, "new");

	cr_assert_eq(ninep_unlinkat(s, 5, "d", 1, AT_REMOVEDIR), 0);
	r = req(3);
	cr_assert_eq(r->type, 76);
	cr_assert_eq(fake_9p_u32(r, str_at(r, 4, "d")), 0x200);

	cr_assert_eq(ninep_link(s, 5, 9, "hl", 2), 0);
	r = req(4);
	cr_assert_eq(r->type, 70);
	cr_assert_eq(fake_9p_u32(r, 4), 9);
	str_at(r, 8, "hl");

	cr_assert_eq(ninep_symlink(s, 5, "sl", 2, "../t", 4), 0);
	r = req(5);
	cr_assert_eq(r->type, 16);
	str_at(r, str_at(r, 4, "sl"), "../t");

	cr_assert_eq(ninep_fsync(s, 8), 0);
	r = req(6);
	cr_assert_eq(r->type, 50);
	cr_assert_eq(fake_9p_u32(r, 0), 8);
}

Test(ninep, statfs_parses)
{
	struct ninep_statfs st;
	cr_assert_eq(ninep_statfs(s, 0, &st), 0);
	cr_assert_eq(st.type, 0xef53);
	cr_assert_eq(st.bsize, 4096);
	cr_assert_eq(st.blocks, 1000);
	cr_assert_eq(st.bavail, 300);
	cr_assert_eq(st.ffree, 20);
	cr_assert_eq(st.fsid, 0x1234);
	cr_assert_eq(st.namelen, 255);
}

Test(ninep, an_rlerror_is_its_errno_and_a_bad_reply_eio)
{
	fake_9p.fail_type = 76;
	fake_9p.fail_errno = ENOTEMPTY;
	cr_assert_eq(ninep_unlinkat(s, 0, "d", 1, AT_REMOVEDIR), -ENOTEMPTY);
	fake_9p.fail_errno = EXDEV;
	cr_assert_eq(ninep_unlinkat(s, 0, "d", 1, 0), -EXDEV);
	fake_9p.fail_type = 14;
	fake_9p.fail_errno = EEXIST;
	cr_assert_eq(ninep_lcreate(s, 0, "f", 1, 0300, 0644), -EEXIST);
	fake_9p.fail_type = 118;
	fake_9p.fail_errno = ENOSPC;
	static char src[100];
	cr_assert_eq(ninep_write(s, 1, 0, sizeof(src), fake_source, src), -ENOSPC);
	/* Not an errno: the reply cannot be trusted. */
	fake_9p.fail_type = 72;
	fake_9p.fail_errno = 0;
	cr_assert_eq(ninep_mkdir(s, 0, "d", 1, 0755), -EIO);
	fake_9p.fail_errno = 5000;
	cr_assert_eq(ninep_mkdir(s, 0, "d", 1, 0755), -EIO);
	fake_9p.fail_type = 0;
	fake_9p.wrong_type = true;
	cr_assert_eq(ninep_fsync(s, 1), -EIO);
}

/* The bytes a write sends: byte i of the file is (uint8_t)(i * 7 + 3); from fault_at on, a
 * fault. */
static size_t fault_at = ~(size_t)0;

static long fake_source(void *ctx, uint64_t at, void *p, size_t len)
{
	(void)ctx;
	if (at + len > fault_at)
		return -EFAULT;
	for (size_t i = 0; i < len; i++)
		((uint8_t *)p)[i] = (uint8_t)((at + i) * 7 + 3);
	return 0;
}

/* The Twrites sent since request first: each one's count at most most and whole pages but the
 * last, in order from off, with the bytes fake_source gives. Their total. */
static size_t check_writes(unsigned first, uint64_t off, size_t most)
{
	size_t total = 0;
	for (unsigned i = first; i < fake_9p.nreqs; i++) {
		const struct fake_req *r = &fake_9p.reqs[i];
		cr_assert_eq(r->type, 118);
		cr_assert(r->size_ok);
		uint32_t n = fake_9p_u32(r, 12);
		cr_assert_leq(n, most);
		cr_assert_eq(fake_9p_u64(r, 4), off + total, "Twrite %u at the wrong offset", i);
		cr_assert_eq(r->len, 16 + n);
		for (uint32_t k = 0; k < n; k++)
			cr_assert_eq(r->body[16 + k], (uint8_t)((total + k) * 7 + 3), "byte %zu",
				     total + k);
		if (i + 1 < fake_9p.nreqs)
			cr_assert_eq(n % PAGE_SIZE, 0);
		total += n;
	}
	return total;
}

Test(ninep, a_write_is_split_at_msize_with_its_bytes_intact)
{
	cr_assert_eq(ninep_fsync(s, 1), 0); /* the session first */
	unsigned first = fake_9p.nreqs;
	cr_assert_eq(ninep_write(s, 1, 1000, 200000, fake_source, NULL), 200000);
	/* 15 pages a request (65536 less the header is not 16), 4 requests. */
	cr_assert_eq(fake_9p.nreqs - first, 4);
	cr_assert_eq(check_writes(first, 1000, 65536 - 23), 200000);
	cr_assert_eq(fake_9p_u32(&fake_9p.reqs[first], 12), 15 * PAGE_SIZE);
	cr_assert_leq(fake_9p.most_descs, VMMIO_QSIZE);
}

Test(ninep, a_smaller_msize_makes_smaller_writes)
{
	fake_9p.msize = 8192;
	cr_assert_eq(ninep_fsync(s, 1), 0);
	unsigned first = fake_9p.nreqs;
	cr_assert_eq(ninep_write(s, 1, 0, 10000, fake_source, NULL), 10000);
	cr_assert_eq(fake_9p.nreqs - first, 3);
	cr_assert_eq(check_writes(first, 0, 8192 - 23), 10000);
}

Test(ninep, a_short_write_or_a_fault_ends_it_with_what_was_written)
{
	cr_assert_eq(ninep_fsync(s, 1), 0);
	fake_9p.write_cap = 1000;
	unsigned first = fake_9p.nreqs;
	cr_assert_eq(ninep_write(s, 1, 0, 100000, fake_source, NULL), 1000);
	cr_assert_eq(fake_9p.nreqs - first, 1);
	fake_9p.write_cap = 0;
	fault_at = 70000; /* in the second request's bytes */
	cr_assert_eq(ninep_write(s, 1, 0, 100000, fake_source, NULL), 15 * PAGE_SIZE);
	fault_at = 10;
	cr_assert_eq(ninep_write(s, 1, 0, 100, fake_source, NULL), -EFAULT);
	fault_at = ~(size_t)0;
}
