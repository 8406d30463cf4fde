/*
 * What the hv takes from the package, at a partition's creation and every start: an image whose
 * loaded bytes are corrupt is refused (the checksum covers every one of them), and a partition's
 * RAM holds nothing but what its start put there, at cold boot over RAM the firmware left dirty as
 * after a restart over RAM its last run dirtied (the scrub is the only zeroing: the ELF loader
 * leaves bss to it).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "arch/host/host.h"
#include "board.h"

TestSuite(package, .fini = tb_teardown);

Test(package, a_corrupt_byte_anywhere_in_the_image_is_refused)
{
	size_t size;
	uint8_t *img;

	tb_setup(1);
	img = tb_image(&size);
	for (size_t i = 0; i < size; i++) {
		tb_setup(1);
		img[i] ^= 0x04;
		tb_create();
		img[i] ^= 0x04;
		cr_assert_eq(tb_part(0)->state, PART_REFUSED, "byte %zu flipped: %s", i, tb_out);
		cr_assert(strstr(tb_out, "image tb.elf is corrupt (checksum mismatch)"),
			  "byte %zu: %s", i, tb_out);
	}
	tb_setup(1);
	tb_create();
	cr_assert_eq(tb_part(0)->state, PART_STOPPED, "the intact image: %s", tb_out);
}

/* Every byte of RAM the guest reads is zero but the image's 16 bytes, the initrd's (which must be
 * the initrd, whole) and the device tree area at the top. Read as the guest would: its first
 * access to a chunk makes it present. */
static void assert_clean(struct partition *p, const char *when)
{
	const uint8_t *ram = guest_ram_touch(p, p->ram_gpa, p->ram_size);
	uint64_t rd = p->initrd ? p->initrd_gpa - p->ram_gpa : 0;

	cr_assert_not_null(ram);
	for (uint64_t i = 16; i < p->ram_size - GUEST_DT_RESERVE; i++) {
		if (p->initrd && i >= rd && i < rd + p->initrd_size)
			cr_assert_eq(ram[i], tb_initrd_byte(i - rd),
				     "%s: initrd byte 0x%lx is 0x%02x", when,
				     (unsigned long)(i - rd), ram[i]);
		else
			cr_assert_eq(ram[i], 0, "%s: RAM byte 0x%lx is 0x%02x", when,
				     (unsigned long)i, ram[i]);
	}
}

static bool end_it;
static enum vcpu_exit fails_once(struct vcpu *v)
{
	if (end_it) {
		end_it = false;
		return partition_exit(v, 1, true);
	}
	return EXIT_YIELD;
}

static void ram_shows_nothing_of_the_firmware_or_the_last_run(bool initrd)
{
	struct partition *p;

	tb_setup(1); /* the arena is 0xa5 throughout: what the firmware left */
	tb_cfg(0)->restart = RESTART_ON_FAILURE;
	if (initrd)
		strcpy(tb_cfg(0)->initrd, "tb.initrd");
	tb_create();
	tb_start(0);
	p = tb_part(0);
	assert_clean(p, "cold boot");
	cr_assert_eq(p->ram[0], 0x01, "the image is loaded");

	/* The run dirties all of its RAM, bss and device tree area included, then fails. */
	memset(guest_ram_touch(p, p->ram_gpa, p->ram_size), 0x5a, p->ram_size);
	host.on_run = fails_once;
	end_it = true;
	tb_turn(0);
	cr_assert_neq(p->state, PART_RUNNING);
	for (int i = 0; i < 64 && p->state != PART_RUNNING; i++)
		tb_turn(0);
	cr_assert_eq(p->state, PART_RUNNING, "never restarted: %s", tb_out);
	assert_clean(p, "after a restart");
	cr_assert_eq(p->ram[0], 0x01, "the image is loaded again");
	cr_assert_eq(p->initrd != NULL, initrd);
	host.on_run = NULL;
}

Test(package, ram_shows_nothing_of_the_firmware_or_the_last_run)
{
	ram_shows_nothing_of_the_firmware_or_the_last_run(false);
}

/* The initrd's chunks are neither zeroed nor scrubbed (every start copies it whole): the chunks
 * it only partly covers still are, and it is all there again after a restart. */
Test(package, with_an_initrd_ram_shows_it_and_nothing_else)
{
	ram_shows_nothing_of_the_firmware_or_the_last_run(true);
}

