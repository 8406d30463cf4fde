#include <dt_scan.h>

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
	/* Then every name in the block ends inside it, and no property's needs looking for its NUL.
	 */
	s->str_ends = s->str_len && !s->str[s->str_len - 1];
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
	uint32_t n, nameoff, at, tag;

	while ((tag = tag_at(s)) == FDT_NOP)
		s->pos += FDT_TAGSIZE;
	if (tag != FDT_PROP)
		return false;
	at = s->pos + 3 * FDT_TAGSIZE;
	if (!skip_prop(s, &n, &nameoff) || n > INT32_MAX || nameoff >= s->str_len ||
	    (!s->str_ends && !memchr(s->str + nameoff, 0, s->str_len - nameoff)))
		return false;
	*name = s->str + nameoff;
	*value = s->st + at;
	*len = (int)n;
	return true;
}

bool dt_scan_at(struct dt_scan *s, const void *fdt, int node, const char **name, int *namelen)
{
	int depth;

	dt_scan_init(s, fdt);
	if (node < 0 || node % FDT_TAGSIZE || (uint32_t)node >= s->st_len)
		return false;
	s->pos = (uint32_t)node;
	return tag_at(s) == FDT_BEGIN_NODE && dt_scan_node(s, &depth, name, namelen) == node;
}

/* From inside a node (its BEGIN_NODE read, s->depth counting it), past its END_NODE. */
static bool skip_rest(struct dt_scan *s)
{
	int until = s->depth - 1, d, namelen;
	uint32_t len, nameoff;
	const char *name;

	while (s->depth > until) {
		switch (tag_at(s)) {
		case FDT_BEGIN_NODE:
			if (dt_scan_node(s, &d, &name, &namelen) < 0)
				return false;
			break;
		case FDT_PROP:
			if (!skip_prop(s, &len, &nameoff))
				return false;
			break;
		case FDT_END_NODE:
			s->depth--;
			s->pos += FDT_TAGSIZE;
			break;
		case FDT_NOP:
			s->pos += FDT_TAGSIZE;
			break;
		default:
			return false;
		}
	}
	return true;
}

/* The node at pos (NOPs passed over), or -FDT_ERR_NOTFOUND where its parent or the tree ends. */
static int node_here(struct dt_scan *s)
{
	while (tag_at(s) == FDT_NOP)
		s->pos += FDT_TAGSIZE;
	switch (tag_at(s)) {
	case FDT_BEGIN_NODE:
		return (int)s->pos;
	case FDT_END_NODE:
	case FDT_END:
		return -FDT_ERR_NOTFOUND;
	default:
		return -FDT_ERR_BADSTRUCTURE;
	}
}

const void *dt_getprop_namelen(const void *fdt, int node, const char *name, int namelen, int *lenp)
{
	struct dt_scan s;
	const char *nn, *pn;
	const void *v;
	int nl, len, r = -FDT_ERR_BADOFFSET;

	if (dt_scan_at(&s, fdt, node, &nn, &nl)) {
		r = -FDT_ERR_NOTFOUND;
		while (dt_scan_prop(&s, &pn, &v, &len))
			if (!strncmp(pn, name, (size_t)namelen) && !pn[namelen]) {
				if (lenp)
					*lenp = len;
				return v;
			}
	}
	if (lenp)
		*lenp = r;
	return NULL;
}

const void *dt_getprop(const void *fdt, int node, const char *name, int *lenp)
{
	return dt_getprop_namelen(fdt, node, name, (int)strlen(name), lenp);
}

int dt_first_child(const void *fdt, int node)
{
	struct dt_scan s;
	const char *name, *pn;
	const void *v;
	int namelen, len;

	if (!dt_scan_at(&s, fdt, node, &name, &namelen))
		return -FDT_ERR_BADOFFSET;
	while (dt_scan_prop(&s, &pn, &v, &len))
		;
	return node_here(&s);
}

int dt_next_sibling(const void *fdt, int node)
{
	struct dt_scan s;
	const char *name;
	int namelen;

	if (!dt_scan_at(&s, fdt, node, &name, &namelen))
		return -FDT_ERR_BADOFFSET;
	return skip_rest(&s) ? node_here(&s) : -FDT_ERR_BADSTRUCTURE;
}

