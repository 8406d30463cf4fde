#include "http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_in loopback(uint16_t port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

uint16_t http_free_port(void)
{
	struct sockaddr_in a = loopback(0);
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	uint16_t port = 0;

	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

int http_connect(uint16_t port)
{
	struct sockaddr_in a = loopback(port);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p = (const char *)p + k;
		n -= (size_t)k;
	}
	return 0;
}

int http_send(int fd, const char *method, const char *path, const void *body, size_t n, bool close)
{
	char head[512];
	int k = snprintf(head, sizeof(head),
			 "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: gohv-test\r\n%s", method,
			 path, close ? "Connection: close\r\n" : "");

	if (body)
		k += snprintf(head + k, sizeof(head) - (size_t)k,
			      "Content-Type: application/octet-stream\r\nContent-Length: %zu\r\n",
			      n);
	k += snprintf(head + k, sizeof(head) - (size_t)k, "\r\n");
	if (k >= (int)sizeof(head) || write_all(fd, head, (size_t)k))
		return -1;
	return body && n ? write_all(fd, body, n) : 0;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* One byte at a time would be slow for bodies: a buffer per connection would be state; the
 * header is read byte by byte (it is small), the body in bulk. */
static int read_some(int fd, void *p, size_t n, long long deadline)
{
	for (;;) {
		long long left = deadline - now_ms();
		struct pollfd pfd = {.fd = fd, .events = POLLIN};

		if (left <= 0)
			return -2;
		int r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		ssize_t k = recv(fd, p, n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		return (int)k;
	}
}

static int say(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	return -1;
}

int http_read(int fd, struct http_resp *r, int timeout_ms, char *err, size_t errlen)
{
	long long deadline = now_ms() + timeout_ms;
	char head[8192];
	size_t h = 0;
	long long clen = -1;

	memset(r, 0, sizeof(*r));
	while (h < 4 || memcmp(head + h - 4, "\r\n\r\n", 4)) {
		if (h == sizeof(head) - 1)
			return say(err, errlen, "a response header over 8 KiB");
		int k = read_some(fd, head + h, 1, deadline);
		if (k == -2)
			return say(err, errlen,
				   h ? "timed out in the header" : "timed out waiting");
		if (k <= 0)
			return say(err, errlen, h ? "closed in the header" : "closed, no response");
		h++;
	}
	head[h] = 0;
	if (sscanf(head, "HTTP/1.1 %d ", &r->status) != 1)
		return say(err, errlen, "not an HTTP/1.1 status line");
	for (char *line = strstr(head, "\r\n") + 2; *line && strncmp(line, "\r\n", 2);
	     line = strstr(line, "\r\n") + 2) {
		if (!strncasecmp(line, "Content-Length:", 15))
			clen = atoll(line + 15);
		else if (!strncasecmp(line, "Connection: close", 17))
			r->server_closes = true;
		else if (!strncasecmp(line, "Transfer-Encoding:", 18))
			return say(err, errlen, "a chunked response (this client wants a length)");
	}
	if (clen < 0 || clen > (1LL << 30))
		return say(err, errlen, "no Content-Length");
	r->body = malloc((size_t)clen + 1);
	if (!r->body)
		return say(err, errlen, "out of memory");
	while (r->len < (size_t)clen) {
		int k = read_some(fd, r->body + r->len, (size_t)clen - r->len, deadline);

		if (k == -2)
			return say(err, errlen, "timed out in the body");
		if (k <= 0)
			return say(err, errlen, "closed in the body");
		r->len += (size_t)k;
	}
	r->body[r->len] = 0;
	return 0;
}

void http_resp_free(struct http_resp *r)
{
	free(r->body);
	r->body = NULL;
}

bool http_is_bytes(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (char)('a' + i % 26))
			return false;
	return true;
}
