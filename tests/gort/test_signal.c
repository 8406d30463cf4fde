/* gort's signals (guest-abi/gort/signal.c): the Linux riscv64 frame layout, the signal system
 * calls, delivery onto the alternate stack and the round trip through rt_sigreturn. */
#include <criterion/criterion.h>
#include <stddef.h>
#include <string.h>

#include "fakes.h"
#include "linux.h"
#include "sigframe.h"

/* Linux's numbers, written out independently of sigframe.h. */
_Static_assert(offsetof(struct linux_ucontext, uc_mcontext) == 176, "mcontext at 176");
_Static_assert(offsetof(struct linux_ucontext, uc_stack) == 16, "uc_stack");
_Static_assert(offsetof(struct linux_sigcontext, sc_regs) == 0, "sc_regs.pc first");
_Static_assert(offsetof(struct linux_sigcontext, sc_fpregs) == 256, "fpregs after 32 regs");
_Static_assert(sizeof(struct rt_sigframe) == 128 + 960, "siginfo + ucontext");
_Static_assert(offsetof(struct uregs, fpr) == 256, "uregs mirrors user_regs_struct");

#define ALT_BASE (FAKE_USER_BASE + 0x10000)
#define ALT_SIZE 0x8000
#define STACK_SP (FAKE_USER_BASE + 0x80000) /* the thread's normal stack */
#define SCRATCH	 (FAKE_USER_BASE + 0x1000)  /* where tests put syscall arguments */
#define HANDLER	 0x401000UL
#define BIT(sig) (1ULL << ((sig)-1))

static struct thread th;

static void setup(void)
{
	memset(&fake_log, 0, sizeof(fake_log));
	fake_thread_init(&th, GORT_PID);
	for (int i = 1; i < 32; i++)
		th.regs.gregs[i] = 0x1000 + (unsigned long)i;
	th.regs.gregs[0] = 0x400100;
	th.regs.gregs[2] = STACK_SP;
	for (int i = 0; i < 32; i++)
		fake_hart_fpr[i] = 0xf00 + (uint64_t)i;
	fake_hart_fcsr = 0x42;
	vdso_map(); /* so vdso_sigreturn_addr is the trampoline's user address */
	memset(&fake_log, 0, sizeof(fake_log));
}

static long call(long (*fn)(struct thread *, const struct syscall_args *), unsigned long a0,
		 unsigned long a1, unsigned long a2, unsigned long a3)
{
	struct syscall_args a = {{a0, a1, a2, a3, 0, 0}};
	return fn(&th, &a);
}

static long set_action(int sig, uint64_t handler, uint64_t flags, uint64_t mask)
{
	struct linux_sigaction sa = {handler, flags, mask};
	memcpy(fake_user_ptr(SCRATCH), &sa, sizeof(sa));
	return call(sys_rt_sigaction, (unsigned long)sig, SCRATCH, 0, 8);
}

static long set_altstack(uint64_t sp, int flags, uint64_t size)
{
	struct linux_stack ss = {.ss_sp = sp, .ss_flags = flags, .ss_size = size};
	memcpy(fake_user_ptr(SCRATCH + 0x100), &ss, sizeof(ss));
	return call(sys_sigaltstack, SCRATCH + 0x100, 0, 0, 0);
}

static struct linux_stack get_altstack(void)
{
	struct linux_stack ss;
	cr_assert_eq(call(sys_sigaltstack, 0, SCRATCH + 0x200, 0, 0), 0);
	memcpy(&ss, fake_user_ptr(SCRATCH + 0x200), sizeof(ss));
	return ss;
}

TestSuite(gort_signal, .init = setup);

Test(gort_signal, frame_layout)
{
	cr_assert_eq(sizeof(struct rt_sigframe), 1088);
	cr_assert_eq(offsetof(struct rt_sigframe, uc) +
			 offsetof(struct linux_ucontext, uc_mcontext),
		     128 + 176);
	cr_assert_eq(offsetof(struct linux_ucontext, uc_sigmask), 40);
	cr_assert_eq(sizeof(union linux_fp_state), 528);
	cr_assert_eq(offsetof(union linux_fp_state, d.fcsr), 256);
	cr_assert_eq(offsetof(struct linux_siginfo, fields.addr), 16);
	cr_assert_eq(offsetof(struct linux_siginfo, fields.kill.uid), 20);
}

