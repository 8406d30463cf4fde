/* A process's threads as the program sees them: clone, exit, futexes, sleeping, yielding,
 * affinity and ids. A pid is its process's first thread's tid (process.c has the processes). */
#include <string.h>

#include "goos_call.h"
#include "gort.h"
#include "linux.h"
#include "mm.h"

#define FUTEX_BUCKETS 16

static struct waitq futex_queues[FUTEX_BUCKETS];
static unsigned nvcpus = 1;

void proc_init(unsigned vcpus)
{
	nvcpus = vcpus;
}

static struct waitq *futex_queue(uintptr_t uaddr)
{
	return &futex_queues[(uaddr >> 2) % FUTEX_BUCKETS];
}

/* Private futexes, as Linux's: keyed on the address space and the address. */
int futex_wake_addr(uintptr_t uaddr, int n)
{
	struct aspace *as = mm_current();
	int woken = 0;

	for (struct thread *t = futex_queue(uaddr)->head, *next; t && woken < n; t = next) {
		next = t->next;
		if (t->wait_key == uaddr && t->proc->as == as) {
			thread_wake(t, 0);
			woken++;
		}
	}
	return woken;
}

/* A relative timespec from user memory as a deadline in ticks; ~0 when uts is 0. */
static long deadline_from(uintptr_t uts, uint64_t *deadline)
{
	struct linux_timespec ts;

	*deadline = ~0UL;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
	if (ts.tv_sec > (int64_t)(UINT64_MAX / 2000000000u))
		return 0; /* effectively never */
	*deadline = gort_now() + ns_to_ticks(ns);
	return 0;
}

long sys_futex(struct thread *t, const struct syscall_args *a)
{
	uintptr_t uaddr = a->a[0];
	int op = (int)a->a[1] & FUTEX_CMD_MASK;
	uint32_t val = (uint32_t)a->a[2];

	if (uaddr & 3)
		return -EINVAL;
	switch (op) {
	case FUTEX_WAIT: {
		uint32_t cur;
		uint64_t deadline;
		long err = deadline_from(a->a[3], &deadline);

		if (err)
			return err;
		if (copy_from_user(&cur, uaddr, 4))
			return -EFAULT;
		/* The check and the sleep are atomic: every waker takes the same lock. */
		if (cur != val)
			return -EAGAIN;
		t->wait_key = uaddr;
		thread_block(t, futex_queue(uaddr), deadline, -ETIMEDOUT, true);
		return SYSCALL_BLOCKED;
	}
	case FUTEX_WAKE:
		return futex_wake_addr(uaddr, val > 0x7fffffff ? 0x7fffffff : (int)val);
	default:
		return -ENOSYS;
	}
}

long sys_nanosleep(struct thread *t, const struct syscall_args *a)
{
	uint64_t deadline;
	long err = deadline_from(a->a[0], &deadline);

	if (err)
		return err;
	if (!a->a[0])
		return -EFAULT;
	thread_block(t, NULL, deadline, 0, true);
	return SYSCALL_BLOCKED;
}

long sys_clock_nanosleep(struct thread *t, const struct syscall_args *a)
{
	if (a->a[1] & 1) { /* TIMER_ABSTIME on the monotonic clock */
		struct linux_timespec ts;
		if (copy_from_user(&ts, a->a[2], sizeof(ts)))
			return -EFAULT;
		uint64_t ns = (uint64_t)ts.tv_sec * 1000000000u + ts.tv_nsec;
		if (a->a[0] == CLOCK_REALTIME)
			ns -= gort_realtime_offset_ns();
		thread_block(t, NULL, ns_to_ticks(ns), 0, true);
		return SYSCALL_BLOCKED;
	}
	struct syscall_args rel = {{a->a[2], a->a[3]}};
	long r = sys_nanosleep(t, &rel);
	return r == -EINTR ? -EINTR : r;
}

long sys_sched_yield(struct thread *t, const struct syscall_args *a)
{
	t->regs.gregs[10] = 0;
	thread_make_runnable(t);
	return SYSCALL_BLOCKED;
}

long sys_sched_getaffinity(struct thread *t, const struct syscall_args *a)
{
	uint64_t mask = nvcpus >= 64 ? ~0UL : (1UL << nvcpus) - 1;

	if (a->a[1] < sizeof(mask))
		return -EINVAL;
	if (copy_to_user(a->a[2], &mask, sizeof(mask)))
		return -EFAULT;
	return sizeof(mask);
}

