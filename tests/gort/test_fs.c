/* Tests of guest-abi/gort/fs.c on the host: the initrd tree, fd calls, pipes, eventfd, epoll.
 * Each test builds its own cpio archive (kernel memory: plain host memory) and gives the calls
 * buffers in the fakes' user memory (see fakes.h). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fakes.h"
#include "fs.h"
#include "gort.h"
#include "linux.h"

#include "fs_util.h"

/* ---------------------------------------------------------------- the tree and open */

Test(fs, open_and_read_files, .init = setup)
{
	read_all_text("/etc/hosts", HOSTS);
	read_all_text("etc/hosts", HOSTS);
	read_all_text("/etc/hostlink", HOSTS);
	read_all_text("/abs", HOSTS);
	read_all_text("/lib/go/VERSION", VERSION);
	read_all_text("/usr/./lib/../lib/go//VERSION", VERSION);
	read_all_text("/../../etc/hosts", HOSTS);
	read_all_text("bin/hello", "hello binary");
}

Test(fs, relative_to_cwd_and_dirfd, .init = setup)
{
	fs_init(arch, arch_len, "/usr/lib");
	read_all_text("go/VERSION", VERSION);
	read_all_text("../../etc/hosts", HOSTS);
	long dfd = open_("/etc", O_RDONLY | O_DIRECTORY);
	cr_assert_geq(dfd, 3);
	char *buf = ualloc(64);
	long fd = open_at((int)dfd, "hosts", O_RDONLY);
	cr_assert_gt(fd, dfd);
	cr_assert_eq(read_((int)fd, buf, 9), 9);
	cr_assert_str_eq(buf, "127.0.0.1");
	/* An absolute path ignores dirfd, a relative one needs a folder fd. */
	cr_assert_geq(open_at(-5, "/etc/hosts", O_RDONLY), 0);
	cr_assert_eq(open_at(-5, "hosts", O_RDONLY), -EBADF);
	cr_assert_eq(open_at((int)fd, "hosts", O_RDONLY), -ENOTDIR);
	cr_assert_eq(open_at(200, "hosts", O_RDONLY), -EBADF);
}

Test(fs, open_errors, .init = setup)
{
	cr_assert_eq(open_("/nope", O_RDONLY), -ENOENT);
	cr_assert_eq(open_("/etc/nope/x", O_RDONLY), -ENOENT);
	cr_assert_eq(open_("/etc/hosts/x", O_RDONLY), -ENOTDIR);
	cr_assert_eq(open_("/etc/hosts/", O_RDONLY), -ENOTDIR);
	cr_assert_eq(open_("/loop1", O_RDONLY), -ELOOP);
	cr_assert_eq(open_("/dangling", O_RDONLY), -ENOENT);
	cr_assert_eq(open_("", O_RDONLY), -ENOENT);
	cr_assert_eq(open_("/etc/new/", O_WRONLY | O_CREAT), -EISDIR);
	cr_assert_eq(open_("/etc/hosts/new", O_WRONLY | O_CREAT), -ENOTDIR);
	cr_assert_eq(open_("/etc", O_RDONLY | O_CREAT), -EISDIR);
	cr_assert_eq(open_("/etc/t", O_RDWR | O_TMPFILE), -ENOTSUP);
	cr_assert_eq(open_("/nodir/new", O_WRONLY | O_CREAT), -ENOENT);
	cr_assert_eq(open_("/etc/hosts", O_RDONLY | O_CREAT | O_EXCL), -EEXIST);
	cr_assert_eq(open_("/etc/hosts", O_RDONLY | O_DIRECTORY), -ENOTDIR);
	cr_assert_eq(open_("/etc", O_RDWR), -EISDIR);
	cr_assert_eq(open_("/etc/hostlink", O_RDONLY | O_NOFOLLOW), -ELOOP);
	cr_assert_eq(open_("/lib/", O_RDONLY | O_DIRECTORY), 3);
	cr_assert_eq(SYS(sys_openat, CWD, BAD_PTR, 0, 0), -EFAULT);
	/* A name longer than PATH_MAX. */
	char *longp = ualloc(GORT_PATH_MAX + 10);
	memset(longp, 'a', GORT_PATH_MAX + 5);
	cr_assert_eq(SYS(sys_openat, CWD, U(longp), 0, 0), -ENAMETOOLONG);
	/* An existing file with O_CREAT opens as it is. */
	cr_assert_geq(open_("/etc/hosts", O_RDONLY | O_CREAT), 3);
}

Test(fs, lowest_free_fd, .init = setup)
{
	cr_assert_eq(open_("/etc/hosts", O_RDONLY), 3);
	cr_assert_eq(open_("/etc/hosts", O_RDONLY), 4);
	cr_assert_eq(open_("/etc/hosts", O_RDONLY), 5);
	cr_assert_eq(close_(4), 0);
	cr_assert_eq(close_(4), -EBADF);
	cr_assert_eq(close_(-1), -EBADF);
	cr_assert_eq(close_(100000), -EBADF);
	cr_assert_eq(open_("/etc/hosts", O_RDONLY), 4);
	cr_assert_eq(close_(1), 0);
	cr_assert_eq(open_("/etc/hosts", O_RDONLY), 1);
}

Test(fs, too_many_fds, .init = setup)
{
	for (int i = 3; i < GORT_MAX_FDS; i++)
		cr_assert_eq(open_("/etc/hosts", O_RDONLY), i);
	cr_assert_eq(open_("/etc/hosts", O_RDONLY), -EMFILE);
	cr_assert_eq(close_(77), 0);
	cr_assert_eq(open_("/etc/hosts", O_RDONLY), 77);
}

Test(fs, read_pread_lseek, .init = setup)
{
	char *buf = ualloc(20000);
	long fd = open_("/data/big", O_RDONLY);
	cr_assert_eq(read_((int)fd, buf, 100), 100);
	cr_assert_eq(memcmp(buf, big, 100), 0);
	cr_assert_eq(SYS(sys_pread64, (unsigned long)fd, U(buf), 50, 9000), 50);
	cr_assert_eq(memcmp(buf, big + 9000, 50), 0);
	cr_assert_eq(SYS(sys_pread64, (unsigned long)fd, U(buf), 50, 9990), 10);
	cr_assert_eq(SYS(sys_pread64, (unsigned long)fd, U(buf), 50, 20000), 0);
	cr_assert_eq(SYS(sys_pread64, (unsigned long)fd, U(buf), 50, (unsigned long)-1L), -EINVAL);
	/* pread left the offset alone. */
	cr_assert_eq(lseek_((int)fd, 0, SEEK_CUR), 100);
	cr_assert_eq(read_((int)fd, buf, 20000), 9900);
	cr_assert_eq(memcmp(buf, big + 100, 9900), 0);
	cr_assert_eq(lseek_((int)fd, -10, SEEK_END), 9990);
	cr_assert_eq(read_((int)fd, buf, 20000), 10);
	cr_assert_eq(lseek_((int)fd, 5, SEEK_SET), 5);
	cr_assert_eq(lseek_((int)fd, 5, SEEK_CUR), 10);
	cr_assert_eq(lseek_((int)fd, -11, SEEK_CUR), -EINVAL);
	cr_assert_eq(lseek_((int)fd, 0, 7), -EINVAL);
	cr_assert_eq(lseek_((int)fd, 50000, SEEK_SET), 50000);
	cr_assert_eq(read_((int)fd, buf, 10), 0);
	cr_assert_eq(lseek_(99, 0, SEEK_SET), -EBADF);
	cr_assert_eq(lseek_(1, 0, SEEK_SET), -ESPIPE);
}

