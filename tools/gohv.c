/*
 * gohv: run one program on the hypervisor as if it were a host command.
 *
 *   gohv run [options] PROGRAM [ARGS...]
 *   gohv initrd [options] PROGRAM [ARGS...] -o FILE.cpio   (also spelled pack-initrd)
 *   gohv qemu [options] IMAGE [QEMU-ARGS...]               (tools/gohv_qemu.c)
 *   gohv build [GO-BUILD-ARGS...]                          (tools/gohv_build.c)
 *
 * PROGRAM is a static Go program (GOOS=linux GOARCH=riscv64 CGO_ENABLED=0), which runs under gort
 * with its files in an initrd this tool writes; a GOOS=tamago Go program (`gohv build`) or a bare
 * gohv C guest, each of which is the partition image itself. `run` generates a one-partition board,
 * packs it (tools/pack.c), boots it in QEMU and behaves like the program: its stdout and stderr
 * byte for byte, its exit code as ours. So `go test -exec 'gohv run' ./pkg` works: the package
 * folder (go test's working directory) is packed, which makes testdata/ visible inside.
 */
#include "tools/pack.h"

#include <elf64.h>

#include "hv/config.h"
#include "hv/console_proto.h"
#include "tools/console_wire.h"
#include "tools/go_elf.h"
#include "tools/gohv_build.h"
#include "tools/gohv_net.h"
#include "tools/gohv_qemu.h"
#include "tools/gohv_share.h"
#include "tools/hostfwd_backlog.h"
#include "tools/out_file.h"
#include "tools/qemu_cmd.h"
#include "tools/qemu_run.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <libfdt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ZONEINFO "/usr/share/zoneinfo"

#define DEFAULT_VCPUS	  2
#define DEFAULT_MEMORY	  (256UL << 20)
#define DEFAULT_TIMEOUT	  600
#define DEFAULT_FILES_MAX (64UL << 20)
/* The board keeps this much beyond the partition: the hv's own reserve (CONFIG_HV_RESERVE) and
 * room for the firmware and the package, which sit in the same RAM. */
#define BOARD_EXTRA (64UL << 20)
/* gort's limit on files, folders and links in the initrd tree (guest-abi/gort/fs.h). */
#define INITRD_NODES_MAX 8192
#define EXIT_TIMEOUT	 124
#define EXIT_TOOL	 125 /* gohv itself failed: the program's own code never collides */

/* Environment variables passed through from the host: the ones that tune the Go runtime, and
 * the Go root `go test` sets (runtime.GOROOT() reads it; the Go root is shared). */
static const char *const pass_env[] = {"GOGC", "GODEBUG", "GOMAXPROCS", "GOTRACEBACK", "GOROOT"};

struct mapping {
	const char *host, *guest; /* guest NULL: the host path's realpath */
};

struct opts {
	unsigned vcpus;
	uint64_t memory;
	struct mapping *files;
	int nfiles;
	bool no_cwd, cwd, verbose, no_zoneinfo, icount, no_share;
	const char **share_dirs; /* --share, in order */
	bool *share_rw;		 /* each one's :rw */
	int nshare_dirs;
	struct shares shares; /* what is shared: --share, else the Go default (cmd_run) */
	struct net_opts net;  /* --publish, --net: netd on the board (tools/gohv_net.h) */
	unsigned timeout;
	const char *board_out, *out, *cpu;
	uint64_t files_max;
	const char *program;
	char **args; /* ARGS after PROGRAM */
	int nargs;
};

__attribute__((format(printf, 1, 2))) static int error(const char *fmt, ...)
{
	va_list ap;

	fputs("gohv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		error("out of memory");
		exit(EXIT_TOOL);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = xmalloc(n);

	snprintf(p, n, "%s%s%s", a, *a && a[strlen(a) - 1] == '/' ? "" : "/", b);
	return p;
}

/* ------------------------------------------------------------------ the growable byte buffer */

struct buf {
	char *data;
	size_t len, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		b->data = realloc(b->data, b->cap);
		if (!b->data) {
			error("out of memory");
			exit(EXIT_TOOL);
		}
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void buf_str0(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s) + 1);
}

/* ------------------------------------------------------------------ the cpio "newc" writer */

/* Every name in the archive once: a file that is both the program and in the working folder, or
 * a folder that is the parent of many entries, is written the first time only. */
