/*
 * config_parse against blobs built in memory with libfdt's sequential-write API (no dtc at test
 * time). Each test starts from one valid config and breaks one thing, then checks that the error
 * names both where (node path, property) and what.
 */
#include <criterion/criterion.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "hv/config.h"

#define T_MAX_PROPS 8
#define T_MANY	    200 /* partitions in the density tests: more than any table the parser had */
#define T_MAX_PARTS (T_MANY + 2)
#define T_MAX_CHANS (CONFIG_MAX_CHANNELS + 2)
#define T_VAL_MAX   320
#define MIB	    (1UL << 20)

struct t_prop {
	const char *name;
	uint8_t val[T_VAL_MAX];
	int len;
};

struct t_node {
	char name[64];
	struct t_prop props[T_MAX_PROPS];
	int nprops;
	const char *child; /* an extra child node, to test that unknown ones are refused */
};

struct t_config {
	struct t_node root, board, partitions, channels;
	bool no_board, no_partitions, with_channels;
	struct t_node parts[T_MAX_PARTS];
	int nparts;
	struct t_node chans[T_MAX_CHANS];
	int nchans;
	struct t_node devices, devs[CONFIG_MAX_DEVICES + 2];
	int ndevs;
};

static void set_raw(struct t_node *n, const char *name, const void *val, int len)
{
	struct t_prop *p = NULL;

	cr_assert_leq(len, T_VAL_MAX);
	for (int i = 0; i < n->nprops; i++)
		if (strcmp(n->props[i].name, name) == 0)
			p = &n->props[i];
	if (!p) {
		cr_assert_lt(n->nprops, T_MAX_PROPS);
		p = &n->props[n->nprops++];
	}
	p->name = name;
	memcpy(p->val, val, (size_t)len);
	p->len = len;
}

static void del_prop(struct t_node *n, const char *name)
{
	for (int i = 0; i < n->nprops; i++) {
		if (strcmp(n->props[i].name, name) == 0) {
			n->props[i] = n->props[--n->nprops];
			return;
		}
	}
	cr_assert_fail("no property %s to delete", name);
}

static void set_str(struct t_node *n, const char *name, const char *s)
{
	set_raw(n, name, s, (int)strlen(s) + 1);
}

