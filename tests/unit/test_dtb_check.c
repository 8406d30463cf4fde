/*
 * dtb_check: the structural walk every config blob passes before libfdt reads it. Each test
 * breaks one thing in a small valid blob; the timeouts turn a walk that loops (what libfdt itself
 * does on a wrapping property length) into a failure instead of a hung run.
 */
#include <criterion/criterion.h>
#include <libfdt.h>
#include <string.h>

#include "hv/dtb_check.h"

static uint64_t blob[512];
static char why[160];

/* / { a = <1>; child { b = "x"; }; }; and the struct-block offsets of a, b and child's end. */
static size_t make_blob(int *off_a, int *off_b)
{
	cr_assert_eq(fdt_create(blob, sizeof(blob)), 0);
	cr_assert_eq(fdt_finish_reservemap(blob), 0);
	cr_assert_eq(fdt_begin_node(blob, ""), 0);
	cr_assert_eq(fdt_property_u32(blob, "a", 1), 0);
	cr_assert_eq(fdt_begin_node(blob, "child"), 0);
	cr_assert_eq(fdt_property_string(blob, "b", "x"), 0);
	cr_assert_eq(fdt_end_node(blob), 0);
	cr_assert_eq(fdt_end_node(blob), 0);
	cr_assert_eq(fdt_finish(blob), 0);
	if (off_a)
		*off_a = fdt_first_property_offset(blob, 0);
	if (off_b)
		*off_b = fdt_first_property_offset(blob, fdt_subnode_offset(blob, 0, "child"));
	return fdt_totalsize(blob);
}

static uint8_t *st(int off)
{
	return (uint8_t *)blob + fdt_off_dt_struct(blob) + off;
}

static void put32(uint8_t *p, uint32_t v)
{
	fdt32_t raw = cpu_to_fdt32(v);

	memcpy(p, &raw, 4);
}

static void expect_bad(size_t size, const char *word)
{
	cr_assert_eq(dtb_check(blob, size, why, sizeof(why)), -1, "accepted; wanted \"%s\"", word);
	cr_assert(strstr(why, word), "\"%s\" does not mention \"%s\"", why, word);
	cr_assert_null(strchr(why, '\n'));
}

TestSuite(dtb_check, .timeout = 10);

Test(dtb_check, a_valid_blob_passes)
{
	size_t size = make_blob(NULL, NULL);

	cr_assert_eq(dtb_check(blob, size, why, sizeof(why)), 0, "%s", why);
}

/* 12 less than 2^32: libfdt's offset + 12 + len comes back to the same tag. */
Test(dtb_check, a_property_length_that_wraps_is_refused)
{
	int b;
	size_t size = make_blob(NULL, &b);

	put32(st(b) + 4, 0xfffffff4u);
	expect_bad(size, "length 4294967284 runs past");
}

Test(dtb_check, a_property_may_end_exactly_at_the_block_end_not_beyond)
{
	int b;
	size_t size = make_blob(NULL, &b);
	/* The value starts 12 bytes after the tag; two END_NODEs and END follow it (12 bytes). */
	uint32_t room = fdt_size_dt_struct(blob) - (uint32_t)b - 12;

	put32(st(b) + 4, room);
	cr_assert_neq(dtb_check(blob, size, why, sizeof(why)), 0, "no end tag left, yet accepted");
	cr_assert(strstr(why, "without an end tag"), "%s", why);
	put32(st(b) + 4, room + 1);
	expect_bad(size, "runs past");
}

Test(dtb_check, a_name_outside_the_strings_block_is_refused)
{
	int a;
	size_t size = make_blob(&a, NULL);

	put32(st(a) + 8, fdt_size_dt_strings(blob));
	expect_bad(size, "name offset");
}

Test(dtb_check, an_unknown_tag_is_refused)
{
	int a;
	size_t size = make_blob(&a, NULL);

	put32(st(a), 7);
	expect_bad(size, "unknown tag 0x7");
}

Test(dtb_check, unclosed_and_overclosed_nodes_are_refused)
{
	size_t size = make_blob(NULL, NULL);
	uint32_t end = fdt_size_dt_struct(blob) - 4; /* FDT_END; the root's END_NODE before it */

	put32(st((int)end - 4), FDT_NOP);
	expect_bad(size, "still open");
	put32(st((int)end - 4), FDT_END_NODE);
	put32(st((int)end), FDT_END_NODE);
	expect_bad(size, "closes no node");
}

Test(dtb_check, a_second_root_is_refused)
{
	cr_assert_eq(fdt_create(blob, sizeof(blob)), 0);
	cr_assert_eq(fdt_finish_reservemap(blob), 0);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(fdt_begin_node(blob, ""), 0);
		cr_assert_eq(fdt_end_node(blob), 0);
	}
	cr_assert_eq(fdt_finish(blob), 0);
	expect_bad(fdt_totalsize(blob), "second root");
}

Test(dtb_check, a_block_outside_the_blob_is_refused)
{
	size_t size = make_blob(NULL, NULL);
	uint32_t s = fdt_size_dt_strings(blob);

	fdt_set_size_dt_strings(blob, 0xfffffff0u);
	expect_bad(size, "strings block");
	fdt_set_size_dt_strings(blob, s);
	fdt_set_off_dt_struct(blob, 0xfffffffcu);
	expect_bad(size, "structure block");
}

Test(dtb_check, a_cut_node_name_is_refused)
{
	int a;
	size_t size = make_blob(&a, NULL);
	int child = fdt_subnode_offset(blob, 0, "child");

	fdt_set_size_dt_struct(blob, (uint32_t)child + 4); /* the tag, not the name */
	expect_bad(size, "not terminated");
}

Test(dtb_check, too_small_misaligned_or_old_blobs_are_refused)
{
	size_t size = make_blob(NULL, NULL);

	cr_assert_eq(dtb_check(NULL, 0, why, sizeof(why)), -1);
	expect_bad(16, "too small");
	expect_bad(size - 4, "header says");
	fdt_set_version(blob, 16);
	expect_bad(size, "version 16");
	make_blob(NULL, NULL);
	memmove((char *)blob + 1, blob, size);
	cr_assert_eq(dtb_check((char *)blob + 1, size, why, sizeof(why)), -1);
	cr_assert(strstr(why, "aligned"), "%s", why);
}
