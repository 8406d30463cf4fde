/* gchan: attaching to a window (the header's checks), generations and resets, the failure path
 * and the calls' dispatch to the driver's or the device's side. */
#include <stdarg.h>
#include <string.h>

#include "fmt.h"
#include "gchan_impl.h"

#define GEN_PAIR(driver, device) ((uint64_t)(driver) << 32 | (device))

static uint32_t hdr32(const struct gchan *c, unsigned off)
{
	return VIRTQ_LOAD((const uint32_t *)(c->win + off));
}

static uint64_t hdr64(const struct gchan *c, unsigned off)
{
	return VIRTQ_LOAD((const uint64_t *)(c->win + off));
}

static const char *role_name(enum gchan_role role)
{
	return role == GCHAN_DRIVER ? "driver" : "device";
}

/* Writes "channel NAME (ROLE): WHAT: " and the rest into c->reason and logs it. */
static void report(struct gchan *c, const char *what, const char *fmt, va_list ap)
{
	int n = snprintf(c->reason, sizeof(c->reason), "channel %s (%s): %s: ", c->name,
			 role_name(c->role), what);

	if (n > 0 && (size_t)n < sizeof(c->reason))
		vsnprintf(c->reason + n, sizeof(c->reason) - n, fmt, ap);
	if (c->log)
		c->log(c->reason);
}

__attribute__((format(printf, 2, 3))) static int refuse(struct gchan *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(c, "refused", fmt, ap);
	va_end(ap);
	return GCHAN_E_INVALID;
}

/* ---------------------------------------------------------------- attach: the header's checks */

struct region {
	uint64_t off, len;
	unsigned align;
	unsigned queue; /* GOOS_CHAN_MAX_QUEUES: the pool */
	const char *what;
};

/* "queue 1 used ring" or "buffer pool", for refusals. */
static const char *region_name(const struct region *r, char *buf, size_t size)
{
	if (r->queue >= GOOS_CHAN_MAX_QUEUES)
		return r->what;
	snprintf(buf, size, "queue %u %s", r->queue, r->what);
	return buf;
}

static int check_regions(struct gchan *c, const struct region *r, unsigned n)
{
	char a[40], b[40];

	for (unsigned i = 0; i < n; i++) {
		const char *name = region_name(&r[i], a, sizeof(a));

		if (r[i].off < 2 * GOOS_CHAN_PAGE)
			return refuse(c, "%s at 0x%lx lies in the header or control page", name,
				      (unsigned long)r[i].off);
		if (r[i].off > c->size || r[i].len > c->size - r[i].off)
			return refuse(c, "%s at 0x%lx (0x%lx bytes) is outside the window", name,
				      (unsigned long)r[i].off, (unsigned long)r[i].len);
		if (r[i].off % r[i].align)
			return refuse(c, "%s at 0x%lx is not %u-byte aligned", name,
				      (unsigned long)r[i].off, r[i].align);
	}
	/* All inside the window now, so the sums below cannot wrap. */
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (r[i].off < r[j].off + r[j].len && r[j].off < r[i].off + r[i].len)
				return refuse(
				    c, "%s at 0x%lx overlaps %s at 0x%lx",
				    region_name(&r[i], a, sizeof(a)), (unsigned long)r[i].off,
				    region_name(&r[j], b, sizeof(b)), (unsigned long)r[j].off);
	return GCHAN_OK;
}

