/*
 * gort's remote socket backend (guest-abi/gort/sock_netd.c) end to end: netd owning the
 * passed-through virtio-net on QEMU's user network (restrict=on), and a Go program (tests/go/
 * netapp) whose sockets gort carries to netd over the channel "net" (tests/boards/go-netd-*.dts).
 * The host side is this test alone, on 127.0.0.1 only: a guestfwd to its server, a hostfwd from
 * its client. Part of the Go tests (`make go-test`).
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <limits.h>
#include <stdatomic.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "grun.h"
#include "harness.h"
#include "hv/console_proto.h"

TestSuite(netback, .timeout = 900);

/* tests/go/netapp's patterns. */
static uint8_t pat_p(size_t i)
{
	return (uint8_t)(7 * i + 3);
}
static uint8_t pat_q(size_t i)
{
	return (uint8_t)(13 * i + 5);
}

/* A TCP socket on 127.0.0.1:port (0: any) with 30 s send and receive time-outs. */
static int tcp_socket(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {.tv_sec = 30};
	cr_assert_geq(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static uint16_t port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}

/* A port of 127.0.0.1 free now, for QEMU's hostfwd to take. */
static uint16_t free_port(void)
{
	int fd = tcp_socket();
	struct sockaddr_in a = loopback(0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	uint16_t p = port_of(fd);
	close(fd);
	return p;
}

static bool write_all(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t k = send(fd, b, n, MSG_NOSIGNAL);
		if (k <= 0)
			return false;
		b += k;
		n -= (size_t)k;
	}
	return true;
}

/* n bytes, checked against pattern f: the count that came and matched before the first bad or
 * missing byte. */
static size_t read_checked(int fd, size_t n, uint8_t (*f)(size_t))
{
	uint8_t buf[8192];
	size_t got = 0;
	while (got < n) {
		size_t want = n - got < sizeof(buf) ? n - got : sizeof(buf);
		ssize_t k = recv(fd, buf, want, 0);
		if (k <= 0)
			return got;
		for (ssize_t i = 0; i < k; i++)
			if (buf[i] != f(got + (size_t)i))
				return got + (size_t)i;
		got += (size_t)k;
	}
	return got;
}

/* ---------------------------------------------------------------- outbound */

struct server {
	int lfd;
	size_t in, out; /* bytes to read (pattern p), then to write (pattern q) */
	size_t got;	/* what came and matched */
	bool sent;
};

static void *serve_one(void *arg)
{
	struct server *s = arg;
	struct pollfd pf = {.fd = s->lfd, .events = POLLIN};
	if (poll(&pf, 1, 600 * 1000) != 1)
		return NULL;
	int c = accept(s->lfd, NULL, NULL);
	if (c < 0)
		return NULL;
	struct timeval tv = {.tv_sec = 300};
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	s->got = read_checked(c, s->in, pat_p);
	if (s->got == s->in) {
		uint8_t *b = malloc(s->out);
		for (size_t i = 0; i < s->out; i++)
			b[i] = pat_q(i);
		s->sent = write_all(c, b, s->out);
		free(b);
		/* Until the guest has read it all: its close ends the connection. */
		char x;
		(void)recv(c, &x, 1, 0);
	}
	close(c);
	return NULL;
}

/* The guest dials 10.0.2.100:1234; QEMU's guestfwd takes it to this test's server on
 * 127.0.0.1 (QEMU connects to it as it starts). 300000 bytes go up, 200000 come down, each
 * checked byte for byte at its receiver. */
Test(netback, an_outbound_connection_reaches_a_server_on_the_hosts_loopback)
{
	static const char *dirs[2];
	static char fwd[128];
	static const char *fwds[2] = {fwd, NULL};
	static const char *const until[] = {"all as expected\n", NULL};
	struct server s = {.in = 300000, .out = 200000};
	pthread_t th;
	struct run r;

	need(bpath("go/netapp.cpio"), "build it with `make go-initrds`");
	need(bpath("go/netd.cpio"), "build it with `make go-initrds`");
	s.lfd = tcp_socket();
	struct sockaddr_in a = loopback(0);
	cr_assert_eq(bind(s.lfd, (struct sockaddr *)&a, sizeof(a)), 0);
	cr_assert_eq(listen(s.lfd, 1), 0);
	snprintf(fwd, sizeof(fwd), "guestfwd=tcp:10.0.2.100:1234-tcp:127.0.0.1:%u", port_of(s.lfd));
	cr_assert_eq(pthread_create(&th, NULL, serve_one, &s), 0);
	dirs[0] = bpath("go");
	struct boot_opts o = {.dirs = dirs,
			      .real_time = true,
			      .timeout_s = 400,
			      .user_net = true,
			      .net_forwards = fwds,
			      .until = until};
	boot_board("go-netd-dial", &o, &r);
	shutdown(s.lfd, SHUT_RDWR);
	pthread_join(th, NULL);
	close(s.lfd);
	assert_lacks(&r, "FAIL");
	assert_has(&r, "[netd] netd: serving uplink\n");
	assert_has(&r, "[app] netapp: connected to 10.0.2.100:1234 from 10.0.2.15:");
	assert_has(&r, "[app] netapp: sent 300000 bytes, received 200000 bytes, all as expected\n");
	if (s.got != s.in || !s.sent)
		run_dump(&r, "the host's side");
	cr_assert_eq(s.got, s.in, "the host's server got %zu good bytes of %zu", s.got, s.in);
	cr_assert(s.sent, "the host's server could not send its bytes");
	run_free(&r);
}

/* The app reads a file of 5000 bytes of pattern p over TFTP from QEMU's slirp, which serves it
 * from a folder of this test's (tftp=): each block a datagram netd pushes from the server's own
 * port, each acknowledgement one the app sends there, from an unconnected UDP socket. */
Test(netback, a_udp_exchange_reaches_qemus_tftp_server_through_netd)
{
	static const char *dirs[2];
	static char fwd[PATH_MAX + 8], dir[] = "/tmp/gohv-tftp-XXXXXX", file[PATH_MAX];
	static const char *fwds[2] = {fwd, NULL};
	static const char *const until[] = {"all as expected\n", NULL};
	struct run r;

	need(bpath("go/netapp.cpio"), "build it with `make go-initrds`");
	need(bpath("go/netd.cpio"), "build it with `make go-initrds`");
	cr_assert(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/netapp-tftp", dir);
	FILE *f = fopen(file, "w");
	cr_assert(f);
	for (size_t i = 0; i < 5000; i++)
		fputc(pat_p(i), f);
	fclose(f);
	snprintf(fwd, sizeof(fwd), "tftp=%s", dir);
	dirs[0] = bpath("go");
	struct boot_opts o = {.dirs = dirs,
			      .real_time = true,
			      .timeout_s = 300,
			      .user_net = true,
			      .net_forwards = fwds,
			      .until = until};
	boot_board("go-netd-tftp", &o, &r);
	unlink(file);
	rmdir(dir);
	assert_lacks(&r, "FAIL");
	assert_has(&r, "[app] netapp: tftp: 5000 bytes of netapp-tftp from 10.0.2.2, all as "
		       "expected\n");
	run_free(&r);
}

/* ---------------------------------------------------------------- inbound */

struct client {
	uint16_t port;	    /* the hostfwd's, on 127.0.0.1 */
	unsigned good;	    /* exchanges to make */
	unsigned done;	    /* made */
	bool break_second;  /* the second connection sends part and waits for the end */
	bool broken_ended;  /* ... and that end came */
	atomic_bool *start; /* NULL, or the first exchange waits until it is set */
};

/* One exchange of tests/go/netapp's serve side: the length, n bytes of p up, n of q down. */
static bool exchange(uint16_t port, size_t n)
{
	int fd = tcp_socket();
	struct sockaddr_in a = loopback(port);
	bool ok = false;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		uint8_t *b = malloc(n + 4);
		uint32_t len = htonl((uint32_t)n);
		memcpy(b, &len, 4);
		for (size_t i = 0; i < n; i++)
			b[4 + i] = pat_p(i);
		ok = write_all(fd, b, n + 4) && read_checked(fd, n, pat_q) == n;
		free(b);
	}
	close(fd);
	return ok;
}

/* A connection netd is to die under: the length and part of the bytes, then what comes (the
 * end: a reset or a close) within the time-out. */
static bool broken_exchange(uint16_t port)
{
	int fd = tcp_socket();
	struct sockaddr_in a = loopback(port);
	bool ended = false;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		uint8_t b[1004] = {0, 1, 0, 0}; /* 65536 announced, 1000 sent */
		for (size_t i = 0; i < 1000; i++)
			b[4 + i] = pat_p(i);
		if (write_all(fd, b, sizeof(b))) {
			char x;
			struct timeval tv = {.tv_sec = 120};
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			ended = recv(fd, &x, 1, 0) <= 0;
		}
	}
	close(fd);
	return ended;
}

