/* An end restarting mid-stream (the hv stops it, bumps its generation and starts it; a fresh
 * instance attaches): the survivor gets GCHAN_E_PEER_RESTARTED once, then GCHAN_E_NOT_READY
 * until both have reset, then carries on; nothing sent before the restart arrives after it. */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>

#include "window.h"

#define N 8

static struct window w;
static struct gchan d, v;

static void setup(void)
{
	window_init(&w, 2, N, 16);
	window_pair(&w, &d, &v);
}

static void teardown(void)
{
	window_free(&w);
}

TestSuite(restart, .init = setup, .fini = teardown);

static void send_ok(struct gchan *c, uint32_t type)
{
	cr_assert_eq(gchan_send(c, type, &type, sizeof(type)), GCHAN_OK, "send %u: %s", type,
		     gchan_reason(c));
}

static void recv_is(struct gchan *c, uint32_t want)
{
	uint32_t type, payload;

	cr_assert_eq(gchan_recv(c, &type, &payload, sizeof(payload)), 4, "%s", gchan_reason(c));
	cr_assert_eq(type, want, "got message %u, not %u", type, want);
	cr_assert_eq(payload, want);
}

static void recv_none(struct gchan *c)
{
	uint32_t payload;

	cr_assert_eq(gchan_recv(c, NULL, &payload, sizeof(payload)), GCHAN_E_AGAIN,
		     "a message arrived across the restart");
}

static struct gchan *end(enum gchan_role role)
{
	return role == GCHAN_DRIVER ? &d : &v;
}

/* The hv restarts `role`; its new instance attaches and resets. */
static void restart(enum gchan_role role)
{
	window_stop(&w, role);
	window_start(&w, role);
	cr_assert_eq(gchan_attach(end(role), w.win, w.gpa, w.size, role, window_log), GCHAN_OK);
	gchan_poll(end(role));
}

Test(restart, device_restarts)
{
	for (uint32_t i = 0; i < 5; i++)
		send_ok(&d, i);
	recv_is(&v, 0);
	recv_is(&v, 1);
	window_stop(&w, GCHAN_DEVICE);
	cr_assert_eq(gchan_poll(&d) & GCHAN_POLL_RESTARTED, GCHAN_POLL_RESTARTED);
	cr_assert_eq(gchan_send(&d, 5, "x", 1), GCHAN_E_PEER_RESTARTED);
	cr_assert_eq(gchan_poll(&d), 0, "reported once");
	cr_assert_eq(gchan_send(&d, 5, "x", 1), GCHAN_E_NOT_READY);
	cr_assert_eq(gchan_recv(&d, NULL, NULL, 0), GCHAN_E_NOT_READY);

	window_start(&w, GCHAN_DEVICE);
	cr_assert_eq(gchan_send(&d, 5, "x", 1), GCHAN_E_NOT_READY, "the device has not reset");
	cr_assert(gchan_doorbell(&d), "the driver's reset is worth a doorbell");
	cr_assert_eq(gchan_attach(&v, w.win, w.gpa, w.size, GCHAN_DEVICE, window_log), GCHAN_OK);
	recv_none(&v);
	send_ok(&d, 100);
	recv_is(&v, 100);
	recv_none(&v);
	send_ok(&v, 200);
	recv_is(&d, 200);
	cr_assert_eq(w.lines, 0);
}

Test(restart, driver_restarts)
{
	for (uint32_t i = 0; i < 5; i++)
		send_ok(&v, i);
	send_ok(&d, 50);
	recv_is(&d, 0);
	recv_is(&d, 1);
	restart(GCHAN_DRIVER); /* the device sees only the new generation, never the driver down */
	cr_assert_eq(gchan_poll(&v) & GCHAN_POLL_RESTARTED, GCHAN_POLL_RESTARTED);
	cr_assert_eq(gchan_recv(&v, NULL, NULL, 0), GCHAN_E_PEER_RESTARTED);
	recv_none(&v); /* message 50 was the old driver's */
	recv_none(&d); /* messages 2..4 were for the old driver */
	send_ok(&v, 300);
	recv_is(&d, 300);
	send_ok(&d, 400);
	recv_is(&v, 400);
	cr_assert_eq(w.lines, 0);
}