static void set_cells(struct t_node *n, const char *name, const uint32_t *v, int count)
{
	fdt32_t cells[T_VAL_MAX / 4];

	for (int i = 0; i < count; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	set_raw(n, name, cells, count * 4);
}

/* SET_CELLS(node, "cpus", 1, 2) sets harts = <1 2>. */
#define SET_CELLS(n, name, ...)                                                                    \
	set_cells(n, name, (const uint32_t[]){__VA_ARGS__},                                        \
		  (int)(sizeof((uint32_t[]){__VA_ARGS__}) / sizeof(uint32_t)))

static void set_u64(struct t_node *n, const char *name, uint64_t v)
{
	fdt64_t raw = cpu_to_fdt64(v);

	set_raw(n, name, &raw, 8);
}

static struct t_node *add_part(struct t_config *t, const char *name)
{
	struct t_node *n;

	cr_assert_lt(t->nparts, T_MAX_PARTS);
	n = &t->parts[t->nparts++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	return n;
}

/* Board: 4 harts, 512 MiB. hello on harts 1 and 2 with 16 MiB; world on hart 0 with 32 MiB. */
static void make_valid(struct t_config *t)
{
	struct t_node *p;

	memset(t, 0, sizeof(*t));
	set_str(&t->root, "compatible", CONFIG_COMPATIBLE);
	set_str(&t->board, "model", "qemu-virt-riscv64");
	SET_CELLS(&t->board, "cpus", 4);
	SET_CELLS(&t->board, "memory-size", 512 * MIB);
	p = add_part(t, "hello");
	SET_CELLS(p, "cpus", 1, 2);
	SET_CELLS(p, "memory-size", 16 * MIB);
	set_str(p, "image", "hello.elf");
	set_str(p, "bootargs", "verbose");
	set_str(p, "restart", "on-failure");
	p = add_part(t, "world");
	SET_CELLS(p, "cpus", 0);
	SET_CELLS(p, "memory-size", 32 * MIB);
	set_str(p, "image", "world.elf");
}

static void put_node(void *fdt, const struct t_node *n)
{
	for (int i = 0; i < n->nprops; i++)
		cr_assert_eq(fdt_property(fdt, n->props[i].name, n->props[i].val, n->props[i].len),
			     0);
	if (n->child) {
		cr_assert_eq(fdt_begin_node(fdt, n->child), 0);
		cr_assert_eq(fdt_end_node(fdt), 0);
	}
}

static void put_subtree(void *fdt, const struct t_node *n, const char *name)
{
	cr_assert_eq(fdt_begin_node(fdt, name), 0);
	put_node(fdt, n);
}

/* Returns the blob's size; buf is 8-byte aligned as libfdt requires. */
static size_t build(const struct t_config *t, void *buf, size_t size)
{
	cr_assert_eq(fdt_create(buf, (int)size), 0);
	cr_assert_eq(fdt_finish_reservemap(buf), 0);
	put_subtree(buf, &t->root, "");
	if (!t->no_board) {
		put_subtree(buf, &t->board, "board");
		cr_assert_eq(fdt_end_node(buf), 0);
	}
	if (!t->no_partitions) {
		put_subtree(buf, &t->partitions, "partitions");
		for (int i = 0; i < t->nparts; i++) {
			put_subtree(buf, &t->parts[i], t->parts[i].name);
			cr_assert_eq(fdt_end_node(buf), 0);
		}
		cr_assert_eq(fdt_end_node(buf), 0);
	}
	if (t->ndevs) {
		put_subtree(buf, &t->devices, "devices");
		for (int i = 0; i < t->ndevs; i++) {
			put_subtree(buf, &t->devs[i], t->devs[i].name);
			cr_assert_eq(fdt_end_node(buf), 0);
		}
		cr_assert_eq(fdt_end_node(buf), 0);
	}
	if (t->with_channels || t->nchans) {
		put_subtree(buf, &t->channels, "channels");
		for (int i = 0; i < t->nchans; i++) {
			put_subtree(buf, &t->chans[i], t->chans[i].name);
			cr_assert_eq(fdt_end_node(buf), 0);
		}
		cr_assert_eq(fdt_end_node(buf), 0);
	}
	cr_assert_eq(fdt_end_node(buf), 0);
	cr_assert_eq(fdt_finish(buf), 0);
	return fdt_totalsize(buf);
}

static uint64_t blob[16384];
static struct board_config cfg;
static struct config_error err;

/* The parser's tables (partitions, channels) come from here; those of one parse are freed at
 * the next. */
static void *tables[3];
static unsigned ntables;
static size_t alloc_limit = ~(size_t)0;

static void *test_alloc(void *ctx, size_t size)
{
	cr_assert_eq(ctx, &alloc_limit);
	cr_assert_lt(ntables, 3, "config_parse asked for a fourth table");
	return tables[ntables++] = size <= alloc_limit ? malloc(size) : NULL;
}

static int parse_blob(const void *b, size_t size)
{
	while (ntables)
		free(tables[--ntables]);
	return config_parse(b, size, test_alloc, &alloc_limit, &cfg, &err);
}

static int parse(const struct t_config *t)
{
	size_t size = build(t, blob, sizeof(blob));

	return parse_blob(blob, size);
}

static void expect_ok(const struct t_config *t)
{
	cr_assert_eq(parse(t), 0, "rejected: %s", err.msg);
}

/* Asserts failure, one line, and that the message holds the path and each given word. */
static void expect_fail_raw(int rc, const char *path, const char *word, const char *word2)
{
	cr_assert_eq(rc, -1, "accepted a config that should fail at %s", path);
	cr_assert_null(strchr(err.msg, '\n'), "multi-line error: %s", err.msg);
	cr_assert(strlen(err.msg) > 0);
	if (path)
		cr_assert(strncmp(err.msg, path, strlen(path)) == 0 && err.msg[strlen(path)] == ':',
			  "\"%s\" does not start with \"%s:\"", err.msg, path);
	cr_assert(strstr(err.msg, word), "\"%s\" does not mention \"%s\"", err.msg, word);
	if (word2)
		cr_assert(strstr(err.msg, word2), "\"%s\" does not mention \"%s\"", err.msg, word2);
}

static void expect_fail(const struct t_config *t, const char *path, const char *word,
			const char *word2)
{
	expect_fail_raw(parse(t), path, word, word2);
}

TestSuite(config);

/* ------------------------------------------------------------------ valid configs */

Test(config, valid_config_parses)
{
	struct t_config t;

	make_valid(&t);
	expect_ok(&t);
	cr_assert_str_eq(cfg.model, "qemu-virt-riscv64");
	cr_assert_eq(cfg.ncpus, 4);
	cr_assert_eq(cfg.memory_size, 512 * MIB);
	cr_assert_eq(cfg.npartitions, 2);

	const struct partition_config *h = &cfg.partitions[0], *w = &cfg.partitions[1];
	cr_assert_str_eq(h->name, "hello");
	cr_assert_eq(h->ncpus, 2);
	cr_assert_eq(h->cpus[0], 1);
	cr_assert_eq(h->cpus[1], 2);
	cr_assert_eq(h->memory_size, 16 * MIB);
	cr_assert_str_eq(h->image, "hello.elf");
	cr_assert_str_eq(h->bootargs, "verbose");
	cr_assert_eq(h->restart, RESTART_ON_FAILURE);

	cr_assert_str_eq(w->name, "world");
	cr_assert_eq(w->ncpus, 1);
	cr_assert_eq(w->cpus[0], 0);
	cr_assert_str_eq(w->bootargs, "", "bootargs defaults to empty");
	cr_assert_eq(w->restart, RESTART_NEVER, "restart defaults to never");
}

Test(config, optional_model_may_be_absent)
{
	struct t_config t;

	make_valid(&t);
	del_prop(&t.board, "model");
	expect_ok(&t);
	cr_assert_str_eq(cfg.model, "");
}

Test(config, sizes_take_64_bit_cells)
{
	struct t_config t;

	make_valid(&t);
	set_u64(&t.board, "memory-size", 8UL << 30);
	set_u64(&t.parts[0], "memory-size", 5UL << 30);
	expect_ok(&t);
	cr_assert_eq(cfg.memory_size, 8UL << 30);
	cr_assert_eq(cfg.partitions[0].memory_size, 5UL << 30);
}

Test(config, restart_policies)
{
	struct t_config t;

	make_valid(&t);
	set_str(&t.parts[0], "restart", "always");
	expect_ok(&t);
	cr_assert_eq(cfg.partitions[0].restart, RESTART_ALWAYS);
	set_str(&t.parts[0], "restart", "never");
	expect_ok(&t);
	cr_assert_eq(cfg.partitions[0].restart, RESTART_NEVER);
	cr_assert_str_eq(restart_policy_name(RESTART_NEVER), "never");
	cr_assert_str_eq(restart_policy_name(RESTART_ON_FAILURE), "on-failure");
	cr_assert_str_eq(restart_policy_name(RESTART_ALWAYS), "always");
	cr_assert_not_null(restart_policy_name((enum restart_policy)42));
}

Test(config, limits_are_inclusive)
{
	struct t_config t;
	char name[CONFIG_NAME_MAX], args[CONFIG_BOOTARGS_MAX], image[CONFIG_IMAGE_MAX];

	make_valid(&t);
	memset(name, 'a', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(t.parts[0].name, sizeof(t.parts[0].name), "%s", name);
	memset(args, 'x', sizeof(args) - 1);
	args[sizeof(args) - 1] = '\0';
	set_str(&t.parts[0], "bootargs", args);
	memset(image, 'i', sizeof(image) - 1);
	image[sizeof(image) - 1] = '\0';
	set_str(&t.parts[0], "image", image);
	SET_CELLS(&t.parts[1], "cpus", 3);
	SET_CELLS(&t.parts[0], "cpus", 0, 1, 2);
	/* Exactly fills the board: 512 MiB = 32 MiB hv + 16 + 464. */
	SET_CELLS(&t.parts[1], "memory-size", 464 * MIB);
	set_str(&t.parts[1], "bootargs", "");
	expect_ok(&t);
	cr_assert_str_eq(cfg.partitions[0].name, name);
	cr_assert_str_eq(cfg.partitions[0].bootargs, args);
	cr_assert_str_eq(cfg.partitions[0].image, image);
}

Test(config, max_vcpus_and_partitions_accepted)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.board, "cpus", CONFIG_MAX_CPUS);
	t.nparts = 0;
	for (int i = 0; i < T_MANY; i++) {
		char n[16];
		snprintf(n, sizeof(n), "p%d", i);
		struct t_node *p = add_part(&t, n);
		/* More partitions than CPUs: they share them. */
		SET_CELLS(p, "cpus", i % CONFIG_MAX_CPUS);
		set_str(p, "cpu-sharing", "shared");
		SET_CELLS(p, "memory-size", 2 * MIB);
		set_str(p, "image", "a.elf");
	}
	expect_ok(&t);
	cr_assert_eq(cfg.npartitions, T_MANY);
	cr_assert_str_eq(cfg.partitions[T_MANY - 1].name, "p199");

	make_valid(&t);
	SET_CELLS(&t.board, "cpus", 8);
	t.nparts = 1;
	SET_CELLS(&t.parts[0], "cpus", 7, 6, 5, 4, 3, 2, 1, 0);
	expect_ok(&t);
	cr_assert_eq(cfg.partitions[0].ncpus, 8);
	cr_assert_eq(cfg.partitions[0].cpus[0], 7);
}

/* ------------------------------------------------------------------ shared CPUs */

Test(config, shared_partitions_share_cpus_with_weights_and_a_slice)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.board, "time-slice-us", 2000);
	struct t_node *p = add_part(&t, "third");
	SET_CELLS(p, "cpus", 3, 3);
	set_str(p, "cpu-sharing", "shared");
	SET_CELLS(p, "weight", 4);
	SET_CELLS(p, "memory-size", 2 * MIB);
	set_str(p, "image", "a.elf");
	p = add_part(&t, "fourth");
	SET_CELLS(p, "cpus", 3);
	set_str(p, "cpu-sharing", "shared");
	SET_CELLS(p, "memory-size", 2 * MIB);
	set_str(p, "image", "a.elf");
	expect_ok(&t);
	cr_assert_eq(cfg.time_slice_us, 2000);
	cr_assert(cfg.partitions[2].shared);
	cr_assert_eq(cfg.partitions[2].weight, 4);
	cr_assert_eq(cfg.partitions[2].ncpus, 2);
	cr_assert_eq(cfg.partitions[3].weight, 1, "weight defaults to 1");
	cr_assert_not(cfg.partitions[0].shared, "exclusive by default");
	cr_assert_eq(cfg.partitions[0].weight, 1);
	cr_assert_not(cfg.legacy);
}

Test(config, default_slice)
{
	struct t_config t;

	make_valid(&t);
	expect_ok(&t);
	cr_assert_eq(cfg.time_slice_us, CONFIG_SLICE_US_DEFAULT);
}

