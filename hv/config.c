/*
 * Config blob parser. The blob comes from outside the hv, so nothing in it is trusted: every
 * property's length is checked before it is read, and anything we do not know is refused rather
 * than ignored, so a typo in a config fails the build instead of silently changing a partition.
 */
#include "config.h"
#include "chan_layout.h"
#include <dt_scan.h>
#include "dtb_check.h"

#include <fmt.h>
#include <libfdt.h>
#include <stdarg.h>
#include <string.h>

#define PATH_LEN 64

#define BOARD_PROPS "model, cpus, memory-size, time-slice-us"
#define PARTITION_PROPS                                                                            \
	"cpus, memory-size, image, initrd, bootargs, restart, cpu-sharing, weight, watchdog-ms, "  \
	"restart-backoff-ms"
#define CHANNEL_PROPS	   "driver, device, address, size, queues, queue-size"
#define DEVICE_PROPS	   "compatible, virtio-device-id, owner"
#define BOARD_PROPS_V1	   "model, " CONFIG_V1_CPUS ", memory-size"
#define PARTITION_PROPS_V1 CONFIG_V1_CPUS ", memory-size, image, initrd, bootargs, restart"

/* Who a CPU belongs to while parsing. */
#define CPU_FREE   0
#define CPU_SHARED (~0u) /* shared partitions only; otherwise the exclusive owner's index + 1 */

struct ctx {
	const void *fdt;
	struct config_error *err;
	struct board_config *out;
	const char *cpus;		      /* "cpus", or CONFIG_V1_CPUS in a v1 config */
	unsigned cpu_owner[CONFIG_MAX_CPUS];  /* CPU_FREE, CPU_SHARED or partition index + 1 */
	unsigned cpu_sharer[CONFIG_MAX_CPUS]; /* a shared partition there (index + 1), for errors */
	config_alloc_fn alloc;
	void *alloc_ctx;
	uint64_t mem_used; /* hv reserve plus partitions and channel windows so far */
};

static const char *const policy_names[] = {
    [RESTART_NEVER] = "never",
    [RESTART_ON_FAILURE] = "on-failure",
    [RESTART_ALWAYS] = "always",
};

const char *restart_policy_name(enum restart_policy p)
{
	if ((unsigned)p >= sizeof(policy_names) / sizeof(policy_names[0]))
		return "unknown";
	return policy_names[p];
}

const char *chan_role_name(enum chan_role r)
{
	return r == CHAN_DRIVER ? GOOS_CHAN_ROLE_DRIVER : GOOS_CHAN_ROLE_DEVICE;
}

/* Whether a byte may reach a terminal as it is: printable ASCII. */
static bool printable(unsigned char ch)
{
	return ch >= 0x20 && ch < 0x7f;
}

/* The message quotes names and strings from the blob, which may hold any bytes: each byte that is
 * not printable ASCII shows as \xNN, so an error line cannot move the cursor, erase a line or
 * forge another one on the terminal that shows it. */
static void put_escaped(char *dst, size_t size, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *src; src++) {
		unsigned char ch = (unsigned char)*src;
		size_t need = printable(ch) ? 1 : 4;

		if (n + need >= size)
			break;
		if (need == 1) {
			dst[n++] = (char)ch;
			continue;
		}
		dst[n++] = '\\';
		dst[n++] = 'x';
		dst[n++] = hex[ch >> 4];
		dst[n++] = hex[ch & 15];
	}
	dst[n] = '\0';
}

__attribute__((format(printf, 4, 5))) static int fail(struct config_error *err, const char *path,
						      const char *prop, const char *fmt, ...)
{
	char raw[sizeof(err->msg)];
	size_t n = 0;
	va_list ap;

	if (path && prop)
		n = (size_t)snprintf(raw, sizeof(raw), "%s: %.40s: ", path, prop);
	else if (path)
		n = (size_t)snprintf(raw, sizeof(raw), "%s: ", path);
	if (n < sizeof(raw)) {
		va_start(ap, fmt);
		vsnprintf(raw + n, sizeof(raw) - n, fmt, ap);
		va_end(ap);
	}
	put_escaped(err->msg, sizeof(err->msg), raw);
	return -1;
}

/* list is "a, b, c": the same string names the allowed properties in the error message. */
static bool in_list(const char *list, const char *name)
{
	size_t len = strlen(name);

	while (*list) {
		const char *end = strchr(list, ',');
		size_t n = end ? (size_t)(end - list) : strlen(list);

		if (n == len && memcmp(list, name, n) == 0)
			return true;
		if (!end)
			break;
		list = end + 1;
		while (*list == ' ')
			list++;
	}
	return false;
}

