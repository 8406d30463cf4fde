/* A scripted 9P2000.L server under gort's real client (guest-abi/gort/ninep.c), on the host: the
 * client's vmmio calls land here, the request is read from the chain's device-readable
 * descriptors in order, kept for the tests to look at, and answered in the device-writable ones
 * as QEMU's virtio-9p would (or with the Rlerror, or the broken reply, a test asks for). Also the
 * few other gort calls ninep.c makes (pages, printf). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_server.h"

struct fake_9p fake_9p;

void *mm_kernel_page(void)
{
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (p)
		memset(p, 0, PAGE_SIZE);
	return p;
}

void gort_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static struct virtq_desc descs[VMMIO_QSIZE];

int vmmio_start(struct vmmio *d, volatile uint8_t *regs, const char *name, uint32_t features)
{
	(void)features;
	memset(d, 0, sizeof(*d));
	d->name = name;
	d->regs = regs;
	d->desc = descs;
	return 0;
}

uint8_t vmmio_config8(const struct vmmio *d, unsigned off)
{
	static const uint8_t cfg[] = {3, 0, 't', 'a', 'g'};
	(void)d;
	return off < sizeof(cfg) ? cfg[off] : 0;
}

/* ---------------------------------------------------------------- the reply */

static uint8_t out[1 << 17];
static size_t out_len;

static void put(const void *p, size_t n)
{
	memcpy(out + out_len, p, n);
	out_len += n;
}

static void put8(uint8_t v)
{
	put(&v, 1);
}

static void put16(uint16_t v)
{
	put(&v, 2);
}

static void put32(uint32_t v)
{
	put(&v, 4);
}

static void put64(uint64_t v)
{
	put(&v, 8);
}

static void put_qid(void)
{
	static const uint8_t qid[13];
	put(qid, sizeof(qid));
}

uint32_t fake_9p_u32(const struct fake_req *r, size_t off)
{
	uint32_t v;
	memcpy(&v, r->body + off, 4);
	return v;
}

uint64_t fake_9p_u64(const struct fake_req *r, size_t off)
{
	uint64_t v;
	memcpy(&v, r->body + off, 8);
	return v;
}

/* The body of the reply to r, for the types the tests send. */
static void answer(const struct fake_req *r)
{
	switch (r->type) {
	case 100: /* Rversion: msize, version */
		put32(fake_9p.msize);
		put16(8);
		put("9P2000.L", 8);
		break;
	case 104: /* Rattach, Rlcreate (+ iounit), Rmkdir, Rsymlink: a qid */
	case 14:
	case 72:
	case 16:
		put_qid();
		if (r->type == 14)
			put32(0);
		break;
	case 110: /* Rwalk: a qid a name */
		put16((uint16_t)(r->body[8] | r->body[9] << 8));
		for (unsigned i = 0; i < (unsigned)(r->body[8] | r->body[9] << 8); i++)
			put_qid();
		break;
	case 118: { /* Rwrite: count, perhaps fewer */
		uint32_t n = fake_9p_u32(r, 12);
		put32(fake_9p.write_cap && n > fake_9p.write_cap ? fake_9p.write_cap : n);
		break;
	}
	case 8: /* Rstatfs */
		put32(0xef53);
		put32(4096);
		put64(1000), put64(400), put64(300), put64(50), put64(20), put64(0x1234);
		put32(255);
		break;
	default: /* Rsetattr, Rfsync, Rlink, Rrenameat, Runlinkat, Rclunk: empty */
		break;
	}
}

long vmmio_call(struct vmmio *d, unsigned n)
{
	if (fake_9p.nreqs == FAKE_9P_REQS)
		return -5;
	struct fake_req *r = &fake_9p.reqs[fake_9p.nreqs++];
	uint8_t in[1 << 17];
	size_t in_len = 0;
	unsigned i = 0;
	fake_9p.most_descs = n > fake_9p.most_descs ? n : fake_9p.most_descs;
	for (; i < n && !(d->desc[i].flags & VIRTQ_DESC_F_WRITE); i++) {
		memcpy(in + in_len, (void *)(uintptr_t)d->desc[i].addr, d->desc[i].len);
		in_len += d->desc[i].len;
	}
	uint32_t size;
	memcpy(&size, in, 4);
	r->type = in[4];
	r->len = in_len - 7;
	r->size_ok = size == in_len;
	memcpy(r->body, in + 7, r->len);

	out_len = 0;
	put32(0);
	bool fail = fake_9p.fail_type == r->type;
	put8(fail ? 7 : fake_9p.wrong_type ? 99 : (uint8_t)(r->type + 1));
	put16(1);
	if (fail)
		put32(fake_9p.fail_errno);
	else
		answer(r);
	memcpy(out, &(uint32_t){(uint32_t)out_len}, 4);
	/* Into the device-writable descriptors, in order. */
	size_t done = 0;
	for (; i < n && done < out_len; i++) {
		size_t k = out_len - done < d->desc[i].len ? out_len - done : d->desc[i].len;
		memcpy((void *)(uintptr_t)d->desc[i].addr, out + done, k);
		done += k;
	}
	return (long)done;
}
