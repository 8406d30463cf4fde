#include "dt_scan.h"

#include <libfdt.h>
#include <string.h>

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t tag_align(uint64_t v)
{
	return (uint32_t)((v + FDT_TAGSIZE - 1) & ~(uint64_t)(FDT_TAGSIZE - 1));
}

void dt_scan_init(struct dt_scan *s, const void *fdt)
{
	s->st = (const uint8_t *)fdt + fdt_off_dt_struct(fdt);
	s->str = (const char *)fdt + fdt_off_dt_strings(fdt);
	s->st_len = fdt_size_dt_struct(fdt);
	s->str_len = fdt_size_dt_strings(fdt);
	s->pos = 0;
	s->depth = 0;
}

/* The tag at pos, or FDT_END if there is no room for one. */
static uint32_t tag_at(const struct dt_scan *s)
{
	return (uint64_t)s->pos + FDT_TAGSIZE <= s->st_len ? be32(s->st + s->pos) : FDT_END;
}

/* Steps over the property at pos; false if it runs past the block. */
static bool skip_prop(struct dt_scan *s, uint32_t *len, uint32_t *nameoff)
{
	uint64_t at = (uint64_t)s->pos + 3 * FDT_TAGSIZE, end;

	if (at > s->st_len)
		return false;
	*len = be32(s->st + s->pos + 4);
	*nameoff = be32(s->st + s->pos + 8);
	end = at + *len;
	if (end > s->st_len)
		return false;
	s->pos = tag_align(end);
	return true;
}

int dt_scan_node(struct dt_scan *s, int *depth, const char **name, int *namelen)
{
	uint32_t len, nameoff;

	for (;;) {
		switch (tag_at(s)) {
		case FDT_BEGIN_NODE: {
			uint32_t off = s->pos, at = s->pos + FDT_TAGSIZE;
			const uint8_t *nul = memchr(s->st + at, 0, s->st_len - at);

			if (!nul)
				return -1;
			*name = (const char *)s->st + at;
			*namelen = (int)(nul - (s->st + at));
			s->pos = tag_align((uint64_t)(nul - s->st) + 1);
			*depth = s->depth++;
			return (int)off;
		}
		case FDT_PROP:
			if (!skip_prop(s, &len, &nameoff))
				return -1;
			break;
		case FDT_END_NODE:
			if (--s->depth < 0)
				return -1;
			s->pos += FDT_TAGSIZE;
			break;
		case FDT_NOP:
			s->pos += FDT_TAGSIZE;
			break;
		default: /* FDT_END, or no tag the format knows */
			return -1;
		}
	}
}

bool dt_scan_prop(struct dt_scan *s, const char **name, const void **value, int *len)
{
	uint32_t n, nameoff, at;

	while (tag_at(s) == FDT_NOP)
		s->pos += FDT_TAGSIZE;
	if (tag_at(s) != FDT_PROP)
		return false;
	at = s->pos + 3 * FDT_TAGSIZE;
	if (!skip_prop(s, &n, &nameoff) || n > INT32_MAX || nameoff >= s->str_len ||
	    !memchr(s->str + nameoff, 0, s->str_len - nameoff))
		return false;
	*name = s->str + nameoff;
	*value = s->st + at;
	*len = (int)n;
	return true;
}
