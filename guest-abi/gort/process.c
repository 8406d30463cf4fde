/*
 * Processes: vfork (clone with CLONE_VM | CLONE_VFORK, what Go's syscall.forkExec makes), execve
 * into a new address space, exit and the zombie a parent reaps with wait4/waitid, SIGCHLD, kill
 * of a pid or a process group, and the ids.
 *
 * A vfork child runs on its parent's memory (as_borrowed) with a copy of its descriptors and
 * sigactions while the parent's thread waits; the wait ends when the child execs (a new address
 * space is built and the borrowed one left alone) or exits. Plain fork (a copy of the address
 * space) is not served: Go on Linux never asks for it unless it must enter a new user namespace.
 *
 * The first process (pid 1, slot 0) is the partition: its end is the partition's end. A process
 * whose parent ends is handed to pid 1; a zombie no one will reap is freed at once.
 */
#include <string.h>

#include "gort.h"
#include "linux.h"
#include "mm.h"

#define NR_WAITID  95
#define WNOHANG	   1
#define WEXITED	   4
#define WNOWAIT	   0x01000000
#define P_ALL	   0
#define P_PID	   1
#define P_PGID	   2
#define CLD_EXITED 1
#define CLD_KILLED 2
/* wait_try's answer when no child has changed yet: block. */
#define WAIT_NONE (-1000000L)
/* argv and envp strings together, at most (Linux allows a quarter of the stack limit). */
#define EXEC_ARG_BYTES	  (128UL << 10)
#define RUSAGE_SIZE	  144
#define SIGINFO_SIZE	  128
#define SIGCHLD_EXIT_MASK 0xff

static struct proc procs[GORT_MAX_PROCS];

/* execve's arguments, copied in before the old memory goes (the big lock makes one enough). */
static struct {
	char path[4096];
	char buf[EXEC_ARG_BYTES];
	const char *argv[EXEC_MAX_ARGS + 1], *envp[EXEC_MAX_ARGS + 1];
} xa;

struct proc *proc_first(struct thread *t, struct aspace *as, struct files *files)
{
	struct proc *p = &procs[0];

	*p = (struct proc){
	    .pid = t->tid, .pgid = t->tid, .slot = 0, .nthreads = 1, .as = as, .files = files};
	t->proc = p;
	t->pid = p->pid;
	return p;
}

