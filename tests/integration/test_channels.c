/* Channels between partitions (docs/channels.md) booted in QEMU: the window and its doorbells
 * between two ends, a third partition and a store into the header page stopped by the hv, an
 * end's restart seen by the other in the header, a channel refused alone. Guest: t_chan.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Whether line (no newline) ends with suffix. */
static bool ends_with(const char *line, const char *suffix)
{
	size_t n = strlen(line), m = strlen(suffix);

	return n >= m && strcmp(line + n - m, suffix) == 0;
}

/* The hex word after `key` on the first line holding it. */
static unsigned long word_after(const struct run *r, const char *key)
{
	const char *s = strstr(r->out, key);

	if (!s)
		run_dump(r, key);
	cr_assert_not_null(s, "no \"%s\"", key);
	return strtoul(s + strlen(key), NULL, 16);
}

Test(channels, two_ends_exchange_through_the_window_and_a_third_partition_faults_on_it,
     .timeout = 120)
{
	struct run r;
	boot_board("it-chan", NULL, &r);

	if (!r.exited)
		run_dump(&r, "power-off");
	cr_assert(r.exited, "the hv did not power off");
	assert_lacks(&r, "CHAN FAIL");
	assert_has(&r, "gohv: channel link (id 0): left -> right, 32 KiB at 0x40000000 (host 0x");
	assert_has(&r, "gohv: channel side (id 1): thief -> right, 20 KiB at 0x40100000 (host 0x");
	assert_has(&r, "[left] CHAN left link id 0 at 0x40000000 size 0x8000 queues 2 of 8\n");
	/* The ids of side (another pair's) and past the last are refused. */
	assert_has(&r, "[left] CHAN left foreign notify -3, beyond -3\n");
	/* One word there, its reply back, each end idling until it is rung. */
	unsigned long sent = word_after(&r, "[left] CHAN left sends 0x");
	cr_assert_eq(word_after(&r, "[right] CHAN right got 0x"), sent);
	cr_assert_eq(word_after(&r, "[left] CHAN left got reply 0x"), sent + 1);
	/* The second while right spins: its channel interrupt. */
	cr_assert_eq(word_after(&r, "spins, word 0x"), sent ^ 0xffff);
	assert_has(&r, "[right] CHAN right interrupted after some spins");
	cr_assert_eq(word_after(&r, "[left] CHAN left second reply 0x"), (sent ^ 0xffff) + 1);
	/* A store into the header page is a fault, as any bad access. */
	assert_has(&r, "[left] CHAN left writes the header at 0x40000020\n");
	char line[256];
	cr_assert_not_null(
	    run_line(&r, "gohv: fault: partition left vcpu 0: ", line, sizeof(line)));
	cr_assert(strstr(line, "store outside partition memory at pc 0x") &&
		      ends_with(line, " addr 0x40000020"),
		  "%s", line);
	assert_has(&r, "gohv: partition left exited with code 255 (fault)\n");
	/* right was rung when left went down, and then left's doorbell is down. */
	assert_has(&r, "[right] CHAN right saw left down (gen 1)\n");
	assert_has(&r, "[right] CHAN right notify after: -10\n");
	assert_has(&r, "gohv: partition right exited with code 0\n");
	/* thief has its own window, not link's: the hv stops it at link's first byte. */
	assert_has(&r, "[thief] CHAN thief side magic ok at 0x40100000\n");
	assert_has(&r, "[thief] CHAN thief has no link; reading 0x40000000\n");
	cr_assert_not_null(
	    run_line(&r, "gohv: fault: partition thief vcpu 0: ", line, sizeof(line)));
	cr_assert(strstr(line, "load outside partition memory at pc 0x") &&
		      ends_with(line, " addr 0x40000000"),
		  "%s", line);
	cr_assert_eq(run_count(&r, "gohv: fault: "), 2, "one fault each for left and thief");
	run_free(&r);
}

Test(channels, a_restarted_end_bumps_its_generation_and_rings_the_other, .timeout = 120)
{
	struct run r;
	boot_board("it-chan-restart", NULL, &r);

	if (!r.exited)
		run_dump(&r, "power-off");
	cr_assert(r.exited, "the hv did not power off");
	assert_lacks(&r, "CHAN FAIL");
	assert_has(&r, "[flaky] CHAN flaky run 1: device gen 1 state 1, driver gen 1\n");
	assert_has(&r, "gohv: partition flaky exited with code 1\n");
	assert_has(&r, "gohv: partition flaky restarting (policy on-failure, restart 1)");
	assert_has(&r, "[flaky] CHAN flaky run 2: device gen 2 state 1, driver gen 1\n");
	/* steady was rung for each start and stop: it idles with no deadline. */
	assert_has(&r, "[steady] CHAN steady sees device gen 1 state 1, rings: 0\n");
	assert_has(&r, "[steady] CHAN steady sees device gen 2 state 1\n");
	assert_has(&r, "[steady] CHAN steady rings run 2: 0\n");
	assert_has(&r, "[flaky] CHAN flaky rung in run 2\n");
	assert_has(&r, "[steady] CHAN steady sees device gen 2 state 0\n");
	assert_has(&r, "[steady] CHAN steady notify after: -10\n");
	/* The window is the channel's: flaky's restart scrubbed its RAM, not steady's word. */
	assert_has(&r, "[flaky] CHAN flaky run 2 sees marker 0x57eadf00d5eed\n");
	assert_has(&r, "gohv: partition flaky exited with code 0\n");
	assert_has(&r, "gohv: partition steady exited with code 0\n");
	run_free(&r);
}

Test(channels, a_channel_whose_end_is_refused_is_refused_alone, .timeout = 120)
{
	struct boot_opts o = {.smp = "4"};
	struct run r;
	boot_board("it-chan-refused", &o, &r);

	cr_assert(r.exited);
	assert_has(&r, "gohv: partition absent refused: cpu 6 is not on this machine");
	assert_has(&r, "gohv: channel gone refused: its device, partition absent, was refused\n");
	assert_lacks(&r, "gohv: channel gone (id 0)");
	/* No node in lonely's device tree, its id refused. */
	assert_has(&r, "[lonely] CHAN alone find -3, notify 0: -3\n");
	assert_has(&r, "gohv: partition lonely exited with code 0\n");
	run_free(&r);
}