struct names {
	char **slot;
	size_t cap, count;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* Returns true if name was new (and records it). */
static bool names_add(struct names *n, const char *name)
{
	if ((n->count + 1) * 2 > n->cap) {
		struct names bigger = {.cap = n->cap ? n->cap * 2 : 1024};

		bigger.slot = calloc(bigger.cap, sizeof(char *));
		if (!bigger.slot) {
			error("out of memory");
			exit(EXIT_TOOL);
		}
		for (size_t i = 0; i < n->cap; i++)
			if (n->slot[i])
				names_add(&bigger, n->slot[i]);
		for (size_t i = 0; i < n->cap; i++)
			free(n->slot[i]);
		free(n->slot);
		*n = bigger;
	}
	size_t i = hash_str(name) & (n->cap - 1);
	for (; n->slot[i]; i = (i + 1) & (n->cap - 1))
		if (!strcmp(n->slot[i], name))
			return false;
	n->slot[i] = xstrdup(name);
	n->count++;
	return true;
}

static void names_free(struct names *n)
{
	for (size_t i = 0; i < n->cap; i++)
		free(n->slot[i]);
	free(n->slot);
}

/* gort's page: files of CPIO_PAGE_ALIGNED_MIN bytes or more (programs) start on one. */
#define CPIO_PAGE	      4096
#define CPIO_PAGE_ALIGNED_MIN (64u << 10)

struct cpio {
	FILE *fp;
	uint64_t pos;	  /* bytes written: ftell has none on a FIFO or a device */
	const char *path; /* for errors */
	struct names names;
	uint32_t ino;
	uint64_t file_bytes; /* regular file data from walked folders, against the cap */
	uint64_t files_max;
	bool failed;
};

static void cpio_write(struct cpio *c, const void *data, size_t len)
{
	fwrite(data, 1, len, c->fp);
	c->pos += len;
}

static void cpio_pad(struct cpio *c)
{
	static const char zeros[4];

	if (c->pos % 4)
		cpio_write(c, zeros, 4 - (size_t)(c->pos % 4));
}

/* One entry; name is absolute ("/a/b"), stored without the leading '/' as cpio tools do. */
static int cpio_entry(struct cpio *c, const char *name, uint32_t mode, uint64_t mtime,
		      const void *data, uint64_t size)
{
	char hdr[111];

	while (*name == '/')
		name++;
	if (!*name)
		return 0; /* the root itself needs no entry */
	if (size > 0xffffffffULL)
		return error("%s: /%s is %lu bytes, more than a cpio newc entry holds", c->path,
			     name, (unsigned long)size);
	if (c->names.count >= INITRD_NODES_MAX)
		return error("%s: more than %d files, folders and links (gort's limit); pack less "
			     "(--no-cwd, --file)",
			     c->path, INITRD_NODES_MAX);
	/* A file's bytes start on an 8-byte boundary (newc aligns them to 4), a big file's on a
	 * page: NULs after the name pad to it, so gort copies a program out of the archive a word
	 * at a time and maps a big one's text and read-only data in place. Readers take the name
	 * up to its first NUL, as GNU cpio and Linux's initramfs do. */
	size_t namesize = strlen(name) + 1;
	static const char pad[CPIO_PAGE];
	size_t align = size >= CPIO_PAGE_ALIGNED_MIN ? CPIO_PAGE : 8;
	size_t extra = size ? (align - (c->pos + 110 + namesize) % align) % align : 0;

	namesize += extra;
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ++c->ino, mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, (uint32_t)mtime, (uint32_t)size,
		 0u, 0u, 0u, 0u, (uint32_t)namesize, 0u);
	cpio_write(c, hdr, 110);
	cpio_write(c, name, namesize - extra);
	cpio_write(c, pad, extra);
	cpio_pad(c);
	if (size)
		cpio_write(c, data, (size_t)size);
	cpio_pad(c);
	if (ferror(c->fp))
		return error("%s: %s", c->path, strerror(errno));
	return 0;
}

/* The folders above an absolute path, each once, so a reader never meets a child first. */
static int cpio_parents(struct cpio *c, const char *path)
{
	char *p = xstrdup(path);
	int r = 0;

	for (char *s = strchr(p + 1, '/'); s && !r; s = strchr(s + 1, '/')) {
		*s = 0;
		if (names_add(&c->names, p))
			r = cpio_entry(c, p, S_IFDIR | 0755, 0, NULL, 0);
		*s = '/';
	}
	free(p);
	return r;
}

static int cpio_add_data(struct cpio *c, const char *guest, uint32_t mode, const void *data,
			 size_t size)
{
	if (cpio_parents(c, guest))
		return -1;
	if (!names_add(&c->names, guest))
		return 0;
	/* What gohv writes itself has no time of its own, as the folders above it: the archive
	 * is then the same bytes every run (a clock second passing between two runs made the
	 * FIFO test's two archives differ). */
	return cpio_entry(c, guest, mode, 0, data, size);
}

/* Host path host into the archive as guest: a file, a link, or a folder and all below it. Things
 * that are neither (sockets, devices, fifos) are skipped. counted: its bytes count against the
 * cap, which names root when exceeded. */
static int cpio_add_tree(struct cpio *c, const char *host, const char *guest, bool counted,
			 const char *root)
{
	struct stat st;

	if (lstat(host, &st))
		return error("%s: %s", host, strerror(errno));
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
		return 0;
	if (cpio_parents(c, guest))
		return -1;
	if (!names_add(&c->names, guest))
		return 0;
	uint32_t mode = (uint32_t)st.st_mode & (S_IFMT | 07777);
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(host, target, sizeof(target));

		if (n < 0)
			return error("%s: %s", host, strerror(errno));
		return cpio_entry(c, guest, mode, (uint64_t)st.st_mtime, target, (size_t)n);
	}
	if (S_ISREG(st.st_mode)) {
		struct pack_file f;
		int r;

		if (counted) {
			c->file_bytes += (uint64_t)st.st_size;
			if (c->file_bytes > c->files_max)
				return error(
				    "%s: more than %lu MiB of files to pack (the cap); use "
				    "--no-cwd, or --max-files-size to raise it",
				    root, (unsigned long)(c->files_max >> 20));
		}
		if (pack_read_file(host, &f))
			return -1;
		r = cpio_entry(c, guest, mode, (uint64_t)st.st_mtime, f.data, f.size);
		free(f.data);
		return r;
	}
	if (cpio_entry(c, guest, mode, (uint64_t)st.st_mtime, NULL, 0))
		return -1;
	/* Sorted, so the same folder always makes the same archive. */
	struct dirent **list;
	int n = scandir(host, &list, NULL, alphasort), r = 0;

	if (n < 0)
		return error("%s: %s", host, strerror(errno));
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;

		if (!r && strcmp(name, ".") && strcmp(name, "..")) {
			char *h = join(host, name), *g = join(guest, name);

			r = cpio_add_tree(c, h, g, counted, root);
			free(h);
			free(g);
		}
		free(list[i]);
	}
	free(list);
	return r;
}