Test(config, shared_on_an_exclusive_cpu_refused)
{
	struct t_config t;

	make_valid(&t);
	set_str(&t.parts[1], "cpu-sharing", "shared");
	SET_CELLS(&t.parts[1], "cpus", 2);
	expect_fail(&t, "/partitions/world", "cpus: CPU 2 belongs to partition hello alone", NULL);
}

Test(config, exclusive_on_a_shared_cpu_refused)
{
	struct t_config t;

	make_valid(&t);
	set_str(&t.parts[0], "cpu-sharing", "shared");
	SET_CELLS(&t.parts[1], "cpus", 2);
	expect_fail(&t, "/partitions/world", "cpus: CPU 2 is shared by partition hello",
		    "needs it alone");
}

Test(config, bad_sharing_values_refused)
{
	struct t_config t;

	make_valid(&t);
	set_str(&t.parts[0], "cpu-sharing", "sometimes");
	expect_fail(&t, "/partitions/hello", "cpu-sharing", "not exclusive or shared");
	make_valid(&t);
	SET_CELLS(&t.parts[0], "weight", 2);
	expect_fail(&t, "/partitions/hello", "weight", "needs cpu-sharing");
	make_valid(&t);
	set_str(&t.parts[0], "cpu-sharing", "shared");
	SET_CELLS(&t.parts[0], "weight", 0);
	expect_fail(&t, "/partitions/hello", "weight", "must be 1..64");
	SET_CELLS(&t.parts[0], "weight", 65);
	expect_fail(&t, "/partitions/hello", "weight", "must be 1..64");
	make_valid(&t);
	SET_CELLS(&t.board, "time-slice-us", 99);
	expect_fail(&t, "/board", "time-slice-us", "must be 100..1000000");
	SET_CELLS(&t.board, "time-slice-us", 1000001);
	expect_fail(&t, "/board", "time-slice-us", "must be 100..1000000");
}

/* ------------------------------------------------------------------ watchdog */

Test(config, watchdog_period_read_and_off_by_default)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.parts[0], "watchdog-ms", 250);
	expect_ok(&t);
	cr_assert_eq(cfg.partitions[0].watchdog_ms, 250);
	cr_assert_eq(cfg.partitions[1].watchdog_ms, 0, "no watchdog unless asked for");
	SET_CELLS(&t.parts[0], "watchdog-ms", CONFIG_WATCHDOG_MS_MIN);
	expect_ok(&t);
	SET_CELLS(&t.parts[0], "watchdog-ms", CONFIG_WATCHDOG_MS_MAX);
	expect_ok(&t);
}

Test(config, bad_watchdog_periods_refused)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.parts[1], "watchdog-ms", 0);
	expect_fail(&t, "/partitions/world", "watchdog-ms", "0, must be 10..3600000");
	SET_CELLS(&t.parts[1], "watchdog-ms", 9);
	expect_fail(&t, "/partitions/world", "watchdog-ms", "9, must be 10..3600000");
	SET_CELLS(&t.parts[1], "watchdog-ms", 3600001);
	expect_fail(&t, "/partitions/world", "watchdog-ms", "must be 10..3600000");
	set_u64(&t.parts[1], "watchdog-ms", 100);
	expect_fail(&t, "/partitions/world", "watchdog-ms", "expected one 4-byte cell");
}

/* ------------------------------------------------------------------ restart backoff */

Test(config, restart_backoff_read_and_the_default_when_absent)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.parts[0], "restart-backoff-ms", 1, 5);
	expect_ok(&t);
	cr_assert_eq(cfg.partitions[0].backoff_min_ms, 1);
	cr_assert_eq(cfg.partitions[0].backoff_max_ms, 5);
	cr_assert_eq(cfg.partitions[1].backoff_min_ms, CONFIG_BACKOFF_MIN_MS_DEFAULT);
	cr_assert_eq(cfg.partitions[1].backoff_max_ms, CONFIG_BACKOFF_MAX_MS_DEFAULT);
	cr_assert_eq(CONFIG_BACKOFF_MIN_MS_DEFAULT, 10,
		     "the default is what boards/README.md says");
	cr_assert_eq(CONFIG_BACKOFF_MAX_MS_DEFAULT, 2000);
	SET_CELLS(&t.parts[0], "restart-backoff-ms", 7, 7);
	expect_ok(&t);
	SET_CELLS(&t.parts[0], "restart-backoff-ms", 1, CONFIG_BACKOFF_MS_MAX);
	expect_ok(&t);
	/* Asked for in so many words: no backoff. */
	SET_CELLS(&t.parts[0], "restart-backoff-ms", 0, 0);
	expect_ok(&t);
	cr_assert_eq(cfg.partitions[0].backoff_min_ms, 0);
	cr_assert_eq(cfg.partitions[0].backoff_max_ms, 0);
}

Test(config, bad_restart_backoffs_refused)
{
	struct t_config t;
	const char *where = "/partitions/world";

	make_valid(&t);
	SET_CELLS(&t.parts[1], "restart-backoff-ms", 0, 100);
	expect_fail(&t, where, "restart-backoff-ms",
		    "<0 100>: a min of 0 never backs off; say <0 0> for no backoff");
	SET_CELLS(&t.parts[1], "restart-backoff-ms", 50, 10);
	expect_fail(&t, where, "restart-backoff-ms", "<50 10>: min is more than max");
	SET_CELLS(&t.parts[1], "restart-backoff-ms", 10, 3600001);
	expect_fail(&t, where, "restart-backoff-ms", "<10 3600001>: max must be at most 3600000");
	SET_CELLS(&t.parts[1], "restart-backoff-ms", 10);
	expect_fail(&t, where, "restart-backoff-ms",
		    "length 4, expected two 4-byte cells <min max>");
	SET_CELLS(&t.parts[1], "restart-backoff-ms", 1, 2, 3);
	expect_fail(&t, where, "restart-backoff-ms", "length 12, expected two 4-byte cells");
	set_str(&t.parts[1], "restart-backoff-ms", "10 20");
	expect_fail(&t, where, "restart-backoff-ms", "length 6, expected two 4-byte cells");
}

Test(config, old_format_read_with_harts)
{
	struct t_config t;

	make_valid(&t);
	set_str(&t.root, "compatible", CONFIG_COMPATIBLE_V1);
	for (struct t_node *n = &t.board; n; n = n == &t.board	    ? &t.parts[0]
						 : n == &t.parts[0] ? &t.parts[1]
								    : NULL) {
		for (int i = 0; i < n->nprops; i++)
			if (!strcmp(n->props[i].name, "cpus"))
				n->props[i].name = "harts";
	}
	expect_ok(&t);
	cr_assert(cfg.legacy);
	cr_assert_eq(cfg.ncpus, 4);
	cr_assert_eq(cfg.partitions[0].cpus[1], 2);
	cr_assert_eq(cfg.partitions[0].backoff_min_ms, CONFIG_BACKOFF_MIN_MS_DEFAULT,
		     "an old config gets the default backoff, not none");
	/* Only the old names: a v1 config saying cpus is refused. */
	make_valid(&t);
	set_str(&t.root, "compatible", CONFIG_COMPATIBLE_V1);
	expect_fail(&t, "/board", "cpus: unknown property", "model, harts, memory-size");
}

/* ------------------------------------------------------------------ the blob itself */

Test(config, not_a_device_tree)
{
	memset(blob, 0x5a, sizeof(blob));
	expect_fail_raw(parse_blob(blob, 4096), NULL, "not a valid device tree", NULL);
}

Test(config, too_small)
{
	struct t_config t;

	make_valid(&t);
	build(&t, blob, sizeof(blob));
	expect_fail_raw(parse_blob(blob, 16), NULL, "too small", NULL);
	expect_fail_raw(parse_blob(NULL, 0), NULL, "too small", NULL);
}

