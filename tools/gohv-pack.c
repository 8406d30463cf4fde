/*
 * gohv-pack: checks a board config and its guest images on the host and writes the boot image
 * QEMU loads with -kernel: the hv's segments as a flat binary, then the package (hv/package.h)
 * the hv finds right after its bss. Every check the hv would make at boot is made here first, so
 * a bad board fails the build, not the boot.
 */
#include "hv/config.h"
#include "hv/elf.h"
#include "hv/package.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the package is written little-endian");

#define PAGE_SIZE 4096UL
/* A flat image holds everything between the hv's lowest and highest address; a linker script
 * that spreads segments further apart than this is a mistake, not something to pad out. */
#define HV_SPAN_MAX (64UL << 20)

struct file {
	const char *path;
	uint8_t *data;
	size_t size;
};

struct opts {
	const char *hv, *config, *name, *out, *qemu_args;
	const char **dirs;
	int ndirs;
};

struct image {
	const char *name; /* as the config names it */
	char *path;	  /* where it was found */
	struct file f;
	struct elf_image elf;
	uint64_t offset; /* in the package */
};

struct pack {
	struct opts o;
	struct file hv, config;
	struct elf_image hv_elf;
	struct board_config board;
	struct image images[GOHV_PKG_MAX_IMAGES];
	unsigned nimages;
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

__attribute__((format(printf, 1, 2))) static int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

static int usage(void)
{
	return error("usage: gohv-pack --hv HV.elf --config CONFIG.dtb [--config-name NAME] "
		     "[-L DIR]... -o OUT.img [--qemu-args FILE]");
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
	    {"hv", required_argument, NULL, 'h'},
	    {"config", required_argument, NULL, 'c'},
	    {"config-name", required_argument, NULL, 'n'},
	    {"qemu-args", required_argument, NULL, 'q'},
	    {NULL, 0, NULL, 0},
	};
	int opt;

	o->dirs = calloc((size_t)argc, sizeof(*o->dirs));
	if (!o->dirs)
		return error("gohv-pack: out of memory");
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "L:o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			o->hv = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'q':
			o->qemu_args = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'L':
			o->dirs[o->ndirs++] = optarg;
			break;
		default:
			return usage();
		}
	}
	if (optind != argc || !o->hv || !o->config || !o->out)
		return usage();
	if (!o->name)
		o->name = o->config;
	return 0;
}

