/*
 * Runs the built packer ($GOHV_BUILD/tools/gohv-pack) on the configs in tests/boards. Each test
 * generates its own tiny hv and guest ELFs in a temp folder, so these tests depend on nothing but
 * the packer and the compiled test configs.
 */
#include <elf64.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hv/package.h"

extern char **environ;

#define HV_BASE	   0x80200000UL
#define HV_FILESZ  0x40UL
#define HV_MEMSZ   0x1234UL /* bss runs into the second page: the package then starts at +0x2000 */
#define PKG_OFFSET 0x2000UL
#define GUEST_BASE 0x80000000UL

struct pk_run {
	int status;
	char err[4096];
};

static char tmpdir[64];

static const char *build_dir(void)
{
	const char *b = getenv("GOHV_BUILD");
	return b && *b ? b : "build";
}

static char *path_in(const char *dir, const char *name)
{
	static char bufs[8][512];
	static int next;
	char *p = bufs[next++ % 8];

	snprintf(p, sizeof(bufs[0]), "%s/%s", dir, name);
	return p;
}

static char *board_dtb(const char *name)
{
	static char p[512];

	snprintf(p, sizeof(p), "%s/tests/boards/%s.dtb", build_dir(), name);
	cr_assert_eq(access(p, R_OK), 0, "%s missing: build the test configs first", p);
	return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	long n;

	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	data = malloc((size_t)n + 1);
	cr_assert_eq(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return data;
}

/* A minimal executable: one PT_LOAD at paddr with filesz bytes of pattern and the rest bss. */
static void write_elf(const char *path, uint16_t machine, uint64_t paddr, uint64_t filesz,
		      uint64_t memsz)
{
	size_t data_off = 0x80, size = data_off + filesz;
	uint8_t *buf = calloc(1, size);
	struct elf64_ehdr eh = {.type = 2,
				.machine = machine,
				.version = 1,
				.entry = paddr,
				.phoff = sizeof(struct elf64_ehdr),
				.ehsize = sizeof(struct elf64_ehdr),
				.phentsize = sizeof(struct elf64_phdr),
				.phnum = 1};
	struct elf64_phdr ph = {.type = 1,
				.flags = 7,
				.offset = data_off,
				.vaddr = paddr,
				.paddr = paddr,
				.filesz = filesz,
				.memsz = memsz,
				.align = 4096};

	memcpy(eh.ident, "\177ELF\2\1\1", 7);
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), &ph, sizeof(ph));
	for (size_t i = 0; i < filesz; i++)
		buf[data_off + i] = (uint8_t)(i * 7 + machine);
	write_file(path, buf, size);
	free(buf);
}

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/gohv-pack-test-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir), "mkdtemp: %s", strerror(errno));
	write_elf(path_in(tmpdir, "hv.elf"), 243, HV_BASE, HV_FILESZ, HV_MEMSZ);
	write_elf(path_in(tmpdir, "hello.elf"), 243, GUEST_BASE, 0x30, 0x100);
}

static void teardown(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlink(path_in(tmpdir, e->d_name));
	closedir(d);
	rmdir(tmpdir);
}