Test(config, size_mismatch)
{
	struct t_config t;
	size_t size;

	make_valid(&t);
	size = build(&t, blob, sizeof(blob));
	expect_fail_raw(parse_blob(blob, size - 8), NULL, "header says", NULL);
	expect_fail_raw(parse_blob(blob, size + 8), NULL, "header says", NULL);
}

Test(config, bad_version)
{
	struct t_config t;
	size_t size;

	make_valid(&t);
	size = build(&t, blob, sizeof(blob));
	fdt_set_version(blob, 99);
	fdt_set_last_comp_version(blob, 99);
	expect_fail_raw(parse_blob(blob, size), NULL, "not a valid device tree", NULL);
}

/* A partition's property length 12 short of 2^32 wrapped libfdt's walk onto the same tag: the
 * packer and the hv spun for ever. The timeout makes a hang a failure. */
Test(config, a_property_length_that_wraps_is_refused, .timeout = 10)
{
	struct t_config t;
	size_t size;
	int prop;
	fdt32_t len = cpu_to_fdt32(0xfffffff4u);

	make_valid(&t);
	size = build(&t, blob, sizeof(blob));
	prop = fdt_first_property_offset(blob, fdt_path_offset(blob, "/partitions/world"));
	cr_assert_geq(prop, 0);
	memcpy((char *)blob + fdt_off_dt_struct(blob) + prop + 4, &len, 4);
	expect_fail_raw(parse_blob(blob, size), NULL, "not a valid device tree",
			"length 4294967284 runs past");
}

/* 2^31 - 1 made fdt_next_tag's offset arithmetic overflow an int (undefined; `make
 * sanitize-test` reports it if the blob ever reaches libfdt unchecked again). */
Test(config, a_property_length_near_int_max_is_refused, .timeout = 10)
{
	struct t_config t;
	size_t size;
	int prop;
	fdt32_t len = cpu_to_fdt32(0x7fffffffu);

	make_valid(&t);
	size = build(&t, blob, sizeof(blob));
	prop = fdt_first_property_offset(blob, 0);
	cr_assert_geq(prop, 0);
	memcpy((char *)blob + fdt_off_dt_struct(blob) + prop + 4, &len, 4);
	expect_fail_raw(parse_blob(blob, size), NULL, "not a valid device tree",
			"length 2147483647 runs past");
}

Test(config, a_blob_larger_than_a_config_may_be_is_refused)
{
	expect_fail_raw(parse_blob(blob, CONFIG_BLOB_MAX + 1), NULL, "more than a config may be",
			NULL);
}

/* ------------------------------------------------------------------ root */

Test(config, root_compatible_missing)
{
	struct t_config t;

	make_valid(&t);
	del_prop(&t.root, "compatible");
	expect_fail(&t, "/", "compatible", "missing");
}

Test(config, root_compatible_wrong)
{
	struct t_config t;

	make_valid(&t);
	set_str(&t.root, "compatible", "gohv,config-v3");
	expect_fail(&t, "/", "compatible", "gohv,config-v3");
}

Test(config, root_unknown_property)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.root, "#address-cells", 2);
	expect_fail(&t, "/", "#address-cells", "unknown property");
}

Test(config, root_unknown_child)
{
	struct t_config t;

	make_valid(&t);
	t.root.child = "chosen";
	expect_fail(&t, "/chosen", "unknown node", "board, partitions");
}

Test(config, missing_board)
{
	struct t_config t;

	make_valid(&t);
	t.no_board = true;
	expect_fail(&t, "/board", "missing", NULL);
}

Test(config, missing_partitions)
{
	struct t_config t;

	make_valid(&t);
	t.no_partitions = true;
	expect_fail(&t, "/partitions", "missing", NULL);
}

/* ------------------------------------------------------------------ board */

Test(config, board_unknown_property)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.board, "cores", 4);
	expect_fail(&t, "/board", "cores: unknown property",
		    "model, cpus, memory-size, time-slice-us");
}

Test(config, board_unknown_child)
{
	struct t_config t;

	make_valid(&t);
	t.board.child = "uart";
	expect_fail(&t, "/board/uart", "unknown node", NULL);
}

Test(config, board_harts_missing)
{
	struct t_config t;

	make_valid(&t);
	del_prop(&t.board, "cpus");
	expect_fail(&t, "/board", "cpus: missing", NULL);
}

Test(config, board_harts_wrong_length)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.board, "cpus", 4, 4);
	expect_fail(&t, "/board", "cpus: length 8", NULL);
}

Test(config, board_harts_zero)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.board, "cpus", 0);
	expect_fail(&t, "/board", "cpus", "must be 1..");
}

Test(config, board_harts_too_many)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.board, "cpus", CONFIG_MAX_CPUS + 1);
	expect_fail(&t, "/board", "cpus", "must be 1..");
}

Test(config, board_memory_missing)
{
	struct t_config t;

	make_valid(&t);
	del_prop(&t.board, "memory-size");
	expect_fail(&t, "/board", "memory-size: missing", NULL);
}

Test(config, board_memory_wrong_length)
{
	struct t_config t;

	make_valid(&t);
	set_raw(&t.board, "memory-size", "\0\0\x10", 3);
	expect_fail(&t, "/board", "memory-size: length 3", NULL);
}

/* 2^64 - 1 packed and became QEMU's "-m 0M" (rounded up to MiB, it wrapped). */
Test(config, memory_sizes_beyond_the_limit_are_refused)
{
	struct t_config t;

	make_valid(&t);
	set_u64(&t.board, "memory-size", ~0UL);
	expect_fail(&t, "/board", "memory-size", "0xffffffffffffffff is more than 1024 GiB");
	set_u64(&t.board, "memory-size", CONFIG_MEM_MAX + 1);
	expect_fail(&t, "/board", "memory-size", "more than 1024 GiB");
	set_u64(&t.board, "memory-size", CONFIG_MEM_MAX);
	expect_ok(&t);
	/* 0x80000000 + this wrapped to 0, so any image fitted "below" the partition's end. */
	set_u64(&t.parts[0], "memory-size", 0xffffffff80000000UL);
	expect_fail(&t, "/partitions/hello", "memory-size", "more than 1024 GiB");
}

Test(config, board_memory_zero)
{
	struct t_config t;

	make_valid(&t);
	set_u64(&t.board, "memory-size", 0);
	expect_fail(&t, "/board", "memory-size", "zero");
}

Test(config, board_model_not_terminated)
{
	struct t_config t;

	make_valid(&t);
	set_raw(&t.board, "model", "abc", 3);
	expect_fail(&t, "/board", "model", "NUL-terminated");
}

Test(config, board_model_too_long)
{
	struct t_config t;
	char model[100];

	make_valid(&t);
	memset(model, 'm', sizeof(model) - 1);
	model[sizeof(model) - 1] = '\0';
	set_str(&t.board, "model", model);
	expect_fail(&t, "/board", "model", "too long");
}

/* ------------------------------------------------------------------ /partitions */

Test(config, partitions_unknown_property)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.partitions, "count", 2);
	expect_fail(&t, "/partitions", "count: unknown property", "none");
}

Test(config, zero_partitions)
{
	struct t_config t;

	make_valid(&t);
	t.nparts = 0;
	expect_fail(&t, "/partitions", "no partitions", NULL);
}