static int check_props(struct ctx *c, int node, const char *path, const char *allowed)
{
	struct dt_scan s;
	const char *name;
	const void *v;
	int len;

	/* A property the pass cannot step over ends it: dtb_check refused such a blob already. */
	if (!dt_scan_at(&s, c->fdt, node, &name, &len))
		return fail(c->err, path, NULL, "corrupt node");
	while (dt_scan_prop(&s, &name, &v, &len))
		if (!in_list(allowed, name))
			return fail(c->err, path, name, "unknown property (allowed: %s)",
				    *allowed ? allowed : "none");
	return 0;
}

static int unknown_child(struct ctx *c, int child, const char *parent, const char *allowed)
{
	const char *name = dt_get_name(c->fdt, child, NULL);
	char path[PATH_LEN];

	snprintf(path, sizeof(path), "%s/%.40s", strcmp(parent, "/") ? parent : "",
		 name ? name : "?");
	return fail(c->err, path, NULL, "unknown node (allowed under %s: %s)", parent, allowed);
}

static int check_no_children(struct ctx *c, int node, const char *path)
{
	int child = dt_first_child(c->fdt, node);

	if (child >= 0)
		return unknown_child(c, child, path, "none");
	if (child != -FDT_ERR_NOTFOUND)
		return fail(c->err, path, NULL, "corrupt node (%s)", fdt_strerror(child));
	return 0;
}

/* Returns 0 when found, 1 when absent and optional, -1 (err set) otherwise. */
static int get_prop(struct ctx *c, int node, const char *path, const char *name, bool required,
		    const void **val, int *len)
{
	*val = dt_getprop(c->fdt, node, name, len);
	if (*val)
		return 0;
	if (*len != -FDT_ERR_NOTFOUND)
		return fail(c->err, path, name, "unreadable (%s)", fdt_strerror(*len));
	if (required)
		return fail(c->err, path, name, "missing (required)");
	return 1;
}

static int read_u32(struct ctx *c, int node, const char *path, const char *name, uint32_t *v)
{
	const void *val;
	fdt32_t raw;
	int len, r = get_prop(c, node, path, name, true, &val, &len);

	if (r)
		return -1;
	if (len != 4)
		return fail(c->err, path, name, "length %d, expected one 4-byte cell", len);
	memcpy(&raw, val, 4);
	*v = fdt32_to_cpu(raw);
	return 0;
}

/* Sizes and addresses may be one 32-bit cell or a /bits/ 64 cell, so configs can say either. */
static int read_cell64(struct ctx *c, int node, const char *path, const char *name, uint64_t *v)
{
	const void *val;
	fdt32_t r32;
	fdt64_t r64;
	int len, r = get_prop(c, node, path, name, true, &val, &len);

	if (r)
		return -1;
	if (len == 4) {
		memcpy(&r32, val, 4);
		*v = fdt32_to_cpu(r32);
	} else if (len == 8) {
		memcpy(&r64, val, 8);
		*v = fdt64_to_cpu(r64);
	} else {
		return fail(c->err, path, name, "length %d, expected a 4-byte or 8-byte cell", len);
	}
	return 0;
}

static int read_size(struct ctx *c, int node, const char *path, const char *name, uint64_t *v)
{
	if (read_cell64(c, node, path, name, v))
		return -1;
	if (*v == 0)
		return fail(c->err, path, name, "is zero");
	if (*v > CONFIG_MEM_MAX)
		return fail(c->err, path, name, "0x%lx is more than %lu GiB (CONFIG_MEM_MAX)",
			    (unsigned long)*v, (unsigned long)(CONFIG_MEM_MAX >> 30));
	return 0;
}

/* Copies one NUL-terminated string property into dst. Returns 0, 1 if absent, -1 on error. */
static int read_string(struct ctx *c, int node, const char *path, const char *name, bool required,
		       char *dst, size_t dstlen)
{
	const void *val;
	int len, r = get_prop(c, node, path, name, required, &val, &len);

	if (r)
		return r;
	if (len < 1 || ((const char *)val)[len - 1] != '\0' ||
	    strnlen(val, (size_t)len) != (size_t)len - 1)
		return fail(c->err, path, name, "not a single NUL-terminated string");
	if ((size_t)len > dstlen)
		return fail(c->err, path, name, "too long (%d bytes, at most %lu)", len - 1,
			    (unsigned long)dstlen - 1);
	memcpy(dst, val, (size_t)len);
	return 0;
}

