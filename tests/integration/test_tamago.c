/*
 * GOOS=tamago Go programs on gohv (guest-abi/goos-go): built with TamaGo's toolchain by `gohv
 * build` (the Makefile builds examples/go and tests/tamago into $(BUILD)/tamago/), booted by
 * `gohv run` as the partition image itself, with no gort beneath them.
 *
 * Its own binary ($(BUILD)/tests/tamago-tests, `make tamago-test`, part of `make test`). The
 * suite tamago needs $TAMAGO (TamaGo's go) and the programs; tamago_build checks gohv build's
 * refusals and runs without it. Environment: GOHV_BUILD, TAMAGO, GOHV_SLEEP_TOLERANCE_MS (10).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "examples.h"
#include "grun.h"
#include "harness.h"

/* gohv run [opts...] $(BUILD)/tamago/<prog> [args...]: opts and args are NULL-terminated. */
static void run_prog(const char *prog, const char *const *opts, const char *const *args,
		     struct grun *r)
{
	const char *argv[32];
	int n = 0;
	char rel[128];

	snprintf(rel, sizeof(rel), "tamago/%s", prog);
	need(bpath("tools/gohv"), "build it with `make tools`");
	need(bpath("hv/gohv.elf"), "build it with `make hv`");
	need(bpath(rel), "build the GOOS=tamago programs with `make tamago-progs` (TAMAGO set)");
	argv[n++] = bpath("tools/gohv");
	argv[n++] = "run";
	argv[n++] = "--timeout";
	argv[n++] = "300";
	for (; opts && *opts && n < 24; opts++)
		argv[n++] = *opts;
	argv[n++] = bpath(rel);
	for (; args && *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	run_cmd(NULL, argv, NULL, r);
}

/* The value after "key" in r's stdout, as a number; fails the test if it is not there. */
static long out_number(const struct grun *r, const char *key)
{
	const char *p = strstr(r->out, key);

	if (!p)
		dump(r);
	cr_assert(p, "stdout lacks \"%s\"", key);
	return strtol(p + strlen(key), NULL, 10);
}

TestSuite(tamago, .timeout = 600);

Test(tamago, hello_runs_with_no_gort)
{
	static const char *const v[] = {"-v", NULL};
	struct grun r;

	run_prog("hello", v, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "hello from Go on gohv\n");
	expect_out(&r, "GOOS=tamago GOARCH=riscv64\n");
	expect_out(&r, "GOMAXPROCS=1 NumCPU=1\n");
	/* The program is the partition's image: gohv packs no gort and no initrd. */
	expect_err(&r, "image guest.elf");
	expect_err(&r, "gohv: partition go exited with code 0");
	cr_assert_null(strstr(r.err, "gort"), "%s", r.err);
	grun_free(&r);
}

Test(tamago, exit_code_is_the_programs)
{
	struct grun r;

	run_prog("exit3", NULL, NULL, &r);
	expect_status(&r, 3);
	expect_out(&r, "exiting with 3\n");
	grun_free(&r);
}

Test(tamago, panic_exits_2_with_a_trace)
{
	struct grun r;

	run_prog("panic", NULL, NULL, &r);
	expect_status(&r, 2);
	expect_out(&r, "about to panic\n");
	/* The runtime does not say which fd it writes: a GOOS=tamago program has one stream. */
	expect_out(&r, "panic: partition error: something went wrong on purpose");
	expect_out(&r, "goroutine 1 [running]:\n");
	expect_out(&r, "main.fail(");
	expect_out(&r, "main.main()");
	grun_free(&r);
}

Test(tamago, bootargs_are_the_arguments)
{
	static const char *const a[] = {"nonsense", NULL};
	struct grun r;

	run_prog("fault", NULL, a, &r);
	expect_status(&r, 1);
	expect_out(&r, "fault: nonsense\n");
	grun_free(&r);
}

/* An exception the hv delegates (ebreak) reaches the guest's trap vector and becomes Go's panic,
 * whose trace starts at the function that trapped. */
Test(tamago, breakpoint_is_a_go_panic)
{
	static const char *const a[] = {"breakpoint", NULL};
	struct grun r;

	run_prog("fault", NULL, a, &r);
	expect_status(&r, 2);
	expect_out(&r, "goos: vcpu 0: breakpoint at pc 0x");
	expect_out(&r, "panic: runtime error: breakpoint");
	expect_out(&r, "runtime/goos.fault()");
	expect_out(&r, "main.main()");
	grun_free(&r);
}

Test(tamago, misaligned_atomic_is_a_go_panic_with_the_faulting_function)
{
	static const char *const a[] = {"misaligned", NULL};
	struct grun r;

	run_prog("fault", NULL, a, &r);
	expect_status(&r, 2);
	expect_out(&r, "goos: vcpu 0: store address misaligned at pc 0x");
	expect_out(&r, "panic: runtime error: store address misaligned");
	expect_out(&r, "main.misaligned()");
	expect_out(&r, "main.main()");
	cr_assert_null(strstr(r.out, "traceback did not unwind"), "%s", r.out);
	grun_free(&r);
}

Test(tamago, an_exception_panic_can_be_recovered)
{
	static const char *const a[] = {"recover", NULL};
	struct grun r;

	run_prog("fault", NULL, a, &r);
	expect_status(&r, 0);
	expect_out(&r, "fault: recovered: runtime error: store address misaligned\n");
	expect_out(&r, "fault: still running\n");
	grun_free(&r);
}

/* A nil dereference is a load outside the partition's RAM: the hv keeps that fault and stops the
 * partition with its own line. */
Test(tamago, nil_dereference_ends_in_the_hv_fault_line)
{
	static const char *const a[] = {"nil", NULL};
	struct grun r;

	run_prog("fault", NULL, a, &r);
	expect_status(&r, 255);
	expect_err(&r, "gohv: fault: partition go vcpu 0: load outside partition memory at pc 0x");
	expect_err(&r, " addr 0x0\n");
	grun_free(&r);
}

Test(tamago, a_program_blocked_for_good_is_a_deadlock)
{
	static const char *const a[] = {"deadlock", NULL}, *const two[] = {"--vcpus", "2", NULL};
	struct grun r;

	run_prog("fault", two, a, &r);
	expect_status(&r, 2);
	expect_out(&r, "fatal error: all goroutines are asleep - deadlock!\n");
	grun_free(&r);
}

/* ------------------------------------------------------------------ the runtime at work */

/* The examples under gort run unchanged as GOOS=tamago programs (those that need no OS feature;
 * guest-abi/goos-go/goos-go.mk lists which). */
Test(tamago, goroutines_example)
{
	struct grun r;

	run_prog("goroutines", NULL, NULL, &r);
	expect_goroutines_ok(&r);
	expect_out(&r, "want=50005000 GOMAXPROCS=1\n");
	grun_free(&r);
}

/* With gohv.dev/tamago/smp each P gets a vCPU of its own (goos vCPU start), and work spreads
 * over all of them: also when they were all asleep and only the one whose timer came runs (its
 * confirm timer wakes the others), and a stop of the world reaches them. */
Test(tamago, goroutines_run_on_every_vcpu)
{
	static const char *const two[] = {"--vcpus", "2", NULL}, *const four[] = {"--vcpus", "4",
										  NULL};
	struct grun r;

	run_prog("smp", two, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "smp: GOMAXPROCS=2 vCPUs=2 used=2 sum ok=true\n");
	expect_out(&r, "smp: after a sleep: used=2 sum ok=true\n");
	grun_free(&r);
	run_prog("smp", four, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "smp: GOMAXPROCS=4 vCPUs=4 used=4 sum ok=true\n");
	expect_out(&r, "smp: after a sleep: used=4 sum ok=true\n");
	grun_free(&r);
}

/* The same on a hart without Sstc: the confirm timer is GOOS_FN_SET_TIMER's, not stimecmp. */
Test(tamago, goroutines_run_on_every_vcpu_without_sstc)
{
	static const char *const o[] = {"--cpu", "rv64,h=true,sstc=false", "--vcpus", "2", NULL};
	struct grun r;

	run_prog("smp", o, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "smp: GOMAXPROCS=2 vCPUs=2 used=2 sum ok=true\n");
	expect_out(&r, "smp: after a sleep: used=2 sum ok=true\n");
	grun_free(&r);
}

/* Goroutines on four vCPUs write a line per write at the same time: each comes out whole. */
Test(tamago, lines_from_several_vcpus_never_mix)
{
	static const char *const four[] = {"--vcpus", "4", NULL};
	struct grun r;
	unsigned n = 0;

	run_prog("lines", four, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "lines: 8 workers on GOMAXPROCS=4 done\n");
	for (char *l = strtok(r.out, "\n"); l; l = strtok(NULL, "\n")) {
		unsigned w, i;
		char tail[80];

		if (!strncmp(l, "lines: ", 7))
			continue;
		if (sscanf(l, "line %u %u %79s", &w, &i, tail) != 3 ||
		    strcmp(tail,
			   "abcdefghabcdefghabcdefghabcdefghabcdefghabcdefghabcdefghabcdefgh") ||
		    w >= 8 || i >= 100)
			cr_assert_fail("a line came out mixed: \"%s\"", l);
		n++;
	}
	cr_assert_eq(n, 800, "%u whole lines, want 800", n);
	grun_free(&r);
}

/* Deadlines as the program measures them on its monotonic clock, in virtual time (a busy host
 * cannot move them); the wall clock is the RTC's. */
Test(tamago, timers_meet_their_deadlines)
{
	static const char *const icount[] = {"--icount", NULL};
	struct grun r;

	run_prog("timers", icount, NULL, &r);
	expect_timers_ok(&r);
	grun_free(&r);
}

/* A sleeping program makes (almost) no idle calls: each vCPU sleeps through to the next timer
 * rather than waking to poll, on one vCPU or several (a 1 ms poll would be ~1000 a second). */
Test(tamago, idle_costs_nothing)
{
	/* Virtual time: the count is the runtime's and the package's, not the host's load (in real
	 * time a busy host once made it 17 on 3 vCPUs, where 1 ms polling would be ~3000). */
	static const char *const vcpus[][4] = {{"--icount", "--vcpus", "1", NULL},
					       {"--icount", "--vcpus", "3", NULL}};
	struct grun r;

	for (int i = 0; i < 2; i++) {
		long n = i ? 3 : 1;

		run_prog("idle", vcpus[i], NULL, &r);
		expect_status(&r, 0);
		long slept = out_number(&r, "idle: slept ");
		char key[64];
		snprintf(key, sizeof(key), "ms on %ld vCPU(s): ", n);
		long calls = out_number(&r, key);
		cr_assert_geq(slept, 1000, "time.Sleep(1s) took %ld ms", slept);
		if (calls > 2 * n + 2)
			dump(&r);
		cr_assert_leq(calls, 2 * n + 2, "%ld idle calls in a 1 s sleep on %ld vCPU(s)",
			      calls, n);
		grun_free(&r);
	}
}

Test(tamago, crypto_rand_and_ed25519)
{
	struct grun r;

	run_prog("crypto", NULL, NULL, &r);
	expect_crypto_ok(&r);
	expect_out(&r, "sha256=128fb54255fdb0f93392f8e9ff7dedc5fd0ca300d1b57f0f5aa41f78a2d435e9\n");
	grun_free(&r);
}

/* crypto/rand reads the partition's DRBG through GetRandomData: two runs, two keys. */
Test(tamago, entropy_differs_run_to_run)
{
	static const char *const a[] = {"entropy", NULL};
	struct grun r1, r2;

	run_prog("fault", NULL, a, &r1);
	run_prog("fault", NULL, a, &r2);
	expect_status(&r1, 0);
	expect_status(&r2, 0);
	const char *k1 = strstr(r1.out, "fault: random "), *k2 = strstr(r2.out, "fault: random ");
	cr_assert(k1 && k2, "%s%s", r1.out, r2.out);
	cr_assert_neq(strncmp(k1, k2, 14 + 64), 0, "the same random bytes twice: %s", k1);
	grun_free(&r1);
	grun_free(&r2);
}

Test(tamago, gc_returns_memory_in_64_mib)
{
	static const char *const mem[] = {"--memory", "64M", NULL};
	struct grun r;

	run_prog("gc", mem, NULL, &r);
	expect_gc_ok(&r);
	grun_free(&r);
}

/* Collections (and their stops of the world) across 4 vCPUs while every vCPU allocates. The
 * runtime now and then starts a fifth M here (one that gave its P up is not yet parked when another
 * asks for one): it shares a vCPU (guest-abi/README.md, "More than one vCPU"). */
Test(tamago, gc_stress_on_four_vcpus)
{
	static const char *const o[] = {"--vcpus", "4", "--memory", "128M", NULL};
	struct grun r;

	run_prog("gcstress", o, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "gcstress: GOMAXPROCS=4 ");
	expect_out(&r, "gcstress: ok\n");
	grun_free(&r);
}

/* More Ms than vCPUs for certain: 8 goroutines locked to their Ms (runtime.LockOSThread) block and
 * then compute at once, and GOMAXPROCS goes to twice the vCPUs and back; the Ms take turns on the
 * vCPUs, and every sum is right. On 2 vCPUs and on 4, and once under --icount (one host thread for
 * all vCPUs: the turns come from the guest's timer alone). */
Test(tamago, more_ms_than_vcpus_share_them)
{
	static const char *const o[][6] = {{"--vcpus", "2", "--memory", "192M", NULL},
					   {"--vcpus", "4", "--memory", "192M", NULL},
					   {"--icount", "--vcpus", "2", "--memory", "192M", NULL}};
	static const long vcpus[] = {2, 4, 2};
	struct grun r;

	for (int i = 0; i < 3; i++) {
		run_prog("msched", o[i], NULL, &r);
		expect_status(&r, 0);
		char key[96];
		snprintf(key, sizeof(key), "msched: 8 locked goroutines: Ms=");
		long ms = out_number(&r, key);
		snprintf(key, sizeof(key), " vCPUs=%ld sums ok=true\n", vcpus[i]);
		expect_out(&r, key);
		/* 8 locked Ms and at least one for the Ps: more than the vCPUs. */
		cr_assert_gt(ms, 8, "%ld Ms for 8 locked goroutines", ms);
		snprintf(key, sizeof(key), "msched: GOMAXPROCS=%ld then %ld: Ms=", 2 * vcpus[i],
			 vcpus[i]);
		expect_out(&r, key);
		expect_out(&r, "sums ok=true\n");
		expect_out(&r, "msched: ok\n");
		grun_free(&r);
	}
}

Test(tamago, out_of_memory_is_go_own_fatal_error)
{
	static const char *const mem[] = {"--memory", "64M", NULL};
	struct grun r;

	run_prog("oom", mem, NULL, &r);
	expect_status(&r, 2);
	expect_out(&r, "oom: holding 16 MiB\n");
	expect_out(&r, "fatal error: out of memory\n");
	grun_free(&r);
}

/* partition.PetWatchdog keeps a partition with watchdog-ms alive; when it stops petting, the hv
 * stops it. (Virtual time: the harness runs QEMU with -icount.) */
Test(tamago, petting_the_watchdog_keeps_the_partition)
{
	static const char *dirs[2];
	struct run r;

	dirs[0] = bpath("tamago");
	need(bpath("tamago/fault"), "build the GOOS=tamago programs with `make tamago-progs`");
	struct boot_opts o = {.dirs = dirs, .timeout_s = 120};
	boot_board("tamago-watchdog", &o, &r);
	assert_has(&r, "[wd] fault: petted the watchdog 20 times in 1 s; stopping\n");
	assert_has(&r, "gohv: fault: partition wd: watchdog expired (no pet for 300 ms)");
	assert_has(&r, "gohv: partition wd exited with code 255 (fault)");
	cr_assert_lt(run_pos(&r, "[wd] fault: petted"), run_pos(&r, "watchdog expired"));
	run_free(&r);
}

/* ------------------------------------------------------------------ gohv build and gohv run */

/* What go needs in its environment: a cache in the build folder, and a home (CI may have none). */
static const char *go_cache(void)
{
	static char cache[4200];

	snprintf(cache, sizeof(cache), "GOCACHE=%s", bpath("gocache"));
	return cache;
}

static const char *go_home(void)
{
	static char home[4200];

	snprintf(home, sizeof(home), "HOME=%s", getenv("HOME") ? getenv("HOME") : build_dir());
	return home;
}

/* gohv build ARGS... in folder dir, with env added. */
static void gohv_build(const char *dir, const char *const *env, const char *const *args,
		       struct grun *r)
{
	const char *argv[16] = {bpath("tools/gohv"), "build"};
	int n = 2;