Test(gort_signal, sigaction_get_set)
{
	struct linux_sigaction old;

	cr_assert_eq(set_action(SIGURG, HANDLER, SA_SIGINFO | SA_ONSTACK, BIT(SIGKILL) | 0x10), 0);
	cr_assert_eq(call(sys_rt_sigaction, SIGURG, 0, SCRATCH + 0x40, 8), 0);
	memcpy(&old, fake_user_ptr(SCRATCH + 0x40), sizeof(old));
	cr_assert_eq(old.handler, HANDLER);
	cr_assert_eq(old.flags, SA_SIGINFO | SA_ONSTACK);
	cr_assert_eq(old.mask, 0x10, "SIGKILL cannot be in a handler's mask");

	/* Setting and reading back the old action in one call. */
	struct linux_sigaction sa = {SIG_IGN, 0, 0};
	memcpy(fake_user_ptr(SCRATCH), &sa, sizeof(sa));
	cr_assert_eq(call(sys_rt_sigaction, SIGURG, SCRATCH, SCRATCH + 0x40, 8), 0);
	memcpy(&old, fake_user_ptr(SCRATCH + 0x40), sizeof(old));
	cr_assert_eq(old.handler, HANDLER);
}

Test(gort_signal, sigaction_rejects)
{
	cr_assert_eq(set_action(SIGKILL, HANDLER, 0, 0), -EINVAL);
	cr_assert_eq(set_action(SIGSTOP, SIG_IGN, 0, 0), -EINVAL);
	cr_assert_eq(call(sys_rt_sigaction, SIGKILL, 0, SCRATCH + 0x40, 8), 0, "reading is fine");
	cr_assert_eq(call(sys_rt_sigaction, SIGURG, SCRATCH, 0, 16), -EINVAL);
	cr_assert_eq(call(sys_rt_sigaction, 0, SCRATCH, 0, 8), -EINVAL);
	cr_assert_eq(call(sys_rt_sigaction, 65, SCRATCH, 0, 8), -EINVAL);
	cr_assert_eq(call(sys_rt_sigaction, SIGURG, 0x10, 0, 8), -EFAULT);
}

Test(gort_signal, sigprocmask_ops)
{
	uint64_t set = BIT(SIGURG) | BIT(SIGKILL) | BIT(SIGSTOP), old;

	memcpy(fake_user_ptr(SCRATCH), &set, 8);
	cr_assert_eq(call(sys_rt_sigprocmask, SIG_BLOCK, SCRATCH, 0, 8), 0);
	cr_assert_eq(th.sigmask, BIT(SIGURG), "KILL and STOP are never blocked");

	set = BIT(SIGUSR1);
	memcpy(fake_user_ptr(SCRATCH), &set, 8);
	cr_assert_eq(call(sys_rt_sigprocmask, SIG_BLOCK, SCRATCH, SCRATCH + 8, 8), 0);
	memcpy(&old, fake_user_ptr(SCRATCH + 8), 8);
	cr_assert_eq(old, BIT(SIGURG));
	cr_assert_eq(th.sigmask, BIT(SIGURG) | BIT(SIGUSR1));

	set = BIT(SIGURG);
	memcpy(fake_user_ptr(SCRATCH), &set, 8);
	cr_assert_eq(call(sys_rt_sigprocmask, SIG_UNBLOCK, SCRATCH, 0, 8), 0);
	cr_assert_eq(th.sigmask, BIT(SIGUSR1));

	set = BIT(SIGTERM);
	memcpy(fake_user_ptr(SCRATCH), &set, 8);
	cr_assert_eq(call(sys_rt_sigprocmask, SIG_SETMASK, SCRATCH, 0, 8), 0);
	cr_assert_eq(th.sigmask, BIT(SIGTERM));

	cr_assert_eq(call(sys_rt_sigprocmask, 7, SCRATCH, 0, 8), -EINVAL);
	cr_assert_eq(call(sys_rt_sigprocmask, SIG_BLOCK, SCRATCH, 0, 4), -EINVAL);
	cr_assert_eq(call(sys_rt_sigprocmask, 7, 0, SCRATCH + 8, 8), 0,
		     "how is ignored without set");
	cr_assert_eq(th.sigmask, BIT(SIGTERM));
}

