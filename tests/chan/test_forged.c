/* A hostile peer's writes to the window, each refused by the reader with GCHAN_E_BROKEN and one
 * log line, without a fault (the window has guard pages around it and a read-only header) and
 * without writing outside the pool; the channel works again once the peer has restarted. */
#include <criterion/criterion.h>
#include <string.h>

#include "window.h"

#define N     8	 /* queue size */
#define SLOTS 16 /* pool buffers: 8 each way */
#define SLOT  GOOS_CHAN_SLOT

static struct window w;
static struct gchan d, v;

static void setup(void)
{
	window_init(&w, 2, N, SLOTS);
	window_pair(&w, &d, &v);
}

static void teardown(void)
{
	window_free(&w);
}

/* A check that lets a loop through would spin: fail instead. */
TestSuite(forged, .init = setup, .fini = teardown, .timeout = 20);

static struct virtq_desc *desc(unsigned q, unsigned id)
{
	return window_at(&w, w.desc[q] + sizeof(struct virtq_desc) * id);
}

static struct virtq_avail *avail(unsigned q)
{
	return window_at(&w, w.avail[q]);
}

static struct virtq_used *used(unsigned q)
{
	return window_at(&w, w.used[q]);
}

/* The pool buffer of the driver's buffer id on queue q. */
static uint8_t *slot(unsigned q, unsigned id)
{
	return window_at(&w, w.pool + (uint64_t)(q * (SLOTS / 2) + id) * SLOT);
}

static uint64_t pool_gpa(void)
{
	return w.gpa + w.pool;
}

static void set_msg_hdr(uint8_t *p, uint32_t len, uint32_t type)
{
	memcpy(p, &len, 4);
	memcpy(p + 4, &type, 4);
}

/* The victim's call returned BROKEN for a reason naming `what`, logged once; later calls return
 * BROKEN too (and poll says so), with no second line. */
static void expect_broken(struct gchan *c, int rc, const char *what)
{
	uint8_t buf[GOOS_CHAN_MSG_MAX];

	cr_assert_eq(rc, GCHAN_E_BROKEN, "rc %d, reason '%s'", rc, gchan_reason(c));
	cr_assert_not_null(strstr(gchan_reason(c), what), "reason '%s' lacks '%s'", gchan_reason(c),
			   what);
	cr_assert_eq(w.lines, 1, "lines logged: %u", w.lines);
	cr_assert_str_eq(w.last_line, gchan_reason(c));
	cr_assert_eq(gchan_recv(c, NULL, buf, sizeof(buf)), GCHAN_E_BROKEN);
	cr_assert_eq(gchan_send(c, 0, "x", 1), GCHAN_E_BROKEN);
	cr_assert_eq(gchan_poll(c) & (GCHAN_POLL_BROKEN | GCHAN_POLL_IN | GCHAN_POLL_OUT),
		     GCHAN_POLL_BROKEN);
	cr_assert_eq(w.lines, 1);
}

/* The peer of `victim` restarts (a fresh instance attaches): the victim reports the restart
 * once, resets, and messages flow both ways again. */
static void expect_recovery(struct gchan *victim)
{
	enum gchan_role peer = victim->role == GCHAN_DRIVER ? GCHAN_DEVICE : GCHAN_DRIVER;
	struct gchan *p = victim == &d ? &v : &d;
	uint8_t buf[16];
	uint32_t type;

	window_stop(&w, peer);
	window_start(&w, peer);
	cr_assert_eq(gchan_attach(p, w.win, w.gpa, w.size, peer, window_log), GCHAN_OK);
	cr_assert_eq(gchan_poll(p) & GCHAN_POLL_BROKEN, 0);
	cr_assert_eq(gchan_poll(victim) & (GCHAN_POLL_RESTARTED | GCHAN_POLL_BROKEN),
		     GCHAN_POLL_RESTARTED);
	cr_assert_eq(gchan_recv(victim, NULL, buf, sizeof(buf)), GCHAN_E_PEER_RESTARTED);
	cr_assert_eq(gchan_recv(victim, NULL, buf, sizeof(buf)), GCHAN_E_AGAIN);
	cr_assert_eq(gchan_send(&d, 1, "down", 4), GCHAN_OK);
	cr_assert_eq(gchan_recv(&v, &type, buf, sizeof(buf)), 4);
	cr_assert_eq(type, 1);
	cr_assert_eq(gchan_send(&v, 2, "up", 2), GCHAN_OK);
	cr_assert_eq(gchan_recv(&d, &type, buf, sizeof(buf)), 2);
	cr_assert_eq(memcmp(buf, "up", 2), 0);
	cr_assert_eq(w.lines, 1, "no line after the recovery");
}