Test(fs, read_write_errors, .init = setup)
{
	char *buf = ualloc(64);
	long fd = open_("/etc/hosts", O_RDONLY);
	cr_assert_eq(write_str((int)fd, "x"), -EBADF);
	cr_assert_eq(SYS(sys_read, (unsigned long)fd, BAD_PTR, 4), -EFAULT);
	cr_assert_eq(SYS(sys_read, (unsigned long)fd, U(buf), (unsigned long)-1L), -EFAULT);
	cr_assert_eq(read_(-1, buf, 4), -EBADF);
	cr_assert_eq(read_(1000, buf, 4), -EBADF);
	cr_assert_eq(read_(50, buf, 4), -EBADF);
	long dfd = open_("/etc", O_RDONLY);
	cr_assert_eq(read_((int)dfd, buf, 4), -EISDIR);
	cr_assert_eq(SYS(sys_pread64, (unsigned long)dfd, U(buf), 4, 0), -EISDIR);
	cr_assert_eq(SYS(sys_pread64, 0, U(buf), 4, 0), -ESPIPE);
	/* A huge count is cut to what the file has. */
	cr_assert_eq(SYS(sys_read, (unsigned long)fd, U(buf), 0x7fffffffUL), 20);
	/* A buffer that ends in unmapped memory gets the bytes before it. */
	cr_assert_eq(lseek_((int)fd, 0, SEEK_SET), 0);
	uint8_t *end = fake_user_mem + FAKE_USER_SIZE - 5;
	cr_assert_eq(SYS(sys_read, (unsigned long)fd, U(end), 20), 5);
	cr_assert_eq(memcmp(end, "127.0", 5), 0);
}

Test(fs, console, .init = setup_stdout)
{
	char *buf = ualloc(8);
	static char text[10001];
	for (size_t i = 0; i < sizeof(text) - 1; i++)
		text[i] = (char)('a' + i % 26);
	cr_assert_eq(read_(0, buf, 8), 0);
	cr_assert_eq(write_str(1, "hello "), 6);
	cr_assert_eq(write_str(2, "world\n"), 6);
	cr_assert_eq(SYS(sys_write, 1, BAD_PTR, 3), -EFAULT);
	cr_assert_eq(write_str(1, ""), 0);
	cr_assert_eq(SYS(sys_ioctl, 1, TCGETS, U(buf)), -ENOTTY);
	cr_assert_eq(SYS(sys_ioctl, 77, TCGETS, U(buf)), -EBADF);
	struct linux_stat *st = ualloc(sizeof(*st));
	cr_assert_eq(SYS(sys_fstat, 1, U(st)), 0);
	cr_assert_eq(st->st_mode & S_IFMT, S_IFCHR);
	/* A long write arrives whole. */
	cr_assert_eq(write_str(1, text), 10000);
	fflush(stdout);
	static char want[10013];
	snprintf(want, sizeof(want), "hello %s", text);
	cr_assert_stdout_eq_str(want);
	cr_assert_stderr_eq_str("world\n", "fd 2 is the console's error stream");
}

/* ---------------------------------------------------------------- stat */

Test(fs, fstat_and_newfstatat, .init = setup)
{
	struct linux_stat *st = ualloc(sizeof(*st));
	unsigned long ust = U(st);
	long fd = open_("/data/big", O_RDONLY);
	cr_assert_eq(SYS(sys_fstat, (unsigned long)fd, ust), 0);
	cr_assert_eq(st->st_mode, S_IFREG | 0600);
	cr_assert_eq(st->st_size, 10000);
	cr_assert_eq(st->st_blksize, 4096);
	cr_assert_eq(st->st_blocks, 20);
	cr_assert_eq(st->st_nlink, 1);
	cr_assert_eq(st->st_mtime_sec, 1700000000);
	uint64_t ino = st->st_ino;
	cr_assert_eq(SYS(sys_fstat, (unsigned long)fd, BAD_PTR), -EFAULT);
	cr_assert_eq(SYS(sys_fstat, 99, ust), -EBADF);

	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("data/big"), ust, 0), 0);
	cr_assert_eq(st->st_ino, ino);
	/* Follows links unless asked not to. */
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("/abs"), ust, 0), 0);
	cr_assert_eq(st->st_mode, S_IFREG | 0644);
	cr_assert_eq(st->st_size, (long)strlen(HOSTS));
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("/abs"), ust, AT_SYMLINK_NOFOLLOW), 0);
	cr_assert_eq(st->st_mode & S_IFMT, S_IFLNK);
	cr_assert_eq(st->st_size, 10);
	/* Folders: the mode of their entry (or 0755 if implicit), links 2 + subfolders. */
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("/usr"), ust, 0), 0);
	cr_assert_eq(st->st_mode, S_IFDIR | 0755);
	cr_assert_eq(st->st_nlink, 4);
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("/usr/share/doc"), ust, 0), 0);
	cr_assert_eq(st->st_mode, S_IFDIR | 0700);
	cr_assert_eq(st->st_nlink, 2);
	/* AT_EMPTY_PATH stats the fd itself. */
	cr_assert_eq(SYS(sys_newfstatat, (unsigned long)fd, UP(""), ust, AT_EMPTY_PATH), 0);
	cr_assert_eq(st->st_ino, ino);
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP(""), ust, AT_EMPTY_PATH), 0);
	cr_assert_eq(st->st_mode & S_IFMT, S_IFDIR);
	cr_assert_eq(SYS(sys_newfstatat, (unsigned long)fd, UP(""), ust, 0), -ENOENT);
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("/x"), ust, 0), -ENOENT);
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("/"), ust, 0x4), -EINVAL);
	cr_assert_eq(SYS(sys_newfstatat, CWD, BAD_PTR, ust, 0), -EFAULT);
}

/* ---------------------------------------------------------------- folders */

