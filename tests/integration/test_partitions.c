/* Boots test boards in QEMU and checks what the partitions and the hv print. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

Test(partitions, each_runs_on_its_own_hart_and_reports_its_exit_code, .timeout = 120)
{
	struct run r;
	boot_board("it-hello", NULL, &r);

	cr_assert(r.exited, "the hv should power off once every partition has exited");
	assert_has(&r, "partition alpha: 1 vcpu(s) on cpu 1");
	assert_has(&r, "partition beta: 1 vcpu(s) on cpu 2");
	assert_has(&r, "partition gamma: 1 vcpu(s) on cpu 3");
	assert_has(&r, "[alpha] HELLO partition=alpha vcpus=1 ram=16777216");
	assert_has(&r, "[beta] HELLO partition=beta vcpus=1 ram=16777216");
	assert_has(&r, "[gamma] HELLO partition=gamma vcpus=1 ram=16777216");
	assert_has(&r, "gohv: partition alpha exited with code 0\n");
	assert_has(&r, "gohv: partition beta exited with code 3\n");
	assert_has(&r, "gohv: partition gamma exited with code 7\n");
	/* RAM handed to a partition holds nothing from before. */
	cr_assert_eq(run_count(&r, "HELLO dirty=0\n"), 3);
	assert_has(&r, "gohv: all partitions stopped; powering off");
	run_free(&r);
}

Test(partitions, hv_refuses_a_partition_it_cannot_honour_and_starts_the_rest, .timeout = 120)
{
	struct boot_opts o = {.smp = "4"};
	struct run r;
	boot_board("it-revalidate", &o, &r);

	assert_has(&r, "gohv: partition absent refused: cpu 6 is not on this machine");
	assert_has(&r, "[present] HELLO partition=present");
	assert_has(&r, "gohv: partition present exited with code 0");
	assert_lacks(&r, "[absent]");
	cr_assert(r.exited);
	run_free(&r);
}

Test(timer, deadlines_are_met_as_the_guest_measures_them, .timeout = 120)
{
	struct run r;
	boot_board("it-timer", NULL, &r);

	assert_has(&r, "[timer] TIMER irq 100ms late=");
	assert_has(&r, "[timer] TIMER idle 100ms late=");
	assert_lacks(&r, "TIMER FAIL");
	assert_has(&r, "[timer] TIMER OK");
	assert_has(&r, "gohv: partition timer exited with code 0");
	run_free(&r);
}

Test(timer, deadlines_are_met_without_sstc_through_the_emulated_timer, .timeout = 120)
{
	struct boot_opts o = {.cpu = "rv64,h=true,sstc=false"};
	struct run r;
	boot_board("it-timer", &o, &r);

	assert_lacks(&r, " sstc ");
	assert_has(&r, "[timer] TIMER timebase 10000000 sstc=0");
	assert_lacks(&r, "TIMER FAIL");
	assert_has(&r, "[timer] TIMER OK");
	run_free(&r);
}

Test(timer, deadlines_are_met_without_sstc_on_a_machine_of_one_cpu, .timeout = 120)
{
	struct boot_opts o = {.cpu = "rv64,h=true,sstc=false"};
	struct run r;
	boot_board("it-timer-1cpu", &o, &r);

	assert_has(&r, "[timer] TIMER timebase 10000000 sstc=0");
	assert_lacks(&r, "TIMER FAIL");
	assert_has(&r, "[timer] TIMER OK");
	run_free(&r);
}

static void entropy_of(const struct run *r, const char *part, char *out, size_t len)
{
	char needle[64], line[256];
	snprintf(needle, sizeof(needle), "[%s] ENTROPY ", part);
	cr_assert(run_line(r, needle, line, sizeof(line)), "no entropy from %s", part);
	snprintf(out, len, "%s", strstr(line, "ENTROPY ") + 8);
	cr_assert_eq(strlen(out), 64, "entropy line: %s", line);
}

Test(entropy, differs_between_partitions_and_between_boots, .timeout = 180)
{
	struct run a, b;
	char a_left[80], a_right[80], b_left[80];

	boot_board("it-entropy", NULL, &a);
	boot_board("it-entropy", NULL, &b);
	assert_lacks(&a, "ENTROPY FAIL");
	entropy_of(&a, "left", a_left, sizeof(a_left));
	entropy_of(&a, "right", a_right, sizeof(a_right));
	entropy_of(&b, "left", b_left, sizeof(b_left));
	cr_assert_str_neq(a_left, a_right, "two partitions got the same entropy");
	cr_assert_str_neq(a_left, b_left, "two boots gave the same entropy");
	cr_assert_str_neq(a_left,
			  "0000000000000000000000000000000000000000000000000000000000000000");
	assert_has(&a, "[left] SEED ");
	assert_lacks(&a, "SEED none");
	run_free(&a);
	run_free(&b);
}

