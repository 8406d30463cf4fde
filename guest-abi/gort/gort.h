/*
 * gort: the guest runtime that runs a stock static Go binary (GOOS=linux GOARCH=riscv64
 * CGO_ENABLED=0) inside a gohv partition. gort is the partition's image: it runs in VS-mode and
 * serves the Linux system calls the Go program (in VU-mode) makes, on top of the goos ABI. The
 * hypervisor knows nothing of Linux.
 *
 * Processes (process.c), each with its own address space and descriptors, and their threads,
 * scheduled preemptively over the partition's vCPUs.
 * Kernel work is short and runs under one big lock (gort_lock); a system call that must wait
 * never sleeps on a kernel stack: the thread is parked with its registers saved (pc already past
 * the ecall) and the call's result is written into its a0 when it is woken. So each vCPU needs
 * only one kernel stack, and a blocked thread costs its struct and nothing else.
 */
#ifndef GORT_H
#define GORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errno.h"

#define GORT_MAX_VCPUS	 8
#define GORT_KSTACK_SIZE 16384UL /* each vCPU's kernel stack (start.S) */
#define GORT_MAX_THREADS 256
#define GORT_MAX_FDS	 256
#define GORT_NSIG	 64
#define GORT_MAX_TIMERS	 256 /* POSIX timers (timer_create) */
#define GORT_PID	 1   /* the first process; its main thread's tid equals it */
#define GORT_MAX_PROCS	 32  /* processes alive or zombie at once */
/* Linux riscv64's getpid, which start.S answers without leaving the trap vector. */
#define GORT_NR_GETPID 172
#define PAGE_SIZE      4096UL
#define PAGE_SHIFT     12

/* ---- registers: the layout of Linux's struct user_regs_struct + __riscv_d_ext_state, so a
 * signal frame's mcontext is a copy of it. gregs[0] is the pc (x0 needs no slot). */
struct uregs {
	unsigned long gregs[32];
	uint64_t fpr[32];
	uint32_t fcsr;
	uint32_t fp_valid; /* fpr/fcsr hold the thread's FP state (else the hart's registers do) */
};

enum thread_state {
	T_RUNNABLE, /* on the run queue */
	T_RUNNING,  /* on a vCPU */
	T_BLOCKED,  /* waiting: see wait below */
	T_DEAD,
};

struct waitq;
struct proc;
struct syscall_args;

struct thread {
	struct uregs regs; /* start.S saves and restores here */
	int tid;
	volatile enum thread_state state;
	struct thread *next; /* run queue or wait queue link */

	/* Waiting. A woken thread's a0 becomes wait_result. */
	struct waitq *wq;    /* the queue it waits on, or NULL (a pure sleep) */
	uint64_t deadline;   /* time ticks, ~0 for none */
	long timeout_result; /* what a0 becomes if the deadline passes first */
	bool interruptible;  /* a signal ends the wait with -EINTR */
	/* The system call in progress (number and first argument, which its result overwrites),
	 * and whether a signal ended its wait: signal delivery then restarts it (SA_RESTART) or
	 * leaves its -EINTR. */
	unsigned long sysno, orig_a0;
	bool sys_interrupted;
	uintptr_t wait_key; /* futex address, or whatever the queue's owner keys on */

	/* Signals: the Linux per-thread state. */
	uint64_t sigmask, sigpending;
	/* Signals a POSIX timer queued (SI_TIMER): as Linux, they queue apart from the classic
	 * pending set, so a timer's signal is not lost in an ITIMER_PROF one of the same number. */
	uint64_t sigtimer;
	uintptr_t altstack_sp;
	size_t altstack_size;
	int altstack_flags;
	/* signal.c's bookkeeping for the siginfo of pending signals: each one's si_code, and a
	 * synchronous fault (delivered before anything else, as Linux does) with its address. */
	int16_t sigcode[GORT_NSIG + 1];
	int sigfault;
	uintptr_t sigfault_addr;

	/* CPU time (timers.c): ticks run in user mode, and since when it runs (0: it does not). */
	uint64_t cpu_ticks, run_since;
	char comm[16]; /* prctl PR_SET_NAME */

