/*
 * Threads and their scheduling over the partition's vCPUs, and the C side of every trap from the
 * program. One big lock covers all of gort's state; it is taken when a trap arrives and dropped
 * just before the return to user mode or while a vCPU idles.
 *
 * A thread leaves a vCPU only through schedule(): its FP registers are saved there, so it can
 * resume on any vCPU.
 */
#include <string.h>

#include "goos_call.h"
#include "gort.h"
#include "vmmio.h"
#include "linux.h"
#include "mm.h"
#include "riscv.h"

#define QUANTUM_MS 10

static struct {
	volatile int lock;
	struct thread threads[GORT_MAX_THREADS];
	struct thread *runq_head, *runq_tail;
	unsigned nthreads;
	int next_tid;
	struct cpu cpus[GORT_MAX_VCPUS];
	unsigned ncpus;
	/* At most the earliest deadline of a timed wait (0 at start: scan at once). A wait that
	 * ends early leaves it early, which costs one scan more, never a late wake. */
	uint64_t next_wait;
} sched;

extern void gort_user_return(struct uregs *r) __attribute__((noreturn));
extern void fp_save_regs(struct uregs *r);
extern void fp_restore_regs(struct uregs *r);

/* A waiter that has spun a while sleeps briefly (GOOS_FN_IDLE), backing off further each time:
 * the holder may not be running. The hv never preempts a vCPU, but QEMU -icount runs all harts
 * on one thread and (7.2) gives the first runnable hart every instruction up to the next timer
 * deadline, none to the harts after it unless it halts (WFI). A waiter that only spun there could
 * starve the holder, and itself, for good. */
#define LOCK_SPINS	    4096
#define LOCK_BACKOFF_NS	    1000UL
#define LOCK_BACKOFF_MAX_NS 100000UL

unsigned long gort_idle(uint64_t deadline)
{
	struct goos_ret r = goos(GOOS_FN_IDLE, deadline, 0, 0, 0);

	if (r.error)
		return 0;
	chan_idle_returned(r.value);
	return r.value;
}

/* Out of line: the free lock, every system call's case, then costs no frame. */
__attribute__((noinline)) static void lock_contended(void)
{
	unsigned spins = 0;
	uint64_t backoff = LOCK_BACKOFF_NS;

	while (__atomic_exchange_n(&sched.lock, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&sched.lock, __ATOMIC_RELAXED)) {
			if (++spins < LOCK_SPINS)
				continue;
			/* The idle call returns at once while an interrupt is pending, so quiet
			 * this vCPU's own: every way out of gort rearms the timer and looks at
			 * signals (what a kick asks for) after taking the lock. A wake this
			 * consumes is harmless too: its target rescans once it holds the lock. */
			csr_write(CSR_STIMECMP, ~0UL);
			csr_clear(CSR_SIP, SIP_SSIP);
			gort_idle(gort_now() + ns_to_ticks(backoff));
			if (backoff < LOCK_BACKOFF_MAX_NS)
				backoff *= 2;
			spins = 0;
		}
	}
}

void gort_lock(void)
{
	if (__atomic_exchange_n(&sched.lock, 1, __ATOMIC_ACQUIRE))
		lock_contended();
}

void gort_unlock(void)
{
	__atomic_store_n(&sched.lock, 0, __ATOMIC_RELEASE);
}

static struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__("mv %0, tp" : "=r"(c));
	return c;
}

struct thread *current(void)
{
	return this_cpu()->cur;
}

struct cpu *sched_cpu(unsigned id)
{
	return &sched.cpus[id];
}

void sched_init(unsigned ncpus)
{
	sched.ncpus = ncpus;
	sched.next_tid = 1; /* the first thread's tid is the pid, as on Linux */
}

/* ---------------------------------------------------------------- threads */

struct thread *thread_new(void)
{
	for (unsigned i = 0; i < GORT_MAX_THREADS; i++) {
		struct thread *t = &sched.threads[i];

		if (t->tid == 0) {
			memset(t, 0, sizeof(*t));
			t->tid = sched.next_tid++;
			t->state = T_BLOCKED; /* not runnable until made so */
			t->deadline = ~0UL;
			t->on_cpu = -1;
			sched.nthreads++;
			return t;
		}
	}
	return NULL;
}