/* The whole structure is checked before libfdt reads any of it (hv/dtb_check.h says why). */
static int check_header(struct config_error *err, const void *fdt, size_t size)
{
	char why[120];
	int r;

	if (size > CONFIG_BLOB_MAX)
		return fail(err, NULL, NULL, "%lu bytes is more than a config may be (%lu)",
			    (unsigned long)size, (unsigned long)CONFIG_BLOB_MAX);
	if (dtb_check(fdt, size, why, sizeof(why)))
		return fail(err, NULL, NULL, "not a valid device tree blob (%s)", why);
	r = fdt_check_header(fdt);
	if (r)
		return fail(err, NULL, NULL, "not a valid device tree blob (%s)", fdt_strerror(r));
	if (fdt_totalsize(fdt) != size)
		return fail(err, NULL, NULL, "device tree blob header says %u bytes, have %lu",
			    (unsigned)fdt_totalsize(fdt), (unsigned long)size);
	return 0;
}

static int check_root(struct ctx *c)
{
	int child, r = dt_node_check_compatible(c->fdt, 0, CONFIG_COMPATIBLE);

	if (r > 0 && dt_node_check_compatible(c->fdt, 0, CONFIG_COMPATIBLE_V1) == 0) {
		c->out->legacy = true;
		c->cpus = CONFIG_V1_CPUS;
		r = 0;
	}
	if (r < 0)
		return fail(c->err, "/", "compatible", "missing (must be \"%s\")",
			    CONFIG_COMPATIBLE);
	if (r)
		return fail(c->err, "/", "compatible", "\"%.40s\" is not \"%s\" (or \"%s\")",
			    (const char *)dt_getprop(c->fdt, 0, "compatible", NULL),
			    CONFIG_COMPATIBLE, CONFIG_COMPATIBLE_V1);
	if (check_props(c, 0, "/", "compatible"))
		return -1;
	const char *allowed =
	    c->out->legacy ? "board, partitions" : "board, partitions, channels, devices";

	dt_for_each_child(child, c->fdt, 0)
	{
		const char *name = dt_get_name(c->fdt, child, NULL);

		if (!name || !in_list(allowed, name))
			return unknown_child(c, child, "/", allowed);
	}
	if (child != -FDT_ERR_NOTFOUND)
		return fail(c->err, "/", NULL, "corrupt node (%s)", fdt_strerror(child));
	return 0;
}

static int parse_board(struct ctx *c)
{
	const char *path = "/board";
	struct board_config *b = c->out;
	int node = dt_child(c->fdt, 0, "board");

	if (node < 0)
		return fail(c->err, path, NULL, "missing node (required)");
	if (check_props(c, node, path, b->legacy ? BOARD_PROPS_V1 : BOARD_PROPS) ||
	    check_no_children(c, node, path))
		return -1;
	if (read_string(c, node, path, "model", false, b->model, sizeof(b->model)) < 0)
		return -1;
	if (read_u32(c, node, path, c->cpus, &b->ncpus))
		return -1;
	if (b->ncpus < 1 || b->ncpus > CONFIG_MAX_CPUS)
		return fail(c->err, path, c->cpus, "%u CPUs, must be 1..%d", b->ncpus,
			    CONFIG_MAX_CPUS);
	b->time_slice_us = CONFIG_SLICE_US_DEFAULT;
	if (dt_getprop(c->fdt, node, "time-slice-us", NULL)) {
		if (read_u32(c, node, path, "time-slice-us", &b->time_slice_us))
			return -1;
		if (b->time_slice_us < CONFIG_SLICE_US_MIN ||
		    b->time_slice_us > CONFIG_SLICE_US_MAX)
			return fail(c->err, path, "time-slice-us", "%u, must be %d..%d",
				    b->time_slice_us, CONFIG_SLICE_US_MIN, CONFIG_SLICE_US_MAX);
	}
	return read_size(c, node, path, "memory-size", &b->memory_size);
}

/* Partition and channel names: what node names a config may use for them. what says which. */
static int check_name(struct ctx *c, const char *path, const char *what, const char *name)
{
	size_t len = strlen(name);

	if (len < 1 || len >= CONFIG_NAME_MAX)
		return fail(c->err, path, NULL, "%s name must be 1..%d characters", what,
			    CONFIG_NAME_MAX - 1);
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
		      ch == '-'))
			return fail(c->err, path, NULL,
				    "%s name has '%c'; only a-z, 0-9, _ and - are allowed", what,
				    ch);
	}
	return 0;
}

static int check_partition_name(struct ctx *c, const char *path, const char *name, unsigned idx)
{
	if (check_name(c, path, "partition", name))
		return -1;
	for (unsigned i = 0; i < idx; i++)
		if (strcmp(c->out->partitions[i].name, name) == 0)
			return fail(c->err, path, NULL, "duplicate partition name");
	return 0;
}

