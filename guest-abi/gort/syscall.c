/* The system call table, and the calls too small to live anywhere else: time, randomness, limits
 * and uname. Numbers are the asm-generic ones riscv64 uses. */
#include <fmt.h>
#include <string.h>

#include "goos_call.h"
#include "gort.h"
#include "fs.h"
#include "linux.h"
#include "sock.h"

long sys_mmap(struct thread *t, const struct syscall_args *a);
long sys_munmap(struct thread *t, const struct syscall_args *a);
long sys_mprotect(struct thread *t, const struct syscall_args *a);
long sys_madvise(struct thread *t, const struct syscall_args *a);
long sys_brk(struct thread *t, const struct syscall_args *a);
long sys_futex(struct thread *t, const struct syscall_args *a);
long sys_nanosleep(struct thread *t, const struct syscall_args *a);
long sys_clock_nanosleep(struct thread *t, const struct syscall_args *a);
long sys_sched_yield(struct thread *t, const struct syscall_args *a);
long sys_sched_getaffinity(struct thread *t, const struct syscall_args *a);
long sys_clone(struct thread *t, const struct syscall_args *a);
long sys_exit(struct thread *t, const struct syscall_args *a);
long sys_exit_group(struct thread *t, const struct syscall_args *a);
long sys_set_tid_address(struct thread *t, const struct syscall_args *a);
long sys_getpid(struct thread *t, const struct syscall_args *a);
long sys_gettid(struct thread *t, const struct syscall_args *a);
long sys_getuid(struct thread *t, const struct syscall_args *a);
long sys_getgroups(struct thread *t, const struct syscall_args *a);
long sys_prctl(struct thread *t, const struct syscall_args *a);

static const char *partition_name = "gohv";

void syscall_set_hostname(const char *name)
{
	partition_name = name;
}

static long clock_read(const struct thread *t, unsigned long clk, struct linux_timespec *ts)
{
	uint64_t ns = ticks_to_ns(gort_now());

	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		ns += gort_realtime_offset_ns();
		break;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		break;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		ns = cputime_ns(clk, t);
		break;
	default:
		return -EINVAL;
	}
	ts->tv_sec = ns / 1000000000u;
	ts->tv_nsec = ns % 1000000000u;
	return 0;
}

static long sys_clock_gettime(struct thread *t, const struct syscall_args *a)
{
	struct linux_timespec ts;
	long err = clock_read(t, a->a[0], &ts);

	if (err)
		return err;
	return copy_to_user(a->a[1], &ts, sizeof(ts)) ? -EFAULT : 0;
}

static long sys_clock_getres(struct thread *t, const struct syscall_args *a)
{
	struct linux_timespec ts = {0, (int64_t)(1000000000u / gort_timebase())};

	if (a->a[0] > CLOCK_BOOTTIME)
		return -EINVAL;
	if (ts.tv_nsec == 0)
		ts.tv_nsec = 1;
	return a->a[1] && copy_to_user(a->a[1], &ts, sizeof(ts)) ? -EFAULT : 0;
}

static long sys_gettimeofday(struct thread *t, const struct syscall_args *a)
{
	struct linux_timespec ts;

	clock_read(t, CLOCK_REALTIME, &ts);
	int64_t tv[2] = {ts.tv_sec, ts.tv_nsec / 1000};
	return a->a[0] && copy_to_user(a->a[0], tv, sizeof(tv)) ? -EFAULT : 0;
}

long gort_entropy_to_user(uintptr_t uva, size_t len)
{
	uint8_t buf[256];
	size_t done = 0;

	/* Bounded per call like Linux's; the program loops for more. */
	if (len > 1 << 20)
		len = 1 << 20;
	while (done < len) {
		size_t n = len - done < sizeof(buf) ? len - done : sizeof(buf);
		struct goos_ret r = goos(GOOS_FN_ENTROPY, (uintptr_t)buf, n, 0, 0);
		if (r.error)
			return done ? (long)done : -EIO;
		if (copy_to_user(uva + done, buf, r.value))
			return done ? (long)done : -EFAULT;
		done += r.value;
	}
	memset(buf, 0, sizeof(buf));
	return (long)done;
}

static long sys_getrandom(struct thread *t, const struct syscall_args *a)
{
	return gort_entropy_to_user(a->a[0], a->a[1]);
}

static long sys_uname(struct thread *t, const struct syscall_args *a)
{
	char u[6][65];

	memset(u, 0, sizeof(u));
	strcpy(u[0], "Linux");
	snprintf(u[1], sizeof(u[1]), "%s", partition_name);
	strcpy(u[2], "6.1.0-gohv");
	strcpy(u[3], "#1 gort");
	strcpy(u[4], "riscv64");
	strcpy(u[5], "(none)");
	return copy_to_user(a->a[0], u, sizeof(u)) ? -EFAULT : 0;
}

