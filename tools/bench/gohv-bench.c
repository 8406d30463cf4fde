/*
 * gohv-bench: boots the benchmark scenarios (tools/bench/boards/<name>.dts with the guests of
 * tools/bench/guests/, and the Go probe of tools/bench/go/ under gort) in QEMU under
 * -icount shift=0,sleep=off -seed 1, collects the BENCH lines the guests print and the bench
 * build of the hv's own lines, and reports: an aligned table on stdout,
 * <build>/bench/results.json, <build>/bench/chart.png (gnuplot), and each figure's ratio to the
 * baseline (tools/bench/baseline.json). BENCHMARKS.md explains every figure.
 *
 *   gohv-bench --build DIR [--opensbi FILE] [--baseline FILE] [--write-baseline]
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hv/console_proto.h"
#include "tools/qemu_cmd.h"
#include "tools/qemu_run.h"

#define WORSE_RATIO    1.10
#define FAULT_SAMPLES  16
#define MIN_RAM_MAX    64  /* MiB: give up on the C hello search beyond this */
#define MIN_RAM_GO_MAX 256 /* MiB: the Go hello search's upper end, which must run */
/* examples/c/hello.c has greeted and survived its first idle. */
#define HELLO_HEARTBEAT CONSOLE_TAG_OPEN "hello" CONSOLE_TAG_CLOSE "heartbeat 1"
/* examples/go/hello has greeted. */
#define GO_HELLO_GREETING CONSOLE_TAG_OPEN "hello" CONSOLE_TAG_CLOSE "hello from Go on gohv\n"
/* Why the GOOS=tamago figures are missing when they are. */
#define NO_TAMAGO "no GOOS=tamago programs: TAMAGO is not set"

static const char *build_dir = "build";
static const char *opensbi; /* NULL: the machine's firmware (tools/qemu_cmd.c) */
static const char *baseline_path = "tools/bench/baseline.json";
static char tmpdir[64];

/* ---------------------------------------------------------------- figures */

struct figure {
	const char *name;
	const char *unit;
	const char *method;
	bool have;	   /* measured (else the note says why not) */
	uint64_t value;	   /* the figure: a median unless the method says otherwise */
	uint64_t min, max; /* over the samples, when there are samples */
	unsigned n;	   /* samples (0: a single reading) */
	const char *note;  /* shown instead of a value */
	bool base_have;
	uint64_t base;
};

#define FIG(n, u, m)                                                                               \
	{                                                                                          \
		.name = (n), .unit = (u), .method = (m)                                            \
	}