static int cpio_finish(struct cpio *c)
{
	if (cpio_entry(c, "TRAILER!!!", 0, 0, NULL, 0))
		return -1;
	if (fflush(c->fp) || ferror(c->fp))
		return error("%s: %s", c->path, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------------ the program */

enum kind {
	KIND_GO,     /* static Linux executable: runs under gort */
	KIND_TAMAGO, /* GOOS=tamago Go program (gohv build): is the partition image */
	KIND_C,	     /* bare gohv guest: is the partition image */
};

static int detect_kind(const char *path, enum kind *kind)
{
	const char *hint = "build it with CGO_ENABLED=0 GOOS=linux GOARCH=riscv64 go build, or "
			   "with gohv build";
	struct pack_file f;
	struct elf64_ehdr eh;
	uint64_t lowest = UINT64_MAX;
	bool interp = false;
	char goos[32] = "";

	if (pack_read_file(path, &f))
		return -1;
	if (f.size < sizeof(eh) || memcmp(f.data, "\177ELF", 4)) {
		free(f.data);
		return error("%s: not an ELF executable; %s", path, hint);
	}
	memcpy(&eh, f.data, sizeof(eh));
	if (eh.ident[4] != 2 || eh.ident[5] != 1 || eh.machine != 243) {
		free(f.data);
		return error("%s: not a 64-bit little-endian RISC-V ELF; %s", path, hint);
	}
	if (eh.type != 2) {
		free(f.data);
		return error("%s: ELF type %u is not a static executable (ET_EXEC); %s", path,
			     eh.type, hint);
	}
	for (unsigned i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;
		uint64_t off = eh.phoff + (uint64_t)i * eh.phentsize;

		if (eh.phentsize < sizeof(ph) || off > f.size || f.size - off < sizeof(ph)) {
			free(f.data);
			return error("%s: program headers run past the end of the file", path);
		}
		memcpy(&ph, f.data + off, sizeof(ph));
		if (ph.type == 1 && ph.vaddr < lowest)
			lowest = ph.vaddr;
		interp |= ph.type == 3;
	}
	bool is_go = go_elf_setting(f.data, f.size, "GOOS", goos, sizeof(goos)) == 0;
	free(f.data);
	if (lowest == UINT64_MAX)
		return error("%s: no loadable segment", path);
	if (interp)
		return error("%s: dynamically linked (has an interpreter); %s", path, hint);
	if (is_go && !strcmp(goos, "tamago")) {
		if (lowest < GUEST_RAM_BASE)
			return error(
			    "%s: a GOOS=tamago program linked at %#lx, below the partition's "
			    "RAM at %#lx; build it with gohv build",
			    path, (unsigned long)lowest, (unsigned long)GUEST_RAM_BASE);
		*kind = KIND_TAMAGO;
		return 0;
	}
	if (is_go && strcmp(goos, "linux"))
		return error("%s: a GOOS=%s Go program; gohv runs GOOS=linux ones (under gort) and "
			     "GOOS=tamago ones (gohv build)",
			     path, goos);
	*kind = lowest < GUEST_RAM_BASE ? KIND_GO : KIND_C;
	return 0;
}

/* ------------------------------------------------------------------ the initrd for a Go program */

static int write_initrd(const struct opts *o, const char *path, const char *prog_real,
			bool pack_cwd)
{
	char cwd[PATH_MAX] = "/";
	struct buf argv = {0}, env = {0};
	struct cpio c = {.path = path, .files_max = o->files_max};
	struct out_file out;
	int r = -1;

	if (pack_cwd && !getcwd(cwd, sizeof(cwd)))
		return error("the working directory: %s", strerror(errno));
	if (out_open(&out, path))
		return -1;
	c.fp = out.fp;

	buf_str0(&argv, prog_real);
	for (int i = 0; i < o->nargs; i++)
		buf_str0(&argv, o->args[i]);
	for (size_t i = 0; i < sizeof(pass_env) / sizeof(pass_env[0]); i++) {
		const char *v = getenv(pass_env[i]);

		if (v) {
			buf_add(&env, pass_env[i], strlen(pass_env[i]));
			buf_add(&env, "=", 1);
			buf_str0(&env, v);
		}
	}
	buf_add(&env, "PWD=", 4);
	buf_str0(&env, cwd);
	/* HOME, USER and LOGNAME: gort gives the program its user's (guest-abi/gort/etc.c). */
	buf_str0(&env, "PATH=/usr/bin:/bin");

	if (cpio_add_tree(&c, prog_real, prog_real, false, prog_real))
		goto out;
	char real_cwd[PATH_MAX];
	if (!realpath(cwd, real_cwd))
		snprintf(real_cwd, sizeof(real_cwd), "%s", cwd);
	for (int i = 0; i < o->shares.n; i++)
		if (cpio_add_data(&c, o->shares.path[i], S_IFDIR | 0755, NULL, 0))
			goto out; /* gort mounts each share on its folder */
	if (pack_cwd && !o->no_cwd && !shares_cover(&o->shares, real_cwd)) {
		if (cpio_add_tree(&c, cwd, cwd, true, cwd))
			goto out;
	} else if (cpio_add_data(&c, cwd, S_IFDIR | 0755, NULL, 0)) {
		goto out; /* the folder the program starts in exists, if empty */
	}
	/* Time zones work as on the host: Go reads them from /usr/share/zoneinfo (a share, unless
	 * there are none). */
	if (pack_cwd && !o->no_zoneinfo && !shares_cover(&o->shares, ZONEINFO) &&
	    access(ZONEINFO, R_OK) == 0 && cpio_add_tree(&c, ZONEINFO, ZONEINFO, true, ZONEINFO))
		goto out;
	for (int i = 0; i < o->nfiles; i++) {
		char real[PATH_MAX];
		const char *guest = o->files[i].guest;

		if (!realpath(o->files[i].host, real)) {
			error("--file %s: %s", o->files[i].host, strerror(errno));
			goto out;
		}
		if (cpio_add_tree(&c, real, guest ? guest : real, true, o->files[i].host))
			goto out;
	}
	char *mounts = shares_mounts(&o->shares);
	bool mounts_bad = o->shares.n && cpio_add_data(&c, "/.gort/mounts", S_IFREG | 0444, mounts,
						       strlen(mounts));
	free(mounts);
	if (mounts_bad)
		goto out;
	if (cpio_add_data(&c, "/.gort/argv", S_IFREG | 0444, argv.data, argv.len) ||
	    cpio_add_data(&c, "/.gort/env", S_IFREG | 0444, env.data, env.len) ||
	    cpio_add_data(&c, "/.gort/cwd", S_IFREG | 0444, cwd, strlen(cwd)) || cpio_finish(&c))
		goto out;
	r = 0;
out:
	if (r)
		out_abort(&out);
	else
		r = out_commit(&out);
	names_free(&c.names);
	free(argv.data);
	free(env.data);
	return r;
}

/* ------------------------------------------------------------------ the board */

#define FDT_TRY(x)                                                                                 \
	do {                                                                                       \
		int __e = (x);                                                                     \
		if (__e < 0)                                                                       \
			return error("writing the board config: %s", fdt_strerror(__e));           \
	} while (0)

/* Hart 0 stays free: whichever hart boots first runs the hv's setup there. */
static unsigned board_cpus(const struct opts *o)
{
	return o->vcpus + 1 + (o->net.on ? NETD_VCPUS : 0);
}

static uint64_t board_memory(const struct opts *o)
{
	uint64_t m = o->memory + BOARD_EXTRA + (o->net.on ? net_board_memory() : 0);

	return (m + (1UL << 20) - 1) & ~((1UL << 20) - 1); /* QEMU's -m is in MiB */
}

static int make_config(void *fdt, int size, const struct opts *o, const char *part,
		       const char *image, const char *initrd, const char *bootargs)
{
	fdt32_t cpus[CONFIG_MAX_VCPUS];

	for (unsigned i = 0; i < o->vcpus; i++)
		cpus[i] = cpu_to_fdt32(i + 1);
	FDT_TRY(fdt_create(fdt, size));
	FDT_TRY(fdt_finish_reservemap(fdt));
	FDT_TRY(fdt_begin_node(fdt, ""));
	FDT_TRY(fdt_property_string(fdt, "compatible", CONFIG_COMPATIBLE));
	FDT_TRY(fdt_begin_node(fdt, "board"));
	FDT_TRY(fdt_property_string(fdt, "model", "gohv-run"));
	FDT_TRY(fdt_property_u32(fdt, "cpus", board_cpus(o)));
	FDT_TRY(fdt_property_u64(fdt, "memory-size", board_memory(o)));
	FDT_TRY(fdt_end_node(fdt));
	FDT_TRY(fdt_begin_node(fdt, "partitions"));
	FDT_TRY(fdt_begin_node(fdt, part));
	FDT_TRY(fdt_property(fdt, "cpus", cpus, (int)(o->vcpus * sizeof(cpus[0]))));
	FDT_TRY(fdt_property_u64(fdt, "memory-size", o->memory));
	FDT_TRY(fdt_property_string(fdt, "image", image));
	if (initrd)
		FDT_TRY(fdt_property_string(fdt, "initrd", initrd));
	if (bootargs && *bootargs)
		FDT_TRY(fdt_property_string(fdt, "bootargs", bootargs));
	FDT_TRY(fdt_property_string(fdt, "restart", "never"));
	FDT_TRY(fdt_end_node(fdt));
	if (o->net.on)
		FDT_TRY(net_board_partition(fdt, o->vcpus + 1));
	FDT_TRY(fdt_end_node(fdt));
	if (o->net.on)
		FDT_TRY(net_board_channel(fdt, part));
	if (o->shares.n || o->net.on) {
		FDT_TRY(fdt_begin_node(fdt, "devices"));
		FDT_TRY(shares_board(fdt, &o->shares, part));
		if (o->net.on)
			FDT_TRY(net_board_device(fdt));
		FDT_TRY(fdt_end_node(fdt));
	}
	FDT_TRY(fdt_end_node(fdt));
	FDT_TRY(fdt_finish(fdt));
	return 0;
}

/* ------------------------------------------------------------------ QEMU and its console */

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

struct console {
	const char *tag;       /* "[go] ": the program's stdout */
	const char *err_tag;   /* "[go:err] ": its stderr */
	const char *exit_line; /* "gohv: partition go exited with code " */
	bool verbose;
	bool exited;
	int code;
	struct buf line, bytes; /* the line as QEMU printed it; the guest's bytes in it */
	const struct net_opts *net;
	const struct qemu_result *qemu;
	bool widened; /* the --publish listeners' backlogs were seen to */
};

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Writes the bytes the program wrote: the hv escaped them and may have cut the line into pieces
 * (hv/console_proto.h). */
static void guest_text(struct console *c, FILE *to, const char *text, size_t n)
{
	bool piece;

	c->bytes.len = 0;
	buf_add(&c->bytes, text, n + 1);
	long k = console_unescape(text, n, c->bytes.data, &piece);
	if (k < 0) {
		/* Not what this hv writes (another version's?): show it as it came. */
		fwrite(text, 1, n, to);
		fputc('\n', to);
	} else {
		fwrite(c->bytes.data, 1, (size_t)k, to);
		if (!piece)
			fputc('\n', to);
	}
	fflush(to);
}

/* One whole line of QEMU's output ('\r' removed, no '\n'; n bytes, NUL-terminated). */
static void console_line(struct console *c, char *s, size_t n)
{
	if (starts(s, c->tag)) {
		guest_text(c, stdout, s + strlen(c->tag), n - strlen(c->tag));
		return;
	}
	if (starts(s, c->err_tag)) {
		guest_text(c, stderr, s + strlen(c->err_tag), n - strlen(c->err_tag));
		return;
	}
	if (starts(s, c->exit_line)) {
		c->exited = true;
		c->code = atoi(s + strlen(c->exit_line));
	}
	bool important = starts(s, CONSOLE_HV_PREFIX CONSOLE_FAULT) || strstr(s, CONSOLE_REFUSED) ||
			 starts(s, CONSOLE_HV_PREFIX CONSOLE_PANIC) ||
			 starts(s, CONSOLE_HV_PREFIX CONSOLE_NONE_CAN_RUN);
	if (c->verbose || important) {
		fprintf(stderr, "%s\n", s);
		fflush(stderr);
	}
}

static void console_feed(struct console *c, const char *data, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\r')
			continue;
		if (data[i] != '\n') {
			buf_add(&c->line, &data[i], 1);
			continue;
		}
		buf_add(&c->line, "", 1);
		console_line(c, c->line.data, c->line.len - 1);
		c->line.len = 0;
	}
}

static void console_end(struct console *c)
{
	if (c->line.len) {
		buf_add(&c->line, "", 1);
		console_line(c, c->line.data, c->line.len - 1);
		c->line.len = 0;
	}
	fflush(stdout);
}

/* QEMU has made its hostfwd listeners by the time it prints anything (its network comes up
 * before the machine starts); a listener left with its backlog of 1 still serves, with losses
 * when many connect at once, so that is said and the run goes on. */
static void widen_listeners(struct console *c)
{
	char why[128];

	c->widened = true;
	for (int i = 0; i < c->net->n; i++)
		if (hostfwd_widen(c->qemu->pid, c->net->host[i], why, sizeof(why)))
			fprintf(
			    stderr,
			    "gohv: --publish %u:%u: QEMU's listener keeps its backlog of 1 (%s): "
			    "connections made at the same moment may never reach the program\n",
			    c->net->host[i], c->net->guest[i], why);
}

static enum qemu_feed_result console_chunk(void *ctx, const char *data, size_t n)
{
	struct console *c = ctx;

	if (!c->widened)
		widen_listeners(c);
	console_feed(c, data, n);
	/* After the exit line the hv powers off; give QEMU a moment to go by itself. */
	return c->exited ? QEMU_FEED_ENDING : QEMU_FEED_MORE;
}

/* --board-out's record of how the board was booted: the command line, as a shell reads it. */
static int write_qemu_cmd(const char *dir, char *const *argv)
{
	char *path = join(dir, "qemu.cmd");
	FILE *f = fopen(path, "w");
	int r = 0;

	if (!f || (gohv_qemu_print(f, argv), fclose(f)))
		r = error("%s: %s", path, strerror(errno));
	free(path);
	return r;
}

static int run_qemu(const struct opts *o, const char *img, const char *part)
{
	char smp[16], mem[32], tag[CONFIG_NAME_MAX + 4],
	    err_tag[CONFIG_NAME_MAX + sizeof(CONSOLE_TAG_ERR) + 4], exit_line[CONFIG_NAME_MAX + 64],
	    err[PATH_MAX + 64];
	struct qemu_result res;
	struct console con = {.tag = tag,
			      .err_tag = err_tag,
			      .exit_line = exit_line,
			      .verbose = o->verbose,
			      .net = &o->net,
			      .qemu = &res};
	/* By default the vCPUs are real parallel harts and time is the host's. --icount trades
	 * that for a virtual clock counted in instructions: timings then do not depend on how busy
	 * the host is (one host thread runs every hart in turn). */
	char **shared = shares_qemu_args(&o->shares), **fwd = net_forwards(&o->net);
	struct qemu_cmd_opts qo = {.kernel = img,
				   .smp = smp,
				   .memory = mem,
				   .icount = o->icount,
				   .cpu = o->cpu,
				   .user_net = o->net.on,
				   .net_forwards = (const char *const *)fwd,
				   .extra = (const char *const *)shared};
	struct qemu_run_opts ro = {
	    .timeout_s = o->timeout,
	    /* netd never ends, so the hv does not power off after the program: its exit line is
	     * the last the program says, and QEMU is stopped a moment later. */
	    .grace_s = o->net.on ? 1 : 5,
	    .own_stderr = true,
	    .interrupt = &got_signal,
	};
	struct qemu_cmd cmd;

	snprintf(tag, sizeof(tag), CONSOLE_TAG_OPEN "%s" CONSOLE_TAG_CLOSE, part);
	snprintf(err_tag, sizeof(err_tag), CONSOLE_TAG_OPEN "%s" CONSOLE_TAG_ERR CONSOLE_TAG_CLOSE,
		 part);
	snprintf(exit_line, sizeof(exit_line),
		 CONSOLE_HV_PREFIX CONSOLE_PARTITION "%s" CONSOLE_EXITED, part);
	snprintf(smp, sizeof(smp), "%u", board_cpus(o));
	snprintf(mem, sizeof(mem), "%luM", (unsigned long)(board_memory(o) >> 20));
	if (qemu_cmd_build(&qo, &cmd, err, sizeof(err))) {
		shares_free_args(shared);
		net_free_forwards(fwd);
		return error("%s", err), EXIT_TOOL;
	}
	if (o->board_out && write_qemu_cmd(o->board_out, cmd.argv)) {
		qemu_cmd_free(&cmd);
		shares_free_args(shared);
		net_free_forwards(fwd);
		return EXIT_TOOL;
	}
	int r = qemu_run(cmd.argv, &ro, console_chunk, &con, &res);
	qemu_cmd_free(&cmd);
	shares_free_args(shared);
	net_free_forwards(fwd);
	if (r)
		return error("starting QEMU: %s", strerror(errno)), EXIT_TOOL;
	console_end(&con);
	free(con.line.data);
	free(con.bytes.data);
	if (got_signal) {
		error("%s: interrupted by signal %d", o->program, (int)got_signal);
		return 128 + got_signal;
	}
	if (con.exited)
		return con.code & 0xff;
	if (res.timed_out) {
		error("%s: timed out after %u s (--timeout)", o->program, o->timeout);
		return EXIT_TIMEOUT;
	}
	if (res.exited && res.status == 127)
		return EXIT_TOOL; /* exec failed: already said why */
	error("%s: QEMU exited (status %d) without the partition's exit line; rerun with -v",
	      o->program, res.exited ? res.status : -1);
	return EXIT_TOOL;
}

/* ------------------------------------------------------------------ options and commands */

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'K':
	case 'k':
		v <<= 10, end++;
		break;
	case 'M':
	case 'm':
		v <<= 20, end++;
		break;
	case 'G':
	case 'g':
		v <<= 30, end++;
		break;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end || v == 0 || v > (1ULL << 40))
		return -1;
	*out = v;
	return 0;
}

