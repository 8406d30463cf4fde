/*
 * Go programs on gohv, end to end: the examples under examples/go run with `gohv run` (their
 * output and exit codes as a host command would give them), two Go partitions side by side from a
 * board (tests/boards/go-*.dts with initrds from `gohv initrd`), and standard-library test
 * binaries (tests/go-stdlib.txt) run as `go test -exec` would run them.
 *
 * Built into its own binary ($(BUILD)/tests/go-tests, `make go-test`, part of `make test`) and run
 * one QEMU at a time. Most partitions run on real parallel harts in host time; the tests that
 * measure lateness use `gohv run --icount` (virtual time), so a busy host cannot move them.
 * Environment: GOHV_BUILD (the build folder), GOHV_OPENSBI, GOHV_GOROOT (default
 * /usr/lib/go-1.19), GOHV_SPIN_TOLERANCE_US (default 30000), GOHV_SLEEP_TOLERANCE_MS (default 10).
 */
#define _GNU_SOURCE /* nftw */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "examples.h"
#include "grun.h"
#include "harness.h"

#define STDLIB_LIST "tests/go-stdlib.txt"
#define PKG_MAX	    64
#define PKGS_MAX    64

/* gohv run [opts...] $(BUILD)/go/<example> [args...]: opts and args are NULL-terminated lists. */
static void run_example(const char *example, const char *const *opts, const char *const *args,
			struct grun *r)
{
	const char *argv[48];
	int n = 0;
	const char *prog = bpath(example);

	need(bpath("tools/gohv"), "build it with `make tools`");
	need(bpath("guests/gort.elf"), "build it with `make gort`");
	need(bpath("hv/gohv.elf"), "build it with `make hv`");
	need(prog, "build the Go examples with `make go-examples`");
	argv[n++] = bpath("tools/gohv");
	argv[n++] = "run";
	argv[n++] = "--no-cwd";
	argv[n++] = "--timeout";
	argv[n++] = "300";
	for (; opts && *opts && n < 40; opts++)
		argv[n++] = *opts;
	argv[n++] = prog;
	for (; args && *args && n < 46; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	run_cmd(NULL, argv, NULL, r);
}

TestSuite(go, .timeout = 600);

/* ------------------------------------------------------------------ the examples */

Test(go, hello)
{
	struct grun r;

	run_example("go/hello", NULL, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "hello from Go on gohv\n");
	expect_out(&r, "GOOS=linux GOARCH=riscv64\n");
	expect_out(&r, "GOMAXPROCS=2 ");
	/* The hv's own lines stay hidden without -v, and the partition tag is stripped. */
	cr_assert_null(strstr(r.out, "gohv:"), "%s", r.out);
	cr_assert_null(strstr(r.out, "[go]"), "%s", r.out);
	grun_free(&r);
}

Test(go, gomaxprocs_follows_vcpus)
{
	static const char *const one[] = {"--vcpus", "1", NULL}, *const three[] = {"--vcpus", "3",
										   NULL};
	struct grun r;

	run_example("go/hello", one, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "GOMAXPROCS=1 NumCPU=1\n");
	grun_free(&r);
	run_example("go/hello", three, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "GOMAXPROCS=3 NumCPU=3\n");
	grun_free(&r);
}

Test(go, verbose_shows_the_hv)
{
	static const char *const v[] = {"-v", NULL};
	struct grun r;

	run_example("go/hello", v, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "hello from Go on gohv\n");
	cr_assert(strstr(r.err, "gohv: partition go exited with code 0"), "%s", r.err);
	grun_free(&r);
}

Test(go, goroutines)
{
	struct grun r;

	run_example("go/goroutines", NULL, NULL, &r);
	expect_goroutines_ok(&r);
	grun_free(&r);
}

Test(go, timers)
{
	struct grun r;

	/* Virtual time: what is measured is gort and the hv, not how busy the test machine is. */
	static const char *const icount[] = {"--icount", NULL};
	run_example("go/timers", icount, NULL, &r);
	expect_out(&r, "sleep 1ms: took ");
	expect_out(&r, "sleep 50ms: took ");
	expect_timers_ok(&r);
	grun_free(&r);
}

Test(go, gc_in_64_mib)
{
	static const char *const mem[] = {"--memory", "64M", NULL};
	struct grun r;

	run_example("go/gc", mem, NULL, &r);
	expect_gc_ok(&r);
	expect_out(&r, "NumGC=");
	grun_free(&r);
}

Test(go, crypto)
{
	struct grun r;

	run_example("go/crypto", NULL, NULL, &r);
	expect_crypto_ok(&r);
	grun_free(&r);
}

Test(go, crypto_digest_matches_host)
{
	struct grun r, host;
	static const char *const sh[] = {"sh", "-c",
					 "printf %s 'hello from Go on gohv' | sha256sum", NULL};

	run_cmd(NULL, sh, NULL, &host);
	cr_assert_eq(host.status, 0);
	host.out[64] = 0;
	run_example("go/crypto", NULL, NULL, &r);
	expect_status(&r, 0);
	char want[80];
	snprintf(want, sizeof(want), "sha256=%s\n", host.out);
	expect_out(&r, want);
	grun_free(&r);
	grun_free(&host);
}

Test(go, panic_exits_2_with_a_trace)
{
	struct grun r;

	run_example("go/panic", NULL, NULL, &r);
	expect_status(&r, 2);
	expect_out(&r, "about to panic\n");
	/* Go writes the panic and its trace to fd 2: they come out on gohv's stderr. */
	expect_err(&r, "panic: ");
	expect_err(&r, "partition error: something went wrong on purpose");
	expect_err(&r, "goroutine ");
	expect_err(&r, "main.fail(");
	expect_err(&r, "main.main()");
	cr_assert_null(strstr(r.out, "panic: "), "the trace is not on stdout: %s", r.out);
	grun_free(&r);
}

static void add_letters(char **buf, size_t *len, size_t n)
{
	for (size_t i = 0; i < n; i++)
		append(buf, len, &"abcdefghijklmnopqrstuvwxyz"[i % 26], 1);
	append(buf, len, "\n", 1);
}

static void expect_bytes(const char *what, const char *got, size_t got_len, const char *want,
			 size_t want_len)
{
	size_t i = 0;

	while (i < got_len && i < want_len && got[i] == want[i])
		i++;
	cr_assert(i == got_len && i == want_len,
		  "%s: %zu bytes, want %zu; first difference at byte %zu (got 0x%02x, want 0x%02x)",
		  what, got_len, want_len, i, i < got_len ? (unsigned char)got[i] : 0,
		  i < want_len ? (unsigned char)want[i] : 0);
}

/* tests/go/output: each stream byte for byte, on its own stream. */
Test(go, output_passes_through_byte_for_byte)
{
	static const size_t lens[] = {160, 320, 161, 159, 0};
	char *out = NULL, *err = NULL, all[256];
	size_t olen = 0, elen = 0;
	struct grun r;

	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		add_letters(&out, &olen, lens[i]);
	append(&out, &olen, "cr\rmid\r\nback\\slash \\x41\n",
	       strlen("cr\rmid\r\nback\\slash \\x41\n"));
	append(&out, &olen, all, 256);
	append(&out, &olen, "\npartial rest\nout tail", strlen("\npartial rest\nout tail"));
	append(&err, &elen, "err line\n", strlen("err line\n"));
	append(&err, &elen, all, 256);
	append(&err, &elen, "err tail", strlen("err tail"));

	run_example("go/output", NULL, NULL, &r);
	expect_status(&r, 0);
	if (r.out_len != olen || memcmp(r.out, out, olen) || r.err_len != elen ||
	    memcmp(r.err, err, elen))
		dump(&r);
	expect_bytes("stdout", r.out, r.out_len, out, olen);
	expect_bytes("stderr", r.err, r.err_len, err, elen);
	free(out);
	free(err);
	grun_free(&r);
}

Test(go, exit3)
{
	struct grun r;

	run_example("go/exit3", NULL, NULL, &r);
	expect_status(&r, 3);
	expect_out(&r, "exiting with 3\n");
	grun_free(&r);
}

Test(go, out_of_memory_is_go_own_fatal_error)
{
	static const char *const o[] = {"--memory", "64M", NULL};
	struct grun r;

	run_example("go/oom", o, NULL, &r);
	expect_status(&r, 2);
	expect_out(&r, "oom: holding 16 MiB\n");
	cr_assert(strstr(r.out, "fatal error: runtime: out of memory") ||
		      strstr(r.err, "fatal error: runtime: out of memory"),
		  "Go's own out-of-memory error should reach the console");
	grun_free(&r);
}

/* One run that sees both goroutines on different vCPUs at the same moment proves it; a loaded
 * test machine may leave a vCPU's host thread unscheduled for a whole run, so up to 3 tries. */
Test(go, goroutines_run_on_several_vcpus_at_once)
{
	static const char *const o[] = {"--vcpus", "2", NULL};
	struct grun r;
	bool seen = false;

	for (int i = 0; i < 3 && !seen; i++) {
		run_example("go/parallel", o, NULL, &r);
		expect_status(&r, 0);
		expect_out(&r, "parallel: GOMAXPROCS=2 NumCPU=2\n");
		seen = strstr(r.out, "at once on different vCPUs: true") != NULL;
		grun_free(&r);
	}
	cr_assert(seen, "two spinning goroutines never ran on two vCPUs at the same time");
}

/* The host's files (issue 12 item 2, docs/host-files.md): a module on the host with testdata
 * beside the package folder; gohv run from the package folder shares the module (and the Go root)
 * read-only over virtio-9p, so ../testdata resolves as under go test. The guest's writes stay in
 * its memory: the host tree is checked unchanged afterwards. */
static char hf_root[64];

static void hf_write(const char *rel, const void *data, size_t len)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", hf_root, rel);
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void hf_mkdir(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", hf_root, rel);
	cr_assert_eq(mkdir(path, 0755), 0, "%s: %s", path, strerror(errno));
}

static void hf_expect_file(const char *rel, const char *want)
{
	char path[PATH_MAX], buf[256] = "";

	snprintf(path, sizeof(path), "%s/%s", hf_root, rel);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "the host lost %s", rel);
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	cr_assert_str_eq(buf, want, "the guest changed the host's %s", rel);
}

