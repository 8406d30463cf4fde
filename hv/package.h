/*
 * The packed boot image: the hv's own loadable segments, then (page aligned, right after the hv's
 * bss) a package holding the board config blob and the guest images. tools/gohv-pack writes it;
 * the hv finds it at __pkg_start. All fields are little-endian.
 */
#ifndef GOHV_PACKAGE_H
#define GOHV_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#define GOHV_PKG_MAGIC	    0x4b504847U /* "GHPK" */
#define GOHV_PKG_VERSION    1
#define GOHV_PKG_MAX_IMAGES 16
#define GOHV_PKG_NAME_MAX   64

struct gohv_pkg_image {
	char name[GOHV_PKG_NAME_MAX]; /* as named by a partition's `image` property */
	uint64_t offset;	      /* from the start of the package */
	uint64_t size;
	uint32_t checksum; /* FNV-1a 32 of the bytes */
	uint32_t reserved;
};

struct gohv_pkg_header {
	uint32_t magic;
	uint32_t version;
	uint64_t size; /* whole package, header included */
	uint64_t config_offset;
	uint64_t config_size;
	uint32_t nimages;
	uint32_t header_checksum; /* FNV-1a 32 of the header with this field zero */
	struct gohv_pkg_image images[GOHV_PKG_MAX_IMAGES];
};

static inline uint32_t gohv_fnv1a32(const void *data, uint64_t len)
{
	const unsigned char *p = data;
	uint32_t h = 2166136261U;

	while (len--) {
		h ^= *p++;
		h *= 16777619U;
	}
	return h;
}

/* Checks the header at h, with room bytes of memory from h on: magic, version, checksum, and
 * that everything it describes lies inside the package. Returns 0 or -1 with one line in err. */
int package_check(const struct gohv_pkg_header *h, uint64_t room, char *err, size_t errlen);

#endif
