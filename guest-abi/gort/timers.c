/*
 * CPU time and the timers that send signals: setitimer/getitimer (ITIMER_REAL, ITIMER_VIRTUAL,
 * ITIMER_PROF) and the POSIX timers (timer_create, timer_settime, timer_gettime,
 * timer_getoverrun, timer_delete) on the wall clocks and on the process and thread CPU clocks.
 * Go's CPU profiler (runtime/pprof) takes its samples from these: a per-thread
 * CLOCK_THREAD_CPUTIME_ID timer with SIGEV_THREAD_ID on every thread, and ITIMER_PROF besides.
 *
 * CPU time is counted per thread in time-CSR ticks from its return to user mode to its next trap
 * (user time; gort's own short work is not counted), so a thread that waits uses none. A CPU
 * timer is checked when a thread traps (a system call, a fault, the vCPU's timer) and each vCPU's
 * timer is set for when its thread's CPU timers, or the process's, could next expire.
 *
 * Everything here runs with the big lock held.
 */
#include <string.h>

#include "gort.h"
#include "linux.h"
#include "mm.h"
#include "sigframe.h"

#define ITIMER_REAL	0
#define ITIMER_VIRTUAL	1
#define ITIMER_PROF	2
#define SIGVTALRM	26
#define SIGEV_SIGNAL	0
#define SIGEV_NONE	1
#define SIGEV_THREAD_ID 4
#define TIMER_ABSTIME	1
#define NO_TIME		(~0UL)

enum tclock { TC_WALL, TC_PROCESS_CPU, TC_THREAD_CPU };

struct timer {
	bool used;
	bool itimer;		/* one of the three setitimer timers (never handed out as an id) */
	enum tclock clock;	/* what expiry and interval count */
	bool realtime;		/* CLOCK_REALTIME: TIMER_ABSTIME values are wall-clock times */
	int notify, signo, tid; /* tid: SIGEV_THREAD_ID's target, or the CPU clock's thread */
	uint64_t value;		/* sigev_value, for the record */
	uint64_t expiry;	/* in its clock's ticks; NO_TIME: disarmed */
	uint64_t interval;	/* ticks, 0: one shot */
	int overrun;
};

#define NTIMERS (GORT_MAX_TIMERS + 3)
static struct {
	struct timer t[NTIMERS]; /* [0, 3): ITIMER_REAL, _VIRTUAL, _PROF; then the POSIX timers */
	unsigned armed;		 /* how many have an expiry: none, and a trap costs no scan */
	uint64_t process_cpu;	 /* ticks charged to every thread so far, the dead ones too */
} tm;

/* ---------------------------------------------------------------- CPU time */

void cputime_charge(struct thread *t, uint64_t now)
{
	if (t->run_since && now > t->run_since) {
		t->cpu_ticks += now - t->run_since;
		tm.process_cpu += now - t->run_since;
	}
	t->run_since = 0;
}

void cputime_resume(struct thread *t, uint64_t now)
{
	t->run_since = now;
}

static uint64_t clock_now(const struct timer *x, const struct thread *t, uint64_t now)
{
	switch (x->clock) {
	case TC_WALL:
		return now;
	case TC_PROCESS_CPU:
		return tm.process_cpu;
	default:
		return t && t->tid == x->tid ? t->cpu_ticks : NO_TIME;
	}
}

uint64_t cputime_ns(unsigned long clk, const struct thread *t)
{
	return ticks_to_ns(clk == CLOCK_PROCESS_CPUTIME_ID ? tm.process_cpu : t->cpu_ticks);
}

/* ---------------------------------------------------------------- expiry */

static void fire(struct timer *x, struct thread *cur)
{
	if (x->notify == SIGEV_NONE)
		return;
	int code = x->itimer ? SI_KERNEL : SI_TIMER;
	if (x->notify == SIGEV_THREAD_ID) {
		struct thread *u = thread_by_tid(x->tid);
		if (!u) {
			x->expiry = NO_TIME; /* its thread is gone: nothing left to signal */
			tm.armed--;
			return;
		}
		signal_send(u, x->signo, code, 0);
	} else {
		signal_send_process(cur, x->signo, code);
	}
}

