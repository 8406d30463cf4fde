/*
 * gchan (guest-abi/chan/) against a hostile peer: both ends of a channel in one window, driven
 * by the input (sends, receives, polls, the hv restarting or stopping an end) while the input
 * also writes the window as a peer could (raw bytes, descriptors, ring indexes, used entries,
 * message headers anywhere but the hv's header page). The window is a heap block, so ASan
 * reports any access outside it.
 *
 * Checks besides the sanitizers: the library never writes the header page; results are the
 * documented codes, lengths within the buffer and GOOS_CHAN_MSG_MAX; and while no forged write
 * has been made since the last restart, no end is ever broken and every message arrives whole,
 * once and in order (what was in flight at a restart is lost, nothing else).
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"
#include "gchan.h"

#define PAGE	GOOS_CHAN_PAGE
#define GPA	0x40000000UL
#define SENT	64 /* messages in flight each way the model remembers (a queue holds <= 16) */
#define HDR_END (GOOS_CHAN_H_POOL_SIZE + 8) /* the header's fields end here */

#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_chan: %s: ", #cond);                                 \
			fprintf(stderr, __VA_ARGS__);                                              \
			fprintf(stderr, "\n");                                                     \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static uint8_t *win;
static uint64_t size, pool, pool_size;
static unsigned qsize;
static uint8_t header[PAGE]; /* what the hv wrote */
static struct gchan ends[2]; /* GCHAN_DRIVER, GCHAN_DEVICE */
static bool forged;	     /* a forged write since the last restart */
/* A forged ready word may hold a generation pair still to come, and fake a reset there. */
static bool forged_ready;

/* What each direction has in flight: seqs sent, not yet received. */
static struct model {
	uint32_t seq[SENT];
	uint16_t len[SENT];
	unsigned head, count;
	uint32_t next;
} flow[2]; /* flow[e]: sent by end e */

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE - 1) & ~(PAGE - 1);
}

static void hdr_set(unsigned off, const void *v, unsigned n)
{
	memcpy(header + off, v, n);
	memcpy(win + off, v, n);
}

static void build(unsigned n, unsigned slots)
{
	uint64_t off = 2 * PAGE, u64;
	uint32_t u32;

	qsize = n;
	memset(header, 0, sizeof(header));
	u64 = GOOS_CHAN_MAGIC;
	memcpy(header + GOOS_CHAN_H_MAGIC, &u64, 8);
	u32 = GOOS_CHAN_VERSION;
	memcpy(header + GOOS_CHAN_H_VERSION, &u32, 4);
	u32 = 2;
	memcpy(header + GOOS_CHAN_H_QUEUES, &u32, 4);
	memcpy(header + GOOS_CHAN_H_QSIZE, &n, 4);
	memcpy(header + GOOS_CHAN_H_NAME, "fuzz", 4);
	for (unsigned q = 0; q < 2; q++) {
		uint64_t r[3];

		r[0] = off;
		r[1] = r[0] + VIRTQ_DESC_BYTES(n);
		r[2] = (r[1] + VIRTQ_AVAIL_BYTES(n) + 3) & ~3UL;
		off = page_up(r[2] + VIRTQ_USED_BYTES(n));
		memcpy(header + GOOS_CHAN_H_QUEUE + GOOS_CHAN_H_QUEUE_STRIDE * q, r, sizeof(r));
	}
	pool = off;
	pool_size = (uint64_t)slots * GOOS_CHAN_SLOT;
	size = page_up(pool + pool_size);
	memcpy(header + GOOS_CHAN_H_POOL, &pool, 8);
	memcpy(header + GOOS_CHAN_H_POOL_SIZE, &pool_size, 8);
	memcpy(header + GOOS_CHAN_H_SIZE, &size, 8);
	win = aligned_alloc(PAGE, size);
	memset(win, 0, size);
	memcpy(win, header, PAGE);
}

static void log_line(const char *line)
{
	if (getenv("FUZZ_CONSOLE"))
		fprintf(stderr, "%s\n", line);
	CHECK(forged, "an end broke with no forged write: %s", line);
	CHECK(strlen(line) < sizeof(ends[0].reason), "line");
}

/* The hv starts end e (again): a new generation, UP, a fresh instance that resets. In-flight
 * messages both ways are lost; the window is the peers' own once both have reset. */
static void start(enum gchan_role e)
{
	unsigned off = e == GCHAN_DRIVER ? GOOS_CHAN_H_DRIVER_GEN : GOOS_CHAN_H_DEVICE_GEN;
	uint32_t gen, up = GOOS_CHAN_UP;

	memcpy(&gen, header + off, 4);
	gen++;
	hdr_set(off, &gen, 4);
	hdr_set(off + 4, &up, 4);
	CHECK(gchan_attach(&ends[e], win, GPA, size, e, log_line) == GCHAN_OK, "%s",
	      gchan_reason(&ends[e]));
	memset(flow, 0, sizeof(flow));
	forged = forged_ready;
}

