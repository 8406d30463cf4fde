/* gchan's two ends exchanging messages through a fake window: none lost, duplicated or
 * reordered, each payload intact, in one thread (the ends taking turns in bursts of varying
 * size) and in two (each end its own thread, waiting for the other's doorbells). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "window.h"

#define MESSAGES 10000

/* Message seq: its length, type and bytes follow from seq alone. */
static size_t msg_len(uint32_t seq, size_t max)
{
	return (seq * 2654435761u) % (max + 1);
}

static void msg_fill(uint8_t *buf, uint32_t seq, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(seq * 31 + i * 7 + (i >> 8));
}

/* Checks message seq as received, with its type. */
static void msg_check(const uint8_t *buf, int len, uint32_t type, uint32_t seq, size_t max)
{
	uint8_t want[GOOS_CHAN_MSG_MAX];

	cr_assert_eq(type, seq, "message %u arrived as %u (lost, duplicated or reordered)", seq,
		     type);
	cr_assert_eq(len, (int)msg_len(seq, max), "message %u: length %d", seq, len);
	msg_fill(want, seq, (size_t)len);
	cr_assert_eq(memcmp(buf, want, (size_t)len), 0, "message %u: payload differs", seq);
}

struct flow {
	uint32_t sent, got;
	unsigned bell; /* doorbells the end rang */
};

/* Sends up to burst messages (fewer if the queue fills). */
static void send_burst(struct gchan *c, struct flow *f, unsigned burst, uint32_t total, size_t max)
{
	uint8_t buf[GOOS_CHAN_MSG_MAX];

	for (unsigned i = 0; i < burst && f->sent < total; i++) {
		size_t len = msg_len(f->sent, max);
		int rc;

		msg_fill(buf, f->sent, len);
		rc = gchan_send(c, f->sent, buf, len);
		if (rc == GCHAN_E_AGAIN)
			break;
		cr_assert_eq(rc, GCHAN_OK, "send %u: %d %s", f->sent, rc, gchan_reason(c));
		f->sent++;
	}
	f->bell += gchan_doorbell(c);
}

static void recv_burst(struct gchan *c, struct flow *f, unsigned burst, size_t max)
{
	uint8_t buf[GOOS_CHAN_MSG_MAX];

	for (unsigned i = 0; i < burst; i++) {
		uint32_t type = ~0u;
		int rc = gchan_recv(c, &type, buf, sizeof(buf));

		if (rc == GCHAN_E_AGAIN)
			break;
		cr_assert_geq(rc, 0, "recv %u: %d %s", f->got, rc, gchan_reason(c));
		msg_check(buf, rc, type, f->got, max);
		f->got++;
	}
	f->bell += gchan_doorbell(c);
}

/* total messages each way, max payload bytes, in bursts from a small generator. */
static void stream(unsigned qsize, unsigned slots, uint32_t total, size_t max)
{
	struct window w;
	struct gchan d, v;
	struct flow fd = {0}, fv = {0}; /* fd: driver -> device, fv: device -> driver */
	uint32_t x = 12345;

	window_init(&w, 2, qsize, slots);
	window_pair(&w, &d, &v);
	while (fd.got < total || fv.got < total) {
		uint32_t before = fd.got + fv.got + fd.sent + fv.sent;

		x = x * 1103515245 + 12345;
		send_burst(&d, &fd, 1 + (x >> 16) % 40, total, max);
		recv_burst(&v, &fd, 1 + (x >> 8) % 40, max);
		send_burst(&v, &fv, 1 + (x >> 20) % 40, total, max);
		recv_burst(&d, &fv, 1 + (x >> 4) % 40, max);
		cr_assert_neq(fd.got + fv.got + fd.sent + fv.sent, before, "no progress");
	}
	cr_assert_eq(gchan_recv(&d, NULL, NULL, 0), GCHAN_E_AGAIN);
	cr_assert_eq(gchan_recv(&v, NULL, NULL, 0), GCHAN_E_AGAIN);
	cr_assert_eq(w.lines, 0, "%s", w.last_line);
	window_free(&w);
}

Test(stream, ten_thousand_each_way)
{
	stream(8, 64, MESSAGES, GOOS_CHAN_MSG_MAX);
}