Test(go, host_files_of_the_module_and_goroot_are_shared_read_only)
{
	static const char *const rels[] = {"mod/testdata/sub/deep.txt", "mod/testdata/hello.txt",
					   "mod/testdata/big.bin",	"mod/testdata/link",
					   "mod/testdata/escape",	"mod/go.mod"};
	static const char *const dirs[] = {"mod/testdata/sub", "mod/testdata", "mod/pkg", "mod"};
	enum { BIG = 1536 * 1024 };
	char path[PATH_MAX], cwd[PATH_MAX];
	struct grun r;

	strcpy(hf_root, "/tmp/gohv-hostfiles.XXXXXX");
	cr_assert_not_null(mkdtemp(hf_root));
	hf_mkdir("mod");
	hf_mkdir("mod/pkg");
	hf_mkdir("mod/testdata");
	hf_mkdir("mod/testdata/sub");
	hf_write("mod/go.mod", "module example.com/hostfiles\n", 29);
	hf_write("mod/testdata/hello.txt", "hello from the host\n", 20);
	hf_write("mod/testdata/sub/deep.txt", "deep\n", 5);
	uint8_t *big = malloc(BIG);
	cr_assert_not_null(big);
	for (int i = 0; i < BIG; i++)
		big[i] = (uint8_t)(i * 7 + (i >> 10)); /* hostfiles' pattern() */
	hf_write("mod/testdata/big.bin", big, BIG);
	free(big);
	snprintf(path, sizeof(path), "%s/mod/testdata/link", hf_root);
	cr_assert_eq(symlink("hello.txt", path), 0);
	snprintf(path, sizeof(path), "%s/mod/testdata/escape", hf_root);
	cr_assert_eq(symlink("/etc/shadow", path), 0);

	const char *argv[] = {bpath("tools/gohv"),   "run", "--timeout", "300",
			      bpath("go/hostfiles"), NULL};
	need(argv[4], "build the Go test programs with `make go-test`");
	snprintf(cwd, sizeof(cwd), "%s/mod/pkg", hf_root);
	/* As go test does: runtime.GOROOT() reads it (the binaries are built with -trimpath). */
	char goroot[PATH_MAX + 8];
	snprintf(goroot, sizeof(goroot), "GOROOT=%s", env_or("GOHV_GOROOT", "/usr/lib/go-1.19"));
	const char *env[] = {goroot, NULL};
	run_cmd(cwd, argv, env, &r);
	if (r.status != 0 || !strstr(r.out, "done\n"))
		dump(&r);
	expect_status(&r, 0);
	expect_out(&r, "cwd: pkg\n");
	expect_out(&r, "read: \"hello from the host\\n\"\n");
	expect_out(&r, "list: big.bin escape@ hello.txt link@ sub/\n");
	expect_out(&r, "stat: 1572864 bytes, -rw-r--r--, regular true\n");
	expect_out(&r, "stat sub: dir true\n");
	expect_out(&r, "readlink: hello.txt, reads \"hello from the host\\n\"\n");
	expect_out(&r, "big: 1572864 bytes, first difference at -1\n");
	expect_out(&r, "pread: same true\n");
	expect_out(&r, "deep: \"deep\\n\"\n");
	expect_out(&r, "missing: not exist true\n");
	expect_out(&r, "escape: not exist true\n");
	expect_out(&r, "overlay: hello now \"hello from the host\\nappended\\n\"\n");
	expect_out(&r, "overlay: removed true\n");
	expect_out(&r, "overlay: renamed \"made in the guest\\n\"\n");
	expect_out(&r, "goroot: VERSION go1.19");
	expect_out(&r, "goroot: src/fmt/print.go package fmt true\n");
	expect_out(&r, "done\n");
	grun_free(&r);

	/* The host saw none of the guest's writes. */
	hf_expect_file("mod/testdata/hello.txt", "hello from the host\n");
	hf_expect_file("mod/testdata/sub/deep.txt", "deep\n");
	snprintf(path, sizeof(path), "%s/mod/testdata/new.txt", hf_root);
	cr_assert_neq(access(path, F_OK), 0, "the guest's new file reached the host");
	snprintf(path, sizeof(path), "%s/mod/testdata/renamed.txt", hf_root);
	cr_assert_neq(access(path, F_OK), 0, "the guest's rename reached the host");
	for (unsigned i = 0; i < sizeof(rels) / sizeof(rels[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", hf_root, rels[i]);
		cr_assert_eq(unlink(path), 0, "%s: %s", path, strerror(errno));
	}
	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", hf_root, dirs[i]);
		cr_assert_eq(rmdir(path), 0, "%s: %s", path, strerror(errno));
	}
	cr_assert_eq(rmdir(hf_root), 0);
}

/* One entry of the test's own temporary folder, removed (nftw, deepest first, links not followed:
 * nothing outside hf_root is touched). */
static int hf_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (strncmp(path, hf_root, strlen(hf_root)))
		return -1;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void hf_remove_all(void)
{
	cr_assert_eq(nftw(hf_root, hf_remove_one, 16, FTW_DEPTH | FTW_PHYS), 0, "%s: %s", hf_root,
		     strerror(errno));
}

static bool hf_exists(const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", hf_root, rel);
	return lstat(path, &st) == 0;
}

static struct stat hf_stat(const char *rel)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", hf_root, rel);
	cr_assert_eq(lstat(path, &st), 0, "%s: %s", path, strerror(errno));
	return st;
}