Test(isolation, a_partition_reading_another_is_stopped_and_the_victim_runs_on, .timeout = 180)
{
	struct run r;
	boot_board("it-isolation", NULL, &r);

	assert_has(&r, "[attacker] ATTACKER reading 0x81000000");
	assert_lacks(&r, "READ SUCCEEDED");
	assert_has(&r,
		   "gohv: fault: partition attacker vcpu 0: load outside partition memory at pc "
		   "0x");
	assert_has(&r, "addr 0x81000000\n");
	assert_has(&r, "gohv: partition attacker exited with code 255 (fault)");
	/* The victim was running before the fault and kept running after it. */
	long fault = run_pos(&r, "fault: partition attacker");
	long last_tick = run_pos(&r, "[victim] VICTIM tick 20\n");
	cr_assert(last_tick > fault, "the victim stopped ticking at the attacker's fault");
	assert_lacks(&r, "VICTIM CORRUPTED");
	assert_has(&r, "[victim] VICTIM done");
	assert_has(&r, "gohv: partition victim exited with code 0");
	run_free(&r);
}

Test(faults, stay_inside_their_partition_with_one_report_each, .timeout = 120)
{
	struct run r;
	boot_board("it-faults", NULL, &r);

	cr_assert(r.exited);
	assert_lacks(&r, "FAULT survived");
	assert_has(&r,
		   "gohv: fault: partition illegal vcpu 0: illegal instruction (scause 2) at pc");
	assert_has(&r, "gohv: fault: partition store vcpu 0: store outside partition memory at pc");
	assert_has(&r, "gohv: fault: partition exec vcpu 0: instruction fetch outside partition "
		       "memory at pc 0x1000 addr 0x1000");
	cr_assert_eq(run_count(&r, "gohv: fault:"), 3, "one line per fault");
	assert_has(&r, "gohv: partition illegal exited with code 255 (fault)");
	assert_has(&r, "gohv: partition store exited with code 255 (fault)");
	assert_has(&r, "gohv: partition exec exited with code 255 (fault)");
	assert_has(&r, "[ecall] FAULT ecall-bad ok");
	assert_has(&r, "gohv: partition ecall exited with code 0");
	run_free(&r);
}

static void services(const struct boot_opts *o)
{
	struct run r;
	boot_board("it-services", o, &r);

	cr_assert(r.exited);
	assert_lacks(&r, "FAIL");
	assert_has(&r, "[badptr] BADPTR OK");
	assert_has(&r, "[smp] SMP restart-check ok");
	assert_has(&r, "[smp] SMP vcpu1 up arg=0x5eed");
	assert_has(&r, "[smp] SMP vcpu1 woke 3");
	assert_has(&r, "[smp] SMP OK");
	assert_has(&r, "[sbi] SBI dbcn works");
	assert_has(&r, "[sbi] SBI timer ok");
	assert_has(&r, "[sbi] SBI OK");
	assert_has(&r, "gohv: partition sbi exited with code 0");
	assert_has(&r, "gohv: partition smp exited with code 0");
	assert_has(&r, "gohv: partition badptr exited with code 0");
	run_free(&r);
}

/* The machine's ACLINT SSWI kicks the harts (arch_kick writes it). */
Test(services, hypercall_checks_smp_and_standard_sbi, .timeout = 120)
{
	services(NULL);
}

/* Without an SSWI (plain virt) every kick is an SBI IPI, and all of it works the same. */
Test(services, the_same_on_a_machine_without_an_sswi, .timeout = 120)
{
	services(&(struct boot_opts){.machine = "virt"});
}

Test(restart, on_failure_restarts_with_scrubbed_ram_and_clean_exit_does_not, .timeout = 120)
{
	const char *until[] = {"partition flaky restarting (policy on-failure, restart 3) in 20 ms",
			       "partition steady exited with code 0", NULL};
	struct boot_opts o = {.until = until};
	struct run r;
	boot_board("it-restart", &o, &r);

	cr_assert(!r.timed_out, "no third restart");
	assert_has(&r, "gohv: partition flaky exited with code 1");
	cr_assert_geq(run_count(&r, "[flaky] HELLO dirty=0\n"), 3,
		      "each run of the partition must find its RAM scrubbed");
	assert_has(&r, "partition flaky restarting (policy on-failure, restart 1) in 0 ms");
	assert_has(&r, "partition flaky restarting (policy on-failure, restart 2) in 10 ms");
	assert_lacks(&r, "partition steady restarting");
	cr_assert_eq(run_count(&r, "[steady] HELLO partition"), 1);
	run_free(&r);
}

