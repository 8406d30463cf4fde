/* The package reader: the header's checks (hv/package.c), the config blob inside it, then each
 * partition built from it (hv/partition.c: images and initrds looked up, bounds and checksums
 * checked, ELF checked, RAM and stage-2 tables allocated), its channels (hv/channel_boot.c:
 * windows allocated and mapped) and each partition started once (ELF loaded, its initrd read,
 * device tree written, its channels' header updated), all on the host port. Checksums are fixed up
 * before the run unless the input's first byte says not to, so mutations reach past them. */
#include <libfdt.h>
#include <sanitizer/asan_interface.h>
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_hv.h"

#define NCPUS 4

static void fix_checksums(struct gohv_pkg_header *h, size_t size)
{
	unsigned n = h->nimages < GOHV_PKG_MAX_IMAGES ? h->nimages : GOHV_PKG_MAX_IMAGES;

	for (unsigned i = 0; i < n; i++) {
		struct gohv_pkg_image *img = &h->images[i];

		if (img->offset % 8 == 0 && img->offset <= size &&
		    img->size <= size - img->offset && gohv_pkg_sums_offset(img) <= size &&
		    gohv_pkg_chunks(img->size) * 8 <= size - gohv_pkg_sums_offset(img))
			img->checksum = gohv_pkg_sums(
			    (const uint8_t *)h + img->offset, img->size,
			    (uint64_t *)(void *)((uint8_t *)h + gohv_pkg_sums_offset(img)));
	}
	h->header_checksum = 0;
	h->header_checksum = gohv_fnv1a32(h, sizeof(*h));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[120];
	struct fuzz_allocs tables = {.n = 0};
	struct config_error cerr;

	if (size < 1)
		return -1;
	bool fix = !(data[0] & 1);
	data++;
	size--;
	/* The hv finds the package page aligned. */
	struct gohv_pkg_header *h = aligned_alloc(PAGE_SIZE, (size + PAGE_SIZE) & ~(PAGE_SIZE - 1));
	memcpy(h, data, size);
	if (fix && size >= sizeof(*h))
		fix_checksums(h, size);
	fuzz_hv_reset(NCPUS, FUZZ_ARENA_MAX);
	if (package_check(h, size, err, sizeof(err))) {
		FUZZ_CHECK(err[0] && strnlen(err, sizeof(err)) < sizeof(err), "error line");
		goto out;
	}
	hv.pkg = h;
	hv.pkg_checked.pkg = h;
	hv.pkg_checked.bits = calloc(PACKAGE_CHECKED_WORDS(h->size), 8);
	const uint8_t *blob = (const uint8_t *)h + h->config_offset;
	if (config_parse(blob, h->config_size, fuzz_config_alloc, &tables, &hv.config, &cerr))
		goto out;
	hv.partitions = calloc(hv.config.npartitions, sizeof(struct partition));
	hv.npartitions = hv.config.npartitions;
	/* Each partition's vCPUs in their own block, so ASan sees one overrun into the next. */
	struct vcpu **vcpus = calloc(hv.npartitions, sizeof(*vcpus));
	for (unsigned i = 0; i < hv.npartitions; i++) {
		vcpus[i] = calloc(hv.config.partitions[i].ncpus, sizeof(struct vcpu));
		if (partition_create(&hv.partitions[i], i, &hv.config.partitions[i], vcpus[i]) == 0)
			hv.live++;
		fuzz_hv_guard();
	}
	hv.channels = calloc(hv.config.nchannels + 1, sizeof(struct channel));
	hv.nchannels = hv.config.nchannels;
	channels_create();
	fuzz_hv_fence();
	/* The windows are the hv's to write (the ends' states), and the ends'. */
	for (unsigned i = 0; i < hv.nchannels; i++)
		if (hv.channels[i].up)
			ASAN_UNPOISON_MEMORY_REGION(hv.channels[i].window,
						    hv.config.channels[i].size);
	for (unsigned i = 0; i < hv.npartitions; i++) {
		struct partition *p = &hv.partitions[i];

		if (p->state != PART_STOPPED)
			continue;
		partition_start(p);
		FUZZ_CHECK(p->state == PART_RUNNING && p->running == 1, "%s did not start",
			   p->cfg->name);
	}
	for (unsigned i = 0; i < hv.npartitions; i++)
		free(vcpus[i]);
	free(vcpus);
	free(hv.partitions);
	free(hv.channels);
	hv.partitions = NULL;
	hv.npartitions = 0;
	hv.channels = NULL;
	hv.nchannels = 0;
out:
	fuzz_allocs_free(&tables);
	free(hv.pkg_checked.bits);
	hv.pkg_checked.bits = NULL;
	free(h);
	return 0;
}