/* Read-write shares (`--share DIR:rw`): the guest's changes are made on the host through 9P and
 * the host folder is checked for each afterwards; the read-only share beside it is checked
 * unchanged. Only the test's own temporary folder is created and removed. */
Test(go, host_folder_shared_read_write_gets_the_guests_changes)
{
	enum { BIG = 300000 };
	char rw[PATH_MAX], ro[PATH_MAX], path[PATH_MAX], share_rw[PATH_MAX + 4],
	    share_ro[PATH_MAX + 4];
	struct grun r;
	struct statfs sfs;

	strcpy(hf_root, "/tmp/gohv-rwshare.XXXXXX");
	cr_assert_not_null(mkdtemp(hf_root));
	hf_mkdir("rw");
	hf_mkdir("rw/tree");
	hf_mkdir("rw/tree/sub");
	hf_mkdir("ro");
	hf_write("rw/host.txt", "host line\n", 10);
	hf_write("rw/trunc.txt", "0123456789", 10);
	hf_write("rw/existing.txt", "existing\n", 9);
	hf_write("rw/gone.txt", "gone\n", 5);
	hf_write("rw/tree/sub/x", "x\n", 2);
	hf_write("ro/hello.txt", "hello from the host\n", 20);
	hf_write("ro/gone.txt", "stays\n", 6);
	snprintf(rw, sizeof(rw), "%s/rw", hf_root);
	snprintf(ro, sizeof(ro), "%s/ro", hf_root);
	snprintf(share_rw, sizeof(share_rw), "%s:rw", rw);
	snprintf(share_ro, sizeof(share_ro), "%s:ro", ro);
	cr_assert_eq(statfs(rw, &sfs), 0);
	/* What the host says to a truncate past its file system's limit (0: none there). */
	snprintf(path, sizeof(path), "%s/rw/probe", hf_root);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	cr_assert_geq(fd, 0);
	int too_big = ftruncate(fd, (off_t)1 << 62) ? errno : 0;
	close(fd);
	cr_assert_eq(unlink(path), 0);

	const char *argv[] = {bpath("tools/gohv"), "run",    "--timeout", "300",
			      "--share",	   share_rw, "--share",	  share_ro,
			      bpath("go/rwshare"), rw,	     ro,	  NULL};
	need(argv[8], "build the Go test programs with `make go-test`");
	run_cmd(hf_root, argv, NULL, &r);
	if (r.status != 0 || !strstr(r.out, "done\n"))
		dump(&r);
	expect_status(&r, 0);
	expect_out(&r, "new: \"made in the guest\\n\"\n");
	expect_out(&r, "appended: \"host line\\nguest line\\n\"\n");
	expect_out(&r, "big: 300000 bytes, same true\n");
	expect_out(&r, "truncated: \"0123\"\n");
	expect_out(&r, "moved folder: \"deep\\n\"\n");
	expect_out(&r, "removed: true\n");
	expect_out(&r, "stat: -rw------- 2001-02-03\n");
	char want[64];
	snprintf(want, sizeof(want), "statfs: type %#lx\n", (unsigned long)sfs.f_type);
	expect_out(&r, want);
	expect_out(&r, "sparse: 1099511627776 bytes\n");
	snprintf(want, sizeof(want), "too big: errno %d\n", too_big);
	expect_out(&r, want);
	cr_assert(!hf_exists("rw/huge"));
	expect_out(&r, "mkdir again: exist true\n");
	expect_out(&r, "rmdir full: true\n");
	expect_out(&r, "excl: exist true\n");
	expect_out(&r, "across shares: exdev true\n");
	expect_out(&r, "ro: \"hello from the host\\nguest only\\n\"\n");
	expect_out(&r, "done\n");
	grun_free(&r);

	/* The host has each change of the read-write share. */
	hf_expect_file("rw/new.txt", "made in the guest\n");
	struct stat st = hf_stat("rw/new.txt");
	cr_assert_eq(st.st_mode & 07777, 0600);
	cr_assert_eq(st.st_mtime, 981158400, "mtime %ld", (long)st.st_mtime);
	cr_assert_eq(st.st_nlink, 2, "the hard link is not the host's");
	hf_expect_file("rw/hl", "made in the guest\n");
	snprintf(path, sizeof(path), "%s/rw/sl", hf_root);
	char target[64] = "";
	cr_assert_eq(readlink(path, target, sizeof(target) - 1), 7);
	cr_assert_str_eq(target, "new.txt");
	hf_expect_file("rw/log.txt", "one\ntwo\n");
	hf_expect_file("rw/host.txt", "host line\nguest line\n");
	hf_expect_file("rw/trunc.txt", "0123");
	hf_expect_file("rw/d2/e/f.txt", "deep\n");
	hf_expect_file("rw/renamed.txt", "existing\n");
	cr_assert(!hf_exists("rw/d"), "the folder was not renamed on the host");
	cr_assert(!hf_exists("rw/existing.txt"), "the file was not renamed on the host");
	cr_assert(!hf_exists("rw/gone.txt"), "the file was not removed on the host");
	cr_assert(!hf_exists("rw/tree"), "the folder was not removed on the host");
	snprintf(path, sizeof(path), "%s/rw/big.bin", hf_root);
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f);
	int c, i = 0, bad = -1;
	for (; (c = fgetc(f)) != EOF; i++)
		if (bad < 0 && c != (uint8_t)(i * 13 + (i >> 9)))
			bad = i;
	fclose(f);
	cr_assert_eq(i, BIG);
	cr_assert_eq(bad, -1, "big.bin differs at %d", bad);
	/* The read-only share saw none of it. */
	hf_expect_file("ro/hello.txt", "hello from the host\n");
	hf_expect_file("ro/gone.txt", "stays\n");
	cr_assert(!hf_exists("ro/new.txt"), "the guest's write reached a read-only share");
	cr_assert(!hf_exists("ro/renamed.txt"));
	hf_remove_all();
}