/* FNV-1a 32 of a file, as the guest computes it over its initrd. */
static unsigned file_fnv(const char *path, unsigned long *size)
{
	FILE *f = fopen(path, "rb");
	unsigned h = 2166136261U;
	int c;

	cr_assert_not_null(f, "%s", path);
	*size = 0;
	while ((c = fgetc(f)) != EOF) {
		h = (h ^ (unsigned)c) * 16777619U;
		(*size)++;
	}
	fclose(f);
	return h;
}

Test(partitions, initrd_is_loaded_below_the_device_tree_at_every_start, .timeout = 120)
{
	static const char *const until[] = {"restarting (policy always, restart 3)", NULL};
	struct boot_opts o = {.until = until};
	const char *build = getenv("GOHV_BUILD");
	char path[512], want[128];
	unsigned long size;
	struct run r;

	snprintf(path, sizeof(path), "%s/guests/t_hello.elf", build && *build ? build : "build");
	unsigned h = file_fnv(path, &size);
	snprintf(want, sizeof(want),
		 "[withrd] INITRD size=%lu fnv=%08x aligned=1 below_dt=1 reserved=1\n", size, h);
	boot_board("it-initrd", &o, &r);
	assert_has(&r, "partition withrd: 2 vcpu(s) on cpu 1,3, 16 MiB");
	assert_has(&r, ", initrd t_hello.elf (");
	/* The first run scribbled over it: the restarts see the original again. */
	if (run_count(&r, want) < 3)
		run_dump(&r, want);
	cr_assert_geq(run_count(&r, want), 3, "want 3 runs with \"%s\"", want);
	cr_assert_geq(run_count(&r, "[withrd] INITRD vcpu1 sees the write=1\n"), 3);
	assert_lacks(&r, "sees the write=0");
	assert_has(&r, "[without] INITRD none\n");
	assert_has(&r, "[withrd] REALTIME year_ok=1\n");
	run_free(&r);
}

/* ------------------------------------------------------------------ shared CPUs */

static long field(const struct run *r, const char *line_has, const char *key)
{
	char buf[256];
	const char *l = run_line(r, line_has, buf, sizeof(buf));
	const char *k = l ? strstr(l, key) : NULL;

	cr_assert_not_null(k, "no \"%s\" in a line with \"%s\"", key, line_has);
	return strtol(k + strlen(key), NULL, 10);
}

/* 5 ms slices at 10 MHz; the heartbeat may also wait out one timer tick of its own. */
#define SLICE_TICKS 50000

Test(shared, a_spinner_cannot_starve_its_cpu_mates_nor_a_crash_loop_disturb_them, .timeout = 120)
{
	static const char *const until[] = {"partition beat exited with code 0\n",
					    "partition spinner exited with code 0\n", NULL};
	struct boot_opts o = {.until = until};
	struct run r;

	boot_board("it-shared", &o, &r);
	cr_assert(!r.timed_out, "a partition on the shared CPU did not finish");
	assert_has(&r, "partition beat: 1 vcpu(s) on cpu 1 (shared)");
	long late = field(&r, "[beat] BEAT n=12", "max_late=");
	if (late > SLICE_TICKS + 1000)
		run_dump(&r, "late heartbeat");
	cr_assert_leq(late, SLICE_TICKS + 1000, "heartbeat %ld ticks late beside a spinner", late);
	/* Both ways of waiting were served: the idle call and a trapped WFI. */
	cr_assert_geq(field(&r, "[beat] BEAT n=12", "max_late_irq="), 0);
	/* The crash loop went on meanwhile, with its backoff, on the same CPU. */
	cr_assert_geq(run_count(&r, "gohv: partition crasher exited with code 255 (fault)"), 3);
	assert_has(&r, "partition crasher restarting (policy on-failure, restart 3) in 20 ms");
	assert_has(&r, "gohv: partition spinner exited with code 0");
	run_free(&r);
}

/* 2 ms slices at 10 MHz. */
#define FAIR_SLICE 20000