	need(bpath("tools/gohv"), "build it with `make tools`");
	for (; args && *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	const char *envs[8];
	int k = 0;
	envs[k++] = go_cache();
	envs[k++] = go_home();
	for (; env && *env && k < 7; env++)
		envs[k++] = *env;
	envs[k] = NULL;
	run_cmd(dir, argv, envs, r);
}

TestSuite(tamago_build, .timeout = 120);

Test(tamago_build, needs_tamago)
{
	static const char *const env[] = {"TAMAGO=", NULL}, *const a[] = {"./fault", NULL};
	struct grun r;

	gohv_build("tests/tamago", env, a, &r);
	expect_status(&r, 125);
	expect_err(&r, "gohv build: TAMAGO is not set: point it at the go binary of TamaGo's");
	grun_free(&r);
}

Test(tamago_build, refuses_a_toolchain_without_goos_tamago)
{
	static const char *const env[] = {"TAMAGO=/usr/bin/go", NULL}, *const a[] = {"./fault",
										     NULL};
	struct grun r;

	gohv_build("tests/tamago", env, a, &r);
	expect_status(&r, 125);
	expect_err(&r, "gohv build: TAMAGO=/usr/bin/go is not TamaGo's toolchain: its GOROOT ");
	expect_err(&r, " has no GOOS=tamago for riscv64\n");
	grun_free(&r);
}

Test(tamago, build_needs_a_module)
{
	char dir[] = "/tmp/gohv-test-nomod-XXXXXX";
	static const char *const a[] = {".", NULL};
	struct grun r;

	cr_assert_not_null(mkdtemp(dir));
	gohv_build(dir, NULL, a, &r);
	rmdir(dir);
	expect_status(&r, 125);
	expect_err(&r, "gohv build: no go.mod in ");
	expect_err(&r, " or above: a program is built as a module (go mod init NAME)\n");
	grun_free(&r);
}

Test(tamago, build_owns_the_modfile)
{
	static const char *const a[] = {"-modfile=other.mod", "./fault", NULL};
	struct grun r;

	gohv_build("tests/tamago", NULL, a, &r);
	expect_status(&r, 125);
	expect_err(&r, "gohv build: -modfile=other.mod: gohv build uses its own copy of go.mod "
		       "(-modfile)\n");
	grun_free(&r);
}

/* A GOOS=tamago program built without gohv build's link address would load outside RAM: gohv
 * run says so rather than boot it (or mistake it for a Linux program for gort). */
Test(tamago, run_refuses_a_tamago_program_linked_below_ram)
{
	char out[4200], cache[4200];
	struct grun r;

	snprintf(out, sizeof(out), "%s", bpath("tamago/fault-linked-low"));
	snprintf(cache, sizeof(cache), "GOCACHE=%s", bpath("gocache"));
	const char *env[] = {"GOOS=tamago",
			     "GOARCH=riscv64",
			     "GOOSPKG=gohv.dev/tamago",
			     "GOFLAGS=-mod=mod",
			     "GOPROXY=off",
			     "GOTOOLCHAIN=local",
			     cache,
			     NULL};
	const char *build[] = {getenv("TAMAGO"), "build", "-o", out, "./fault", NULL};
	cr_assert(build[0] && *build[0], "TAMAGO is not set");
	run_cmd("tests/tamago", build, env, &r);
	if (r.status)
		dump(&r);
	cr_assert_eq(r.status, 0);
	grun_free(&r);

	const char *run[] = {bpath("tools/gohv"), "run", out, NULL};
	run_cmd(NULL, run, NULL, &r);
	unlink(out);
	expect_status(&r, 125);
	expect_err(&r, ": a GOOS=tamago program linked at 0x");
	expect_err(&r, ", below the partition's RAM at 0x80000000; build it with gohv build\n");
	grun_free(&r);
}

Test(tamago, initrd_is_not_for_tamago_programs)
{
	const char *argv[] = {bpath("tools/gohv"), "initrd", bpath("tamago/hello"), "-o",
			      "/dev/null",	   NULL};
	struct grun r;

	need(argv[2], "build the GOOS=tamago programs with `make tamago-progs` (TAMAGO set)");
	run_cmd(NULL, argv, NULL, &r);
	expect_status(&r, 125);
	expect_err(&r, ": a GOOS=tamago program needs no initrd; use it as the image\n");
	grun_free(&r);
}