Test(gort_signal, sigaltstack_rules)
{
	struct linux_stack ss = get_altstack();
	cr_assert_eq(ss.ss_flags, SS_DISABLE);

	cr_assert_eq(set_altstack(ALT_BASE, 0, MINSIGSTKSZ - 1), -ENOMEM);
	cr_assert_eq(set_altstack(ALT_BASE, 4, ALT_SIZE), -EINVAL);
	cr_assert_eq(set_altstack(ALT_BASE, 0, ALT_SIZE), 0);
	ss = get_altstack();
	cr_assert_eq(ss.ss_sp, ALT_BASE);
	cr_assert_eq(ss.ss_size, ALT_SIZE);
	cr_assert_eq(ss.ss_flags, 0);

	/* Running on it: reported, and it cannot be changed. */
	th.regs.gregs[2] = ALT_BASE + 0x100;
	ss = get_altstack();
	cr_assert_eq(ss.ss_flags, SS_ONSTACK);
	cr_assert_eq(set_altstack(0, SS_DISABLE, 0), -EPERM);

	th.regs.gregs[2] = STACK_SP;
	cr_assert_eq(set_altstack(0, SS_DISABLE, 0), 0);
	cr_assert_eq(get_altstack().ss_flags, SS_DISABLE);
}

/* Delivers SIGURG to a Go-like handler on the alternate stack; returns the frame address. */
static uintptr_t deliver_sigurg(void)
{
	cr_assert_eq(
	    set_action(SIGURG, HANDLER, SA_SIGINFO | SA_ONSTACK | SA_RESTART, BIT(SIGUSR1)), 0);
	cr_assert_eq(set_altstack(ALT_BASE, 0, ALT_SIZE), 0);
	th.sigmask = BIT(SIGTERM);
	cr_assert_eq(call(sys_tgkill, GORT_PID, GORT_PID, SIGURG, 0), 0);
	cr_assert(th.sigpending & BIT(SIGURG));
	signal_deliver(&th);
	return th.regs.gregs[2];
}

Test(gort_signal, deliver_on_altstack)
{
	uintptr_t frame = deliver_sigurg();
	struct rt_sigframe f;

	cr_assert_eq(th.regs.gregs[0], HANDLER);
	cr_assert_eq(th.regs.gregs[1], vdso_sigreturn_addr());
	cr_assert_gt(th.regs.gregs[1], 0x3ff0000000UL, "ra is in the vDSO");
	cr_assert_eq(frame % 16, 0);
	cr_assert(frame >= ALT_BASE && frame + sizeof(f) <= ALT_BASE + ALT_SIZE);
	cr_assert_eq(th.regs.gregs[10], SIGURG);
	cr_assert_eq(th.regs.gregs[11], frame);
	cr_assert_eq(th.regs.gregs[12], frame + 128);
	cr_assert_eq(th.sigpending, 0);
	cr_assert_eq(th.sigmask, BIT(SIGTERM) | BIT(SIGUSR1) | BIT(SIGURG));
	cr_assert_eq(fake_log.fp_saves, 1, "the hart's FP state is saved for the frame");

	memcpy(&f, fake_user_ptr(frame), sizeof(f));
	cr_assert_eq(f.info.si_signo, SIGURG);
	cr_assert_eq(f.info.si_errno, 0);
	cr_assert_eq(f.info.si_code, SI_TKILL);
	cr_assert_eq(f.info.fields.kill.pid, GORT_PID);
	cr_assert_eq(f.info.fields.kill.uid, 0);
	cr_assert_eq(f.uc.uc_sigmask, BIT(SIGTERM), "the mask before delivery");
	cr_assert_eq(f.uc.uc_stack.ss_sp, ALT_BASE);
	cr_assert_eq(f.uc.uc_stack.ss_size, ALT_SIZE);
	cr_assert_eq(f.uc.uc_stack.ss_flags, 0, "the interrupted code was not on it");
	cr_assert_eq(f.uc.uc_mcontext.sc_regs[0], 0x400100);
	cr_assert_eq(f.uc.uc_mcontext.sc_regs[2], STACK_SP);
	for (int i = 3; i < 32; i++)
		cr_assert_eq(f.uc.uc_mcontext.sc_regs[i], 0x1000 + (unsigned long)i);
	for (int i = 0; i < 32; i++)
		cr_assert_eq(f.uc.uc_mcontext.sc_fpregs.d.f[i], 0xf00 + (uint64_t)i);
	cr_assert_eq(f.uc.uc_mcontext.sc_fpregs.d.fcsr, 0x42);
}