long sys_clone(struct thread *t, const struct syscall_args *a)
{
	unsigned long flags = a->a[0];
	const unsigned long need = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND;

	if (!(flags & CLONE_THREAD))
		return proc_vfork(t, a);
	if ((flags & need) != need)
		return -EINVAL;
	struct thread *c = thread_new();
	if (!c)
		return -EAGAIN;
	fp_save(t);
	c->regs = t->regs;
	c->regs.gregs[10] = 0;
	if (a->a[1])
		c->regs.gregs[2] = a->a[1];
	if (flags & CLONE_SETTLS)
		c->regs.gregs[4] = a->a[3];
	c->sigmask = t->sigmask;
	c->proc = t->proc;
	c->pid = t->pid;
	t->proc->nthreads++;
	memcpy(c->comm, t->comm,
	       sizeof(c->comm)); /* as Linux: a new thread has its creator's name */
	/* Linux clears the alternate signal stack of a new thread sharing memory. */
	c->altstack_flags = SS_DISABLE;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = a->a[4];
	if ((flags & CLONE_PARENT_SETTID) && copy_to_user(a->a[2], &c->tid, 4))
		goto fault;
	if ((flags & CLONE_CHILD_SETTID) && copy_to_user(a->a[4], &c->tid, 4))
		goto fault;
	thread_make_runnable(c);
	return c->tid;
fault:
	thread_exit(c);
	return -EFAULT;
}

long sys_exit(struct thread *t, const struct syscall_args *a)
{
	/* The last thread leaving ends the process with its status, as on Linux. */
	if (t->proc->nthreads == 1)
		proc_exit(t->proc, (int)(a->a[0] & 0xff) << 8);
	else
		thread_exit(t);
	return SYSCALL_BLOCKED;
}

long sys_exit_group(struct thread *t, const struct syscall_args *a)
{
	proc_exit(t->proc, (int)(a->a[0] & 0xff) << 8);
	return SYSCALL_BLOCKED;
}

void gort_exit_group(int code)
{
	for (;;)
		goos(GOOS_FN_EXIT, (unsigned long)code, 0, 0, 0);
}

long sys_set_tid_address(struct thread *t, const struct syscall_args *a)
{
	t->clear_child_tid = a->a[0];
	return t->tid;
}

/* start.S answers it too, before saving any register, from the thread's pid. */
long sys_getpid(struct thread *t, const struct syscall_args *a)
{
	return t->pid;
}

long sys_gettid(struct thread *t, const struct syscall_args *a)
{
	return t->tid;
}

long sys_getuid(struct thread *t, const struct syscall_args *a)
{
	return 0;
}

/* root, in no supplementary group (os.Chown's tests ask, then chown to each one). */
long sys_getgroups(struct thread *t, const struct syscall_args *a)
{
	return (int)a->a[0] < 0 ? -EINVAL : 0;
}

/* prctl: what Go and its tests ask. The name is per thread (Linux's comm, 15 bytes and a NUL);
 * the death signal, dumpable and no_new_privs are kept and reported, and nothing acts on them:
 * there is no parent to die, no core to dump and nothing to exec with privileges. */
#define PR_SET_PDEATHSIG    1
#define PR_GET_PDEATHSIG    2
#define PR_GET_DUMPABLE	    3
#define PR_SET_DUMPABLE	    4
#define PR_GET_KEEPCAPS	    7
#define PR_SET_KEEPCAPS	    8
#define PR_SET_NAME	    15
#define PR_GET_NAME	    16
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39

static struct {
	int pdeathsig, dumpable, keepcaps, no_new_privs;
} pr = {.dumpable = 1};

long sys_prctl(struct thread *t, const struct syscall_args *a)
{
	unsigned long arg = a->a[1];
	char name[16];

	switch (a->a[0]) {
	case PR_SET_NAME:
		memset(name, 0, sizeof(name));
		for (size_t i = 0; i + 1 < sizeof(name); i++) {
			if (copy_from_user(&name[i], arg + i, 1))
				return -EFAULT;
			if (!name[i])
				break;
		}
		memcpy(t->comm, name, sizeof(name));
		return 0;
	case PR_GET_NAME:
		return copy_to_user(arg, t->comm, sizeof(t->comm)) ? -EFAULT : 0;
	case PR_SET_PDEATHSIG:
		if (arg > 64)
			return -EINVAL;
		pr.pdeathsig = (int)arg;
		return 0;
	case PR_GET_PDEATHSIG:
		return copy_to_user(arg, &pr.pdeathsig, sizeof(int)) ? -EFAULT : 0;
	case PR_GET_DUMPABLE:
		return pr.dumpable;
	case PR_SET_DUMPABLE:
		if (arg > 1)
			return -EINVAL;
		pr.dumpable = (int)arg;
		return 0;
	case PR_GET_KEEPCAPS:
		return pr.keepcaps;
	case PR_SET_KEEPCAPS:
		if (arg > 1)
			return -EINVAL;
		pr.keepcaps = (int)arg;
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (arg != 1 || a->a[2] || a->a[3] || a->a[4])
			return -EINVAL;
		pr.no_new_privs = 1;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return pr.no_new_privs;
	default:
		return -EINVAL;
	}
}