Test(go, unserved_system_call_is_enosys_with_one_line_naming_it)
{
	struct grun r;

	run_example("go/enosys", NULL, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "enosys: swapon: function not implemented (errno 38)\n");
	const char *all = strstr(r.out, "gort: system call swapon (224) is not implemented: ENOSYS")
			      ? r.out
			      : r.err;
	unsigned n = 0;
	for (const char *p = all; (p = strstr(p, "gort: system call swapon")); p++)
		n++;
	cr_assert_eq(n, 1, "want one warning line naming the call, got %u", n);
	grun_free(&r);
}

/* Go's sysmon preempts a goroutine that has run for forcePreemptNS (10 ms), but it only looks
 * every 20 us to 10 ms (its sleep doubles while it finds nothing to do): a wake-up can be 20 ms
 * late plus the signal's delivery (a CI run saw 20011 us). Without async preemption the sleeper
 * never wakes at all, so 30 ms still tells the two apart. */
Test(go, spin_needs_async_preemption)
{
	long tol = strtol(env_or("GOHV_SPIN_TOLERANCE_US", "30000"), NULL, 10);
	struct grun r;
	int wakes = 0;

	static const char *const icount[] = {"--icount", NULL};
	run_example("go/spin", icount, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "spin: done\n");
	for (const char *p = r.out; (p = strstr(p, "late=")); p += 5) {
		long us = strtol(p + 5, NULL, 10);

		if (us > tol)
			dump(&r);
		cr_assert_leq(us, tol, "a wake-up was %ld us late (tolerance %ld us)", us, tol);
		wakes++;
	}
	cr_assert_eq(wakes, 6, "5 wake lines and the worst: %s", r.out); /* 5 + "worst late=" */
	grun_free(&r);
}

Test(go, timeout_exits_124)
{
	static const char *const t[] = {"--timeout", "1", NULL};
	struct grun r;

	/* A guest that never exits: the C hello example's heartbeat runs forever. */
	run_example("guests/hello.elf", t, NULL, &r);
	expect_status(&r, 124);
	cr_assert(strstr(r.err, "timed out"), "%s", r.err);
	grun_free(&r);
}

/* ------------------------------------------------------------------ boards with Go partitions */

static void boot_go_board(const char *board, struct run *r)
{
	static const char *dirs[2];

	dirs[0] = bpath("go");
	need(bpath("guests/gort.elf"), "build it with `make gort`");
	struct boot_opts o = {.dirs = dirs, .real_time = true, .timeout_s = 300};
	boot_board(board, &o, r);
}

Test(go, two_partitions_side_by_side)
{
	struct run r;

	boot_go_board("go-pair", &r);
	assert_has(&r, "[left] goroutines: ok");
	assert_has(&r, "[left] workers=8 parts=8 sum=50005000 want=50005000 GOMAXPROCS=2");
	assert_has(&r, "[right] verify=true");
	assert_has(&r, "[right] verify tampered=false");
	assert_has(&r, "gohv: partition left exited with code 0");
	assert_has(&r, "gohv: partition right exited with code 0");
	cr_assert(r.exited, "the hv did not power off");
	run_free(&r);
}

/* gort's /dev/chan: two programs exchange 10 000 messages each way, each one arriving whole, once
 * and in order (the reader checks sizes and numbers), while both also write. */
Test(go, ten_thousand_messages_each_way_over_dev_chan)
{
	struct run r;

	need(bpath("go/chanpair.cpio"), "build it with `make go-initrds`");
	boot_go_board("go-chan-count", &r);
	assert_has(&r, "[ping] chanpair: ping: 10000 messages each way in order\n");
	assert_has(&r, "[pong] chanpair: pong: 10000 messages each way in order\n");
	assert_has(&r, "gohv: partition ping exited with code 0");
	assert_has(&r, "gohv: partition pong exited with code 0");
	run_free(&r);
}

/* net/rpc on the *os.File of /dev/chan/rpc (a byte stream over messages), after a read deadline
 * on it passed (the netpoller waits on the device). */
Test(go, net_rpc_over_dev_chan)
{
	struct run r;

	need(bpath("go/chanpair.cpio"), "build it with `make go-initrds`");
	boot_go_board("go-chan-rpc", &r);
	assert_has(&r, "[client] chanpair: client: read before any request: timeout=true\n");
	assert_has(&r, "[client] chanpair: client: 100 calls, sum of squares 338350\n");
	assert_has(&r, "gohv: partition client exited with code 0");
	run_free(&r);
}

/* A read with a buffer smaller than the message: what fits, the rest at the next reads, never
 * bytes of two messages in one read (not SOCK_SEQPACKET's truncation: docs/channels.md). */
Test(go, small_reads_of_dev_chan_keep_the_rest_of_a_message)
{
	struct run r;

	need(bpath("go/chanpair.cpio"), "build it with `make go-initrds`");
	boot_go_board("go-chan-small", &r);
	/* sum over the 50 messages of ceil(length / 7) */
	assert_has(&r,
		   "[small] chanpair: small: 50 messages in 1104 reads of at most 7 bytes, none "
		   "across two\n");
	assert_has(&r, "[big] chanpair: big: 50 messages sent, the reader says \"done\" <nil>\n");
	assert_has(&r, "gohv: partition big exited with code 0");
	assert_has(&r, "gohv: partition small exited with code 0");
	run_free(&r);
}

/* A ring that wakes a vCPU idling while it waits for gort's lock raises no interrupt: busy's
 * vCPUs never idle in gort's scheduler (six threads write to the tmpfs throughout) and its reads
 * wait in gort, so each question is seen only because gort serves what that idle call returned
 * (without it, asker waited for good in 5 runs of 5; with it the test takes ~5 s). */
Test(go, doorbells_reach_a_partition_whose_vcpus_never_idle)
{
	struct run r;

	need(bpath("go/chanpair.cpio"), "build it with `make go-initrds`");
	boot_go_board("go-chan-busy", &r);
	assert_has(&r, "[asker] chanpair: asker: 200 answers in order\n");
	assert_has(&r, "[busy] chanpair: busy: 200 answers while writing, writers busy: true, then "
		       "\"done\" <nil>\n");
	assert_has(&r, "gohv: partition asker exited with code 0");
	assert_has(&r, "gohv: partition busy exited with code 0");
	run_free(&r);
}