Test(gort_signal, sigreturn_honours_rewritten_pc)
{
	uintptr_t frame = deliver_sigurg();
	struct linux_ucontext *uc = fake_user_ptr(frame + offsetof(struct rt_sigframe, uc));

	/* What Go's async preemption does: push a call to asyncPreempt. */
	uc->uc_mcontext.sc_regs[2] -= 8;
	uc->uc_mcontext.sc_regs[1] = uc->uc_mcontext.sc_regs[0];
	uc->uc_mcontext.sc_regs[0] = 0x405000;
	uc->uc_mcontext.sc_fpregs.d.f[3] = 0xabc;

	/* The handler returned through the vDSO: sp back at the frame, registers scrambled. */
	for (int i = 3; i < 32; i++)
		th.regs.gregs[i] = 0xdead;
	th.regs.gregs[0] = vdso_sigreturn_addr() + 8;
	th.regs.fp_valid = 0;
	long ret = call(sys_rt_sigreturn, 0, 0, 0, 0);

	cr_assert_eq(th.regs.gregs[0], 0x405000);
	cr_assert_eq(th.regs.gregs[1], 0x400100);
	cr_assert_eq(th.regs.gregs[2], STACK_SP - 8);
	for (int i = 3; i < 32; i++)
		cr_assert_eq(th.regs.gregs[i], 0x1000 + (unsigned long)i);
	cr_assert_eq(ret, 0x100a, "returns the restored a0 so the syscall exit keeps it");
	cr_assert_eq(th.sigmask, BIT(SIGTERM));
	cr_assert(th.regs.fp_valid);
	cr_assert_eq(th.regs.fpr[3], 0xabc);
	cr_assert_eq(th.regs.fcsr, 0x42);
	cr_assert_eq(get_altstack().ss_sp, ALT_BASE, "the altstack survives");
}

Test(gort_signal, sigreturn_bad_frame_is_fatal, .exit_code = 128 + SIGSEGV)
{
	set_action(SIGSEGV, HANDLER, SA_SIGINFO, 0);
	uintptr_t frame = deliver_sigurg();
	struct linux_ucontext *uc = fake_user_ptr(frame + offsetof(struct rt_sigframe, uc));
	uc->uc_mcontext.sc_fpregs.q.reserved[1] = 1;
	call(sys_rt_sigreturn, 0, 0, 0, 0);
	/* Like Linux's force_sig(SIGSEGV): the SIGSEGV handler is due; with no room for its frame
	 * the program dies. */
	cr_assert(th.sigpending & BIT(SIGSEGV));
	th.regs.gregs[2] = 0x100;
	signal_deliver(&th);
	cr_assert_fail("not reached");
}

Test(gort_signal, blocked_signal_stays_pending)
{
	set_action(SIGUSR1, HANDLER, SA_SIGINFO, 0);
	th.sigmask = BIT(SIGUSR1);
	th.state = T_BLOCKED;
	th.interruptible = true;
	cr_assert_eq(call(sys_tkill, GORT_PID, SIGUSR1, 0, 0), 0);
	cr_assert_eq(fake_log.wakes, 0, "a blocked signal does not interrupt a wait");
	th.state = T_RUNNING;
	signal_deliver(&th);
	cr_assert_eq(th.regs.gregs[0], 0x400100, "nothing delivered");
	cr_assert(th.sigpending & BIT(SIGUSR1));

	th.sigmask = 0;
	signal_deliver(&th);
	cr_assert_eq(th.regs.gregs[0], HANDLER);
	cr_assert_eq(th.regs.gregs[2] % 16, 0);
	cr_assert(th.regs.gregs[2] < STACK_SP && th.regs.gregs[2] >= STACK_SP - 1088 - 16,
		  "no SA_ONSTACK: just below sp");
	cr_assert_eq(th.sigpending, 0);
}