static void *client_run(void *arg)
{
	struct client *c = arg;
	time_t end = time(NULL) + 600, start_by = time(NULL) + 120;
	while (c->start && !*c->start && c->good && time(NULL) < start_by)
		usleep(100000); /* without it, the test's assertions say what was missing */
	while (c->done < c->good && time(NULL) < end) {
		if (c->break_second && c->done == 1 && !c->broken_ended) {
			c->broken_ended = broken_exchange(c->port);
			continue;
		}
		/* Until the guest listens (and after netd restarts), slirp takes the connection
		 * and then drops it: try again. */
		if (exchange(c->port, 300000))
			c->done++;
		else
			sleep(1);
	}
	return NULL;
}

/* Boots board with c making its exchanges through a hostfwd to the app's 8080 (after watch has
 * shown, if it is given) until the app has served 2. */
static void boot_with_client_after(const char *board, const char *watch, struct client *c,
				   struct run *r)
{
	static const char *dirs[2];
	static char fwd[64];
	static const char *fwds[2] = {fwd, NULL};
	static const char *const until[] = {"[app] netapp: served 2 connections\n", NULL};
	pthread_t th;

	need(bpath("go/netapp.cpio"), "build it with `make go-initrds`");
	need(bpath("go/netd.cpio"), "build it with `make go-initrds`");
	c->port = free_port();
	snprintf(fwd, sizeof(fwd), "hostfwd=tcp:127.0.0.1:%u-:8080", c->port);
	dirs[0] = bpath("go");
	static atomic_bool seen;
	seen = false;
	c->start = watch ? &seen : NULL;
	struct boot_opts o = {.dirs = dirs,
			      .real_time = true,
			      .timeout_s = 600,
			      .user_net = true,
			      .net_forwards = fwds,
			      .until = until,
			      .watch = watch,
			      .seen = &seen};
	cr_assert_eq(pthread_create(&th, NULL, client_run, c), 0);
	boot_board(board, &o, r);
	c->good = 0; /* the client stops at its next turn */
	pthread_join(th, NULL);
}