/* gort's /dev/net0 (guest-abi/gort/netdev.c) on a passed-through virtio-net, QEMU's user network
 * with restrict=on: the MAC and MTU files, the sizes a write refuses, and an ARP request to the
 * gateway answered through raw non-blocking calls with epoll, a blocking read and Go's poller. */
Test(go, dev_net0_sends_an_arp_request_and_reads_the_reply)
{
	static const char *dirs[2];
	struct run r;

	need(bpath("go/netdev.cpio"), "build it with `make go-initrds`");
	dirs[0] = bpath("go");
	struct boot_opts o = {.dirs = dirs, .real_time = true, .timeout_s = 300, .user_net = true};
	boot_board("go-net", &o, &r);
	assert_lacks(&r, "FAIL");
	assert_has(&r, "gohv: device net0 (virtio id 1) at 0x10008000 irq 8: partition netd's");
	assert_has(&r, "[netd] netdev: address 52:54:00:12:34:56 mtu 1500\n");
	assert_has(&r, "[netd] netdev: write of 0 bytes: invalid argument\n");
	assert_has(&r, "[netd] netdev: write of 13 bytes: invalid argument\n");
	assert_has(&r, "[netd] netdev: write of 1515 bytes: message too long\n");
	assert_has(&r, "[netd] netdev: write of 9000 bytes: message too long\n");
	assert_has(&r, "[netd] netdev: epoll says writable\n");
	/* slirp's gateway pads its reply to the shortest Ethernet frame. */
	assert_has(&r,
		   "[netd] netdev: non-blocking with epoll: 10.0.2.2 is at 52:55:0a:00:02:02 (64 "
		   "bytes)\n");
	assert_has(&r, "[netd] netdev: an ARP reply read into 20 bytes: 20\n");
	assert_has(&r, "[netd] netdev: blocking: 10.0.2.2 is at 52:55:0a:00:02:02\n");
	assert_has(&r, "[netd] netdev: os.File: a read past its deadline: i/o timeout\n");
	assert_has(&r, "[netd] netdev: os.File: 10.0.2.2 is at 52:55:0a:00:02:02\n");
	assert_has(&r, "[netd] netdev: ok\n");
	assert_has(&r, "gohv: partition netd exited with code 0");
	run_free(&r);
}

Test(go, eight_go_partitions_share_two_cpus)
{
	struct run r;
	char want[64];

	boot_go_board("go-dense", &r);
	cr_assert(r.exited, "the hv did not power off");
	cr_assert_eq(run_count(&r, "] hello from Go on gohv\n"), 6);
	cr_assert_eq(run_count(&r, "] GOMAXPROCS=2 NumCPU=2\n"), 6);
	assert_has(&r, "[g6] goroutines: ok");
	assert_has(&r, "[g7] verify=true");
	for (int i = 0; i < 8; i++) {
		snprintf(want, sizeof(want), "gohv: partition g%d exited with code 0\n", i);
		assert_has(&r, want);
	}
	run_free(&r);
}

Test(go, panic_in_one_partition_other_keeps_running)
{
	struct run r;

	boot_go_board("go-panic", &r);
	assert_has(&r, "[bad:err] panic: ");
	assert_has(&r, "[bad:err] goroutine ");
	assert_has(&r, "gohv: partition bad exited with code 2");
	assert_has(&r, "[good] timers: done");
	assert_has(&r, "gohv: partition good exited with code 0");
	long bad = run_pos(&r, "gohv: partition bad exited"),
	     good = run_pos(&r, "[good] tick 5 at ");
	cr_assert_lt(bad, good, "the good partition's work should continue after the panic");
	run_free(&r);
}

/* A program that pets /dev/watchdog, by write and by ioctl, then livelocks: the hv stops it once,
 * after it stopped petting and not before, though the Go runtime runs on around the spinning
 * worker and its other vCPU keeps idling (gort pets only when the program does). Under -icount,
 * so the pets are due at exact points of the program's own time. */
Test(go, a_program_that_stops_petting_dev_watchdog_is_stopped)
{
	static const char *dirs[2];
	const char *expired = "gohv: fault: partition wd: watchdog expired (no pet for 1000 ms)\n";
	struct run r;

	dirs[0] = bpath("go");
	need(bpath("go/watchdog.cpio"), "build it with `make go-initrds`");
	struct boot_opts o = {.dirs = dirs, .timeout_s = 300};
	boot_board("go-watchdog", &o, &r);
	cr_assert(r.exited, "the hv did not power off");
	assert_has(&r, "[wd] watchdog: identity=\"gohv watchdog\" options=0x8000\n");
	assert_has(&r, "[wd] watchdog: timeout=1s\n");
	assert_has(&r, "[wd] watchdog: 8 pets by write\n");
	assert_has(&r, "[wd] watchdog: 8 pets by ioctl\n");
	long stopped = run_pos(&r, "[wd] watchdog: stopped petting\n");
	cr_assert_geq(stopped, 0, "the program was stopped while it still petted");
	cr_assert_gt(run_pos(&r, expired), stopped);
	cr_assert_eq(run_count(&r, expired), 1);
	assert_has(&r, "gohv: partition wd exited with code 255 (fault)\n");
	assert_lacks(&r, "still running");
	run_free(&r);
}

Test(go, without_a_watchdog_there_is_no_dev_watchdog)
{
	static const char *const args[] = {"absent", NULL};
	struct grun r;

	run_example("go/watchdog", NULL, args, &r);
	expect_status(&r, 0);
	expect_out(&r, "watchdog: absent: open /dev/watchdog: no such file or directory\n");
	grun_free(&r);
}

/* ------------------------------------------------------------------ the standard library */

struct pkg {
	char name[PKG_MAX];
	char skip[1024]; /* comma-separated test names left out; NAME* a prefix */
	bool zoneinfo;	 /* needs $GOROOT/lib/time/zoneinfo.zip, which Debian does not ship */
};

/* ------------------------------------------------------------------ a Linux-shaped environment */

/* tests/go/exec: subprocesses (guest-abi/gort/process.c) the way Go's own tests make them, by
 * re-executing os.Args[0] with an environment variable: exit codes, stdin, stdout and stderr
 * through pipes byte for byte (1 MiB), a child ended by SIGTERM and by SIGKILL, the errors of a
 * missing and of a non-executable program (the exec-error pipe), four children at once, each
 * child's own copy of the program's memory and its pid/ppid, 40 children in turn in a 64 MiB
 * partition (each one's memory comes back), and a read-only page of the program made writable
 * and changed, which its child (the same file) still reads as built. */