/* Fires what expired (cur: the thread this vCPU runs, whose CPU clock counts now, or NULL);
 * returns the time-CSR deadline by which this vCPU should look again. */
uint64_t timers_run(struct thread *cur, uint64_t now)
{
	uint64_t next = NO_TIME;

	if (!tm.armed)
		return next;
	for (unsigned i = 0; i < NTIMERS; i++) {
		struct timer *x = &tm.t[i];
		if (!x->used || x->expiry == NO_TIME)
			continue;
		uint64_t c = clock_now(x, cur, now);
		if (c == NO_TIME)
			continue; /* another thread's CPU clock: its own vCPU looks */
		if (c >= x->expiry) {
			if (x->interval) {
				uint64_t periods = (c - x->expiry) / x->interval;
				x->overrun = (int)(periods > 0x7fffffff ? 0x7fffffff : periods);
				x->expiry += (periods + 1) * x->interval;
			} else {
				x->expiry = NO_TIME;
				tm.armed--;
			}
			fire(x, cur);
			if (x->expiry == NO_TIME)
				continue;
		}
		/* A CPU clock advances at most as fast as the time CSR on this vCPU (the process's
		 * faster with several, whose vCPUs look too): now + what is left is no later. An
		 * idle vCPU advances none: it need not wake for them. */
		if (x->clock != TC_WALL && !cur)
			continue;
		uint64_t at = x->clock == TC_WALL ? x->expiry : now + (x->expiry - c);
		if (at < next)
			next = at;
	}
	return next;
}

/* ---------------------------------------------------------------- arming */

static void arm(struct timer *x, uint64_t expiry, uint64_t interval)
{
	if (x->expiry != NO_TIME)
		tm.armed--;
	x->expiry = expiry;
	x->interval = interval;
	x->overrun = 0;
	if (expiry != NO_TIME)
		tm.armed++;
}

/* x's clock now, read for thread t: another thread's CPU clock reads where it stopped. */
static uint64_t clock_read(const struct timer *x, const struct thread *t)
{
	uint64_t c = clock_now(x, t, gort_now());
	if (c == NO_TIME) {
		const struct thread *u = thread_by_tid(x->tid);
		c = u ? u->cpu_ticks : 0;
	}
	return c;
}

/* What is left of x, in ticks (0: disarmed; at least 1 while armed). */
static uint64_t remaining(const struct timer *x, const struct thread *t)
{
	if (x->expiry == NO_TIME)
		return 0;
	uint64_t c = clock_read(x, t);
	return x->expiry > c ? x->expiry - c : 1;
}

static bool ts_valid(const struct linux_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000;
}

