/*
 * Packing a boot image: checks a board config and the files its partitions name (images and
 * initrds, found in a list of folders) exactly as the hv will at boot, then writes the image QEMU
 * loads with -kernel: the hv's segments as a flat binary, then the package (hv/package.h). Shared
 * by tools/gohv-pack (boards from the Makefile) and tools/gohv (boards it generates).
 */
#ifndef GOHV_TOOLS_PACK_H
#define GOHV_TOOLS_PACK_H

#include <stddef.h>
#include <stdint.h>

struct pack_opts {
	const char *hv;		 /* the hv's ELF */
	const char *config;	 /* the config blob's path; ignored when config_data is set */
	const void *config_data; /* or the blob itself (8-byte aligned), config_size bytes */
	size_t config_size;
	const char *name;	 /* how errors name the config; defaults to config */
	const char *out;	 /* the boot image to write */
	const char *qemu_args;	 /* optional: write "-smp N -m SIZE" for the board here */
	const char *const *dirs; /* where images and initrds are looked up, in order */
	int ndirs;
};

struct pack_file {
	const char *path;
	uint8_t *data; /* malloc'd; one spare byte so an empty file still has a buffer */
	size_t size;
};

/* Checks and writes o->out (and o->qemu_args) as tools/out_file.h says. On error prints one line
 * to stderr naming what and where, leaves what was there before as it was and returns -1. */
int pack_image(const struct pack_opts *o);

/* Reads a regular file whole; prints "path: why" and returns -1 on error. */
int pack_read_file(const char *path, struct pack_file *f);

#endif