Test(fs, getdents64, .init = setup)
{
	struct ents e;
	long fd = open_("/", O_RDONLY | O_DIRECTORY);
	read_dir((int)fd, 4096, &e);
	/* The archive's order, then /tmp, which gort adds. */
	const char *want[] = {".",   "..",    "etc",   "bin",	   "usr",  "lib",
			      "abs", "loop1", "loop2", "dangling", "data", "tmp"};
	cr_assert_eq(e.n, 12);
	for (int i = 0; i < 12; i++)
		cr_assert_str_eq(e.name[i], want[i]);
	cr_assert_eq(e.type[find_ent(&e, ".")], DT_DIR);
	cr_assert_eq(e.type[find_ent(&e, "etc")], DT_DIR);
	cr_assert_eq(e.type[find_ent(&e, "lib")], DT_LNK);
	/* At the end it stays at the end; seeking to 0 starts again. */
	uint8_t *buf = ualloc(512);
	struct linux_dirent64 *d = (struct linux_dirent64 *)buf;
	cr_assert_eq(SYS(sys_getdents64, (unsigned long)fd, U(buf), 512), 0);
	cr_assert_eq(lseek_((int)fd, 0, SEEK_SET), 0);
	read_dir((int)fd, 32, &e); /* one record per call */
	cr_assert_eq(e.n, 12);
	cr_assert_eq(lseek_((int)fd, 0, SEEK_SET), 0);
	cr_assert_eq(SYS(sys_getdents64, (unsigned long)fd, U(buf), 16), -EINVAL);
	cr_assert_eq(SYS(sys_getdents64, (unsigned long)fd, BAD_PTR, 512), -EFAULT);

	/* d_off lets a program come back to an entry. */
	cr_assert_eq(SYS(sys_getdents64, (unsigned long)fd, U(buf), 24), 24);
	cr_assert_eq(SYS(sys_getdents64, (unsigned long)fd, U(buf), 24), 24);
	int64_t off = d->d_off;
	cr_assert_eq(lseek_((int)fd, off, SEEK_SET), off);
	cr_assert_gt(SYS(sys_getdents64, (unsigned long)fd, U(buf), 24), 0);
	cr_assert_str_eq(d->d_name, "etc");
	cr_assert_eq(lseek_((int)fd, 0, SEEK_END), -EINVAL);

	long dfd = open_("/usr/lib/go", O_RDONLY);
	read_dir((int)dfd, 4096, &e);
	cr_assert_eq(e.n, 3);
	cr_assert_eq(e.type[2], DT_REG);
	cr_assert_str_eq(e.name[2], "VERSION");

	long ffd = open_("/etc/hosts", O_RDONLY);
	cr_assert_eq(SYS(sys_getdents64, (unsigned long)ffd, U(buf), 512), -ENOTDIR);
	cr_assert_eq(SYS(sys_getdents64, 99, U(buf), 512), -EBADF);
}

Test(fs, getcwd_and_chdir, .init = setup)
{
	char *buf = ualloc(64);
	cr_assert_eq(SYS(sys_getcwd, U(buf), 64), 2);
	cr_assert_str_eq(buf, "/");
	fs_init(arch, arch_len, "/lib/go"); /* through the link */
	cr_assert_eq(SYS(sys_getcwd, U(buf), 64), 12);
	cr_assert_str_eq(buf, "/usr/lib/go");
	cr_assert_eq(SYS(sys_getcwd, U(buf), 12), 12);
	cr_assert_eq(SYS(sys_getcwd, U(buf), 11), -ERANGE);
	cr_assert_eq(SYS(sys_getcwd, U(buf), 0), -ERANGE);
	cr_assert_eq(SYS(sys_getcwd, BAD_PTR, 64), -EFAULT);
	cr_assert_eq(SYS(sys_chdir, UP("../../share")), 0);
	cr_assert_eq(SYS(sys_getcwd, U(buf), 64), 11);
	cr_assert_str_eq(buf, "/usr/share");
	cr_assert_eq(SYS(sys_chdir, UP("/etc/hosts")), -ENOTDIR);
	long fd = open_("/etc", O_RDONLY);
	cr_assert_eq(SYS(sys_fchdir, (unsigned long)fd), 0);
	read_all_text("hosts", HOSTS);
}

/* ---------------------------------------------------------------- access and links */

Test(fs, faccessat, .init = setup)
{
	cr_assert_eq(SYS(sys_faccessat, CWD, UP("/etc/hosts"), F_OK), 0);
	cr_assert_eq(SYS(sys_faccessat, CWD, UP("/etc/hosts"), R_OK), 0);
	cr_assert_eq(SYS(sys_faccessat, CWD, UP("/etc/hosts"), W_OK), 0); /* root writes */
	cr_assert_eq(SYS(sys_faccessat, CWD, UP("/etc/hosts"), R_OK | W_OK), 0);
	cr_assert_eq(SYS(sys_faccessat, CWD, UP("/etc/hosts"), X_OK), -EACCES);
	cr_assert_eq(SYS(sys_faccessat, CWD, UP("/bin/hello"), X_OK), 0);
	cr_assert_eq(SYS(sys_faccessat, CWD, UP("/etc"), X_OK), 0);
	cr_assert_eq(SYS(sys_faccessat, CWD, UP("/nope"), F_OK), -ENOENT);
	cr_assert_eq(SYS(sys_faccessat, CWD, UP("/dangling"), F_OK), -ENOENT);
	cr_assert_eq(SYS(sys_faccessat, CWD, UP("/etc/hosts"), 8), -EINVAL);
	cr_assert_eq(SYS(sys_faccessat, CWD, BAD_PTR, F_OK), -EFAULT);
}

Test(fs, readlinkat, .init = setup)
{
	char *buf = ualloc(64);
	cr_assert_eq(SYS(sys_readlinkat, CWD, UP("/lib"), U(buf), 64), 7);
	cr_assert_eq(memcmp(buf, "usr/lib", 7), 0);
	memset(buf, 0, 64);
	cr_assert_eq(SYS(sys_readlinkat, CWD, UP("/abs"), U(buf), 4), 4);
	cr_assert_str_eq(buf, "/etc");
	long dfd = open_("/etc", O_RDONLY);
	cr_assert_eq(SYS(sys_readlinkat, (unsigned long)dfd, UP("hostlink"), U(buf), 64), 5);
	cr_assert_eq(SYS(sys_readlinkat, CWD, UP("/etc/hosts"), U(buf), 64), -EINVAL);
	cr_assert_eq(SYS(sys_readlinkat, CWD, UP("/lib"), U(buf), 0), -EINVAL);
	cr_assert_eq(SYS(sys_readlinkat, CWD, UP("/nope"), U(buf), 64), -ENOENT);
	cr_assert_eq(SYS(sys_readlinkat, CWD, UP("/lib"), BAD_PTR, 64), -EFAULT);
	fs_set_exe("/bin/hello");
	memset(buf, 0, 64);
	cr_assert_eq(SYS(sys_readlinkat, CWD, UP("/proc/self/exe"), U(buf), 64), 10);
	cr_assert_str_eq(buf, "/bin/hello");
}

