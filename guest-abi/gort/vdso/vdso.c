/*
 * The vDSO: a small ELF shared object gort maps into every program (AT_SYSINFO_EHDR). Go looks
 * up __vdso_clock_gettime (version LINUX_4.15) in it and calls it for every time.Now and
 * nanotime, so reading a clock costs an rdtime instead of a trap into gort. Signal handlers
 * return through __vdso_rt_sigreturn (gort sets ra to it).
 *
 * It runs in user mode at whatever address it is mapped: position independent, no data of its
 * own, nothing for a loader to relocate. Its one input is the vvar page gort maps just below it.
 */
#include <stdint.h>

#include "vvar.h"

#define CLOCK_REALTIME	       0
#define CLOCK_MONOTONIC	       1
#define CLOCK_MONOTONIC_RAW    4
#define CLOCK_REALTIME_COARSE  5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME	       7

#define NR_gettimeofday	 169
#define NR_clock_gettime 113

struct vdso_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

struct vdso_timeval {
	int64_t tv_sec;
	int64_t tv_usec;
};

/* Defined by vdso.lds one page below the image: hidden, so it is reached pc-relative (no GOT,
 * no relocation). */
extern const struct vvar vvar_page __attribute__((visibility("hidden")));

int __vdso_clock_gettime(int clock, struct vdso_timespec *ts);
int __vdso_gettimeofday(struct vdso_timeval *tv, void *tz);

static long syscall2(long nr, long a0, long a1)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a7 __asm__("a7") = nr;
	__asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a7) : "memory");
	return r_a0;
}

static uint64_t rdtime(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

/* The clock's ns, or -1 for a clock only the kernel knows. Every monotonic flavour is the same
 * clock here: the time CSR neither slews nor stops while the partition runs. */
static int64_t clock_ns(int clock)
{
	const struct vvar *v = &vvar_page;
	int64_t ns = (int64_t)vvar_ticks_to_ns(v, rdtime());

	switch (clock) {
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		return ns;
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		return ns + v->realtime_offset_ns;
	default:
		return -1;
	}
}

int __vdso_clock_gettime(int clock, struct vdso_timespec *ts)
{
	int64_t ns = clock_ns(clock);

	if (ns < 0)
		return (int)syscall2(NR_clock_gettime, clock, (long)ts);
	ts->tv_sec = ns / (int64_t)VVAR_NSEC_PER_SEC;
	ts->tv_nsec = ns % (int64_t)VVAR_NSEC_PER_SEC;
	return 0;
}

int __vdso_gettimeofday(struct vdso_timeval *tv, void *tz)
{
	/* The timezone argument is obsolete; only the kernel path fills it. */
	if (tz)
		return (int)syscall2(NR_gettimeofday, (long)tv, (long)tz);
	if (tv) {
		int64_t ns = clock_ns(CLOCK_REALTIME);
		tv->tv_sec = ns / (int64_t)VVAR_NSEC_PER_SEC;
		tv->tv_usec = ns % (int64_t)VVAR_NSEC_PER_SEC / 1000;
	}
	return 0;
}

/* No C: the handler returned here with sp at its frame, which rt_sigreturn reads. */
__asm__(".text\n"
	".globl __vdso_rt_sigreturn\n"
	".type __vdso_rt_sigreturn, @function\n"
	"__vdso_rt_sigreturn:\n"
	"	li a7, 139\n"
	"	ecall\n"
	".size __vdso_rt_sigreturn, . - __vdso_rt_sigreturn\n");