/* Runs $GOHV_BUILD/tools/TOOL with stdout discarded and stderr captured. */
static void run_tool(struct pk_run *r, const char *tool, const char *const *args)
{
	char pack[512];
	const char *argv[32] = {pack};
	posix_spawn_file_actions_t fa;
	int fds[2], n = 1;
	size_t len = 0;
	ssize_t got;
	pid_t pid;

	snprintf(pack, sizeof(pack), "%s/tools/%s", build_dir(), tool);
	cr_assert_eq(access(pack, X_OK), 0, "%s missing: build the tools first", pack);
	for (; args[n - 1]; n++)
		argv[n] = args[n - 1];
	cr_assert_eq(pipe(fds), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	cr_assert_eq(posix_spawn(&pid, pack, &fa, NULL, (char *const *)argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	while ((got = read(fds[0], r->err + len, sizeof(r->err) - 1 - len)) > 0)
		len += (size_t)got;
	r->err[len] = '\0';
	close(fds[0]);
	cr_assert_eq(waitpid(pid, &r->status, 0), pid);
}

static void run(struct pk_run *r, const char *const *args)
{
	run_tool(r, "gohv-pack", args);
}

static void pack_to(struct pk_run *r, const char *dtb, const char *extra, const char *out,
		    const char *qemu_args)
{
	const char *args[] = {"--hv",
			      path_in(tmpdir, "hv.elf"),
			      "--config",
			      dtb,
			      "-L",
			      tmpdir,
			      "-o",
			      out,
			      "--qemu-args",
			      qemu_args,
			      extra ? "--config-name" : NULL,
			      extra,
			      NULL};
	run(r, args);
}

static void pack(struct pk_run *r, const char *dtb, const char *extra)
{
	pack_to(r, dtb, extra, path_in(tmpdir, "out.img"), path_in(tmpdir, "qemu-args"));
}

/* Exit 1, one line on stderr starting with who, and no output (not even a temp file) left. */
static void expect_failure(const struct pk_run *r, const char *who, const char *what)
{
	size_t wl = strlen(who);
	DIR *d;
	struct dirent *e;

	cr_assert(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 1, "status %d, stderr: %s",
		  r->status, r->err);
	cr_assert(strlen(r->err) > 0 && strchr(r->err, '\n') == r->err + strlen(r->err) - 1,
		  "not exactly one line: \"%s\"", r->err);
	cr_assert(strncmp(r->err, who, wl) == 0 && r->err[wl] == ':',
		  "\"%s\" does not start with \"%s:\"", r->err, who);
	cr_assert(strstr(r->err, what), "\"%s\" does not mention \"%s\"", r->err, what);
	d = opendir(tmpdir);
	cr_assert_not_null(d);
	while ((e = readdir(d)))
		cr_assert(strncmp(e->d_name, "out.img", 7) && strncmp(e->d_name, "qemu-args", 9),
			  "failed run left %s behind", e->d_name);
	closedir(d);
}

TestSuite(packer, .init = setup, .fini = teardown, .timeout = 30);

Test(packer, overlapping_harts)
{
	struct pk_run r;
	const char *dtb = board_dtb("bad-overlapping-harts");

	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, "/partitions/bar: cpus: CPU 1 already belongs to partition foo");
}

Test(packer, shared_partition_on_an_exclusive_cpu)
{
	struct pk_run r;
	const char *dtb = board_dtb("bad-shared-exclusive");

	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, "/partitions/guest: cpus: CPU 1 belongs to partition owner alone");
}

Test(packer, overlapping_channel_windows)
{
	struct pk_run r;
	const char *dtb = board_dtb("bad-channel-overlap");

	pack(&r, dtb, NULL);
	expect_failure(
	    &r, dtb, "/channels/two: address: window 0x40007000-0x4000f000 overlaps channel one's");
}

Test(packer, a_device_for_a_partition_the_board_lacks)
{
	struct pk_run r;
	const char *dtb = board_dtb("bad-device-owner");

	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, "/devices/net0: owner: no partition \"netd\" in /partitions");
}

Test(packer, old_format_packs_with_one_warning)
{
	struct pk_run r;
	const char *dtb = board_dtb("good-legacy-v1");

	pack(&r, dtb, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status %d: %s", r.status,
		  r.err);
	cr_assert(strstr(r.err, ": warning: old config format \"gohv,config-v1\""), "%s", r.err);
	cr_assert_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "one line: %s", r.err);
	cr_assert_eq(access(path_in(tmpdir, "out.img"), F_OK), 0);
}

Test(packer, too_much_memory)
{
	struct pk_run r;
	const char *dtb = board_dtb("bad-too-much-memory");

	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, "/partitions/big: memory-size:");
	cr_assert(strstr(r.err, "more than the board"), "%s", r.err);
}

Test(packer, memory_size_whose_arithmetic_wraps)
{
	struct pk_run r;
	const char *dtb = board_dtb("bad-huge-memory");

	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, "/board: memory-size: 0xffffffffffffffff is more than");
}

