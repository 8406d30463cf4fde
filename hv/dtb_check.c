#include "dtb_check.h"

#include <fmt.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

/* The first version whose header gives the structure block's size; dtc has written 17 since
 * 2007, and older layouts pad properties in a way the walk below does not model. */
#define DTB_VERSION_MIN 17

__attribute__((format(printf, 3, 4))) static int bad(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -1;
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Whether [off, off + len) lies in [0, total): in 64 bits, so no sum wraps. */
static int inside(uint64_t off, uint64_t len, uint64_t total)
{
	return off <= total && len <= total - off;
}

static int check_layout(const void *fdt, size_t size, char *why, size_t whylen)
{
	uint32_t total = fdt_totalsize(fdt), st = fdt_off_dt_struct(fdt),
		 st_len = fdt_size_dt_struct(fdt), str = fdt_off_dt_strings(fdt),
		 str_len = fdt_size_dt_strings(fdt);

	if (fdt_magic(fdt) != FDT_MAGIC)
		return bad(why, whylen, "bad magic 0x%x", (unsigned)fdt_magic(fdt));
	if (fdt_version(fdt) < DTB_VERSION_MIN || fdt_last_comp_version(fdt) > DTB_VERSION_MIN)
		return bad(why, whylen, "version %u (last compatible %u); need %u",
			   (unsigned)fdt_version(fdt), (unsigned)fdt_last_comp_version(fdt),
			   DTB_VERSION_MIN);
	/* libfdt keeps offsets in an int; alignment because it reads tags as 32-bit words. */
	if (total > size || total > INT32_MAX || total < sizeof(struct fdt_header))
		return bad(why, whylen, "header says %u bytes, have %lu", (unsigned)total,
			   (unsigned long)size);
	if (st % FDT_TAGSIZE || st_len % FDT_TAGSIZE)
		return bad(why, whylen, "structure block at %u (+%u) is not 4-byte aligned",
			   (unsigned)st, (unsigned)st_len);
	if (!inside(st, st_len, total) || st < sizeof(struct fdt_header))
		return bad(why, whylen, "structure block %u+%u is outside the blob's %u bytes",
			   (unsigned)st, (unsigned)st_len, (unsigned)total);
	if (!inside(str, str_len, total) || str < sizeof(struct fdt_header))
		return bad(why, whylen, "strings block %u+%u is outside the blob's %u bytes",
			   (unsigned)str, (unsigned)str_len, (unsigned)total);
	return 0;
}

/* Where the NUL ending the string at off in [0, len) is, or -1 if there is none. */
static int64_t nul_at(const uint8_t *p, uint64_t off, uint64_t len)
{
	const uint8_t *end = off < len ? memchr(p + off, 0, len - off) : NULL;

	return end ? end - p : -1;
}

int dtb_check(const void *fdt, size_t size, char *why, size_t whylen)
{
	const uint8_t *st, *str;
	uint64_t pos = 0, st_len, str_len, depth = 0, roots = 0;

	if (!fdt || size < sizeof(struct fdt_header))
		return bad(why, whylen, "%lu bytes is too small for a device tree blob",
			   (unsigned long)size);
	/* Before the header is read: libfdt's accessors read it as a struct of 32-bit words. */
	if ((uintptr_t)fdt % FDT_TAGSIZE)
		return bad(why, whylen, "the blob at %p is not 4-byte aligned", fdt);
	if (check_layout(fdt, size, why, whylen))
		return -1;
	st = (const uint8_t *)fdt + fdt_off_dt_struct(fdt);
	st_len = fdt_size_dt_struct(fdt);
	str = (const uint8_t *)fdt + fdt_off_dt_strings(fdt);
	str_len = fdt_size_dt_strings(fdt);
	while (pos + FDT_TAGSIZE <= st_len) {
		uint64_t at = pos;
		uint32_t tag = be32_at(st + pos), len, name;
		int64_t nul;

		pos += FDT_TAGSIZE;
		switch (tag) {
		case FDT_BEGIN_NODE:
			if (depth == 0 && roots++)
				return bad(why, whylen, "a second root node at %lu",
					   (unsigned long)at);
			nul = nul_at(st, pos, st_len);
			if (nul < 0)
				return bad(why, whylen, "node name at %lu is not terminated",
					   (unsigned long)at);
			pos = ((uint64_t)nul + FDT_TAGSIZE) & ~(uint64_t)(FDT_TAGSIZE - 1);
			depth++;
			break;
		case FDT_PROP:
			if (depth == 0)
				return bad(why, whylen, "property at %lu is outside every node",
					   (unsigned long)at);
			if (!inside(pos, 8, st_len))
				return bad(why, whylen, "property at %lu is truncated",
					   (unsigned long)at);
			len = be32_at(st + pos);
			name = be32_at(st + pos + 4);
			pos += 8;
			if (!inside(pos, len, st_len))
				return bad(why, whylen,
					   "property at %lu: length %u runs past the structure "
					   "block (%lu bytes)",
					   (unsigned long)at, (unsigned)len, (unsigned long)st_len);
			if (nul_at(str, name, str_len) < 0)
				return bad(why, whylen,
					   "property at %lu: name offset %u is not a string in the "
					   "strings block",
					   (unsigned long)at, (unsigned)name);
			pos = (pos + len + FDT_TAGSIZE - 1) & ~(uint64_t)(FDT_TAGSIZE - 1);
			break;
		case FDT_END_NODE:
			if (depth == 0)
				return bad(why, whylen, "node end at %lu closes no node",
					   (unsigned long)at);
			depth--;
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			if (depth)
				return bad(why, whylen, "end at %lu with %lu node(s) still open",
					   (unsigned long)at, (unsigned long)depth);
			if (!roots)
				return bad(why, whylen, "no root node");
			return 0;
		default:
			return bad(why, whylen, "unknown tag 0x%x at %lu", (unsigned)tag,
				   (unsigned long)at);
		}
	}
	return bad(why, whylen, "structure block ends without an end tag");
}