/* The device receives the driver's message in buffer 0 of queue 0, after the forge. */
static void device_victim(void (*forge)(void), const char *what)
{
	uint8_t buf[GOOS_CHAN_MSG_MAX];

	cr_assert_eq(gchan_send(&d, 9, "hello", 5), GCHAN_OK);
	cr_assert_eq(VIRTQ_LOAD(&avail(0)->ring[0]), 0, "the driver sent in buffer 0");
	forge();
	expect_broken(&v, gchan_recv(&v, NULL, buf, sizeof(buf)), what);
	expect_recovery(&v);
}

static void addr_in_control_page(void)
{
	desc(0, 0)->addr = w.gpa + GOOS_CHAN_PAGE;
}

Test(forged, addr_outside_the_pool)
{
	device_victim(addr_in_control_page, "outside the pool");
}

static void addr_past_window(void)
{
	desc(0, 0)->addr = w.gpa + w.size;
	desc(0, 0)->len = 16;
}

Test(forged, addr_past_the_window)
{
	device_victim(addr_past_window, "outside the pool");
}

static void addr_below_window(void)
{
	desc(0, 0)->addr = w.gpa - 4096;
}

Test(forged, addr_below_the_window)
{
	device_victim(addr_below_window, "outside the pool");
}

static void addr_wraps(void)
{
	desc(0, 0)->addr = ~0ULL - 7;
	desc(0, 0)->len = 16;
}

Test(forged, addr_plus_len_wraps)
{
	device_victim(addr_wraps, "outside the pool");
}

static void len_past_pool_end(void)
{
	desc(0, 0)->addr = pool_gpa() + w.pool_size - 8;
	desc(0, 0)->len = 16;
}

Test(forged, len_past_the_pool_end)
{
	device_victim(len_past_pool_end, "outside the pool");
}

static void len_above_slot(void)
{
	desc(0, 0)->len = SLOT + 1;
}

Test(forged, len_above_the_slot)
{
	device_victim(len_above_slot, "above a buffer's");
}

static void chain_to_itself(void)
{
	desc(0, 0)->len = 0;
	desc(0, 0)->flags = VIRTQ_DESC_F_NEXT;
	desc(0, 0)->next = 0;
}

Test(forged, chain_loops_on_itself)
{
	device_victim(chain_to_itself, "a loop");
}

static void chain_of_two_loops(void)
{
	*desc(0, 1) = (struct virtq_desc){pool_gpa() + 8 * SLOT, 4, VIRTQ_DESC_F_NEXT, 0};
	desc(0, 0)->len = 4;
	desc(0, 0)->flags = VIRTQ_DESC_F_NEXT;
	desc(0, 0)->next = 1;
}

Test(forged, chain_loops_through_two)
{
	device_victim(chain_of_two_loops, "a loop");
}

static void next_past_queue(void)
{
	desc(0, 0)->len = 8;
	desc(0, 0)->flags = VIRTQ_DESC_F_NEXT;
	desc(0, 0)->next = N;
}

Test(forged, next_past_the_queue_size)
{
	device_victim(next_past_queue, "past the queue size");
}

static void avail_entry_past_queue(void)
{
	avail(0)->ring[0] = 0xffff;
}

Test(forged, avail_entry_past_the_queue_size)
{
	device_victim(avail_entry_past_queue, "past the queue size");
}

static void avail_idx_jumps(void)
{
	avail(0)->idx = 1 + N + 1;
}

Test(forged, avail_idx_jumps_past_n)
{
	device_victim(avail_idx_jumps, "available idx");
}

static void hdr_len_above_desc(void)
{
	desc(0, 0)->len = 16;
	set_msg_hdr(slot(0, 0), 100, 9);
}

Test(forged, header_length_above_the_descriptor)
{
	device_victim(hdr_len_above_desc, "message length 100");
}