/* cpu-sharing and weight: how the partition's CPUs may be shared. */
static int parse_sharing(struct ctx *c, int node, const char *path, struct partition_config *p)
{
	char sharing[16];
	int r = read_string(c, node, path, "cpu-sharing", false, sharing, sizeof(sharing));

	if (r < 0)
		return fail(c->err, path, "cpu-sharing", "must be exclusive or shared");
	if (r == 0 && strcmp(sharing, "shared") == 0)
		p->shared = true;
	else if (r == 0 && strcmp(sharing, "exclusive") != 0)
		return fail(c->err, path, "cpu-sharing", "\"%s\" is not exclusive or shared",
			    sharing);
	p->weight = 1;
	if (!dt_getprop(c->fdt, node, "weight", NULL))
		return 0;
	if (!p->shared)
		return fail(c->err, path, "weight", "needs cpu-sharing = \"shared\"");
	if (read_u32(c, node, path, "weight", &p->weight))
		return -1;
	if (p->weight < 1 || p->weight > CONFIG_WEIGHT_MAX)
		return fail(c->err, path, "weight", "%u, must be 1..%d", p->weight,
			    CONFIG_WEIGHT_MAX);
	return 0;
}

static const char *owner_name(struct ctx *c, unsigned idx1)
{
	return c->out->partitions[idx1 - 1].name;
}

static int parse_cpus(struct ctx *c, int node, const char *path, unsigned idx)
{
	struct partition_config *p = &c->out->partitions[idx];
	const char *prop = c->cpus;
	const void *val;
	int len;

	if (get_prop(c, node, path, prop, true, &val, &len))
		return -1;
	if (len == 0 || len % 4)
		return fail(c->err, path, prop, "length %d, expected a list of 4-byte cells", len);
	if (len / 4 > CONFIG_MAX_VCPUS)
		return fail(c->err, path, prop, "%d vCPUs, at most %d per partition", len / 4,
			    CONFIG_MAX_VCPUS);
	p->ncpus = (unsigned)len / 4;
	for (unsigned i = 0; i < p->ncpus; i++) {
		fdt32_t raw;
		uint32_t id;

		memcpy(&raw, (const char *)val + 4 * i, 4);
		id = fdt32_to_cpu(raw);
		if (id >= c->out->ncpus)
			return fail(c->err, path, prop, "CPU %u does not exist (board has %u)", id,
				    c->out->ncpus);
		p->cpus[i] = id;
		if (p->shared) {
			/* Several vCPUs of a shared partition may share one CPU, too. */
			if (c->cpu_owner[id] != CPU_FREE && c->cpu_owner[id] != CPU_SHARED)
				return fail(c->err, path, prop,
					    "CPU %u belongs to partition %s alone", id,
					    owner_name(c, c->cpu_owner[id]));
			c->cpu_owner[id] = CPU_SHARED;
			c->cpu_sharer[id] = idx + 1;
			continue;
		}
		for (unsigned j = 0; j < i; j++)
			if (p->cpus[j] == id)
				return fail(c->err, path, prop,
					    "CPU %u listed twice (only cpu-sharing = \"shared\" "
					    "puts two vCPUs on one CPU)",
					    id);
		if (c->cpu_owner[id] == CPU_SHARED)
			return fail(
			    c->err, path, prop,
			    "CPU %u is shared by partition %s; an exclusive partition needs "
			    "it alone",
			    id, owner_name(c, c->cpu_sharer[id]));
		if (c->cpu_owner[id])
			return fail(c->err, path, prop, "CPU %u already belongs to partition %s",
				    id, owner_name(c, c->cpu_owner[id]));
		c->cpu_owner[id] = idx + 1;
	}
	return 0;
}

static int parse_watchdog(struct ctx *c, int node, const char *path, struct partition_config *p)
{
	if (!dt_getprop(c->fdt, node, "watchdog-ms", NULL))
		return 0;
	if (read_u32(c, node, path, "watchdog-ms", &p->watchdog_ms))
		return -1;
	if (p->watchdog_ms < CONFIG_WATCHDOG_MS_MIN || p->watchdog_ms > CONFIG_WATCHDOG_MS_MAX)
		return fail(c->err, path, "watchdog-ms", "%u, must be %d..%d", p->watchdog_ms,
			    CONFIG_WATCHDOG_MS_MIN, CONFIG_WATCHDOG_MS_MAX);
	return 0;
}

/* restart-backoff-ms = <min max>. A min of 0 would never grow: only <0 0>, which turns the backoff
 * off, may say it. */