struct rlimit64 {
	uint64_t cur, max;
};

static struct rlimit64 limit_of(unsigned resource)
{
	switch (resource) {
	case 3: /* RLIMIT_STACK */
		return (struct rlimit64){8UL << 20, ~0UL};
	case 7: /* RLIMIT_NOFILE */
		return (struct rlimit64){GORT_MAX_FDS, GORT_MAX_FDS};
	default:
		return (struct rlimit64){~0UL, ~0UL};
	}
}

static long sys_prlimit64(struct thread *t, const struct syscall_args *a)
{
	struct rlimit64 r = limit_of((unsigned)a->a[1]);

	if (a->a[0] != 0 && a->a[0] != (unsigned long)t->pid)
		return -ESRCH;
	if (a->a[1] > 15)
		return -EINVAL;
	if (a->a[3] && copy_to_user(a->a[3], &r, sizeof(r)))
		return -EFAULT;
	/* New limits are accepted and not enforced: nothing here grows with them. */
	return 0;
}

static long sys_getrlimit(struct thread *t, const struct syscall_args *a)
{
	struct syscall_args p = {{0, a->a[0], 0, a->a[1]}};
	return sys_prlimit64(t, &p);
}

/* Which vCPU the thread runs on: lets a program (and a test) see its threads spread out. */
static long sys_getcpu(struct thread *t, const struct syscall_args *a)
{
	uint32_t cpu = t->on_cpu < 0 ? 0 : (uint32_t)t->on_cpu, node = 0;

	if (a->a[0] && copy_to_user(a->a[0], &cpu, sizeof(cpu)))
		return -EFAULT;
	if (a->a[1] && copy_to_user(a->a[1], &node, sizeof(node)))
		return -EFAULT;
	return 0;
}

static long sys_ignored(struct thread *t, const struct syscall_args *a)
{
	return 0;
}

struct syscall_entry {
	syscall_fn fn;
	const char *name;
};