	uintptr_t clear_child_tid; /* CLONE_CHILD_CLEARTID: zeroed and futex-woken at exit */
	int on_cpu;		   /* vCPU running it, or -1 */
	struct proc *proc;	   /* its process */
	int pid;		   /* proc->pid, where start.S's getpid finds it */
	bool killed; /* its process ended while it ran on another vCPU: it exits at its next trap */
};

struct waitq {
	struct thread *head;
};

struct aspace;
struct files;

/* A process (process.c): what its threads share. A zombie keeps its slot (and pid) until its
 * parent reaps it with wait4/waitid. */
struct proc {
	int pid;  /* its first thread's tid; 0: a free slot */
	int ppid; /* 0 for the first process */
	int pgid;
	unsigned slot;	     /* index in the table (signal.c keys its sigactions on it) */
	unsigned nthreads;   /* threads not yet exited */
	bool exiting;	     /* exit_group or a fatal signal came: its threads are ending */
	bool zombie;	     /* every thread is gone: only its status is left */
	bool reported;	     /* waitid WNOWAIT saw it (the status stays until a wait takes it) */
	int wstatus;	     /* the wait status once it ends, Linux's encoding */
	struct aspace *as;   /* its memory; a vfork child borrows its parent's until execve */
	bool as_borrowed;    /* as is the parent's (CLONE_VM | CLONE_VFORK): never freed by it */
	struct files *files; /* its descriptors and working folder (fs.c) */
	struct thread *vfork_parent; /* blocked in clone(CLONE_VFORK) until this execs or exits */
	struct waitq child_wait;     /* its threads in wait4/waitid */
};

/* Per-vCPU state, in tp while gort runs and in sscratch while a thread does. */
struct cpu {
	struct thread *cur; /* the thread this vCPU runs */
	unsigned long scratch;
	unsigned long kstack_top;
	unsigned id;
	volatile bool idle;   /* in goos_idle: wake it with goos_wake when work arrives */
	uint64_t quantum_end; /* preempt cur at this time */
};

/* ---- the big lock */
void gort_lock(void);
void gort_unlock(void);

/* gort's one idle call (GOOS_FN_IDLE until deadline, in ticks): its events, 0 if refused. A
 * doorbell it hears is owed (chan.c) wherever it was made. Without the lock. */
unsigned long gort_idle(uint64_t deadline);

/* ---- threads and scheduling (sched.c); all with the lock held */
struct thread *thread_new(void);
struct thread *thread_by_tid(int tid);
void thread_make_runnable(struct thread *t);
/* Parks cur: on q (may be NULL) until woken or deadline. The syscall returns nothing now; the
 * thread's a0 is set when it resumes. */
void thread_block(struct thread *t, struct waitq *q, uint64_t deadline, long timeout_result,
		  bool interruptible);
/* Makes a blocked thread runnable with a0 = result (removes it from its queue). */
void thread_wake(struct thread *t, long result);
/* Wakes a blocked thread to make its system call again from the start (pc back on the ecall, a0
 * as it was): for waits that keep no state of their own (sockets). */
void thread_redo(struct thread *t);
/* Wakes up to n threads waiting on q whose wait_key matches key (any key if key == 0). */
int waitq_wake(struct waitq *q, uintptr_t key, int n, long result);
void thread_exit(struct thread *t);
/* Ends t for its process's exit: now, unless it runs on another vCPU (then it is marked killed
 * and that vCPU kicked; it exits at its next trap). */
void thread_kill(struct thread *t);
/* The live threads of p after prev (NULL: from the first), in table order; NULL at the end. */
struct thread *thread_next_in(const struct proc *p, const struct thread *prev);
/* Picks the next thread for this vCPU (idling when there is none) and runs it; never returns.
 * Called with the lock held, after the current thread blocked, yielded or exited. */
__attribute__((noreturn)) void schedule(struct cpu *c);
void sched_init(unsigned ncpus);
struct cpu *sched_cpu(unsigned id);
/* Saves the hart's FP registers into t (which must be the thread this vCPU runs). */
void fp_save(struct thread *t);
/* Wakes up to n futex waiters on the user address. */
int futex_wake_addr(uintptr_t uaddr, int n);
/* Ends the partition with code (all processes, all vCPUs). */
__attribute__((noreturn)) void gort_exit_group(int code);