/* More buffers in the ring than the pool has room for: the driver hands out only 3 each way. */
Test(stream, small_pool_large_ring)
{
	stream(256, 6, MESSAGES, GOOS_CHAN_MSG_MAX);
}

/* Past 65536 messages a queue's u16 indexes wrap. */
Test(stream, indexes_wrap)
{
	stream(16, 32, 70000, 64);
}

Test(stream, queue_of_one)
{
	stream(1, 2, 1000, GOOS_CHAN_MSG_MAX);
}

Test(stream, full_queue_then_again)
{
	struct window w;
	struct gchan d, v;
	uint8_t buf[GOOS_CHAN_MSG_MAX];
	uint32_t type;

	window_init(&w, 2, 4, 8); /* 4 buffers each way */
	window_pair(&w, &d, &v);
	cr_assert_eq(gchan_poll(&v) & GCHAN_POLL_IN, 0);
	for (uint32_t i = 0; i < 4; i++)
		cr_assert_eq(gchan_send(&d, i, "abcd", 4), GCHAN_OK);
	cr_assert_eq(gchan_send(&d, 4, "abcd", 4), GCHAN_E_AGAIN);
	cr_assert(gchan_doorbell(&d));
	cr_assert(!gchan_doorbell(&d), "a doorbell is owed once");
	cr_assert_eq(gchan_poll(&v) & GCHAN_POLL_IN, GCHAN_POLL_IN);
	cr_assert_eq(gchan_recv(&v, &type, buf, 3), GCHAN_E_TOO_LONG);
	cr_assert_eq(gchan_recv(&v, &type, buf, 4), 4, "a message too long for the buffer stays");
	cr_assert_eq(type, 0);
	cr_assert(gchan_doorbell(&v), "the device owes a doorbell for the buffer it gave back");
	cr_assert_eq(gchan_send(&d, 4, "efgh", 4), GCHAN_OK);
	for (uint32_t i = 1; i < 5; i++) {
		cr_assert_eq(gchan_recv(&v, &type, buf, sizeof(buf)), 4);
		cr_assert_eq(type, i);
	}
	cr_assert_eq(memcmp(buf, "efgh", 4), 0);
	cr_assert_eq(gchan_recv(&v, &type, buf, sizeof(buf)), GCHAN_E_AGAIN);
	cr_assert_eq(gchan_send(&d, 0, buf, GOOS_CHAN_MSG_MAX + 1), GCHAN_E_TOO_LONG);
	cr_assert_eq(gchan_send(&v, 0, buf, GOOS_CHAN_MSG_MAX + 1), GCHAN_E_TOO_LONG);
	cr_assert_eq(gchan_send(&v, 7, NULL, 0), GCHAN_OK);
	cr_assert_eq(gchan_recv(&d, &type, NULL, 0), 0);
	cr_assert_eq(type, 7);
	cr_assert_eq(gchan_send(&v, 8, "0123456789", 10), GCHAN_OK);
	cr_assert_eq(gchan_recv(&d, &type, buf, 9), GCHAN_E_TOO_LONG);
	cr_assert_eq(gchan_recv(&d, &type, buf, 10), 10, "a message too long for the buffer stays");
	cr_assert_eq(type, 8);
	cr_assert_eq(memcmp(buf, "0123456789", 10), 0);
	window_free(&w);
}

Test(stream, not_ready_until_both_reset)
{
	struct window w;
	struct gchan d, v;

	window_init(&w, 2, 8, 16);
	window_start(&w, GCHAN_DRIVER);
	cr_assert_eq(gchan_attach(&d, w.win, w.gpa, w.size, GCHAN_DRIVER, window_log), GCHAN_OK);
	cr_assert_eq(gchan_send(&d, 0, "x", 1), GCHAN_E_NOT_READY, "the device never started");
	cr_assert(gchan_doorbell(&d), "the driver's reset is worth a doorbell");
	window_start(&w, GCHAN_DEVICE);
	cr_assert_eq(gchan_send(&d, 0, "x", 1), GCHAN_E_NOT_READY, "the device has not reset");
	cr_assert_eq(gchan_attach(&v, w.win, w.gpa, w.size, GCHAN_DEVICE, window_log), GCHAN_OK);
	cr_assert_eq(gchan_recv(&v, NULL, NULL, 0), GCHAN_E_AGAIN, "both reset: messages flow");
	cr_assert_eq(gchan_send(&d, 0, "x", 1), GCHAN_OK);
	window_free(&w);
}

