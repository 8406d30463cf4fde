/*
 * Benchmark guest: messages over a channel with libgoos's msgchan (gchan), between two
 * partitions on two harts (bootargs role=client, the driver of channel "bench", or
 * role=server, its device). Both ends follow the same schedule:
 *
 *  1. BENCH_WARMUP + iters round trips: the client reads instret, sends 64 bytes and waits
 *     for the server's echo of them; the sample is instret when the echo is in its buffer minus
 *     the first. Prints BENCH chan.rpc64.c <median> instr ...
 *  2. XFER_WARMUP + xfers transfers of 64 KiB: the client reads instret and sends 65536 bytes
 *     as messages of GOOS_CHAN_MSG_MAX (the last shorter), waiting for free buffers when the
 *     queue is full; the server, at the message that completes the 64 KiB, reads instret and
 *     sends it back (8 bytes). instret is the machine's clock (BENCHMARKS.md), so the stamp minus
 *     the client's first read is the transfer's cost; the sample is that over 64. Prints
 *     BENCH chan.xfer64k.c <median> instr/KiB ...
 *
 * Every wait is goos_gchan_wait: the waiting end idles until its peer rings. The client prints
 * "BENCH done" and exits 0; the server exits 0 when it finds the client gone. bootargs: iters=N
 * (round trips), xfers=N (transfers).
 */
#include "bench.h"

#define RPC_BYTES   64
#define XFER_BYTES  65536
#define XFER_WARMUP 4

static struct gchan ch;
static uint8_t buf[GOOS_CHAN_MSG_MAX];
static uint64_t samples[BENCH_MAX_SAMPLES];

static void fail(const char *what, int rc)
{
	printf("BENCH FAIL %s: %d (%s)\n", what, rc, gchan_reason(&ch));
	goos_exit(1);
}

static void msg_send(const void *p, size_t n)
{
	int rc;

	while ((rc = goos_gchan_send(&ch, 0, p, n)) == GCHAN_E_AGAIN || rc == GCHAN_E_NOT_READY)
		goos_gchan_wait(&ch);
	if (rc)
		fail("send", rc);
}

/* The next message's length; 0 when the peer has gone (the server's end). */
static size_t msg_recv(void)
{
	int rc;

	while ((rc = goos_gchan_recv(&ch, NULL, buf, sizeof(buf))) == GCHAN_E_AGAIN ||
	       rc == GCHAN_E_NOT_READY)
		goos_gchan_wait(&ch);
	if (rc == GCHAN_E_PEER_RESTARTED)
		return 0;
	if (rc < 0)
		fail("recv", rc);
	return (size_t)rc;
}

static void open_bench(enum gchan_role role)
{
	int rc = goos_gchan_open(&ch, "bench");

	if (rc || ch.role != role)
		fail("no channel bench in this role", rc);
}

static int server(void)
{
	unsigned rounds = BENCH_WARMUP + bench_iters(200);
	size_t n;

	open_bench(GCHAN_DEVICE);
	for (unsigned i = 0; i < rounds; i++) {
		if (!(n = msg_recv()))
			return 0;
		msg_send(buf, n);
	}
	size_t got = 0;
	while ((n = msg_recv())) {
		got += n;
		if (got < XFER_BYTES)
			continue;
		uint64_t stamp = bench_instret();
		msg_send(&stamp, sizeof(stamp));
		got = 0;
	}
	return 0;
}

static int client(void)
{
	unsigned iters = bench_iters(200), xfers = (unsigned)goos_bootarg_long("xfers", 32);
	uint64_t stamp;

	if (xfers < 1 || xfers > BENCH_MAX_SAMPLES)
		xfers = 32;
	open_bench(GCHAN_DRIVER);
	memset(buf, 0x5a, sizeof(buf));
	for (unsigned i = 0; i < BENCH_WARMUP + iters; i++) {
		uint64_t t0 = bench_instret();

		msg_send(buf, RPC_BYTES);
		if (msg_recv() != RPC_BYTES)
			fail("echo length", 0);
		uint64_t t1 = bench_instret();
		if (i >= BENCH_WARMUP)
			samples[i - BENCH_WARMUP] = t1 - t0;
	}
	bench_report("chan.rpc64.c", "instr", samples, iters);
	for (unsigned i = 0; i < XFER_WARMUP + xfers; i++) {
		uint64_t t0 = bench_instret();

		for (size_t off = 0; off < XFER_BYTES; off += GOOS_CHAN_MSG_MAX)
			msg_send(buf, XFER_BYTES - off < GOOS_CHAN_MSG_MAX ? XFER_BYTES - off
									   : GOOS_CHAN_MSG_MAX);
		if (msg_recv() != sizeof(stamp))
			fail("stamp length", 0);
		memcpy(&stamp, buf, sizeof(stamp));
		if (i >= XFER_WARMUP)
			samples[i - XFER_WARMUP] = (stamp - t0) / (XFER_BYTES / 1024);
	}
	bench_report("chan.xfer64k.c", "instr/KiB", samples, xfers);
	printf("BENCH done\n");
	return 0;
}

int main(void)
{
	const char *role = goos_bootarg("role");

	if (role && !strncmp(role, "client", 6))
		return client();
	if (role && !strncmp(role, "server", 6))
		return server();
	printf("BENCH FAIL role=client or role=server\n");
	return 1;
}