Test(go, exec_children_by_reexecuting_the_program)
{
	static const char *const o[] = {"--memory", "64M", NULL};
	struct grun r;

	run_example("go/exec", o, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "exit0: \"child ok\\n\" err <nil>\n");
	expect_out(&r, "exit3: exit code 3 (exit status 3)\n");
	expect_out(&r, "echo: \"hello stdin\\n\" stderr \"read 12\\n\" err <nil>\n");
	expect_out(&r, "big: stdout 1048576 bytes same true, stderr 65536 bytes same true, err "
		       "<nil>\n");
	expect_out(&r, "kill: said \"sleeping\\n\", signal: terminated, signaled true "
		       "terminated\n");
	expect_out(&r, "sigkill: signal: killed\n");
	expect_out(&r, "many: 40 of 40 children in turn ran\n");
	expect_out(&r, "missing: fork/exec /no/such/program: no such file or directory\n");
	expect_out(&r, "not executable: fork/exec /etc/hosts: permission denied\n");
	expect_out(&r, "concurrent: \"id 0\\n\"/<nil> \"id 1\\n\"/<nil> \"id 2\\n\"/<nil> "
		       "\"id 3\\n\"/<nil>\n");
	expect_out(&r, "memory: child saw 42, parent has 7; child pid differs true, its ppid is "
		       "ours true, err <nil>\n");
	/* Read-only pages mapped from the initrd: made writable they are the program's own copy. */
	expect_out(&r, "text: parent has \"CHANGED\" (mprotect err <nil>), child has \"gohv "
		       "read-only marker, as built\", err <nil>\n");
	/* A child given the console as its stdout writes there itself. */
	expect_out(&r, "\nchild ok\ninherit: err <nil>\n");
	expect_out(&r, "exec: done\n");
	grun_free(&r);
}

/* tests/go/linuxenv: the memory devices (guest-abi/gort/devices.c), the user and the hosts file
 * gort provides (etc.c), seen through Go's own packages. */
Test(go, dev_null_zero_full_urandom_os_user_and_etc_hosts)
{
	struct grun r;

	run_example("go/linuxenv", NULL, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "null: read 0 bytes\n");
	expect_out(&r, "null: template \"null\" parsed\n");
	expect_out(&r, "zero: 10000 bytes, all zero true\n");
	expect_out(&r, "full: write ENOSPC true\n");
	expect_out(&r, "urandom: two reads differ true, not zero true\n");
	expect_out(&r, "user: current root uid=0 gid=0 home=/\n");
	expect_out(&r, "user: root uid=0 group root\n");
	expect_out(&r, "env: USER=root LOGNAME=root HOME=/\n");
	expect_out(&r, "hosts: localhost [127.0.0.1 ::1]\n");
	expect_out(&r, "hosts: own name [127.0.1.1]\n");
	grun_free(&r);
}

/* tests/go/tmpfs: gort's writable tree through Go's os package (guest-abi/gort/fs.c): temporary
 * folders and files, O_APPEND, holes, truncation, rename over a file, symbolic and hard links,
 * chmod/chown/chtimes,
 * an unlinked open file, WalkDir, RemoveAll, writes in the initrd's folders, and ENOSPC once a
 * 64 MiB partition's share for files is full. */
Test(go, tmpfs_temp_files_rename_walk_remove_and_enospc)
{
	static const char *const o[] = {"--memory", "64M", NULL};
	static const char *const args[] = {"fill", NULL};
	struct grun r;

	run_example("go/tmpfs", o, args, &r);
	expect_status(&r, 0);
	expect_out(&r, "mkdirtemp: in /tmp true, mode drwx------\n");
	expect_out(&r, "append: \"hello, tmpfs\\n\"\n");
	expect_out(&r, "excl: exists true\n");
	expect_out(&r, "big: 300000 bytes, same true\n");
	expect_out(&r, "hole: 10000 zeros then \"end\"\n");
	expect_out(&r, "truncate: 3 bytes \"\\x00\\x00\\x00\"\n");
	expect_out(&r, "os.Truncate: \"\\x00\\a\\x0e\\x15\\x1c\"\n");
	expect_out(&r, "rename: b=\"A\", a gone true\n");
	expect_out(&r, "symlink: -> b, reads \"A\", is link true\n");
	expect_out(&r, "link: same file true, links 2\n");
	expect_out(&r, "chmod: -rw-------, mtime true, owner 1000:100\n");
	expect_out(&r, "unlinked: still reads \"A\", name gone true\n");
	expect_out(&r, "walk: ./ one x/ x/two x/y/ x/y/three z/ z/four\n");
	expect_out(&r, "readdir: two:false y:true\n");
	expect_out(&r, "removeall: gone true\n");
	expect_out(&r, "initrd: the program's folder has made-here tmpfs\n");
	expect_out(&r, "initrd: appended true\n");
	expect_out(&r, "initrd: /.gort has argv env\n");
	expect_out(&r, "statfs: tmpfs true, room true\n");
	expect_out(&r, "fill: ENOSPC true after true MiB, size matches true\n");
	expect_out(&r, "fill: room back true, writes again true\n");
	expect_out(&r, "done: temp dir gone true\n");
	const char *mib = strstr(r.out, " MiB written");
	if (mib)
		while (mib > r.out && mib[-1] >= '0' && mib[-1] <= '9')
			mib--;
	cr_assert(mib, "no fill figure in:\n%s", r.out);
	/* Files take at most half of what the program has left (fsmem's budget). */
	long got = strtol(mib, NULL, 10);
	cr_assert(got >= 16 && got < 32, "filled %ld MiB of a 64 MiB partition", got);
	test_figure("tmpfs: a 64 MiB partition holds %ld MiB of files before ENOSPC", got);
	grun_free(&r);
}

/* A 1 GiB partition (the hv used to refuse it: the machine's device tree cut RAM in two), in
 * virtual time so a loaded host cannot slow it down. The program holds 384 MiB, more than the
 * default 256 MiB has; it writes one byte a page, so the run stays short. */
Test(go, a_partition_of_1_gib_holds_384_mib)
{
	static const char *const o[] = {"--icount", "--memory", "1G", NULL};
	static const char *const args[] = {"mem", "384", NULL};
	struct grun r;

	run_example("go/linuxenv", o, args, &r);
	expect_status(&r, 0);
	expect_out(&r, "mem: holding 384 MiB\n");
	grun_free(&r);
}

/* ------------------------------------------------------------------ memory (guest-abi/gort/mm.c)
 */

/* encoding/pem's TestCVE202224675 holds 2 x 114 MiB at once: at the default 256 MiB it needs all
 * but a few MiB of what gort has to give (gort used to refuse writable mappings 17 MiB early). */
Test(go, two_114_mib_buffers_fit_a_256_mib_partition)
{
	static const char *const o[] = {"--memory", "256M", NULL};
	static const char *const args[] = {"pem", NULL};
	struct grun r;

	run_example("go/memory", o, args, &r);
	expect_status(&r, 0);
	expect_out(&r, "pem: 114 MiB decoded: ok\n");
	grun_free(&r);
}

