/* gchan_attach against headers the hv would never write, and windows that are not whole pages:
 * each refused with GCHAN_E_INVALID and one line that says why. */
#include <criterion/criterion.h>
#include <string.h>

#include "window.h"

static struct window w;

static void setup(void)
{
	window_init(&w, 2, 8, 16);
}

static void teardown(void)
{
	window_free(&w);
}

TestSuite(header, .init = setup, .fini = teardown);

static void refused_with(void *win, uint64_t gpa, uint64_t size, const char *what)
{
	struct gchan c;

	cr_assert_eq(gchan_attach(&c, win, gpa, size, GCHAN_DRIVER, window_log), GCHAN_E_INVALID,
		     "accepted");
	cr_assert_not_null(strstr(gchan_reason(&c), what), "reason '%s' lacks '%s'",
			   gchan_reason(&c), what);
	cr_assert_eq(w.lines, 1);
	cr_assert_str_eq(w.last_line, gchan_reason(&c));
	cr_assert_eq(gchan_attach(&c, win, gpa, size, GCHAN_DEVICE, NULL), GCHAN_E_INVALID);
}

static void refused(const char *what)
{
	refused_with(w.win, w.gpa, w.size, what);
}

static unsigned ring_off(unsigned q, unsigned part)
{
	return GOOS_CHAN_H_QUEUE + GOOS_CHAN_H_QUEUE_STRIDE * q + 8 * part;
}

Test(header, good_one_accepted)
{
	struct gchan c;

	cr_assert_eq(gchan_attach(&c, w.win, w.gpa, w.size, GCHAN_DRIVER, window_log), GCHAN_OK);
	cr_assert_str_eq(gchan_name(&c), "vault");
	cr_assert_eq(gchan_id(&c), 3);
	cr_assert_eq(w.lines, 0);
}

Test(header, bad_magic)
{
	window_hdr64(&w, GOOS_CHAN_H_MAGIC, GOOS_CHAN_MAGIC ^ 1);
	refused("no channel header");
}

Test(header, bad_version)
{
	window_hdr32(&w, GOOS_CHAN_H_VERSION, GOOS_CHAN_VERSION + 1);
	refused("header version 2");
}

Test(header, window_size_differs)
{
	window_hdr64(&w, GOOS_CHAN_H_SIZE, w.size + GOOS_CHAN_PAGE);
	refused("the header says");
}

Test(header, one_queue)
{
	window_hdr32(&w, GOOS_CHAN_H_QUEUES, 1);
	refused("1 queues");
}

Test(header, too_many_queues)
{
	window_hdr32(&w, GOOS_CHAN_H_QUEUES, GOOS_CHAN_MAX_QUEUES + 1);
	refused("9 queues");
}

Test(header, queue_size_zero)
{
	window_hdr32(&w, GOOS_CHAN_H_QSIZE, 0);
	refused("queue size 0");
}

Test(header, queue_size_not_a_power_of_two)
{
	window_hdr32(&w, GOOS_CHAN_H_QSIZE, 6);
	refused("queue size 6");
}

Test(header, queue_size_too_large)
{
	window_hdr32(&w, GOOS_CHAN_H_QSIZE, 65536);
	refused("queue size 65536");
}

Test(header, ring_in_the_header_page)
{
	window_hdr64(&w, ring_off(0, 0), 0x800);
	refused("queue 0 descriptors at 0x800 lies in the header or control page");
}

Test(header, ring_in_the_control_page)
{
	window_hdr64(&w, ring_off(1, 2), GOOS_CHAN_PAGE);
	refused("queue 1 used ring at 0x1000 lies in the header or control page");
}

Test(header, ring_past_the_window)
{
	window_hdr64(&w, ring_off(1, 1), w.size);
	refused("queue 1 available ring");
}

Test(header, ring_across_the_window_end)
{
	window_hdr64(&w, ring_off(0, 0), w.size - 16);
	refused("outside the window");
}

Test(header, ring_offset_wraps)
{
	window_hdr64(&w, ring_off(0, 2), ~0ULL - 3);
	refused("outside the window");
}

Test(header, third_queue_checked_too)
{
	window_hdr32(&w, GOOS_CHAN_H_QUEUES, 3); /* its offsets are 0 */
	refused("queue 2 descriptors");
}

Test(header, descriptors_misaligned)
{
	window_hdr64(&w, ring_off(0, 0), w.desc[0] + 8);
	refused("not 16-byte aligned");
}

Test(header, avail_misaligned)
{
	window_hdr64(&w, ring_off(1, 1), w.avail[1] + 1);
	refused("not 2-byte aligned");
}

Test(header, used_misaligned)
{
	window_hdr64(&w, ring_off(0, 2), w.used[0] + 2);
	refused("not 4-byte aligned");
}

Test(header, rings_overlap)
{
	window_hdr64(&w, ring_off(1, 0), w.desc[0] + 64);
	refused("queue 0 descriptors at");
}

Test(header, pool_overlaps_a_ring)
{
	window_hdr64(&w, GOOS_CHAN_H_POOL, w.used[1]);
	window_hdr64(&w, GOOS_CHAN_H_POOL_SIZE, w.size - w.used[1]);
	refused("overlaps buffer pool");
}

Test(header, pool_past_the_window)
{
	window_hdr64(&w, GOOS_CHAN_H_POOL_SIZE, w.pool_size + 1);
	refused("buffer pool at");
}

Test(header, pool_too_small)
{
	window_hdr64(&w, GOOS_CHAN_H_POOL_SIZE, 2 * GOOS_CHAN_SLOT - 1);
	refused("fewer than 2 buffers");
}

Test(header, window_not_page_aligned)
{
	refused_with(w.win + 8, w.gpa, w.size, "whole pages");
}

Test(header, gpa_not_page_aligned)
{
	refused_with(w.win, w.gpa + 8, w.size, "whole pages");
}

Test(header, window_size_not_whole_pages)
{
	window_hdr64(&w, GOOS_CHAN_H_SIZE, w.size - 8);
	refused_with(w.win, w.gpa, w.size - 8, "whole pages");
}

Test(header, window_of_one_page)
{
	refused_with(w.win, w.gpa, GOOS_CHAN_PAGE, "whole pages");
}

Test(header, window_wraps_the_address_space)
{
	refused_with(w.win, -GOOS_CHAN_PAGE, w.size, "whole pages");
}

Test(header, three_queues_accepted)
{
	struct window w3;
	struct gchan c;

	window_init(&w3, 3, 16, 4);
	cr_assert_eq(gchan_attach(&c, w3.win, w3.gpa, w3.size, GCHAN_DEVICE, NULL), GCHAN_OK, "%s",
		     gchan_reason(&c));
	window_free(&w3);
}