static int parse_backoff(struct ctx *c, int node, const char *path, struct partition_config *p)
{
	const char *name = "restart-backoff-ms";
	const void *val;
	fdt32_t raw[2];
	int len, r = get_prop(c, node, path, name, false, &val, &len);

	p->backoff_min_ms = CONFIG_BACKOFF_MIN_MS_DEFAULT;
	p->backoff_max_ms = CONFIG_BACKOFF_MAX_MS_DEFAULT;
	if (r)
		return r < 0 ? -1 : 0;
	if (len != 8)
		return fail(c->err, path, name, "length %d, expected two 4-byte cells <min max>",
			    len);
	memcpy(raw, val, 8);
	uint32_t min = fdt32_to_cpu(raw[0]), max = fdt32_to_cpu(raw[1]);

	if (max > CONFIG_BACKOFF_MS_MAX)
		return fail(c->err, path, name, "<%u %u>: max must be at most %d", min, max,
			    CONFIG_BACKOFF_MS_MAX);
	if (min > max)
		return fail(c->err, path, name, "<%u %u>: min is more than max", min, max);
	if (min == 0 && max != 0)
		return fail(c->err, path, name,
			    "<0 %u>: a min of 0 never backs off; say <0 0> for no backoff", max);
	p->backoff_min_ms = min;
	p->backoff_max_ms = max;
	return 0;
}

static int parse_memory(struct ctx *c, int node, const char *path, struct partition_config *p)
{
	uint64_t board = c->out->memory_size;

	if (read_size(c, node, path, "memory-size", &p->memory_size))
		return -1;
	if (p->memory_size % CONFIG_MEM_ALIGN)
		return fail(c->err, path, "memory-size", "0x%lx is not a multiple of 0x%lx",
			    (unsigned long)p->memory_size, (unsigned long)CONFIG_MEM_ALIGN);
	/* Written so the sum cannot overflow before it is compared. */
	if (c->mem_used > board || p->memory_size > board - c->mem_used)
		return fail(c->err, path, "memory-size",
			    "partitions so far need 0x%lx bytes plus 0x%lx for the hv, more than "
			    "the board's 0x%lx",
			    (unsigned long)(c->mem_used - CONFIG_HV_RESERVE + p->memory_size),
			    (unsigned long)CONFIG_HV_RESERVE, (unsigned long)board);
	c->mem_used += p->memory_size;
	return 0;
}

/* A file the packer finds in its -L folders and the hv in the package: a bare name, so a config
 * cannot point outside those folders. Returns 0, 1 if absent (and optional), -1 on error. */
static int read_file_name(struct ctx *c, int node, const char *path, const char *name,
			  bool required, char *dst, size_t dstlen)
{
	int r = read_string(c, node, path, name, required, dst, dstlen);

	if (r)
		return r;
	if (!dst[0])
		return fail(c->err, path, name, "empty file name");
	if (strchr(dst, '/'))
		return fail(c->err, path, name, "\"%s\" has a '/'; give a file name, not a path",
			    dst);
	/* The packer and the hv print these names in their own lines. */
	for (const char *ch = dst; *ch; ch++)
		if (!printable((unsigned char)*ch))
			return fail(c->err, path, name,
				    "\"%s\" has a byte that is not printable ASCII", dst);
	return 0;
}

static int parse_strings(struct ctx *c, int node, const char *path, struct partition_config *p)
{
	char restart[16];
	int r;

	if (read_file_name(c, node, path, "image", true, p->image, sizeof(p->image)) < 0)
		return -1;
	if (read_file_name(c, node, path, "initrd", false, p->initrd, sizeof(p->initrd)) < 0)
		return -1;
	if (read_string(c, node, path, "bootargs", false, p->bootargs, sizeof(p->bootargs)) < 0)
		return -1;
	r = read_string(c, node, path, "restart", false, restart, sizeof(restart));
	if (r < 0)
		return fail(c->err, path, "restart", "must be never, on-failure or always");
	if (r > 0)
		return 0;
	for (unsigned i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++) {
		if (strcmp(restart, policy_names[i]) == 0) {
			p->restart = (enum restart_policy)i;
			return 0;
		}
	}
	return fail(c->err, path, "restart", "\"%s\" is not never, on-failure or always", restart);
}