Test(packer, missing_image)
{
	struct pk_run r;
	const char *dtb = board_dtb("bad-missing-image");

	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, "/partitions/hello: image: no-such-image.elf not found in");
	cr_assert(strstr(r.err, tmpdir), "does not list the searched folder: %s", r.err);
}

Test(packer, unknown_property)
{
	struct pk_run r;
	const char *dtb = board_dtb("bad-unknown-property");

	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, "/partitions/hello: memory: unknown property");
}

Test(packer, restart_backoff_that_never_grows)
{
	struct pk_run r;
	const char *dtb = board_dtb("bad-backoff");

	pack(&r, dtb, NULL);
	expect_failure(
	    &r, dtb,
	    "/partitions/hello: restart-backoff-ms: <0 100>: a min of 0 never backs off; "
	    "say <0 0> for no backoff");
}

Test(packer, config_name_names_the_source)
{
	struct pk_run r;

	pack(&r, board_dtb("bad-unknown-property"), "boards/x/config.dts");
	expect_failure(&r, "boards/x/config.dts", "unknown property");
}

Test(packer, unreadable_config)
{
	struct pk_run r;
	const char *dtb = path_in(tmpdir, "nothing.dtb");

	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, strerror(ENOENT));
}

Test(packer, config_not_a_device_tree)
{
	struct pk_run r;
	const char *dtb = path_in(tmpdir, "hello.elf");

	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, "not a valid device tree");
}

/* good-minimal with /partitions/hello's first property 12 bytes short of 2^32 long: libfdt's
 * walk wrapped back onto the same tag and the packer spun for ever (the suite's timeout). */
Test(packer, config_with_a_wrapping_property_length)
{
	struct pk_run r;
	const char *bad = path_in(tmpdir, "wrap.dtb");
	size_t len;
	uint8_t *dtb = read_all(board_dtb("good-minimal"), &len);
	int prop = fdt_first_property_offset(dtb, fdt_path_offset(dtb, "/partitions/hello"));
	fdt32_t wrap = cpu_to_fdt32(0xfffffff4u);

	cr_assert_geq(prop, 0);
	memcpy(dtb + fdt_off_dt_struct(dtb) + prop + 4, &wrap, 4);
	write_file(bad, dtb, len);
	free(dtb);
	pack(&r, bad, NULL);
	expect_failure(&r, bad, "not a valid device tree blob (property at ");
	cr_assert(strstr(r.err, "length 4294967284 runs past"), "%s", r.err);
}

/* good-minimal with the node name "hello" made ESC [ 2 J newline: the packer printed it raw. */
Test(packer, control_bytes_from_the_board_are_escaped)
{
	struct pk_run r;
	const char *bad = path_in(tmpdir, "esc.dtb");
	size_t len;
	uint8_t *dtb = read_all(board_dtb("good-minimal"), &len);
	int node = fdt_path_offset(dtb, "/partitions/hello");

	cr_assert_geq(node, 0);
	memcpy(dtb + fdt_off_dt_struct(dtb) + node + 4, "\x1b[2J\n", 5);
	write_file(bad, dtb, len);
	free(dtb);
	pack(&r, bad, NULL);
	expect_failure(&r, bad, "/partitions/\\x1b[2J\\x0a: partition name has '\\x1b'");
	for (const char *ch = r.err; *ch && *ch != '\n'; ch++)
		cr_assert(*ch >= 0x20 && *ch < 0x7f, "raw byte 0x%02x", (unsigned char)*ch);
}

Test(packer, hv_wrong_machine)
{
	struct pk_run r;
	const char *hv = path_in(tmpdir, "hv.elf");

	write_elf(hv, 62, HV_BASE, HV_FILESZ, HV_MEMSZ);
	pack(&r, board_dtb("good-minimal"), NULL);
	expect_failure(&r, hv, "machine 62");
}

Test(packer, image_not_an_elf)
{
	struct pk_run r;
	const char *dtb = board_dtb("good-minimal");

	write_file(path_in(tmpdir, "hello.elf"), "hello", 5);
	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, "/partitions/hello: image: ");
	cr_assert(strstr(r.err, path_in(tmpdir, "hello.elf")), "%s", r.err);
	cr_assert(strstr(r.err, "truncated"), "%s", r.err);
}

