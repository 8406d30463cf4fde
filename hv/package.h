/*
 * The packed boot image: the hv's own loadable segments, then (page aligned, right after the hv's
 * bss) a package holding the board config blob and the guest images. tools/gohv-pack writes it;
 * the hv finds it at __pkg_start. All fields are little-endian.
 *
 * Each entry's bytes start on a page and are summed a chunk (8 KiB) at a time: the chunk sums
 * follow the bytes (8-byte aligned), and the entry's checksum is the sum of its chunk sums. So an
 * image is checked whole at create, and an initrd a chunk at a time as the partition first uses
 * each chunk, mapped read-only from the package (a Go program's debug info is never read).
 */
#ifndef GOHV_PACKAGE_H
#define GOHV_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GOHV_PKG_MAGIC	    0x4b504847U /* "GHPK" */
#define GOHV_PKG_VERSION    4
#define GOHV_PKG_MAX_IMAGES 16
#define GOHV_PKG_NAME_MAX   64

struct gohv_pkg_image {
	char name[GOHV_PKG_NAME_MAX]; /* as named by a partition's `image` property */
	uint64_t offset;	      /* from the start of the package, page aligned */
	uint64_t size;
	uint64_t checksum; /* gohv_pkg_sum of the chunk sums (gohv_pkg_sums) */
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

/*
 * An entry's checksum, hashed two 64-bit words at a step: h = ((h ^ a) * P) + b, FNV-1a's step on
 * words with the second word added after the multiply. About 2.5 instructions per 8 bytes (the
 * byte-wise FNV took 5 per byte, a word-wise one 3 per word), and the hv runs it over every image
 * and every initrd chunk a partition uses. For a fixed h the step is a bijection of a and of b,
 * and for fixed words one of h (P is odd), so a change confined to one word always changes the
 * sum: any corrupted byte is caught. An odd last word takes FNV's word step (h ^ w) * P; the tail
 * is zero-padded into a last word and the length mixed in last.
 * data must be 8-byte aligned (the packer puts entries on 8-byte boundaries).
 */
#define GOHV_PKG_SUM_PRIME 0x100000001b3ULL
#define GOHV_PKG_SUM_BASIS 14695981039346656037ULL
static inline uint64_t gohv_pkg_sum_step(uint64_t h, uint64_t w)
{
	return (h ^ w) * GOHV_PKG_SUM_PRIME;
}
static inline uint64_t gohv_pkg_sum_pair(uint64_t h, uint64_t a, uint64_t b)
{
	return (h ^ a) * GOHV_PKG_SUM_PRIME + b;
}
/* The last len & 7 bytes at tail, zero-padded into a word, then the length. */
static inline uint64_t gohv_pkg_sum_end(uint64_t h, const void *tail, uint64_t len)
{
	uint64_t last = 0;

	for (uint64_t i = len & 7; i--;)
		last = last << 8 | ((const unsigned char *)tail)[i];
	return gohv_pkg_sum_step(gohv_pkg_sum_step(h, last), len);
}
static inline uint64_t gohv_pkg_sum(const void *data, uint64_t len)
{
	const uint64_t *w = __builtin_assume_aligned(data, 8);
	uint64_t h = GOHV_PKG_SUM_BASIS, n = len / 8, i = 0;

	/* Eight words a turn (the same sum): the loop's own instructions were a third of it. */
	for (; i + 8 <= n; i += 8) {
		h = gohv_pkg_sum_pair(gohv_pkg_sum_pair(h, w[i], w[i + 1]), w[i + 2], w[i + 3]);
		h = gohv_pkg_sum_pair(gohv_pkg_sum_pair(h, w[i + 4], w[i + 5]), w[i + 6], w[i + 7]);
	}
	for (; i + 2 <= n; i += 2)
		h = gohv_pkg_sum_pair(h, w[i], w[i + 1]);
	if (i < n)
		h = gohv_pkg_sum_step(h, w[i]);
	return gohv_pkg_sum_end(h, w + n, len);
}
/* The same sum of src while copying it to dst (both 8-byte aligned), in one pass: the hv checks an
 * initrd as it loads it, where checking it and then copying it read every word twice. */
static inline uint64_t gohv_pkg_sum_copy(void *dst, const void *src, uint64_t len)
{
	const uint64_t *w = __builtin_assume_aligned(src, 8);
	uint64_t *d = __builtin_assume_aligned(dst, 8);
	uint64_t h = GOHV_PKG_SUM_BASIS, n = len / 8, i = 0;

	/* Eight words a turn: the loop's own instructions are then one in nine. */
	for (; i + 8 <= n; i += 8) {
		uint64_t a = w[i], b = w[i + 1], c = w[i + 2], e = w[i + 3], f = w[i + 4],
			 g = w[i + 5], k = w[i + 6], l = w[i + 7];

		d[i] = a, d[i + 1] = b, d[i + 2] = c, d[i + 3] = e;
		d[i + 4] = f, d[i + 5] = g, d[i + 6] = k, d[i + 7] = l;
		h = gohv_pkg_sum_pair(gohv_pkg_sum_pair(h, a, b), c, e);
		h = gohv_pkg_sum_pair(gohv_pkg_sum_pair(h, f, g), k, l);
	}
	for (; i + 2 <= n; i += 2) {
		d[i] = w[i], d[i + 1] = w[i + 1];
		h = gohv_pkg_sum_pair(h, w[i], w[i + 1]);
	}
	if (i < n)
		h = gohv_pkg_sum_step(h, d[i] = w[i]);
	for (uint64_t k = 0; k < (len & 7); k++)
		((unsigned char *)(d + n))[k] = ((const unsigned char *)(w + n))[k];
	return gohv_pkg_sum_end(h, w + n, len);
}

/* Entries are summed and mapped a chunk at a time: the partition RAM's chunk (guest_ram.h says
 * why this size). */
#define GOHV_PKG_CHUNK	     (8UL << 10)
#define GOHV_PKG_ENTRY_ALIGN 4096UL

/* Chunks of an entry of size bytes (the last may be short), and where their sums start. */
static inline uint64_t gohv_pkg_chunks(uint64_t size)
{
	return (size + GOHV_PKG_CHUNK - 1) / GOHV_PKG_CHUNK;
}
static inline uint64_t gohv_pkg_sums_offset(const struct gohv_pkg_image *img)
{
	return (img->offset + img->size + 7) & ~7ULL;
}
/* Bytes of chunk c of an entry of size bytes. */
static inline uint64_t gohv_pkg_chunk_len(uint64_t size, uint64_t c)
{
	return size - c * GOHV_PKG_CHUNK < GOHV_PKG_CHUNK ? size - c * GOHV_PKG_CHUNK
							  : GOHV_PKG_CHUNK;
}
/* Writes the chunk sums of data[0..size) to sums and returns the entry's checksum. */
static inline uint64_t gohv_pkg_sums(const void *data, uint64_t size, uint64_t *sums)
{
	uint64_t n = gohv_pkg_chunks(size);

	for (uint64_t c = 0; c < n; c++)
		sums[c] = gohv_pkg_sum((const uint8_t *)data + c * GOHV_PKG_CHUNK,
				       gohv_pkg_chunk_len(size, c));
	return gohv_pkg_sum(sums, n * 8);
}
/* Where an initrd of size bytes goes below the device tree at dt_gpa: on a chunk, so each chunk
 * of it is one of its package entry's. The caller checked size <= dt_gpa. */
static inline uint64_t gohv_pkg_initrd_gpa(uint64_t dt_gpa, uint64_t size)
{
	return (dt_gpa - size) & ~(GOHV_PKG_CHUNK - 1);
}

/* Which chunks of the package were found intact: one bit per page of it (every chunk starts on
 * a page of its own, GOHV_PKG_ENTRY_ALIGN). Nothing ever writes the package, so a chunk is summed
 * once however many partitions use it and however often they restart. */
#define PACKAGE_CHECKED_WORDS(pkg_size) (((pkg_size) / GOHV_PKG_ENTRY_ALIGN + 63) / 64)
struct package_checked {
	const void *pkg; /* the package's first byte */
	uint64_t *bits;	 /* PACKAGE_CHECKED_WORDS(its size), zero at boot */
};
/* The page of the package a chunk starts on: its bit. */
static inline uint64_t package_chunk_page(const struct package_checked *k, const void *chunk)
{
	return (uint64_t)((const uint8_t *)chunk - (const uint8_t *)k->pkg) / GOHV_PKG_ENTRY_ALIGN;
}
/* The chunk at chunk (inside the package) was found intact before. */
static inline bool package_chunk_known(const struct package_checked *k, const void *chunk)
{
	uint64_t page = package_chunk_page(k, chunk);

	return __atomic_load_n(&k->bits[page / 64], __ATOMIC_ACQUIRE) >> (page % 64) & 1;
}
/* It was just found intact (by any CPU, for any partition: two finding it both set it). */
static inline void package_chunk_mark(struct package_checked *k, const void *chunk)
{
	uint64_t page = package_chunk_page(k, chunk);

	__atomic_fetch_or(&k->bits[page / 64], 1UL << (page % 64), __ATOMIC_RELEASE);
}
/* The chunk of len bytes at chunk sums to sum: summed only if it was not found intact before.
 * Inline: where a caller knows len, the sum needs no tail. */
static inline bool package_chunk_intact(struct package_checked *k, const void *chunk, uint64_t len,
					uint64_t sum)
{
	if (package_chunk_known(k, chunk))
		return true;
	if (gohv_pkg_sum(chunk, len) != sum)
		return false;
	package_chunk_mark(k, chunk);
	return true;
}

/* Checks the header at h, with room bytes of memory from h on: magic, version, checksum, and
 * that everything it describes lies inside the package. Returns 0 or -1 with one line in err. */
int package_check(const struct gohv_pkg_header *h, uint64_t room, char *err, size_t errlen);

#endif
