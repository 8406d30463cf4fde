/*
 * What the examples/go programs print when they work, checked alike whichever runtime ran them
 * (test_go.c: under gort; test_tamago.c: as GOOS=tamago programs), so one example has one
 * definition of success.
 */
#ifndef GOHV_TESTS_EXAMPLES_H
#define GOHV_TESTS_EXAMPLES_H

#include "grun.h"

void expect_goroutines_ok(const struct grun *r);
/* Deadlines met: five ticks, a timer, the wall clock's year, no sleep returning early, and
 * time.Sleep(100ms) waking within GOHV_SLEEP_TOLERANCE_MS (10) by the program's own clock. */
void expect_timers_ok(const struct grun *r);
void expect_gc_ok(const struct grun *r);
/* sha256 and an ed25519 signature that verifies, and one that does not once tampered with. */
void expect_crypto_ok(const struct grun *r);

#endif