/* libfdt's rule (fdt_nodename_eq_): the whole name, or, when want has no unit address, the name
 * before one. */
static bool name_eq(const char *name, int len, const char *want, int wlen)
{
	return len >= wlen && !memcmp(name, want, (size_t)wlen) &&
	       (len == wlen || (name[wlen] == '@' && !memchr(want, '@', (size_t)wlen)));
}

int dt_child_namelen(const void *fdt, int parent, const char *want, int wlen)
{
	struct dt_scan s;
	const char *name, *pn;
	const void *v;
	int namelen, len, node, d;

	if (!dt_scan_at(&s, fdt, parent, &name, &namelen))
		return -FDT_ERR_BADOFFSET;
	while (dt_scan_prop(&s, &pn, &v, &len))
		;
	while ((node = node_here(&s)) >= 0) {
		if (dt_scan_node(&s, &d, &name, &namelen) != node)
			return -FDT_ERR_BADSTRUCTURE;
		if (name_eq(name, namelen, want, wlen))
			return node;
		if (!skip_rest(&s))
			return -FDT_ERR_BADSTRUCTURE;
	}
	return node;
}

int dt_child(const void *fdt, int parent, const char *name)
{
	return dt_child_namelen(fdt, parent, name, (int)strlen(name));
}

int dt_path_namelen(const void *fdt, const char *path, int len)
{
	const char *p = path, *end = path + len;
	int node = 0;

	if (len > 0 && *path != '/') {
		/* An alias: /aliases names the path of the node the first component stands for. */
		const char *q = memchr(p, '/', (size_t)(end - p)), *to;
		int aliases = dt_path_namelen(fdt, "/aliases", 8), tlen;

		q = q ? q : end;
		to = aliases < 0 ? NULL : dt_getprop_namelen(fdt, aliases, p, (int)(q - p), &tlen);
		if (!to || tlen <= 1 || *to != '/' || strnlen(to, (size_t)tlen) == (size_t)tlen)
			return -FDT_ERR_BADPATH;
		node = dt_path_namelen(fdt, to, (int)strnlen(to, (size_t)tlen));
		p = q;
	}
	while (node >= 0 && p < end) {
		const char *q;

		while (p < end && *p == '/')
			p++;
		if (p == end)
			break;
		q = memchr(p, '/', (size_t)(end - p));
		q = q ? q : end;
		node = dt_child_namelen(fdt, node, p, (int)(q - p));
		p = q;
	}
	return node;
}

int dt_path(const void *fdt, const char *path)
{
	return dt_path_namelen(fdt, path, (int)strlen(path));
}

uint32_t dt_phandle(const void *fdt, int node)
{
	int len;
	const fdt32_t *p = dt_getprop(fdt, node, "phandle", &len);

	if (!p || len != 4)
		p = dt_getprop(fdt, node, "linux,phandle", &len);
	return p && len == 4 ? fdt32_to_cpu(*p) : 0;
}

const char *dt_get_name(const void *fdt, int node, int *lenp)
{
	struct dt_scan s;
	const char *name;
	int len;

	if (!dt_scan_at(&s, fdt, node, &name, &len)) {
		if (lenp)
			*lenp = -FDT_ERR_BADOFFSET;
		return NULL;
	}
	if (lenp)
		*lenp = len;
	return name;
}

/* Whether the string list compat (len bytes) holds name. Not fdt_stringlist_contains: it
 * compares strlen(name) + 1 bytes once len >= strlen(name), reading a byte past a list whose last
 * entry is one shorter than name (ASan reports it). */
bool dt_list_has(const char *compat, int len, const char *name)
{
	size_t n = strlen(name) + 1;

	while (len > 0) {
		size_t item = strnlen(compat, (size_t)len);

		if (item == (size_t)len)
			return false; /* not NUL-terminated: malformed */
		if (item + 1 == n && memcmp(compat, name, n) == 0)
			return true;
		compat += item + 1;
		len -= (int)(item + 1);
	}
	return false;
}

int dt_node_check_compatible(const void *fdt, int node, const char *compat)
{
	int len;
	const char *list = dt_getprop(fdt, node, "compatible", &len);

	if (!list)
		return len;
	return dt_list_has(list, len, compat) ? 0 : 1;
}