static struct figure figs[] = {
    FIG("hypercall.null", "instr",
	"GOOS_FN_VERSION: instret delta around ecall minus 2 back-to-back reads; median"),
    FIG("hypercall.c_path", "instr",
	"GOOS_FN_CHAN_PENDING, no channel (served in C), as hypercall.null; median"),
    FIG("sbi.null", "instr", "SBI BASE get_spec_version, as hypercall.null; median"),
    FIG("sbi_only.null.gohv", "instr",
	"SBI-only guest (tools/bench/sbi) under gohv: BASE get_spec_version; median"),
    FIG("sbi_only.null.firmware", "instr", "the same guest on OpenSBI alone, no hv; median"),
    FIG("sbi_only.null.percent", "%", "sbi_only.null.gohv as a share of .firmware"),
    FIG("sbi_only.set_timer.gohv", "instr", "SBI-only guest under gohv: TIME set_timer; median"),
    FIG("sbi_only.set_timer.firmware", "instr", "the same on OpenSBI alone; median"),
    FIG("sbi_only.set_timer.percent", "%", "sbi_only.set_timer.gohv as a share of .firmware"),
    FIG("sbi_only.timer.gohv", "instr",
	"SBI-only guest under gohv: set_timer's deadline to the handler (instret - 100 x ticks)"),
    FIG("sbi_only.timer.firmware", "instr", "the same on OpenSBI alone; median"),
    FIG("sbi_only.timer.percent", "%", "sbi_only.timer.gohv as a share of .firmware"),
    FIG("sbi_only.timer.gohv.nosstc", "instr", "sbi_only.timer.gohv without Sstc; median"),
    FIG("sbi_only.timer.firmware.nosstc", "instr", "sbi_only.timer.firmware without Sstc; median"),
    FIG("sbi_only.timer.nosstc.percent", "%", "sbi_only.timer.gohv.nosstc as a share of .firmware"),
    FIG("console.write64", "instr",
	"GOOS_FN_CONSOLE_WRITE of a 64-byte line (hv prints it on the UART); median"),
    FIG("entropy.32", "instr", "GOOS_FN_ENTROPY of 32 bytes (ChaCha20 DRBG); median"),
    FIG("mmio.read", "instr",
	"lw of an info page register (emulated MMIO): instret delta minus 2 reads; median"),
    FIG("timer.sstc", "ticks",
	"Sstc stimecmp: deadline to handler's 1st instr; median, 100 phases"),
    FIG("timer.sstc.min", "ticks", "as timer.sstc, minimum over the phases"),
    FIG("timer.sstc.instr", "instr", "as timer.sstc in instret (virtual clock ns); median"),
    FIG("timer.sstc.instr.min", "instr", "as timer.sstc.instr, minimum over the phases"),
    FIG("timer.sbi", "ticks",
	"no Sstc, GOOS_FN_SET_TIMER: deadline to handler's 1st instr; median, 100 phases"),
    FIG("timer.sbi.min", "ticks", "as timer.sbi, minimum over the phases"),
    FIG("timer.sbi.instr", "instr", "as timer.sbi in instret (virtual clock ns); median"),
    FIG("timer.sbi.instr.min", "instr", "as timer.sbi.instr, minimum over the phases"),
    FIG("idle.wake", "ticks",
	"vCPU0 time before goos_wake(1) to vCPU1's 1st instr after goos_idle; median"),
    FIG("idle.wake.instr", "instr", "as idle.wake in instret (virtual clock ns); median"),
    FIG("chan.notify_wake", "ticks",
	"partition tx's time before goos_chan_notify to rx's 1st instr after goos_idle; median"),
    FIG("chan.notify_wake.instr", "instr",
	"as chan.notify_wake in instret (virtual clock ns); median"),
    FIG("chan.rpc64.c", "instr",
	"libgoos msgchan: 64 B to the peer partition and its echo back, instret; median"),
    FIG("chan.xfer64k.c", "instr/KiB",
	"libgoos msgchan: 64 KiB to the peer (4088 B messages) until it has all, per KiB; median"),
    FIG("chan.rpc64.go", "instr",
	"Go under gort, /dev/chan: 64 B Write to the peer and the Read of its echo; median"),
    FIG("chan.xfer64k.go", "instr/KiB",
	"Go under gort, /dev/chan: a 64 KiB Write until the peer has read it all, per KiB; median"),
    FIG("passthru.notify.empty", "instr",
	"virtio-rng owner's QueueNotify store with nothing new (emulated register): instret delta; "
	"median"),
    FIG("passthru.post.1", "instr",
	"bench hv: vqs_post of one new one-descriptor chain (check, translate, post); median"),
    FIG("http.req.keepalive", "instr",
	"Go net/http under gort through netd: GET / and its answer on an open connection; median"),
    FIG("http.req.newconn", "instr",
	"as http.req.keepalive on a new connection each time (dial, request, answer, close); "
	"median"),
    FIG("http.xfer1m", "instr/KiB",
	"Go net/http through netd: a 1 MiB answer on an open connection, per KiB; median"),
    FIG("syscall.getpid.go", "instr",
	"Go under gort: raw getpid round trip, instret delta minus 2 back-to-back reads; median"),
    FIG("syscall.gettid.go", "instr",
	"as syscall.getpid.go with gettid, which gort answers in C (its full path); median"),
    FIG("sched.switch.same", "instr",
	"shared CPU: arch_vcpu_load to another vCPU of the same partition (bench hv); median"),
    FIG("sched.switch.other", "instr",
	"shared CPU: arch_vcpu_load to a vCPU of another partition (bench hv); median"),
    FIG("sched.wake.switch", "ticks",
	"shared CPU, a spinner running: idle deadline to the sleeper's 1st instr; median"),
    FIG("sched.wake.switch.instr", "instr",
	"as sched.wake.switch in instret (virtual clock ns); median"),
    FIG("hypercall.null.shared", "instr", "hypercall.null on a CPU shared by 4 vCPUs; median"),
    FIG("fault.stage2", "ticks",
	"load from an unmapped GPA at a tick boundary to the hv's fault report; median"),
    FIG("fault.stage2.instr", "instr", "as fault.stage2: hv instret - 100 * access tick; median"),
    FIG("boot.1", "ticks", "hv entry (boot.S rdtime) to 1st instr of the only partition (2 MiB)"),
    FIG("boot.8.first", "ticks", "8 partitions on 8 harts: hv entry to the first one's 1st instr"),
    FIG("boot.8.last", "ticks", "8 partitions on 8 harts: hv entry to the last one's 1st instr"),
    FIG("boot.go_main.1", "ticks",
	"hv entry to Go main.main's 1st statement (raw clock_gettime), 1 partition of 16 MiB"),
    FIG("boot.go_main.8.first", "ticks",
	"8 Go partitions (16 MiB) on 8 harts: hv entry to the first main.main"),
    FIG("boot.go_main.8.last", "ticks",
	"8 Go partitions (16 MiB) on 8 harts: hv entry to the last main.main"),
    FIG("boot.tamago_main.1", "ticks",
	"hv entry to GOOS=tamago main.main's 1st statement (time CSR), 1 partition of 16 MiB"),
    FIG("idle.tamago_sleep", "calls",
	"goos idle calls of a 2-vCPU GOOS=tamago partition in a 1 s time.Sleep (all vCPUs)"),
    FIG("footprint.hv_text", "bytes", "gohv.elf: SHF_ALLOC|SHF_EXECINSTR sections"),
    FIG("footprint.hv_rodata", "bytes", "gohv.elf: read-only allocated PROGBITS sections"),
    FIG("footprint.hv_data", "bytes", "gohv.elf: writable allocated PROGBITS sections"),
    FIG("footprint.hv_bss", "bytes", "gohv.elf: NOBITS sections (8 x 16 KiB hart stacks included)"),
    FIG("footprint.part_tables", "bytes",
	"stage-2 table pages of one 2 MiB partition (bench hv log)"),
    FIG("footprint.part_struct", "bytes",
	"struct partition and its 1 vCPU, allocated by count at boot"),
    FIG("footprint.part_total", "bytes",
	"hv memory one 2 MiB partition costs: its struct plus its stage-2 tables"),
    FIG("footprint.min_ram_c", "MiB", "smallest memory-size (2 MiB steps) where hello.elf runs"),
    FIG("footprint.min_ram_go", "MiB",
	"smallest memory-size (2 MiB steps, bisection) where Go hello greets and exits 0"),
    FIG("footprint.min_ram_tamago", "MiB",
	"as footprint.min_ram_go for the GOOS=tamago hello (gohv build), no gort"),
    FIG("footprint.go_hello", "bytes", "examples/go/hello as a static linux/riscv64 ELF (gort's)"),
    FIG("footprint.tamago_hello", "bytes", "examples/go/hello as a GOOS=tamago ELF (gohv build)"),
};
#define NFIGS (sizeof(figs) / sizeof(figs[0]))

static struct figure *fig(const char *name)
{
	for (size_t i = 0; i < NFIGS; i++)
		if (!strcmp(figs[i].name, name))
			return &figs[i];
	fprintf(stderr, "gohv-bench: internal: no figure %s\n", name);
	exit(2);
}

static void set_fig(const char *name, uint64_t v, uint64_t min, uint64_t max, unsigned n)
{
	struct figure *f = fig(name);

	f->have = true;
	f->value = v;
	f->min = min;
	f->max = max;
	f->n = n;
}

static void set_one(const char *name, uint64_t v)
{
	set_fig(name, v, v, v, 0);
}

static int failures;

static void fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "gohv-bench: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	failures++;
}

/* ---------------------------------------------------------------- running things */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs argv with stdout and stderr to /dev/null; returns its exit status, or -1. */
static int run_quiet(char *const argv[])
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct output {
	char *text; /* what QEMU printed, "\r" dropped, NUL-terminated */
	size_t len, cap;
	bool exited, timed_out;
};

/* Decides from the output so far whether to stop QEMU early. */
typedef bool (*stop_fn)(const struct output *o, void *ctx);

static void out_append(struct output *o, const char *buf, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->cap + n + 1) * 2;
		o->text = realloc(o->text, o->cap);
		if (!o->text) {
			perror("gohv-bench");
			exit(2);
		}
	}
	for (size_t i = 0; i < n; i++)
		if (buf[i] != '\r')
			o->text[o->len++] = buf[i];
	o->text[o->len] = 0;
}