/* ---------------------------------------------------------------- two threads */

struct bell {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool rung;
};

struct end {
	struct gchan *c;
	struct bell *mine, *peer;
	struct flow out, in;
	size_t max;
	char why[200];
};

static void ring(struct bell *b)
{
	pthread_mutex_lock(&b->lock);
	b->rung = true;
	pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

static void wait_bell(struct bell *b)
{
	pthread_mutex_lock(&b->lock);
	while (!b->rung)
		pthread_cond_wait(&b->cond, &b->lock);
	b->rung = false;
	pthread_mutex_unlock(&b->lock);
}

/* One end: sends its MESSAGES and takes the peer's, idling on its bell when neither moves. The
 * first poll resets it and says so to the peer. Criterion's asserts are not for threads: the
 * thread returns what went wrong. */
static void *run_end(void *arg)
{
	struct end *e = arg;
	uint8_t buf[GOOS_CHAN_MSG_MAX];

	gchan_poll(e->c);
	while (e->out.sent < MESSAGES || e->in.got < MESSAGES) {
		bool moved = false;
		int rc;

		while (e->out.sent < MESSAGES) {
			size_t len = msg_len(e->out.sent, e->max);

			msg_fill(buf, e->out.sent, len);
			rc = gchan_send(e->c, e->out.sent, buf, len);
			if (rc == GCHAN_E_AGAIN || rc == GCHAN_E_NOT_READY)
				break;
			if (rc) {
				snprintf(e->why, sizeof(e->why), "send %u: %d %s", e->out.sent, rc,
					 gchan_reason(e->c));
				return e->why;
			}
			e->out.sent++;
			moved = true;
		}
		for (;;) {
			uint32_t type;
			uint8_t want[GOOS_CHAN_MSG_MAX];

			rc = gchan_recv(e->c, &type, buf, sizeof(buf));
			if (rc == GCHAN_E_AGAIN || rc == GCHAN_E_NOT_READY)
				break;
			msg_fill(want, e->in.got, msg_len(e->in.got, e->max));
			if (rc < 0 || type != e->in.got || rc != (int)msg_len(type, e->max) ||
			    memcmp(buf, want, (size_t)rc)) {
				snprintf(e->why, sizeof(e->why), "recv %u: %d type %u %s",
					 e->in.got, rc, type, gchan_reason(e->c));
				return e->why;
			}
			e->in.got++;
			moved = true;
		}
		if (gchan_doorbell(e->c))
			ring(e->peer);
		if (!moved)
			wait_bell(e->mine);
	}
	/* The peer may still wait for the buffers this end gave back last. */
	ring(e->peer);
	return NULL;
}

static void threads(size_t max)
{
	struct window w;
	struct gchan d, v;
	struct bell bd = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
	struct bell bv = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false};
	struct end ed = {&d, &bd, &bv, {0}, {0}, max, ""}, ev = {&v, &bv, &bd, {0}, {0}, max, ""};
	pthread_t td, tv;
	void *rd, *rv;

	window_init(&w, 2, 8, 16);
	window_start(&w, GCHAN_DRIVER);
	window_start(&w, GCHAN_DEVICE);
	cr_assert_eq(gchan_attach(&d, w.win, w.gpa, w.size, GCHAN_DRIVER, window_log), GCHAN_OK);
	cr_assert_eq(gchan_attach(&v, w.win, w.gpa, w.size, GCHAN_DEVICE, window_log), GCHAN_OK);
	cr_assert_eq(pthread_create(&td, NULL, run_end, &ed), 0);
	cr_assert_eq(pthread_create(&tv, NULL, run_end, &ev), 0);
	pthread_join(td, &rd);
	pthread_join(tv, &rv);
	cr_assert_null(rd, "driver: %s", (char *)rd);
	cr_assert_null(rv, "device: %s", (char *)rv);
	cr_assert_eq(ed.in.got, MESSAGES);
	cr_assert_eq(ev.in.got, MESSAGES);
	window_free(&w);
}

Test(stream, two_threads, .timeout = 120)
{
	threads(GOOS_CHAN_MSG_MAX);
}

Test(stream, two_threads_short_messages, .timeout = 120)
{
	threads(16);
}
