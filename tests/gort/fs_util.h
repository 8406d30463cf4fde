/* Shared by the tests of guest-abi/gort/fs.c (test_fs.c, test_tmpfs.c): a cpio writer, the tree
 * most tests use, user memory and call helpers over the fakes (fakes.h). Each test file that
 * includes it has its own copy of the state below. */
#ifndef GORT_TEST_FS_UTIL_H
#define GORT_TEST_FS_UTIL_H

#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fakes.h"
#include "fs.h"
#include "gort.h"
#include "linux.h"

/* ---------------------------------------------------------------- a cpio newc writer */

static uint8_t arch[1 << 24]; /* room for GORT_MAX_NODES entries */
static size_t arch_len;
static unsigned arch_ino;

static inline void pad4(void)
{
	while (arch_len % 4)
		arch[arch_len++] = 0;
}

static inline void cpio_add(const char *name, unsigned mode, const void *data, size_t size)
{
	char hdr[128];
	size_t nsz = strlen(name) + 1;
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ++arch_ino, mode, 0u, 0u, 1u, 1700000000u, (unsigned)size, 0u, 0u, 0u, 0u,
		 (unsigned)nsz, 0u);
	cr_assert_lt(arch_len + 110 + nsz + size + 8, sizeof(arch));
	memcpy(arch + arch_len, hdr, 110);
	arch_len += 110;
	memcpy(arch + arch_len, name, nsz);
	arch_len += nsz;
	pad4();
	memcpy(arch + arch_len, data, size);
	arch_len += size;
	pad4();
}

static inline void cpio_file(const char *name, unsigned perm, const char *text)
{
	cpio_add(name, S_IFREG | perm, text, strlen(text));
}

static inline void cpio_link(const char *name, const char *target)
{
	cpio_add(name, S_IFLNK | 0777, target, strlen(target));
}

static inline void cpio_end(void)
{
	cpio_add("TRAILER!!!", 0, "", 0);
}

#define HOSTS	"127.0.0.1 localhost\n"
#define VERSION "go1.19.8"
static char big[10000];

/* The tree most tests use:
 *   /etc/hosts, /etc/hostlink -> hosts, /bin/hello (0755), /usr/lib/go/VERSION (implicit
 *   folders), /usr/share/doc/ (explicit), /lib -> usr/lib, /abs -> /etc/hosts, /loop1 <-> /loop2,
 *   /dangling -> nowhere, /data/big (10000 bytes). */
static inline void build_tree(void)
{
	arch_len = 0;
	arch_ino = 0;
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7 + i / 251);
	cpio_add(".", S_IFDIR | 0755, "", 0);
	cpio_file("./etc/hosts", 0644, HOSTS);
	cpio_link("etc/hostlink", "hosts");
	cpio_add("/bin", S_IFDIR | 0755, "", 0);
	cpio_file("bin/hello", 0755, "hello binary");
	cpio_file("usr/lib/go/VERSION", 0644, VERSION);
	cpio_add("usr/share/doc", S_IFDIR | 0700, "", 0);
	cpio_link("lib", "usr/lib");
	cpio_link("abs", "/etc/hosts");
	cpio_link("loop1", "loop2");
	cpio_link("loop2", "loop1");
	cpio_link("dangling", "nowhere");
	cpio_add("data/big", S_IFREG | 0600, big, sizeof(big));
	cpio_end();
}

/* ---------------------------------------------------------------- calls and user memory */

static struct thread T, T2;
static uint8_t *ubrk; /* the next free byte of user memory for this test */

static inline void setup(void)
{
	memset(&fake_log, 0, sizeof(fake_log));
	fake_now = 1000;
	fake_thread_init(&T, 1);
	fake_thread_init(&T2, 2);
	ubrk = fake_user_mem + FAKE_USER_SIZE / 2; /* clear of what other test files use */
	build_tree();
	fs_init(arch, arch_len, "/");
}

static inline void setup_stdout(void)
{
	setup();
	cr_redirect_stdout();
	cr_redirect_stderr();
}

/* n zeroed bytes of user memory, as a host pointer. */
static inline void *ualloc(size_t n)
{
	uint8_t *p = ubrk;
	ubrk += (n + 15) & ~(size_t)15;
	cr_assert_leq(ubrk, fake_user_mem + FAKE_USER_SIZE, "the test needs more user memory");
	memset(p, 0, n);
	return p;
}

/* The user address of a host pointer into user memory. */
static inline unsigned long U(const void *p)
{
	const uint8_t *b = p;
	cr_assert(b >= fake_user_mem && b < fake_user_mem + FAKE_USER_SIZE, "not user memory");
	return FAKE_USER_BASE + (unsigned long)(b - fake_user_mem);
}