int gchan_attach(struct gchan *c, void *win, uint64_t gpa, uint64_t size, enum gchan_role role,
		 void (*log)(const char *line))
{
	struct region r[3 * GOOS_CHAN_MAX_QUEUES + 1];
	static const char *const part[3] = {"descriptors", "available ring", "used ring"};
	static const unsigned align[3] = {VIRTQ_DESC_ALIGN, VIRTQ_AVAIL_ALIGN, VIRTQ_USED_ALIGN};
	uint32_t queues, n;
	uint64_t slots;
	unsigned nr = 0;
	int rc;

	memset(c, 0, sizeof(*c));
	c->win = win;
	c->gpa = gpa;
	c->size = size;
	c->role = role;
	c->log = log;
	c->name[0] = '?';
	if (!win || (uintptr_t)win % GOOS_CHAN_PAGE || gpa % GOOS_CHAN_PAGE ||
	    size % GOOS_CHAN_PAGE || size < 2 * GOOS_CHAN_PAGE || gpa + size < gpa)
		return refuse(c, "window 0x%lx (0x%lx bytes) is not two or more whole pages",
			      (unsigned long)gpa, (unsigned long)size);
	if (hdr64(c, GOOS_CHAN_H_MAGIC) != GOOS_CHAN_MAGIC)
		return refuse(c, "no channel header at 0x%lx (magic 0x%lx)", (unsigned long)gpa,
			      (unsigned long)hdr64(c, GOOS_CHAN_H_MAGIC));
	for (unsigned i = 0; i < GOOS_CHAN_NAME_MAX; i++) {
		char ch = ((const volatile char *)c->win)[GOOS_CHAN_H_NAME + i];

		if (!ch)
			break;
		c->name[i] = ch > ' ' && ch < 0x7f ? ch : '?';
	}
	if (hdr32(c, GOOS_CHAN_H_VERSION) != GOOS_CHAN_VERSION)
		return refuse(c, "header version %u, this library knows %u",
			      hdr32(c, GOOS_CHAN_H_VERSION), GOOS_CHAN_VERSION);
	if (hdr64(c, GOOS_CHAN_H_SIZE) != size)
		return refuse(c, "the header says 0x%lx bytes, the window has 0x%lx",
			      (unsigned long)hdr64(c, GOOS_CHAN_H_SIZE), (unsigned long)size);
	queues = hdr32(c, GOOS_CHAN_H_QUEUES);
	if (queues < 2 || queues > GOOS_CHAN_MAX_QUEUES)
		return refuse(c, "%u queues (a message channel needs 2 to %u)", queues,
			      GOOS_CHAN_MAX_QUEUES);
	n = hdr32(c, GOOS_CHAN_H_QSIZE);
	if (n == 0 || n > VIRTQ_MAX_SIZE || (n & (n - 1)))
		return refuse(c, "queue size %u is not a power of two up to %u", n, VIRTQ_MAX_SIZE);
	for (unsigned q = 0; q < queues; q++)
		for (unsigned p = 0; p < 3; p++)
			r[nr++] = (struct region){
			    hdr64(c, GOOS_CHAN_H_QUEUE + GOOS_CHAN_H_QUEUE_STRIDE * q + 8 * p),
			    p == 0   ? VIRTQ_DESC_BYTES(n)
			    : p == 1 ? VIRTQ_AVAIL_BYTES(n)
				     : VIRTQ_USED_BYTES(n),
			    align[p], q, part[p]};
	c->pool = hdr64(c, GOOS_CHAN_H_POOL);
	c->pool_size = hdr64(c, GOOS_CHAN_H_POOL_SIZE);
	r[nr++] = (struct region){c->pool, c->pool_size, 1, GOOS_CHAN_MAX_QUEUES, "buffer pool"};
	rc = check_regions(c, r, nr);
	if (rc)
		return rc;
	slots = c->pool_size / GOOS_CHAN_SLOT;
	if (slots < 2)
		return refuse(c, "a pool of 0x%lx bytes holds fewer than 2 buffers of %u",
			      (unsigned long)c->pool_size, GOOS_CHAN_SLOT);
	c->bufs = slots / 2 < n ? slots / 2 : n;
	if (c->bufs > GCHAN_BUFS_MAX)
		c->bufs = GCHAN_BUFS_MAX;
	c->qsize = n;
	c->id = hdr32(c, GOOS_CHAN_H_ID);
	for (unsigned q = 0; q < 2; q++) {
		c->q[q].desc = (struct virtq_desc *)(c->win + r[3 * q].off);
		c->q[q].avail = (struct virtq_avail *)(c->win + r[3 * q + 1].off);
		c->q[q].used = (struct virtq_used *)(c->win + r[3 * q + 2].off);
	}
	return GCHAN_OK;
}

/* ---------------------------------------------------------------- generations */

static uint64_t hdr_gen(const struct gchan *c)
{
	return GEN_PAIR(hdr32(c, GOOS_CHAN_H_DRIVER_GEN), hdr32(c, GOOS_CHAN_H_DEVICE_GEN));
}

static uint64_t *ready_word(const struct gchan *c, enum gchan_role role)
{
	return (uint64_t *)(c->win + (role == GCHAN_DRIVER ? GOOS_CHAN_READY_DRIVER
							   : GOOS_CHAN_READY_DEVICE));
}