Test(packer, image_below_guest_ram)
{
	struct pk_run r;
	const char *dtb = board_dtb("good-minimal");

	write_elf(path_in(tmpdir, "hello.elf"), 243, 0x10000, 0x10, 0x10);
	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, "/partitions/hello: image: ");
	cr_assert(strstr(r.err, "outside the partition"), "%s", r.err);
}

Test(packer, image_overlaps_device_tree_area)
{
	struct pk_run r;
	const char *dtb = board_dtb("good-minimal");

	/* good-minimal gives hello 16 MiB; its last 64 KiB are the guest device tree's. */
	write_elf(path_in(tmpdir, "hello.elf"), 243, GUEST_BASE + 0xff0000 - 0x10, 0x10, 0x20);
	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, "/partitions/hello: image: ");
	cr_assert(strstr(r.err, "outside the partition"), "%s", r.err);
}

Test(packer, usage_error)
{
	struct pk_run r;
	const char *args[] = {"--hv", "x", NULL};

	run(&r, args);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 2, "%s", r.err);
	cr_assert(strstr(r.err, "usage"), "%s", r.err);
}

/* An entry's checksum as the hv checks it: the sum of its chunk sums. */
static uint64_t entry_sum(const void *data, uint64_t len)
{
	uint64_t *sums = calloc(gohv_pkg_chunks(len) + 1, sizeof(*sums)), h;

	cr_assert_not_null(sums);
	h = gohv_pkg_sums(data, len, sums);
	free(sums);
	return h;
}

/* Entry i's chunk sums follow its bytes in pkg, and its checksum is theirs. */
static void check_sums(const uint8_t *pkg, const struct gohv_pkg_header *h, unsigned i)
{
	const struct gohv_pkg_image *e = &h->images[i];
	uint64_t n = gohv_pkg_chunks(e->size), *want = calloc(n + 1, sizeof(*want));

	cr_assert_not_null(want);
	cr_assert_eq(e->offset % GOHV_PKG_ENTRY_ALIGN, 0, "entry %u starts on a page", i);
	cr_assert_eq(gohv_pkg_sums(pkg + e->offset, e->size, want), e->checksum);
	cr_assert_leq(gohv_pkg_sums_offset(e) + n * 8, h->size);
	cr_assert_eq(memcmp(pkg + gohv_pkg_sums_offset(e), want, n * 8), 0, "entry %u's chunk sums",
		     i);
	free(want);
}

static void check_header(const struct gohv_pkg_header *h, size_t pkg_len)
{
	struct gohv_pkg_header copy = *h;

	cr_assert_eq(h->magic, GOHV_PKG_MAGIC);
	cr_assert_eq(h->version, GOHV_PKG_VERSION);
	cr_assert_eq(h->size, pkg_len, "header size %lu, package is %zu", (unsigned long)h->size,
		     pkg_len);
	copy.header_checksum = 0;
	cr_assert_eq(h->header_checksum, gohv_fnv1a32(&copy, sizeof(copy)));
	cr_assert_eq(h->config_offset % 8, 0);
	cr_assert_eq(h->nimages, 1);
	cr_assert_str_eq(h->images[0].name, "hello.elf");
	cr_assert_eq(h->images[0].offset % GOHV_PKG_ENTRY_ALIGN, 0);
	check_sums((const uint8_t *)h, h, 0);
	cr_assert_leq(h->images[0].offset + h->images[0].size, pkg_len);
	cr_assert_leq(h->config_offset + h->config_size, h->images[0].offset);
}