/* ---- processes (process.c); all with the lock held */
/* clone without CLONE_THREAD: vfork (CLONE_VM | CLONE_VFORK); plain fork is ENOSYS. */
long proc_vfork(struct thread *t, const struct syscall_args *a);
/* kill(2)'s targets from t: pid > 0, 0 (t's group), -1 (all but t's and pid 1), < -1 (a group). */
long proc_kill(struct thread *t, long pid, int sig);
long sys_execve(struct thread *t, const struct syscall_args *a);
long sys_wait4(struct thread *t, const struct syscall_args *a); /* waitid too */
long sys_getppid(struct thread *t, const struct syscall_args *a);
long sys_setpgid(struct thread *t, const struct syscall_args *a);
long sys_getpgid(struct thread *t, const struct syscall_args *a);
long sys_setsid(struct thread *t, const struct syscall_args *a);
/* The first process, around the thread that will run the program (boot). */
struct proc *proc_first(struct thread *t, struct aspace *as, struct files *files);
struct proc *proc_by_pid(int pid); /* alive or zombie; NULL if none */
/* Ends p with wait status wstatus (code << 8, or the signal number): every thread goes, then its
 * memory and descriptors; the parent gets SIGCHLD and its waits are served. The first process
 * ending ends the partition (exit code, or 128 + signal). */
void proc_exit(struct proc *p, int wstatus);
/* t's last act as a thread of its process (sched.c's thread_exit): the last one makes it a
 * zombie. */
void proc_thread_gone(struct thread *t);
/* The kernel now acts for t: its process's memory and descriptors are what copy_*_user and the
 * fd calls reach, and this vCPU runs on its page table. */
void proc_enter(struct thread *t);
/* This vCPU is about to idle: off any page table that may be freed while it sleeps. */
void proc_idle(void);
/* Interrupts vCPU id so it passes through the kernel (signal delivery) soon. */
void cpu_kick(unsigned id);
/* The thread this vCPU runs. */
struct thread *current(void);

/* ---- time (time.c) */
uint64_t gort_now(void);	   /* time CSR ticks */
uint64_t gort_timebase(void);	   /* ticks per second */
uint64_t ns_to_ticks(uint64_t ns); /* rounded up */
uint64_t ticks_to_ns(uint64_t t);
void time_init(uint64_t hz, int64_t realtime_offset_ns);
int64_t gort_realtime_offset_ns(void); /* CLOCK_REALTIME - CLOCK_MONOTONIC, in ns */

/* ---- user memory (mm.c). Translation is explicit: the kernel never faults on a user address.
 * All return -EFAULT if any byte is not accessible to the user as asked (demand-allocating pages
 * the mapping allows). */
int copy_from_user(void *dst, uintptr_t uva, size_t len);
int copy_to_user(uintptr_t uva, const void *src, size_t len);
/* A user string into buf (NUL-terminated); -EFAULT or -ENAMETOOLONG. */
int strncpy_from_user(char *buf, uintptr_t uva, size_t size);
/* The kernel address of one user byte, if mapped for that access (no faulting in). */
void *user_addr(uintptr_t uva, bool write);
/* Maps len bytes (whole pages) of gort's own memory at kva into the program at uva with prot
 * (PROT_READ/PROT_WRITE/PROT_EXEC, user accessible): the vDSO and its data page. 0 or -errno. */
int mm_map_kernel_pages(uintptr_t uva, const void *kva, size_t len, int prot);

/* ---- console */
/* The console's two streams: the program's fd 1 and fd 2 (as open files, so dup2 carries them).
 * gort's own lines go to GORT_STDERR. */