struct thread *thread_by_tid(int tid)
{
	for (unsigned i = 0; i < GORT_MAX_THREADS; i++)
		if (sched.threads[i].tid == tid && sched.threads[i].state != T_DEAD)
			return &sched.threads[i];
	return NULL;
}

struct thread *thread_next_in(const struct proc *p, const struct thread *prev)
{
	for (unsigned i = prev ? (unsigned)(prev - sched.threads) + 1 : 0; i < GORT_MAX_THREADS;
	     i++) {
		struct thread *t = &sched.threads[i];
		if (t->tid && t->state != T_DEAD && t->proc == p)
			return t;
	}
	return NULL;
}

/* A vCPU asleep in goos_idle while work is waiting: wake one. */
static void wake_idle_cpu(void)
{
	struct cpu *me = this_cpu();

	for (unsigned i = 0; i < sched.ncpus; i++) {
		if (sched.cpus[i].idle && &sched.cpus[i] != me) {
			sched.cpus[i].idle = false;
			goos(GOOS_FN_WAKE, i, 0, 0, 0);
			return;
		}
	}
}

void thread_make_runnable(struct thread *t)
{
	t->state = T_RUNNABLE;
	t->next = NULL;
	if (sched.runq_tail)
		sched.runq_tail->next = t;
	else
		sched.runq_head = t;
	sched.runq_tail = t;
	wake_idle_cpu();
}

static void runq_remove(struct thread *t)
{
	struct thread *prev = NULL;

	for (struct thread *u = sched.runq_head; u; prev = u, u = u->next) {
		if (u != t)
			continue;
		if (prev)
			prev->next = u->next;
		else
			sched.runq_head = u->next;
		if (sched.runq_tail == u)
			sched.runq_tail = prev;
		u->next = NULL;
		return;
	}
}

static struct thread *runq_pop(void)
{
	struct thread *t = sched.runq_head;

	if (t) {
		sched.runq_head = t->next;
		if (!sched.runq_head)
			sched.runq_tail = NULL;
		t->next = NULL;
	}
	return t;
}

void thread_block(struct thread *t, struct waitq *q, uint64_t deadline, long timeout_result,
		  bool interruptible)
{
	t->state = T_BLOCKED;
	t->wq = q;
	t->deadline = deadline;
	if (deadline < sched.next_wait)
		sched.next_wait = deadline;
	t->timeout_result = timeout_result;
	t->interruptible = interruptible;
	t->next = NULL;
	if (q) {
		struct thread **p = &q->head;
		while (*p)
			p = &(*p)->next;
		*p = t;
	}
	signal_wait_begun(t);
}

static void waitq_remove(struct waitq *q, struct thread *t)
{
	for (struct thread **p = &q->head; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			t->next = NULL;
			return;
		}
	}
}

void thread_wake(struct thread *t, long result)
{
	if (t->state != T_BLOCKED)
		return;
	if (t->wq)
		waitq_remove(t->wq, t);
	t->wq = NULL;
	t->deadline = ~0UL;
	t->regs.gregs[10] = result;
	thread_make_runnable(t);
}

void thread_redo(struct thread *t)
{
	if (t->state != T_BLOCKED)
		return;
	thread_wake(t, (long)t->orig_a0);
	t->regs.gregs[0] -= 4;
}

int waitq_wake(struct waitq *q, uintptr_t key, int n, long result)
{
	int woken = 0;

	for (struct thread *t = q->head, *next; t && woken < n; t = next) {
		next = t->next;
		if (key == 0 || t->wait_key == key) {
			thread_wake(t, result);
			woken++;
		}
	}
	return woken;
}

void thread_exit(struct thread *t)
{
	if (t->clear_child_tid) {
		uint32_t zero = 0;
		/* As Linux: the exiting thread's tid word is cleared and its waiters woken. */
		if (copy_to_user(t->clear_child_tid, &zero, 4) == 0)
			futex_wake_addr(t->clear_child_tid, 1);
	}
	if (t->state == T_BLOCKED && t->wq)
		waitq_remove(t->wq, t);
	if (t->state == T_RUNNABLE)
		runq_remove(t);
	t->state = T_DEAD;
	t->tid = 0;
	t->killed = false;
	sched.nthreads--;
	proc_thread_gone(t);
}