static unsigned count(const char *s, const char *needle)
{
	unsigned n = 0;

	for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

struct collect {
	struct output *o;
	stop_fn stop;
	void *ctx;
};

static enum qemu_feed_result collect(void *ctx, const char *buf, size_t n)
{
	struct collect *c = ctx;

	out_append(c->o, buf, n);
	return c->stop && c->stop(c->o, c->ctx) ? QEMU_FEED_STOP : QEMU_FEED_MORE;
}

/* Packs a board config (dtb) with hv, boots it and collects the console until QEMU powers off,
 * stop() says so, or timeout_s passes. Returns 0, or -1 when packing failed. */
static int boot(const char *dtb, const char *hv, const char *cpu, const char *const *devices,
		bool user_net, stop_fn stop, void *ctx, unsigned timeout_s, struct output *o)
{
	char pack[512], guests[512], img[128], qargs_path[128], gos[512], tamagos[512], sbis[512],
	    err[256];

	memset(o, 0, sizeof(*o));
	out_append(o, "", 0);
	snprintf(pack, sizeof(pack), "%s/tools/gohv-pack", build_dir);
	snprintf(guests, sizeof(guests), "%s/guests", build_dir);
	snprintf(gos, sizeof(gos), "%s/bench/go", build_dir);	    /* the Go probes' initrds */
	snprintf(tamagos, sizeof(tamagos), "%s/tamago", build_dir); /* GOOS=tamago programs */
	snprintf(sbis, sizeof(sbis), "%s/bench/sbi", build_dir);    /* the SBI-only guest */
	snprintf(img, sizeof(img), "%s/gohv.img", tmpdir);
	snprintf(qargs_path, sizeof(qargs_path), "%s/qemu-args", tmpdir);
	char *pack_argv[] = {pack,   "--hv", (char *)hv, "--config",	(char *)dtb, "-L",
			     guests, "-L",   gos,	 "-L",		tamagos,     "-L",
			     sbis,   "-o",   img,	 "--qemu-args", qargs_path,  NULL};
	if (run_quiet(pack_argv) != 0)
		return -1;

	/* -seed: QEMU's guest randomness (the device tree's rng-seed, which seeds the hv's DRBG)
	 * from a fixed seed. Go's runtime draws on it at start-up (AT_RANDOM), and on several
	 * harts a different draw moves the Go boot figures by a few ticks. */
	const char *extra[16] = {"-seed", "1"};
	for (unsigned i = 0; devices && devices[i] && i + 3 < 16; i++)
		extra[i + 2] = devices[i];
	struct qemu_cmd_opts qo = {
	    .kernel = img,
	    .firmware = opensbi,
	    .cpu = cpu,
	    .qemu_args = qargs_path,
	    .icount = true,
	    .user_net = user_net,
	    .extra = extra,
	};
	struct qemu_cmd cmd;
	if (qemu_cmd_build(&qo, &cmd, err, sizeof(err))) {
		fprintf(stderr, "gohv-bench: %s\n", err);
		exit(2);
	}
	struct qemu_run_opts ro = {.timeout_s = timeout_s};
	struct collect c = {o, stop, ctx};
	struct qemu_result res;
	if (qemu_run(cmd.argv, &ro, collect, &c, &res)) {
		perror("gohv-bench: qemu");
		exit(2);
	}
	qemu_cmd_free(&cmd);
	o->exited = res.exited;
	o->timed_out = res.timed_out;
	unlink(img);
	unlink(qargs_path);
	return 0;
}

static void path_of(char *out, size_t len, const char *fmt, const char *arg)
{
	char rel[256];

	snprintf(rel, sizeof(rel), fmt, arg);
	snprintf(out, len, "%s/%s", build_dir, rel);
}

/* Boots one bench board with the bench hv; the output must end with all partitions stopped. */
/* Boots elf as the firmware's payload, no hv, and collects the console until it powers off. */
static bool boot_firmware(const char *elf, const char *cpu, struct output *o)
{
	char path[512], err[256];
	static const char *const seed[] = {"-seed", "1", NULL};

	path_of(path, sizeof(path), "%s", elf);
	memset(o, 0, sizeof(*o));
	out_append(o, "", 0);
	struct qemu_cmd_opts qo = {.kernel = path,
				   .firmware = opensbi,
				   .cpu = cpu,
				   .smp = "1",
				   .icount = true,
				   .extra = seed};
	struct qemu_cmd cmd;
	if (qemu_cmd_build(&qo, &cmd, err, sizeof(err))) {
		fprintf(stderr, "gohv-bench: %s\n", err);
		exit(2);
	}
	struct qemu_run_opts ro = {.timeout_s = 120};
	struct collect c = {o, NULL, NULL};
	struct qemu_result res;
	if (qemu_run(cmd.argv, &ro, collect, &c, &res)) {
		perror("gohv-bench: qemu");
		exit(2);
	}
	qemu_cmd_free(&cmd);
	o->exited = res.exited;
	o->timed_out = res.timed_out;
	if (o->timed_out || !strstr(o->text, "BENCH done")) {
		fprintf(stderr, "---- %s console ----\n%s\n----\n", elf, o->text);
		fail("%s on the firmware alone failed (see its console above)", elf);
		return false;
	}
	return true;
}

/* The QEMU devices a scenario's board passes through (NULL-terminated), or NULL. */
static bool boot_bench_with(const char *board, const char *cpu, const char *const *devices,
			    bool user_net, stop_fn stop, void *ctx, struct output *o)
{
	char dtb[512], hv[512];

	path_of(dtb, sizeof(dtb), "bench/boards/%s.dtb", board);
	path_of(hv, sizeof(hv), "%s", "bench/hv/gohv.elf");
	if (boot(dtb, hv, cpu, devices, user_net, stop, ctx, 120, o)) {
		fail("packing %s failed", board);
		return false;
	}
	if (o->timed_out || strstr(o->text, "FAIL") || strstr(o->text, "panic")) {
		fprintf(stderr, "---- %s console ----\n%s\n----\n", board, o->text);
		fail("scenario %s failed (see its console above)", board);
		return false;
	}
	return true;
}

static bool boot_bench(const char *board, const char *cpu, stop_fn stop, void *ctx,
		       struct output *o)
{
	return boot_bench_with(board, cpu, NULL, false, stop, ctx, o);
}

/* ---------------------------------------------------------------- parsing */

/* Every "BENCH <name> <median> <unit> min=<min> max=<max> n=<n>" line after lead (a partition's
 * console tag's end, or a newline for a guest on the firmware alone), by figure name; with a
 * suffix, only the names that then exist as a figure (a run whose figures differ by a CPU option,
 * which the guest cannot see). */
static void take_lines(const char *text, const char *lead, const char *suffix)
{
	size_t skip = strlen(lead);

	for (const char *p = text; (p = strstr(p, lead)); p++) {
		char name[80], unit[16];
		unsigned long med, min, max;
		unsigned n;

		if (sscanf(p + skip, "BENCH %63s %lu %15s min=%lu max=%lu n=%u", name, &med, unit,
			   &min, &max, &n) != 6)
			continue;
		if (suffix) {
			bool known = false;

			strncat(name, suffix, sizeof(name) - strlen(name) - 1);
			for (size_t i = 0; i < NFIGS && !known; i++)
				known = !strcmp(figs[i].name, name);
			if (!known)
				continue;
		}
		if (!strcmp(name, "instret.overhead"))
			continue;
		set_fig(name, med, min, max, n);
		/* The timers' minimum is a figure of its own. */
		if (!strncmp(name, "timer.", 6)) {
			char minname[96];

			snprintf(minname, sizeof(minname), "%s.min", name);
			set_fig(fig(minname)->name, min, min, min, n);
		}
	}
}

static void take_bench_lines(const char *text)
{
	take_lines(text, CONSOLE_TAG_CLOSE, NULL);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void set_median(const char *name, uint64_t *s, unsigned n)
{
	qsort(s, n, sizeof(*s), cmp_u64);
	set_fig(name, s[(n - 1) / 2], s[0], s[n - 1], n);
}

/* Stops after FAULT_SAMPLES + 1 whole fault lines (the warm-up and the samples). Only whole lines
 * count: how QEMU's output is cut into reads depends on the host, and a line cut short would
 * drop a sample from some runs and not from others. */
static bool enough_faults(const struct output *o, void *ctx)
{
	unsigned n = 0;

	for (const char *p = o->text; (p = strstr(p, CONSOLE_HV_PREFIX CONSOLE_FAULT)); p++)
		n += strchr(p, '\n') != NULL;
	return n >= FAULT_SAMPLES + 1 || strstr(o->text, "survived");
}

static bool hello_ran(const struct output *o, void *ctx)
{
	return strstr(o->text, HELLO_HEARTBEAT) || strstr(o->text, CONSOLE_REFUSED) ||
	       strstr(o->text, CONSOLE_EXITED) || strstr(o->text, "panic");
}

/* ---------------------------------------------------------------- scenarios */

static void scenario_calls(void)
{
	struct output o;

	if (boot_bench("bench-calls", NULL, NULL, NULL, &o))
		take_bench_lines(o.text);
	free(o.text);
	if (boot_bench("bench-calls", "rv64,h=true,sstc=false", NULL, NULL, &o))
		take_bench_lines(o.text);
	free(o.text);
}

/* The SBI-only guest under gohv and on the firmware alone, and gohv's cost as a share of the
 * firmware's for each call. */
static void scenario_sbi_only(void)
{
	static const char *const calls[] = {"null", "set_timer", "timer", "timer.nosstc"};
	const char *nosstc = "rv64,h=true,sstc=false";
	struct output o;

	if (boot_bench("bench-sbi", NULL, NULL, NULL, &o))
		take_bench_lines(o.text);
	free(o.text);
	if (boot_firmware("bench/sbi/bench_sbi_firmware.elf", NULL, &o))
		take_lines(o.text, "\n", NULL);
	free(o.text);
	/* Without Sstc the timer is the firmware's on both sides (and the hv's too under gohv). */
	if (boot_bench("bench-sbi", nosstc, NULL, NULL, &o))
		take_lines(o.text, CONSOLE_TAG_CLOSE, ".nosstc");
	free(o.text);
	if (boot_firmware("bench/sbi/bench_sbi_firmware.elf", nosstc, &o))
		take_lines(o.text, "\n", ".nosstc");
	free(o.text);
	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		char g[64], f[64], r[64];

		bool ns = !strcmp(calls[i], "timer.nosstc");

		snprintf(g, sizeof(g), "sbi_only.%s.gohv%s", ns ? "timer" : calls[i],
			 ns ? ".nosstc" : "");
		snprintf(f, sizeof(f), "sbi_only.%s.firmware%s", ns ? "timer" : calls[i],
			 ns ? ".nosstc" : "");
		snprintf(r, sizeof(r), "sbi_only.%s.percent", calls[i]);
		const struct figure *fg = fig(g), *ff = fig(f);
		if (fg->have && ff->have && ff->value)
			set_one(fig(r)->name, fg->value * 100 / ff->value);
	}
}

static void scenario_wake(void)
{
	struct output o;

	if (boot_bench("bench-wake", NULL, NULL, NULL, &o))
		take_bench_lines(o.text);
	free(o.text);
}

static void scenario_chan(void)
{
	struct output o;

	if (boot_bench("bench-chan", NULL, NULL, NULL, &o))
		take_bench_lines(o.text);
	free(o.text);
}

/* The same schedule in C (libgoos msgchan) and in Go (gort's /dev/chan); then gort's null
 * system call. */
static void scenario_msgchan(void)
{
	struct output o;

	if (boot_bench("bench-msgchan", NULL, NULL, NULL, &o))
		take_bench_lines(o.text);
	free(o.text);
	if (boot_bench("bench-gochan", NULL, NULL, NULL, &o))
		take_bench_lines(o.text);
	free(o.text);
	if (boot_bench("bench-getpid", NULL, NULL, NULL, &o))
		take_bench_lines(o.text);
	free(o.text);
}

static bool http_done(const struct output *o, void *ctx)
{
	(void)ctx;
	return strstr(o->text, "BENCH http done") || strstr(o->text, "BENCH FAIL");
}

/* HTTP through netd, which never ends: QEMU is stopped at the probe's last line. */
static void scenario_http(void)
{
	struct output o;

	if (boot_bench_with("bench-http", NULL, NULL, true, http_done, NULL, &o))
		take_bench_lines(o.text);
	free(o.text);
}

/* The hv's "bench: switch KIND median=M min=A max=B n=N" lines. */
static void take_switch_lines(const char *text)
{
	for (const char *p = text; (p = strstr(p, "bench: switch ")); p++) {
		char kind[8], name[32];
		unsigned long med, min, max;
		unsigned n;

		if (sscanf(p, "bench: switch %7s median=%lu min=%lu max=%lu n=%u", kind, &med, &min,
			   &max, &n) != 5)
			continue;
		snprintf(name, sizeof(name), "sched.switch.%s", kind);
		set_fig(fig(name)->name, med, min, max, n);
	}
}

/* The bench hv's "bench: shadow post chains=1 median=M min=A max=B n=N" line. */
static void take_post_lines(const char *text)
{
	for (const char *p = text; (p = strstr(p, "bench: shadow post ")); p++) {
		unsigned long med, min, max;
		unsigned k, n;
		char name[32];

		if (sscanf(p, "bench: shadow post chains=%u median=%lu min=%lu max=%lu n=%u", &k,
			   &med, &min, &max, &n) != 5)
			continue;
		snprintf(name, sizeof(name), "passthru.post.%u", k);
		set_fig(fig(name)->name, med, min, max, n);
	}
}

static void scenario_virtio(void)
{
	static const char *const rng[] = {"-device", "virtio-rng-device", NULL};
	struct output o;

	if (boot_bench_with("bench-virtio", NULL, rng, false, NULL, NULL, &o)) {
		take_bench_lines(o.text);
		take_post_lines(o.text);
	}
	free(o.text);
}

static void scenario_sched(void)
{
	struct output o;

	if (boot_bench("bench-sched", NULL, NULL, NULL, &o)) {
		take_bench_lines(o.text);
		take_switch_lines(o.text);
	}
	free(o.text);
}

static void scenario_fault(void)
{
	uint64_t ticks[FAULT_SAMPLES + 1], instr[FAULT_SAMPLES + 1];
	unsigned n = 0;
	struct output o;

	if (!boot_bench("bench-fault", NULL, enough_faults, NULL, &o)) {
		free(o.text);
		return;
	}
	/* Pairs in order: the guest's "BENCH-FAULT at T" then the hv's fault line. */
	const char *p = o.text;
	while (n < FAULT_SAMPLES + 1) {
		unsigned long at, tick, ins;
		const char *a = strstr(p, "BENCH-FAULT at ");
		const char *f = a ? strstr(a, CONSOLE_HV_PREFIX CONSOLE_FAULT) : NULL;
		const char *t = f ? strstr(f, CONSOLE_FAULT_BENCH) : NULL;

		if (!t || sscanf(a, "BENCH-FAULT at %lu", &at) != 1 ||
		    sscanf(t, CONSOLE_FAULT_BENCH_FMT, &tick, &ins) != 2)
			break;
		ticks[n] = tick - at;
		instr[n] = ins - at * 100;
		n++;
		p = t;
	}
	/* The first run is the warm-up. */
	if (n < 2) {
		fprintf(stderr, "---- bench-fault console ----\n%s\n----\n", o.text);
		fail("%s: too few fault samples", "bench-fault");
	} else {
		set_median("fault.stage2", ticks + 1, n - 1);
		set_median("fault.stage2.instr", instr + 1, n - 1);
	}
	free(o.text);
}

static bool hv_entry(const char *text, unsigned long *entry)
{
	const char *p = strstr(text, "bench: hv entered at tick ");

	return p && sscanf(p, "bench: hv entered at tick %lu", entry) == 1;
}

static void scenario_boot(void)
{
	unsigned long entry, start, first = ~0UL, last = 0;
	unsigned seen = 0;
	struct output o;

	if (boot_bench("bench-boot1", NULL, NULL, NULL, &o)) {
		const char *p = strstr(o.text, CONSOLE_TAG_CLOSE "BENCH-BOOT start ");

		if (hv_entry(o.text, &entry) && p &&
		    sscanf(p, CONSOLE_TAG_CLOSE "BENCH-BOOT start %lu", &start) == 1)
			set_one("boot.1", start - entry);
		else
			fail("%s: no entry or start tick", "bench-boot1");
	}
	free(o.text);

	if (!boot_bench("bench-boot8", NULL, NULL, NULL, &o)) {
		free(o.text);
		return;
	}
	for (const char *p = o.text; (p = strstr(p, CONSOLE_TAG_CLOSE "BENCH-BOOT start ")); p++) {
		if (sscanf(p, CONSOLE_TAG_CLOSE "BENCH-BOOT start %lu", &start) != 1)
			continue;
		seen++;
		first = start < first ? start : first;
		last = start > last ? start : last;
	}
	if (hv_entry(o.text, &entry) && seen == 8) {
		set_one("boot.8.first", first - entry);
		set_one("boot.8.last", last - entry);
	} else {
		fail("%s: missing entry or start ticks", "bench-boot8");
	}
	/* Every partition is the same 2 MiB: the first one's tables stand for all. */
	const char *t = strstr(o.text, "bench: partition p0 stage-2 tables ");
	unsigned long bytes, tables, psize;
	if (t && sscanf(t,
			"bench: partition p0 stage-2 tables %lu bytes (%lu tables), struct "
			"partition %lu bytes",
			&bytes, &tables, &psize) == 3) {
		set_one("footprint.part_tables", bytes);
		set_one("footprint.part_struct", psize);
		set_one("footprint.part_total", bytes + psize);
	} else {
		fail("%s: no stage-2 table line", "bench-boot8");
	}
	free(o.text);
}

/* Section sizes of the normal (not bench) hv. */
static void footprint_elf(void)
{
	char path[512];
	uint64_t text = 0, rodata = 0, data = 0, bss = 0;

	path_of(path, sizeof(path), "%s", "hv/gohv.elf");
	FILE *f = fopen(path, "rb");
	Elf64_Ehdr eh;
	if (!f || fread(&eh, sizeof(eh), 1, f) != 1 || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(Elf64_Shdr)) {
		fail("cannot read %s as a 64-bit ELF", path);
		if (f)
			fclose(f);
		return;
	}
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;

		if (fseek(f, (long)(eh.e_shoff + (uint64_t)i * sizeof(sh)), SEEK_SET) ||
		    fread(&sh, sizeof(sh), 1, f) != 1)
			break;
		if (!(sh.sh_flags & SHF_ALLOC))
			continue;
		if (sh.sh_type == SHT_NOBITS)
			bss += sh.sh_size;
		else if (sh.sh_flags & SHF_EXECINSTR)
			text += sh.sh_size;
		else if (sh.sh_flags & SHF_WRITE)
			data += sh.sh_size;
		else
			rodata += sh.sh_size;
	}
	fclose(f);
	set_one("footprint.hv_text", text);
	set_one("footprint.hv_rodata", rodata);
	set_one("footprint.hv_data", data);
	set_one("footprint.hv_bss", bss);
}

