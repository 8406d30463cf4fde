/* The Linux (riscv64, asm-generic) ABI constants and structure layouts gort serves. */
#ifndef GORT_LINUX_H
#define GORT_LINUX_H

#include <stdint.h>

#define MAX_RW_COUNT 0x7ffff000UL /* Linux's cap for one read or write */
#define UIO_MAXIOV   1024	  /* iovecs in one readv, writev, sendmsg */

/* mmap */
#define PROT_NONE	    0
#define PROT_READ	    1
#define PROT_WRITE	    2
#define PROT_EXEC	    4
#define MAP_SHARED	    0x01
#define MAP_PRIVATE	    0x02
#define MAP_FIXED	    0x10
#define MAP_ANONYMOUS	    0x20
#define MAP_NORESERVE	    0x4000
#define MAP_FIXED_NOREPLACE 0x100000
#define MADV_DONTNEED	    4
#define MADV_FREE	    8
#define MADV_HUGEPAGE	    14
#define MADV_NOHUGEPAGE	    15

/* clone */
#define CLONE_VM	     0x00000100
#define CLONE_FS	     0x00000200
#define CLONE_FILES	     0x00000400
#define CLONE_SIGHAND	     0x00000800
#define CLONE_VFORK	     0x00004000
#define CLONE_SYSVSEM	     0x00040000
#define CLONE_THREAD	     0x00010000
#define CLONE_SETTLS	     0x00080000
#define CLONE_PARENT_SETTID  0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_CHILD_SETTID   0x01000000

/* futex */
#define FUTEX_WAIT	     0
#define FUTEX_WAKE	     1
#define FUTEX_PRIVATE_FLAG   128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK	     ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)

/* clocks */
#define CLOCK_REALTIME		 0
#define CLOCK_MONOTONIC		 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID	 3
#define CLOCK_MONOTONIC_RAW	 4
#define CLOCK_REALTIME_COARSE	 5
#define CLOCK_MONOTONIC_COARSE	 6
#define CLOCK_BOOTTIME		 7

struct linux_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

/* signals */
#define SIGHUP	 1
#define SIGINT	 2
#define SIGQUIT	 3
#define SIGILL	 4
#define SIGTRAP	 5
#define SIGABRT	 6
#define SIGBUS	 7
#define SIGFPE	 8
#define SIGKILL	 9
#define SIGUSR1	 10
#define SIGSEGV	 11
#define SIGUSR2	 12
#define SIGPIPE	 13
#define SIGALRM	 14
#define SIGTERM	 15
#define SIGCHLD	 17
#define SIGCONT	 18
#define SIGSTOP	 19
#define SIGURG	 23
#define SIGPROF	 27
#define SIGWINCH 28
#define SIGSYS	 31

#define SA_SIGINFO   0x00000004
#define SA_ONSTACK   0x08000000
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000
#define SA_RESETHAND 0x80000000
#define SIG_DFL	     0UL
#define SIG_IGN	     1UL
#define SIG_BLOCK    0
#define SIG_UNBLOCK  1
#define SIG_SETMASK  2
#define SS_ONSTACK   1
#define SS_DISABLE   2
#define MINSIGSTKSZ  2048

#define SI_USER	    0
#define SI_TKILL    (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define ILL_ILLOPC  1
#define BUS_ADRALN  1

/* files */
#define AT_FDCWD	    (-100)
#define AT_SYMLINK_NOFOLLOW 0x100
#define AT_EMPTY_PATH	    0x1000
#define O_RDONLY	    0
#define O_WRONLY	    1
#define O_RDWR		    2
#define O_ACCMODE	    3
#define O_CREAT		    0100
#define O_EXCL		    0200
#define O_TRUNC		    01000
#define O_APPEND	    02000
#define O_NONBLOCK	    04000
#define O_DIRECTORY	    0200000
#define O_CLOEXEC	    02000000
#define F_DUPFD		    0
#define F_GETFD		    1
#define F_SETFD		    2
#define F_GETFL		    3
#define F_SETFL		    4
#define F_DUPFD_CLOEXEC	    1030
#define FD_CLOEXEC	    1
#define SEEK_SET	    0
#define SEEK_CUR	    1
#define SEEK_END	    2
#define S_IFMT		    0170000
#define S_IFDIR		    0040000
#define S_IFREG		    0100000
#define S_IFLNK		    0120000
#define S_IFIFO		    0010000
#define S_IFSOCK	    0140000
#define S_IFCHR		    0020000
#define DT_DIR		    4
#define DT_REG		    8
#define DT_LNK		    10
#define DT_FIFO		    1
#define DT_CHR		    2
#define DT_SOCK		    12