void thread_kill(struct thread *t)
{
	if (t->state == T_RUNNING && t != this_cpu()->cur && t->on_cpu >= 0) {
		t->killed = true;
		cpu_kick((unsigned)t->on_cpu);
		return;
	}
	thread_exit(t);
}

void cpu_kick(unsigned id)
{
	if (id < sched.ncpus && &sched.cpus[id] != this_cpu())
		goos_call6(0x735049, 0, 1UL << id, 0, 0, 0); /* SBI IPI */
}

void fp_save(struct thread *t)
{
	if (!t->regs.fp_valid) {
		fp_save_regs(&t->regs);
		t->regs.fp_valid = 1;
	}
}

/* ---------------------------------------------------------------- time-outs */

/* Wakes the timed waits whose deadline passed; returns the next deadline. Every return to user
 * mode asks, so the table (GORT_MAX_THREADS slots) is scanned only once the earliest deadline
 * has come: O(1) otherwise. */
__attribute__((noinline)) static uint64_t scan_waits(uint64_t now)
{
	uint64_t next = ~0UL;

	for (unsigned i = 0; i < GORT_MAX_THREADS; i++) {
		struct thread *t = &sched.threads[i];

		if (t->tid == 0 || t->state != T_BLOCKED || t->deadline == ~0UL)
			continue;
		if (t->deadline <= now)
			thread_wake(t, t->timeout_result);
		else if (t->deadline < next)
			next = t->deadline;
	}
	sched.next_wait = next;
	return next;
}

static uint64_t expire_waits(void)
{
	uint64_t now = gort_now();
	/* Timers first, and apart from next_wait: a CPU clock's next expiry moves with whichever
	 * thread runs (timers_run returns at once when none is armed). */
	uint64_t timers = timers_run(this_cpu()->cur, now);
	uint64_t waits = now < sched.next_wait ? sched.next_wait : scan_waits(now);

	return timers < waits ? timers : waits;
}

/* ---------------------------------------------------------------- switching */

__attribute__((noreturn)) static void return_to_user(struct cpu *c)
{
	struct thread *t = c->cur;
	/* First: a timer that expires now may signal t, and the signal goes with this return. */
	uint64_t next = expire_waits();

	signal_deliver(t);
	if (t->state != T_RUNNING)
		schedule(c); /* the signal's default action ended it */
	if (t->regs.fp_valid) {
		fp_restore_regs(&t->regs);
		t->regs.fp_valid = 0;
	}
	csr_write(CSR_STIMECMP, next < c->quantum_end ? next : c->quantum_end);
	csr_clear(CSR_SSTATUS, SSTATUS_SPP);
	csr_set(CSR_SSTATUS, SSTATUS_SPIE);
	cputime_resume(t, gort_now());
	gort_unlock();
	gort_user_return(&t->regs);
}

void schedule(struct cpu *c)
{
	struct thread *prev = c->cur;

	if (prev) {
		if (prev->state != T_DEAD)
			fp_save(prev);
		prev->on_cpu = -1;
		c->cur = NULL;
	}
	for (;;) {
		uint64_t next = expire_waits();
		struct thread *t = runq_pop();

		if (t) {
			t->state = T_RUNNING;
			t->on_cpu = c->id;
			c->cur = t;
			proc_enter(t);
			c->quantum_end = gort_now() + ns_to_ticks(QUANTUM_MS * 1000000UL);
			return_to_user(c);
		}
		/* Nothing to run: sleep until the next time-out or a wake from another vCPU. */
		proc_idle();
		csr_write(CSR_STIMECMP, ~0UL);
		c->idle = true;
		gort_unlock();
		unsigned long ev = gort_idle(next);
		gort_lock();
		c->idle = false;
		/* the set stays non-empty (idle returns at once) until taken */
		chan_doorbells_owed();
		if (ev & GOOS_EV_IRQ)
			netdev_irq(); /* a device's interrupt stays pending until acknowledged */
		vmmio_interrupts();   /* a device's, acknowledged (its call saw the ring) */
		csr_clear(CSR_SIP, SIP_SSIP);
	}
}