static void stop(enum gchan_role e)
{
	uint32_t down = GOOS_CHAN_DOWN;

	hdr_set((e == GCHAN_DRIVER ? GOOS_CHAN_H_DRIVER_GEN : GOOS_CHAN_H_DEVICE_GEN) + 4, &down,
		4);
	memset(flow, 0, sizeof(flow));
}

static void fill(uint8_t *buf, uint32_t seq, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq + i * 13);
}

static void do_send(enum gchan_role e, size_t len)
{
	static uint8_t buf[GOOS_CHAN_MSG_MAX + 1];
	struct model *m = &flow[e];
	int rc;

	fill(buf, m->next, len);
	rc = gchan_send(&ends[e], m->next, buf, len);
	if (getenv("FUZZ_TRACE"))
		fprintf(stderr, "%s send %u (%zu bytes): %d\n", e ? "device" : "driver", m->next,
			len, rc);
	CHECK(rc == GCHAN_OK || rc == GCHAN_E_AGAIN || rc == GCHAN_E_NOT_READY ||
		  rc == GCHAN_E_PEER_RESTARTED || rc == GCHAN_E_BROKEN || rc == GCHAN_E_TOO_LONG,
	      "send: %d", rc);
	CHECK((rc == GCHAN_E_TOO_LONG) == (len > GOOS_CHAN_MSG_MAX), "send of %zu: %d", len, rc);
	CHECK(forged || rc != GCHAN_E_BROKEN, "broken with no forged write: %s",
	      gchan_reason(&ends[e]));
	if (rc == GCHAN_OK && m->count < SENT) {
		unsigned i = (m->head + m->count++) % SENT;

		m->seq[i] = m->next;
		m->len[i] = (uint16_t)len;
	}
	m->next++;
}

static void do_recv(enum gchan_role e, size_t bufsize)
{
	static uint8_t buf[GOOS_CHAN_MSG_MAX], want[GOOS_CHAN_MSG_MAX];
	struct model *m = &flow[e == GCHAN_DRIVER ? GCHAN_DEVICE : GCHAN_DRIVER];
	uint32_t type = 0;
	int rc = gchan_recv(&ends[e], &type, buf, bufsize);

	if (getenv("FUZZ_TRACE"))
		fprintf(stderr, "%s recv: %d (type %u)\n", e ? "device" : "driver", rc, type);
	CHECK(rc >= GCHAN_E_INVALID && rc != GCHAN_E_INVALID && rc <= (int)bufsize &&
		  rc <= GOOS_CHAN_MSG_MAX,
	      "recv into %zu: %d", bufsize, rc);
	if (forged)
		return;
	CHECK(rc != GCHAN_E_BROKEN, "broken with no forged write: %s", gchan_reason(&ends[e]));
	if (rc == GCHAN_E_TOO_LONG)
		CHECK(m->count && m->len[m->head] > bufsize, "too long, but nothing is");
	if (rc < 0)
		return;
	CHECK(m->count, "message %u out of nothing", type);
	CHECK(type == m->seq[m->head] && (size_t)rc == m->len[m->head],
	      "got %u (%d bytes), expected %u (%u bytes)", type, rc, m->seq[m->head],
	      m->len[m->head]);
	fill(want, type, (size_t)rc);
	CHECK(!memcmp(buf, want, (size_t)rc), "message %u: payload differs", type);
	m->head = (m->head + 1) % SENT;
	m->count--;
}

/* A guest-physical address near one of the places a forger would aim at. */
static uint64_t forged_addr(struct fuzz_in *in)
{
	uint8_t mode = fuzz_u8(in);
	int64_t delta = (int16_t)fuzz_u16(in);
	static const uint64_t base[] = {0, GOOS_CHAN_PAGE, 0, 0, 0, 0, ~0ULL};

	switch (mode % 7) {
	case 0:
		return GPA + pool + (uint64_t)(fuzz_u8(in) % 20) * GOOS_CHAN_SLOT + delta;
	case 2:
		return GPA + pool + pool_size + delta;
	case 3:
		return GPA + size + delta;
	case 4:
		return GPA + delta;
	case 5:
		return fuzz_u64(in);
	default:
		return GPA + base[mode % 7] + delta;
	}
}