Test(fs, file_data, .init = setup)
{
	size_t size = 0;
	const char *p = fs_file_data("/lib/go/VERSION", &size);
	cr_assert_not_null(p);
	cr_assert_eq(size, strlen(VERSION));
	cr_assert_eq(memcmp(p, VERSION, size), 0);
	/* In place: the data is in the archive. */
	cr_assert(p >= (const char *)arch && p < (const char *)arch + arch_len);
	cr_assert_null(fs_file_data("/etc", &size));
	cr_assert_null(fs_file_data("/nope", &size));
}

/* ---------------------------------------------------------------- fcntl, dup, ioctl */

Test(fs, fcntl_and_dup, .init = setup)
{
	long fd = open_("/etc/hosts", O_RDONLY | O_CLOEXEC);
	cr_assert_eq(fcntl_((int)fd, F_GETFD, 0), FD_CLOEXEC);
	cr_assert_eq(fcntl_((int)fd, F_SETFD, 0), 0);
	cr_assert_eq(fcntl_((int)fd, F_GETFD, 0), 0);
	cr_assert_eq(fcntl_((int)fd, F_GETFL, 0) & (O_ACCMODE | O_NONBLOCK), O_RDONLY);
	cr_assert_eq(fcntl_((int)fd, F_SETFL, O_NONBLOCK), 0);
	cr_assert_eq(fcntl_((int)fd, F_GETFL, 0) & O_NONBLOCK, O_NONBLOCK);
	/* F_DUPFD takes the lowest free fd >= arg, sharing offset and status flags. */
	long d = fcntl_((int)fd, F_DUPFD_CLOEXEC, 10);
	cr_assert_eq(d, 10);
	cr_assert_eq(fcntl_((int)d, F_GETFD, 0), FD_CLOEXEC);
	cr_assert_eq(fcntl_((int)d, F_GETFL, 0) & O_NONBLOCK, O_NONBLOCK);
	cr_assert_eq(fcntl_((int)fd, F_DUPFD, 10), 11);
	cr_assert_eq(fcntl_((int)fd, F_DUPFD, 0), 4);
	cr_assert_eq(fcntl_((int)fd, F_DUPFD, GORT_MAX_FDS), -EINVAL);
	char *buf = ualloc(8);
	cr_assert_eq(read_((int)fd, buf, 4), 4);
	cr_assert_eq(lseek_((int)d, 0, SEEK_CUR), 4);
	cr_assert_eq(close_((int)fd), 0);
	cr_assert_eq(read_((int)d, buf, 4), 4);
	cr_assert_eq(fcntl_((int)d, 9999, 0), -EINVAL);
	cr_assert_eq(fcntl_(99, F_GETFD, 0), -EBADF);
	/* dup3 replaces the target; dup takes the lowest. */
	cr_assert_eq(SYS(sys_dup3, (unsigned long)d, 1, O_CLOEXEC), 1);
	cr_assert_eq(fcntl_(1, F_GETFD, 0), FD_CLOEXEC);
	cr_assert_eq(read_(1, buf, 4), 4);
	cr_assert_eq(SYS(sys_dup3, (unsigned long)d, (unsigned long)d, 0), -EINVAL);
	cr_assert_eq(SYS(sys_dup3, 99, 5, 0), -EBADF);
	cr_assert_eq(SYS(sys_dup, 0), 3);
	cr_assert_eq(read_(3, buf, 4), 0); /* the console */
	/* ioctl FIONBIO, FIONCLEX, FIONREAD. */
	int *on = ualloc(sizeof(int)), *n = ualloc(sizeof(int));
	cr_assert_eq(SYS(sys_ioctl, (unsigned long)d, FIONBIO, U(on)), 0);
	cr_assert_eq(fcntl_((int)d, F_GETFL, 0) & O_NONBLOCK, 0);
	cr_assert_eq(SYS(sys_ioctl, (unsigned long)d, FIONCLEX, 0), 0);
	cr_assert_eq(fcntl_((int)d, F_GETFD, 0), 0);
	cr_assert_eq(SYS(sys_ioctl, (unsigned long)d, FIONREAD, U(n)), 0);
	cr_assert_eq(*n, (int)strlen(HOSTS) - 12);
}

/* ---------------------------------------------------------------- pipes */

static int *make_pipe(int flags)
{
	int *fds = ualloc(2 * sizeof(int));
	cr_assert_eq(SYS(sys_pipe2, U(fds), (unsigned long)flags), 0);
	return fds;
}

Test(fs, pipe_basics, .init = setup)
{
	char *buf = ualloc(64);
	int *p = make_pipe(O_CLOEXEC);
	cr_assert_eq(p[0], 3);
	cr_assert_eq(p[1], 4);
	cr_assert_eq(fcntl_(3, F_GETFD, 0), FD_CLOEXEC);
	cr_assert_eq(write_str(p[1], "abc"), 3);
	cr_assert_eq(write_str(p[1], "def"), 3);
	int *n = ualloc(sizeof(int));
	cr_assert_eq(SYS(sys_ioctl, (unsigned long)p[0], FIONREAD, U(n)), 0);
	cr_assert_eq(*n, 6);
	cr_assert_eq(read_(p[0], buf, 4), 4);
	cr_assert_str_eq(buf, "abcd");
	cr_assert_eq(read_(p[0], buf, 64), 2);
	cr_assert_eq(write_str(p[0], "x"), -EBADF);
	cr_assert_eq(read_(p[1], buf, 1), -EBADF);
	cr_assert_eq(lseek_(p[0], 0, SEEK_SET), -ESPIPE);
	cr_assert_eq(SYS(sys_pread64, (unsigned long)p[0], U(buf), 1, 0), -ESPIPE);
	struct linux_stat *st = ualloc(sizeof(*st));
	cr_assert_eq(SYS(sys_fstat, (unsigned long)p[0], U(st)), 0);
	cr_assert_eq(st->st_mode & S_IFMT, S_IFIFO);
	cr_assert_eq(fcntl_(p[0], F_GETPIPE_SZ, 0), GORT_PIPE_SIZE);
	/* End of file once the writer is gone, after the data. */
	cr_assert_eq(write_str(p[1], "zz"), 2);
	cr_assert_eq(close_(p[1]), 0);
	cr_assert_eq(read_(p[0], buf, 64), 2);
	cr_assert_eq(read_(p[0], buf, 64), 0);
	cr_assert_eq(close_(p[0]), 0);
	cr_assert_eq(SYS(sys_pipe2, BAD_PTR, 0), -EFAULT);
	cr_assert_eq(SYS(sys_pipe2, U(p), 0x1), -EINVAL);
	/* The failed calls left no fds or pipes behind. */
	p = make_pipe(0);
	cr_assert_eq(p[0], 3);
	for (int i = 1; i < GORT_MAX_PIPES; i++)
		make_pipe(0);
	cr_assert_eq(SYS(sys_pipe2, U(p), 0), -ENFILE);
}