Test(package, the_sum_while_copying_is_the_sum_and_the_copy)
{
	static uint64_t src[300], dst[301];
	uint8_t *s = (uint8_t *)src, *d = (uint8_t *)dst;

	for (size_t i = 0; i < sizeof(src); i++)
		s[i] = (uint8_t)(i * 31 + 3);
	for (size_t len = 0; len <= sizeof(src); len += len < 80 ? 1 : 37) {
		memset(dst, 0xee, sizeof(dst));
		cr_assert_eq(gohv_pkg_sum_copy(dst, src, len), gohv_pkg_sum(src, len), "len %zu",
			     len);
		cr_assert_eq(memcmp(d, s, len), 0, "len %zu", len);
		for (size_t i = len; i < sizeof(dst); i++)
			cr_assert_eq(d[i], 0xee, "len %zu: byte %zu written", len, i);
	}
}

/* Where chunk k of tb.initrd lies in p's RAM. */
static uint64_t rd_chunk_gpa(const struct partition *p, uint64_t k)
{
	return p->initrd_gpa + k * GUEST_RAM_CHUNK;
}

/* A partition of ncpus vCPUs with tb.initrd: its config, then (after the caller's changes to the
 * package) created and started. */
static void with_initrd(unsigned ncpus)
{
	tb_setup(1);
	strcpy(tb_cfg(0)->initrd, "tb.initrd");
	tb_cfg(0)->ncpus = ncpus;
	for (unsigned i = 0; i < ncpus; i++)
		tb_cfg(0)->cpus[i] = i;
}

static struct partition *started(void)
{
	tb_create();
	cr_assert_eq(tb_part(0)->state, PART_STOPPED, "%s", tb_out);
	tb_start(0);
	return tb_part(0);
}

static enum vcpu_exit access(struct partition *p, uint64_t gpa, bool write)
{
	enum vcpu_exit e = EXIT_YIELD;

	cr_assert(guest_ram_fault(&p->vcpus[0], gpa, 0x80000000, write, &e), "0x%lx",
		  (unsigned long)gpa);
	return e;
}

/* A chunk is checked when first used, not at create: a flipped byte anywhere (first, middle, the
 * last word's tail) lets the partition be created and start, and the first access to its chunk,
 * read or write, by the guest or the hv, is a fault naming the initrd; the other chunks serve. */
Test(package, a_corrupt_byte_in_the_initrd_faults_the_access_that_first_uses_its_chunk)
{
	static const size_t at[] = {
	    0, 7, 8, 65535, 65536, TB_INITRD_SIZE / 2, TB_INITRD_SIZE - 8, TB_INITRD_SIZE - 1};

	for (unsigned k = 0; k < sizeof(at) / sizeof(at[0]); k++)
		for (int how = 0; how < 3; how++) {
			with_initrd(1);
			tb_initrd()[at[k]] ^= 0x40;
			struct partition *p = started();
			uint64_t bad = at[k] / GUEST_RAM_CHUNK, good = bad ? 0 : 1;

			cr_assert_eq(access(p, rd_chunk_gpa(p, good) + 8, how == 1), EXIT_RESUME,
				     "byte %zu: %s", at[k], tb_out);
			if (how < 2)
				cr_assert_eq(access(p, rd_chunk_gpa(p, bad) + 16, how == 1),
					     EXIT_FAULTED, "byte %zu", at[k]);
			else
				cr_assert_null(guest_ram_touch(p, rd_chunk_gpa(p, bad), 8),
					       "byte %zu", at[k]);
			tb_initrd()[at[k]] ^= 0x40;
			if (how < 2)
				cr_assert(strstr(tb_out, "initrd tb.initrd is corrupt (checksum "
							 "mismatch)"),
					  "byte %zu: %s", at[k], tb_out);
		}
}

/* The sums are the package's: a flipped bit in them refuses the partition at create. */
Test(package, a_corrupt_chunk_sum_of_the_initrd_is_refused)
{
	for (uint64_t c = 0; c < gohv_pkg_chunks(TB_INITRD_SIZE); c++) {
		with_initrd(1);
		uint8_t *sums = (uint8_t *)hv.pkg + gohv_pkg_sums_offset(&hv.pkg->images[1]);
		sums[c * 8 + 3] ^= 0x10;
		tb_create();
		sums[c * 8 + 3] ^= 0x10;
		cr_assert_eq(tb_part(0)->state, PART_REFUSED, "chunk %lu: %s", (unsigned long)c,
			     tb_out);
		cr_assert(strstr(tb_out, "initrd tb.initrd is corrupt (checksum mismatch)"), "%s",
			  tb_out);
	}
}

