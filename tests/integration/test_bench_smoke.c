/* Smoke run of the `make bench` guests: each figure is printed, well-formed and sane. The figures
 * themselves are `make bench`'s business; nothing here depends on timing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The figure's "BENCH <name> <median> <unit> min=.. max=.. n=.." line from partition part. */
static void figure(const struct run *r, const char *part, const char *name, const char *unit,
		   unsigned long *median, unsigned long *max)
{
	char needle[96], line[256], got_unit[16];
	unsigned long min;
	unsigned n;

	snprintf(needle, sizeof(needle), "[%s] BENCH %s ", part, name);
	if (!run_line(r, needle, line, sizeof(line)))
		run_dump(r, needle);
	cr_assert(run_line(r, needle, line, sizeof(line)), "no figure %s", name);
	cr_assert_eq(sscanf(strstr(line, "BENCH "), "BENCH %*s %lu %15s min=%lu max=%lu n=%u",
			    median, got_unit, &min, max, &n),
		     5, "malformed: %s", line);
	cr_assert_str_eq(got_unit, unit, "%s", line);
	cr_assert(min <= *median && *median <= *max, "%s", line);
	cr_assert(n >= 1, "%s", line);
}

Test(bench, guests_report_every_figure, .timeout = 120)
{
	unsigned long v, max, at = 0, start = 0;
	struct run r;
	char line[256];

	boot_board("it-bench", NULL, &r);
	cr_assert(r.exited, "every bench partition should stop, and the hv power off");
	assert_lacks(&r, "FAIL");
	/* Calls cost instructions: a round trip can never be free. */
	figure(&r, "calls", "hypercall.null", "instr", &v, &max);
	cr_assert(v > 0);
	figure(&r, "calls", "console.write64", "instr", &v, &max);
	cr_assert(v > 0);
	figure(&r, "calls", "entropy.32", "instr", &v, &max);
	cr_assert(v > 0);
	figure(&r, "calls", "mmio.read", "instr", &v, &max);
	cr_assert(v > 0);
	figure(&r, "calls", "timer.sstc", "ticks", &v, &max);
	figure(&r, "calls", "timer.sstc.instr", "instr", &v, &max);
	cr_assert(max > 0);
	assert_has(&r, "[calls] BENCH done");
	figure(&r, "wake", "idle.wake", "ticks", &v, &max);
	figure(&r, "wake", "idle.wake.instr", "instr", &v, &max);
	cr_assert(v > 0);
	assert_has(&r, "[wake] BENCH done");
	figure(&r, "tx", "chan.notify_wake", "ticks", &v, &max);
	figure(&r, "tx", "chan.notify_wake.instr", "instr", &v, &max);
	cr_assert(v > 0);
	assert_has(&r, "[tx] BENCH done");
	assert_has(&r, "gohv: partition rx exited with code 0");
	/* The fault partition says when it will touch, then the hv reports the fault. */
	cr_assert(run_line(&r, "[fault] BENCH-FAULT at ", line, sizeof(line)));
	cr_assert_eq(sscanf(strstr(line, "at "), "at %lu", &at), 1);
	cr_assert(at > 0);
	assert_has(&r, "gohv: fault: partition fault vcpu 0: load outside partition memory");
	assert_lacks(&r, "BENCH-FAULT survived");
	assert_has(&r, "gohv: partition fault exited with code 255 (fault)");
	cr_assert(run_line(&r, "[boot] BENCH-BOOT start ", line, sizeof(line)));
	cr_assert_eq(sscanf(strstr(line, "start "), "start %lu", &start), 1);
	cr_assert(start > 0);
	run_free(&r);
}

Test(bench, timer_figure_without_sstc, .timeout = 120)
{
	struct boot_opts o = {.cpu = "rv64,h=true,sstc=false"};
	unsigned long v, max;
	struct run r;

	boot_board("it-bench", &o, &r);
	assert_lacks(&r, "FAIL");
	figure(&r, "calls", "timer.sbi", "ticks", &v, &max);
	cr_assert(v > 0, "the emulated timer cannot be faster than a tick");
	figure(&r, "calls", "timer.sbi.instr", "instr", &v, &max);
	cr_assert(v > 0);
	assert_lacks(&r, "[calls] BENCH hypercall.null");
	run_free(&r);
}

/* The SBI-only guest `make bench` runs under gohv and on the firmware alone: under gohv it must
 * find gohv (BASE's implementation id) and report its three figures. */
Test(bench, the_sbi_only_guest_reports_its_figures_under_gohv, .timeout = 120)
{
	static char dir[512];
	static const char *dirs[2] = {dir};
	const char *build = getenv("GOHV_BUILD");
	unsigned long v, max;
	struct run r;

	snprintf(dir, sizeof(dir), "%s/bench/sbi", build && *build ? build : "build");
	boot_board("it-sbi-only", &(struct boot_opts){.dirs = dirs}, &r);
	cr_assert(r.exited);
	assert_has(&r, "[sbi] BENCH done");
	figure(&r, "sbi", "sbi_only.null.gohv", "instr", &v, &max);
	cr_assert(v > 0);
	figure(&r, "sbi", "sbi_only.set_timer.gohv", "instr", &v, &max);
	cr_assert(v > 0);
	figure(&r, "sbi", "sbi_only.timer.gohv", "instr", &v, &max);
	assert_lacks(&r, "firmware");
	run_free(&r);
}
