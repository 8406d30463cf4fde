/*
 * Host fakes for the gort services the tested files call (see fakes.h). gort_exit_group and
 * gort_fatal end the test process with the exit code, so a test states the code it expects with
 * Criterion's .exit_code.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fakes.h"
#include "linux.h"

uint8_t fake_user_mem[FAKE_USER_SIZE];
struct fake_log fake_log;
uint64_t fake_hart_fpr[32];
uint32_t fake_hart_fcsr;
jmp_buf *fake_exit_jmp;

#define FAKE_MAX_THREADS 16
static struct thread *threads[FAKE_MAX_THREADS];
static struct thread *cur;
/* The one process every fake thread belongs to: the first, so its end is the "partition's". */
static struct proc fake_proc = {.pid = GORT_PID, .pgid = GORT_PID, .nthreads = 1};

static bool in_user(uintptr_t uva, size_t len)
{
	return uva >= FAKE_USER_BASE && len <= FAKE_USER_SIZE &&
	       uva - FAKE_USER_BASE <= FAKE_USER_SIZE - len;
}

void *fake_user_ptr(uintptr_t uva)
{
	return in_user(uva, 1) ? fake_user_mem + (uva - FAKE_USER_BASE) : NULL;
}

int copy_from_user(void *dst, uintptr_t uva, size_t len)
{
	if (!in_user(uva, len))
		return -EFAULT;
	memcpy(dst, fake_user_ptr(uva), len);
	return 0;
}

int copy_to_user(uintptr_t uva, const void *src, size_t len)
{
	if (!in_user(uva, len))
		return -EFAULT;
	memcpy(fake_user_ptr(uva), src, len);
	return 0;
}

int strncpy_from_user(char *buf, uintptr_t uva, size_t size)
{
	for (size_t i = 0; i < size; i++) {
		if (!in_user(uva + i, 1))
			return -EFAULT;
		buf[i] = (char)fake_user_mem[uva + i - FAKE_USER_BASE];
		if (!buf[i])
			return (int)i;
	}
	return -ENAMETOOLONG;
}

void *user_addr(uintptr_t uva, bool write)
{
	return fake_user_ptr(uva);
}

int mm_map_kernel_pages(uintptr_t uva, const void *kva, size_t len, int prot)
{
	int i = fake_log.kernel_maps++;
	if (i < 4) {
		fake_log.map_uva[i] = uva;
		fake_log.map_kva[i] = kva;
		fake_log.map_len[i] = len;
		fake_log.map_prot[i] = prot;
	}
	return 0;
}

uintptr_t mm_user_top(void)
{
	return 0x4000000000UL; /* Sv39 */
}

void fake_thread_init(struct thread *t, int tid)
{
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->proc = &fake_proc;
	t->pid = GORT_PID;
	t->state = T_RUNNING;
	t->on_cpu = 0;
	for (int i = 0; i < FAKE_MAX_THREADS; i++) {
		if (threads[i] == t)
			break;
		if (!threads[i]) {
			threads[i] = t;
			break;
		}
	}
	if (!cur)
		cur = t;
}

void fake_set_current(struct thread *t)
{
	cur = t;
}

struct thread *current(void)
{
	return cur;
}

struct thread *thread_by_tid(int tid)
{
	for (int i = 0; i < FAKE_MAX_THREADS; i++)
		if (threads[i] && threads[i]->tid == tid)
			return threads[i];
	return NULL;
}

struct thread *thread_next_in(const struct proc *p, const struct thread *prev)
{
	int i = 0;
	if (prev)
		while (i < FAKE_MAX_THREADS && threads[i] != prev)
			i++;
	for (i = prev ? i + 1 : 0; i < FAKE_MAX_THREADS; i++)
		if (threads[i] && threads[i]->state != T_DEAD && threads[i]->proc == p)
			return threads[i];
	return NULL;
}

struct proc *proc_by_pid(int pid)
{
	return pid == GORT_PID ? &fake_proc : NULL;
}

