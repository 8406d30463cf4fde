/*
 * Signals: each process's sigaction table, the per-thread masks, pending sets and alternate
 * stacks, and delivery by pushing a Linux riscv64 rt_sigframe onto the user stack. Go relies on
 * all of it: SIGURG drives async preemption (its handler rewrites the saved pc and returns
 * through rt_sigreturn), every handler runs on a sigaltstack, and faults become panics.
 *
 * Everything here runs with the big lock held.
 */
#include "gort.h"
#include "linux.h"
#include "sigframe.h"

#include <string.h>

#define SIGBIT(sig) (1ULL << ((sig)-1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define REG_PC	    0
#define REG_RA	    1
#define REG_SP	    2
#define REG_A0	    10
#define REG_A1	    11
#define REG_A2	    12
#define REG_A3	    13
/* The system calls restart_or_eintr tells apart (asm-generic numbers). */
#define NR_EPOLL_PWAIT	   22
#define NR_PSELECT6	   72
#define NR_PPOLL	   73
#define NR_FUTEX	   98
#define NR_NANOSLEEP	   101
#define NR_CLOCK_NANOSLEEP 115
#define NR_RT_SIGSUSPEND   133
#define NR_RT_SIGTIMEDWAIT 137

/* Per process, by its slot. */
static struct linux_sigaction action_tables[GORT_MAX_PROCS][GORT_NSIG + 1];
#define ACTIONS(t) (action_tables[(t)->proc->slot])

