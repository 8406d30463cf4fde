/* The fake hv of gchan's tests: see window.h. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "window.h"

#define PAGE GOOS_CHAN_PAGE

static struct window *logged;

static uint64_t page_up(uint64_t x)
{
	return (x + PAGE - 1) & ~(PAGE - 1);
}

static void protect_header(struct window *w, int prot)
{
	cr_assert_eq(mprotect(w->win, PAGE, prot), 0);
}

void window_hdr32(struct window *w, unsigned off, uint32_t v)
{
	protect_header(w, PROT_READ | PROT_WRITE);
	__atomic_store_n((uint32_t *)(w->win + off), v, __ATOMIC_RELEASE);
	protect_header(w, PROT_READ);
}

void window_hdr64(struct window *w, unsigned off, uint64_t v)
{
	protect_header(w, PROT_READ | PROT_WRITE);
	__atomic_store_n((uint64_t *)(w->win + off), v, __ATOMIC_RELEASE);
	protect_header(w, PROT_READ);
}

void window_init(struct window *w, unsigned queues, unsigned qsize, unsigned slots)
{
	uint64_t off = 2 * PAGE;

	memset(w, 0, sizeof(*w));
	w->queues = queues;
	w->qsize = qsize;
	for (unsigned q = 0; q < queues; q++) {
		w->desc[q] = off;
		w->avail[q] = w->desc[q] + VIRTQ_DESC_BYTES(qsize);
		w->used[q] = (w->avail[q] + VIRTQ_AVAIL_BYTES(qsize) + 3) & ~3UL;
		off = page_up(w->used[q] + VIRTQ_USED_BYTES(qsize));
	}
	w->pool = off;
	w->pool_size = (uint64_t)slots * GOOS_CHAN_SLOT;
	w->size = page_up(w->pool + w->pool_size);
	w->gpa = WIN_GPA;
	w->map = mmap(NULL, w->size + 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(w->map, MAP_FAILED);
	w->win = w->map + PAGE;
	cr_assert_eq(mprotect(w->win, w->size, PROT_READ | PROT_WRITE), 0);

	*(uint64_t *)(w->win + GOOS_CHAN_H_MAGIC) = GOOS_CHAN_MAGIC;
	*(uint32_t *)(w->win + GOOS_CHAN_H_VERSION) = GOOS_CHAN_VERSION;
	*(uint32_t *)(w->win + GOOS_CHAN_H_ID) = 3;
	*(uint32_t *)(w->win + GOOS_CHAN_H_QUEUES) = queues;
	*(uint32_t *)(w->win + GOOS_CHAN_H_QSIZE) = qsize;
	*(uint64_t *)(w->win + GOOS_CHAN_H_SIZE) = w->size;
	memcpy(w->win + GOOS_CHAN_H_NAME, "vault", 5);
	for (unsigned q = 0; q < queues; q++) {
		uint64_t *r =
		    (uint64_t *)(w->win + GOOS_CHAN_H_QUEUE + GOOS_CHAN_H_QUEUE_STRIDE * q);

		r[0] = w->desc[q];
		r[1] = w->avail[q];
		r[2] = w->used[q];
	}
	*(uint64_t *)(w->win + GOOS_CHAN_H_POOL) = w->pool;
	*(uint64_t *)(w->win + GOOS_CHAN_H_POOL_SIZE) = w->pool_size;
	protect_header(w, PROT_READ);
	logged = w;
}

void window_free(struct window *w)
{
	munmap(w->map, w->size + 2 * PAGE);
	if (logged == w)
		logged = NULL;
}

static unsigned gen_off(enum gchan_role end)
{
	return end == GCHAN_DRIVER ? GOOS_CHAN_H_DRIVER_GEN : GOOS_CHAN_H_DEVICE_GEN;
}

void window_start(struct window *w, enum gchan_role end)
{
	uint32_t gen = *(uint32_t *)(w->win + gen_off(end));

	window_hdr32(w, gen_off(end), gen + 1);
	window_hdr32(w, gen_off(end) + 4, GOOS_CHAN_UP);
}

void window_stop(struct window *w, enum gchan_role end)
{
	window_hdr32(w, gen_off(end) + 4, GOOS_CHAN_DOWN);
}

void *window_at(struct window *w, uint64_t off)
{
	cr_assert_lt(off, w->size);
	return w->win + off;
}

void window_log(const char *line)
{
	if (!logged)
		return;
	logged->lines++;
	snprintf(logged->last_line, sizeof(logged->last_line), "%s", line);
}

void window_pair(struct window *w, struct gchan *d, struct gchan *v)
{
	window_start(w, GCHAN_DRIVER);
	window_start(w, GCHAN_DEVICE);
	cr_assert_eq(gchan_attach(d, w->win, w->gpa, w->size, GCHAN_DRIVER, window_log), GCHAN_OK,
		     "%s", gchan_reason(d));
	cr_assert_eq(gchan_attach(v, w->win, w->gpa, w->size, GCHAN_DEVICE, window_log), GCHAN_OK,
		     "%s", gchan_reason(v));
	gchan_poll(d);
	gchan_poll(v);
	gchan_poll(d);
	cr_assert_eq(gchan_poll(d) & GCHAN_POLL_OUT, GCHAN_POLL_OUT);
	cr_assert_eq(gchan_poll(v) & GCHAN_POLL_OUT, GCHAN_POLL_OUT);
}
