/* The scripted 9P2000.L server of fake_server.c, for the tests of gort's 9P client. */
#ifndef GORT_TEST_NINEP_FAKE_SERVER_H
#define GORT_TEST_NINEP_FAKE_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gort.h"
#include "mm.h"
#include "ninep.h"

#define FAKE_9P_REQS 64

/* One request as the server got it: its type and body (after size, type, tag). */
struct fake_req {
	uint8_t type;
	bool size_ok; /* its size field is the bytes the chain carried */
	size_t len;
	uint8_t body[1 << 17];
};

struct fake_9p {
	uint32_t msize;	     /* Rversion's */
	uint8_t fail_type;   /* requests of this type get Rlerror fail_errno */
	uint32_t fail_errno; /* (0 or above 4095: not an errno) */
	bool wrong_type;     /* every reply has a type no request has */
	uint32_t write_cap;  /* Rwrite counts at most this (0: all) */
	unsigned most_descs; /* the longest chain the client posted */
	unsigned nreqs;	     /* requests so far, in reqs */
	struct fake_req reqs[FAKE_9P_REQS];
};

extern struct fake_9p fake_9p;

uint32_t fake_9p_u32(const struct fake_req *r, size_t off);
uint64_t fake_9p_u64(const struct fake_req *r, size_t off);

#endif