/* As process.c's for the first process: the end of everything. */
void proc_exit(struct proc *p, int wstatus)
{
	gort_exit_group((wstatus & 0x7f) ? 128 + (wstatus & 0x7f) : (wstatus >> 8) & 0xff);
}

/* One process: its pid, its group (0 or -pid) reach it; -1 (all others) and the rest no one. */
long proc_kill(struct thread *t, long pid, int sig)
{
	if (pid != GORT_PID && pid != 0 && pid != -GORT_PID)
		return -ESRCH;
	if (sig)
		signal_send_proc(&fake_proc, sig, SI_USER);
	return 0;
}

/* The queue links, as the scheduler keeps them (sock.c walks q->head). */
static void fake_unlink(struct thread *t)
{
	if (!t->wq)
		return;
	for (struct thread **p = &t->wq->head; *p; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	t->next = NULL;
}

void thread_block(struct thread *t, struct waitq *q, uint64_t deadline, long timeout_result,
		  bool interruptible)
{
	fake_unlink(t);
	if (q) {
		struct thread **p = &q->head;
		while (*p)
			p = &(*p)->next;
		t->next = NULL;
		*p = t;
	}
	t->state = T_BLOCKED;
	t->wq = q;
	t->deadline = deadline;
	t->timeout_result = timeout_result;
	t->interruptible = interruptible;
	signal_wait_begun(t); /* as sched.c's does last */
}

void thread_wake(struct thread *t, long result)
{
	fake_unlink(t);
	fake_log.wakes++;
	fake_log.last_wake_result = result;
	t->regs.gregs[10] = (unsigned long)result;
	t->state = T_RUNNABLE;
	t->wq = NULL;
}

void thread_redo(struct thread *t)
{
	if (t->state != T_BLOCKED)
		return;
	fake_log.redos++;
	thread_wake(t, (long)t->orig_a0);
	t->regs.gregs[0] -= 4;
}

int waitq_wake(struct waitq *q, uintptr_t key, int n, long result)
{
	int woken = 0;
	for (int i = 0; i < FAKE_MAX_THREADS && woken < n; i++) {
		struct thread *t = threads[i];
		if (t && t->state == T_BLOCKED && t->wq == q && (!key || t->wait_key == key)) {
			thread_wake(t, result);
			woken++;
		}
	}
	return woken;
}

void cpu_kick(unsigned id)
{
	fake_log.kicks++;
	fake_log.last_kick = id;
}

void fp_save(struct thread *t)
{
	fake_log.fp_saves++;
	memcpy(t->regs.fpr, fake_hart_fpr, sizeof(t->regs.fpr));
	t->regs.fcsr = fake_hart_fcsr;
	t->regs.fp_valid = 1;
}

uint64_t fake_now;

uint64_t gort_now(void)
{
	return fake_now;
}

uint64_t gort_timebase(void)
{
	return 10000000;
}

uint64_t ns_to_ticks(uint64_t ns)
{
	return (ns + 99) / 100;
}

uint64_t ticks_to_ns(uint64_t t)
{
	return t * 100;
}

int64_t gort_realtime_offset_ns(void)
{
	return 1700000000LL * 1000000000LL;
}

void gort_lock(void)
{
}

void gort_unlock(void)
{
}

void gort_write_console(enum gort_stream stream, const char *buf, size_t len)
{
	FILE *f = stream == GORT_STDERR ? stderr : stdout;

	fwrite(buf, 1, len, f);
	fflush(f);
}

void gort_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* As gort's: one line, prefixed, then the end. Tests that expect it run in their own process. */
void gort_fatal(int code, const char *fmt, ...)
{
	va_list ap;
	if (fake_exit_jmp)
		longjmp(*fake_exit_jmp, 1);
	fputs("gort (fatal, expected by a test): ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	exit(code);
}

void gort_exit_group(int code)
{
	if (fake_exit_jmp)
		longjmp(*fake_exit_jmp, 1);
	fflush(stdout);
	exit(code);
}