static int parse_partition(struct ctx *c, int node, unsigned idx)
{
	struct partition_config *p = &c->out->partitions[idx];
	const char *name = dt_get_name(c->fdt, node, NULL);
	char path[PATH_LEN];

	if (!name)
		return fail(c->err, "/partitions", NULL, "unreadable node name");
	snprintf(path, sizeof(path), "/partitions/%.40s", name);
	if (check_partition_name(c, path, name, idx))
		return -1;
	memcpy(p->name, name, strlen(name) + 1);
	if (check_props(c, node, path, c->out->legacy ? PARTITION_PROPS_V1 : PARTITION_PROPS) ||
	    check_no_children(c, node, path))
		return -1;
	if (parse_sharing(c, node, path, p) || parse_cpus(c, node, path, idx) ||
	    parse_memory(c, node, path, p) || parse_watchdog(c, node, path, p) ||
	    parse_backoff(c, node, path, p))
		return -1;
	return parse_strings(c, node, path, p);
}

/* A zeroed table of n entries from the caller's allocator (the board's counts are the only
 * limit); NULL, with the error line, when there is no memory for it. */
static void *alloc_table(struct ctx *c, const char *path, unsigned n, size_t size, const char *what)
{
	void *t = c->alloc(c->alloc_ctx, n * size);

	if (!t) {
		fail(c->err, path, NULL, "%u %s: no memory to read them", n, what);
		return NULL;
	}
	memset(t, 0, n * size);
	return t;
}

static int parse_partitions(struct ctx *c)
{
	const char *path = "/partitions";
	int child, node = dt_child(c->fdt, 0, "partitions");
	unsigned n = 0;

	if (node < 0)
		return fail(c->err, path, NULL, "missing node (required)");
	if (check_props(c, node, path, ""))
		return -1;
	dt_for_each_child(child, c->fdt, node) n++;
	if (child != -FDT_ERR_NOTFOUND)
		return fail(c->err, path, NULL, "corrupt node (%s)", fdt_strerror(child));
	if (n == 0)
		return fail(c->err, path, NULL, "no partitions (need at least one)");
	/* As many as the board has: the caller's memory is the only limit. */
	if (!(c->out->partitions =
		  alloc_table(c, path, n, sizeof(struct partition_config), "partitions")))
		return -1;
	dt_for_each_child(child, c->fdt, node)
	{
		if (parse_partition(c, child, c->out->npartitions))
			return -1;
		c->out->npartitions++;
	}
	return 0;
}

/* ---------------------------------------------------------------- channels */

/* One end of a channel: the name of a partition of this config. */
static int parse_end(struct ctx *c, int node, const char *path, enum chan_role role,
		     struct channel_config *ch)
{
	const char *prop = chan_role_name(role);
	char name[CONFIG_NAME_MAX];

	if (read_string(c, node, path, prop, true, name, sizeof(name)) < 0)
		return -1;
	for (unsigned i = 0; i < c->out->npartitions; i++) {
		if (strcmp(c->out->partitions[i].name, name) != 0)
			continue;
		if (role == CHAN_DEVICE && ch->end[CHAN_DRIVER] == i)
			return fail(c->err, path, prop,
				    "\"%s\" is also the driver; a channel joins two partitions",
				    name);
		ch->end[role] = i;
		return 0;
	}
	return fail(c->err, path, prop, "no partition \"%s\" in /partitions", name);
}

static int parse_queues(struct ctx *c, int node, const char *path, struct channel_config *ch)
{
	if (read_u32(c, node, path, "queues", &ch->queues))
		return -1;
	if (ch->queues < 1 || ch->queues > CONFIG_CHAN_MAX_QUEUES)
		return fail(c->err, path, "queues", "%u, must be 1..%d", ch->queues,
			    CONFIG_CHAN_MAX_QUEUES);
	if (read_u32(c, node, path, "queue-size", &ch->queue_size))
		return -1;
	if (ch->queue_size < 1 || ch->queue_size > CONFIG_CHAN_MAX_QSIZE ||
	    (ch->queue_size & (ch->queue_size - 1)))
		return fail(c->err, path, "queue-size", "%u, must be a power of two, 1..%d",
			    ch->queue_size, CONFIG_CHAN_MAX_QSIZE);
	return 0;
}

/* The window: page granular, inside the port's channel area, clear of the earlier channels', in
 * the memory budget, and big enough for its queues and one page of buffers. */
