#include "dt.h"

#include <string.h>

uint64_t dt_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = (v << 32) | fdt32_to_cpu(*p++);
	return v;
}

int dt_reg(const struct dt_node *n, unsigned index, uint64_t *base, uint64_t *size)
{
	int ac = n->addr_cells, sc = n->size_cells, len;
	const fdt32_t *reg = dt_getprop(n->fdt, n->offset, "reg", &len);

	if (!reg || ac < 1 || ac > 2 || sc < 0 || sc > 2 || len < 0 ||
	    (unsigned)len / 4 < (index + 1) * (unsigned)(ac + sc))
		return -1;
	reg += index * (ac + sc);
	*base = dt_cells(reg, ac);
	*size = dt_cells(reg + ac, sc);
	return 0;
}

/* By length, so a value without its NUL is never read past its end. */
bool dt_value_is(const char *v, int len, const char *value)
{
	return v && (size_t)len == strlen(value) + 1 && !memcmp(v, value, len);
}

bool dt_status_ok(const char *status, int len)
{
	return !status || dt_value_is(status, len, "okay") || dt_value_is(status, len, "ok");
}

bool dt_prop_is(const void *fdt, int offset, const char *name, const char *value)
{
	int len;
	const char *v = dt_getprop(fdt, offset, name, &len);

	return dt_value_is(v, len, value);
}

bool dt_enabled(const void *fdt, int offset)
{
	int len;
	const char *status = dt_getprop(fdt, offset, "status", &len);

	return dt_status_ok(status, len);
}

uint32_t dt_u32(const struct dt_node *n, const char *name, uint32_t def)
{
	int len;
	const fdt32_t *p = dt_getprop(n->fdt, n->offset, name, &len);

	return p && len == 4 ? fdt32_to_cpu(*p) : def;
}
