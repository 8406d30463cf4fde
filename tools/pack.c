/*
 * The packer proper (tools/pack.h). Every check the hv makes at boot is made here first, so a bad
 * board fails on the host, with a line naming the file and the partition, not at boot.
 */
#include "tools/pack.h"
#include "tools/out_file.h"

#include "hv/config.h"
#include "hv/elf.h"
#include <elf64.h>
#include "hv/package.h"
#include GOHV_MACHINE_H

#include <errno.h>
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

/* One package entry: a partition's image (an ELF) or initrd (any bytes), packed once however
 * many partitions name it. */
struct entry {
	const char *name; /* as the config names it */
	char *path;	  /* where it was found */
	struct pack_file f;
	bool is_elf;
	bool whole; /* named as an initrd too: every byte is the guest's */
	struct elf_image elf;
};

struct pack {
	const struct pack_opts *o;
	const char *name;
	struct pack_file hv, config;
	struct elf_image hv_elf;
	struct board_config board;
	struct entry entries[GOHV_PKG_MAX_IMAGES];
	unsigned nentries;
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

int pack_read_file(const char *path, struct pack_file *f)
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

static void *pack_alloc(void *ctx, size_t size)
{
	return malloc(size);
}

static int load_config(struct pack *p)
{
	struct config_error err;

	if (p->o->config_data) {
		p->config.data = malloc(p->o->config_size + 1);
		if (!p->config.data)
			return error("%s: out of memory", p->name);
		memcpy(p->config.data, p->o->config_data, p->o->config_size);
		p->config.size = p->o->config_size;
	} else if (pack_read_file(p->o->config, &p->config)) {
		return -1;
	}
	if (config_parse(p->config.data, p->config.size, pack_alloc, NULL, &p->board, &err))
		return error("%s: %s", p->name, err.msg);
	if (p->board.legacy)
		fprintf(stderr,
			"%s: warning: old config format \"%s\": say cpus for harts, and \"%s\"\n",
			p->name, CONFIG_COMPATIBLE_V1, CONFIG_COMPATIBLE);
	return 0;
}

static int load_hv(struct pack *p)
{
	char err[ELF_ERR_MAX];

	if (pack_read_file(p->o->hv, &p->hv))
		return -1;
	if (elf_check(p->hv.data, p->hv.size, MACHINE_ELF, &p->hv_elf, err, sizeof(err)))
		return error("%s: %s", p->o->hv, err);
	if (p->hv_elf.entry != p->hv_elf.lowest)
		return error("%s: entry 0x%lx is not the lowest address 0x%lx; a flat image runs "
			     "from its first byte",
			     p->o->hv, (unsigned long)p->hv_elf.entry,
			     (unsigned long)p->hv_elf.lowest);
	if (p->hv_elf.highest - p->hv_elf.lowest > HV_SPAN_MAX)
		return error("%s: segments span 0x%lx-0x%lx, more than %lu MiB", p->o->hv,
			     (unsigned long)p->hv_elf.lowest, (unsigned long)p->hv_elf.highest,
			     HV_SPAN_MAX >> 20);
	return 0;
}

static char *find_in_dirs(const struct pack_opts *o, const char *name)
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

static int not_found(const struct pack *p, const struct partition_config *part, const char *what,
		     const char *name)
{
	fprintf(stderr, "%s: /partitions/%s: %s: %s not found in ", p->name, part->name, what,
		name);
	if (p->o->ndirs == 0)
		fputs("(no -L directories given)", stderr);
	for (int i = 0; i < p->o->ndirs; i++)
		fprintf(stderr, "%s%s", i ? ", " : "", p->o->dirs[i]);
	fputc('\n', stderr);
	return -1;
}

/* Returns the entry a partition names as what ("image" or "initrd"), reading (and for an image,
 * checking) the file the first time it is named. */
static struct entry *get_entry(struct pack *p, const struct partition_config *part,
			       const char *what, const char *name, bool is_elf)
{
	struct entry *e;
	char err[ELF_ERR_MAX];

	for (unsigned i = 0; i < p->nentries; i++) {
		if (strcmp(p->entries[i].name, name))
			continue;
		if (!is_elf)
			p->entries[i].whole = true;
		if (p->entries[i].is_elf == is_elf)
			return &p->entries[i];
		/* An initrd may be any bytes; used as both, the file must pass as an image too. */
		if (is_elf && elf_check(p->entries[i].f.data, p->entries[i].f.size, MACHINE_ELF,
					&p->entries[i].elf, err, sizeof(err))) {
			error("%s: /partitions/%s: %s: %s: %s", p->name, part->name, what,
			      p->entries[i].path, err);
			return NULL;
		}
		p->entries[i].is_elf = true;
		return &p->entries[i];
	}
	if (p->nentries == GOHV_PKG_MAX_IMAGES) {
		error("%s: /partitions/%s: %s: more than %d distinct images and initrds", p->name,
		      part->name, what, GOHV_PKG_MAX_IMAGES);
		return NULL;
	}
	e = &p->entries[p->nentries];
	e->name = name;
	e->is_elf = is_elf;
	e->whole = !is_elf;
	e->path = find_in_dirs(p->o, name);
	if (!e->path) {
		not_found(p, part, what, name);
		return NULL;
	}
	if (pack_read_file(e->path, &e->f))
		return NULL;
	p->nentries++;
	if (is_elf && elf_check(e->f.data, e->f.size, MACHINE_ELF, &e->elf, err, sizeof(err))) {
		error("%s: /partitions/%s: %s: %s: %s", p->name, part->name, what, e->path, err);
		return NULL;
	}
	return e;
}

/* The hv puts the initrd at gohv_pkg_initrd_gpa and refuses it over the image. */
static int check_initrd(struct pack *p, const struct partition_config *part,
			const struct entry *img)
{
	uint64_t dt = GUEST_RAM_BASE + part->memory_size - GUEST_DT_RESERVE;
	const struct entry *rd;

	if (!part->initrd[0])
		return 0;
	rd = get_entry(p, part, "initrd", part->initrd, false);
	if (!rd)
		return -1;
	if (rd->f.size > dt - img->elf.highest ||
	    gohv_pkg_initrd_gpa(dt, rd->f.size) < img->elf.highest)
		return error(
		    "%s: /partitions/%s: initrd: %s is %lu bytes; with image %s (%lu bytes "
		    "loaded) and the %lu KiB device tree area it does not fit in the "
		    "partition's %lu MiB",
		    p->name, part->name, rd->path, (unsigned long)rd->f.size, img->name,
		    (unsigned long)(img->elf.highest - GUEST_RAM_BASE), GUEST_DT_RESERVE >> 10,
		    (unsigned long)(part->memory_size >> 20));
	return 0;
}

/*
 * Cuts an image (not also an initrd) down to what the hv reads: the ELF header, the program headers
 * and the PT_LOAD segments' file bytes, which a linker puts first; the section headers and the
 * debug info after them go. The hv checksums every byte of an entry at every boot, and
 * debug info is most of a C guest's file. A program header of another type whose bytes went is
 * emptied (the hv reads only PT_LOADs). elf_check passed, so every offset below is in the file.
 */
static int strip_image(struct pack *p, struct entry *e)
{
	struct elf64_ehdr *eh = (void *)e->f.data;
	struct elf64_phdr *ph = (void *)(e->f.data + eh->phoff);
	uint64_t end = eh->phoff + (uint64_t)eh->phnum * sizeof(*ph);
	char err[ELF_ERR_MAX];

	if (end < sizeof(*eh))
		end = sizeof(*eh);
	for (unsigned i = 0; i < eh->phnum; i++)
		if (ph[i].type == ELF64_PT_LOAD && ph[i].offset + ph[i].filesz > end)
			end = ph[i].offset + ph[i].filesz;
	if (end >= e->f.size)
		return 0;
	for (unsigned i = 0; i < eh->phnum; i++)
		if (ph[i].type != ELF64_PT_LOAD && ph[i].offset + ph[i].filesz > end)
			ph[i].offset = ph[i].filesz = 0;
	eh->shoff = 0;
	eh->shnum = eh->shstrndx = 0;
	e->f.size = end;
	/* What the hv will see, checked as it will check it. */
	if (elf_check(e->f.data, e->f.size, MACHINE_ELF, &e->elf, err, sizeof(err)))
		return error("%s: %s: stripped to its loadable bytes: %s", p->name, e->path, err);
	return 0;
}

static int check_entries(struct pack *p)
{
	for (unsigned i = 0; i < p->board.npartitions; i++) {
		const struct partition_config *part = &p->board.partitions[i];
		struct entry *img = get_entry(p, part, "image", part->image, true);
		uint64_t end = GUEST_RAM_BASE + part->memory_size - GUEST_DT_RESERVE;

		if (!img)
			return -1;
		if (img->elf.lowest < GUEST_RAM_BASE || img->elf.highest > end)
			return error("%s: /partitions/%s: image: %s: segments span 0x%lx-0x%lx, "
				     "outside the partition's loadable RAM 0x%lx-0x%lx",
				     p->name, part->name, img->path, (unsigned long)img->elf.lowest,
				     (unsigned long)img->elf.highest, GUEST_RAM_BASE,
				     (unsigned long)end);
		if (check_initrd(p, part, img))
			return -1;
	}
	for (unsigned i = 0; i < p->nentries; i++)
		if (p->entries[i].is_elf && !p->entries[i].whole && strip_image(p, &p->entries[i]))
			return -1;
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
	h->nimages = p->nentries;
	for (unsigned i = 0; i < p->nentries; i++) {
		struct gohv_pkg_image *pi = &h->images[i];

		memcpy(pi->name, p->entries[i].name, strlen(p->entries[i].name) + 1);
		pi->offset = align_up(off, GOHV_PKG_ENTRY_ALIGN);
		pi->size = p->entries[i].f.size;
		off = gohv_pkg_sums_offset(pi) + gohv_pkg_chunks(pi->size) * 8;
	}
	h->size = off;
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
		error("%s: out of memory", p->o->out);
		return NULL;
	}
	if (elf_load(&p->hv_elf, p->hv_elf.lowest, span, buf, err, sizeof(err))) {
		error("%s: %s", p->o->hv, err);
		free(buf);
		return NULL;
	}
	pkg = buf + span;
	memcpy(pkg + h.config_offset, p->config.data, p->config.size);
	for (unsigned i = 0; i < p->nentries; i++) {
		struct gohv_pkg_image *pi = &h.images[i];

		memcpy(pkg + pi->offset, p->entries[i].f.data, pi->size);
		/* 8-byte aligned: calloc's buffer, the hv's page-multiple span, an aligned offset.
		 */
		pi->checksum = gohv_pkg_sums(pkg + pi->offset, pi->size,
					     (uint64_t *)(void *)(pkg + gohv_pkg_sums_offset(pi)));
	}
	h.header_checksum = 0;
	h.header_checksum = gohv_fnv1a32(&h, sizeof(h));
	memcpy(pkg, &h, sizeof(h));
	return buf;
}