Test(fs, pipe_epipe_and_nonblocking, .init = setup)
{
	char *buf = ualloc(GORT_PIPE_SIZE + 100);
	int *p = make_pipe(O_NONBLOCK);
	cr_assert_eq(read_(p[0], buf, 10), -EAGAIN);
	cr_assert_eq(write_(p[1], buf, 4000), 4000);
	/* At most PIPE_BUF bytes: all or nothing. More: what fits. */
	cr_assert_eq(write_(p[1], buf, 200), -EAGAIN);
	cr_assert_eq(write_(p[1], buf, GORT_PIPE_SIZE + 100), 96);
	cr_assert_eq(write_(p[1], buf, GORT_PIPE_SIZE + 100), -EAGAIN);
	cr_assert_eq(read_(p[0], buf, GORT_PIPE_SIZE + 100), GORT_PIPE_SIZE);
	cr_assert_eq(close_(p[0]), 0);
	cr_assert_eq(write_str(p[1], "x"), -EPIPE);
	cr_assert_eq(T.state, T_RUNNING);
	/* Blocking calls that need not wait do not. */
	p = make_pipe(0);
	cr_assert_eq(write_str(p[1], "ab"), 2);
	cr_assert_eq(read_(p[0], buf, 10), 2);
	cr_assert_eq(T.state, T_RUNNING);
	/* F_SETFL O_NONBLOCK on a blocking pipe. */
	cr_assert_eq(fcntl_(p[0], F_SETFL, O_NONBLOCK), 0);
	cr_assert_eq(read_(p[0], buf, 10), -EAGAIN);
}

Test(fs, pipe_blocking_read_woken_by_write, .init = setup)
{
	char *buf = ualloc(64);
	int *p = make_pipe(0);
	cr_assert_eq(read_(p[0], buf, 64), SYSCALL_BLOCKED);
	cr_assert_eq(T.state, T_BLOCKED);
	cr_assert(T.interruptible);
	cr_assert_eq(T.deadline, ~0ULL);
	/* Another thread writes: the reader gets the data and its count. */
	cr_assert_eq(SYS_T(&T2, sys_write, (unsigned long)p[1], UP("hello"), 5), 5);
	cr_assert_eq(T.state, T_RUNNABLE);
	cr_assert_eq(result(&T), 5);
	cr_assert_str_eq(buf, "hello");
	resume(&T);
	/* The data went to the reader, none is left. */
	int *n = ualloc(sizeof(int));
	cr_assert_eq(SYS(sys_ioctl, (unsigned long)p[0], FIONREAD, U(n)), 0);
	cr_assert_eq(*n, 0);
	/* A reader a signal interrupted is not served later. */
	cr_assert_eq(read_(p[0], buf, 64), SYSCALL_BLOCKED);
	thread_wake(&T, -EINTR); /* what signal_send does to an interruptible wait */
	resume(&T);
	int wakes = fake_log.wakes;
	cr_assert_eq(SYS_T(&T2, sys_write, (unsigned long)p[1], UP("abc"), 3), 3);
	cr_assert_eq(fake_log.wakes, wakes);
	cr_assert_eq(read_(p[0], buf, 64), 3);
	/* Two blocked readers are served in order. */
	char *buf2 = ualloc(64);
	cr_assert_eq(read_(p[0], buf, 2), SYSCALL_BLOCKED);
	cr_assert_eq(SYS_T(&T2, sys_read, (unsigned long)p[0], U(buf2), 64), SYSCALL_BLOCKED);
	cr_assert_eq(write_str(p[1], "wxyz"), 4); /* by a third party, say */
	cr_assert_eq(result(&T), 2);
	cr_assert_eq(result(&T2), 2);
	cr_assert_eq(memcmp(buf, "wx", 2), 0);
	cr_assert_eq(memcmp(buf2, "yz", 2), 0);
	resume(&T);
	resume(&T2);
	/* A blocked reader sees end of file when the last writer closes. */
	cr_assert_eq(read_(p[0], buf, 64), SYSCALL_BLOCKED);
	cr_assert_eq(SYS_T(&T2, sys_close, (unsigned long)p[1]), 0);
	cr_assert_eq(result(&T), 0);
}

Test(fs, pipe_blocking_write, .init = setup)
{
	char *src = ualloc(6000), *dst = ualloc(6000);
	for (size_t i = 0; i < 6000; i++)
		src[i] = (char)(i % 253);
	int *p = make_pipe(0);
	/* A write longer than the pipe takes what fits, then waits, uninterruptibly. */
	cr_assert_eq(write_(p[1], src, 6000), SYSCALL_BLOCKED);
	cr_assert_not(T.interruptible);
	cr_assert_eq(SYS_T(&T2, sys_read, (unsigned long)p[0], U(dst), 6000), GORT_PIPE_SIZE);
	/* The rest went in and the writer is done. */
	cr_assert_eq(T.state, T_RUNNABLE);
	cr_assert_eq(result(&T), 6000);
	resume(&T);
	cr_assert_eq(SYS_T(&T2, sys_read, (unsigned long)p[0], U(dst + GORT_PIPE_SIZE), 6000),
		     6000 - GORT_PIPE_SIZE);
	cr_assert_eq(memcmp(src, dst, 6000), 0);

	/* A short write into a full pipe waits for room for all of it. */
	cr_assert_eq(write_(p[1], src, GORT_PIPE_SIZE - 10), GORT_PIPE_SIZE - 10);
	cr_assert_eq(write_str(p[1], "0123456789AB"), SYSCALL_BLOCKED);
	cr_assert(T.interruptible);
	cr_assert_eq(SYS_T(&T2, sys_read, (unsigned long)p[0], U(dst), 1), 1);
	cr_assert_eq(T.state, T_BLOCKED);
	cr_assert_eq(SYS_T(&T2, sys_read, (unsigned long)p[0], U(dst), 1), 1);
	cr_assert_eq(result(&T), 12);
	resume(&T);
	/* A writer waiting when the reader goes away gets EPIPE. */
	cr_assert_eq(write_str(p[1], "x"), SYSCALL_BLOCKED);
	cr_assert_eq(SYS_T(&T2, sys_close, (unsigned long)p[0]), 0);
	cr_assert_eq(result(&T), -EPIPE);
}