static int usage(void)
{
	fputs(
	    "usage: gohv run [options] PROGRAM [ARGS...]\n"
	    "       gohv initrd [options] PROGRAM [ARGS...] -o FILE.cpio\n"
	    "       gohv build [GO-BUILD-ARGS...]\n"
	    "                 (a GOOS=tamago partition image, with $TAMAGO: TamaGo's go)\n"
	    "       gohv qemu [--qemu-args FILE] [--cpu MODEL] [--smp N] [--memory SIZE]\n"
	    "                 [--icount] [--print] IMAGE [QEMU-ARGS...]\n"
	    "                 (boot a packed image on the terminal; Ctrl-A X quits)\n"
	    "options:\n"
	    "  --vcpus N              vCPUs (default 2, at most 7)\n"
	    "  --memory SIZE          partition RAM, K/M/G suffixes (default 256M)\n"
	    "  --file HOST[:GUEST]    also pack this file or folder (repeatable)\n"
	    "  --no-cwd               run: do not pack the working directory (nor share folders)\n"
	    "  --share DIR[:ro|:rw]   run: the host folder DIR at its own path (repeatable); :ro\n"
	    "                         (default) keeps writes in the guest, :rw makes them on the\n"
	    "                         host; default: the module around the working directory,\n"
	    "                         the Go root and " ZONEINFO ", read-only\n"
	    "  --no-share             run: share no folder (pack the working directory instead)\n"
	    "  --no-zoneinfo          run: neither share nor pack the host's time zones (" ZONEINFO
	    ")\n"
	    "  --publish HOST:GUEST   run: serve the program's TCP port GUEST on 127.0.0.1:HOST\n"
	    "                         (repeatable): netd, QEMU's user network (restrict=on)\n"
	    "  --net                  run: netd and the user network without publishing (the\n"
	    "                         program connects out, to the host's 10.0.2.2 only)\n"
	    "  --cpu MODEL            run: QEMU's -cpu (default " MACHINE_CPU ")\n"
	    "  --icount               run: virtual time counted in instructions: timings that do\n"
	    "                         not depend on host load (one host thread for all vCPUs)\n"
	    "  --cwd                  initrd: pack the working directory too\n"
	    "  --max-files-size SIZE  cap on packed folder contents (default 64M)\n"
	    "  --timeout SECONDS      run: give up after this long, exit 124 (default 600)\n"
	    "  --board-out DIR        run: keep the generated config, initrds, image and QEMU\n"
	    "                         command line (qemu.cmd) in DIR\n"
	    "  -v                     run: show the hypervisor's own lines too\n"
	    "  -o FILE                initrd: where to write the archive\n"
	    "environment: GOHV_HV, GOHV_GORT (hv and gort images), GOHV_OPENSBI, GOHV_QEMU;\n"
	    "             build: TAMAGO, GOHV_GOOS_GO (the goos module's folder)\n",
	    stderr);
	return EXIT_TOOL;
}