static uint64_t ts_ticks(const struct linux_timespec *ts)
{
	if (ts->tv_sec > (int64_t)(UINT64_MAX / 2000000000u))
		return NO_TIME - 1;
	return ns_to_ticks((uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec);
}

static struct linux_timespec ticks_ts(uint64_t ticks)
{
	uint64_t ns = ticks_to_ns(ticks);
	return (struct linux_timespec){(int64_t)(ns / 1000000000u), (int64_t)(ns % 1000000000u)};
}

/* ---------------------------------------------------------------- setitimer */

struct itimerval {
	int64_t interval_sec, interval_usec, value_sec, value_usec;
};

static int64_t usec_to_ticks(int64_t sec, int64_t usec)
{
	struct linux_timespec ts = {sec, usec * 1000};
	return (int64_t)ts_ticks(&ts);
}

static void itimer_get(struct timer *x, struct thread *t, struct itimerval *v)
{
	struct linux_timespec r = ticks_ts(remaining(x, t)), i = ticks_ts(x->interval);
	*v = (struct itimerval){i.tv_sec, i.tv_nsec / 1000, r.tv_sec, r.tv_nsec / 1000};
	/* Linux never reports an armed timer as 0: that would read as disarmed. */
	if (x->expiry != NO_TIME && !v->value_sec && !v->value_usec)
		v->value_usec = 1;
}

static struct timer *itimer(unsigned long which)
{
	static const int sig[3] = {SIGALRM, SIGVTALRM, SIGPROF};
	struct timer *x = &tm.t[which];

	if (!x->used) {
		*x = (struct timer){.used = true,
				    .itimer = true,
				    .clock = which == ITIMER_REAL ? TC_WALL : TC_PROCESS_CPU,
				    .notify = SIGEV_SIGNAL,
				    .signo = sig[which],
				    .expiry = NO_TIME};
	}
	return x;
}

long sys_getitimer(struct thread *t, const struct syscall_args *a)
{
	struct itimerval v;

	if (a->a[0] > ITIMER_PROF)
		return -EINVAL;
	itimer_get(itimer(a->a[0]), t, &v);
	return copy_to_user(a->a[1], &v, sizeof(v)) ? -EFAULT : 0;
}

long sys_setitimer(struct thread *t, const struct syscall_args *a)
{
	struct itimerval nv, ov;

	if (a->a[0] > ITIMER_PROF)
		return -EINVAL;
	if (a->a[1] && copy_from_user(&nv, a->a[1], sizeof(nv)))
		return -EFAULT;
	if (a->a[1] &&
	    (nv.interval_sec < 0 || nv.interval_usec < 0 || nv.interval_usec >= 1000000 ||
	     nv.value_sec < 0 || nv.value_usec < 0 || nv.value_usec >= 1000000))
		return -EINVAL;
	struct timer *x = itimer(a->a[0]);
	itimer_get(x, t, &ov);
	if (a->a[1]) {
		uint64_t value = (uint64_t)usec_to_ticks(nv.value_sec, nv.value_usec);
		uint64_t interval = (uint64_t)usec_to_ticks(nv.interval_sec, nv.interval_usec);
		arm(x, value ? clock_read(x, t) + value : NO_TIME, interval);
	}
	if (a->a[2] && copy_to_user(a->a[2], &ov, sizeof(ov)))
		return -EFAULT;
	return 0;
}

/* ---------------------------------------------------------------- POSIX timers */

struct linux_sigevent {
	uint64_t value;
	int32_t signo, notify;
	int32_t tid; /* SIGEV_THREAD_ID */
	int32_t pad[11];
};
_Static_assert(sizeof(struct linux_sigevent) == 64, "the kernel's struct sigevent");

struct itimerspec {
	struct linux_timespec interval, value;
};

static struct timer *timer_of(unsigned long id)
{
	if (id >= GORT_MAX_TIMERS || !tm.t[id + 3].used)
		return NULL;
	return &tm.t[id + 3];
}

long sys_timer_create(struct thread *t, const struct syscall_args *a)
{
	struct linux_sigevent ev = {.signo = SIGALRM, .notify = SIGEV_SIGNAL};
	struct timer x = {.used = true, .expiry = NO_TIME};

	switch (a->a[0]) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		x.realtime = true;
		x.clock = TC_WALL;
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
		x.clock = TC_WALL;
		break;
	case CLOCK_PROCESS_CPUTIME_ID:
		x.clock = TC_PROCESS_CPU;
		break;
	case CLOCK_THREAD_CPUTIME_ID:
		x.clock = TC_THREAD_CPU;
		break;
	default:
		return -EINVAL;
	}
	if (a->a[1] && copy_from_user(&ev, a->a[1], sizeof(ev)))
		return -EFAULT;
	x.notify = ev.notify;
	x.signo = ev.signo;
	x.value = ev.value;
	x.tid = t->tid;
	if (ev.notify == SIGEV_THREAD_ID) {
		struct thread *u = thread_by_tid(ev.tid);
		if (!u)
			return -EINVAL;
		if (x.clock != TC_THREAD_CPU)
			x.tid = ev.tid;
		else if (ev.tid != t->tid)
			return -EINVAL; /* gort counts a thread CPU clock for the thread it signals
					 */
	} else if (ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_NONE) {
		return -EINVAL; /* SIGEV_THREAD is the C library's */
	}
	if (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > GORT_NSIG))
		return -EINVAL;
	for (unsigned id = 0; id < GORT_MAX_TIMERS; id++) {
		if (tm.t[id + 3].used)
			continue;
		int32_t uid = (int32_t)id;
		if (copy_to_user(a->a[2], &uid, sizeof(uid)))
			return -EFAULT;
		tm.t[id + 3] = x;
		return 0;
	}
	return -EAGAIN;
}