static int read_file(const char *path, struct file *f)
{
	FILE *fp = fopen(path, "rb");
	struct stat st;

	f->path = path;
	if (!fp)
		return error("%s: %s", path, strerror(errno));
	if (fstat(fileno(fp), &st) != 0) {
		int e = errno;
		fclose(fp);
		return error("%s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		fclose(fp);
		return error("%s: not a regular file", path);
	}
	f->size = (size_t)st.st_size;
	/* +1 so an empty file still gets a buffer; libfdt wants it 8-byte aligned, which malloc is.
	 */
	f->data = malloc(f->size + 1);
	if (!f->data) {
		fclose(fp);
		return error("%s: out of memory", path);
	}
	if (fread(f->data, 1, f->size, fp) != f->size) {
		int e = ferror(fp) ? errno : 0;
		fclose(fp);
		return error("%s: %s", path, e ? strerror(e) : "file shrank while being read");
	}
	fclose(fp);
	return 0;
}

static int load_config(struct pack *p)
{
	struct config_error err;

	if (read_file(p->o.config, &p->config))
		return -1;
	if (config_parse(p->config.data, p->config.size, &p->board, &err))
		return error("%s: %s", p->o.name, err.msg);
	return 0;
}

static int load_hv(struct pack *p)
{
	char err[ELF_ERR_MAX];

	if (read_file(p->o.hv, &p->hv))
		return -1;
	if (elf_check(p->hv.data, p->hv.size, ELF_MACHINE_RISCV, &p->hv_elf, err, sizeof(err)))
		return error("%s: %s", p->o.hv, err);
	if (p->hv_elf.entry != p->hv_elf.lowest)
		return error("%s: entry 0x%lx is not the lowest address 0x%lx; a flat image runs "
			     "from its first byte",
			     p->o.hv, (unsigned long)p->hv_elf.entry,
			     (unsigned long)p->hv_elf.lowest);
	if (p->hv_elf.highest - p->hv_elf.lowest > HV_SPAN_MAX)
		return error("%s: segments span 0x%lx-0x%lx, more than %lu MiB", p->o.hv,
			     (unsigned long)p->hv_elf.lowest, (unsigned long)p->hv_elf.highest,
			     HV_SPAN_MAX >> 20);
	return 0;
}

static char *find_in_dirs(const struct opts *o, const char *name)
{
	for (int i = 0; i < o->ndirs; i++) {
		size_t len = strlen(o->dirs[i]) + strlen(name) + 2;
		char *path = malloc(len);
		struct stat st;

		if (!path)
			return NULL;
		snprintf(path, len, "%s/%s", o->dirs[i], name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return path;
		free(path);
	}
	return NULL;
}

static int not_found(const struct pack *p, const struct partition_config *part)
{
	fprintf(stderr, "%s: /partitions/%s: image: %s not found in ", p->o.name, part->name,
		part->image);
	if (p->o.ndirs == 0)
		fputs("(no -L directories given)", stderr);
	for (int i = 0; i < p->o.ndirs; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", p->o.dirs[i]);
	fputc('\n', stderr);
	return -1;
}

/* Returns the image a partition names, reading and checking it the first time it is named. */
static struct image *get_image(struct pack *p, const struct partition_config *part)
{
	struct image *img;
	char err[ELF_ERR_MAX];

	for (unsigned i = 0; i < p->nimages; i++)
		if (strcmp(p->images[i].name, part->image) == 0)
			return &p->images[i];
	if (p->nimages == GOHV_PKG_MAX_IMAGES) {
		error("%s: /partitions/%s: image: more than %d distinct images", p->o.name,
		      part->name, GOHV_PKG_MAX_IMAGES);
		return NULL;
	}
	img = &p->images[p->nimages];
	img->name = part->image;
	img->path = find_in_dirs(&p->o, part->image);
	if (!img->path) {
		not_found(p, part);
		return NULL;
	}
	if (read_file(img->path, &img->f))
		return NULL;
	if (elf_check(img->f.data, img->f.size, ELF_MACHINE_RISCV, &img->elf, err, sizeof(err))) {
		error("%s: /partitions/%s: image: %s: %s", p->o.name, part->name, img->path, err);
		return NULL;
	}
	p->nimages++;
	return img;
}

static int check_images(struct pack *p)
{
	for (unsigned i = 0; i < p->board.npartitions; i++) {
		const struct partition_config *part = &p->board.partitions[i];
		struct image *img = get_image(p, part);
		uint64_t end = GUEST_RAM_BASE + part->memory_size - GUEST_DT_RESERVE;

		if (!img)
			return -1;
		if (img->elf.lowest < GUEST_RAM_BASE || img->elf.highest > end)
			return error(
			    "%s: /partitions/%s: image: %s: segments span 0x%lx-0x%lx, "
			    "outside the partition's loadable RAM 0x%lx-0x%lx",
			    p->o.name, part->name, img->path, (unsigned long)img->elf.lowest,
			    (unsigned long)img->elf.highest, GUEST_RAM_BASE, (unsigned long)end);
	}
	return 0;
}

/* Lays out the package after the header and returns its size. */
static uint64_t layout(struct pack *p, struct gohv_pkg_header *h)
{
	uint64_t off = align_up(sizeof(*h), 8);

	h->magic = GOHV_PKG_MAGIC;
	h->version = GOHV_PKG_VERSION;
	h->config_offset = off;
	h->config_size = p->config.size;
	off = align_up(off + p->config.size, 8);
	h->nimages = p->nimages;
	for (unsigned i = 0; i < p->nimages; i++) {
		struct gohv_pkg_image *pi = &h->images[i];

		memcpy(pi->name, p->images[i].name, strlen(p->images[i].name) + 1);
		pi->offset = off;
		pi->size = p->images[i].f.size;
		pi->checksum = gohv_fnv1a32(p->images[i].f.data, pi->size);
		off = align_up(off + pi->size, 8);
	}
	h->size = off;
	h->header_checksum = 0;
	h->header_checksum = gohv_fnv1a32(h, sizeof(*h));
	return off;
}

static uint8_t *build(struct pack *p, size_t *len)
{
	struct gohv_pkg_header h;
	uint64_t span = align_up(p->hv_elf.highest, PAGE_SIZE) - p->hv_elf.lowest;
	char err[ELF_ERR_MAX];
	uint8_t *buf, *pkg;

	memset(&h, 0, sizeof(h));
	*len = span + layout(p, &h);
	buf = calloc(1, *len);
	if (!buf) {
		error("%s: out of memory", p->o.out);
		return NULL;
	}
	if (elf_load(&p->hv_elf, p->hv_elf.lowest, span, buf, err, sizeof(err))) {
		error("%s: %s", p->o.hv, err);
		free(buf);
		return NULL;
	}
	pkg = buf + span;
	memcpy(pkg, &h, sizeof(h));
	memcpy(pkg + h.config_offset, p->config.data, p->config.size);
	for (unsigned i = 0; i < p->nimages; i++)
		memcpy(pkg + h.images[i].offset, p->images[i].f.data, p->images[i].f.size);
	return buf;
}

/* Writes to a temp file beside path and renames it, so a failed run leaves no half file. */
static int write_atomic(const char *path, const void *data, size_t len)
{
	size_t tlen = strlen(path) + 16;
	char *tmp = malloc(tlen);
	int fd, e = 0;
	FILE *fp;

	if (!tmp)
		return error("%s: out of memory", path);
	snprintf(tmp, tlen, "%s.tmp-XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		error("%s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	/* mkstemp makes it 0600; an image is no secret. */
	fchmod(fd, 0644);
	errno = 0;
	fp = fdopen(fd, "wb");
	if (!fp || fwrite(data, 1, len, fp) != len || fflush(fp) != 0)
		e = errno ? errno : EIO;
	if ((fp ? fclose(fp) : close(fd)) != 0 && !e)
		e = errno ? errno : EIO;
	if (!e && rename(tmp, path) != 0)
		e = errno;
	if (e) {
		unlink(tmp);
		error("%s: %s", path, strerror(e));
	}
	free(tmp);
	return e ? -1 : 0;
}

static int write_qemu_args(const struct pack *p)
{
	char line[64];
	/* Round up: QEMU takes whole MiB and the hv must find at least what the config promises. */
	unsigned long mib = (unsigned long)((p->board.memory_size + (1UL << 20) - 1) >> 20);
	int n = snprintf(line, sizeof(line), "-smp %u -m %luM\n", p->board.nharts, mib);

	return write_atomic(p->o.qemu_args, line, (size_t)n);
}

static void release(struct pack *p)
{
	free(p->o.dirs);
	free(p->config.data);
	free(p->hv.data);
	for (unsigned i = 0; i < GOHV_PKG_MAX_IMAGES; i++) {
		free(p->images[i].path);
		free(p->images[i].f.data);
	}
}

static int run(struct pack *p)
{
	uint8_t *img;
	size_t len;
	int r;

	if (load_config(p) || check_images(p) || load_hv(p))
		return 1;
	img = build(p, &len);
	if (!img)
		return 1;
	r = write_atomic(p->o.out, img, len);
	free(img);
	if (r || (p->o.qemu_args && write_qemu_args(p)))
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct pack p;
	int r;

	memset(&p, 0, sizeof(p));
	r = parse_args(argc, argv, &p.o) ? 2 : run(&p);
	release(&p);
	return r;
}