static int parse_opts(int argc, char **argv, struct opts *o, bool initrd_cmd)
{
	static const struct option longopts[] = {
	    {"vcpus", required_argument, NULL, 'c'},
	    {"memory", required_argument, NULL, 'm'},
	    {"file", required_argument, NULL, 'f'},
	    {"no-cwd", no_argument, NULL, 'n'},
	    {"no-zoneinfo", no_argument, NULL, 'Z'},
	    {"icount", no_argument, NULL, 'I'},
	    {"cpu", required_argument, NULL, 'C'},
	    {"cwd", no_argument, NULL, 'w'},
	    {"timeout", required_argument, NULL, 't'},
	    {"board-out", required_argument, NULL, 'b'},
	    {"max-files-size", required_argument, NULL, 'x'},
	    {"share", required_argument, NULL, 's'},
	    {"no-share", no_argument, NULL, 'S'},
	    {"publish", required_argument, NULL, 'P'},
	    {"net", no_argument, NULL, 'N'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int opt;
	char *end;

	o->vcpus = DEFAULT_VCPUS;
	o->memory = DEFAULT_MEMORY;
	o->timeout = DEFAULT_TIMEOUT;
	o->files_max = DEFAULT_FILES_MAX;
	o->files = xmalloc((size_t)argc * sizeof(*o->files));
	o->share_dirs = xmalloc((size_t)argc * sizeof(*o->share_dirs));
	o->share_rw = xmalloc((size_t)argc * sizeof(*o->share_rw));
	opterr = 0;
	optind = 1;
	/* '+': options end at PROGRAM, so the program's own flags (-test.v) pass through. */
	while ((opt = getopt_long(argc, argv, "+vo:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c': {
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || v < 1 || v > CONFIG_MAX_CPUS - 1)
				return error("--vcpus %s: must be 1..%d", optarg,
					     CONFIG_MAX_CPUS - 1);
			o->vcpus = (unsigned)v;
			break;
		}
		case 'm':
			if (parse_size(optarg, &o->memory))
				return error("--memory %s: not a size (like 256M or 1G)", optarg);
			o->memory = (o->memory + CONFIG_MEM_ALIGN - 1) & ~(CONFIG_MEM_ALIGN - 1);
			break;
		case 'x':
			if (parse_size(optarg, &o->files_max))
				return error("--max-files-size %s: not a size (like 64M)", optarg);
			break;
		case 'f': {
			char *colon = strrchr(optarg, ':');
			struct mapping *m = &o->files[o->nfiles++];

			m->host = optarg;
			m->guest = NULL;
			if (colon && colon[1] == '/') {
				*colon = 0;
				m->guest = colon + 1;
			} else if (colon) {
				return error("--file %s: the guest path after ':' must be absolute",
					     optarg);
			}
			break;
		}
		case 'n':
			o->no_cwd = true;
			break;
		case 's': {
			size_t len = strlen(optarg);

			bool rw = len > 3 && !strcmp(optarg + len - 3, ":rw");
			if (rw || (len > 3 && !strcmp(optarg + len - 3, ":ro")))
				optarg[len - 3] = 0;
			o->share_rw[o->nshare_dirs] = rw;
			o->share_dirs[o->nshare_dirs++] = optarg;
			break;
		}
		case 'S':
			o->no_share = true;
			break;
		case 'P':
			if (net_publish_add(&o->net, optarg))
				return -1;
			break;
		case 'N':
			o->net.on = true;
			break;
		case 'Z':
			o->no_zoneinfo = true;
			break;
		case 'I':
			o->icount = true;
			break;
		case 'C':
			o->cpu = optarg;
			break;
		case 'w':
			o->cwd = true;
			break;
		case 't': {
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || v < 1 || v > 86400 * 7)
				return error("--timeout %s: not a number of seconds", optarg);
			o->timeout = (unsigned)v;
			break;
		}
		case 'b':
			o->board_out = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'o':
			o->out = optarg;
			break;
		default:
			return usage(), -1;
		}
	}
	if (optind >= argc)
		return usage(), -1;
	if (o->net.on && o->vcpus + 1 + NETD_VCPUS > CONFIG_MAX_CPUS)
		return error("--vcpus %u: at most %d with netd (--publish, --net), which takes %d",
			     o->vcpus, CONFIG_MAX_CPUS - 1 - NETD_VCPUS, NETD_VCPUS);
	o->program = argv[optind];
	o->args = argv + optind + 1;
	o->nargs = argc - optind - 1;
	/* `gohv initrd PROGRAM ARGS -o FILE`: -o may also come last. */
	if (initrd_cmd && !o->out && o->nargs >= 2 && !strcmp(o->args[o->nargs - 2], "-o")) {
		o->out = o->args[o->nargs - 1];
		o->nargs -= 2;
	}
	return 0;
}