Test(gort_signal, send_interrupts_wait_and_kicks)
{
	static struct thread other;

	set_action(SIGUSR1, HANDLER, SA_SIGINFO, 0);
	th.state = T_BLOCKED;
	th.interruptible = true;
	cr_assert_eq(call(sys_tkill, GORT_PID, SIGUSR1, 0, 0), 0);
	cr_assert_eq(fake_log.wakes, 1);
	cr_assert_eq(fake_log.last_wake_result, -EINTR);

	fake_thread_init(&other, 2);
	other.on_cpu = 3;
	cr_assert_eq(call(sys_tgkill, GORT_PID, 2, SIGUSR1, 0), 0);
	cr_assert_eq(fake_log.kicks, 1);
	cr_assert_eq(fake_log.last_kick, 3);

	cr_assert_eq(call(sys_tgkill, 7, 2, SIGUSR1, 0), -ESRCH);
	cr_assert_eq(call(sys_tgkill, GORT_PID, 9, SIGUSR1, 0), -ESRCH);
	cr_assert_eq(call(sys_tgkill, GORT_PID, 2, 65, 0), -EINVAL);
	cr_assert_eq(call(sys_tgkill, GORT_PID, 2, 0, 0), 0, "signal 0 only checks");
	cr_assert_eq(call(sys_kill, 42, SIGUSR1, 0, 0), -ESRCH);
}

Test(gort_signal, kill_picks_a_thread_not_blocking)
{
	static struct thread other;

	set_action(SIGUSR2, HANDLER, SA_SIGINFO, 0);
	fake_thread_init(&other, 2);
	th.sigmask = BIT(SIGUSR2);
	cr_assert_eq(call(sys_kill, GORT_PID, SIGUSR2, 0, 0), 0);
	cr_assert_eq(th.sigpending, 0);
	cr_assert_eq(other.sigpending, BIT(SIGUSR2));
}

Test(gort_signal, default_sigurg_is_ignored)
{
	cr_assert_eq(call(sys_tkill, GORT_PID, SIGURG, 0, 0), 0);
	signal_deliver(&th);
	cr_assert_eq(th.regs.gregs[0], 0x400100);
	cr_assert_eq(th.sigpending, 0);

	/* Blocked, it is kept (the action may change), then dropped when it surfaces. */
	th.sigmask = BIT(SIGURG);
	cr_assert_eq(call(sys_tkill, GORT_PID, SIGURG, 0, 0), 0);
	cr_assert_eq(th.sigpending, BIT(SIGURG));
	th.sigmask = 0;
	signal_deliver(&th);
	cr_assert_eq(th.regs.gregs[0], 0x400100);
	cr_assert_eq(th.sigpending, 0);
}

Test(gort_signal, sig_ign_drops)
{
	set_action(SIGTERM, SIG_IGN, 0, 0);
	cr_assert_eq(call(sys_kill, GORT_PID, SIGTERM, 0, 0), 0);
	signal_deliver(&th);
	cr_assert_eq(th.regs.gregs[0], 0x400100);
}

Test(gort_signal, default_fatal_exits_128_plus_sig, .exit_code = 128 + SIGTERM)
{
	cr_assert_eq(call(sys_kill, GORT_PID, SIGTERM, 0, 0), 0);
	signal_deliver(&th);
	cr_assert_fail("not reached");
}

Test(gort_signal, fault_without_handler_is_fatal, .exit_code = 128 + SIGSEGV)
{
	signal_fault(&th, SIGSEGV, SEGV_MAPERR, 0x1234);
	cr_assert_fail("not reached");
}