static void hdr_len_above_max(void)
{
	desc(0, 0)->len = SLOT;
	set_msg_hdr(slot(0, 0), 0xffffffff, 9);
}

Test(forged, header_length_above_the_maximum)
{
	device_victim(hdr_len_above_max, "message length 4294967295");
}

static void shorter_than_header(void)
{
	desc(0, 0)->len = 4;
}

Test(forged, message_shorter_than_its_header)
{
	device_victim(shorter_than_header, "shorter than its header");
}

static void chain_above_slot(void)
{
	*desc(0, 1) = (struct virtq_desc){pool_gpa() + 9 * SLOT, SLOT, 0, 0};
	desc(0, 0)->len = 8;
	desc(0, 0)->flags = VIRTQ_DESC_F_NEXT;
	desc(0, 0)->next = 1;
}

Test(forged, chain_longer_than_a_buffer)
{
	device_victim(chain_above_slot, "more than 4096");
}

static void writable_on_queue0(void)
{
	desc(0, 0)->flags = VIRTQ_DESC_F_WRITE;
}

Test(forged, direction_on_queue0)
{
	device_victim(writable_on_queue0, "device-writable");
}

static void indirect(void)
{
	desc(0, 0)->flags = VIRTQ_DESC_F_INDIRECT;
}

Test(forged, indirect_descriptor)
{
	device_victim(indirect, "indirect");
}

/* A chain the device accepts: a header of 8 bytes split 3 + 5, then the payload split too. */
Test(forged, split_chain_accepted)
{
	uint8_t buf[16];
	uint32_t type;

	cr_assert_eq(gchan_send(&d, 9, "hello", 5), GCHAN_OK);
	set_msg_hdr(slot(0, 0), 7, 4);
	memcpy(slot(0, 0) + 8, "chained", 7);
	*desc(0, 0) = (struct virtq_desc){pool_gpa(), 3, VIRTQ_DESC_F_NEXT, 5};
	*desc(0, 5) = (struct virtq_desc){pool_gpa() + 3, 7, VIRTQ_DESC_F_NEXT, 6};
	*desc(0, 6) = (struct virtq_desc){pool_gpa() + 10, 5, 0, 0};
	cr_assert_eq(gchan_recv(&v, &type, buf, sizeof(buf)), 7, "%s", gchan_reason(&v));
	cr_assert_eq(type, 4);
	cr_assert_eq(memcmp(buf, "chained", 7), 0);
	cr_assert_eq(w.lines, 0);
}

/* ---------------------------------------------------------------- the device's sends */

/* The device sends into the driver's buffer 0 of queue 1 after the forge; nothing outside the
 * pool is written. */
static void device_send_victim(void (*forge)(void), const char *what)
{
	uint8_t before[2 * GOOS_CHAN_PAGE];

	memcpy(before, window_at(&w, 0), sizeof(before));
	forge();
	expect_broken(&v, gchan_send(&v, 1, "to the driver", 13), what);
	cr_assert_eq(memcmp(before, window_at(&w, 0), sizeof(before)), 0,
		     "header or control page written");
	expect_recovery(&v);
}

static void readable_on_queue1(void)
{
	desc(1, 0)->flags = 0;
}

Test(forged, direction_on_queue1)
{
	device_send_victim(readable_on_queue1, "device-readable");
}

static void rx_buffer_too_small(void)
{
	desc(1, 0)->len = 4;
}

Test(forged, rx_buffer_too_small)
{
	device_send_victim(rx_buffer_too_small, "a buffer of 4 bytes");
}

static void rx_buffer_in_control_page(void)
{
	desc(1, 0)->addr = w.gpa + GOOS_CHAN_PAGE;
	desc(1, 0)->len = 64;
}

Test(forged, rx_buffer_outside_the_pool)
{
	device_send_victim(rx_buffer_in_control_page, "outside the pool");
}

static void rx_avail_jumps(void)
{
	avail(1)->idx = (uint16_t)(avail(1)->idx + N + 1);
}

Test(forged, rx_avail_idx_jumps_past_n)
{
	device_send_victim(rx_avail_jumps, "available idx");
}

/* ---------------------------------------------------------------- the driver as the victim */