Test(shared, cpu_bound_partitions_take_turns_by_weight, .timeout = 120)
{
	struct run r;

	boot_board("it-fair", NULL, &r);
	cr_assert(r.exited, "the hv did not power off");
	long ls = field(&r, "[light] SPIN done", "start="),
	     hs = field(&r, "[heavy] SPIN done", "start=");
	long ll = field(&r, "[light] SPIN done", "loops="),
	     hl = field(&r, "[heavy] SPIN done", "loops=");
	long lg = field(&r, "[light] SPIN done", "max_gap="),
	     hg = field(&r, "[heavy] SPIN done", "max_gap=");
	/* Both start within a slice: neither waits for the other to finish. */
	cr_assert_leq(labs(ls - hs), FAIR_SLICE + 2000, "starts %ld and %ld", ls, hs);
	/* Each is out for at most the other's turn: heavy waits one slice of light's, light
	 * three of heavy's (four when light overran its slice by a hair and heavy must catch
	 * up: turns are whole slices). */
	cr_assert_leq(lg, 4 * FAIR_SLICE + 2000, "light was out for %ld ticks", lg);
	cr_assert_leq(hg, FAIR_SLICE + 2000, "heavy was out for %ld ticks", hg);
	cr_assert_geq(lg, 3 * FAIR_SLICE - 2000, "light was never out for heavy's slice (%ld)", lg);
	/* While both ran, heavy got three times the CPU. */
	double ratio = (double)hl / (double)ll;
	cr_assert(ratio > 2.0 && ratio < 4.0, "loops %ld vs %ld: ratio %.2f, want about 3", hl, ll,
		  ratio);
	run_free(&r);
}

Test(shared, no_register_fp_csr_or_translation_state_crosses_a_switch, .timeout = 120)
{
	struct run r;

	boot_board("it-leak", NULL, &r);
	cr_assert(r.exited, "the hv did not power off");
	cr_assert_eq(run_count(&r, "LEAK clean\n"), 2, "both start with clean FP and CSRs");
	assert_lacks(&r, "LEAK FAIL");
	assert_lacks(&r, "LEAK dirty");
	cr_assert_gt(field(&r, "[red] LEAK ok", "rounds="), 20);
	cr_assert_gt(field(&r, "[blue] LEAK ok", "rounds="), 20);
	run_free(&r);
}

Test(shared, thirty_two_partitions_on_four_cpus_run_to_completion, .timeout = 120)
{
	struct run r;
	char want[64];

	boot_board("it-dense", NULL, &r);
	cr_assert(r.exited, "the hv did not power off");
	for (int i = 0; i < 32; i++) {
		snprintf(want, sizeof(want), "gohv: partition p%d exited with code %d\n", i, i % 8);
		assert_has(&r, want);
	}
	cr_assert_eq(run_count(&r, "HELLO dirty=0\n"), 32, "every partition's RAM was clean");
	assert_has(&r, "gohv: all partitions stopped; powering off");
	run_free(&r);
}

/* Every probe of the matrix (t_attacker matrix): one line before the read, one fault line for it.
 */
static unsigned matrix_of(const struct run *r, const char *part, unsigned *faults)
{
	char tag[48], fault[96];
	unsigned probes = 0;

	snprintf(tag, sizeof(tag), "[%s] PROBE ", part);
	snprintf(fault, sizeof(fault), "gohv: fault: partition %s vcpu 0: ", part);
	*faults = 0;
	for (const char *s = r->out; (s = strstr(s, tag)); s++) {
		unsigned i;
		unsigned long gpa;
		char how[16], addr[48];

		cr_assert_eq(sscanf(s + strlen(tag), "%u %15s 0x%lx", &i, how, &gpa), 3);
		cr_assert_eq(i, probes, "%s: probe %u ran out of order (expected %u)", part, i,
			     probes);
		probes++;
		/* The next line of this partition is its fault, naming the address probed. */
		const char *f = strstr(s, fault);
		cr_assert(f, "%s: probe %u (%s 0x%lx) gave no fault line", part, i, how, gpa);
		const char *nl = strchr(f, '\n');
		snprintf(addr, sizeof(addr), "addr 0x%lx\n", gpa);
		const char *a = strstr(f, addr);
		if (!a || a > nl)
			run_dump(r, "fault address");
		cr_assert(a && a < nl, "%s: probe %u (%s 0x%lx) faulted elsewhere", part, i, how,
			  gpa);
		const char *next = strstr(s + 1, tag);
		cr_assert(!next || f < next, "%s: probe %u: no fault before the next probe", part,
			  i);
		(*faults)++;
	}
	return probes;
}