/* The only limit is the memory the caller gives: out of it, one clear line. */
Test(config, partitions_beyond_the_callers_memory)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.board, "cpus", CONFIG_MAX_CPUS);
	t.nparts = 0;
	for (int i = 0; i < 11; i++) {
		char n[16];
		snprintf(n, sizeof(n), "p%d", i);
		struct t_node *p = add_part(&t, n);
		SET_CELLS(p, "cpus", i % CONFIG_MAX_CPUS);
		set_str(p, "cpu-sharing", "shared");
		SET_CELLS(p, "memory-size", 2 * MIB);
		set_str(p, "image", "a.elf");
	}
	alloc_limit = 10 * sizeof(struct partition_config);
	expect_fail(&t, "/partitions", "11 partitions: no memory to read them", NULL);
	t.nparts = 10;
	expect_ok(&t);
}

/* ------------------------------------------------------------------ partition names */

Test(config, name_bad_character)
{
	struct t_config t;

	make_valid(&t);
	snprintf(t.parts[0].name, sizeof(t.parts[0].name), "Hello");
	expect_fail(&t, "/partitions/Hello", "name", "'H'");
}

/* A node name with ESC and a newline went raw into the error line: it could clear the screen
 * and forge a line of its own. */
Test(config, control_bytes_in_names_are_escaped_in_the_error)
{
	struct t_config t;

	make_valid(&t);
	snprintf(t.parts[0].name, sizeof(t.parts[0].name), "h\x1b[2J\nx\xc2\x9b");
	expect_fail(&t, "/partitions/h\\x1b[2J\\x0ax\\xc2\\x9b", "name", "'\\x1b'");
	for (const char *ch = err.msg; *ch; ch++)
		cr_assert(*ch >= 0x20 && *ch < 0x7f, "byte 0x%02x in \"%s\"", (unsigned char)*ch,
			  err.msg);
}

Test(config, file_names_must_be_printable)
{
	struct t_config t;

	make_valid(&t);
	set_str(&t.parts[0], "image", "a\x1b]0;x\a.elf");
	expect_fail(&t, "/partitions/hello", "image", "not printable ASCII");
	cr_assert(strstr(err.msg, "\"a\\x1b]0;x\\x07.elf\""), "%s", err.msg);
	make_valid(&t);
	set_str(&t.parts[1], "initrd", "r\xe2\x80\xae.cpio"); /* U+202E, right-to-left override */
	expect_fail(&t, "/partitions/world", "initrd", "not printable ASCII");
}

Test(config, name_with_unit_address)
{
	struct t_config t;

	make_valid(&t);
	snprintf(t.parts[0].name, sizeof(t.parts[0].name), "hello@1");
	expect_fail(&t, "/partitions/hello@1", "name", "'@'");
}

Test(config, name_too_long)
{
	struct t_config t;

	make_valid(&t);
	snprintf(t.parts[0].name, sizeof(t.parts[0].name), "abcdefghijklmnop");
	expect_fail(&t, "/partitions/abcdefghijklmnop", "name", "1..15");
}

Test(config, name_empty)
{
	struct t_config t;

	make_valid(&t);
	t.parts[1].name[0] = '\0';
	expect_fail(&t, "/partitions/", "name", "1..15");
}

Test(config, name_duplicate)
{
	struct t_config t;

	make_valid(&t);
	snprintf(t.parts[1].name, sizeof(t.parts[1].name), "hello");
	expect_fail(&t, "/partitions/hello", "duplicate", NULL);
}

/* ------------------------------------------------------------------ partition properties */

Test(config, partition_unknown_property)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.parts[1], "memory", 16 * MIB);
	expect_fail(&t, "/partitions/world", "memory: unknown property",
		    "cpus, memory-size, image, initrd, bootargs, restart, cpu-sharing, weight, "
		    "watchdog-ms, restart-backoff-ms");
}

Test(config, partition_unknown_child)
{
	struct t_config t;

	make_valid(&t);
	t.parts[0].child = "vcpu";
	expect_fail(&t, "/partitions/hello/vcpu", "unknown node", NULL);
}

Test(config, partition_harts_missing)
{
	struct t_config t;

	make_valid(&t);
	del_prop(&t.parts[0], "cpus");
	expect_fail(&t, "/partitions/hello", "cpus: missing", NULL);
}

Test(config, partition_memory_missing)
{
	struct t_config t;

	make_valid(&t);
	del_prop(&t.parts[0], "memory-size");
	expect_fail(&t, "/partitions/hello", "memory-size: missing", NULL);
}

Test(config, partition_image_missing)
{
	struct t_config t;

	make_valid(&t);
	del_prop(&t.parts[1], "image");
	expect_fail(&t, "/partitions/world", "image: missing", NULL);
}

Test(config, harts_wrong_length)
{
	struct t_config t;

	make_valid(&t);
	set_raw(&t.parts[0], "cpus", "\0\0\0\1\0\0", 6);
	expect_fail(&t, "/partitions/hello", "cpus: length 6", NULL);
}

Test(config, harts_empty)
{
	struct t_config t;

	make_valid(&t);
	set_raw(&t.parts[0], "cpus", "", 0);
	expect_fail(&t, "/partitions/hello", "cpus: length 0", NULL);
}

Test(config, hart_beyond_board)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.parts[0], "cpus", 1, 4);
	expect_fail(&t, "/partitions/hello", "cpus: CPU 4", "does not exist");
}

Test(config, hart_twice_in_partition)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.parts[0], "cpus", 1, 2, 1);
	expect_fail(&t, "/partitions/hello", "cpus: CPU 1", "twice");
}

Test(config, hart_in_two_partitions)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.parts[1], "cpus", 3, 2);
	expect_fail(&t, "/partitions/world", "cpus: CPU 2 already belongs to partition hello",
		    NULL);
}

Test(config, too_many_vcpus)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.board, "cpus", 8);
	t.nparts = 1;
	SET_CELLS(&t.parts[0], "cpus", 0, 1, 2, 3, 4, 5, 6, 7, 0);
	expect_fail(&t, "/partitions/hello", "cpus: 9 vCPUs", "at most 8");
}

Test(config, memory_zero)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.parts[0], "memory-size", 0);
	expect_fail(&t, "/partitions/hello", "memory-size", "zero");
}

Test(config, memory_unaligned)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.parts[0], "memory-size", 16 * MIB + 4096);
	expect_fail(&t, "/partitions/hello", "memory-size", "not a multiple of 0x200000");
}

Test(config, memory_wrong_length)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.parts[0], "memory-size", 0, 0, 16 * MIB);
	expect_fail(&t, "/partitions/hello", "memory-size: length 12", NULL);
}

Test(config, memory_exceeds_board)
{
	struct t_config t;

	make_valid(&t);
	/* 16 + 466 + 32 (hv) = 514 MiB on a 512 MiB board. */
	SET_CELLS(&t.parts[1], "memory-size", 466 * MIB);
	expect_fail(&t, "/partitions/world", "memory-size", "more than the board");
}

Test(config, memory_sum_does_not_wrap)
{
	struct t_config t;

	make_valid(&t);
	set_u64(&t.board, "memory-size", CONFIG_MEM_MAX);
	set_u64(&t.parts[1], "memory-size", CONFIG_MEM_MAX);
	expect_fail(&t, "/partitions/world", "memory-size", "more than the board");
}

Test(config, board_smaller_than_hv_reserve)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.board, "memory-size", 16 * MIB);
	expect_fail(&t, "/partitions/hello", "memory-size", "more than the board");
}

Test(config, image_empty)
{
	struct t_config t;

	make_valid(&t);
	set_str(&t.parts[0], "image", "");
	expect_fail(&t, "/partitions/hello", "image", "empty");
}

Test(config, image_too_long)
{
	struct t_config t;
	char image[CONFIG_IMAGE_MAX + 1];

	make_valid(&t);
	memset(image, 'i', sizeof(image) - 1);
	image[sizeof(image) - 1] = '\0';
	set_str(&t.parts[0], "image", image);
	expect_fail(&t, "/partitions/hello", "image", "too long");
}