#define NR_MAX 300
static const struct syscall_entry table[NR_MAX] = {
    [17] = {sys_getcwd, "getcwd"},
    [19] = {sys_eventfd2, "eventfd2"},
    [20] = {sys_epoll_create1, "epoll_create1"},
    [21] = {sys_epoll_ctl, "epoll_ctl"},
    [22] = {sys_epoll_pwait, "epoll_pwait"},
    [23] = {sys_dup, "dup"},
    [24] = {sys_dup3, "dup3"},
    [25] = {sys_fcntl, "fcntl"},
    [29] = {sys_ioctl, "ioctl"},
    [34] = {sys_mkdirat, "mkdirat"},
    [35] = {sys_unlinkat, "unlinkat"},
    [36] = {sys_symlinkat, "symlinkat"},
    [37] = {sys_linkat, "linkat"},
    [43] = {sys_statfs, "statfs"},
    [44] = {sys_fstatfs, "fstatfs"},
    [45] = {sys_truncate, "truncate"},
    [46] = {sys_ftruncate, "ftruncate"},
    [48] = {sys_faccessat, "faccessat"},
    [49] = {sys_chdir, "chdir"},
    [50] = {sys_fchdir, "fchdir"},
    [52] = {sys_fchmod, "fchmod"},
    [53] = {sys_fchmodat, "fchmodat"},
    [54] = {sys_fchownat, "fchownat"},
    [55] = {sys_fchown, "fchown"},
    [56] = {sys_openat, "openat"},
    [57] = {sys_close, "close"},
    [59] = {sys_pipe2, "pipe2"},
    [61] = {sys_getdents64, "getdents64"},
    [62] = {sys_lseek, "lseek"},
    [63] = {sys_read, "read"},
    [64] = {sys_write, "write"},
    [65] = {sys_readv, "readv"},
    [66] = {sys_writev, "writev"},
    [67] = {sys_pread64, "pread64"},
    [68] = {sys_pwrite64, "pwrite64"},
    [71] = {sys_splice_einval, "sendfile"},
    [76] = {sys_splice_einval, "splice"},
    [78] = {sys_readlinkat, "readlinkat"},
    [79] = {sys_newfstatat, "newfstatat"},
    [80] = {sys_fstat, "fstat"},
    [81] = {sys_sync, "sync"},
    [82] = {sys_fsync, "fsync"},
    [83] = {sys_fsync, "fdatasync"},
    [88] = {sys_utimensat, "utimensat"},
    [93] = {sys_exit, "exit"},
    [94] = {sys_exit_group, "exit_group"},
    [95] = {sys_wait4, "waitid"},
    [96] = {sys_set_tid_address, "set_tid_address"},
    [98] = {sys_futex, "futex"},
    [101] = {sys_nanosleep, "nanosleep"},
    [102] = {sys_getitimer, "getitimer"},
    [103] = {sys_setitimer, "setitimer"},
    [107] = {sys_timer_create, "timer_create"},
    [108] = {sys_timer_gettime, "timer_gettime"},
    [109] = {sys_timer_getoverrun, "timer_getoverrun"},
    [110] = {sys_timer_settime, "timer_settime"},
    [111] = {sys_timer_delete, "timer_delete"},
    [113] = {sys_clock_gettime, "clock_gettime"},
    [114] = {sys_clock_getres, "clock_getres"},
    [115] = {sys_clock_nanosleep, "clock_nanosleep"},
    [122] = {sys_ignored, "sched_setaffinity"},
    [123] = {sys_sched_getaffinity, "sched_getaffinity"},
    [124] = {sys_sched_yield, "sched_yield"},
    [129] = {sys_kill, "kill"},
    [130] = {sys_tkill, "tkill"},
    [131] = {sys_tgkill, "tgkill"},
    [132] = {sys_sigaltstack, "sigaltstack"},
    [134] = {sys_rt_sigaction, "rt_sigaction"},
    [135] = {sys_rt_sigprocmask, "rt_sigprocmask"},
    [139] = {sys_rt_sigreturn, "rt_sigreturn"},
    [154] = {sys_setpgid, "setpgid"},
    [155] = {sys_getpgid, "getpgid"},
    [156] = {sys_getpgid, "getsid"},
    [157] = {sys_setsid, "setsid"},
    [158] = {sys_getgroups, "getgroups"},
    [160] = {sys_uname, "uname"},
    [163] = {sys_getrlimit, "getrlimit"},
    [165] = {sys_getrusage, "getrusage"},
    [166] = {sys_umask, "umask"},
    [167] = {sys_prctl, "prctl"},
    [168] = {sys_getcpu, "getcpu"},
    [169] = {sys_gettimeofday, "gettimeofday"},
    [GORT_NR_GETPID] = {sys_getpid, "getpid"},
    [173] = {sys_getppid, "getppid"},
    [174] = {sys_getuid, "getuid"},
    [175] = {sys_getuid, "geteuid"},
    [176] = {sys_getuid, "getgid"},
    [177] = {sys_getuid, "getegid"},
    [178] = {sys_gettid, "gettid"},
    [198] = {sys_socket, "socket"},
    [199] = {sys_socketpair, "socketpair"},
    [200] = {sys_bind, "bind"},
    [201] = {sys_listen, "listen"},
    [202] = {sys_accept, "accept"},
    [203] = {sys_connect, "connect"},
    [204] = {sys_getsockname, "getsockname"},
    [205] = {sys_getpeername, "getpeername"},
    [206] = {sys_sendto, "sendto"},
    [207] = {sys_recvfrom, "recvfrom"},
    [208] = {sys_setsockopt, "setsockopt"},
    [209] = {sys_getsockopt, "getsockopt"},
    [210] = {sys_shutdown, "shutdown"},
    [211] = {sys_sendmsg, "sendmsg"},
    [212] = {sys_recvmsg, "recvmsg"},
    [214] = {sys_brk, "brk"},
    [215] = {sys_munmap, "munmap"},
    [220] = {sys_clone, "clone"},
    [221] = {sys_execve, "execve"},
    [222] = {sys_mmap, "mmap"},
    [226] = {sys_mprotect, "mprotect"},
    [233] = {sys_madvise, "madvise"},
    [242] = {sys_accept4, "accept4"},
    [260] = {sys_wait4, "wait4"},
    [261] = {sys_prlimit64, "prlimit64"},
    [276] = {sys_renameat2, "renameat2"},
    [278] = {sys_getrandom, "getrandom"},
};

/* Linux's names for every riscv64 system call number, for the line about one not served. */
static const char *const names[] = {
#include "sysnames.h"
};

long syscall_dispatch(struct thread *t, unsigned long nr, const struct syscall_args *args)
{
	static uint8_t warned[NR_MAX / 8 + 1];

	if (nr < NR_MAX && table[nr].fn)
		return table[nr].fn(t, args);
	/* One line per unknown call, the first time only: the program usually copes with ENOSYS. */
	unsigned long slot = nr < NR_MAX ? nr : NR_MAX;
	if (!(warned[slot / 8] & (1u << (slot % 8)))) {
		warned[slot / 8] |= 1u << (slot % 8);
		const char *name =
		    nr < sizeof(names) / sizeof(names[0]) && names[nr] ? names[nr] : "?";
		gort_printf("gort: system call %s (%lu) is not implemented: ENOSYS\n", name, nr);
	}
	return -ENOSYS;
}
