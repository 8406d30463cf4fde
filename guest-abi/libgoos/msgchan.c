/* libgoos's wiring of gchan (guest-abi/chan/), the channels' message library: the doorbell is
 * goos_chan_notify, the library's lines go to the console, and a waiting vCPU idles until the
 * channel's bit comes up in the pending set. Paging is off, so the window's address is its
 * guest-physical one. */
#include "libgoos.h"

static void log_line(const char *line)
{
	printf("libgoos: %s\n", line);
}

/* Rings the peer if the call before owes it a doorbell, and passes the call's result on. A
 * refused doorbell (the peer is down) changes nothing: the hv rings this end when the peer
 * comes back, and both reset then. */
static int ring(struct gchan *c, int rc)
{
	if (gchan_doorbell(c))
		goos_chan_notify(gchan_id(c));
	return rc;
}

int goos_gchan_attach(struct gchan *c, uint64_t gpa, uint64_t size, enum gchan_role role)
{
	int rc = gchan_attach(c, (void *)(uintptr_t)gpa, gpa, size, role, log_line);

	if (rc)
		return rc;
	gchan_poll(c); /* the first reset, which the peer learns of by the doorbell */
	return ring(c, GCHAN_OK);
}

int goos_gchan_open(struct gchan *c, const char *name)
{
	struct goos_chan ch;

	if (goos_chan_find(name, &ch))
		return GCHAN_E_INVALID;
	return goos_gchan_attach(c, (uint64_t)(uintptr_t)ch.base, ch.size,
				 ch.driver ? GCHAN_DRIVER : GCHAN_DEVICE);
}

int goos_gchan_send(struct gchan *c, uint32_t type, const void *buf, size_t len)
{
	return ring(c, gchan_send(c, type, buf, len));
}

int goos_gchan_recv(struct gchan *c, uint32_t *type, void *buf, size_t size)
{
	return ring(c, gchan_recv(c, type, buf, size));
}

unsigned goos_gchan_poll(struct gchan *c)
{
	return (unsigned)ring(c, (int)gchan_poll(c));
}

/* Doorbells taken from the hv's pending set that no wait has consumed yet, one bit per channel:
 * taking the set takes every channel's bit at once. */
static unsigned long rang;

void goos_gchan_wait(struct gchan *c)
{
	unsigned long bit = gchan_id(c) < 64 ? 1UL << gchan_id(c) : 0;

	for (;;) {
		uint64_t set;
		long err = goos_chan_pending(&set);

		if (!err)
			__atomic_fetch_or(&rang, set, __ATOMIC_RELAXED);
		if (__atomic_fetch_and(&rang, ~bit, __ATOMIC_RELAXED) & bit)
			return;
		goos_idle(GOOS_NO_DEADLINE);
		if (err || !bit)
			return; /* no pending set to wait on: any event ends the wait */
	}
}