/* The device restarts twice before the driver looks: one report. */
Test(restart, two_restarts_one_report)
{
	send_ok(&d, 1);
	restart(GCHAN_DEVICE);
	restart(GCHAN_DEVICE);
	cr_assert_eq(gchan_send(&d, 2, "x", 1), GCHAN_E_PEER_RESTARTED);
	send_ok(&d, 3);
	recv_is(&v, 3);
}

/* The survivor keeps a stream going across many restarts of its peer; each session's
 * messages arrive in order and none crosses into the next. */
Test(restart, many_restarts_mid_stream)
{
	for (unsigned round = 0; round < 50; round++) {
		enum gchan_role peer = round % 3 ? GCHAN_DEVICE : GCHAN_DRIVER;
		struct gchan *survivor = end(peer == GCHAN_DRIVER ? GCHAN_DEVICE : GCHAN_DRIVER);
		uint32_t base = round * 1000;

		for (uint32_t i = 0; i < 6; i++) {
			send_ok(&d, base + i);
			send_ok(&v, base + 500 + i);
		}
		for (uint32_t i = 0; i < round % 5; i++) {
			recv_is(&v, base + i);
			recv_is(&d, base + 500 + i);
		}
		restart(peer);
		cr_assert_eq(gchan_send(survivor, 0, "x", 1), GCHAN_E_PEER_RESTARTED);
		recv_none(&d);
		recv_none(&v);
	}
	cr_assert_eq(w.lines, 0);
}

/* A peer that rewrites its own ready word ends the session (the contract: messages flow only
 * while both words equal the generation) until the next generation. */
Test(restart, peer_ready_word_changes)
{
	uint64_t *ready = window_at(&w, GOOS_CHAN_READY_DEVICE);

	send_ok(&d, 1);
	*ready ^= 1;
	cr_assert_eq(gchan_send(&d, 2, "x", 1), GCHAN_E_PEER_RESTARTED);
	*ready ^= 1;
	cr_assert_eq(gchan_send(&d, 2, "x", 1), GCHAN_E_NOT_READY, "ended until a new generation");
	restart(GCHAN_DEVICE);
	send_ok(&d, 3);
	recv_is(&v, 3);
}

/* ... while rewriting the other end's ready word changes nothing for that end, which never
 * reads its own back. */
Test(restart, own_ready_word_ignored)
{
	uint64_t *ready = window_at(&w, GOOS_CHAN_READY_DRIVER);

	send_ok(&v, 2);
	*ready = 0; /* as the device could */
	send_ok(&d, 1);
	recv_is(&d, 2);
	cr_assert_eq(gchan_poll(&d) & GCHAN_POLL_OUT, GCHAN_POLL_OUT);
}

/* ---------------------------------------------------------------- a restart under a call */

/* The driver restarts while the device is inside gchan_recv, after it read the generation and
 * before it reads queue 0: queue 0's page is made inaccessible, and the fault handler plays the
 * hv and the new driver (which resets queue 0's available idx to 0) before letting the read go
 * on. What the device then reads looks forged, but it is a reset: the device must report the
 * restart, not a broken channel. */
static uint8_t *queue0_page;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	uint8_t *a = si->si_addr;

	if (a < queue0_page || a >= queue0_page + GOOS_CHAN_PAGE) {
		signal(SIGSEGV, SIG_DFL);
		return;
	}
	mprotect(queue0_page, GOOS_CHAN_PAGE, PROT_READ | PROT_WRITE);
	restart(GCHAN_DRIVER);
}

Test(restart, under_a_call)
{
	struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
	uint8_t buf[16];

	for (uint32_t i = 0; i < 3; i++) {
		send_ok(&d, i);
		recv_is(&v, i);
	}
	queue0_page = window_at(&w, w.desc[0]);
	cr_assert_eq(w.used[0] - w.desc[0] < GOOS_CHAN_PAGE, 1, "queue 0 is on one page");
	cr_assert_eq(sigaction(SIGSEGV, &sa, NULL), 0);
	cr_assert_eq(mprotect(queue0_page, GOOS_CHAN_PAGE, PROT_NONE), 0);
	cr_assert_eq(gchan_recv(&v, NULL, buf, sizeof(buf)), GCHAN_E_PEER_RESTARTED, "%s",
		     gchan_reason(&v));
	cr_assert_eq(w.lines, 0, "%s", w.last_line);
	signal(SIGSEGV, SIG_DFL);
	recv_none(&v);
	send_ok(&d, 7);
	recv_is(&v, 7);
}