static int parse_window(struct ctx *c, int node, const char *path, unsigned idx)
{
	struct channel_config *ch = &c->out->channels[idx];
	uint64_t a, s, board = c->out->memory_size;
	struct chan_layout l;

	if (read_cell64(c, node, path, "address", &a) || read_cell64(c, node, path, "size", &s))
		return -1;
	if (s % CONFIG_CHAN_PAGE)
		return fail(c->err, path, "size", "0x%lx is not a multiple of the page (0x%lx)",
			    (unsigned long)s, (unsigned long)CONFIG_CHAN_PAGE);
	if (s < CONFIG_CHAN_MIN_PAGES * CONFIG_CHAN_PAGE)
		return fail(c->err, path, "size",
			    "0x%lx is less than %d pages (the header, the control page, buffers)",
			    (unsigned long)s, CONFIG_CHAN_MIN_PAGES);
	if (s > CONFIG_CHAN_SIZE_MAX)
		return fail(c->err, path, "size",
			    "0x%lx is more than %lu MiB (CONFIG_CHAN_SIZE_MAX)", (unsigned long)s,
			    (unsigned long)(CONFIG_CHAN_SIZE_MAX >> 20));
	if (a % CONFIG_CHAN_PAGE)
		return fail(c->err, path, "address", "0x%lx is not a multiple of the page (0x%lx)",
			    (unsigned long)a, (unsigned long)CONFIG_CHAN_PAGE);
	/* Written so nothing wraps before it is compared. */
	if (a < CHAN_AREA_BASE || a - CHAN_AREA_BASE > CHAN_AREA_SIZE ||
	    s > CHAN_AREA_SIZE - (a - CHAN_AREA_BASE))
		return fail(c->err, path, "address",
			    "window 0x%lx+0x%lx is outside the channel area 0x%lx-0x%lx",
			    (unsigned long)a, (unsigned long)s, (unsigned long)CHAN_AREA_BASE,
			    (unsigned long)(CHAN_AREA_BASE + CHAN_AREA_SIZE));
	for (unsigned i = 0; i < idx; i++) {
		const struct channel_config *o = &c->out->channels[i];

		if (a < o->address + o->size && o->address < a + s)
			return fail(c->err, path, "address",
				    "window 0x%lx-0x%lx overlaps channel %s's (0x%lx-0x%lx)",
				    (unsigned long)a, (unsigned long)(a + s), o->name,
				    (unsigned long)o->address,
				    (unsigned long)(o->address + o->size));
	}
	chan_layout(ch->queues, ch->queue_size, &l);
	if (l.pool + CONFIG_CHAN_PAGE > s)
		return fail(c->err, path, "size",
			    "0x%lx is too small: %u queues of %u take 0x%lx bytes with the header "
			    "and control page, and the buffers need at least one page more",
			    (unsigned long)s, ch->queues, ch->queue_size, (unsigned long)l.pool);
	if (c->mem_used > board || s > board - c->mem_used)
		return fail(c->err, path, "size",
			    "partitions and windows so far need 0x%lx bytes plus 0x%lx for the hv, "
			    "more than the board's 0x%lx",
			    (unsigned long)(c->mem_used - CONFIG_HV_RESERVE + s),
			    (unsigned long)CONFIG_HV_RESERVE, (unsigned long)board);
	c->mem_used += s;
	ch->address = a;
	ch->size = s;
	return 0;
}

static int parse_channel(struct ctx *c, int node, unsigned idx)
{
	struct channel_config *ch = &c->out->channels[idx];
	const char *name = dt_get_name(c->fdt, node, NULL);
	char path[PATH_LEN];

	if (!name)
		return fail(c->err, "/channels", NULL, "unreadable node name");
	snprintf(path, sizeof(path), "/channels/%.40s", name);
	if (check_name(c, path, "channel", name))
		return -1;
	for (unsigned i = 0; i < idx; i++)
		if (strcmp(c->out->channels[i].name, name) == 0)
			return fail(c->err, path, NULL, "duplicate channel name");
	memcpy(ch->name, name, strlen(name) + 1);
	if (check_props(c, node, path, CHANNEL_PROPS) || check_no_children(c, node, path))
		return -1;
	if (parse_end(c, node, path, CHAN_DRIVER, ch) || parse_end(c, node, path, CHAN_DEVICE, ch))
		return -1;
	if (parse_queues(c, node, path, ch))
		return -1;
	return parse_window(c, node, path, idx);
}

/* An optional list node under the root (/channels, /devices): its offset in *node and how many
 * children it has in *n (0 when it is absent). Returns 0, or -1 with the line in c->err. */
static int list_node(struct ctx *c, const char *name, const char *path, int *node, unsigned *n)
{
	int child;

	*n = 0;
	*node = dt_child(c->fdt, 0, name);
	if (*node == -FDT_ERR_NOTFOUND)
		return 0;
	if (*node < 0)
		return fail(c->err, path, NULL, "unreadable node (%s)", fdt_strerror(*node));
	if (check_props(c, *node, path, ""))
		return -1;
	dt_for_each_child(child, c->fdt, *node)(*n)++;
	if (child != -FDT_ERR_NOTFOUND)
		return fail(c->err, path, NULL, "corrupt node (%s)", fdt_strerror(child));
	return 0;
}

