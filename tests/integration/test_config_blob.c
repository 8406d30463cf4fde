/*
 * The hv's own check of the config blob: an image whose config the packer would have refused
 * (patched after packing) must be refused at boot with one line, and the machine powered off,
 * not hang before any partition starts.
 */
#include <criterion/criterion.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "hv/package.h"

#define PAGE 4096

/* The package sits page aligned after the hv's flat image: the first page with a header whose
 * checksum holds. */
static struct gohv_pkg_header *find_package(uint8_t *img, size_t len)
{
	for (size_t off = 0; off + sizeof(struct gohv_pkg_header) <= len; off += PAGE) {
		struct gohv_pkg_header *h = (void *)(img + off), copy;

		if (h->magic != GOHV_PKG_MAGIC)
			continue;
		copy = *h;
		copy.header_checksum = 0;
		if (gohv_fnv1a32(&copy, sizeof(copy)) == h->header_checksum)
			return h;
	}
	return NULL;
}

/* Gives /partitions/beta's first property a length 12 short of 2^32, the value that wrapped
 * libfdt's walk onto the same tag. */
static void wrap_a_property_length(const char *path)
{
	FILE *f = fopen(path, "r+b");
	uint8_t *img;
	long len;
	struct gohv_pkg_header *h;
	fdt32_t bad = cpu_to_fdt32(0xfffffff4u);

	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	img = malloc((size_t)len);
	cr_assert_eq(fread(img, 1, (size_t)len, f), (size_t)len);
	h = find_package(img, (size_t)len);
	cr_assert_not_null(h, "no package in %s", path);

	void *cfg = (uint8_t *)h + h->config_offset;
	int prop = fdt_first_property_offset(cfg, fdt_path_offset(cfg, "/partitions/beta"));

	cr_assert_geq(prop, 0);
	memcpy((uint8_t *)cfg + fdt_off_dt_struct(cfg) + prop + 4, &bad, 4);
	rewind(f);
	cr_assert_eq(fwrite(img, 1, (size_t)len, f), (size_t)len);
	cr_assert_eq(fclose(f), 0);
	free(img);
}

Test(config_blob, a_wrapping_property_length_is_refused_at_boot_and_the_machine_powers_off,
     .timeout = 60)
{
	struct boot_opts o = {.patch = wrap_a_property_length, .timeout_s = 30};
	struct run r;

	boot_board("it-hello", &o, &r);
	if (!r.exited)
		run_dump(&r, "power-off");
	cr_assert(r.exited && !r.timed_out, "the hv hung on the malformed config");
	assert_has(&r, "gohv: board config refused: not a valid device tree blob (property at ");
	assert_has(&r, "length 4294967284 runs past");
	cr_assert_eq(run_count(&r, "refused"), 1);
	assert_lacks(&r, "[alpha]");
	run_free(&r);
}

/* The storm board's restart-backoff-ms <1 1> becomes <0 1>, which the packer refuses. */
static void zero_the_backoff_min(const char *path)
{
	FILE *f = fopen(path, "r+b");
	uint8_t *img;
	long len;
	struct gohv_pkg_header *h;
	fdt32_t bad[2] = {cpu_to_fdt32(0), cpu_to_fdt32(1)};

	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	img = malloc((size_t)len);
	cr_assert_eq(fread(img, 1, (size_t)len, f), (size_t)len);
	h = find_package(img, (size_t)len);
	cr_assert_not_null(h, "no package in %s", path);

	void *cfg = (uint8_t *)h + h->config_offset;
	int node = fdt_path_offset(cfg, "/partitions/storm");

	cr_assert_geq(node, 0);
	cr_assert_eq(fdt_setprop_inplace(cfg, node, "restart-backoff-ms", bad, sizeof(bad)), 0);
	rewind(f);
	cr_assert_eq(fwrite(img, 1, (size_t)len, f), (size_t)len);
	cr_assert_eq(fclose(f), 0);
	free(img);
}

Test(config_blob, a_backoff_that_never_grows_is_refused_at_boot_with_one_line, .timeout = 60)
{
	struct boot_opts o = {.patch = zero_the_backoff_min, .timeout_s = 30};
	struct run r;

	boot_board("it-storm", &o, &r);
	cr_assert(r.exited && !r.timed_out, "the hv did not power off");
	assert_has(&r,
		   "gohv: board config refused: /partitions/storm: restart-backoff-ms: <0 1>: a "
		   "min of 0 never backs off; say <0 0> for no backoff\n");
	cr_assert_eq(run_count(&r, "refused"), 1);
	assert_lacks(&r, "[storm]");
	run_free(&r);
}