/* ---------------------------------------------------------------- eventfd */

Test(fs, eventfd, .init = setup)
{
	uint64_t *v = ualloc(8);
	long fd = SYS(sys_eventfd2, 3, EFD_NONBLOCK | EFD_CLOEXEC);
	cr_assert_geq(fd, 3);
	cr_assert_eq(fcntl_((int)fd, F_GETFD, 0), FD_CLOEXEC);
	cr_assert_eq(read_((int)fd, v, 8), 8);
	cr_assert_eq(*v, 3);
	cr_assert_eq(read_((int)fd, v, 8), -EAGAIN);
	*v = 5;
	cr_assert_eq(write_((int)fd, v, 8), 8);
	cr_assert_eq(write_((int)fd, v, 8), 8);
	cr_assert_eq(read_((int)fd, v, 4), -EINVAL);
	cr_assert_eq(read_((int)fd, v, 8), 8);
	cr_assert_eq(*v, 10);
	*v = ~0ULL;
	cr_assert_eq(write_((int)fd, v, 8), -EINVAL);
	*v = ~0ULL - 1;
	cr_assert_eq(write_((int)fd, v, 8), 8);
	*v = 1;
	cr_assert_eq(write_((int)fd, v, 8), -EAGAIN);
	cr_assert_eq(SYS(sys_write, (unsigned long)fd, BAD_PTR, 8), -EFAULT);
	cr_assert_eq(SYS(sys_eventfd2, 0, 0x40), -EINVAL);
	cr_assert_eq(lseek_((int)fd, 0, SEEK_SET), -ESPIPE);

	long sem = SYS(sys_eventfd2, 2, EFD_SEMAPHORE);
	cr_assert_eq(read_((int)sem, v, 8), 8);
	cr_assert_eq(*v, 1);
	cr_assert_eq(read_((int)sem, v, 8), 8);
	cr_assert_eq(*v, 1);
	/* Blocks at 0; a write wakes it with the value. */
	cr_assert_eq(read_((int)sem, v, 8), SYSCALL_BLOCKED);
	uint64_t *w = ualloc(8);
	*w = 7;
	*v = 0;
	cr_assert_eq(SYS_T(&T2, sys_write, (unsigned long)sem, U(w), 8), 8);
	cr_assert_eq(result(&T), 8);
	cr_assert_eq(*v, 1);
	resume(&T);
	cr_assert_eq(read_((int)sem, v, 8), 8);
	cr_assert_eq(*v, 1);
	/* A writer that would overflow waits for a read. */
	long full = SYS(sys_eventfd2, 0, 0);
	*w = ~0ULL - 1;
	cr_assert_eq(write_((int)full, w, 8), 8);
	*w = 2;
	cr_assert_eq(write_((int)full, w, 8), SYSCALL_BLOCKED);
	cr_assert_eq(SYS_T(&T2, sys_read, (unsigned long)full, U(v), 8), 8);
	cr_assert_eq(*v, ~0ULL - 1);
	cr_assert_eq(result(&T), 8);
	resume(&T);
	cr_assert_eq(read_((int)full, v, 8), 8);
	cr_assert_eq(*v, 2);
}

/* ---------------------------------------------------------------- epoll */

Test(fs, epoll_level_triggered, .init = setup)
{
	struct linux_epoll_event *evs = ep_events(4);
	char *buf = ualloc(8);
	long ep = SYS(sys_epoll_create1, EPOLL_CLOEXEC);
	cr_assert_geq(ep, 3);
	cr_assert_eq(fcntl_((int)ep, F_GETFD, 0), FD_CLOEXEC);
	int *p = make_pipe(O_NONBLOCK);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 42), 0);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0);
	cr_assert_eq(write_str(p[1], "x"), 1);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1);
		cr_assert_eq(evs[0].events, EPOLLIN);
		cr_assert_eq(evs[0].data, 42);
	}
	cr_assert_eq(read_(p[0], buf, 8), 1);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0);
	/* The write end is writable at once; both are reported. */
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, p[1], EPOLLOUT, 43), 0);
	cr_assert_eq(write_str(p[1], "x"), 1);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 2);
	/* One slot: they take turns. */
	cr_assert_eq(ep_wait((int)ep, evs, 1, 0), 1);
	uint64_t first = evs[0].data;
	cr_assert_eq(ep_wait((int)ep, evs, 1, 0), 1);
	cr_assert_neq(evs[0].data, first);
	/* MOD changes what is watched, DEL stops it. */
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_MOD, p[1], EPOLLIN, 44), 0);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1);
	cr_assert_eq(evs[0].data, 42);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_DEL, p[0], 0, 0), 0);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_DEL, p[0], 0, 0), -ENOENT);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0);
	/* The reader gone, the write end reports an error whatever it watches. */
	cr_assert_eq(close_(p[0]), 0);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1);
	cr_assert_eq(evs[0].events, EPOLLERR);
}

Test(fs, epoll_edge_triggered_and_oneshot, .init = setup)
{
	struct linux_epoll_event *evs = ep_events(4);
	char *buf = ualloc(8);
	long ep = SYS(sys_epoll_create1, 0);
	int *p = make_pipe(O_NONBLOCK);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLRDHUP | EPOLLET, 1), 0);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0);
	cr_assert_eq(write_str(p[1], "a"), 1);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1);
	cr_assert_eq(evs[0].events, EPOLLIN);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0); /* still readable, but no new edge */
	cr_assert_eq(write_str(p[1], "b"), 1);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1); /* new data is an edge, as in Linux */
	cr_assert_eq(read_(p[0], buf, 8), 2);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0);
	/* Closing the writer is an edge: hang-up. */
	cr_assert_eq(close_(p[1]), 0);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1);
	cr_assert_eq(evs[0].events, EPOLLHUP);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0);

	long efd = SYS(sys_eventfd2, 0, EFD_NONBLOCK);
	uint64_t *v = ualloc(8);
	*v = 1;
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, (int)efd, EPOLLIN | EPOLLONESHOT, 9), 0);
	cr_assert_eq(write_((int)efd, v, 8), 8);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1);
	cr_assert_eq(evs[0].data, 9);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0); /* disabled after one report */
	cr_assert_eq(write_((int)efd, v, 8), 8);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_MOD, (int)efd, EPOLLIN | EPOLLONESHOT, 10), 0);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 1);
	cr_assert_eq(evs[0].data, 10);
}

