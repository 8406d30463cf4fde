/*
 * Open bugs (issue 8) the harnesses would otherwise hit on every run, each stepped around where a
 * harness would reach it, so the CI smoke stays green until its fix lands. Each fix's branch sets
 * its entry to 0 (and deletes any line of ubsan.supp naming it); docs/fuzzing.md lists them too.
 * Undefined behaviour that is tolerated the same way is in ubsan.supp, not here.
 */
#ifndef GOHV_FUZZ_KNOWN_H
#define GOHV_FUZZ_KNOWN_H

#include <libfdt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Finding 2: a property length that wraps (0xfffffff4) sends libfdt's tag walk round in a loop;
 * only fdt_check_header runs on a config blob. Blobs with a property that runs past the
 * structure block are skipped (Debian's fdt_check_full cannot tell: it crashes on some blobs). */
#ifndef KNOWN_FDT_TAG_WRAP
#define KNOWN_FDT_TAG_WRAP 1
#endif

static inline uint32_t known_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* True if blob (size bytes) passes fdt_check_header but a property in its structure block claims
 * more bytes than the block has left. */
static inline bool known_fdt_tag_wrap(const void *blob, size_t size)
{
	const uint8_t *b = blob;

	if (size < sizeof(struct fdt_header) || fdt_check_header(blob))
		return false;
	uint64_t off = fdt_off_dt_struct(blob), end = off + fdt_size_dt_struct(blob);
	if (fdt_version(blob) < 17 || end > size)
		end = size;
	while (off + 4 <= end) {
		uint32_t tag = known_be32(b + off);

		off += 4;
		if (tag == FDT_PROP) {
			if (off + 8 > end)
				return false;
			uint64_t len = known_be32(b + off);
			if (off + 8 + len > end)
				return true;
			off = (off + 8 + len + 3) & ~3ULL;
		} else if (tag == FDT_BEGIN_NODE) {
			while (off < end && b[off])
				off++;
			off = (off + 4) & ~3ULL;
		} else if (tag != FDT_END_NODE && tag != FDT_NOP) {
			return false;
		}
	}
	return false;
}

/* Finding 12: node names with control bytes reach error lines raw. Error lines are not checked
 * for them. */
#ifndef KNOWN_RAW_NAMES_IN_ERRORS
#define KNOWN_RAW_NAMES_IN_ERRORS 1
#endif

#endif