/* "-smp N -m SIZE" for QEMU. */
static int qemu_args_line(const struct pack *p, char *line, size_t size)
{
	/* Round up: QEMU takes whole MiB and the hv must find at least what the config promises. */
	unsigned long mib = (unsigned long)((p->board.memory_size + (1UL << 20) - 1) >> 20);

	return snprintf(line, size, "-smp %u -m %luM\n", p->board.ncpus, mib);
}

static int write_data(struct out_file *f, const void *data, size_t len)
{
	if (fwrite(data, 1, len, f->fp) == len)
		return 0;
	error("%s: %s", f->path, strerror(errno ? errno : EIO));
	out_abort(f);
	return -1;
}

/* Both outputs are written before either replaces what was there, so a failure leaves the old
 * pair (or nothing, if they were new) rather than a new image beside old arguments. */
static int write_outputs(const struct pack *p, const uint8_t *img, size_t len)
{
	struct out_file out, qa;
	char line[64];
	int n = p->o->qemu_args ? qemu_args_line(p, line, sizeof(line)) : 0;

	if (out_open(&out, p->o->out) || write_data(&out, img, len))
		return -1;
	if (!p->o->qemu_args)
		return out_commit(&out);
	if (out_open(&qa, p->o->qemu_args)) {
		out_abort(&out);
		return -1;
	}
	if (write_data(&qa, line, (size_t)n)) {
		out_abort(&out);
		return -1;
	}
	if (out_commit(&out)) {
		out_abort(&qa);
		return -1;
	}
	return out_commit(&qa);
}

static void release(struct pack *p)
{
	free(p->config.data);
	free(p->board.partitions);
	free(p->board.channels);
	free(p->board.devices);
	free(p->hv.data);
	for (unsigned i = 0; i < GOHV_PKG_MAX_IMAGES; i++) {
		free(p->entries[i].path);
		free(p->entries[i].f.data);
	}
}

int pack_image(const struct pack_opts *o)
{
	/* Static: the board config and the entry table are too big for a comfortable stack. */
	static struct pack p;
	uint8_t *img = NULL;
	size_t len;
	int r = -1;

	memset(&p, 0, sizeof(p));
	p.o = o;
	p.name = o->name ? o->name : o->config ? o->config : "config";
	if (load_config(&p) || check_entries(&p) || load_hv(&p))
		goto out;
	img = build(&p, &len);
	if (!img)
		goto out;
	if (write_outputs(&p, img, len))
		goto out;
	r = 0;
out:
	free(img);
	release(&p);
	return r;
}