Test(packer, good_minimal_layout)
{
	struct pk_run r;
	const char *dtb = board_dtb("good-minimal");
	size_t img_len, dtb_len, elf_len, hv_len, qa_len;
	uint8_t *img, *cfg, *elf, *hv, *qa;
	const struct gohv_pkg_header *h;

	pack(&r, dtb, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status %d: %s", r.status,
		  r.err);
	cr_assert_str_eq(r.err, "");
	img = read_all(path_in(tmpdir, "out.img"), &img_len);
	cfg = read_all(dtb, &dtb_len);
	elf = read_all(path_in(tmpdir, "hello.elf"), &elf_len);
	hv = read_all(path_in(tmpdir, "hv.elf"), &hv_len);
	cr_assert_gt(img_len, PKG_OFFSET + sizeof(*h));

	/* The hv's bytes at 0, then zeros (its bss and the page padding) up to the package. */
	cr_assert_eq(memcmp(img, hv + 0x80, HV_FILESZ), 0, "hv segment not at the image start");
	for (size_t i = HV_FILESZ; i < PKG_OFFSET; i++)
		cr_assert_eq(img[i], 0, "byte 0x%zx before the package is not zero", i);

	h = (const void *)(img + PKG_OFFSET);
	check_header(h, img_len - PKG_OFFSET);
	cr_assert_eq(h->config_size, dtb_len);
	cr_assert_eq(memcmp(img + PKG_OFFSET + h->config_offset, cfg, dtb_len), 0);
	cr_assert_eq(h->images[0].size, elf_len);
	cr_assert_eq(memcmp(img + PKG_OFFSET + h->images[0].offset, elf, elf_len), 0);
	cr_assert_eq(h->images[0].checksum, entry_sum(elf, elf_len));

	qa = read_all(path_in(tmpdir, "qemu-args"), &qa_len);
	qa[qa_len] = '\0';
	cr_assert_str_eq((char *)qa, "-smp 2 -m 128M\n");
	free(img), free(cfg), free(elf), free(hv), free(qa);
}

/* What the hv does not load (section headers, debug info) is not packed, so it is not checksummed
 * at every boot either; every byte that is loaded is, and a corrupted one is caught. */
Test(packer, an_image_is_packed_without_what_is_not_loaded)
{
	struct pk_run r;
	const char *dtb = board_dtb("good-minimal");
	const char *path = path_in(tmpdir, "hello.elf");
	size_t img_len, elf_len, loaded = 0x80 + 0x30;
	uint8_t *img, *elf;
	const struct gohv_pkg_header *h;
	const struct elf64_ehdr *eh;

	/* hello.elf (setup) with 4 KiB of "debug info" and section headers after its segment. */
	elf = read_all(path, &elf_len);
	cr_assert_eq(elf_len, loaded);
	elf = realloc(elf, loaded + 4096);
	for (size_t i = loaded; i < loaded + 4096; i++)
		elf[i] = (uint8_t)(i * 13);
	((struct elf64_ehdr *)elf)->shoff = loaded + 2048;
	((struct elf64_ehdr *)elf)->shnum = 3;
	((struct elf64_ehdr *)elf)->shstrndx = 2;
	((struct elf64_ehdr *)elf)->shentsize = sizeof(struct elf64_shdr);
	write_file(path, elf, loaded + 4096);

	pack(&r, dtb, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status %d: %s", r.status,
		  r.err);
	img = read_all(path_in(tmpdir, "out.img"), &img_len);
	h = (const void *)(img + PKG_OFFSET);
	cr_assert_eq(h->images[0].size, loaded, "only the headers and the segment are packed");
	eh = (const void *)(img + PKG_OFFSET + h->images[0].offset);
	cr_assert_eq(eh->shoff, 0);
	cr_assert_eq(eh->shnum, 0);
	cr_assert_eq(eh->shstrndx, 0);
	cr_assert_eq(
	    memcmp((const uint8_t *)eh + sizeof(*eh), elf + sizeof(*eh), loaded - sizeof(*eh)), 0,
	    "program headers and segment bytes as in the file");
	cr_assert_eq(h->images[0].checksum, entry_sum(eh, loaded));
	/* One flipped bit anywhere in what is loaded changes the sum. */
	for (size_t i = 0; i < loaded; i++) {
		uint8_t *b = (uint8_t *)eh + i;

		*b ^= 0x10;
		cr_assert_neq(h->images[0].checksum, entry_sum(eh, loaded), "byte %zu", i);
		*b ^= 0x10;
	}
	free(img), free(elf);
}