/* A hostile device returns a used entry on queue q. */
static void forge_used(unsigned q, uint32_t id, uint32_t len)
{
	struct virtq_used *u = used(q);

	u->ring[u->idx % N] = (struct virtq_used_elem){id, len};
	u->idx++;
}

static void driver_recv_victim(const char *what)
{
	uint8_t buf[GOOS_CHAN_MSG_MAX];

	expect_broken(&d, gchan_recv(&d, NULL, buf, sizeof(buf)), what);
	expect_recovery(&d);
}

Test(forged, used_idx_jumps_past_n)
{
	used(1)->idx = N + 1;
	driver_recv_victim("used idx");
}

Test(forged, used_id_past_the_queue_size)
{
	forge_used(1, N, 16);
	driver_recv_victim("used id 8 is no buffer");
}

Test(forged, used_len_above_the_descriptor)
{
	set_msg_hdr(slot(1, 0), 4, 0);
	forge_used(1, 0, SLOT + 1);
	driver_recv_victim("used len 4097 above");
}

Test(forged, used_len_shorter_than_a_header)
{
	forge_used(1, 0, 7);
	driver_recv_victim("shorter than a message header");
}

Test(forged, rx_header_length_above_the_used_len)
{
	set_msg_hdr(slot(1, 0), 100, 0);
	forge_used(1, 0, 16);
	driver_recv_victim("message length 100");
}

Test(forged, rx_header_length_above_the_maximum)
{
	set_msg_hdr(slot(1, 0), 0xffffffff, 0);
	forge_used(1, 0, SLOT);
	driver_recv_victim("message length 4294967295");
}

/* The driver posted what it posted: a device that rewrites the descriptor table after using a
 * buffer changes nothing the driver reads. */
Test(forged, driver_ignores_the_descriptor_table)
{
	uint8_t buf[32];
	uint32_t type;

	cr_assert_eq(gchan_send(&v, 5, "intact", 6), GCHAN_OK);
	for (unsigned i = 0; i < N; i++)
		*desc(1, i) = (struct virtq_desc){~0ULL - 7, 0xffffffff, VIRTQ_DESC_F_NEXT, 0xffff};
	cr_assert_eq(gchan_recv(&d, &type, buf, sizeof(buf)), 6, "%s", gchan_reason(&d));
	cr_assert_eq(type, 5);
	cr_assert_eq(memcmp(buf, "intact", 6), 0);
	cr_assert_eq(desc(1, 0)->addr, pool_gpa() + (SLOTS / 2) * SLOT, "buffer 0 posted again");
	cr_assert_eq(w.lines, 0);
}

/* The driver's sends reclaim queue 0's buffers from the used ring, each checked. */
static void driver_send_victim(const char *what)
{
	expect_broken(&d, gchan_send(&d, 0, "next", 4), what);
	expect_recovery(&d);
}

Test(forged, tx_used_idx_jumps_past_n)
{
	cr_assert_eq(gchan_send(&d, 0, "first", 5), GCHAN_OK);
	used(0)->idx = N + 1;
	driver_send_victim("used idx");
}

Test(forged, tx_used_id_past_the_queue_size)
{
	cr_assert_eq(gchan_send(&d, 0, "first", 5), GCHAN_OK);
	forge_used(0, 0x7fffffff, 0);
	driver_send_victim("no buffer in flight");
}

Test(forged, tx_used_id_not_in_flight)
{
	cr_assert_eq(gchan_send(&d, 0, "first", 5), GCHAN_OK); /* buffer 0 */
	forge_used(0, 1, 0);
	driver_send_victim("used id 1 is no buffer in flight");
}

Test(forged, tx_used_id_twice)
{
	uint8_t buf[16];

	cr_assert_eq(gchan_send(&d, 0, "first", 5), GCHAN_OK);
	cr_assert_eq(gchan_recv(&v, NULL, buf, sizeof(buf)), 5);
	forge_used(0, 0, 0); /* buffer 0 again, after the device's own return of it */
	driver_send_victim("used id 0 is no buffer in flight");
}

Test(forged, tx_used_len_above_the_descriptor)
{
	cr_assert_eq(gchan_send(&d, 0, "first", 5), GCHAN_OK); /* 8 + 5 bytes posted */
	forge_used(0, 0, 14);
	driver_send_victim("used len 14 above the buffer's 13");
}