/* Read or run, a whole chunk of the initrd is the package's page, read-only; nothing is copied
 * into the partition's RAM. A short last chunk is copied (the package's next bytes are another
 * entry's), with zeros after it. */
Test(package, an_initrd_chunk_only_read_is_mapped_read_only_from_the_package)
{
	with_initrd(1);
	struct partition *p = started();
	uint64_t hpa;
	unsigned perm;

	const uint64_t last = gohv_pkg_chunks(TB_INITRD_SIZE) - 1,
		       tail = TB_INITRD_SIZE % GUEST_RAM_CHUNK;

	cr_assert_gt(tail, 0, "the test initrd ends in a short chunk");
	for (uint64_t k = 0; k < last; k++) {
		uint64_t off = rd_chunk_gpa(p, k) - p->ram_gpa;

		cr_assert_neq(stage2_translate(&p->s2, rd_chunk_gpa(p, k), &hpa, &perm), 0,
			      "mapped before any use");
		cr_assert_eq(access(p, rd_chunk_gpa(p, k) + 100, false), EXIT_RESUME);
		for (uint64_t pg = 0; pg < GUEST_RAM_CHUNK; pg += PAGE_SIZE) {
			cr_assert_eq(stage2_translate(&p->s2, rd_chunk_gpa(p, k) + pg, &hpa, &perm),
				     0);
			cr_assert_eq(hpa,
				     (uint64_t)(uintptr_t)(tb_initrd() + k * GUEST_RAM_CHUNK + pg));
			cr_assert_eq(perm, S2_READ | S2_EXEC, "chunk %lu page %lu",
				     (unsigned long)k, (unsigned long)pg);
		}
		cr_assert_eq(p->ram[off], 0xa5, "the partition's own RAM was not written");
	}
	cr_assert_eq(access(p, rd_chunk_gpa(p, last), false), EXIT_RESUME);
	cr_assert_eq(stage2_translate(&p->s2, rd_chunk_gpa(p, last), &hpa, &perm), 0);
	uint8_t *own = p->ram + (rd_chunk_gpa(p, last) - p->ram_gpa);
	cr_assert_eq(hpa, (uint64_t)(uintptr_t)own);
	cr_assert_eq(perm, S2_RWX);
	for (size_t i = 0; i < GUEST_RAM_CHUNK; i++)
		cr_assert_eq(own[i], i < tail ? tb_initrd_byte(last * GUEST_RAM_CHUNK + i) : 0,
			     "byte %zu of the last chunk", i);
}

/* The first write to a chunk mapped from the package gives the partition its own copy, which
 * every CPU the partition runs on is fenced for (once each); a restart puts the package's bytes
 * back in it, and a chunk still shared stays the package's. */
Test(package, the_first_write_to_an_initrd_chunk_copies_it_and_a_restart_restores_it)
{
	with_initrd(2);
	struct partition *p = started();
	uint64_t hpa, off = rd_chunk_gpa(p, 1) - p->ram_gpa;
	unsigned perm;

	cr_assert_eq(access(p, rd_chunk_gpa(p, 0), false), EXIT_RESUME);
	cr_assert_eq(access(p, rd_chunk_gpa(p, 1), false), EXIT_RESUME);
	unsigned remote = host.s2_remote_fences;
	cr_assert_eq(access(p, rd_chunk_gpa(p, 1) + 24, true), EXIT_RESUME);
	cr_assert_eq(host.s2_remote_fences, remote + 2, "one fence per CPU of the partition");
	cr_assert_eq(stage2_translate(&p->s2, rd_chunk_gpa(p, 1) + PAGE_SIZE, &hpa, &perm), 0);
	cr_assert_eq(hpa, (uint64_t)(uintptr_t)(p->ram + off + PAGE_SIZE));
	cr_assert_eq(perm, S2_RWX);
	cr_assert_eq(memcmp(p->ram + off, tb_initrd() + GUEST_RAM_CHUNK, GUEST_RAM_CHUNK), 0);
	/* A write seen again (another CPU's stale miss) changes nothing. */
	cr_assert_eq(access(p, rd_chunk_gpa(p, 1) + 24, true), EXIT_RESUME);
	cr_assert_eq(host.s2_remote_fences, remote + 2);

	memset(p->ram + off, 0x5a, GUEST_RAM_CHUNK); /* the guest writes its copy */
	host.on_run = fails_once;
	end_it = true;
	tb_cfg(0)->restart = RESTART_ON_FAILURE;
	tb_turn(0);
	for (int i = 0; i < 64 && p->state != PART_RUNNING; i++)
		tb_turn(0);
	host.on_run = NULL;
	cr_assert_eq(p->state, PART_RUNNING, "never restarted: %s", tb_out);
	cr_assert_eq(memcmp(p->ram + off, tb_initrd() + GUEST_RAM_CHUNK, GUEST_RAM_CHUNK), 0,
		     "the package's bytes again after the restart");
	cr_assert_eq(stage2_translate(&p->s2, rd_chunk_gpa(p, 0), &hpa, &perm), 0);
	cr_assert_eq(hpa, (uint64_t)(uintptr_t)tb_initrd());
	cr_assert_eq(perm, S2_READ | S2_EXEC);
}