Test(packer, rerun_replaces_output)
{
	struct pk_run r;
	const char *dtb = board_dtb("good-minimal");
	const char *out = path_in(tmpdir, "out.img");
	struct stat st;

	write_file(out, "old", 3);
	pack(&r, dtb, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", r.err);
	cr_assert_eq(stat(out, &st), 0);
	cr_assert_gt(st.st_size, PKG_OFFSET);
}

Test(packer, initrd_packed_once)
{
	struct pk_run r;
	const char *dtb = board_dtb("good-initrd");
	static const char data[] = "070701 any bytes at all, not checked as an ELF";
	size_t img_len;
	uint8_t *img;
	const struct gohv_pkg_header *h;
	int rd = -1;

	write_file(path_in(tmpdir, "data.cpio"), data, sizeof(data));
	pack(&r, dtb, NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "status %d: %s", r.status,
		  r.err);
	img = read_all(path_in(tmpdir, "out.img"), &img_len);
	h = (const void *)(img + PKG_OFFSET);
	cr_assert_eq(h->nimages, 2, "image and initrd, each once for both partitions");
	for (unsigned i = 0; i < h->nimages; i++)
		if (!strcmp(h->images[i].name, "data.cpio"))
			rd = (int)i;
	cr_assert_geq(rd, 0, "no data.cpio entry");
	cr_assert_eq(h->images[rd].size, sizeof(data));
	check_sums(img + PKG_OFFSET, h, (unsigned)rd);
	cr_assert_eq(memcmp(img + PKG_OFFSET + h->images[rd].offset, data, sizeof(data)), 0);
	cr_assert_eq(h->images[rd].checksum,
		     entry_sum(img + PKG_OFFSET + h->images[rd].offset, sizeof(data)));
	free(img);
}

Test(packer, initrd_missing)
{
	struct pk_run r;
	const char *dtb = board_dtb("bad-missing-initrd");

	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, "/partitions/hello: initrd: no-such.cpio not found in");
	cr_assert(strstr(r.err, tmpdir), "does not list the searched folder: %s", r.err);
}

Test(packer, initrd_too_big)
{
	struct pk_run r;
	const char *dtb = board_dtb("good-initrd");
	/* 16 MiB partitions: the image's page, the initrd and the 64 KiB device tree area cannot
	 * all fit when the initrd alone is 16 MiB - 64 KiB. */
	size_t big = (16UL << 20) - (64UL << 10);
	uint8_t *data = calloc(1, big);

	write_file(path_in(tmpdir, "data.cpio"), data, big);
	free(data);
	pack(&r, dtb, NULL);
	expect_failure(&r, dtb, "/partitions/one: initrd: ");
	cr_assert(strstr(r.err, path_in(tmpdir, "data.cpio")), "does not name the file: %s", r.err);
	cr_assert(strstr(r.err, "16711680 bytes"), "does not give the size: %s", r.err);
	cr_assert(strstr(r.err, "16 MiB"), "does not give the partition's size: %s", r.err);
}

/* ------------------------------------------------------------------ what outputs survive */

/* Only the files named were left in tmpdir: no temp file beside an output. */
static void expect_no_temp_files(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		cr_assert_null(strstr(e->d_name, ".tmp-"), "%s left behind", e->d_name);
	closedir(d);
}

/* A FIFO stands for /dev/null and other devices (which need root to make, and the real one must
 * not be risked): renaming a temp file over it replaced it with a regular file. */