static void forge(struct fuzz_in *in, uint8_t op)
{
	unsigned q = fuzz_u8(in) & 1;
	const uint64_t *rings =
	    (const uint64_t *)(header + GOOS_CHAN_H_QUEUE + GOOS_CHAN_H_QUEUE_STRIDE * q);
	struct virtq_desc *desc = (struct virtq_desc *)(win + rings[0]);
	struct virtq_avail *avail = (struct virtq_avail *)(win + rings[1]);
	struct virtq_used *used = (struct virtq_used *)(win + rings[2]);

	forged = true;
	switch (op) {
	case 0: { /* raw bytes anywhere past the header page */
		uint64_t off = PAGE + fuzz_u32(in) % (size - PAGE);
		unsigned n = fuzz_u8(in) % 32;

		for (unsigned i = 0; i < n && off + i < size; i++)
			win[off + i] = fuzz_u8(in);
		if (n && off < GOOS_CHAN_READY_DEVICE + 8)
			forged_ready = true;
		break;
	}
	case 1: { /* a descriptor */
		unsigned id = fuzz_u8(in) % qsize;

		desc[id].addr = forged_addr(in);
		desc[id].len = fuzz_u8(in) & 1 ? fuzz_u32(in) : fuzz_u16(in) % 4200;
		desc[id].flags = fuzz_u8(in) & 7;
		desc[id].next = fuzz_u8(in) & 1 ? fuzz_u16(in) : fuzz_u8(in) % (qsize + 1);
		break;
	}
	case 2: /* an index */
		if (fuzz_u8(in) & 1)
			avail->idx += (uint16_t)(int8_t)fuzz_u8(in);
		else
			used->idx += (uint16_t)(int8_t)fuzz_u8(in);
		break;
	case 3: /* a ring entry */
		if (fuzz_u8(in) & 1) {
			unsigned at = fuzz_u8(in) % qsize;

			avail->ring[at] =
			    fuzz_u8(in) & 1 ? fuzz_u16(in) : fuzz_u8(in) % (qsize + 1);
		} else {
			struct virtq_used_elem *e = &used->ring[fuzz_u8(in) % qsize];

			e->id = fuzz_u8(in) & 1 ? fuzz_u32(in) : fuzz_u8(in) % (qsize + 1);
			e->len = fuzz_u8(in) & 1 ? fuzz_u32(in) : fuzz_u16(in) % 4200;
		}
		break;
	default: { /* a message header in a pool buffer */
		uint32_t h[2];
		uint64_t at;

		h[0] = fuzz_u8(in) & 1 ? fuzz_u32(in) : fuzz_u16(in) % 4200;
		h[1] = fuzz_u32(in);
		at = pool + (uint64_t)(fuzz_u8(in) % (pool_size / GOOS_CHAN_SLOT)) * GOOS_CHAN_SLOT;
		memcpy(win + at, h, sizeof(h));
		break;
	}
	}
}

/* The hv's header with a few fields changed: attach refuses it (with a line) or it describes a
 * window both ends can use, which is then driven like any other. False when refused. */
static bool edit_header(struct fuzz_in *in)
{
	unsigned edits = 1 + fuzz_u8(in) % 4;
	struct gchan c;
	int rc[2];

	for (unsigned i = 0; i < edits; i++) {
		unsigned off = fuzz_u16(in) % HDR_END, n = 1 + fuzz_u8(in) % 8;
		uint64_t v = fuzz_u64(in);

		if (off >= GOOS_CHAN_H_DRIVER_GEN && off < GOOS_CHAN_H_NAME)
			continue; /* the generations and states are start()'s */
		hdr_set(off, &v, n < HDR_END - off ? n : HDR_END - off);
	}
	for (enum gchan_role e = GCHAN_DRIVER; e <= GCHAN_DEVICE; e++) {
		rc[e] = gchan_attach(&c, win, GPA, size, e, NULL);
		CHECK(rc[e] == GCHAN_OK || (rc[e] == GCHAN_E_INVALID && gchan_reason(&c)[0]),
		      "attach: %d", rc[e]);
	}
	CHECK(rc[0] == rc[1], "the two ends disagree on the header");
	memcpy(&qsize, header + GOOS_CHAN_H_QSIZE, 4);
	return rc[0] == GCHAN_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct fuzz_in in = {data, len};
	uint8_t cfg = fuzz_u8(&in);

	build(1U << (cfg % 5), 2 + (cfg >> 3) % 16);
	memset(flow, 0, sizeof(flow));
	forged_ready = false;
	if (cfg & 0x80 && !edit_header(&in)) {
		free(win);
		return 0;
	}
	start(GCHAN_DRIVER);
	start(GCHAN_DEVICE);
	for (unsigned steps = 0; in.n && steps < 4096; steps++) {
		uint8_t op = fuzz_u8(&in);
		enum gchan_role e = op & 1 ? GCHAN_DEVICE : GCHAN_DRIVER;

		switch ((op >> 1) % 10) {
		case 0:
		case 1: {
			uint16_t l = fuzz_u16(&in);

			do_send(e, l & 0x8000 ? (l & 0x7fff) % (GOOS_CHAN_MSG_MAX + 2) : l % 64);
			break;
		}
		case 2:
		case 3: {
			uint8_t s = fuzz_u8(&in);

			do_recv(e, s & 0x80 ? s % 64 : GOOS_CHAN_MSG_MAX);
			break;
		}
		case 4: {
			unsigned m = gchan_poll(&ends[e]);

			CHECK(forged || !(m & GCHAN_POLL_BROKEN), "poll: broken");
			break;
		}
		case 5:
			gchan_doorbell(&ends[e]);
			break;
		case 6:
			start(e);
			break;
		case 7:
			stop(e);
			break;
		default:
			forge(&in, fuzz_u8(&in) % 5);
			break;
		}
		CHECK(!memcmp(win, header, PAGE), "the header page was written");
	}
	free(win);
	return 0;
}
