/*
 * netd, the networking driver partition (docs/netproto.md), booted under gohv with `gohv run`:
 * it comes up on gort (netstack built on riscv64 under gort's system calls) and says in one line
 * what it lacks. Part of the Go tests (`make go-test`).
 */
#include <criterion/criterion.h>
#include <stddef.h>

#include "grun.h"

static void run_netd(const char *const *args, struct grun *r)
{
	const char *argv[24];
	int n = 0;

	need(bpath("tools/gohv"), "build it with `make tools`");
	need(bpath("guests/gort.elf"), "build it with `make gort`");
	need(bpath("hv/gohv.elf"), "build it with `make hv`");
	need(bpath("go/netd"), "build it with `make netd`");
	argv[n++] = bpath("tools/gohv");
	argv[n++] = "run";
	argv[n++] = "--no-cwd";
	argv[n++] = "--timeout";
	argv[n++] = "300";
	argv[n++] = bpath("go/netd");
	for (; args && *args && n < 23; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	run_cmd(NULL, argv, NULL, r);
}

TestSuite(netd, .timeout = 600);

/* No packet device in the partition: one clear line, exit 1. */
Test(netd, without_a_packet_device_says_so_in_one_line)
{
	struct grun r;

	run_netd(NULL, &r);
	expect_status(&r, 1);
	expect_out(&r, "netd: cannot open the packet device /dev/net0: ");
	cr_assert_null(strchr(strchr(r.out, '\n') + 1, '\n'), "more than one line: %s", r.out);
	grun_free(&r);
}

/* With a device that gives frames of zeros (and takes anything) netd builds its stack under gort
 * and gets as far as its clients: a named channel the partition does not have is one line. */
Test(netd, comes_up_on_gort_and_refuses_a_missing_channel)
{
	const char *args[] = {"-dev",	  "/dev/zero", "-mac", "52:54:00:12:34:56", "-mtu", "1500",
			      "-clients", "nosuch",    NULL};
	struct grun r;

	run_netd(args, &r);
	expect_status(&r, 1);
	expect_out(&r,
		   "netd: /dev/zero 52:54:00:12:34:56 (mtu 1500), 10.0.2.15/24 gateway 10.0.2.2\n");
	expect_out(&r, "netd: no channel nosuch in /dev/chan (-clients): ");
	grun_free(&r);
}