static const char *const sig_names[32] = {
    [SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",	  [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
    [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS",	 [SIGFPE] = "SIGFPE",
    [SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
    [SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM", [16] = "SIGSTKFLT",
    [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP", [20] = "SIGTSTP",
    [21] = "SIGTTIN",	   [22] = "SIGTTOU",	  [SIGURG] = "SIGURG",	 [24] = "SIGXCPU",
    [25] = "SIGXFSZ",	   [26] = "SIGVTALRM",	  [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
    [29] = "SIGIO",	   [30] = "SIGPWR",	  [SIGSYS] = "SIGSYS",
};

static bool valid_sig(unsigned long sig)
{
	return sig >= 1 && sig <= GORT_NSIG;
}

/* Signals whose default action is to do nothing. The stop signals are here too: with no job
 * control nothing could ever continue a stopped program. */
static bool default_ignored(int sig)
{
	switch (sig) {
	case SIGCHLD:
	case SIGCONT:
	case SIGSTOP:
	case 20: /* SIGTSTP */
	case 21: /* SIGTTIN */
	case 22: /* SIGTTOU */
	case SIGURG:
	case SIGWINCH:
		return true;
	default:
		return false;
	}
}

/* The default action of a signal that terminates: t's whole process ends. The first one's end
 * is the partition's, with a shell's exit status of a killed process; any other's status is its
 * parent's to wait for. */
static void terminate(struct thread *t, int sig)
{
	if (t->proc->pid == GORT_PID) {
		const char *name = sig < 32 && sig_names[sig] ? sig_names[sig] : "SIGRT";
		gort_printf("gort: program killed by signal %d (%s)\n", sig, name);
		gort_exit_group(128 + sig);
	}
	proc_exit(t->proc, sig);
}

static void default_action(struct thread *t, int sig)
{
	if (!default_ignored(sig))
		terminate(t, sig);
}

void signal_proc_fork(const struct proc *child, const struct proc *parent)
{
	memcpy(action_tables[child->slot], action_tables[parent->slot], sizeof(action_tables[0]));
}

void signal_proc_exec(const struct proc *p)
{
	for (int sig = 1; sig <= GORT_NSIG; sig++)
		if (action_tables[p->slot][sig].handler != SIG_IGN)
			memset(&action_tables[p->slot][sig], 0, sizeof(struct linux_sigaction));
}

/* ---- alternate signal stacks. A stack is enabled iff its size is non-zero (a zeroed thread
 * has none). */

/* Linux's on_sig_stack for a stack growing down: sp == base is just past a full stack. */
static bool on_altstack(const struct thread *t, uintptr_t sp)
{
	return t->altstack_size && sp > t->altstack_sp && sp - t->altstack_sp <= t->altstack_size;
}

static int altstack_report_flags(const struct thread *t, uintptr_t sp)
{
	if (!t->altstack_size)
		return SS_DISABLE;
	return (on_altstack(t, sp) ? SS_ONSTACK : 0) | (t->altstack_flags & (int)SS_AUTODISARM);
}

static void altstack_get(const struct thread *t, uintptr_t sp, struct linux_stack *ss)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_sp = t->altstack_sp;
	ss->ss_size = t->altstack_size;
	ss->ss_flags = altstack_report_flags(t, sp);
}

/* do_sigaltstack: sp is the user sp the change is judged against. */
static int altstack_set(struct thread *t, uintptr_t sp, const struct linux_stack *ss)
{
	unsigned flags = (unsigned)ss->ss_flags;
	unsigned mode = flags & ~SS_AUTODISARM;

	/* Moving the stack a handler runs on would pull it out from under that handler. */
	if (on_altstack(t, sp))
		return -EPERM;
	if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		t->altstack_sp = 0;
		t->altstack_size = 0;
		t->altstack_flags = SS_DISABLE;
		return 0;
	}
	if (ss->ss_size < MINSIGSTKSZ)
		return -ENOMEM;
	t->altstack_sp = ss->ss_sp;
	t->altstack_size = ss->ss_size;
	t->altstack_flags = (int)(flags & SS_AUTODISARM);
	return 0;
}

/* ---- system calls */

long sys_rt_sigaction(struct thread *t, const struct syscall_args *a)
{
	unsigned long sig = a->a[0];
	uintptr_t act = a->a[1], oact = a->a[2];
	struct linux_sigaction nsa, osa;

	if (a->a[3] != SIGSETSIZE || !valid_sig(sig))
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	if (act && copy_from_user(&nsa, act, sizeof(nsa)))
		return -EFAULT;
	osa = ACTIONS(t)[sig];
	if (act) {
		/* Signals already pending need no flushing when this makes them ignored: delivery
		 * looks at the action in force then, and drops them. */
		nsa.mask &= ~UNBLOCKABLE;
		ACTIONS(t)[sig] = nsa;
	}
	if (oact && copy_to_user(oact, &osa, sizeof(osa)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigprocmask(struct thread *t, const struct syscall_args *a)
{
	int how = (int)a->a[0];
	uintptr_t set = a->a[1], oset = a->a[2];
	uint64_t old = t->sigmask, nset;

	if (a->a[3] != SIGSETSIZE)
		return -EINVAL;
	if (set) {
		if (copy_from_user(&nset, set, sizeof(nset)))
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK:
			t->sigmask |= nset;
			break;
		case SIG_UNBLOCK:
			t->sigmask &= ~nset;
			break;
		case SIG_SETMASK:
			t->sigmask = nset;
			break;
		default:
			return -EINVAL;
		}
		t->sigmask &= ~UNBLOCKABLE;
	}
	/* A signal this unblocked is delivered on the way back to user mode (signal_deliver). */
	if (oset && copy_to_user(oset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_sigaltstack(struct thread *t, const struct syscall_args *a)
{
	uintptr_t uss = a->a[0], uoss = a->a[1];
	uintptr_t sp = t->regs.gregs[REG_SP];
	struct linux_stack ss, oss;

	if (uss && copy_from_user(&ss, uss, sizeof(ss)))
		return -EFAULT;
	altstack_get(t, sp, &oss);
	if (uss) {
		int err = altstack_set(t, sp, &ss);
		if (err)
			return err;
	}
	if (uoss && copy_to_user(uoss, &oss, sizeof(oss)))
		return -EFAULT;
	return 0;
}

/* The handler returned through __vdso_rt_sigreturn with sp back at the frame it was given. */
long sys_rt_sigreturn(struct thread *t, const struct syscall_args *a)
{
	uintptr_t frame = t->regs.gregs[REG_SP];
	struct linux_ucontext uc;
	const union linux_fp_state *fp = &uc.uc_mcontext.sc_fpregs;

	if (copy_from_user(&uc, frame + offsetof(struct rt_sigframe, uc), sizeof(uc)))
		goto badframe;
	/* Linux accepts no extension state beyond D; non-zero reserved words mean a frame it did
	 * not write. */
	for (size_t i = 0; i < sizeof(fp->q.reserved) / sizeof(fp->q.reserved[0]); i++)
		if (fp->q.reserved[i])
			goto badframe;

	t->sigmask = uc.uc_sigmask & ~UNBLOCKABLE;
	/* All of it, pc included: Go's async preemption rewrites pc, ra and sp in the frame. */
	memcpy(t->regs.gregs, uc.uc_mcontext.sc_regs, sizeof(t->regs.gregs));
	memcpy(t->regs.fpr, fp->d.f, sizeof(t->regs.fpr));
	t->regs.fcsr = fp->d.fcsr;
	t->regs.fp_valid = 1;
	/* Judged against the restored sp, as Linux does; like Linux, a refusal is not an error of
	 * rt_sigreturn. */
	(void)altstack_set(t, t->regs.gregs[REG_SP], &uc.uc_stack);
	/* The syscall return writes this into a0: hand back the restored a0 so it survives. */
	return (long)t->regs.gregs[REG_A0];

badframe:
	signal_fault(t, SIGSEGV, SI_KERNEL, 0);
	return 0;
}

/* A thread of p that does not block sig, preferring t (Linux's complete_signal does too); the
 * main thread if every thread blocks it, so it stays pending somewhere. */
static struct thread *process_target(struct proc *p, struct thread *t, int sig)
{
	if (t && t->proc == p && !(t->sigmask & SIGBIT(sig)))
		return t;
	struct thread *any = NULL;
	for (struct thread *u = thread_next_in(p, NULL); u; u = thread_next_in(p, u)) {
		if (!(u->sigmask & SIGBIT(sig)))
			return u;
		if (!any || u->tid == p->pid)
			any = u;
	}
	return any;
}

static long kill_thread(long tgid, long tid, unsigned long sig)
{
	if (tid <= 0 || (tgid != -1 && tgid <= 0) || sig > GORT_NSIG)
		return -EINVAL;
	struct thread *u = thread_by_tid((int)tid);
	if (!u || u->state == T_DEAD || (tgid != -1 && u->proc->pid != tgid))
		return -ESRCH;
	if (sig)
		signal_send(u, (int)sig, SI_TKILL, 0);
	return 0;
}

long sys_tgkill(struct thread *t, const struct syscall_args *a)
{
	return kill_thread((long)a->a[0], (long)a->a[1], a->a[2]);
}

long sys_tkill(struct thread *t, const struct syscall_args *a)
{
	return kill_thread(-1, (long)a->a[0], a->a[1]);
}

long sys_kill(struct thread *t, const struct syscall_args *a)
{
	long pid = (long)a->a[0];
	unsigned long sig = a->a[1];

	if (sig > GORT_NSIG)
		return -EINVAL;
	return proc_kill(t, pid, (int)sig);
}

void signal_send_process(struct thread *prefer, int sig, int code)
{
	/* No thread (a timer firing on an idle vCPU): the first process's. */
	struct proc *p = prefer ? prefer->proc : proc_by_pid(GORT_PID);
	if (p)
		signal_send(process_target(p, prefer, sig), sig, code, 0);
}

void signal_send_proc(struct proc *p, int sig, int code)
{
	signal_send(process_target(p, current(), sig), sig, code, 0);
}

/* ---- sending and delivery */

static bool ignored_now(const struct thread *t, int sig)
{
	uint64_t h = ACTIONS(t)[sig].handler;
	return h == SIG_IGN || (h == SIG_DFL && default_ignored(sig));
}

void signal_send(struct thread *t, int sig, int code, uintptr_t addr)
{
	uint64_t bit;

	if (!valid_sig((unsigned long)sig) || !t)
		return;
	if (sig == SIGKILL) {
		terminate(t, sig); /* kills every thread of it, whatever they are doing */
		return;
	}
	bit = SIGBIT(sig);
	/* An ignored signal is dropped when sent, unless blocked: the action may change before it
	 * is unblocked. */
	if (!(t->sigmask & bit) && ignored_now(t, sig))
		return;
	if (code == SI_TIMER) {
		t->sigtimer |= bit; /* a second expiry while queued is an overrun */
	} else if (!(t->sigpending & bit)) {
		/* Classic signals do not queue: the first sender's siginfo stands. */
		t->sigpending |= bit;
		t->sigcode[sig] = (int16_t)code;
	}
	if (t->sigmask & bit)
		return;
	if (t->state == T_BLOCKED && t->interruptible) {
		t->sys_interrupted = true;
		thread_wake(t, -EINTR);
	} else if (t->state == T_RUNNING && t != current() && t->on_cpu >= 0)
		cpu_kick((unsigned)t->on_cpu);
}

/* A signal sent while t was in gort on another vCPU (between its trap and the wait it now
 * begins) found it running and only kicked that vCPU: nothing would end the wait, and the signal
 * would sit pending until something else woke t. Linux looks for a pending signal before it
 * sleeps; so does this, ending the wait as a signal sent a moment later would. */
void signal_wait_begun(struct thread *t)
{
	if (t->state != T_BLOCKED || !t->interruptible)
		return;
	if (!((t->sigpending | t->sigtimer) & ~t->sigmask))
		return;
	t->sys_interrupted = true;
	thread_wake(t, -EINTR);
}

void signal_fault(struct thread *t, int sig, int code, uintptr_t addr)
{
	uint64_t h = ACTIONS(t)[sig].handler;

	/* A fault the program cannot handle right now (blocked, or no handler) is fatal: returning
	 * would only fault again. */
	if ((t->sigmask & SIGBIT(sig)) || h == SIG_DFL || h == SIG_IGN) {
		terminate(t, sig);
		return;
	}
	t->sigpending |= SIGBIT(sig);
	t->sigcode[sig] = (int16_t)code;
	t->sigfault = sig;
	t->sigfault_addr = addr;
}

/* The next signal to deliver, taken off the pending set, or 0: a synchronous fault first (the
 * instruction that raised it must not run again before its handler), then the lowest-numbered
 * unblocked one. */
static int dequeue(struct thread *t, bool *fault)
{
	int sig = 0;

	*fault = false;
	if (t->sigfault && (t->sigpending & SIGBIT(t->sigfault))) {
		sig = t->sigfault;
		*fault = true;
	} else {
		uint64_t ready = (t->sigpending | t->sigtimer) & (~t->sigmask | UNBLOCKABLE);
		if (!ready)
			return 0;
		/* A loop, not __builtin_ctzll: gort links no libgcc helpers. */
		for (sig = 1; !(ready & 1); ready >>= 1)
			sig++;
	}
	if (sig == t->sigfault)
		t->sigfault = 0;
	if (t->sigpending & SIGBIT(sig)) {
		t->sigpending &= ~SIGBIT(sig);
	} else {
		t->sigtimer &= ~SIGBIT(sig);
		t->sigcode[sig] = SI_TIMER;
	}
	return sig;
}

static bool push_frame(struct thread *t, int sig, bool fault)
{
	struct linux_sigaction *act = &ACTIONS(t)[sig];
	uintptr_t sp = t->regs.gregs[REG_SP], frame;
	bool onstack = on_altstack(t, sp), switched = false;
	struct rt_sigframe f;

	/* A handler overflowing the alternate stack it runs on: give up rather than run off it
	 * (Linux makes the frame address bogus so the push faults). */
	if (onstack && !on_altstack(t, sp - sizeof(f)))
		return false;
	if ((act->flags & SA_ONSTACK) && t->altstack_size && !onstack) {
		sp = t->altstack_sp + t->altstack_size;
		switched = true;
	}
	frame = (sp - sizeof(f)) & ~(uintptr_t)15;

	memset(&f, 0, sizeof(f));
	f.info.si_signo = sig;
	f.info.si_code = t->sigcode[sig];
	if (fault) {
		f.info.fields.addr = t->sigfault_addr;
	} else if (f.info.si_code == SI_USER || f.info.si_code == SI_TKILL) {
		f.info.fields.kill.pid = GORT_PID;
		f.info.fields.kill.uid = 0;
	}
	altstack_get(t, t->regs.gregs[REG_SP], &f.uc.uc_stack);
	f.uc.uc_sigmask = t->sigmask;
	memcpy(f.uc.uc_mcontext.sc_regs, t->regs.gregs, sizeof(t->regs.gregs));
	/* The handler may use FP (Go's does), so the frame must carry the interrupted FP state. */
	if (!t->regs.fp_valid)
		fp_save(t);
	memcpy(f.uc.uc_mcontext.sc_fpregs.d.f, t->regs.fpr, sizeof(t->regs.fpr));
	f.uc.uc_mcontext.sc_fpregs.d.fcsr = t->regs.fcsr;
	if (copy_to_user(frame, &f, sizeof(f)))
		return false;

	t->regs.gregs[REG_PC] = act->handler;
	t->regs.gregs[REG_RA] = vdso_sigreturn_addr();
	t->regs.gregs[REG_SP] = frame;
	t->regs.gregs[REG_A0] = (unsigned long)sig;
	t->regs.gregs[REG_A1] = frame + offsetof(struct rt_sigframe, info);
	t->regs.gregs[REG_A2] = frame + offsetof(struct rt_sigframe, uc);

	t->sigmask |= act->mask;
	if (!(act->flags & SA_NODEFER))
		t->sigmask |= SIGBIT(sig);
	t->sigmask &= ~UNBLOCKABLE;
	if (act->flags & SA_RESETHAND)
		act->handler = SIG_DFL;
	/* SS_AUTODISARM: the handler may switch away from the stack; rt_sigreturn re-arms it from
	 * uc_stack. */
	if (switched && (t->altstack_flags & (int)SS_AUTODISARM)) {
		t->altstack_sp = 0;
		t->altstack_size = 0;
		t->altstack_flags = SS_DISABLE;
	}
	return true;
}

/* The calls Linux never restarts after a handler, whatever SA_RESTART says (signal(7)): the
 * waits for events or time, and a futex wait with a time-out. The rest that wait (read, write,
 * futex without a time-out, ...) restart when the handler has SA_RESTART. */
static bool restartable(const struct thread *t)
{
	switch (t->sysno) {
	case NR_EPOLL_PWAIT:
	case NR_PSELECT6:
	case NR_PPOLL:
	case NR_NANOSLEEP:
	case NR_CLOCK_NANOSLEEP:
	case NR_RT_SIGSUSPEND:
	case NR_RT_SIGTIMEDWAIT:
		return false;
	case NR_FUTEX:
		return t->regs.gregs[REG_A3] == 0;
	default:
		return true;
	}
}

/* Linux's handle_signal/restart path: an interrupted call either returns -EINTR (already in a0)
 * or is made again: pc back on its ecall and its first argument back in a0. A handler runs first
 * either way; the call is made when the handler returns. */
static void restart_or_eintr(struct thread *t, const struct linux_sigaction *act)
{
	if (!t->sys_interrupted)
		return;
	t->sys_interrupted = false;
	if (!restartable(t) || (act && !(act->flags & SA_RESTART)))
		return;
	t->regs.gregs[REG_PC] -= 4;
	t->regs.gregs[REG_A0] = t->orig_a0;
}

void signal_deliver(struct thread *t)
{
	bool fault;
	int sig;

	/* Ignored signals are dropped and the next one considered; one handler frame at most (more
	 * follow at the next kernel exit, at the latest the handler's rt_sigreturn). */
	while ((sig = dequeue(t, &fault))) {
		uint64_t h = ACTIONS(t)[sig].handler;
		if (sig == SIGKILL || h == SIG_DFL) {
			default_action(t, sig);
			if (t->state == T_DEAD || t->killed)
				return;
			continue;
		}
		if (h == SIG_IGN)
			continue;
		restart_or_eintr(t, &ACTIONS(t)[sig]);
		/* Linux: a frame that cannot be written makes the program die of SIGSEGV. */
		if (!push_frame(t, sig, fault))
			terminate(t, SIGSEGV);
		return;
	}
	/* No handler ran (the signal was ignored by now): the call goes on as if never stopped. */
	restart_or_eintr(t, NULL);
}