Test(isolation, every_probe_of_the_matrix_faults_once_and_the_victim_ticks_on, .timeout = 600)
{
	const char *until[] = {"partition alpha exited with code 0\n",
			       "partition beta exited with code 0\n", NULL};
	struct boot_opts o = {.until = until, .timeout_s = 540};
	struct run r;
	boot_board("it-matrix", &o, &r);

	cr_assert(!r.timed_out, "the matrix did not finish");
	assert_lacks(&r, "] LEAK ");
	assert_lacks(&r, "VICTIM CORRUPTED");
	unsigned fa, fb, pa = matrix_of(&r, "alpha", &fa), pb = matrix_of(&r, "beta", &fb);
	char done[64];
	snprintf(done, sizeof(done), "[alpha] MATRIX done probes=%u\n", pa);
	assert_has(&r, done);
	snprintf(done, sizeof(done), "[beta] MATRIX done probes=%u\n", pb);
	assert_has(&r, done);
	cr_assert_eq(run_count(&r, "gohv: fault: partition alpha "), pa, "one fault per probe");
	cr_assert_eq(run_count(&r, "gohv: fault: partition beta "), pb, "one fault per probe");
	assert_lacks(&r, "fault: partition victim");
	/* The channel window of ping and pong is among the probes, each a fault; they go on. */
	assert_lacks(&r, "CHAN FAIL");
	assert_lacks(&r, "fault: partition ping");
	assert_lacks(&r, "fault: partition pong");
	for (const char *how = "direct"; how; how = strcmp(how, "direct") ? NULL : "stage1") {
		char probe[64];

		snprintf(probe, sizeof(probe), " %s 0x40000000\n", how);
		cr_assert_eq(run_count(&r, probe), 2, "the window's header page, %s, by both", how);
		snprintf(probe, sizeof(probe), " %s 0x40004000\n", how);
		cr_assert_eq(run_count(&r, probe), 2, "the window's last page, %s, by both", how);
	}
	/* The victim kept its heartbeat from before the first probe to after the last. */
	long first = run_pos(&r, "] PROBE 0 "), last = run_pos(&r, "MATRIX done");
	char tick[48];
	snprintf(tick, sizeof(tick), "[victim] VICTIM tick %u\n", 1);
	cr_assert(run_pos(&r, tick) >= 0 && run_pos(&r, tick) < first + 4096);
	long ticks_after = 0;
	for (const char *s = r.out + last; (s = strstr(s, "[victim] VICTIM tick ")); s++)
		ticks_after++;
	unsigned total = run_count(&r, "[victim] VICTIM tick ");
	test_figure("isolation matrix: %u partitions probed, %u probes, %u faults, victim ticks %u",
		    2, pa + pb, fa + fb, total);
	cr_assert_geq(total - (unsigned)ticks_after, 2, "the victim stopped during the matrix");
	unsigned rounds = 0;
	for (const char *s = r.out + first; (s = strstr(s, "[pong] CHAN pong round ")); s++)
		rounds += s < r.out + last;
	cr_log_info("isolation matrix: the channel's ends passed %u x 10 rounds during it", rounds);
	cr_assert_geq(rounds, 2, "the channel stopped during the matrix");
	run_free(&r);
}

/* The hv's free pages as it printed them: the first line (every partition built) or the last
 * (at power-off). -1 if absent. */
static long free_pages(const struct run *r, bool last)
{
	const char *needle = "gohv: memory: ", *p = NULL;
	long n = -1;

	for (const char *q = r->out; (q = strstr(q, needle)); q += strlen(needle)) {
		if (!strstr(q, " pages free\n") || strchr(q, '\n') < strstr(q, " pages free\n"))
			continue; /* the boot line of the board's memory range */
		p = q;
		if (!last)
			break;
	}
	if (p)
		sscanf(p + strlen(needle), "%ld", &n);
	return n;
}

/* The output is megabytes: a failed check quotes one line, not the whole console. */
#define storm_lacks(r, s)                                                                          \
	do {                                                                                       \
		char l_[256];                                                                      \
		cr_assert_null(run_line((r), (s), l_, sizeof(l_)), "console has: %s", l_);         \
	} while (0)

#define STORM_RESTARTS 10000

