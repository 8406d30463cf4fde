/*
 * A small HTTP/1.1 client for the tests that talk to a Go server in a partition through QEMU's
 * hostfwd (test_publish.c) and the bench: 127.0.0.1 only, answers with a Content-Length only
 * (examples/go/httpserver sends no other), every wait bounded.
 */
#ifndef GOHV_TESTS_HTTP_CLIENT_H
#define GOHV_TESTS_HTTP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_resp {
	int status;
	bool server_closes; /* "Connection: close" */
	char *body;	    /* malloc'd, NUL-terminated, len bytes */
	size_t len;
};

/* A free TCP port on 127.0.0.1 (bound and released: another program may take it meanwhile). */
uint16_t http_free_port(void);
/* A connection to 127.0.0.1:port, or -1. */
int http_connect(uint16_t port);
/* Writes a request: method, path, body (NULL for none), keep-alive unless close. 0 or -1. */
int http_send(int fd, const char *method, const char *path, const void *body, size_t n, bool close);
/* Reads one response within timeout_ms. 0, or -1 with why in err. */
int http_read(int fd, struct http_resp *r, int timeout_ms, char *err, size_t errlen);
void http_resp_free(struct http_resp *r);
/* What examples/go/httpserver's /bytes?n=N answers: byte i is 'a' + i % 26. */
bool http_is_bytes(const char *p, size_t n);

#endif
