#include "examples.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

void expect_goroutines_ok(const struct grun *r)
{
	expect_status(r, 0);
	expect_out(r, "workers=8 parts=8 sum=50005000 want=50005000");
	expect_out(r, "goroutines: ok\n");
}

void expect_timers_ok(const struct grun *r)
{
	expect_status(r, 0);
	for (int i = 1; i <= 5; i++) {
		char tick[32];
		snprintf(tick, sizeof(tick), "tick %d at ", i);
		expect_out(r, tick);
	}
	expect_out(r, "after 30ms: took ");
	expect_out(r, "wall clock year ok: true\n");
	expect_out(r, "timers: done\n");
	cr_assert_null(strstr(r->out, "(late -"), "a sleep returned early: %s", r->out);
	double tol = strtod(env_or("GOHV_SLEEP_TOLERANCE_MS", "10"), NULL), late = -1;
	const char *l = strstr(r->out, "sleep 100ms: took ");
	cr_assert(l && (l = strstr(l, "(late ")) && sscanf(l, "(late %lfms)", &late) == 1, "%s",
		  r->out);
	cr_assert(late >= 0 && late <= tol, "time.Sleep(100ms) woke %.2f ms late (tolerance %.0f)",
		  late, tol);
}

void expect_gc_ok(const struct grun *r)
{
	expect_status(r, 0);
	expect_out(r, "allocated 640 MiB in total\n");
	expect_out(r, "gc: ok\n");
}

void expect_crypto_ok(const struct grun *r)
{
	expect_status(r, 0);
	expect_out(r, "sha256=");
	expect_out(r, "ed25519 public key 32 bytes, signature 64 bytes\n");
	expect_out(r, "verify=true\n");
	expect_out(r, "verify tampered=false\n");
}