/* The victim ticks every 100 ms on a CPU of its own. What the storm can take from it: a turn of
 * QEMU's one -icount thread, which the hv's run tick (RUN_TICK_HZ, 100 Hz) ends within 10 ms even
 * if a guest never traps, and waits for the hv's locks it shares with the storm (console lines,
 * each a few hundred bytes), which are far shorter. So no gap may exceed one period plus one run
 * tick; a backoff that busy-waits, or a scrub that held its CPU for longer, breaks it. */
#define VICTIM_PERIOD_US  100000
#define VICTIM_GAP_MAX_US (VICTIM_PERIOD_US + 10000)

Test(restart, a_storm_leaks_nothing_scrubs_every_run_and_spares_the_others, .timeout = 660)
{
	struct boot_opts o = {.timeout_s = 600};
	struct run r;
	char line[256];
	boot_board("it-storm", &o, &r);

	/* Both partitions ended by themselves and the hv powered the machine off. */
	cr_assert(!r.timed_out && r.exited, "the storm did not finish: %u restarts by then",
		  run_count(&r, "gohv: partition storm restarting ("));
	cr_assert(strstr(r.out, "gohv: all partitions stopped; powering off\n"));
	storm_lacks(&r, "STORM dirty");
	storm_lacks(&r, "STORM survived");
	storm_lacks(&r, "VICTIM CORRUPTED");
	storm_lacks(&r, "PANIC");

	/* (c) Every run restarted, by the hv's count and by the info page's, the whole mix. */
	unsigned restarts = run_count(&r, "gohv: partition storm restarting (");
	char want[64];
	snprintf(want, sizeof(want), "[storm] STORM done restarts=%u\n", STORM_RESTARTS);
	cr_assert(strstr(r.out, want), "no \"%s\"", want);
	cr_assert_eq(restarts, STORM_RESTARTS);
	snprintf(want, sizeof(want), "restart %u) in 1 ms\n", STORM_RESTARTS);
	cr_assert(strstr(r.out, want), "the hv's last restart line is not \"%s\"", want);
	cr_assert_eq(run_count(&r, "partition storm vcpu 0: illegal instruction"),
		     STORM_RESTARTS / 4);
	cr_assert_eq(run_count(&r, "gohv: partition storm exited with code 3\n"),
		     STORM_RESTARTS / 4);
	cr_assert_eq(run_count(&r, "partition storm vcpu 0: store outside partition memory"),
		     STORM_RESTARTS / 4);
	cr_assert_eq(run_count(&r, "gohv: partition storm rebooted (code 0)\n"),
		     STORM_RESTARTS / 4);
	cr_assert_eq(run_count(&r, "(policy reboot, restart "), STORM_RESTARTS / 4,
		     "a reboot was not restarted");
	/* Only the last run, after the last restart, exits cleanly, and that ends the partition. */
	cr_assert_eq(run_count(&r, "gohv: partition storm exited with code 0\n"), 1);
	cr_assert_gt(run_pos(&r, "gohv: partition storm exited with code 0\n"), run_pos(&r, want));
	cr_assert(strstr(r.out, "gohv: partition victim exited with code 0\n"));

	/* (a) Nothing leaked: as many free pages at power-off as once every partition was built. */
	long before = free_pages(&r, false), after = free_pages(&r, true);
	cr_assert_gt(before, 0, "no free-page line at boot");

	/* (d) The victim ticked through the whole storm, never missing its period by much. */
	unsigned long gap = 0;
	cr_assert(run_line(&r, "[victim] VICTIM max gap ", line, sizeof(line)), "no max gap");
	cr_assert_eq(sscanf(strstr(line, "gap ") + 4, "%lu", &gap), 1, "%s", line);
	unsigned ticks = run_count(&r, "[victim] VICTIM tick ");
	test_figure("restart storm: %u restarts; free pages %ld at boot, %ld at power-off; victim "
		    "max gap %lu us (period %u us, bound %u us) over %u ticks",
		    restarts, before, after, gap, VICTIM_PERIOD_US, VICTIM_GAP_MAX_US, ticks);
	cr_assert_eq(after, before, "%ld pages leaked", before - after);
	cr_assert_gt(run_pos(&r, "[victim] VICTIM done\n"), run_pos(&r, "[storm] STORM done"),
		     "the victim stopped ticking before the storm ended: give it more ticks");
	cr_assert_geq(gap, VICTIM_PERIOD_US, "%s", line);
	cr_assert_leq(gap, VICTIM_GAP_MAX_US, "the storm held the victim up: %s", line);
	run_free(&r);
}