/* A string copied into user memory, as its user address. */
static inline unsigned long UP(const char *s)
{
	char *p = ualloc(strlen(s) + 1);
	strcpy(p, s);
	return U(p);
}

/* Runs a syscall as thread t. */
static inline long sys(syscall_fn fn, struct thread *t, struct syscall_args a)
{
	return fn(t, &a);
}
#define SYS(fn, ...)	  sys(fn, &T, (struct syscall_args){{__VA_ARGS__}})
#define SYS_T(t, fn, ...) sys(fn, t, (struct syscall_args){{__VA_ARGS__}})
#define CWD		  ((unsigned long)AT_FDCWD)
#define BAD_PTR		  0x100UL /* outside user memory */

/* The result a woken thread got (its a0). */
static inline long result(const struct thread *t)
{
	return (long)t->regs.gregs[10];
}

/* The thread resumed by the scheduler, ready for its next call. */
static inline void resume(struct thread *t)
{
	cr_assert_eq(t->state, T_RUNNABLE);
	t->state = T_RUNNING;
}

static inline long open_at(int dirfd, const char *path, int flags)
{
	return SYS(sys_openat, (unsigned long)(long)dirfd, UP(path), (unsigned long)flags, 0);
}

static inline long open_(const char *path, int flags)
{
	return open_at(AT_FDCWD, path, flags);
}

static inline long read_(int fd, void *buf, size_t n)
{
	return SYS(sys_read, (unsigned long)fd, U(buf), n);
}

static inline long write_(int fd, const void *buf, size_t n)
{
	return SYS(sys_write, (unsigned long)fd, U(buf), n);
}

static inline long write_str(int fd, const char *s)
{
	return SYS(sys_write, (unsigned long)fd, UP(s), strlen(s));
}

static inline long close_(int fd)
{
	return SYS(sys_close, (unsigned long)fd);
}

static inline long lseek_(int fd, long off, int whence)
{
	return SYS(sys_lseek, (unsigned long)fd, (unsigned long)off, (unsigned long)whence);
}

static inline long fcntl_(int fd, int cmd, unsigned long arg)
{
	return SYS(sys_fcntl, (unsigned long)fd, (unsigned long)cmd, arg);
}

static inline void read_all_text(const char *path, const char *want)
{
	char *buf = ualloc(256);
	long fd = open_(path, O_RDONLY);
	cr_assert_geq(fd, 3, "open %s: %ld", path, fd);
	cr_assert_eq(read_((int)fd, buf, 255), (long)strlen(want), "%s", path);
	cr_assert_str_eq(buf, want);
	cr_assert_eq(read_((int)fd, buf, 255), 0);
	cr_assert_eq(close_((int)fd), 0);
}

/* ---------------------------------------------------------------- folders */

#define MAX_ENTS 32
struct ents {
	int n;
	char name[MAX_ENTS][64];
	unsigned char type[MAX_ENTS];
};

/* Reads the whole folder with getdents64 into e, checking each record's layout. */
static inline void read_dir(int fd, size_t bufsize, struct ents *e)
{
	uint8_t *buf = ualloc(4096);
	long n;
	e->n = 0;
	while ((n = SYS(sys_getdents64, (unsigned long)fd, U(buf), bufsize)) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(buf + off);
			cr_assert_eq(d->d_reclen % 8, 0);
			cr_assert_geq(d->d_reclen, 19 + strlen(d->d_name) + 1);
			cr_assert_neq(d->d_ino, 0);
			cr_assert_lt(e->n, MAX_ENTS);
			snprintf(e->name[e->n], 64, "%s", d->d_name);
			e->type[e->n++] = d->d_type;
			off += d->d_reclen;
		}
	}
	cr_assert_eq(n, 0);
}

static inline int find_ent(const struct ents *e, const char *name)
{
	for (int i = 0; i < e->n; i++)
		if (strcmp(e->name[i], name) == 0)
			return i;
	return -1;
}

/* ---------------------------------------------------------------- epoll */

static inline long ep_ctl(int ep, int op, int fd, uint32_t events, uint64_t data)
{
	struct linux_epoll_event *ev = ualloc(sizeof(*ev));
	ev->events = events;
	ev->data = data;
	return SYS(sys_epoll_ctl, (unsigned long)ep, (unsigned long)op, (unsigned long)fd, U(ev));
}

static inline long ep_wait(int ep, struct linux_epoll_event *evs, int max, int timeout)
{
	return SYS(sys_epoll_pwait, (unsigned long)ep, U(evs), (unsigned long)max,
		   (unsigned long)(long)timeout, 0, 8);
}

static inline struct linux_epoll_event *ep_events(int n)
{
	return ualloc((size_t)n * sizeof(struct linux_epoll_event));
}

#endif