/* ---------------------------------------------------------------- traps */

static void timer_interrupt(struct cpu *c, struct thread *t)
{
	csr_write(CSR_STIMECMP, ~0UL);
	expire_waits();
	if (gort_now() >= c->quantum_end) {
		if (sched.runq_head)
			thread_make_runnable(t); /* to the back of the queue */
		else
			c->quantum_end = gort_now() + ns_to_ticks(QUANTUM_MS * 1000000UL);
	}
}

static void page_fault(struct thread *t, unsigned long cause, uintptr_t addr)
{
	int access = cause == EXC_STORE_PAGE_FAULT  ? ACCESS_WRITE
		     : cause == EXC_INST_PAGE_FAULT ? ACCESS_EXEC
						    : ACCESS_READ;
	int err = mm_fault(addr, access);

	if (err)
		signal_fault(t, SIGSEGV, -err, addr);
}

static void system_call(struct thread *t)
{
	struct syscall_args args;

	t->regs.gregs[0] += 4;
	/* Six moves, not a call to memcpy's byte-and-word loop (a sixth of a null call). */
	for (unsigned i = 0; i < 6; i++)
		args.a[i] = t->regs.gregs[10 + i];
	t->sysno = t->regs.gregs[17];
	t->orig_a0 = args.a[0];
	t->sys_interrupted = false;
	long ret = syscall_dispatch(t, t->regs.gregs[17], &args);
	if (ret != SYSCALL_BLOCKED)
		t->regs.gregs[10] = ret;
}

void gort_user_trap(struct cpu *c, unsigned long scause, unsigned long stval)
{
	struct thread *t = c->cur;

	gort_lock();
	cputime_charge(t, gort_now());
	proc_enter(t);
	if (t->killed) { /* its process ended while it ran */
		thread_exit(t);
		schedule(c);
	}
	if (scause & SCAUSE_IRQ) {
		unsigned long irq = scause & ~SCAUSE_IRQ;
		if (irq == IRQ_TIMER)
			timer_interrupt(c, t);
		else if (irq == IRQ_SOFT)
			csr_clear(CSR_SIP, SIP_SSIP); /* a kick: signals are looked at below */
		else if (irq == IRQ_EXT) {
			chan_doorbells(); /* the take lowers the channel interrupt */
			netdev_irq();	  /* InterruptACK lowers a device's */
			vmmio_interrupts();
		}
	} else {
		switch (scause) {
		case EXC_ECALL_U:
			system_call(t);
			break;
		case EXC_INST_PAGE_FAULT:
		case EXC_LOAD_PAGE_FAULT:
		case EXC_STORE_PAGE_FAULT:
			page_fault(t, scause, stval);
			break;
		case EXC_ILLEGAL:
			signal_fault(t, SIGILL, ILL_ILLOPC, t->regs.gregs[0]);
			break;
		case EXC_BREAKPOINT:
			signal_fault(t, SIGTRAP, 1, t->regs.gregs[0]);
			break;
		case EXC_INST_MISALIGNED:
		case EXC_LOAD_MISALIGNED:
		case EXC_STORE_MISALIGNED:
			signal_fault(t, SIGBUS, BUS_ADRALN, stval);
			break;
		default:
			gort_fatal(2, "unexpected trap from the program: scause %lu at pc 0x%lx",
				   scause, t->regs.gregs[0]);
		}
	}
	chan_doorbells_owed(); /* a wait for this trap's lock or a device's answer heard a ring */
	if (t->state != T_RUNNING)
		schedule(c);
	return_to_user(c);
}

void gort_kernel_trap(unsigned long scause, unsigned long sepc, unsigned long stval,
		      unsigned long ra)
{
	gort_fatal(2,
		   "internal error: trap in gort: scause 0x%lx at pc 0x%lx (stval 0x%lx, ra 0x%lx)",
		   scause, sepc, stval, ra);
}
