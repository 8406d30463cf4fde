/* Host fakes for the gort services the files under test call (tests/gort/fakes_signal.c).
 * User memory is fake_user_mem, at user addresses [FAKE_USER_BASE, FAKE_USER_BASE +
 * FAKE_USER_SIZE): copy_*_user outside it fail with -EFAULT. thread_block and thread_wake only set
 * the thread's fields (state, wq, deadline, a0...), as the scheduler would. gort_fatal and
 * gort_exit_group exit with their code; gort_write_console writes to stdout or stderr, by stream.
 *
 * (Reconstructed by the fs.c work after an accidental overwrite: declarations follow what
 * fakes_signal.c defines and test_signal.c / test_vdso.c use.) */
#ifndef GORT_TEST_FAKES_H
#define GORT_TEST_FAKES_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "gort.h"
#include "mm.h"

#define FAKE_USER_BASE 0x20000000UL
#define FAKE_USER_SIZE 0x400000UL

/* What the fakes saw. */
struct fake_log {
	int kernel_maps; /* mm_map_kernel_pages calls; the first 4 recorded below */
	uintptr_t map_uva[4];
	const void *map_kva[4];
	size_t map_len[4];
	int map_prot[4];
	int wakes; /* thread_wake calls */
	int redos; /* thread_redo calls */
	long last_wake_result;
	int kicks; /* cpu_kick calls */
	unsigned last_kick;
	int fp_saves; /* fp_save calls */
};

extern uint8_t fake_user_mem[FAKE_USER_SIZE];
extern struct fake_log fake_log;
extern uint64_t fake_hart_fpr[32]; /* the "hart's" FP registers fp_save copies */
extern uint32_t fake_hart_fcsr;
extern uint64_t fake_now; /* what gort_now returns */
/* Set (by a fuzzer): gort_fatal and gort_exit_group jump there instead of ending the process. */
extern jmp_buf *fake_exit_jmp;

/* fakes_mm.c: pages mm_kernel_page still hands out, and those it handed out and got not back. */
extern uint64_t fake_pages_free;
extern uint64_t fake_pages_taken;

/* The host address of user address uva, or NULL outside the fake user memory. */
void *fake_user_ptr(uintptr_t uva);
/* A fresh running thread, known to thread_by_tid (the first one becomes current()); again on the
 * same thread, it is only made fresh. */
void fake_thread_init(struct thread *t, int tid);
void fake_set_current(struct thread *t);

#endif
