/*
 * The vault/app example (examples/go/vault, examples/go/app, examples/c/mallory.c) end to end:
 * its own board as `make run BOARD=qemu-virt-riscv64-vault` boots it (the app verifies the
 * vault's signatures, mallory is stopped at each read of the vault's RAM and of the channel's
 * window while both carry on), and a vault that ends on purpose under its restart policy (the
 * app sees the failed call, then signatures under a new key). Part of the Go tests' binary
 * (make go-test). Under -icount: the partitions' sleeps are in instructions, so where mallory's
 * attempts fall among the app's signatures does not depend on the host's load.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grun.h"
#include "harness.h"

#define KEY_HEX 64 /* an ed25519 public key, in hex */

static void boot_vault_board(const char *board, const char *const *until, struct run *r)
{
	static const char *dirs[2];

	dirs[0] = bpath("go");
	need(bpath("guests/gort.elf"), "build it with `make gort`");
	need(bpath("go/vault.cpio"), "build it with `make go-initrds`");
	need(bpath("go/app.cpio"), "build it with `make go-initrds`");
	struct boot_opts o = {.dirs = dirs, .until = until, .timeout_s = 120};
	boot_board(board, &o, r);
	if (r->timed_out) /* a marker is a whole line: a wrong one is never seen */
		run_dump(r, until[0]);
	cr_assert(!r->timed_out, "timed out before the markers");
}

/* The hex key after the nth (from 0) occurrence of prefix, into key (KEY_HEX + 1 bytes). */
static void key_at(const struct run *r, const char *prefix, unsigned nth, char *key)
{
	const char *p = r->out;

	for (unsigned i = 0; p && i <= nth; i++)
		if ((p = strstr(p, prefix)))
			p += strlen(prefix);
	if (!p)
		run_dump(r, prefix);
	cr_assert_not_null(p, "no %u. \"%s\"", nth + 1, prefix);
	cr_assert_eq(strspn(p, "0123456789abcdef"), KEY_HEX, "not a key after \"%s\"", prefix);
	memcpy(key, p, KEY_HEX);
	key[KEY_HEX] = 0;
}

/* Position of the app's line for signature n (-1: none). */
static long signature_pos(const struct run *r, unsigned n)
{
	char s[64];

	snprintf(s, sizeof(s), "[app] app: verified signature %u (key ", n);
	return run_pos(r, s);
}

/* One fault line for mallory at addr, after from; returns its position. */
static long mallory_fault(const struct run *r, unsigned long addr, long from)
{
	char want[64];
	const char *f = strstr(r->out + from, "gohv: fault: partition mallory vcpu 0: ");

	snprintf(want, sizeof(want), " addr 0x%lx\n", addr);
	if (!f)
		run_dump(r, "mallory's fault");
	cr_assert_not_null(f, "no fault line for mallory after offset %ld", from);
	const char *nl = strchr(f, '\n');
	cr_assert(nl && !strncmp(nl - strlen(want) + 1, want, strlen(want)) &&
		      strstr(f, "load outside partition memory at pc 0x") < nl,
		  "mallory's fault is not the load at 0x%lx: %.*s", addr, (int)(nl - f), f);
	return f - r->out;
}