Test(gort_signal, fault_with_handler_gets_addr_first)
{
	set_action(SIGSEGV, HANDLER, SA_SIGINFO | SA_ONSTACK, 0);
	set_action(SIGUSR1, HANDLER + 0x100, SA_SIGINFO, 0);
	cr_assert_eq(set_altstack(ALT_BASE, 0, ALT_SIZE), 0);
	cr_assert_eq(call(sys_tkill, GORT_PID, SIGUSR1, 0, 0), 0);
	signal_fault(&th, SIGSEGV, SEGV_ACCERR, 0x1234);
	signal_deliver(&th);
	cr_assert_eq(th.regs.gregs[0], HANDLER, "the fault goes first, though SIGUSR1 is lower");
	struct rt_sigframe f;
	memcpy(&f, fake_user_ptr(th.regs.gregs[2]), sizeof(f));
	cr_assert_eq(f.info.si_signo, SIGSEGV);
	cr_assert_eq(f.info.si_code, SEGV_ACCERR);
	cr_assert_eq(f.info.fields.addr, 0x1234);
	cr_assert_eq(th.sigpending, BIT(SIGUSR1));
}

Test(gort_signal, frame_write_failure_is_sigsegv, .exit_code = 128 + SIGSEGV)
{
	set_action(SIGUSR1, HANDLER, SA_SIGINFO, 0);
	th.regs.gregs[2] = 0x2000; /* not user memory */
	cr_assert_eq(call(sys_tkill, GORT_PID, SIGUSR1, 0, 0), 0);
	signal_deliver(&th);
	cr_assert_fail("not reached");
}

Test(gort_signal, resethand_and_nodefer)
{
	struct linux_sigaction old;

	set_action(SIGUSR1, HANDLER, SA_SIGINFO | SA_RESETHAND | SA_NODEFER, 0);
	cr_assert_eq(call(sys_tkill, GORT_PID, SIGUSR1, 0, 0), 0);
	signal_deliver(&th);
	cr_assert_eq(th.regs.gregs[0], HANDLER);
	cr_assert_eq(th.sigmask, 0, "SA_NODEFER leaves the signal unblocked");
	cr_assert_eq(call(sys_rt_sigaction, SIGUSR1, 0, SCRATCH + 0x40, 8), 0);
	memcpy(&old, fake_user_ptr(SCRATCH + 0x40), sizeof(old));
	cr_assert_eq(old.handler, SIG_DFL);
}

/* A blocked call (sysno, its first argument orig_a0, pc just past its ecall) interrupted by sig,
 * then delivery: where pc and a0 end up. */
static void interrupt_blocked_call(unsigned long sysno, int sig)
{
	th.sysno = sysno;
	th.orig_a0 = 0x77;
	th.regs.gregs[0] = 0x400104;
	th.state = T_BLOCKED;
	th.interruptible = true;
	cr_assert_eq(call(sys_tkill, GORT_PID, (unsigned long)sig, 0, 0), 0);
	cr_assert_eq(th.regs.gregs[10], (unsigned long)-EINTR);
	th.state = T_RUNNING;
	signal_deliver(&th);
}

/* The frame's saved pc and a0: what the handler returns to. */
static void expect_frame_resumes(unsigned long pc, unsigned long a0)
{
	const struct rt_sigframe *f = fake_user_ptr(th.regs.gregs[2]);
	cr_assert_eq(f->uc.uc_mcontext.sc_regs[0], pc);
	cr_assert_eq(f->uc.uc_mcontext.sc_regs[10], a0);
}

Test(gort_signal, sa_restart_remakes_an_interrupted_read)
{
	set_action(SIGUSR1, HANDLER, SA_SIGINFO | SA_RESTART, 0);
	interrupt_blocked_call(63 /* read */, SIGUSR1);
	cr_assert_eq(th.regs.gregs[0], HANDLER);
	expect_frame_resumes(0x400100, 0x77); /* back on the ecall, with its first argument */
}

Test(gort_signal, without_sa_restart_the_read_gets_eintr)
{
	set_action(SIGUSR1, HANDLER, SA_SIGINFO, 0);
	interrupt_blocked_call(63 /* read */, SIGUSR1);
	expect_frame_resumes(0x400104, (unsigned long)-EINTR);
}