/* The smallest partition RAM (2 MiB steps, upwards) in which examples/c/hello.c greets and
 * survives its first idle; with the normal hv. */
static void footprint_min_ram(void)
{
	char dts[128], dtb[128], hv[512];

	snprintf(dts, sizeof(dts), "%s/min-ram.dts", tmpdir);
	snprintf(dtb, sizeof(dtb), "%s/min-ram.dtb", tmpdir);
	path_of(hv, sizeof(hv), "%s", "hv/gohv.elf");
	for (unsigned mib = 2; mib <= MIN_RAM_MAX; mib += 2) {
		FILE *f = fopen(dts, "w");
		struct output o;

		if (!f) {
			fail("cannot write %s", dts);
			return;
		}
		fprintf(f,
			"/dts-v1/;\n/ {\n\tcompatible = \"gohv,config-v2\";\n\tboard {\n"
			"\t\tcpus = <1>;\n\t\tmemory-size = <0x10000000>;\n\t};\n"
			"\tpartitions {\n\t\thello {\n\t\t\tcpus = <0>;\n"
			"\t\t\tmemory-size = <0x%x>;\n\t\t\timage = \"hello.elf\";\n"
			"\t\t};\n\t};\n};\n",
			mib << 20);
		fclose(f);
		char *dtc_argv[] = {"dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts, NULL};
		if (run_quiet(dtc_argv) != 0) {
			fail("dtc failed on %s", dts);
			return;
		}
		int packed = boot(dtb, hv, NULL, NULL, false, hello_ran, NULL, 60, &o);
		bool ran = packed == 0 && strstr(o.text, HELLO_HEARTBEAT);
		free(o.text);
		if (ran) {
			set_one("footprint.min_ram_c", mib);
			break;
		}
	}
	unlink(dts);
	unlink(dtb);
	if (!fig("footprint.min_ram_c")->have)
		fail("hello.elf ran in no size up to %s MiB", "64");
}

/* ---------------------------------------------------------------- Go guests */

/* The Go probe (tools/bench/go/main.go under gort) prints "BENCH-BOOT start <tick>", the time
 * CSR read by a raw clock_gettime as main.main's first statement, like the C boot guest. Every
 * partition must also exit 0. Sets the first and last start (minus the hv's entry) as figures. */
static void go_main_starts(const char *board, unsigned parts, const char *first_name,
			   const char *last_name)
{
	unsigned long entry, start, first = ~0UL, last = 0;
	unsigned seen = 0;
	struct output o;

	if (!boot_bench(board, NULL, NULL, NULL, &o)) {
		free(o.text);
		return;
	}
	for (const char *p = o.text; (p = strstr(p, CONSOLE_TAG_CLOSE "BENCH-BOOT start ")); p++) {
		if (sscanf(p, CONSOLE_TAG_CLOSE "BENCH-BOOT start %lu", &start) != 1)
			continue;
		seen++;
		first = start < first ? start : first;
		last = start > last ? start : last;
	}
	if (hv_entry(o.text, &entry) && seen == parts &&
	    count(o.text, CONSOLE_EXITED "0\n") == parts) {
		set_one(first_name, first - entry);
		if (last_name)
			set_one(last_name, last - entry);
	} else {
		fprintf(stderr, "---- %s console ----\n%s\n----\n", board, o.text);
		fail("%s: missing entry or main.main ticks, or a partition did not exit 0", board);
	}
	free(o.text);
}

static void scenario_go_main(void)
{
	go_main_starts("bench-go1", 1, "boot.go_main.1", NULL);
	go_main_starts("bench-go8", 8, "boot.go_main.8.first", "boot.go_main.8.last");
}

/* Stops at the end of the hv's exit line (the whole line: its code is what counts). QEMU powers
 * off right after it anyway; a Go panic or gort's out-of-memory message also ends in an exit. */
static bool go_hello_done(const struct output *o, void *ctx)
{
	const char *p = strstr(o->text, CONSOLE_EXITED);

	return (p && strchr(p, '\n')) || strstr(o->text, CONSOLE_REFUSED) ||
	       strstr(o->text, CONSOLE_POWER_OFF);
}

/* Does examples/go/hello greet and exit 0 in a partition of mib MiB, as image (with initrd, when
 * not NULL)? With the normal hv, on a 1-hart board of 512 MiB. A size too small to even pack (the
 * image, the initrd and the device tree area do not fit) counts as "does not run". */
static bool go_hello_runs(unsigned mib, const char *image, const char *initrd)
{
	char dts[128], dtb[128], hv[512], initrd_prop[96] = "";
	struct output o;
	bool ran = false;

	snprintf(dts, sizeof(dts), "%s/min-ram-go.dts", tmpdir);
	snprintf(dtb, sizeof(dtb), "%s/min-ram-go.dtb", tmpdir);
	path_of(hv, sizeof(hv), "%s", "hv/gohv.elf");
	if (initrd)
		snprintf(initrd_prop, sizeof(initrd_prop), "\t\t\tinitrd = \"%s\";\n", initrd);
	FILE *f = fopen(dts, "w");
	if (!f) {
		fail("cannot write %s", dts);
		return false;
	}
	fprintf(f,
		"/dts-v1/;\n/ {\n\tcompatible = \"gohv,config-v2\";\n\tboard {\n"
		"\t\tcpus = <1>;\n\t\tmemory-size = <0x20000000>;\n\t};\n"
		"\tpartitions {\n\t\thello {\n\t\t\tcpus = <0>;\n"
		"\t\t\tmemory-size = <0x%x>;\n\t\t\timage = \"%s\";\n%s\t\t};\n\t};\n};\n",
		mib << 20, image, initrd_prop);
	fclose(f);
	char *dtc_argv[] = {"dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts, NULL};
	if (run_quiet(dtc_argv) != 0) {
		fail("dtc failed on %s", dts);
		return false;
	}
	if (boot(dtb, hv, NULL, NULL, false, go_hello_done, NULL, 60, &o) == 0)
		ran = strstr(o.text, GO_HELLO_GREETING) &&
		      strstr(o.text, CONSOLE_PARTITION "hello" CONSOLE_EXITED "0\n");
	free(o.text);
	unlink(dts);
	unlink(dtb);
	return ran;
}

/* The smallest partition RAM, in 2 MiB steps, in which the Go hello runs to completion: a
 * bisection between 0 (never runs) and MIN_RAM_GO_MAX (must run). It assumes that more memory
 * never hurts, which is what gort's allocator and the tamago runtime's (a heap up to the device
 * tree) give. */
static void min_ram_go(const char *name, const char *image, const char *initrd)
{
	unsigned lo = 0, hi = MIN_RAM_GO_MAX / 2; /* in 2 MiB steps: lo fails, hi runs */

	if (!go_hello_runs(hi * 2, image, initrd)) {
		fail("Go hello did not run even in 256 MiB: %s", image);
		return;
	}
	while (hi - lo > 1) {
		unsigned mid = lo + (hi - lo) / 2;

		if (go_hello_runs(mid * 2, image, initrd))
			hi = mid;
		else
			lo = mid;
	}
	set_one(name, hi * 2);
}

static void footprint_min_ram_go(void)
{
	min_ram_go("footprint.min_ram_go", "gort.elf", "hello.cpio");
}

/* ---------------------------------------------------------------- GOOS=tamago guests */

static bool have_file(const char *rel, off_t *size)
{
	char path[512];
	struct stat st;

	path_of(path, sizeof(path), "%s", rel);
	if (stat(path, &st))
		return false;
	if (size)
		*size = st.st_size;
	return true;
}

/* Figures that need a GOOS=tamago program, marked as such when it was not built. */
static bool need_tamago(const char *rel, const char *figure)
{
	if (have_file(rel, NULL))
		return true;
	fig(figure)->note = NO_TAMAGO;
	return false;
}

static void scenario_tamago_main(void)
{
	if (need_tamago("bench/go/bench_tamago", "boot.tamago_main.1"))
		go_main_starts("bench-tamago1", 1, "boot.tamago_main.1", NULL);
}

/* tests/tamago/idle on a 2-vCPU partition: every vCPU runs work, then the program sleeps 1 s and
 * reports the goos idle calls all vCPUs made meanwhile. Virtual time, so the count repeats. */
static void scenario_tamago_idle(void)
{
	char dts[128], dtb[128], hv[512];
	struct output o;
	unsigned long ms, n, calls;

	if (!need_tamago("tamago/idle", "idle.tamago_sleep"))
		return;
	snprintf(dts, sizeof(dts), "%s/tamago-idle.dts", tmpdir);
	snprintf(dtb, sizeof(dtb), "%s/tamago-idle.dtb", tmpdir);
	path_of(hv, sizeof(hv), "%s", "hv/gohv.elf");
	FILE *f = fopen(dts, "w");
	if (!f) {
		fail("cannot write %s", dts);
		return;
	}
	fprintf(f, "/dts-v1/;\n/ {\n\tcompatible = \"gohv,config-v2\";\n\tboard {\n"
		   "\t\tcpus = <2>;\n\t\tmemory-size = <0x10000000>;\n\t};\n"
		   "\tpartitions {\n\t\tidle {\n\t\t\tcpus = <0 1>;\n"
		   "\t\t\tmemory-size = <0x4000000>;\n\t\t\timage = \"idle\";\n\t\t};\n\t};\n};\n");
	fclose(f);
	char *dtc_argv[] = {"dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts, NULL};
	if (run_quiet(dtc_argv) != 0) {
		fail("dtc failed on %s", dts);
		return;
	}
	if (boot(dtb, hv, NULL, NULL, false, go_hello_done, NULL, 120, &o) == 0) {
		const char *p = strstr(o.text, CONSOLE_TAG_CLOSE "idle: slept ");

		if (p &&
		    sscanf(p, CONSOLE_TAG_CLOSE "idle: slept %lums on %lu vCPU(s): %lu idle calls",
			   &ms, &n, &calls) == 3 &&
		    n == 2 && ms >= 1000)
			set_one("idle.tamago_sleep", calls);
		else
			fail("%s: no idle line from 2 vCPUs", "tamago idle");
	} else {
		fail("packing %s failed", "tamago idle");
	}
	free(o.text);
	unlink(dts);
	unlink(dtb);
}

static void footprint_tamago(void)
{
	off_t size;

	if (have_file("go/hello", &size))
		set_one("footprint.go_hello", (uint64_t)size);
	else
		fail("%s missing", "go/hello");
	if (need_tamago("tamago/hello", "footprint.tamago_hello") &&
	    have_file("tamago/hello", &size))
		set_one("footprint.tamago_hello", (uint64_t)size);
	if (need_tamago("tamago/hello", "footprint.min_ram_tamago"))
		min_ram_go("footprint.min_ram_tamago", "hello", NULL);
}

/* ---------------------------------------------------------------- baseline, report */

static void read_baseline(void)
{
	FILE *f = fopen(baseline_path, "r");
	char line[1024];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char name[64];
		unsigned long v;
		const char *p = strstr(line, "\"name\": \"");
		const char *q = strstr(line, "\"value\": ");

		if (!p || !q || sscanf(p, "\"name\": \"%63[^\"]\"", name) != 1)
			continue;
		for (size_t i = 0; i < NFIGS; i++)
			if (!strcmp(figs[i].name, name) && sscanf(q, "\"value\": %lu", &v) == 1) {
				figs[i].base_have = true;
				figs[i].base = v;
			}
	}
	fclose(f);
}

/* latest / baseline, or a negative number when there is nothing to compare. */
static double ratio_of(const struct figure *f)
{
	if (!f->have || !f->base_have)
		return -1;
	if (f->base == 0)
		return f->value == 0 ? 1.0 : 1e9;
	return (double)f->value / (double)f->base;
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int write_json(const char *path, bool with_time)
{
	FILE *f = fopen(path, "w");
	char stamp[64] = "";
	time_t t = time(NULL);

	if (!f)
		return -1;
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	fprintf(f, "{\n  \"schema\": \"gohv-bench-1\",\n");
	if (with_time)
		fprintf(f, "  \"timestamp\": \"%s\",\n", stamp);
	fprintf(f, "  \"qemu\": \"%s\",\n  \"figures\": [\n", qemu_cmd_icount);
	for (size_t i = 0; i < NFIGS; i++) {
		const struct figure *g = &figs[i];

		fprintf(f, "    {\"name\": \"%s\", ", g->name);
		if (g->have)
			fprintf(f, "\"value\": %lu, ", (unsigned long)g->value);
		else
			fprintf(f, "\"value\": null, ");
		fprintf(f, "\"unit\": \"%s\", ", g->unit);
		if (g->have && g->n)
			fprintf(f, "\"min\": %lu, \"max\": %lu, \"n\": %u, ", (unsigned long)g->min,
				(unsigned long)g->max, g->n);
		if (!g->have) {
			fprintf(f, "\"note\": ");
			json_string(f, g->note ? g->note : "not measured");
			fprintf(f, ", ");
		}
		fprintf(f, "\"method\": ");
		json_string(f, g->method);
		fprintf(f, "}%s\n", i + 1 < NFIGS ? "," : "");
	}
	fprintf(f, "  ]\n}\n");
	return fclose(f);
}

static unsigned print_table(void)
{
	unsigned worse = 0;

	printf("\n%-30s %10s %-6s %10s %7s  %s\n", "figure", "value", "unit", "baseline", "ratio",
	       "method");
	for (size_t i = 0; i < NFIGS; i++) {
		const struct figure *g = &figs[i];
		char val[48], base[32], ratio[24];
		double r = ratio_of(g);

		if (g->have)
			snprintf(val, sizeof(val), "%lu", (unsigned long)g->value);
		else
			snprintf(val, sizeof(val), "n/a");
		if (g->base_have)
			snprintf(base, sizeof(base), "%lu", (unsigned long)g->base);
		else
			snprintf(base, sizeof(base), "-");
		if (r < 0)
			snprintf(ratio, sizeof(ratio), "-");
		else if (r >= 1e9)
			snprintf(ratio, sizeof(ratio), "inf");
		else
			snprintf(ratio, sizeof(ratio), "%.2f", r);
		bool bad = r > WORSE_RATIO;
		worse += bad;
		printf("%-30s %10s %-6s %10s %7s%s %s%s%s\n", g->name, val, g->unit, base, ratio,
		       bad ? "!" : " ", g->method, g->have ? "" : " -- ",
		       g->have ? "" : (g->note ? g->note : "not measured"));
	}
	return worse;
}

/* latest vs baseline per figure, log scale (the figures span 1 to 10^6). */
static void write_chart(const char *dir)
{
	char dat[600], gp[600], png[600];

	snprintf(dat, sizeof(dat), "%s/chart.dat", dir);
	snprintf(gp, sizeof(gp), "%s/chart.gp", dir);
	snprintf(png, sizeof(png), "%s/chart.png", dir);
	FILE *f = fopen(dat, "w");
	if (!f)
		return;
	fprintf(f, "# figure baseline latest\n");
	for (size_t i = 0; i < NFIGS; i++) {
		const struct figure *g = &figs[i];

		if (!g->have && !g->base_have)
			continue;
		/* Log scale: plot zero as 0.5 so that it still shows as a stub. */
		double b = g->base_have ? (g->base ? (double)g->base : 0.5) : 0;
		double l = g->have ? (g->value ? (double)g->value : 0.5) : 0;
		fprintf(f, "\"%s (%s)\" ", g->name, g->unit);
		if (g->base_have)
			fprintf(f, "%g ", b);
		else
			fprintf(f, "NaN ");
		if (g->have)
			fprintf(f, "%g\n", l);
		else
			fprintf(f, "NaN\n");
	}
	fclose(f);
	f = fopen(gp, "w");
	if (!f)
		return;
	bool any_base = false;
	for (size_t i = 0; i < NFIGS; i++)
		any_base |= figs[i].base_have;
	fprintf(f,
		"set terminal pngcairo noenhanced size 1400,700 font 'sans,9'\n"
		"set output '%s'\n"
		"set title 'gohv make bench: latest vs baseline (QEMU %s; lower is better)'\n"
		"set style data histograms\nset style histogram clustered gap 1\n"
		"set style fill solid 0.8 border -1\nset boxwidth 0.9\n"
		"set logscale y\nset yrange [0.4:*]\nset grid ytics\n"
		"set xtics rotate by -40 left nomirror\nset bmargin 12\nset rmargin 12\nset key "
		"top left\n",
		png, qemu_cmd_icount);
	if (any_base)
		fprintf(f,
			"plot '%s' using 2:xtic(1) title 'baseline' lc rgb '#9999aa', '' using 3 "
			"title 'latest' lc rgb '#3366cc'\n",
			dat);
	else
		fprintf(f, "plot '%s' using 3:xtic(1) title 'latest' lc rgb '#3366cc'\n", dat);
	fclose(f);
	char *argv[] = {"gnuplot", gp, NULL};
	if (run_quiet(argv) != 0)
		fprintf(stderr, "gohv-bench: gnuplot failed or is missing: no chart\n");
	else
		printf("chart: %s\n", png);
}

/* --only: the scenarios to run (a comma-separated list of want()'s names), NULL for all. */
static const char *only;

static bool want(const char *name, const char *what)
{
	size_t n = strlen(name);

	for (const char *p = only; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, name, n) && (p[n] == ',' || !p[n]))
			goto yes;
	if (only)
		return false;
yes:
	fprintf(stderr, "gohv-bench: %s...\n", what);
	return true;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"build", required_argument, NULL, 'b'},	{"opensbi", required_argument, NULL, 'o'},
	    {"baseline", required_argument, NULL, 'B'}, {"write-baseline", no_argument, NULL, 'w'},
	    {"only", required_argument, NULL, 'O'},	{NULL, 0, NULL, 0},
	};
	bool write_baseline = false;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			build_dir = optarg;
			break;
		case 'o':
			opensbi = optarg;
			break;
		case 'B':
			baseline_path = optarg;
			break;
		case 'w':
			write_baseline = true;
			break;
		case 'O':
			only = optarg;
			break;
		default:
			fprintf(stderr,
				"usage: gohv-bench --build DIR [--opensbi FILE] "
				"[--baseline FILE] [--write-baseline] [--only calls,sbi,...]\n");
			return 2;
		}
	}
	if (only && write_baseline) {
		fprintf(stderr, "gohv-bench: a baseline is written from a whole run, not --only\n");
		return 2;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/gohv-bench-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("gohv-bench: mkdtemp");
		return 2;
	}

	double t0 = now_s();
	if (want("calls", "calls and timers"))
		scenario_calls();
	if (want("sbi", "SBI-only guest, under gohv and on the firmware alone"))
		scenario_sbi_only();
	if (want("wake", "idle-then-wake"))
		scenario_wake();
	if (want("chan", "channel doorbell"))
		scenario_chan();
	if (want("msgchan", "channel messages, C and Go"))
		scenario_msgchan();
	if (want("http", "HTTP through netd"))
		scenario_http();
	if (want("virtio", "passthrough"))
		scenario_virtio();
	if (want("sched", "shared CPU"))
		scenario_sched();
	if (want("fault", "stage-2 fault"))
		scenario_fault();
	if (want("boot", "boot"))
		scenario_boot();
	if (want("footprint", "footprint")) {
		footprint_elf();
		footprint_min_ram();
	}
	if (want("go", "Go boot and footprint")) {
		scenario_go_main();
		footprint_min_ram_go();
	}
	if (want("tamago", "GOOS=tamago boot, idle and footprint")) {
		scenario_tamago_main();
		scenario_tamago_idle();
		footprint_tamago();
	}
	rmdir(tmpdir);

	char dir[512], json[600];
	path_of(dir, sizeof(dir), "%s", "bench");
	mkdir(dir, 0777);
	snprintf(json, sizeof(json), "%s/results.json", dir);
	if (write_json(json, true)) {
		perror("gohv-bench: results.json");
		return 2;
	}
	if (write_baseline) {
		if (failures) {
			fprintf(stderr, "gohv-bench: not writing a baseline from a failed run\n");
			return 1;
		}
		if (write_json(baseline_path, false)) {
			perror("gohv-bench: baseline");
			return 2;
		}
		printf("baseline written: %s\n", baseline_path);
	}
	read_baseline();
	unsigned worse = print_table();
	printf("\nresults: %s (%.1f s)\n", json, now_s() - t0);
	write_chart(dir);
	if (worse)
		printf(
		    "WARNING: %u figure(s) more than %.0f%% worse than the baseline (marked !)\n",
		    worse, (WORSE_RATIO - 1) * 100);
	else
		printf("no figure is more than %.0f%% worse than the baseline %s\n",
		       (WORSE_RATIO - 1) * 100, baseline_path);
	if (failures) {
		fprintf(stderr, "gohv-bench: %d scenario(s) failed\n", failures);
		return 1;
	}
	return 0;
}
