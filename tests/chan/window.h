/* A channel window on the host for gchan's tests, laid out and kept as the hv does it
 * (docs/channels.md): the header page, the control page, each queue on its own pages, the pool
 * to the end. The window has a PROT_NONE page on each side and its header page is read-only,
 * so any access outside it and any write to the header stops the test with a fault. */
#ifndef TEST_CHAN_WINDOW_H
#define TEST_CHAN_WINDOW_H

#include <stdint.h>

#include "gchan.h"

#define WIN_GPA 0x40000000UL /* where the window is "guest-physical", as on riscv64 */

struct window {
	uint8_t *map; /* guard page, window, guard page */
	uint8_t *win;
	uint64_t gpa, size;
	unsigned queues, qsize;
	uint64_t desc[GOOS_CHAN_MAX_QUEUES], avail[GOOS_CHAN_MAX_QUEUES],
	    used[GOOS_CHAN_MAX_QUEUES];
	uint64_t pool, pool_size;
	unsigned lines; /* lines the library logged (window_log) */
	char last_line[160];
};

/* A window with `slots` pool buffers after the rings of `queues` queues of qsize entries. Both
 * ends are down and have never started. */
void window_init(struct window *w, unsigned queues, unsigned qsize, unsigned slots);
void window_free(struct window *w);
/* The hv's part: an end starts (its generation goes up, its state UP) or stops (DOWN). */
void window_start(struct window *w, enum gchan_role end);
void window_stop(struct window *w, enum gchan_role end);
/* Rewrites a header field, as only the hv can (for forged headers). */
void window_hdr32(struct window *w, unsigned off, uint32_t v);
void window_hdr64(struct window *w, unsigned off, uint64_t v);
/* The window's bytes at offset off, for a hostile peer's writes. */
void *window_at(struct window *w, uint64_t off);

/* A log callback for gchan_attach that counts into the window last initialized. */
void window_log(const char *line);

/* Attaches both ends (driver d, device v), starts them and brings the session up. */
void window_pair(struct window *w, struct gchan *d, struct gchan *v);

#endif
