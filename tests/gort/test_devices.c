/* Tests of guest-abi/gort/devices.c (the memory devices under /dev) and etc.c (the default /etc
 * files and the user's environment), through fs.c's system calls, on the host. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fakes.h"
#include "fs.h"
#include "gort.h"
#include "linux.h"

static struct thread T;
static uint8_t *ubrk;

static void *ualloc(size_t n)
{
	uint8_t *p = ubrk;
	ubrk += (n + 15) & ~(size_t)15;
	cr_assert_leq(ubrk, fake_user_mem + FAKE_USER_SIZE);
	memset(p, 0, n);
	return p;
}

static unsigned long U(const void *p)
{
	return FAKE_USER_BASE + (unsigned long)((const uint8_t *)p - fake_user_mem);
}

static unsigned long UP(const char *s)
{
	char *p = ualloc(strlen(s) + 1);
	strcpy(p, s);
	return U(p);
}

#define SYS(fn, ...) fn(&T, &(struct syscall_args){{__VA_ARGS__}})
#define CWD	     ((unsigned long)AT_FDCWD)
#define BAD_PTR	     0x100UL /* outside user memory */

static long open_(const char *path, int flags)
{
	return SYS(sys_openat, CWD, UP(path), (unsigned long)flags, 0);
}

static long read_(long fd, void *buf, size_t n)
{
	return SYS(sys_read, (unsigned long)fd, U(buf), n);
}

static long write_(long fd, const void *buf, size_t n)
{
	return SYS(sys_write, (unsigned long)fd, U(buf), n);
}

static long lseek_(long fd, long off, int whence)
{
	return SYS(sys_lseek, (unsigned long)fd, (unsigned long)off, (unsigned long)whence);
}

static long pread_(long fd, void *buf, size_t n, long off)
{
	return SYS(sys_pread64, (unsigned long)fd, U(buf), n, (unsigned long)off);
}

/* A whole small file as a string. */
static char *slurp(const char *path)
{
	char *buf = ualloc(4096);
	long fd = open_(path, O_RDONLY);
	cr_assert_geq(fd, 3, "open %s: %ld", path, fd);
	cr_assert_gt(read_(fd, buf, 4095), 0, "%s", path);
	SYS(sys_close, (unsigned long)fd);
	return buf;
}

/* A tiny cpio newc archive, for the tests where the initrd has files of its own. */
static uint8_t arch[4096];
static size_t arch_len;

static void cpio_add(const char *name, unsigned mode, const char *data)
{
	size_t nsz = strlen(name) + 1, size = strlen(data);
	char hdr[128];
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1u,
		 mode, 0u, 0u, 1u, 0u, (unsigned)size, 0u, 0u, 0u, 0u, (unsigned)nsz, 0u);
	memcpy(arch + arch_len, hdr, 110);
	memcpy(arch + arch_len + 110, name, nsz);
	arch_len = (arch_len + 110 + nsz + 3) & ~(size_t)3;
	memcpy(arch + arch_len, data, size);
	arch_len = (arch_len + size + 3) & ~(size_t)3;
}

static void setup(void)
{
	fake_thread_init(&T, 1);
	ubrk = fake_user_mem + FAKE_USER_SIZE / 2;
	devices_init();
	etc_init("box");
	fs_init(NULL, 0, "/");
}

static long ep_add(long ep, long fd)
{
	struct linux_epoll_event *ev = ualloc(sizeof(*ev));
	ev->events = EPOLLIN;
	return SYS(sys_epoll_ctl, (unsigned long)ep, EPOLL_CTL_ADD, (unsigned long)fd, U(ev));
}

/* What stat and epoll say of every memory device: Linux's 1:minor, crw-rw-rw-, not pollable. */
Test(devices, five_memory_devices_as_on_linux, .init = setup)
{
	static const struct {
		const char *path;
		unsigned minor;
	} want[] = {{"/dev/null", 3},
		    {"/dev/zero", 5},
		    {"/dev/full", 7},
		    {"/dev/random", 8},
		    {"/dev/urandom", 9}};
	struct linux_stat *st = ualloc(sizeof(*st));
	long ep = SYS(sys_epoll_create1, 0);

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cr_assert_eq(SYS(sys_newfstatat, CWD, UP(want[i].path), U(st), 0), 0);
		cr_assert_eq(st->st_mode, S_IFCHR | 0666, "%s", want[i].path);
		cr_assert_eq(st->st_rdev, 1 << 8 | want[i].minor, "%s", want[i].path);
		cr_assert_eq(st->st_size, 0);
		cr_assert_eq(SYS(sys_faccessat, CWD, UP(want[i].path), R_OK | W_OK), 0);
		/* Open as Go's os.OpenFile(os.DevNull, O_RDWR|O_CREATE|O_TRUNC) does. */
		long fd = open_(want[i].path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC);
		cr_assert_geq(fd, 3, "%s: %ld", want[i].path, fd);
		cr_assert_eq(ep_add(ep, fd), -EPERM, "%s", want[i].path);
		cr_assert_eq(lseek_(fd, 123, SEEK_SET), 0, "%s", want[i].path);
		cr_assert_eq(lseek_(fd, 5, SEEK_END), 0, "%s", want[i].path);
		cr_assert_eq(open_(want[i].path, O_RDONLY | O_DIRECTORY), -ENOTDIR);
		cr_assert_eq(open_(want[i].path, O_WRONLY | O_CREAT | O_EXCL), -EEXIST);
		cr_assert_eq(SYS(sys_ioctl, (unsigned long)fd, 0x5401 /* TCGETS */, 0), -ENOTTY);
	}
}