/* <dir of this binary>/../rel, or the environment's override. */
static char *locate(const char *env, const char *rel)
{
	const char *v = getenv(env);
	char self[PATH_MAX];
	ssize_t n;

	if (v && *v)
		return xstrdup(v);
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		return xstrdup(rel);
	self[n] = 0;
	*strrchr(self, '/') = 0;
	char *up = join(self, "..");
	char *p = join(up, rel);
	free(up);
	return p;
}

static int cmd_initrd(struct opts *o)
{
	char real[PATH_MAX];
	enum kind kind;

	if (!o->out)
		return error("initrd: no output file (-o FILE.cpio)"), EXIT_TOOL;
	if (!realpath(o->program, real))
		return error("%s: %s", o->program, strerror(errno)), EXIT_TOOL;
	if (detect_kind(real, &kind))
		return EXIT_TOOL;
	if (kind != KIND_GO)
		return error("%s: a %s needs no initrd; use it as the image", o->program,
			     kind == KIND_TAMAGO ? "GOOS=tamago program" : "bare gohv guest"),
		       EXIT_TOOL;
	return write_initrd(o, o->out, real, o->cwd) ? EXIT_TOOL : 0;
}

static void cleanup_dir(const char *dir, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *p = join(dir, names[i]);
		unlink(p);
		free(p);
	}
	rmdir(dir);
}