/* Allocating and dropping 8 times the partition's RAM never runs out: freed memory (the Go
 * scavenger's madvise, the GC's reuse) comes back. */
Test(go, allocating_8_times_the_ram_in_a_loop_never_runs_out)
{
	static const char *const o[] = {"--memory", "256M", NULL};
	static const char *const args[] = {"churn", "2048", NULL};
	struct grun r;

	run_example("go/memory", o, args, &r);
	expect_status(&r, 0);
	expect_out(&r, "churn: 2050 MiB allocated: ok\n");
	grun_free(&r);
}

/* Filling the RAM ends in the Go runtime's own out-of-memory error (exit 2), not gort's, and only
 * once the RAM is really used: of the 256 MiB, gort, its packed files and the program's own image
 * take about 10 MiB; the rest, all but 24 MiB, is held in 1 MiB buffers (17 MiB were kept back). */
Test(go, filling_the_ram_gets_the_runtimes_out_of_memory_only_when_it_is_used_up)
{
	static const char *const o[] = {"--memory", "256M", NULL};
	static const char *const args[] = {"fill", NULL};
	struct grun r;
	long held = 0;

	run_example("go/memory", o, args, &r);
	expect_status(&r, 2);
	const char *all = strstr(r.err, "fatal error: runtime: out of memory") ? r.err : r.out;
	if (!strstr(all, "fatal error: runtime: out of memory"))
		dump(&r);
	cr_assert(strstr(all, "fatal error: runtime: out of memory"), "no runtime OOM error");
	cr_assert_null(strstr(r.out, "gort: out of memory"), "gort stopped it, not the runtime");
	cr_assert_null(strstr(r.err, "gort: out of memory"), "gort stopped it, not the runtime");
	for (const char *p = r.out; (p = strstr(p, "fill: held ")); p++)
		held = strtol(p + 11, NULL, 10);
	test_figure(
	    "memory fill: %ld MiB of a 256 MiB partition held before the runtime's out of memory",
	    held);
	if (held < 232)
		dump(&r);
	cr_assert_geq(held, 232, "held only %ld MiB of 256 MiB before the out-of-memory error",
		      held);
	grun_free(&r);
}

/* ------------------------------------------------------------------ signals and timers */

/* A read(2) blocked on a pipe, sent 5 signals whose Go handler has SA_RESTART: each handler runs
 * and the read goes on, returning the byte written after them (gort used to end it with EINTR). */
Test(go, a_blocked_read_interrupted_by_sa_restart_handlers_is_restarted)
{
	static const char *const args[] = {"restart", NULL};
	struct grun r;

	run_example("go/signals", NULL, args, &r);
	expect_status(&r, 0);
	expect_out(&r, "restart: 5 signals handled, read n=1 err=<nil>\n");
	grun_free(&r);
}

/* ITIMER_REAL every 20 ms for 300 ms: SIGALRM arrives about 15 times (a loaded host may delay
 * the sleep's end, never the timer's count below what passed). */
Test(go, setitimer_real_sends_sigalrm_every_interval)
{
	static const char *const args[] = {"itimer", NULL};
	struct grun r;
	long n = -1;

	run_example("go/signals", NULL, args, &r);
	expect_status(&r, 0);
	const char *p = strstr(r.out, "itimer: ");
	if (p)
		n = strtol(p + 8, NULL, 10);
	if (n < 10 || n > 40)
		dump(&r);
	cr_assert(n >= 10 && n <= 40, "%ld SIGALRMs in 300 ms at a 20 ms interval", n);
	grun_free(&r);
}

/* runtime/pprof's CPU profile of 1 s of spinning on both vCPUs (about 2 s of CPU, so about 200
 * samples at its 100 Hz) has samples: its per-thread CLOCK_THREAD_CPUTIME_ID timers (and
 * ITIMER_PROF) deliver SIGPROF. Without them it has none. */
Test(go, a_pprof_cpu_profile_of_a_busy_loop_has_samples)
{
	static const char *const args[] = {"pprof", NULL};
	struct grun r;
	long n = -1, cpu = -1;

	run_example("go/signals", NULL, args, &r);
	expect_status(&r, 0);
	const char *p = strstr(r.out, "pprof: process CPU ");
	if (p)
		cpu = strtol(p + 19, NULL, 10);
	p = strstr(r.out, "pprof: ");
	if ((p = strstr(r.out, " samples (")))
		while (p > r.out && p[-1] >= '0' && p[-1] <= '9')
			p--;
	if (p)
		n = strtol(p, NULL, 10);
	test_figure("pprof: %ld samples over %ld ms of process CPU time", n, cpu);
	if (n < 50 || cpu < 1000)
		dump(&r);
	cr_assert_geq(cpu, 1000, "CLOCK_PROCESS_CPUTIME_ID counted %ld ms for 2 busy vCPUs", cpu);
	cr_assert_geq(n, 50, "a CPU profile of about 2 s of CPU has %ld samples", n);
	grun_free(&r);
}

Test(go, prctl_names_the_thread)
{
	static const char *const args[] = {"prctl", NULL};
	struct grun r;

	run_example("go/signals", NULL, args, &r);
	expect_status(&r, 0);
	expect_out(&r, "prctl: name \"gohv-worker\"\n");
	grun_free(&r);
}

/* One package per line of tests/go-stdlib.txt: "PKG [skip=TestA,TestB*]... [zoneinfo]" (skips
 * add up, so each reason can have its own); '#' starts a comment. */
ParameterizedTestParameters(go, stdlib)
{
	static struct pkg pkgs[PKGS_MAX];
	size_t n = 0;
	char line[2048];
	FILE *f = fopen(STDLIB_LIST, "r");

	if (!f) {
		fprintf(stderr, "%s: %s (run from the source tree)\n", STDLIB_LIST,
			strerror(errno));
		return cr_make_param_array(struct pkg, pkgs, 0);
	}
	while (fgets(line, sizeof(line), f) && n < PKGS_MAX) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *tok = strtok(line, " \t\r\n");
		if (!tok)
			continue;
		struct pkg *p = &pkgs[n++];
		snprintf(p->name, PKG_MAX, "%s", tok);
		while ((tok = strtok(NULL, " \t\r\n"))) {
			if (!strncmp(tok, "skip=", 5)) {
				size_t k = strlen(p->skip);
				snprintf(p->skip + k, sizeof(p->skip) - k, "%s%s", k ? "," : "",
					 tok + 5);
			} else if (!strcmp(tok, "zoneinfo"))
				p->zoneinfo = true;
		}
	}
	fclose(f);
	return cr_make_param_array(struct pkg, pkgs, n);
}