/* What Go's netpoller does: a non-blocking pipe watched edge-triggered, a wait without timeout. */
Test(fs, epoll_blocks_until_a_pipe_write, .init = setup)
{
	struct linux_epoll_event *evs = ep_events(4);
	long ep = SYS(sys_epoll_create1, 0);
	int *p = make_pipe(O_NONBLOCK);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
			    0x1234567890ULL),
		     0);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 50), SYSCALL_BLOCKED);
	cr_assert_eq(T.state, T_BLOCKED);
	cr_assert_eq(T.deadline, 1000 + 500000); /* 50 ms at 10 MHz */
	cr_assert_eq(T.timeout_result, 0);
	cr_assert(T.interruptible);
	/* The write, by another thread, copies the events out and wakes the waiter. */
	cr_assert_eq(SYS_T(&T2, sys_write, (unsigned long)p[1], UP("x"), 1), 1);
	cr_assert_eq(T.state, T_RUNNABLE);
	cr_assert_eq(result(&T), 1);
	cr_assert_eq(evs[0].events, EPOLLIN);
	cr_assert_eq(evs[0].data, 0x1234567890ULL);
	resume(&T);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 0), 0); /* that edge was reported */

	/* No timeout: no deadline. A timeout ends the wait with 0 and no later wake comes. */
	cr_assert_eq(ep_wait((int)ep, evs, 4, -1), SYSCALL_BLOCKED);
	cr_assert_eq(T.deadline, ~0ULL);
	thread_wake(&T, T.timeout_result); /* what the scheduler does at the deadline */
	resume(&T);
	int wakes = fake_log.wakes;
	cr_assert_eq(SYS_T(&T2, sys_write, (unsigned long)p[1], UP("y"), 1), 1);
	cr_assert_eq(fake_log.wakes, wakes);
	/* Registering a ready file wakes a waiter too. */
	long efd = SYS(sys_eventfd2, 1, 0);
	cr_assert_eq(ep_wait((int)ep, evs, 4, 10), 1); /* "y" is a new edge */
	cr_assert_eq(ep_wait((int)ep, evs, 4, 10), SYSCALL_BLOCKED);
	struct linux_epoll_event *ev = ep_events(1);
	ev->events = EPOLLIN;
	ev->data = 5;
	cr_assert_eq(
	    SYS_T(&T2, sys_epoll_ctl, (unsigned long)ep, EPOLL_CTL_ADD, (unsigned long)efd, U(ev)),
	    0);
	cr_assert_eq(result(&T), 1);
	cr_assert_eq(evs[0].data, 5);
}

Test(fs, epoll_waiter_with_a_bad_buffer_gets_efault, .init = setup)
{
	long ep = SYS(sys_epoll_create1, 0);
	int *p = make_pipe(O_NONBLOCK);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0), 0);
	cr_assert_eq(SYS(sys_epoll_pwait, (unsigned long)ep, BAD_PTR, 4, (unsigned long)-1L, 0, 8),
		     SYSCALL_BLOCKED);
	cr_assert_eq(SYS_T(&T2, sys_write, (unsigned long)p[1], UP("x"), 1), 1);
	cr_assert_eq(result(&T), -EFAULT);
}

Test(fs, epoll_errors, .init = setup)
{
	struct linux_epoll_event *evs = ep_events(2);
	long ep = SYS(sys_epoll_create1, 0);
	int *p = make_pipe(0);
	long file = open_("/etc/hosts", O_RDONLY);
	long dir = open_("/etc", O_RDONLY);
	long ep2 = SYS(sys_epoll_create1, 0);
	cr_assert_eq(SYS(sys_epoll_create1, 1), -EINVAL);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, (int)file, EPOLLIN, 0), -EPERM);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, (int)dir, EPOLLIN, 0), -EPERM);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, (int)ep2, EPOLLIN, 0), -EPERM);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, (int)ep, EPOLLIN, 0), -EINVAL);
	cr_assert_eq(ep_ctl(p[0], EPOLL_CTL_ADD, p[1], EPOLLIN, 0), -EINVAL);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, 99, EPOLLIN, 0), -EBADF);
	cr_assert_eq(ep_ctl(99, EPOLL_CTL_ADD, p[0], EPOLLIN, 0), -EBADF);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 0), -ENOENT);
	cr_assert_eq(ep_ctl((int)ep, 7, p[0], EPOLLIN, 0), -EINVAL);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0), 0);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0), -EEXIST);
	cr_assert_eq(
	    SYS(sys_epoll_ctl, (unsigned long)ep, EPOLL_CTL_ADD, (unsigned long)p[1], BAD_PTR),
	    -EFAULT);
	cr_assert_eq(ep_wait((int)ep, evs, 0, 0), -EINVAL);
	cr_assert_eq(ep_wait(99, evs, 2, 0), -EBADF);
	cr_assert_eq(ep_wait(p[0], evs, 2, 0), -EINVAL);
	cr_assert_eq(read_((int)ep, evs, 2), -EINVAL);
	/* Closing a watched file takes it out of the set. */
	cr_assert_eq(write_str(p[1], "x"), 1);
	cr_assert_eq(ep_wait((int)ep, evs, 2, 0), 1);
	cr_assert_eq(close_(p[0]), 0);
	cr_assert_eq(ep_wait((int)ep, evs, 2, 0), 0);
	/* Closing the epoll ends its waits. */
	cr_assert_eq(ep_wait((int)ep, evs, 2, -1), SYSCALL_BLOCKED);
	cr_assert_eq(SYS_T(&T2, sys_close, (unsigned long)ep), 0);
	cr_assert_eq(result(&T), 0);
}

/* ---------------------------------------------------------------- archives */

Test(fs, missing_cwd_is_fatal, .init = setup, .exit_code = 1)
{
	fs_init(arch, arch_len, "/nope");
}

Test(fs, bad_magic_is_fatal, .init = setup, .exit_code = 1)
{
	arch[3] = 'x';
	fs_init(arch, arch_len, "/");
}

Test(fs, truncated_archive_is_fatal, .init = setup, .exit_code = 1)
{
	fs_init(arch, 200, "/");
}

Test(fs, too_many_nodes_is_fatal, .init = setup, .exit_code = 1)
{
	arch_len = 0;
	char name[32];
	for (int i = 0; i < GORT_MAX_NODES; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		cpio_file(name, 0644, "");
	}
	cpio_end();
	fs_init(arch, arch_len, "/");
}

Test(fs, no_archive_is_an_empty_root, .init = setup)
{
	struct ents e;
	fs_init(NULL, 0, NULL);
	read_dir((int)open_("/", O_RDONLY), 4096, &e);
	cr_assert_eq(e.n, 3); /* ".", "..", "tmp" */
	/* A later entry for a path replaces the earlier one. */
	build_tree();
	arch_len -= 124; /* drop the trailer (110 + "TRAILER!!!\0", padded) */
	cpio_file("etc/hosts", 0644, "new");
	cpio_end();
	fs_init(arch, arch_len, "/");
	read_all_text("/etc/hosts", "new");
}