enum gort_stream { GORT_STDOUT, GORT_STDERR };
void gort_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void gort_write_console(enum gort_stream stream, const char *buf, size_t len);
/* Stops the partition: prints why (one line) and exits with code. */
__attribute__((noreturn)) void gort_fatal(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- system calls. Each returns the value for a0 (a negative errno on error). A call that
 * blocked returns SYSCALL_BLOCKED and sets the result later through thread_wake. */
#define SYSCALL_BLOCKED ((long)0x7fffffffffffffffL)
struct syscall_args {
	unsigned long a[6];
};
typedef long (*syscall_fn)(struct thread *t, const struct syscall_args *args);
long syscall_dispatch(struct thread *t, unsigned long nr, const struct syscall_args *args);

/* System calls served by the other files (each file owns its own): */
/* fs.c: the read-only file tree from the initrd, and fd dispatch */
long sys_openat(struct thread *t, const struct syscall_args *a);
long sys_close(struct thread *t, const struct syscall_args *a);
long sys_read(struct thread *t, const struct syscall_args *a);
long sys_write(struct thread *t, const struct syscall_args *a);
long sys_pread64(struct thread *t, const struct syscall_args *a);
long sys_lseek(struct thread *t, const struct syscall_args *a);
long sys_fstat(struct thread *t, const struct syscall_args *a);
long sys_newfstatat(struct thread *t, const struct syscall_args *a);
long sys_getdents64(struct thread *t, const struct syscall_args *a);
long sys_getcwd(struct thread *t, const struct syscall_args *a);
long sys_fcntl(struct thread *t, const struct syscall_args *a);
long sys_faccessat(struct thread *t, const struct syscall_args *a);
long sys_readlinkat(struct thread *t, const struct syscall_args *a);
long sys_pipe2(struct thread *t, const struct syscall_args *a);
long sys_eventfd2(struct thread *t, const struct syscall_args *a);
long sys_epoll_create1(struct thread *t, const struct syscall_args *a);
long sys_epoll_ctl(struct thread *t, const struct syscall_args *a);
long sys_epoll_pwait(struct thread *t, const struct syscall_args *a);
long sys_ioctl(struct thread *t, const struct syscall_args *a);
/* A character device gort serves as /dev/<name> (fs.c does the file side: open, stat, close...).
 * name may hold one '/': "chan/link" is /dev/chan/link. A device without read or poll fails
 * read (EINVAL), epoll (EPERM) as on Linux; lseek and pread give ESPIPE unless seek_zero. */
struct gort_dev {
	const char *name;      /* under /dev */
	unsigned major, minor; /* Linux's numbers, for stat's st_rdev */
	/* write(2): n bytes at uva (n may be 0); the bytes taken or -errno. -EAGAIN: none taken
	 * now; fs.c then fails a non-blocking call, or parks the caller and calls again after
	 * fs_dev_changed. */
	long (*write)(const struct gort_dev *d, struct thread *t, uintptr_t uva, size_t n);
	/* ioctl(2) requests fs.c does not serve itself: a value or -errno (-ENOTTY: unknown). */
	long (*ioctl)(const struct gort_dev *d, struct thread *t, unsigned cmd, uintptr_t arg);
	/* read(2): up to n bytes into uva, or -errno; -EAGAIN as for write. */
	long (*read)(const struct gort_dev *d, struct thread *t, uintptr_t uva, size_t n);
	/* EPOLLIN, EPOLLOUT, EPOLLERR now: what read and write would do without waiting. */
	uint32_t (*poll)(const struct gort_dev *d);
	void *priv;    /* the device's own */
	unsigned perm; /* permission bits of its node; 0: 0600 */
	/* As Linux's memory devices (null, zero, full, random): lseek gives 0 whatever it is asked
	 * and pread reads as read does. false: both ESPIPE. */
	bool seek_zero;
	/* Optional: an open(2) of it made an open file, and that file's last close. */
	void (*open)(const struct gort_dev *d);
	void (*release)(const struct gort_dev *d);
};
/* The device's state changed (data came, room freed, the peer went): fs.c serves the calls
 * parked on it and tells the epolls watching it. With the lock held. */
void fs_dev_changed(const struct gort_dev *dev);
/* Makes dev appear as /dev/<name> from the next fs_init on (GORT_MAX_DEVS at most). */
void fs_add_device(const struct gort_dev *dev);
/* Makes path a regular file (mode 0644, owner root) holding the size bytes at data from the next
 * fs_init on, unless the initrd has an entry there or on the way to it (the initrd's wins).
 * data must stay (GORT_MAX_DEFAULT_FILES at most). */
void fs_add_default_file(const char *path, const void *data, size_t size);
/* Sets up the file tree from the initrd (cpio newc), the devices and fds 0-2; cwd is the
 * starting folder. */
void fs_init(const void *initrd, size_t size, const char *cwd);
/* The working folder, a folder of the tree (gort_fatal otherwise). After fs_init. */
void fs_set_cwd(const char *cwd);
/* Mounts the 9P session s (ninep.h) on folder path of the tree: its entries are listed as they
 * are looked into; writes go to the tree (copy-up), or with rw to the host (written through).
 * After fs_init. 0 or -errno. */
struct ninep;
int fs_mount(const char *path, struct ninep *s, bool rw);
/* virtio_9p.c: the host's folders (virtio-9p devices) mounted as /.gort/mounts says (or, without
 * it, each on the path its mount tag names when the tag starts with '/'). After fs_init. */
void shares_init(const void *fdt);
/* The program's own path (for /proc/self/exe), of the current process. */
void fs_set_exe(const char *path);
/* Reads a whole file of the tree (for the program image): pointer into the initrd or NULL. */
const void *fs_file_data(const char *path, size_t *size);
/* For execve: the file path names (from the current process's cwd), whole, or -ENOENT, -EACCES
 * (not a regular file with an execute bit), -ENOEXEC (written here, or a host file over 9P: not in
 * one piece), ... */
long fs_exec_file(const char *path, const void **data, size_t *size);
/* Per-process descriptor tables and working folders. fs_files_first: the boot process's (fds 0-2
 * on the console, the cwd fs_init set). fs_files_fork: a copy of from (each open file one
 * reference more); NULL when GORT_MAX_PROCS are in use. fs_files_exec: closes the close-on-exec
 * descriptors. fs_files_free: closes all and frees the table. fs_use: the table the fd calls
 * use from now on. */
struct files *fs_files_first(void);
struct files *fs_files_fork(struct files *from);
void fs_files_exec(struct files *f);
void fs_files_free(struct files *f);
void fs_use(struct files *f);

/* devices.c: /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom. Before fs_init. */
void devices_init(void);
/* syscall.c: len bytes of the hv's entropy (GOOS_FN_ENTROPY) to user memory at uva, at most 1 MiB
 * a call (getrandom, /dev/urandom): the bytes given or -errno. */
long gort_entropy_to_user(uintptr_t uva, size_t len);
/* etc.c: /etc/passwd, /etc/group, /etc/hosts (naming the partition host, its first GORT_HOST_MAX
 * bytes), /etc/services for the initrd to override. Before fs_init. */
#define GORT_HOST_MAX 64
void etc_init(const char *host);
/* etc.c: adds USER, LOGNAME and HOME (that user's) to envp[0..envc) where it has none, up to max
 * entries; the new count. */
unsigned etc_user_env(const char **envp, unsigned envc, unsigned max);

/* watchdog.c: /dev/watchdog, when the partition has a watchdog (period_ms from the device tree,
 * 0: none). Before fs_init. */
void watchdog_init(unsigned period_ms);
/* chan.c: /dev/chan/NAME for each channel in the device tree (after mm_init, before fs_init),
 * and the doorbells: chan_doorbells takes the partition's pending set and serves what rang.
 * gort_idle hands every idle call's events to chan_idle_returned (no lock needed); the next holder
 * of the lock at a trap's end or in the scheduler serves a doorbell owed (chan_doorbells_owed). */
void chan_init(const void *fdt);
void chan_doorbells(void);
void chan_idle_returned(uint64_t events);
void chan_serve_owed(void);
extern volatile int chan_doorbell_owed;
/* Inline: every trap's end looks (a load and a branch; the call only when one is owed). */
static inline void chan_doorbells_owed(void)
{
	if (__atomic_load_n(&chan_doorbell_owed, __ATOMIC_RELAXED))
		chan_serve_owed();
}
/* netdev.c: /dev/netN and /sys/class/net/netN/{address,mtu} for each virtio-net device in the
 * device tree (after mm_init, before fs_init); netdev_irq serves their interrupts (vCPU 0's
 * external interrupt, GOOS_EV_IRQ from idle). */
#define GORT_MAX_NETDEVS 8
void netdev_init(const void *fdt);
void netdev_irq(void);

/* signal.c */
long sys_rt_sigaction(struct thread *t, const struct syscall_args *a);
long sys_rt_sigprocmask(struct thread *t, const struct syscall_args *a);
long sys_sigaltstack(struct thread *t, const struct syscall_args *a);
long sys_rt_sigreturn(struct thread *t, const struct syscall_args *a);
long sys_tgkill(struct thread *t, const struct syscall_args *a);
long sys_tkill(struct thread *t, const struct syscall_args *a);
long sys_kill(struct thread *t, const struct syscall_args *a);
/* Queues sig for t (interrupting an interruptible wait, kicking its vCPU if it runs). */
void signal_send(struct thread *t, int sig, int code, uintptr_t addr);
/* thread_block's last step: an interruptible wait that an unblocked pending signal ends at once. */
void signal_wait_begun(struct thread *t);
/* A fault in user mode the program may handle (SIGSEGV, SIGBUS, SIGILL, SIGFPE...). */
void signal_fault(struct thread *t, int sig, int code, uintptr_t addr);
/* A process-directed signal: to a thread of prefer's process that does not block it, prefer
 * first. */
void signal_send_process(struct thread *prefer, int sig, int code);
/* The same to process p (a thread of it that does not block sig). */
void signal_send_proc(struct proc *p, int sig, int code);
/* A new process's sigactions are a copy of its parent's; execve resets the handled ones to the
 * default (ignored ones stay ignored), as Linux. */
void signal_proc_fork(const struct proc *child, const struct proc *parent);
void signal_proc_exec(const struct proc *p);
/* Before returning to t: delivers one pending unblocked signal by building its frame. */
void signal_deliver(struct thread *t);

/* timers.c: CPU time and the interval timers. A thread's time runs from cputime_resume (its
 * return to user mode) to cputime_charge (its next trap). timers_run fires what expired for the
 * thread this vCPU runs (NULL: none) and returns when to look again (time-CSR ticks, ~0: never). */
void cputime_charge(struct thread *t, uint64_t now);
void cputime_resume(struct thread *t, uint64_t now);
uint64_t timers_run(struct thread *cur, uint64_t now);
uint64_t cputime_ns(unsigned long clk, const struct thread *t); /* the CPU-time clocks */
long sys_getitimer(struct thread *t, const struct syscall_args *a);
long sys_setitimer(struct thread *t, const struct syscall_args *a);
long sys_timer_create(struct thread *t, const struct syscall_args *a);
long sys_timer_settime(struct thread *t, const struct syscall_args *a);
long sys_timer_gettime(struct thread *t, const struct syscall_args *a);
long sys_timer_getoverrun(struct thread *t, const struct syscall_args *a);
long sys_timer_delete(struct thread *t, const struct syscall_args *a);
long sys_getrusage(struct thread *t, const struct syscall_args *a);

/* exec.c: program images. exec_check: 0 if file is a static riscv64 executable gort can load,
 * else -ENOEXEC and why (a phrase after the path). exec_load: its segments, a stack with argv
 * and envp (NULL-terminated, EXEC_MAX_ARGS each at most) and the vDSO into the current address
 * space, which is new: 0 or -errno, with its entry and initial sp. exec_program: both at boot,
 * a failure fatal. */
#define EXEC_MAX_ARGS 256
long exec_check(const uint8_t *file, size_t size, const char **why);
long exec_load(const char *path, const uint8_t *file, const char *const *argv,
	       const char *const *envp, uintptr_t *entry, uintptr_t *sp);
uintptr_t exec_program(const char *path, const char *const *argv, const char *const *envp,
		       uintptr_t *entry);

/* vdso.c: the vDSO image mapped into the program; returns its user address. */
uintptr_t vdso_map(void);
uintptr_t vdso_sigreturn_addr(void);

#endif