Test(vault, the_app_verifies_the_vaults_signatures_while_mallory_is_stopped, .timeout = 360)
{
	static const char *const until[] = {
	    "[mallory] mallory: all 3 reads were stopped; giving up",
	    "[app] app: verified signature 12 (key ", NULL};
	struct run r;

	need(bpath("boards/qemu-virt-riscv64-vault/config.dtb"), "build it with `make images`");
	need(bpath("guests/mallory.elf"), "build it with `make guests`");
	boot_vault_board("boards/qemu-virt-riscv64-vault", until, &r);

	/* The key the app checks against is the one the vault made, and it never changes. */
	char vault_key[KEY_HEX + 1], app_key[KEY_HEX + 1];
	key_at(&r, "[vault] vault: new key, public ", 0, vault_key);
	key_at(&r, "[app] app: vault key 1: ", 0, app_key);
	cr_assert_str_eq(vault_key, app_key);
	assert_lacks(&r, "app: vault key 2");
	assert_lacks(&r, "BAD SIGNATURE");
	for (unsigned i = 1; i <= 12; i++)
		cr_assert_geq(signature_pos(&r, i), 0, "no signature %u", i);

	/* mallory's first read is inside the vault's RAM, where the hv says it lies. */
	unsigned long mib, base;
	const char *v = strstr(r.out, "gohv: partition vault: 1 vcpu(s) on cpu 1, ");
	cr_assert(v && sscanf(v, "gohv: partition vault: 1 vcpu(s) on cpu 1, %lu MiB at 0x%lx",
			      &mib, &base) == 2);
	const unsigned long probe = 0x81e00000UL; /* the board's vault-ram= */
	cr_assert(probe >= base && probe < base + (mib << 20),
		  "mallory's vault-ram=0x%lx is not in the vault's RAM 0x%lx+%lu MiB: update the "
		  "board",
		  probe, base, mib);
	assert_has(&r, "[mallory] mallory: reading the vault's RAM at 0x81e00000\n");
	assert_has(&r, "[mallory] mallory: reading the channel window's header at 0x40000000\n");
	assert_has(&r,
		   "[mallory] mallory: reading the channel window's buffer pool at 0x4003f000\n");
	long first = mallory_fault(&r, probe, 0);
	long second = mallory_fault(&r, 0x40000000, first + 1);
	long third = mallory_fault(&r, 0x4003f000, second + 1);
	cr_assert_eq(run_count(&r, "gohv: fault: "), 3, "a fault line per read, mallory's only");
	cr_assert_eq(run_count(&r, "gohv: partition mallory exited with code 255 (fault)"), 3);
	assert_lacks(&r, "READ SUCCEEDED");

	/* The vault and the app were at work before the first fault and carried on after the
	 * last, the vault never stopped and the app made no failed call. */
	cr_assert(signature_pos(&r, 1) < first, "no signature before mallory's first read");
	cr_assert(signature_pos(&r, 12) > third, "no signature after mallory's last read");
	assert_lacks(&r, "gohv: partition vault exited");
	assert_lacks(&r, "gohv: partition app exited");
	assert_lacks(&r, "[app] app: sign ");
	test_figure("vault example: 12 signatures verified, mallory stopped 3 times");
	run_free(&r);
}

Test(vault, a_vault_that_ends_is_seen_as_errors_then_signs_again_with_a_new_key, .timeout = 360)
{
	static const char *const until[] = {"gohv: partition app exited with code 0\n", NULL};
	struct run r;

	need(bpath("tests/boards/go-vault-restart.dtb"), "build it with `make tests`");
	boot_vault_board("go-vault-restart", until, &r);

	/* Every 5 signatures the vault ends with the app's next request unanswered: that call
	 * fails, and the next ones are signed, and verified, under the restarted vault's key. */
	assert_has(&r, "[app] app: 15 signatures verified with 3 vault key(s)\n");
	assert_lacks(&r, "BAD SIGNATURE");
	cr_assert_eq(run_count(&r, "[vault] vault: ending on purpose after 5 signatures"), 2);
	assert_has(&r, "gohv: partition vault exited with code 3\n");
	assert_has(&r, "gohv: partition vault restarting (policy on-failure, restart 1)");
	assert_has(&r, "gohv: partition vault restarting (policy on-failure, restart 2)");
	assert_has(&r, "[app] app: sign \"message 6 from app\": read /dev/chan/vault: connection "
		       "reset by peer\n");
	assert_has(&r, "[app] app: sign \"message 11 from app\": read /dev/chan/vault: connection "
		       "reset by peer\n");
	cr_assert_eq(run_count(&r, "[app] app: sign "), 2, "one failed call per restart");

	/* Three keys, all different, each the one the vault made at that start. */
	char vault_key[3][KEY_HEX + 1], app_key[KEY_HEX + 1];
	for (unsigned k = 0; k < 3; k++) {
		char prefix[64];

		key_at(&r, "[vault] vault: new key, public ", k, vault_key[k]);
		snprintf(prefix, sizeof(prefix), "[app] app: vault key %u: ", k + 1);
		key_at(&r, prefix, 0, app_key);
		cr_assert_str_eq(app_key, vault_key[k], "the app's key %u is not the vault's",
				 k + 1);
		for (unsigned j = 0; j < k; j++)
			cr_assert_str_neq(vault_key[j], vault_key[k], "a restart kept the key");
	}
	assert_has(&r, "(a new key: the vault restarted)\n");
	/* Each signature once, in order, under the key of its vault's run. */
	for (unsigned i = 1; i <= 15; i++) {
		char s[80];

		snprintf(s, sizeof(s), "[app] app: verified signature %u (key %u) of \"message %u ",
			 i, (i - 1) / 5 + 1, i);
		assert_has(&r, s);
		cr_assert(signature_pos(&r, i) > (i > 1 ? signature_pos(&r, i - 1) : -1));
	}
	cr_assert_eq(run_count(&r, "[app] app: verified signature "), 15);
	run_free(&r);
}