Test(config, image_not_terminated)
{
	struct t_config t;

	make_valid(&t);
	set_raw(&t.parts[0], "image", "hello.elf", 9);
	expect_fail(&t, "/partitions/hello", "image", "NUL-terminated");
}

Test(config, image_string_list)
{
	struct t_config t;

	make_valid(&t);
	set_raw(&t.parts[0], "image", "a.elf\0b.elf", 12);
	expect_fail(&t, "/partitions/hello", "image", "single");
}

Test(config, image_with_slash)
{
	struct t_config t;

	make_valid(&t);
	set_str(&t.parts[0], "image", "../hello.elf");
	expect_fail(&t, "/partitions/hello", "image", "'/'");
}

Test(config, initrd_optional_and_parsed)
{
	struct t_config t;

	make_valid(&t);
	set_str(&t.parts[0], "initrd", "hello.cpio");
	expect_ok(&t);
	cr_assert_str_eq(cfg.partitions[0].initrd, "hello.cpio");
	cr_assert_str_eq(cfg.partitions[1].initrd, "", "initrd defaults to none");
}

Test(config, initrd_empty)
{
	struct t_config t;

	make_valid(&t);
	set_str(&t.parts[0], "initrd", "");
	expect_fail(&t, "/partitions/hello", "initrd", "empty");
}

Test(config, initrd_with_slash)
{
	struct t_config t;

	make_valid(&t);
	set_str(&t.parts[1], "initrd", "/etc/passwd");
	expect_fail(&t, "/partitions/world", "initrd", "'/'");
}

Test(config, initrd_too_long)
{
	struct t_config t;
	char name[CONFIG_IMAGE_MAX + 1];

	make_valid(&t);
	memset(name, 'r', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	set_str(&t.parts[0], "initrd", name);
	expect_fail(&t, "/partitions/hello", "initrd", "too long");
}

Test(config, initrd_not_a_string)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.parts[0], "initrd", 1);
	expect_fail(&t, "/partitions/hello", "initrd", "NUL-terminated");
}

Test(config, bootargs_too_long)
{
	struct t_config t;
	char args[CONFIG_BOOTARGS_MAX + 1];

	make_valid(&t);
	memset(args, 'x', sizeof(args) - 1);
	args[sizeof(args) - 1] = '\0';
	set_str(&t.parts[0], "bootargs", args);
	expect_fail(&t, "/partitions/hello", "bootargs", "too long");
}

Test(config, bootargs_not_terminated)
{
	struct t_config t;

	make_valid(&t);
	set_raw(&t.parts[0], "bootargs", "verbose", 7);
	expect_fail(&t, "/partitions/hello", "bootargs", "NUL-terminated");
}

Test(config, restart_bad_value)
{
	struct t_config t;

	make_valid(&t);
	set_str(&t.parts[0], "restart", "sometimes");
	expect_fail(&t, "/partitions/hello", "restart", "\"sometimes\"");
}

Test(config, restart_not_a_string)
{
	struct t_config t;

	make_valid(&t);
	SET_CELLS(&t.parts[0], "restart", 1);
	expect_fail(&t, "/partitions/hello", "restart", "never, on-failure or always");
}

/* ------------------------------------------------------------------ channels */

#define CHAN_BASE 0x40000000UL
#define PAGE	  4096UL