static void timer_get(struct timer *x, struct thread *t, struct itimerspec *v)
{
	v->interval = ticks_ts(x->interval);
	v->value = ticks_ts(remaining(x, t));
	if (x->expiry != NO_TIME && !v->value.tv_sec && !v->value.tv_nsec)
		v->value.tv_nsec = 1;
}

long sys_timer_settime(struct thread *t, const struct syscall_args *a)
{
	struct timer *x = timer_of(a->a[0]);
	struct itimerspec nv, ov;

	if (!x)
		return -EINVAL;
	if (copy_from_user(&nv, a->a[2], sizeof(nv)))
		return -EFAULT;
	if (!ts_valid(&nv.interval) || !ts_valid(&nv.value))
		return -EINVAL;
	timer_get(x, t, &ov);
	uint64_t value = ts_ticks(&nv.value), interval = ts_ticks(&nv.interval);
	uint64_t expiry = clock_read(x, t) + value;
	if (a->a[1] & TIMER_ABSTIME) {
		uint64_t off = x->realtime ? ns_to_ticks((uint64_t)gort_realtime_offset_ns()) : 0;
		expiry = value > off ? value - off : 1;
	}
	arm(x, value ? expiry : NO_TIME, interval);
	if (a->a[3] && copy_to_user(a->a[3], &ov, sizeof(ov)))
		return -EFAULT;
	return 0;
}

long sys_timer_gettime(struct thread *t, const struct syscall_args *a)
{
	struct timer *x = timer_of(a->a[0]);
	struct itimerspec v;

	if (!x)
		return -EINVAL;
	timer_get(x, t, &v);
	return copy_to_user(a->a[1], &v, sizeof(v)) ? -EFAULT : 0;
}

long sys_timer_getoverrun(struct thread *t, const struct syscall_args *a)
{
	struct timer *x = timer_of(a->a[0]);
	return x ? x->overrun : -EINVAL;
}

long sys_timer_delete(struct thread *t, const struct syscall_args *a)
{
	struct timer *x = timer_of(a->a[0]);

	if (!x)
		return -EINVAL;
	arm(x, NO_TIME, 0);
	x->used = false;
	return 0;
}

/* ---------------------------------------------------------------- getrusage */

#define RUSAGE_SELF	0
#define RUSAGE_THREAD	1
#define RUSAGE_CHILDREN (-1)

struct linux_rusage {
	int64_t utime_sec, utime_usec, stime_sec, stime_usec;
	int64_t maxrss; /* KiB */
	int64_t rest[13];
};

/* User time is the CPU time counted here; system time is 0 (gort's work is not counted). The
 * peak resident size is the most of the partition's pages ever in use (gort's own included). No
 * children: there are no processes but this one. */
long sys_getrusage(struct thread *t, const struct syscall_args *a)
{
	struct linux_rusage ru;
	long who = (long)a->a[0];

	if (who != RUSAGE_SELF && who != RUSAGE_THREAD && who != RUSAGE_CHILDREN)
		return -EINVAL;
	memset(&ru, 0, sizeof(ru));
	if (who != RUSAGE_CHILDREN) {
		struct linux_timespec u =
		    ticks_ts(who == RUSAGE_SELF ? tm.process_cpu : t->cpu_ticks);
		ru.utime_sec = u.tv_sec;
		ru.utime_usec = u.tv_nsec / 1000;
		ru.maxrss = (int64_t)(mm_peak_pages() * (PAGE_SIZE / 1024));
	}
	return copy_to_user(a->a[1], &ru, sizeof(ru)) ? -EFAULT : 0;
}