/*
 * Brings c up to date with the header: on a generation pair it has not reset for, a reset (and a
 * restart owed to the caller if a session ran); then whether the session runs: both ends up and
 * the peer's ready word equal to c's pair. A session ends when the peer goes down or its ready
 * word changes, and starts again only on a new pair. This end's own ready word is never read
 * back: the peer can write it.
 */
static void sync(struct gchan *c)
{
	uint64_t gen = hdr_gen(c);
	enum gchan_role peer = c->role == GCHAN_DRIVER ? GCHAN_DEVICE : GCHAN_DRIVER;
	bool up;

	if (!c->reset_once || gen != c->gen) {
		if (c->session)
			c->restarted = true;
		c->session = c->ended = c->broken = false;
		c->gen = gen;
		c->reset_once = true;
		c->reason[0] = 0;
		if (c->role == GCHAN_DRIVER)
			gchan_driver_reset(c);
		else
			gchan_device_reset(c);
		VIRTQ_WMB(); /* the reset before the word that says it is done */
		VIRTQ_STORE(ready_word(c, c->role), gen);
		c->doorbell = true;
	}
	up = hdr32(c, GOOS_CHAN_H_DRIVER_STATE) == GOOS_CHAN_UP &&
	     hdr32(c, GOOS_CHAN_H_DEVICE_STATE) == GOOS_CHAN_UP &&
	     VIRTQ_LOAD(ready_word(c, peer)) == c->gen;
	VIRTQ_RMB(); /* the peer's reset before anything of the window read after */
	if (c->session && !up) {
		c->session = false;
		c->ended = true;
		c->restarted = true;
	} else if (!c->session && !c->ended && up) {
		c->session = true;
	}
}

/* What an operation that cannot go on returns. The restart is reported once. */
static int status(struct gchan *c)
{
	if (c->restarted) {
		c->restarted = false;
		return GCHAN_E_PEER_RESTARTED;
	}
	if (c->broken)
		return GCHAN_E_BROKEN;
	if (!c->session)
		return GCHAN_E_NOT_READY;
	return GCHAN_OK;
}

int gchan_enter(struct gchan *c)
{
	sync(c);
	return status(c);
}

int gchan_fail(struct gchan *c, const char *fmt, ...)
{
	va_list ap;

	if (hdr_gen(c) != c->gen) {
		sync(c);
		return status(c);
	}
	c->broken = true; /* so no call gets this far again before the next reset: one line */
	va_start(ap, fmt);
	report(c, "broken", fmt, ap);
	va_end(ap);
	return GCHAN_E_BROKEN;
}

void *gchan_pool_ptr(const struct gchan *c, uint64_t addr, uint64_t len)
{
	uint64_t start = c->gpa + c->pool; /* cannot wrap: attach checked gpa + size */

	/* An addr below start wraps around to far above the pool. */
	if (addr - start > c->pool_size || len > c->pool_size - (addr - start))
		return NULL;
	return c->win + c->pool + (addr - start);
}

/* ---------------------------------------------------------------- the calls */

int gchan_send(struct gchan *c, uint32_t type, const void *buf, size_t len)
{
	if (len > GOOS_CHAN_MSG_MAX)
		return GCHAN_E_TOO_LONG;
	return c->role == GCHAN_DRIVER ? gchan_driver_send(c, type, buf, len)
				       : gchan_device_send(c, type, buf, len);
}

int gchan_recv(struct gchan *c, uint32_t *type, void *buf, size_t size)
{
	return c->role == GCHAN_DRIVER ? gchan_driver_recv(c, type, buf, size)
				       : gchan_device_recv(c, type, buf, size);
}

unsigned gchan_poll(struct gchan *c)
{
	unsigned m;

	sync(c);
	m = c->restarted ? GCHAN_POLL_RESTARTED : 0;
	if (c->broken)
		return m | GCHAN_POLL_BROKEN;
	if (!c->session)
		return m;
	return m | (c->role == GCHAN_DRIVER ? gchan_driver_poll(c) : gchan_device_poll(c));
}

bool gchan_doorbell(struct gchan *c)
{
	bool ring = c->doorbell;

	c->doorbell = false;
	return ring;
}

uint32_t gchan_id(const struct gchan *c)
{
	return c->id;
}

const char *gchan_name(const struct gchan *c)
{
	return c->name;
}

const char *gchan_reason(const struct gchan *c)
{
	return c->reason;
}