/* /channels is optional; its children are the board's channels, in id order. */
static int parse_channels(struct ctx *c)
{
	const char *path = "/channels";
	int child, node;
	unsigned n;

	if (list_node(c, "channels", path, &node, &n))
		return -1;
	if (n == 0)
		return 0;
	if (n > CONFIG_MAX_CHANNELS)
		return fail(c->err, path, NULL,
			    "%u channels, at most %d (CONFIG_MAX_CHANNELS: a partition's pending "
			    "set has one bit per channel)",
			    n, CONFIG_MAX_CHANNELS);
	if (!(c->out->channels =
		  alloc_table(c, path, n, sizeof(struct channel_config), "channels")))
		return -1;
	dt_for_each_child(child, c->fdt, node)
	{
		if (parse_channel(c, child, c->out->nchannels))
			return -1;
		c->out->nchannels++;
	}
	return 0;
}

/* ---------------------------------------------------------------- devices */

static int parse_device(struct ctx *c, int node, unsigned idx)
{
	struct device_config *d = &c->out->devices[idx];
	const char *name = dt_get_name(c->fdt, node, NULL);
	char path[PATH_LEN], s[CONFIG_NAME_MAX];
	unsigned i;

	if (!name)
		return fail(c->err, "/devices", NULL, "unreadable node name");
	snprintf(path, sizeof(path), "/devices/%.40s", name);
	if (check_name(c, path, "device", name))
		return -1;
	for (i = 0; i < idx; i++)
		if (strcmp(c->out->devices[i].name, name) == 0)
			return fail(c->err, path, NULL, "duplicate device name");
	memcpy(d->name, name, strlen(name) + 1);
	if (check_props(c, node, path, DEVICE_PROPS) || check_no_children(c, node, path))
		return -1;
	if (read_string(c, node, path, "compatible", true, s, sizeof(s)) < 0)
		return -1;
	if (strcmp(s, CONFIG_DEVICE_VIRTIO))
		return fail(c->err, path, "compatible", "\"%s\" is not \"%s\"", s,
			    CONFIG_DEVICE_VIRTIO);
	if (read_u32(c, node, path, "virtio-device-id", &d->virtio_id))
		return -1;
	if (d->virtio_id < 1 || d->virtio_id > CONFIG_VIRTIO_ID_MAX)
		return fail(c->err, path, "virtio-device-id", "%u, must be 1..%d", d->virtio_id,
			    CONFIG_VIRTIO_ID_MAX);
	if (read_string(c, node, path, "owner", true, s, sizeof(s)) < 0)
		return -1;
	for (i = 0; i < c->out->npartitions; i++)
		if (strcmp(c->out->partitions[i].name, s) == 0)
			break;
	if (i == c->out->npartitions)
		return fail(c->err, path, "owner", "no partition \"%s\" in /partitions", s);
	d->owner = i;
	return 0;
}

/* /devices is optional; its children are the devices passed through, in the order the hv looks
 * for them. */
static int parse_devices(struct ctx *c)
{
	const char *path = "/devices";
	int child, node;
	unsigned n;

	if (list_node(c, "devices", path, &node, &n))
		return -1;
	if (n == 0)
		return 0;
	if (n > CONFIG_MAX_DEVICES)
		return fail(c->err, path, NULL, "%u devices, at most %d (CONFIG_MAX_DEVICES)", n,
			    CONFIG_MAX_DEVICES);
	if (!(c->out->devices = alloc_table(c, path, n, sizeof(struct device_config), "devices")))
		return -1;
	dt_for_each_child(child, c->fdt, node)
	{
		if (parse_device(c, child, c->out->ndevices))
			return -1;
		c->out->ndevices++;
	}
	return 0;
}

int config_parse(const void *fdt, size_t size, config_alloc_fn alloc, void *alloc_ctx,
		 struct board_config *out, struct config_error *err)
{
	struct ctx c = {.fdt = fdt,
			.err = err,
			.out = out,
			.cpus = "cpus",
			.mem_used = CONFIG_HV_RESERVE,
			.alloc = alloc,
			.alloc_ctx = alloc_ctx};

	memset(out, 0, sizeof(*out));
	memset(err, 0, sizeof(*err));
	if (check_header(err, fdt, size) || check_root(&c) || parse_board(&c) ||
	    parse_partitions(&c))
		return -1;
	return parse_channels(&c) || parse_devices(&c) ? -1 : 0;
}