/* A chunk found intact is not summed again (nothing writes the package): a sum it is asked to
 * match afterwards is not even looked at. One found corrupt is never recorded. */
Test(package, a_chunk_is_summed_once_and_only_an_intact_one_is_recorded)
{
	tb_setup(1);
	struct package_checked *k = &hv.pkg_checked;
	const uint8_t *rd = tb_initrd();
	uint64_t good = gohv_pkg_sum(rd, GUEST_RAM_CHUNK);

	cr_assert_not(package_chunk_known(k, rd));
	cr_assert_not(package_chunk_intact(k, rd, GUEST_RAM_CHUNK, good + 1));
	cr_assert_not(package_chunk_known(k, rd), "a corrupt chunk was recorded as intact");
	cr_assert(package_chunk_intact(k, rd, GUEST_RAM_CHUNK, good));
	cr_assert(package_chunk_known(k, rd));
	cr_assert(package_chunk_intact(k, rd, GUEST_RAM_CHUNK, good + 1), "summed again");
	cr_assert_not(package_chunk_known(k, rd + GUEST_RAM_CHUNK), "only that chunk");
}

/* Partitions of one image and one initrd share the checks: the image is summed by the first
 * partition's create, and a chunk the first partition used is served to the second unsummed. A
 * corrupt chunk faults in each partition that uses it, as if it were the first. */
Test(package, partitions_of_one_package_entry_check_each_chunk_once)
{
	for (int corrupt = 0; corrupt < 2; corrupt++) {
		tb_setup(2);
		for (unsigned i = 0; i < 2; i++)
			strcpy(tb_cfg(i)->initrd, "tb.initrd");
		size_t size;
		const uint8_t *img = tb_image(&size);
		if (corrupt)
			tb_initrd()[GUEST_RAM_CHUNK + 5] ^= 0x40;
		tb_create();
		for (uint64_t c = 0; c < gohv_pkg_chunks(size); c++)
			cr_assert(package_chunk_known(&hv.pkg_checked, img + c * GUEST_RAM_CHUNK),
				  "image chunk %lu", (unsigned long)c);
		tb_start(0);
		tb_start(1);
		struct partition *a = tb_part(0), *b = tb_part(1);
		const uint8_t *rd1 = tb_initrd() + GUEST_RAM_CHUNK;

		cr_assert_not(package_chunk_known(&hv.pkg_checked, rd1), "checked before use");
		enum vcpu_exit want = corrupt ? EXIT_FAULTED : EXIT_RESUME;
		cr_assert_eq(access(a, rd_chunk_gpa(a, 1), false), want, "%s", tb_out);
		cr_assert_eq(package_chunk_known(&hv.pkg_checked, rd1), !corrupt);
		if (!corrupt)
			/* What b is given is then the package's page, not summed: its sum in the
			 * package may be anything. */
			((uint64_t *)(void *)b->initrd_sums)[1] ^= 1;
		cr_assert_eq(access(b, rd_chunk_gpa(b, 1), false), want, "%s", tb_out);
		if (!corrupt)
			((uint64_t *)(void *)b->initrd_sums)[1] ^= 1;
		else
			tb_initrd()[GUEST_RAM_CHUNK + 5] ^= 0x40;
	}
}