Test(packer, output_to_a_fifo_is_written_through_and_the_fifo_stays)
{
	struct pk_run r;
	const char *fifo = path_in(tmpdir, "out.fifo");
	static uint8_t got[1 << 16];
	size_t len, n = 0;
	uint8_t *want;
	ssize_t k;
	struct stat st;
	int fd;

	cr_assert_eq(mkfifo(fifo, 0644), 0, "mkfifo: %s", strerror(errno));
	/* Opened first, non-blocking, so the packer's open finds a reader; the image fits in the
	 * pipe's buffer. */
	fd = open(fifo, O_RDONLY | O_NONBLOCK);
	cr_assert_geq(fd, 0);
	pack_to(&r, board_dtb("good-minimal"), NULL, fifo, path_in(tmpdir, "qemu-args"));
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", r.err);
	while (n < sizeof(got) && (k = read(fd, got + n, sizeof(got) - n)) > 0)
		n += (size_t)k;
	close(fd);
	cr_assert_eq(lstat(fifo, &st), 0);
	cr_assert(S_ISFIFO(st.st_mode), "the FIFO was replaced (mode 0%o)", st.st_mode);
	pack(&r, board_dtb("good-minimal"), NULL);
	want = read_all(path_in(tmpdir, "out.img"), &len);
	cr_assert_eq(n, len, "read %zu bytes from the FIFO, the image is %zu", n, len);
	cr_assert_eq(memcmp(got, want, len), 0);
	free(want);
	expect_no_temp_files();
}

/* The link is the user's: its target gets the image, the link stays a link. */
Test(packer, output_through_a_symlink_replaces_the_target_not_the_link)
{
	struct pk_run r;
	const char *link = path_in(tmpdir, "out.img"), *target = path_in(tmpdir, "real.img");
	char buf[64];
	struct stat st;
	ssize_t n;

	write_file(target, "old", 3);
	cr_assert_eq(chmod(target, 0600), 0);
	cr_assert_eq(symlink("real.img", link), 0);
	pack(&r, board_dtb("good-minimal"), NULL);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", r.err);
	cr_assert_eq(lstat(link, &st), 0);
	cr_assert(S_ISLNK(st.st_mode), "the symlink was replaced");
	n = readlink(link, buf, sizeof(buf) - 1);
	cr_assert_eq(n, 8);
	cr_assert_eq(stat(target, &st), 0);
	cr_assert_gt(st.st_size, PKG_OFFSET, "the target did not get the image");
	cr_assert_eq(st.st_mode & 0777, 0600, "the target's mode was not kept");
	expect_no_temp_files();
}

/* The image was written, then the arguments file failed, then the image was unlinked: an output
 * from an earlier run must survive a failed one whole. */
Test(packer, a_failed_run_leaves_earlier_outputs_as_they_were)
{
	struct pk_run r;
	const char *out = path_in(tmpdir, "out.img"), *qa = path_in(tmpdir, "no-dir/qemu-args");
	size_t len;
	uint8_t *data;

	write_file(out, "old", 3);
	pack_to(&r, board_dtb("good-minimal"), NULL, out, qa);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 1, "%s", r.err);
	cr_assert(strncmp(r.err, qa, strlen(qa)) == 0, "does not name %s: %s", qa, r.err);
	cr_assert_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "one line: %s", r.err);
	data = read_all(out, &len);
	cr_assert(len == 3 && memcmp(data, "old", 3) == 0, "out.img was changed or removed");
	free(data);
	expect_no_temp_files();
}

/* gohv initrd unlinked its output on any error, a file that was there before included. */
Test(packer, gohv_initrd_leaves_an_existing_output_on_error)
{
	struct pk_run r;
	const char *out = path_in(tmpdir, "keep.cpio"), *prog = path_in(tmpdir, "prog");
	const char *args[] = {"initrd", "--file", path_in(tmpdir, "no-such-file"), prog, "-o",
			      out,	NULL};
	size_t len;
	uint8_t *data;

	write_elf(prog, 243, 0x10000, 0x10, 0x10); /* below guest RAM: a Linux program */
	write_file(out, "keep", 4);
	run_tool(&r, "gohv", args);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 125, "status %d: %s", r.status,
		  r.err);
	cr_assert(strstr(r.err, "no-such-file"), "%s", r.err);
	data = read_all(out, &len);
	cr_assert(len == 4 && memcmp(data, "keep", 4) == 0, "the output was changed or removed");
	free(data);
	expect_no_temp_files();
}