/* --share's folders; else, unless --no-share or --no-cwd (no host files wanted), what `go test
 * -exec` gives a test on Linux: its module and the Go root (tools/gohv_share.h). */
static int choose_shares(struct opts *o)
{
	char cwd[PATH_MAX];

	for (int i = 0; i < o->nshare_dirs; i++)
		if (shares_add(&o->shares, o->share_dirs[i], "--share", o->share_rw[i]))
			return -1;
	if (o->nshare_dirs || o->no_share || o->no_cwd)
		return 0;
	if (!getcwd(cwd, sizeof(cwd)))
		return error("the working directory: %s", strerror(errno));
	if (shares_add_go(&o->shares, cwd))
		return -1;
	/* The time zones too, read as they are looked up rather than packed at every start. */
	if (!o->no_zoneinfo && o->shares.n < SHARES_MAX && access(ZONEINFO, R_OK) == 0)
		return shares_add(&o->shares, ZONEINFO, "the time zones", false);
	return 0;
}

/* netd's initrd: the program alone, none of the host's files, none of the program's options. */
static int write_netd_initrd(const struct opts *o, const char *dir, const char *netd)
{
	struct opts n = {.files_max = DEFAULT_FILES_MAX, .no_cwd = true, .verbose = o->verbose};
	char real[PATH_MAX], *path;
	int r;

	if (!realpath(netd, real) || access(real, R_OK))
		return error("%s: netd (the network partition's program) not found: %s; build it "
			     "with `make netd` or set GOHV_NETD",
			     netd, strerror(errno));
	path = join(dir, NETD_IMAGE);
	r = write_initrd(&n, path, real, false);
	free(path);
	return r;
}