/* asm-generic struct stat, as riscv64 uses it */
struct linux_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint32_t st_mode;
	uint32_t st_nlink;
	uint32_t st_uid;
	uint32_t st_gid;
	uint64_t st_rdev;
	uint64_t __pad1;
	int64_t st_size;
	int32_t st_blksize;
	int32_t __pad2;
	int64_t st_blocks;
	int64_t st_atime_sec;
	int64_t st_atime_nsec;
	int64_t st_mtime_sec;
	int64_t st_mtime_nsec;
	int64_t st_ctime_sec;
	int64_t st_ctime_nsec;
	uint32_t __unused4;
	uint32_t __unused5;
};

/* epoll */
#define EPOLLIN	      0x001
#define EPOLLPRI      0x002
#define EPOLLOUT      0x004
#define EPOLLERR      0x008
#define EPOLLHUP      0x010
#define EPOLLRDHUP    0x2000
#define EPOLLET	      (1U << 31)
#define EPOLLONESHOT  (1U << 30)
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLL_CLOEXEC 02000000
struct linux_epoll_event { /* not packed on riscv64 */
	uint32_t events;
	uint64_t data;
};
#define EFD_SEMAPHORE 1
#define EFD_NONBLOCK  04000
#define EFD_CLOEXEC   02000000

/* auxv */
#define AT_NULL		0
#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_BASE		7
#define AT_FLAGS	8
#define AT_ENTRY	9
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_RANDOM	25
#define AT_EXECFN	31
#define AT_SYSINFO_EHDR 33

/* fs.c: more file constants (asm-generic values) */
#define O_DIRECT	040000
#define O_LARGEFILE	0100000
#define O_NOFOLLOW	0400000
#define O_NOATIME	01000000
#define O_PATH		010000000
#define AT_EACCESS	0x200
#define AT_NO_AUTOMOUNT 0x800
#define F_OK		0
#define X_OK		1
#define W_OK		2
#define R_OK		4
#define F_SETPIPE_SZ	1031
#define F_GETPIPE_SZ	1032
#define DT_UNKNOWN	0
#define PIPE_BUF	4096
#define TCGETS		0x5401
#define FIONREAD	0x541B
#define FIONBIO		0x5421
#define FIONCLEX	0x5450
#define FIOCLEX		0x5451
#define EPOLLEXCLUSIVE	(1U << 28)
#define EPOLLWAKEUP	(1U << 29)
/* The watchdog device's ioctls (linux/watchdog.h): _IOR('W', nr, size). */
#define WDIOC_GETSUPPORT    0x80285700 /* struct linux_watchdog_info */
#define WDIOC_KEEPALIVE	    0x80045705
#define WDIOC_GETTIMEOUT    0x80045707 /* int: seconds */
#define WDIOF_KEEPALIVEPING 0x8000
struct linux_watchdog_info {
	uint32_t options;
	uint32_t firmware_version;
	uint8_t identity[32];
};
/* The writable tree's calls. */
#define O_TMPFILE	  020200000
#define AT_REMOVEDIR	  0x200
#define AT_SYMLINK_FOLLOW 0x400
#define RENAME_NOREPLACE  1
#define RENAME_EXCHANGE	  2
#define RENAME_WHITEOUT	  4
#define UTIME_NOW	  ((1L << 30) - 1)
#define UTIME_OMIT	  ((1L << 30) - 2)
#define TMPFS_MAGIC	  0x01021994
#define ST_NOSUID	  2
/* asm-generic struct statfs (64-bit words) */
struct linux_statfs {
	int64_t f_type;
	int64_t f_bsize;
	uint64_t f_blocks;
	uint64_t f_bfree;
	uint64_t f_bavail;
	uint64_t f_files;
	uint64_t f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen;
	int64_t f_frsize;
	int64_t f_flags;
	int64_t f_spare[4];
};
/* struct linux_dirent64: d_ino u64, d_off s64, d_reclen u16, d_type u8, then the name */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

#endif
