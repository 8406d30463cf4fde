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

/* Checked as it is loaded at create: a flipped byte anywhere (first, middle, the last word's
 * tail) refuses the partition with its name and gives its RAM back. */
Test(package, a_corrupt_byte_in_the_initrd_is_refused)
{
	static const size_t at[] = {
	    0, 7, 8, 65535, 65536, TB_INITRD_SIZE / 2, TB_INITRD_SIZE - 8, TB_INITRD_SIZE - 1};

	for (unsigned k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		tb_setup(1);
		strcpy(tb_cfg(0)->initrd, "tb.initrd");
		size_t before = hv.pages.nfree;

		tb_initrd()[at[k]] ^= 0x40;
		tb_create();
		tb_initrd()[at[k]] ^= 0x40;
		cr_assert_eq(tb_part(0)->state, PART_REFUSED, "byte %zu: %s", at[k], tb_out);
		cr_assert(strstr(tb_out, "initrd tb.initrd is corrupt (checksum mismatch)"),
			  "byte %zu: %s", at[k], tb_out);
		cr_assert_geq(hv.pages.nfree + 16, before, "byte %zu: RAM kept", at[k]);
	}
	tb_setup(1);
	strcpy(tb_cfg(0)->initrd, "tb.initrd");
	tb_create();
	cr_assert_eq(tb_part(0)->state, PART_STOPPED, "the intact initrd: %s", tb_out);
}