static int cmd_run(struct opts *o)
{
	static const char *const made[] = {"config.dtb", "go.cpio",  "gort.elf", "guest.elf",
					   "gohv.img",	 NETD_IMAGE, "qemu.cmd"};
	static uint64_t fdt_buf[2048];
	char real[PATH_MAX], tmpl[PATH_MAX], bootargs[CONFIG_BOOTARGS_MAX] = "";
	const char *dir, *part, *image;
	char *hv = locate("GOHV_HV", "hv/gohv.elf"), *gort = locate("GOHV_GORT", "guests/gort.elf");
	char *netd = locate("GOHV_NETD", "go/netd");
	char *cpio = NULL, *img = NULL, *cfg = NULL, *link = NULL;
	enum kind kind;
	int r = EXIT_TOOL;

	if (!realpath(o->program, real)) {
		error("%s: %s", o->program, strerror(errno));
		goto out_nodir;
	}
	if (detect_kind(real, &kind))
		goto out_nodir;
	if (o->net.on && kind != KIND_GO) {
		error("%s: --publish and --net are for GOOS=linux Go programs, whose sockets gort "
		      "carries to netd; this is a %s",
		      o->program, kind == KIND_TAMAGO ? "GOOS=tamago program" : "bare gohv guest");
		goto out_nodir;
	}
	if (o->board_out) {
		if (mkdir(o->board_out, 0755) && errno != EEXIST) {
			error("--board-out %s: %s", o->board_out, strerror(errno));
			goto out_nodir;
		}
		dir = o->board_out;
	} else {
		const char *tmp = getenv("TMPDIR");

		snprintf(tmpl, sizeof(tmpl), "%s/gohv-run-XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(tmpl)) {
			error("%s: %s", tmpl, strerror(errno));
			goto out_nodir;
		}
		dir = tmpl;
	}
	img = join(dir, "gohv.img");
	cfg = join(dir, "config.dtb");
	if (kind == KIND_GO) {
		struct stat st;

		part = "go";
		image = "gort.elf";
		if (access(gort, R_OK)) {
			error("%s: gort (the Go runtime image) not found: %s; build it with `make "
			      "gort` or set GOHV_GORT",
			      gort, strerror(errno));
			goto out;
		}
		cpio = join(dir, "go.cpio");
		if (choose_shares(o))
			goto out;
		if (write_initrd(o, cpio, real, true))
			goto out;
		if (stat(cpio, &st) == 0 &&
		    (uint64_t)st.st_size + (8UL << 20) + GUEST_DT_RESERVE > o->memory) {
			error("%s: the packed files are %lu MiB, too many for --memory %lu MiB; "
			      "raise --memory or pack less (--no-cwd)",
			      o->program, (unsigned long)(st.st_size >> 20),
			      (unsigned long)(o->memory >> 20));
			goto out;
		}
		link = join(dir, image);
		unlink(link);
		if (symlink(gort, link)) {
			error("%s: %s", link, strerror(errno));
			goto out;
		}
		if (o->net.on && write_netd_initrd(o, dir, netd))
			goto out;
	} else {
		size_t n = 0;

		/* A GOOS=tamago program, like a C guest, takes its arguments as bootargs
		 * (gohv.dev/tamago/partition.Bootargs). */
		part = kind == KIND_TAMAGO ? "go" : "guest";
		image = "guest.elf";
		for (int i = 0; i < o->nargs; i++) {
			size_t len = strlen(o->args[i]);

			if (n + len + 2 > sizeof(bootargs)) {
				error("%s: arguments are more than %d bytes of bootargs",
				      o->program, CONFIG_BOOTARGS_MAX - 1);
				goto out;
			}
			if (n)
				bootargs[n++] = ' ';
			memcpy(bootargs + n, o->args[i], len + 1);
			n += len;
		}
		link = join(dir, image);
		unlink(link);
		if (symlink(real, link)) {
			error("%s: %s", link, strerror(errno));
			goto out;
		}
	}
	if (make_config(fdt_buf, sizeof(fdt_buf), o, part, image,
			kind == KIND_GO ? "go.cpio" : NULL, bootargs))
		goto out;
	if (o->board_out && out_write_file(cfg, fdt_buf, fdt_totalsize(fdt_buf)))
		goto out;

	const char *dirs[] = {dir};
	char name[PATH_MAX + 32];
	snprintf(name, sizeof(name), "gohv: board for %s", o->program);
	struct pack_opts po = {
	    .hv = hv,
	    .config_data = fdt_buf,
	    .config_size = fdt_totalsize(fdt_buf),
	    .name = name,
	    .out = img,
	    .dirs = dirs,
	    .ndirs = 1,
	};
	if (access(hv, R_OK)) {
		error("%s: the hypervisor image not found: %s; build it with `make hv` or set "
		      "GOHV_HV",
		      hv, strerror(errno));
		goto out;
	}
	if (pack_image(&po))
		goto out;
	r = run_qemu(o, img, part);
out:
	if (!o->board_out)
		cleanup_dir(dir, made, sizeof(made) / sizeof(made[0]));
out_nodir:
	free(hv), free(gort), free(netd), free(cpio), free(img), free(cfg), free(link);
	shares_free(&o->shares);
	return r;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sigaction sa;
	int r;

	memset(&o, 0, sizeof(o));
	if (argc < 2)
		return usage();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (!strcmp(argv[1], "run")) {
		r = parse_opts(argc - 1, argv + 1, &o, false) ? EXIT_TOOL : cmd_run(&o);
	} else if (!strcmp(argv[1], "initrd") || !strcmp(argv[1], "pack-initrd")) {
		r = parse_opts(argc - 1, argv + 1, &o, true) ? EXIT_TOOL : cmd_initrd(&o);
	} else if (!strcmp(argv[1], "build")) {
		r = gohv_build_main(argc - 1, argv + 1);
	} else if (!strcmp(argv[1], "qemu")) {
		r = gohv_qemu_main(argc - 1, argv + 1) ? EXIT_TOOL : 0;
	} else if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage();
		r = 0;
	} else {
		error("unknown command \"%s\" (run, initrd, build, qemu)", argv[1]);
		r = EXIT_TOOL;
	}
	free(o.files);
	return r;
}