Test(devices, null_reads_nothing_and_swallows_writes, .init = setup)
{
	char *buf = ualloc(64);
	long fd = open_("/dev/null", O_RDWR);
	memset(buf, 'x', 64);
	cr_assert_eq(read_(fd, buf, 64), 0);
	cr_assert_eq(pread_(fd, buf, 64, 10), 0);
	cr_assert_eq(buf[0], 'x');
	cr_assert_eq(write_(fd, buf, 64), 64);
	/* As Linux's write_null, the bytes are not even looked at. */
	cr_assert_eq(SYS(sys_write, (unsigned long)fd, BAD_PTR, 1000000), 1000000);
	long ro = open_("/dev/null", O_RDONLY);
	cr_assert_eq(write_(ro, buf, 1), -EBADF);
}

Test(devices, zero_and_full_read_zeros_full_refuses_writes, .init = setup)
{
	size_t n = 3 * PAGE_SIZE + 100;
	char *buf = ualloc(n);
	long zero = open_("/dev/zero", O_RDWR), full = open_("/dev/full", O_RDWR);

	memset(buf, 0xff, n);
	cr_assert_eq(read_(zero, buf, n), (long)n);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(buf[i], 0, "byte %zu", i);
	memset(buf, 0xff, n);
	cr_assert_eq(pread_(full, buf, n, 7), (long)n);
	cr_assert_eq(buf[n - 1], 0);
	cr_assert_eq(buf[0], 0);
	cr_assert_eq(SYS(sys_read, (unsigned long)zero, BAD_PTR, 10), -EFAULT);
	cr_assert_eq(write_(zero, buf, 10), 10);
	cr_assert_eq(write_(full, buf, 10), -ENOSPC);
	cr_assert_eq(write_(full, buf, 0), -ENOSPC, "Linux's write_full: even of nothing");
}

Test(devices, urandom_and_random_read_the_hvs_entropy, .init = setup)
{
	uint8_t *buf = ualloc(300);
	const char *paths[] = {"/dev/urandom", "/dev/random"};

	for (int k = 0; k < 2; k++) {
		long fd = open_(paths[k], O_RDONLY);
		memset(buf, 0, 300);
		cr_assert_eq(read_(fd, buf, 300), 300, "%s", paths[k]);
		for (int i = 0; i < 300; i++)
			cr_assert_eq(buf[i], (uint8_t)(i * 13 + 1), "%s byte %d", paths[k], i);
		cr_assert_eq(pread_(fd, buf, 16, 1000), 16);
		long wr = open_(paths[k], O_WRONLY);
		cr_assert_eq(write_(wr, buf, 16), 16);
		cr_assert_eq(SYS(sys_write, (unsigned long)wr, BAD_PTR, 16), -EFAULT);
	}
}

Test(devices, default_etc_files, .init = setup)
{
	cr_assert_str_eq(slurp("/etc/passwd"),
			 "root:x:0:0:root:/:/bin/sh\n"
			 "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
	cr_assert_str_eq(slurp("/etc/group"), "root:x:0:\nnogroup:x:65534:\n");
	cr_assert_str_eq(slurp("/etc/hosts"), "127.0.0.1\tlocalhost\n"
					      "::1\t\tlocalhost ip6-localhost ip6-loopback\n"
					      "127.0.1.1\tbox\n");
	cr_assert(strstr(slurp("/etc/services"), "\nhttp\t\t80/tcp\t\twww\n"));
	struct linux_stat *st = ualloc(sizeof(*st));
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("/etc/hosts"), U(st), 0), 0);
	cr_assert_eq(st->st_mode, S_IFREG | 0644);
	cr_assert_eq(st->st_uid, 0);
	cr_assert_eq(SYS(sys_faccessat, CWD, UP("/etc/passwd"), W_OK), 0);
}

Test(devices, the_initrds_etc_files_win, .init = setup)
{
	arch_len = 0;
	cpio_add("etc/hosts", S_IFREG | 0600, "10.0.0.1 mine\n");
	cpio_add("etc/group", S_IFLNK | 0777, "/nowhere");
	cpio_add("TRAILER!!!", 0, "");
	fs_init(arch, arch_len, "/");
	cr_assert_str_eq(slurp("/etc/hosts"), "10.0.0.1 mine\n");
	/* Its dangling link is its own too. */
	cr_assert_eq(open_("/etc/group", O_RDONLY), -ENOENT);
	cr_assert(strncmp(slurp("/etc/passwd"), "root:", 5) == 0, "the others are added");

	/* An /etc that is no folder keeps all of them out, and is no error. */
	arch_len = 0;
	cpio_add("etc", S_IFREG | 0644, "a file");
	cpio_add("TRAILER!!!", 0, "");
	fs_init(arch, arch_len, "/");
	cr_assert_str_eq(slurp("/etc"), "a file");
	cr_assert_eq(open_("/etc/passwd", O_RDONLY), -ENOTDIR);
}

Test(devices, the_user_environment_fills_only_what_is_missing)
{
	const char *envp[8] = {"PATH=/bin", "HOME=/home/x", "USERX=1"};
	unsigned n = etc_user_env(envp, 3, 8);
	cr_assert_eq(n, 5);
	cr_assert_str_eq(envp[1], "HOME=/home/x");
	cr_assert_str_eq(envp[3], "USER=root");
	cr_assert_str_eq(envp[4], "LOGNAME=root");
	cr_assert_eq(etc_user_env(envp, 5, 5), 5, "no room: nothing added");
	const char *none[4] = {0};
	cr_assert_eq(etc_user_env(none, 0, 4), 3);
	cr_assert_str_eq(none[2], "HOME=/");
}