static bool skipped(const struct pkg *p, const char *name)
{
	size_t n = strlen(name);

	for (const char *s = p->skip; *s;) {
		size_t len = strcspn(s, ",");
		bool prefix = len && s[len - 1] == '*';
		if (prefix ? n >= len - 1 && !strncmp(s, name, len - 1)
			   : len == n && !strncmp(s, name, n))
			return true;
		s += len + (s[len] == ',');
	}
	return false;
}

/* -test.run matching every test the binary lists except the skipped ones (Go 1.19 has no
 * -test.skip). The listing runs in the guest too. */
static char *run_pattern(const struct pkg *p, const char *const *opts, int nopts, const char *test,
			 const char *src)
{
	const char *list[24];
	int n = 0;
	struct grun r;

	for (; n < nopts; n++)
		list[n] = opts[n];
	list[n++] = test;
	list[n++] = "-test.list";
	list[n++] = ".";
	list[n] = NULL;

	run_cmd(src, list, NULL, &r);
	cr_assert_eq(r.status, 0, "%s: -test.list failed", p->name);
	size_t cap = strlen(r.out) + 16, len = 0;
	char *pat = malloc(cap);
	len += snprintf(pat, cap, "^(");
	for (char *l = strtok(r.out, "\n"); l; l = strtok(NULL, "\n")) {
		if (!*l || skipped(p, l) || strchr(l, ' '))
			continue;
		len += snprintf(pat + len, cap - len, "%s%s", len > 2 ? "|" : "", l);
	}
	snprintf(pat + len, cap - len, ")$");
	grun_free(&r);
	return pat;
}

ParameterizedTest(struct pkg *p, go, stdlib, .timeout = 1500)
{
	const char *goroot = env_or("GOHV_GOROOT", "/usr/lib/go-1.19");
	char test[PATH_MAX], src[PATH_MAX], file[PKG_MAX], cache[PATH_MAX + 16];
	struct grun r;

	snprintf(file, sizeof(file), "%s", p->name);
	for (char *c = file; *c; c++)
		if (*c == '/')
			*c = '_';
	snprintf(test, sizeof(test), "%s/%s.test", bpath("gotest"), file);
	snprintf(src, sizeof(src), "%s/src/%s", goroot, p->name);
	snprintf(cache, sizeof(cache), "GOCACHE=%s", bpath("gocache"));
	mkdir(bpath("gotest"), 0755);

	/* Built as `go test -exec` would, for the guest. */
	static char home[PATH_MAX + 8];
	snprintf(home, sizeof(home), "HOME=%s", getenv("HOME") ? getenv("HOME") : build_dir());
	const char *env[] = {
	    "CGO_ENABLED=0", "GOOS=linux", "GOARCH=riscv64", "GOFLAGS=", cache, home, NULL};
	const char *build[] = {"go", "test", "-c", "-o", test, p->name, NULL};
	run_cmd(src, build, env, &r);
	if (r.status != 0)
		dump(&r);
	cr_assert_eq(r.status, 0, "go test -c %s failed", p->name);
	grun_free(&r);

	const char *run[16] = {bpath("tools/gohv"), "run", "--vcpus", "2", "--timeout", "1200"};
	int n = 6;
	char zip[PATH_MAX], zip_arg[2 * PATH_MAX + 64], zip_goroot[2 * PATH_MAX + 64],
	    real_src[PATH_MAX], *pattern = NULL;
	if (p->zoneinfo) {
		/* Go's time tests read ../../lib/time/zoneinfo.zip from their source folder. */
		snprintf(zip, sizeof(zip), "%s", bpath("zoneinfo.zip"));
		const char *mk[] = {"go", "run", "tools/mkzoneinfo/main.go", "/usr/share/zoneinfo",
				    zip,  NULL};
		run_cmd(".", mk, env + 3, &r);
		cr_assert_eq(r.status, 0, "mkzoneinfo failed: %s", r.err);
		grun_free(&r);
		cr_assert(realpath(src, real_src));
		snprintf(zip_arg, sizeof(zip_arg), "%s:%s/../../lib/time/zoneinfo.zip", zip,
			 real_src);
		run[n++] = "--file";
		run[n++] = zip_arg;
		/* ... and some (time.GorootZoneSource) from runtime.GOROOT(), the unresolved path.
		 */
		snprintf(zip_goroot, sizeof(zip_goroot), "%s:%s/lib/time/zoneinfo.zip", zip,
			 goroot);
		run[n++] = "--file";
		run[n++] = zip_goroot;
	}
	run[n++] = test;
	run[n++] = "-test.short";
	if (p->skip[0]) {
		pattern = run_pattern(p, run, n - 2, test, src);
		run[n++] = "-test.run";
		run[n++] = pattern;
	}
	run[n] = NULL;
	/* Run from the package's folder, as go test does, so testdata/ is packed and visible. */
	run_cmd(src, run, NULL, &r);
	if (r.status != 0 || !strstr(r.out, "PASS"))
		dump(&r);
	cr_assert_eq(r.status, 0, "%s: exit status %d", p->name, r.status);
	cr_assert(strstr(r.out, "PASS"), "%s: no PASS", p->name);
	grun_free(&r);
	free(pattern);
}

/* tests/go/sockets: gort's sockets on the partition's loopback (guest-abi/gort/sock.c,
 * sock_loop.c) through net, net/http, net/http/httptest and syscall: echo, 50 concurrent
 * connections, HTTP bodies byte for byte, UDP, ECONNREFUSED, a read deadline, half-close,
 * localhost from /etc/hosts, resets and EPIPE, the receive buffer's bound, blocking calls. */
Test(go, sockets_loopback_tcp_udp_http)
{
	struct grun r;

	run_example("go/sockets", NULL, NULL, &r);
	expect_status(&r, 0);
	expect_out(&r, "echo: 1048576 bytes back, same true, local 127.0.0.1\n");
	expect_out(&r, "concurrent: 50 of 50 connections echoed\n");
	expect_out(&r, "http: 5 GETs of 1048593 bytes, 5 same; POST reply ok true\n");
	expect_out(&r, "httptest: 200 \"hello /gort\" on true\n");
	expect_out(&r, "udp: 5 of 5 datagrams whole; truncated \"0123\" then \"next\"\n");
	expect_out(&r, "refused: ECONNREFUSED true\n");
	expect_out(&r, "deadline: timeout true, after 100ms true, before 2s true\n");
	expect_out(&r,
		   "halfclose: reply \"got 4 bytes \\\"half\\\"\", write after CloseWrite EPIPE "
		   "true\n");
	expect_out(&r, "names: localhost is 127.0.0.1, ipv6 refused true, second listen EADDRINUSE "
		       "true\n");
	expect_out(&r, "peergone: read ECONNRESET true, write EPIPE true\n");
	expect_out(&r, "buffers: write held at 208 KiB (timeout true), reader got all true\n");
	expect_out(&r, "raw: blocking accept+read got \"blocking\", peer port matches true\n");
	expect_out(&r, "sockets: done\n");
	cr_assert_null(strstr(r.out, "not implemented"), "%s", r.out);
	grun_free(&r);
}