static struct t_node *add_chan(struct t_config *t, const char *name, const char *driver,
			       const char *device, uint64_t address, uint64_t size)
{
	struct t_node *n;

	cr_assert_lt(t->nchans, T_MAX_CHANS);
	n = &t->chans[t->nchans++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	set_str(n, "driver", driver);
	set_str(n, "device", device);
	set_u64(n, "address", address);
	SET_CELLS(n, "size", (uint32_t)size);
	SET_CELLS(n, "queues", 2);
	SET_CELLS(n, "queue-size", 64);
	return n;
}

/* make_valid plus a channel "link" from hello (driver) to world, 64 KiB at the area's base. */
static struct t_node *make_valid_chan(struct t_config *t)
{
	make_valid(t);
	return add_chan(t, "link", "hello", "world", CHAN_BASE, 0x10000);
}

Test(config, channels_parse_in_id_order)
{
	struct t_config t;

	make_valid_chan(&t);
	struct t_node *c = add_chan(&t, "back", "world", "hello", CHAN_BASE + 0x10000, 0x4000);
	SET_CELLS(c, "queues", 1);
	SET_CELLS(c, "queue-size", 1);
	SET_CELLS(c, "address", (uint32_t)(CHAN_BASE + 0x10000)); /* one cell works too */
	set_u64(c, "size", 0x4000);
	expect_ok(&t);
	cr_assert_eq(cfg.nchannels, 2);
	const struct channel_config *l = &cfg.channels[0], *b = &cfg.channels[1];
	cr_assert_str_eq(l->name, "link");
	cr_assert_eq(l->end[CHAN_DRIVER], 0);
	cr_assert_eq(l->end[CHAN_DEVICE], 1);
	cr_assert_eq(l->address, CHAN_BASE);
	cr_assert_eq(l->size, 0x10000);
	cr_assert_eq(l->queues, 2);
	cr_assert_eq(l->queue_size, 64);
	cr_assert_str_eq(b->name, "back");
	cr_assert_eq(b->end[CHAN_DRIVER], 1);
	cr_assert_eq(b->end[CHAN_DEVICE], 0);
	cr_assert_eq(b->address, CHAN_BASE + 0x10000);
	cr_assert_eq(b->size, 0x4000);
	cr_assert_str_eq(chan_role_name(CHAN_DRIVER), "driver");
	cr_assert_str_eq(chan_role_name(CHAN_DEVICE), "device");
}

Test(config, channels_are_optional)
{
	struct t_config t;

	make_valid(&t);
	expect_ok(&t);
	cr_assert_eq(cfg.nchannels, 0);
	cr_assert_null(cfg.channels);
	t.with_channels = true;
	expect_ok(&t);
	cr_assert_eq(cfg.nchannels, 0, "an empty /channels has none");
	cr_assert_null(cfg.channels);
}

Test(config, channel_limits_are_inclusive)
{
	struct t_config t;

	/* CONFIG_MAX_CHANNELS windows of the least size: 4 pages for 1 queue of 1. */
	make_valid(&t);
	for (int i = 0; i < CONFIG_MAX_CHANNELS; i++) {
		char n[16];

		snprintf(n, sizeof(n), "c%d", i);
		struct t_node *c =
		    add_chan(&t, n, i % 2 ? "hello" : "world", i % 2 ? "world" : "hello",
			     CHAN_BASE + i * 4 * PAGE, 4 * PAGE);
		SET_CELLS(c, "queues", 1);
		SET_CELLS(c, "queue-size", 1);
	}
	expect_ok(&t);
	cr_assert_eq(cfg.nchannels, CONFIG_MAX_CHANNELS);
	cr_assert_str_eq(cfg.channels[CONFIG_MAX_CHANNELS - 1].name, "c63");

	/* The largest queues: 8 of 1024 take 7 pages each, plus the header and control page; one
	 * page of buffers fits exactly. The window ends where the area does. */
	make_valid(&t);
	struct t_node *c = add_chan(&t, "big", "hello", "world",
				    CHAN_BASE + CHAN_AREA_SIZE - 59 * PAGE, 59 * PAGE);
	SET_CELLS(c, "queues", CONFIG_CHAN_MAX_QUEUES);
	SET_CELLS(c, "queue-size", CONFIG_CHAN_MAX_QSIZE);
	expect_ok(&t);
	set_u64(c, "address", CHAN_BASE);
	SET_CELLS(c, "size", CONFIG_CHAN_SIZE_MAX);
	expect_ok(&t);
	/* Every queue takes a page at least: one queue and one page of buffers is the least. */
	SET_CELLS(c, "size", 4 * PAGE);
	SET_CELLS(c, "queues", 1);
	SET_CELLS(c, "queue-size", 8);
	expect_ok(&t);
	cr_assert_eq(cfg.channels[0].size, 4 * PAGE);
	SET_CELLS(c, "size", 3 * PAGE);
	expect_fail(&t, "/channels/big", "size: 0x3000 is too small: 1 queues of 8 take 0x3000",
		    NULL);
}

Test(config, too_many_channels_refused)
{
	struct t_config t;

	make_valid(&t);
	for (int i = 0; i <= CONFIG_MAX_CHANNELS; i++) {
		char n[16];

		snprintf(n, sizeof(n), "c%d", i);
		add_chan(&t, n, "hello", "world", CHAN_BASE + i * 4 * PAGE, 4 * PAGE);
	}
	expect_fail(&t, "/channels", "65 channels, at most 64", "pending set");
}

Test(config, channel_ends_must_be_two_partitions_of_the_board)
{
	struct t_config t;

	make_valid_chan(&t);
	set_str(&t.chans[0], "driver", "nobody");
	expect_fail(&t, "/channels/link", "driver: no partition \"nobody\"", NULL);
	make_valid_chan(&t);
	set_str(&t.chans[0], "device", "hell");
	expect_fail(&t, "/channels/link", "device: no partition \"hell\"", NULL);
	make_valid_chan(&t);
	set_str(&t.chans[0], "device", "hello");
	expect_fail(&t, "/channels/link", "device: \"hello\" is also the driver",
		    "joins two partitions");
	make_valid_chan(&t);
	del_prop(&t.chans[0], "device");
	expect_fail(&t, "/channels/link", "device: missing", NULL);
	make_valid_chan(&t);
	del_prop(&t.chans[0], "driver");
	expect_fail(&t, "/channels/link", "driver: missing", NULL);
	make_valid_chan(&t);
	set_str(&t.chans[0], "driver", "a-name-far-too-long");
	expect_fail(&t, "/channels/link", "driver", "too long");
	make_valid_chan(&t);
	SET_CELLS(&t.chans[0], "driver", 0);
	expect_fail(&t, "/channels/link", "driver", "NUL-terminated");
}

Test(config, overlapping_windows_refused)
{
	struct t_config t;

	make_valid_chan(&t);
	add_chan(&t, "other", "world", "hello", CHAN_BASE + 0xf000, 0x10000);
	expect_fail(&t, "/channels/other", "address: window 0x4000f000-0x4001f000",
		    "overlaps channel link's (0x40000000-0x40010000)");
	/* One inside the other. */
	make_valid_chan(&t);
	add_chan(&t, "other", "world", "hello", CHAN_BASE + 0x4000, 0x4000);
	expect_fail(&t, "/channels/other", "address", "overlaps channel link's");
	/* Touching is not overlapping. */
	make_valid_chan(&t);
	add_chan(&t, "other", "world", "hello", CHAN_BASE + 0x10000, 0x5000);
	expect_ok(&t);
}

Test(config, windows_outside_the_channel_area_refused)
{
	struct t_config t;

	make_valid_chan(&t);
	set_u64(&t.chans[0], "address", CHAN_BASE - PAGE);
	expect_fail(&t, "/channels/link", "address: window 0x3ffff000+0x10000",
		    "outside the channel area 0x40000000-0x80000000");
	/* Crossing into guest RAM. */
	set_u64(&t.chans[0], "address", CHAN_BASE + CHAN_AREA_SIZE - PAGE);
	expect_fail(&t, "/channels/link", "address", "outside the channel area");
	set_u64(&t.chans[0], "address", GUEST_RAM_BASE);
	expect_fail(&t, "/channels/link", "address", "outside the channel area");
	/* The info page. */
	set_u64(&t.chans[0], "address", GOOS_INFO_BASE);
	expect_fail(&t, "/channels/link", "address", "outside the channel area");
	/* An end that wraps. */
	set_u64(&t.chans[0], "address", ~0UL - PAGE + 1);
	expect_fail(&t, "/channels/link", "address", "outside the channel area");
}

Test(config, window_sizes_refused)
{
	struct t_config t;

	make_valid_chan(&t);
	SET_CELLS(&t.chans[0], "size", 0x10800);
	expect_fail(&t, "/channels/link", "size: 0x10800 is not a multiple of the page", NULL);
	SET_CELLS(&t.chans[0], "size", 2 * PAGE);
	expect_fail(&t, "/channels/link", "size: 0x2000 is less than 3 pages", NULL);
	SET_CELLS(&t.chans[0], "size", 0);
	expect_fail(&t, "/channels/link", "size", "less than 3 pages");
	SET_CELLS(&t.chans[0], "size", CONFIG_CHAN_SIZE_MAX + PAGE);
	expect_fail(&t, "/channels/link", "size", "more than 16 MiB (CONFIG_CHAN_SIZE_MAX)");
	set_u64(&t.chans[0], "size", ~0UL & ~(PAGE - 1));
	expect_fail(&t, "/channels/link", "size", "more than 16 MiB");
	make_valid_chan(&t);
	set_raw(&t.chans[0], "size", "\0\0\0\0\0\1\0\0\0\0\0\0", 12);
	expect_fail(&t, "/channels/link", "size", "4-byte or 8-byte cell");
	make_valid_chan(&t);
	set_u64(&t.chans[0], "address", CHAN_BASE + 0x800);
	expect_fail(&t, "/channels/link", "address: 0x40000800 is not a multiple of the page",
		    NULL);
	make_valid_chan(&t);
	del_prop(&t.chans[0], "size");
	expect_fail(&t, "/channels/link", "size: missing", NULL);
}

Test(config, queues_that_do_not_fit_refused)
{
	struct t_config t;

	make_valid_chan(&t);
	SET_CELLS(&t.chans[0], "queues", 0);
	expect_fail(&t, "/channels/link", "queues: 0, must be 1..8", NULL);
	SET_CELLS(&t.chans[0], "queues", 9);
	expect_fail(&t, "/channels/link", "queues: 9, must be 1..8", NULL);
	set_u64(&t.chans[0], "queues", 2);
	expect_fail(&t, "/channels/link", "queues", "one 4-byte cell");
	make_valid_chan(&t);
	SET_CELLS(&t.chans[0], "queue-size", 0);
	expect_fail(&t, "/channels/link", "queue-size: 0, must be a power of two, 1..1024", NULL);
	SET_CELLS(&t.chans[0], "queue-size", 48);
	expect_fail(&t, "/channels/link", "queue-size: 48", "power of two");
	SET_CELLS(&t.chans[0], "queue-size", 2048);
	expect_fail(&t, "/channels/link", "queue-size: 2048", "1..1024");
	make_valid_chan(&t);
	del_prop(&t.chans[0], "queues");
	expect_fail(&t, "/channels/link", "queues: missing", NULL);
	/* 8 queues of 1024 with no page left for buffers. */
	make_valid_chan(&t);
	SET_CELLS(&t.chans[0], "queues", 8);
	SET_CELLS(&t.chans[0], "queue-size", 1024);
	SET_CELLS(&t.chans[0], "size", 58 * PAGE);
	expect_fail(&t, "/channels/link",
		    "size: 0x3a000 is too small: 8 queues of 1024 take 0x3a000",
		    "at least one page more");
	/* Two queues of 64 take a page each: 4 pages leave none for buffers. */
	make_valid_chan(&t);
	SET_CELLS(&t.chans[0], "size", 4 * PAGE);
	expect_fail(&t, "/channels/link", "size", "too small: 2 queues of 64 take 0x4000");
	SET_CELLS(&t.chans[0], "size", 5 * PAGE);
	expect_ok(&t);
}

Test(config, windows_count_in_the_memory_budget)
{
	struct t_config t;

	make_valid_chan(&t);
	/* 32 MiB hv + 16 + 464 fills the board: no room left for the window. */
	SET_CELLS(&t.parts[1], "memory-size", 464 * MIB);
	expect_fail(&t, "/channels/link", "size",
		    "partitions and windows so far need 0x1e010000 bytes plus 0x2000000 for the "
		    "hv, more than the board's 0x20000000");
	SET_CELLS(&t.parts[1], "memory-size", 462 * MIB);
	for (int i = 0; i < 2; i++)
		add_chan(&t, i ? "c1" : "c0", "hello", "world", CHAN_BASE + (i + 1) * MIB, MIB);
	expect_fail(&t, "/channels/c1", "size", "more than the board's");
	t.nchans = 2;
	expect_ok(&t);
}

Test(config, channel_nodes_are_strict)
{
	struct t_config t;

	make_valid_chan(&t);
	SET_CELLS(&t.chans[0], "colour", 1);
	expect_fail(&t, "/channels/link", "colour: unknown property",
		    "driver, device, address, size, queues, queue-size");
	make_valid_chan(&t);
	t.chans[0].child = "queue0";
	expect_fail(&t, "/channels/link/queue0", "unknown node", NULL);
	make_valid_chan(&t);
	SET_CELLS(&t.channels, "count", 1);
	expect_fail(&t, "/channels", "count: unknown property", "none");
	/* The old format has no channels. */
	make_valid_chan(&t);
	set_str(&t.root, "compatible", CONFIG_COMPATIBLE_V1);
	for (int i = 0; i < t.nparts + 1; i++) {
		struct t_node *n = i ? &t.parts[i - 1] : &t.board;

		for (int j = 0; j < n->nprops; j++)
			if (!strcmp(n->props[j].name, "cpus"))
				n->props[j].name = "harts";
	}
	expect_fail(&t, "/channels", "unknown node (allowed under /: board, partitions)", NULL);
}

Test(config, channel_names_follow_the_partition_rules)
{
	struct t_config t;

	make_valid_chan(&t);
	snprintf(t.chans[0].name, sizeof(t.chans[0].name), "Link");
	expect_fail(&t, "/channels/Link", "channel name has 'L'", "a-z, 0-9, _ and -");
	snprintf(t.chans[0].name, sizeof(t.chans[0].name), "link@40000000");
	expect_fail(&t, "/channels/link@40000000", "channel name has '@'", NULL);
	snprintf(t.chans[0].name, sizeof(t.chans[0].name), "a-name-too-long1");
	expect_fail(&t, "/channels/a-name-too-long1", "channel name must be 1..15 characters",
		    NULL);
	make_valid_chan(&t);
	add_chan(&t, "link", "world", "hello", CHAN_BASE + 0x10000, 0x10000);
	expect_fail(&t, "/channels/link", "duplicate channel name", NULL);
	/* A channel may share a partition's name. */
	make_valid_chan(&t);
	snprintf(t.chans[0].name, sizeof(t.chans[0].name), "hello");
	expect_ok(&t);
}

Test(config, channels_beyond_the_callers_memory)
{
	struct t_config t;

	make_valid(&t);
	for (int i = 0; i < 40; i++) {
		char n[16];

		snprintf(n, sizeof(n), "c%d", i);
		add_chan(&t, n, "hello", "world", CHAN_BASE + i * 0x10000, 0x10000);
	}
	/* Room for the partitions' table, not for the channels'. */
	alloc_limit = 2 * sizeof(struct partition_config);
	cr_assert_gt(40 * sizeof(struct channel_config), alloc_limit);
	expect_fail(&t, "/channels", "40 channels: no memory to read them", NULL);
}

/* ------------------------------------------------------------------ devices */

static struct t_node *add_dev(struct t_config *t, const char *name, uint32_t id, const char *owner)
{
	struct t_node *n;

	cr_assert_lt(t->ndevs, CONFIG_MAX_DEVICES + 2);
	n = &t->devs[t->ndevs++];
	memset(n, 0, sizeof(*n));
	snprintf(n->name, sizeof(n->name), "%s", name);
	set_str(n, "compatible", "virtio,mmio");
	SET_CELLS(n, "virtio-device-id", id);
	set_str(n, "owner", owner);
	return n;
}

Test(config, devices_name_their_owner_and_virtio_id)
{
	struct t_config t;

	make_valid(&t);
	add_dev(&t, "net0", 1, "world");
	add_dev(&t, "rng0", 4, "hello");
	expect_ok(&t);
	cr_assert_eq(cfg.ndevices, 2);
	cr_assert_str_eq(cfg.devices[0].name, "net0");
	cr_assert_eq(cfg.devices[0].virtio_id, 1);
	cr_assert_eq(cfg.devices[0].owner, 1);
	cr_assert_str_eq(cfg.devices[1].name, "rng0");
	cr_assert_eq(cfg.devices[1].owner, 0);
	/* None at all, or an empty /devices, is a board without any. */
	make_valid(&t);
	expect_ok(&t);
	cr_assert_eq(cfg.ndevices, 0);
	cr_assert_null(cfg.devices);
}

Test(config, a_device_entry_is_checked_strictly)
{
	struct t_config t;
	struct t_node *d;

	make_valid(&t);
	d = add_dev(&t, "net0", 1, "nobody");
	expect_fail(&t, "/devices/net0", "owner", "no partition \"nobody\"");
	set_str(d, "owner", "hello");
	set_str(d, "compatible", "virtio,pci");
	expect_fail(&t, "/devices/net0", "compatible", "is not \"virtio,mmio\"");
	set_str(d, "compatible", "virtio,mmio");
	SET_CELLS(d, "virtio-device-id", 0);
	expect_fail(&t, "/devices/net0", "virtio-device-id", "must be 1..63");
	SET_CELLS(d, "virtio-device-id", 64);
	expect_fail(&t, "/devices/net0", "virtio-device-id", "must be 1..63");
	SET_CELLS(d, "virtio-device-id", 1, 2);
	expect_fail(&t, "/devices/net0", "virtio-device-id", "one 4-byte cell");
	SET_CELLS(d, "virtio-device-id", 1);
	SET_CELLS(d, "irq", 3);
	expect_fail(&t, "/devices/net0", "irq", "unknown property");
	del_prop(d, "irq");
	del_prop(d, "owner");
	expect_fail(&t, "/devices/net0", "owner", "missing");
	set_str(d, "owner", "hello");
	del_prop(d, "compatible");
	expect_fail(&t, "/devices/net0", "compatible", "missing");
	set_str(d, "compatible", "virtio,mmio");
	d->child = "queue";
	expect_fail(&t, "/devices/net0/queue", "unknown node", NULL);
	d->child = NULL;
	add_dev(&t, "net0", 4, "world");
	expect_fail(&t, "/devices/net0", "duplicate device name", NULL);
	snprintf(t.devs[1].name, sizeof(t.devs[1].name), "Net");
	expect_fail(&t, "/devices/Net", "device name has 'N'", NULL);
}

Test(config, at_most_config_max_devices)
{
	struct t_config t;

	make_valid(&t);
	for (int i = 0; i < CONFIG_MAX_DEVICES; i++) {
		char n[16];

		snprintf(n, sizeof(n), "d%d", i);
		add_dev(&t, n, 4, "hello");
	}
	expect_ok(&t);
	add_dev(&t, "one-more", 4, "hello");
	expect_fail(&t, "/devices", "9 devices, at most 8", NULL);
}