static void boot_with_client(const char *board, struct client *c, struct run *r)
{
	boot_with_client_after(board, NULL, c, r);
}

/* The app listens on 0.0.0.0:8080: it talks to itself over loopback on that listener, and this
 * test reaches it through hostfwd from 127.0.0.1 twice, 300000 bytes each way, byte for byte. */
Test(netback, an_inbound_connection_reaches_a_listener_through_hostfwd)
{
	struct client c = {.good = 2};
	struct run r;

	boot_with_client("go-netd-serve", &c, &r);
	assert_lacks(&r, "FAIL");
	assert_has(&r, "[app] netapp: listening on 0.0.0.0:8080\n");
	assert_has(&r, "[app] netapp: loopback exchange of 100000 bytes ok\n");
	assert_has(&r, "[app] netapp: connection 1 to 10.0.2.15:8080: 300000 bytes in, 300000 "
		       "bytes out\n");
	assert_has(&r, "[app] netapp: served 2 connections\n");
	cr_assert_eq(c.done, 2, "the host made %u good exchanges of 2", c.done);
	run_free(&r);
}

/* netd exits on purpose a second after it accepts the second connection: the app's socket
 * fails (ECONNRESET), netd comes back under its restart policy, the app's listener is announced
 * in the new session and a new connection works. */
Test(netback, netd_killed_clients_get_errors_and_service_resumes)
{
	struct client c = {.good = 2, .break_second = true};
	struct run r;

	boot_with_client("go-netd-restart", &c, &r);
	assert_lacks(&r, "FAIL");
	assert_has(&r, "[app] netapp: connection 1 to 10.0.2.15:8080: 300000 bytes in");
	assert_has(&r, "[netd] netd: exiting on purpose after 2 accepted connection(s)");
	assert_has(&r, "[app] netapp: connection 2 (to 10.0.2.15:8080): read: ");
	assert_has(&r, "connection reset by peer\n");
	assert_has(&r, "[app] netapp: served 2 connections\n");
	long died = run_pos(&r, "exiting on purpose"), again = run_pos(&r, "connection 3 to ");
	cr_assert(again > died, "a connection after netd's restart was served");
	cr_assert(c.broken_ended, "the host's broken connection did not end");
	run_free(&r);
}

/* A third partition asks netd for sockets without end (each dial waits on an address that never
 * answers): netd refuses it past its limit and goes on serving the app, whose two exchanges
 * with the host start only once the flooder has been refused. */
Test(netback, a_client_flooding_netd_with_connections_does_not_stop_it_serving_another)
{
	static const char refused[] = "[flood] netapp: flood: netd refused a socket (";
	struct client c = {.good = 2};
	struct run r;

	boot_with_client_after("go-netd-flood", refused, &c, &r);
	assert_lacks(&r, "FAIL");
	assert_has(&r, refused);
	assert_has(&r, "too many open files");
	assert_has(&r, "[app] netapp: served 2 connections\n");
	cr_assert_eq(c.done, 2, "the host made %u good exchanges of 2", c.done);
	long flooded = run_pos(&r, refused), served = run_pos(&r, "[app] netapp: connection 1 to ");
	cr_assert(served > flooded, "the app was served only before the flood");
	assert_lacks(&r, CONSOLE_HV_PREFIX CONSOLE_FAULT);	   /* netd neither faulted */
	assert_lacks(&r, CONSOLE_PARTITION "netd" CONSOLE_EXITED); /* nor ended */
	run_free(&r);
}