/* ---------------------------------------------------------------- devices */

/* What the fake device saw. */
static struct {
	int writes, ioctls;
	struct thread *t;
	uintptr_t uva;
	size_t n;
	unsigned cmd;
	uintptr_t arg;
} seen;

static long fake_write(const struct gort_dev *d, struct thread *t, uintptr_t uva, size_t n)
{
	seen.writes++;
	seen.t = t, seen.uva = uva, seen.n = n;
	return n > 3 ? 3 : (long)n; /* a short write, to see the device's count come back */
}

static long fake_ioctl(const struct gort_dev *d, struct thread *t, unsigned cmd, uintptr_t arg)
{
	seen.ioctls++;
	seen.t = t, seen.cmd = cmd, seen.arg = arg;
	return cmd == 0x1234 ? 42 : -ENOTTY;
}

static const struct gort_dev fake_dev = {
    .name = "fake", .major = 10, .minor = 130, .write = fake_write, .ioctl = fake_ioctl};
static const struct gort_dev wide_dev = {
    .name = "wide", .major = 0x123, .minor = 0x4567, .write = fake_write, .ioctl = fake_ioctl};

static void setup_devs(void)
{
	memset(&seen, 0, sizeof(seen));
	fs_add_device(&fake_dev);
	fs_add_device(&wide_dev);
	setup();
}

Test(fs, a_device_is_a_character_file_under_dev, .init = setup_devs)
{
	struct linux_stat *st = ualloc(sizeof(*st));
	struct ents e;

	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("/dev/fake"), U(st), 0), 0);
	cr_assert_eq(st->st_mode, S_IFCHR | 0600);
	cr_assert_eq(st->st_rdev, 10 << 8 | 130, "misc 10:130 as Linux encodes it");
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("/dev/wide"), U(st), 0), 0);
	cr_assert_eq(st->st_rdev, 0x67 | 0x123 << 8 | 0x45UL << 20);
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("/dev"), U(st), 0), 0);
	cr_assert_eq(st->st_mode, S_IFDIR | 0755);
	read_dir((int)open_("/dev", O_RDONLY), 4096, &e);
	cr_assert_eq(e.n, 4);
	cr_assert_eq(e.type[find_ent(&e, "fake")], DT_CHR);
	cr_assert_eq(e.type[find_ent(&e, "wide")], DT_CHR);
	cr_assert_eq(SYS(sys_faccessat, CWD, UP("/dev/fake"), W_OK), 0);
	cr_assert_eq(open_("/dev/fake", O_RDONLY | O_DIRECTORY), -ENOTDIR);
	cr_assert_eq(open_("/dev/nope", O_WRONLY), -ENOENT);
}

Test(fs, a_device_takes_its_writes_and_ioctls, .init = setup_devs)
{
	struct linux_stat *st = ualloc(sizeof(*st));
	char *buf = ualloc(16);
	long fd = open_("/dev/fake", O_WRONLY | O_CLOEXEC);

	cr_assert_geq(fd, 3);
	cr_assert_eq(write_str((int)fd, "x"), 1);
	cr_assert_eq(seen.writes, 1);
	cr_assert_eq(seen.t, &T);
	cr_assert_eq(seen.n, 1);
	cr_assert_eq(*(char *)fake_user_ptr(seen.uva), 'x');
	cr_assert_eq(write_str((int)fd, "longer"), 3, "the device's count");
	cr_assert_eq(write_((int)fd, buf, 0), 0);
	cr_assert_eq(seen.writes, 3, "a write of nothing reaches the device too");
	cr_assert_eq(read_((int)fd, buf, 1), -EBADF, "opened for writing only");

	cr_assert_eq(SYS(sys_ioctl, (unsigned long)fd, 0x1234, 0x5678), 42);
	cr_assert_eq(seen.cmd, 0x1234);
	cr_assert_eq(seen.arg, 0x5678);
	cr_assert_eq(SYS(sys_ioctl, (unsigned long)fd, 0x9999, 0), -ENOTTY);
	cr_assert_eq(seen.ioctls, 2);
	/* fs.c's own requests stay its own. */
	cr_assert_eq(SYS(sys_ioctl, (unsigned long)fd, FIONCLEX, 0), 0);
	cr_assert_eq(fcntl_((int)fd, F_GETFD, 0), 0);
	cr_assert_eq(SYS(sys_ioctl, (unsigned long)fd, FIONREAD, U(buf)), -ENOTTY);
	cr_assert_eq(seen.ioctls, 2);

	long rw = open_("/dev/fake", O_RDWR);
	cr_assert_eq(read_((int)rw, buf, 1), -EINVAL, "no read");
	cr_assert_eq(lseek_((int)rw, 0, SEEK_SET), -ESPIPE);
	cr_assert_eq(SYS(sys_pread64, (unsigned long)rw, U(buf), 1, 0), -ESPIPE);
	cr_assert_eq(SYS(sys_fstat, (unsigned long)rw, U(st)), 0);
	cr_assert_eq(st->st_mode, S_IFCHR | 0600);
	cr_assert_eq(st->st_rdev, 10 << 8 | 130);
	long ep = SYS(sys_epoll_create1, 0);
	cr_assert_eq(ep_ctl((int)ep, EPOLL_CTL_ADD, (int)rw, EPOLLIN, 0), -EPERM);
	long ro = open_("/dev/fake", O_RDONLY);
	cr_assert_eq(write_str((int)ro, "x"), -EBADF, "opened for reading only");
	cr_assert_eq(seen.writes, 3);
}

Test(fs, a_device_replaces_an_archive_entry_at_its_path, .init = setup_devs)
{
	struct linux_stat *st = ualloc(sizeof(*st));

	build_tree();
	arch_len -= 124; /* drop the trailer */
	cpio_file("dev/fake", 0644, "a file");
	cpio_file("dev/other", 0644, "kept");
	cpio_end();
	fs_init(arch, arch_len, "/");
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("/dev/fake"), U(st), 0), 0);
	cr_assert_eq(st->st_mode, S_IFCHR | 0600);
	cr_assert_eq(st->st_size, 0);
	read_all_text("/dev/other", "kept");
}

Test(fs, no_devices_no_dev_folder, .init = setup)
{
	cr_assert_eq(open_("/dev", O_RDONLY), -ENOENT);
}

Test(fs, a_dev_that_is_no_folder_is_fatal, .init = setup_devs, .exit_code = 1)
{
	build_tree();
	arch_len -= 124;
	cpio_file("dev", 0644, "not a folder");
	cpio_end();
	fs_init(arch, arch_len, "/");
}