Test(gort_signal, sleeps_and_epoll_waits_are_never_restarted)
{
	set_action(SIGUSR1, HANDLER, SA_SIGINFO | SA_RESTART, 0);
	interrupt_blocked_call(101 /* nanosleep */, SIGUSR1);
	expect_frame_resumes(0x400104, (unsigned long)-EINTR);
	th.regs.gregs[2] = STACK_SP;
	th.sigmask = 0;
	interrupt_blocked_call(22 /* epoll_pwait */, SIGUSR1);
	expect_frame_resumes(0x400104, (unsigned long)-EINTR);
}

Test(gort_signal, a_timer_signal_queues_apart_from_a_pending_one)
{
	set_action(SIGPROF, HANDLER, SA_SIGINFO, 0);
	th.sigmask = BIT(SIGPROF);
	signal_send(&th, SIGPROF, SI_KERNEL, 0); /* ITIMER_PROF */
	signal_send(&th, SIGPROF, SI_TIMER, 0);	 /* a thread CPU-time timer */
	th.sigmask = 0;
	signal_deliver(&th);
	const struct rt_sigframe *f = fake_user_ptr(th.regs.gregs[2]);
	cr_assert_eq(f->info.si_code, SI_KERNEL);
	cr_assert(th.sigtimer & BIT(SIGPROF), "the timer's SIGPROF is still queued");
	th.sigmask = 0;
	signal_deliver(&th);
	f = fake_user_ptr(th.regs.gregs[2]);
	cr_assert_eq(f->info.si_code, SI_TIMER);
	cr_assert_eq(th.sigtimer | th.sigpending, 0);
}

/* The os/signal hang: a signal sent while th was in gort on another vCPU, on its way into a
 * wait (the sender saw it running and only kicked that vCPU), must end the wait at once;
 * otherwise it sits pending while th sleeps on (Go's doAllThreadsSyscall then spins for good). */
Test(gort_signal, a_signal_sent_before_a_wait_begins_ends_it)
{
	static struct thread sender;
	static struct waitq q;

	set_action(SIGUSR1, HANDLER, SA_SIGINFO | SA_RESTART, 0);
	fake_thread_init(&sender, 2);
	fake_set_current(&sender);
	th.on_cpu = 1;
	cr_assert_eq(call(sys_tkill, GORT_PID, SIGUSR1, 0, 0), 0);
	cr_assert_eq(fake_log.kicks, 1, "th runs elsewhere: only its vCPU is kicked");
	cr_assert_eq(fake_log.wakes, 0);

	th.sysno = 98; /* futex, no time-out: restarted under SA_RESTART */
	th.orig_a0 = 0x77;
	th.regs.gregs[0] = 0x400104;
	th.regs.gregs[13] = 0;
	thread_block(&th, &q, ~0UL, 0, true);
	cr_assert_eq(th.state, T_RUNNABLE, "the wait ends as it begins");
	cr_assert_eq(fake_log.last_wake_result, -EINTR);
	cr_assert_null(q.head, "and th left the queue");

	th.state = T_RUNNING;
	signal_deliver(&th);
	cr_assert_eq(th.regs.gregs[0], HANDLER);
	expect_frame_resumes(0x400100, 0x77);
	fake_set_current(&th);
}

/* Only a signal that would be delivered ends it: a blocked one, or a wait signals cannot end
 * (vfork's parent), sleeps on. */
Test(gort_signal, a_blocked_pending_signal_does_not_end_a_wait)
{
	static struct waitq q;

	set_action(SIGUSR1, HANDLER, SA_SIGINFO, 0);
	th.sigmask = BIT(SIGUSR1);
	cr_assert_eq(call(sys_tkill, GORT_PID, SIGUSR1, 0, 0), 0);
	thread_block(&th, &q, ~0UL, 0, true);
	cr_assert_eq(th.state, T_BLOCKED);
	cr_assert_eq(fake_log.wakes, 0);

	th.state = T_RUNNING;
	th.sigmask = 0;
	thread_block(&th, NULL, ~0UL, 0, false);
	cr_assert_eq(th.state, T_BLOCKED, "not interruptible");
	cr_assert_eq(fake_log.wakes, 0);
}