struct proc *proc_by_pid(int pid)
{
	for (unsigned i = 0; pid > 0 && i < GORT_MAX_PROCS; i++)
		if (procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

void proc_enter(struct thread *t)
{
	struct proc *p = t->proc;

	mm_use(p->as);
	fs_use(p->files);
	mm_activate(p->as);
}

void proc_idle(void)
{
	/* The first process's memory lasts as long as the partition; any other may be freed by
	 * another vCPU while this one sleeps. */
	if (mm_current() != procs[0].as)
		mm_activate(mm_kernel());
}

/* ---------------------------------------------------------------- vfork */

static void vfork_done(struct proc *c)
{
	if (c->vfork_parent) {
		thread_wake(c->vfork_parent, c->pid);
		c->vfork_parent = NULL;
	}
}

long proc_vfork(struct thread *t, const struct syscall_args *a)
{
	unsigned long flags = a->a[0];
	struct proc *p = t->proc, *c = NULL;
	static bool said;

	if ((flags & ~(unsigned long)SIGCHLD_EXIT_MASK) != (CLONE_VM | CLONE_VFORK)) {
		if (!said)
			gort_printf("gort: clone flags 0x%lx: only threads and vfork "
				    "(CLONE_VM|CLONE_VFORK) are served, not fork: ENOSYS\n",
				    flags);
		said = true;
		return -ENOSYS;
	}
	for (unsigned i = 1; i < GORT_MAX_PROCS && !c; i++)
		if (!procs[i].pid)
			c = &procs[i];
	if (!c)
		return -EAGAIN;
	struct files *files = fs_files_fork(p->files);
	if (!files)
		return -EAGAIN;
	struct thread *u = thread_new();
	if (!u) {
		fs_files_free(files);
		return -EAGAIN;
	}
	fp_save(t);
	u->regs = t->regs;
	u->regs.gregs[10] = 0;
	if (a->a[1])
		u->regs.gregs[2] = a->a[1];
	u->sigmask = t->sigmask;
	u->altstack_sp = t->altstack_sp;
	u->altstack_size = t->altstack_size;
	u->altstack_flags = t->altstack_flags;
	memcpy(u->comm, t->comm, sizeof(u->comm));
	*c = (struct proc){.pid = u->tid,
			   .ppid = p->pid,
			   .pgid = p->pgid,
			   .slot = (unsigned)(c - procs),
			   .nthreads = 1,
			   .as = p->as,
			   .as_borrowed = true,
			   .files = files,
			   .vfork_parent = t};
	u->proc = c;
	u->pid = c->pid;
	signal_proc_fork(c, p);
	thread_make_runnable(u);
	/* The child runs on this thread's stack: this thread waits, unkillable by signals as
	 * Linux's vfork is, until the child is done with the memory. */
	thread_block(t, NULL, ~0UL, 0, false);
	return SYSCALL_BLOCKED;
}

/* ---------------------------------------------------------------- execve */

/* A NULL-terminated array of user strings into xa.buf from *used; the count or -errno. */
static long copy_strings(uintptr_t uarr, const char **out, size_t *used)
{
	unsigned n = 0;

	for (; uarr; n++) {
		uintptr_t us;
		if (copy_from_user(&us, uarr + n * 8, 8))
			return -EFAULT;
		if (!us)
			break;
		if (n == EXEC_MAX_ARGS)
			return -E2BIG;
		int len = strncpy_from_user(xa.buf + *used, us, sizeof(xa.buf) - *used);
		if (len == -ENAMETOOLONG)
			return -E2BIG;
		if (len < 0)
			return len;
		out[n] = xa.buf + *used;
		*used += (size_t)len + 1;
	}
	out[n] = NULL;
	return n;
}

long sys_execve(struct thread *t, const struct syscall_args *a)
{
	struct proc *p = t->proc;
	size_t used = 0;
	const void *data;
	const char *why;
	size_t size;
	long err = strncpy_from_user(xa.path, a->a[0], sizeof(xa.path));

	if (err < 0)
		return err;
	if ((err = copy_strings(a->a[1], xa.argv, &used)) < 0 ||
	    (err = copy_strings(a->a[2], xa.envp, &used)) < 0)
		return err;
	if ((err = fs_exec_file(xa.path, &data, &size)) < 0)
		return err;
	if (exec_check(data, size, &why))
		return -ENOEXEC;
	/* Linux's de_thread: the other threads go. One still running on another vCPU leaves at
	 * its next trap (a kick is on its way): this call is made again once it has. */
	for (struct thread *u = thread_next_in(p, NULL); u; u = thread_next_in(p, u))
		if (u != t)
			thread_kill(u);
	if (p->nthreads > 1) {
		t->regs.gregs[0] -= 4;
		t->regs.gregs[10] = t->orig_a0;
		thread_make_runnable(t);
		return SYSCALL_BLOCKED;
	}
	struct aspace *nas = mm_aspace_new();
	if (!nas)
		return -ENOMEM;
	struct aspace *old = mm_use(nas);
	uintptr_t entry, sp;
	err = exec_load(xa.path, data, xa.argv, xa.envp, &entry, &sp);
	if (err) {
		mm_use(old);
		mm_aspace_free(nas);
		return err;
	}
	/* No way back from here. The first process's old memory stays (other vCPUs idle on its
	 * table, proc_idle); anyone else's is freed, a borrowed one given back. */
	mm_activate(nas);
	if (!p->as_borrowed && p != &procs[0])
		mm_aspace_free(old);
	p->as = nas;
	p->as_borrowed = false;
	fs_files_exec(p->files);
	fs_set_exe(xa.path);
	signal_proc_exec(p);
	memset(&t->regs, 0, sizeof(t->regs));
	t->regs.gregs[0] = entry;
	t->regs.gregs[2] = sp;
	t->regs.fp_valid = 1; /* zeros */
	t->altstack_sp = 0;
	t->altstack_size = 0;
	t->altstack_flags = SS_DISABLE;
	t->sigfault = 0;
	t->clear_child_tid = 0;
	const char *base = strrchr(xa.path, '/');
	base = base ? base + 1 : xa.path;
	size_t n = strnlen(base, sizeof(t->comm) - 1);
	memset(t->comm, 0, sizeof(t->comm));
	memcpy(t->comm, base, n);
	vfork_done(p);
	return 0;
}

/* ---------------------------------------------------------------- exit and wait */

void proc_exit(struct proc *p, int wstatus)
{
	if (p == &procs[0])
		gort_exit_group((wstatus & 0x7f) ? 128 + (wstatus & 0x7f) : (wstatus >> 8) & 0xff);
	if (p->exiting)
		return;
	p->exiting = true;
	p->wstatus = wstatus;
	for (struct thread *u = thread_next_in(p, NULL); u; u = thread_next_in(p, u)) {
		u->clear_child_tid = 0; /* the memory goes with it: no one to tell */
		thread_kill(u);
	}
}

static bool wait_matches(const struct proc *parent, const struct proc *c, int idtype, long id)
{
	if (c->pid == 0 || c->ppid != parent->pid)
		return false;
	switch (idtype) {
	case P_ALL:
		return true;
	case P_PID:
		return c->pid == id;
	default:
		return c->pgid == (id ? id : parent->pgid);
	}
}

static void reap(struct proc *c)
{
	memset(c, 0, sizeof(*c));
}

/* One try of t's wait4 or waitid, from its saved arguments (it may be served later, for another
 * process): the result, or WAIT_NONE when it has to wait. */
static long wait_try(struct thread *t)
{
	const unsigned long *r = &t->regs.gregs[10];
	struct proc *p = t->proc, *found = NULL;
	bool waitid = t->sysno == NR_WAITID, any = false;
	int idtype, options;
	long id;

	if (waitid) {
		idtype = (int)t->orig_a0;
		id = (long)(int)r[1];
		options = (int)r[3];
	} else {
		long pid = (long)(int)t->orig_a0;
		idtype = pid > 0 ? P_PID : pid == -1 ? P_ALL : P_PGID;
		id = pid < -1 ? -pid : pid;
		options = (int)r[2];
	}
	for (unsigned i = 1; i < GORT_MAX_PROCS && !found; i++) {
		if (!wait_matches(p, &procs[i], idtype, id))
			continue;
		any = true;
		if (procs[i].zombie)
			found = &procs[i];
	}
	if (!any)
		return -ECHILD;
	if (!found && !(options & WNOHANG))
		return WAIT_NONE;

	struct aspace *old = mm_use(p->as);
	long ret = 0;
	int st = found ? found->wstatus : 0;
	if (waitid) {
		uint8_t info[SIGINFO_SIZE];
		memset(info, 0, sizeof(info));
		if (found) {
			int v[3] = {SIGCHLD, 0, (st & 0x7f) ? CLD_KILLED : CLD_EXITED};
			int w[3] = {found->pid, 0, (st & 0x7f) ? (st & 0x7f) : (st >> 8) & 0xff};
			memcpy(info, v, sizeof(v));
			memcpy(info + 16, w, sizeof(w)); /* si_pid, si_uid, si_status */
		}
		if (r[2] && copy_to_user(r[2], info, sizeof(info)))
			ret = -EFAULT;
	} else {
		if (found && r[1] && copy_to_user(r[1], &st, sizeof(st)))
			ret = -EFAULT;
		ret = ret ? ret : found ? found->pid : 0;
	}
	/* No resource accounting per child: its usage reads as zero. */
	uintptr_t ru = waitid ? r[4] : r[3];
	uint8_t zero[RUSAGE_SIZE] = {0};
	if (!ret && ru && found && copy_to_user(ru, zero, sizeof(zero)))
		ret = -EFAULT;
	mm_use(old);
	if (found && ret >= 0 && !(waitid && (options & WNOWAIT)))
		reap(found);
	return ret;
}

long sys_wait4(struct thread *t, const struct syscall_args *a)
{
	long r = wait_try(t);

	if (r != WAIT_NONE)
		return r;
	thread_block(t, &t->proc->child_wait, ~0UL, 0, true);
	return SYSCALL_BLOCKED;
}

/* A child of p changed: its waiting threads try again. */
static void wait_notify(struct proc *p)
{
	for (struct thread *w = p->child_wait.head, *next; w; w = next) {
		next = w->next;
		long r = wait_try(w);
		if (r != WAIT_NONE)
			thread_wake(w, r);
	}
}

void proc_thread_gone(struct thread *t)
{
	struct proc *p = t->proc;

	if (!p || --p->nthreads)
		return;
	if (p == &procs[0])
		proc_exit(p, p->wstatus);
	vfork_done(p);
	fs_files_free(p->files);
	p->files = NULL;
	if (!p->as_borrowed)
		mm_aspace_free(p->as);
	p->as = NULL;
	for (unsigned i = 1; i < GORT_MAX_PROCS; i++) {
		struct proc *c = &procs[i];
		if (!c->pid || c->ppid != p->pid)
			continue;
		if (c->zombie)
			reap(c);
		else
			c->ppid = GORT_PID;
		/* A vfork child of it goes on; the wait it would end is no one's now. */
		if (c->vfork_parent && c->vfork_parent->proc == p)
			c->vfork_parent = NULL;
	}
	p->zombie = true;
	struct proc *parent = proc_by_pid(p->ppid);
	if (!parent || parent->zombie || parent->exiting) {
		reap(p);
		return;
	}
	wait_notify(parent);
	int st = p->wstatus;
	signal_send_proc(parent, SIGCHLD, (st & 0x7f) ? CLD_KILLED : CLD_EXITED);
}

/* ---------------------------------------------------------------- kill and ids */

long proc_kill(struct thread *t, long pid, int sig)
{
	struct proc *self = t->proc;
	bool found = false;

	for (unsigned i = 0; i < GORT_MAX_PROCS; i++) {
		struct proc *q = &procs[i];
		bool match;
		if (!q->pid)
			continue;
		if (pid > 0)
			match = q->pid == pid;
		else if (pid == 0)
			match = q->pgid == self->pgid;
		else if (pid == -1)
			match = q != self && q != &procs[0];
		else
			match = q->pgid == -pid;
		if (!match)
			continue;
		found = true;
		/* A zombie takes the signal and nothing happens, as on Linux. */
		if (sig && !q->zombie && !q->exiting)
			signal_send_proc(q, sig, SI_USER);
	}
	return found ? 0 : -ESRCH;
}

long sys_getppid(struct thread *t, const struct syscall_args *a)
{
	return t->proc->ppid;
}

long sys_setpgid(struct thread *t, const struct syscall_args *a)
{
	long pid = (long)(int)a->a[0], pgid = (long)(int)a->a[1];
	struct proc *q = pid ? proc_by_pid((int)pid) : t->proc;

	if (pgid < 0)
		return -EINVAL;
	if (!q || q->zombie || (q != t->proc && q->ppid != t->proc->pid))
		return -ESRCH;
	q->pgid = pgid ? (int)pgid : q->pid;
	return 0;
}

long sys_getpgid(struct thread *t, const struct syscall_args *a)
{
	long pid = (long)(int)a->a[0];
	struct proc *q = pid ? proc_by_pid((int)pid) : t->proc;

	return q ? q->pgid : -ESRCH;
}

/* No sessions or terminals: a new session is a new process group. */
long sys_setsid(struct thread *t, const struct syscall_args *a)
{
	t->proc->pgid = t->proc->pid;
	return t->proc->pid;
}