/* ftell has no position on a FIFO, so the archive's padding went missing there. */
Test(packer, gohv_initrd_writes_a_whole_archive_into_a_fifo)
{
	struct pk_run r;
	const char *fifo = path_in(tmpdir, "rd.fifo"), *prog = path_in(tmpdir, "prog");
	const char *file = path_in(tmpdir, "rd.cpio");
	const char *to_fifo[] = {"initrd", prog, "-o", fifo, NULL};
	const char *to_file[] = {"initrd", prog, "-o", file, NULL};
	static uint8_t got[1 << 16];
	size_t n = 0, len;
	uint8_t *want;
	ssize_t k;
	struct stat st;
	int fd;

	write_elf(prog, 243, 0x10000, 0x10, 0x10);
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	fd = open(fifo, O_RDONLY | O_NONBLOCK);
	cr_assert_geq(fd, 0);
	run_tool(&r, "gohv", to_fifo);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", r.err);
	while (n < sizeof(got) && (k = read(fd, got + n, sizeof(got) - n)) > 0)
		n += (size_t)k;
	close(fd);
	cr_assert_eq(lstat(fifo, &st), 0);
	cr_assert(S_ISFIFO(st.st_mode), "the FIFO was replaced");
	run_tool(&r, "gohv", to_file);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", r.err);
	want = read_all(file, &len);
	cr_assert_eq(n, len, "%zu bytes through the FIFO, %zu into a file", n, len);
	cr_assert_eq(memcmp(got, want, len), 0);
	free(want);
}

/* Each file's bytes in the archive start on 8 bytes, and those of a file of 64 KiB or more on a
 * page, so gort copies a program a word at a time and maps its text in place; the padding is
 * NULs after the name, which still reads as the name. Every file's bytes are its own. */
Test(packer, gohv_initrd_aligns_file_data_for_gort)
{
	struct pk_run r;
	const char *prog = path_in(tmpdir, "prog"), *out = path_in(tmpdir, "al.cpio");
	const char *small = path_in(tmpdir, "s"), *odd = path_in(tmpdir, "oddname.txt");
	char fs[160], fo[160];
	size_t len, seen = 0, big = 0;
	uint8_t *a;

	write_elf(prog, 243, 0x10000, 200000, 200000);
	write_file(small, "abc", 3);
	write_file(odd, "0123456789", 10);
	snprintf(fs, sizeof(fs), "%s:/x/s", small);
	snprintf(fo, sizeof(fo), "%s:/x/y/oddname.txt", odd);
	const char *args[] = {"initrd", "--file", fs, "--file", fo, prog, "-o", out, NULL};
	run_tool(&r, "gohv", args);
	cr_assert(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s", r.err);
	a = read_all(out, &len);
	for (size_t off = 0; off + 110 <= len;) {
		char f[9] = {0};
		unsigned long mode, size, namesize;

		cr_assert_eq(memcmp(a + off, "070701", 6), 0, "header at %zu", off);
		memcpy(f, a + off + 14, 8), mode = strtoul(f, NULL, 16);
		memcpy(f, a + off + 54, 8), size = strtoul(f, NULL, 16);
		memcpy(f, a + off + 94, 8), namesize = strtoul(f, NULL, 16);
		const char *name = (const char *)a + off + 110;
		size_t data = (off + 110 + namesize + 3) & ~3UL;

		cr_assert_eq(name[namesize - 1], 0);
		if (!strcmp(name, "TRAILER!!!"))
			break;
		if (size) {
			cr_assert_eq(data % (size >= 65536 ? 4096 : 8), 0, "%s at %zu (%lu bytes)",
				     name, data, size);
			seen++;
		}
		if (S_ISREG(mode) && !strcmp(name, "x/s"))
			cr_assert_eq(memcmp(a + data, "abc", 3), 0);
		if (S_ISREG(mode) && !strcmp(name, "x/y/oddname.txt"))
			cr_assert_eq(memcmp(a + data, "0123456789", 10), 0);
		if (size >= 65536) {
			size_t plen;
			uint8_t *want = read_all(prog, &plen);

			cr_assert_eq(size, plen);
			cr_assert_eq(memcmp(a + data, want, plen), 0, "%s", name);
			free(want);
			big++;
		}
		off = (data + size + 3) & ~3UL;
	}
	cr_assert_geq(seen, 3, "%zu files with data", seen);
	cr_assert_eq(big, 1);
	free(a);
}
