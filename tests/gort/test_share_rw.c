/* Tests of fs.c's read-write shares on the host: a temporary host folder mounted rw through the
 * fake 9P client of fakes_ninep.c, which makes each change on the real folder as QEMU's local
 * back end would. Every call that writes through is checked on the host folder afterwards, the
 * host's errors (an Rlerror's errno) are checked to reach the program unchanged and to leave the
 * tree as the host is, and links are checked to stay resolved in the tree. */
#include <criterion/criterion.h>

#include "fakes_ninep.h"
#include "fs_util.h"

static struct ninep sess;
static char host[64];

#define host_text(rel) fake_host_text(host, rel)

static void rw_setup(void)
{
	setup();
	cr_assert_eq(fake_host_tree(host, sizeof(host)), 0);
	arch_len = 0;
	arch_ino = 0;
	cpio_add(".", S_IFDIR | 0755, "", 0);
	cpio_add("mnt/host", S_IFDIR | 0755, "", 0);
	cpio_end();
	fs_init(arch, arch_len, "/mnt/host");
	fake_ninep_session(&sess, host);
	fake_ninep_calls = fake_ninep_fail = 0;
	cr_assert_eq(fs_mount("/mnt/host", &sess, true), 0);
}

static void rw_teardown(void)
{
	fake_host_remove(host);
}

TestSuite(share_rw, .init = rw_setup, .fini = rw_teardown);

#define host_stat(rel, st) fake_host_stat(host, rel, st)

static bool host_has(const char *rel)
{
	struct fake_host_stat st;
	return host_stat(rel, &st) == 0;
}

static long creat_(const char *path, int flags, unsigned mode)
{
	return SYS(sys_openat, CWD, UP(path), (unsigned long)(flags | O_CREAT), mode);
}

Test(share_rw, create_write_append_and_truncate_reach_the_host)
{
	struct fake_host_stat st;
	long fd = creat_("new.txt", O_WRONLY | O_EXCL, 0666);
	cr_assert_geq(fd, 3);
	cr_assert_eq(write_str((int)fd, "abc"), 3);
	cr_assert_str_eq(host_text("new.txt"), "abc");
	/* The umask is gort's to apply: the host makes the mode it is asked for. */
	cr_assert_eq(host_stat("new.txt", &st), 0);
	cr_assert_eq(st.mode & 07777, 0644);
	close_((int)fd);
	cr_assert_eq(creat_("new.txt", O_WRONLY | O_EXCL, 0644), -EEXIST);

	fd = open_("new.txt", O_WRONLY | O_APPEND);
	cr_assert_geq(fd, 3);
	cr_assert_eq(lseek_((int)fd, 0, SEEK_SET), 0);
	cr_assert_eq(write_str((int)fd, "def\n"), 4);
	close_((int)fd);
	cr_assert_str_eq(host_text("new.txt"), "abcdef\n");
	read_all_text("new.txt", "abcdef\n");
	/* A host file the tree listed, appended to. */
	fd = open_("hello.txt", O_WRONLY | O_APPEND);
	cr_assert_eq(write_str((int)fd, "more\n"), 5);
	close_((int)fd);
	cr_assert_str_eq(host_text("hello.txt"), "hello from the host\nmore\n");
	/* O_APPEND is the host's: it appends at the host file's end, even when something else
	 * wrote there since the tree last looked. */
	fd = open_("hello.txt", O_WRONLY | O_APPEND);
	cr_assert_eq(fake_host_change(host, "hello.txt", "a", "theirs\n"), 0);
	cr_assert_eq(write_str((int)fd, "ours\n"), 5);
	cr_assert_eq(lseek_((int)fd, 0, SEEK_CUR), 37, "the offset is the host file's end");
	close_((int)fd);
	cr_assert_str_eq(host_text("hello.txt"), "hello from the host\nmore\ntheirs\nours\n");

	fd = open_("hello.txt", O_WRONLY | O_TRUNC);
	cr_assert_geq(fd, 3);
	cr_assert_str_eq(host_text("hello.txt"), "");
	struct linux_stat *lst = ualloc(sizeof(*lst));
	cr_assert_eq(SYS(sys_fstat, (unsigned long)fd, U(lst)), 0);
	cr_assert_eq(lst->st_size, 0);
	close_((int)fd);
	/* O_CREAT of an existing file without O_EXCL opens it. */
	fd = creat_("sub/deep.txt", O_RDWR, 0600);
	cr_assert_geq(fd, 3);
	char *buf = ualloc(16);
	cr_assert_eq(read_((int)fd, buf, 16), 5);
	cr_assert_str_eq(buf, "deep\n");
	close_((int)fd);
}

Test(share_rw, a_read_after_a_write_sees_it_and_sizes_follow)
{
	struct linux_stat *st = ualloc(sizeof(*st));
	char *buf = ualloc(64);
	long w = open_("hello.txt", O_WRONLY), r = open_("hello.txt", O_RDONLY);
	cr_assert_geq(w, 3);
	cr_assert_geq(r, 3);
	cr_assert_eq(SYS(sys_pwrite64, (unsigned long)w, UP("HELLO"), 5, 0), 5);
	cr_assert_eq(read_((int)r, buf, 5), 5);
	cr_assert_str_eq(buf, "HELLO");
	/* Past the end: the file grows on the host and in stat. */
	cr_assert_eq(SYS(sys_pwrite64, (unsigned long)w, UP("!\n"), 2, 30), 2);
	cr_assert_eq(SYS(sys_fstat, (unsigned long)r, U(st)), 0);
	cr_assert_eq(st->st_size, 32);
	cr_assert_eq(SYS(sys_pread64, (unsigned long)r, U(buf), 64, 28), 4);
	cr_assert_eq(memcmp(buf, "\0\0!\n", 4), 0);
	cr_assert_eq(SYS(sys_ftruncate, (unsigned long)w, 6), 0);
	cr_assert_str_eq(host_text("hello.txt"), "HELLO ");
	cr_assert_eq(SYS(sys_truncate, UP("hello.txt"), 2), 0);
	cr_assert_str_eq(host_text("hello.txt"), "HE");
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("hello.txt"), U(st), 0), 0);
	cr_assert_eq(st->st_size, 2);
	cr_assert_eq(SYS(sys_pread64, (unsigned long)r, U(buf), 64, 0), 2);
	cr_assert_eq(SYS(sys_fsync, (unsigned long)w), 0);
	close_((int)w);
	close_((int)r);
	/* A file that grew on the host behind the tree's back reads to its real end. */
	cr_assert_eq(fake_host_change(host, "sub/deep.txt", "a", "grown\n"), 0);
	read_all_text("sub/deep.txt", "deep\ngrown\n");
}

Test(share_rw, chmod_and_utimensat_reach_the_host)
{
	struct fake_host_stat st;
	cr_assert_eq(SYS(sys_fchmodat, CWD, UP("hello.txt"), 0600), 0);
	cr_assert_eq(host_stat("hello.txt", &st), 0);
	cr_assert_eq(st.mode & 07777, 0600);
	long fd = open_("dir", O_RDONLY | O_DIRECTORY);
	cr_assert_eq(SYS(sys_fchmod, (unsigned long)fd, 0750), 0);
	close_((int)fd);
	cr_assert_eq(host_stat("dir", &st), 0);
	cr_assert_eq(st.mode & 07777, 0750);

	struct linux_timespec *ts = ualloc(2 * sizeof(*ts));
	ts[0] = (struct linux_timespec){1234567, 0};
	ts[1] = (struct linux_timespec){1600000000, 500};
	cr_assert_eq(SYS(sys_utimensat, CWD, UP("hello.txt"), U(ts), 0), 0);
	cr_assert_eq(host_stat("hello.txt", &st), 0);
	cr_assert_eq(st.atime, 1234567);
	cr_assert_eq(st.mtime, 1600000000);
	cr_assert_eq(st.mtime_nsec, 500);
	/* UTIME_OMIT leaves a time; UTIME_NOW is the host's now. */
	ts[0] = (struct linux_timespec){0, UTIME_OMIT};
	ts[1] = (struct linux_timespec){0, UTIME_NOW};
	cr_assert_eq(SYS(sys_utimensat, CWD, UP("hello.txt"), U(ts), 0), 0);
	cr_assert_eq(host_stat("hello.txt", &st), 0);
	cr_assert_eq(st.atime, 1234567);
	cr_assert_gt(st.mtime, 1600000000);
	/* A link's own times, not its target's. */
	ts[1] = (struct linux_timespec){1500000000, 0};
	cr_assert_eq(SYS(sys_utimensat, CWD, UP("link"), U(ts), AT_SYMLINK_NOFOLLOW), 0);
	cr_assert_eq(host_stat("link", &st), 0);
	cr_assert_eq(st.mtime, 1500000000);
	cr_assert_eq(host_stat("hello.txt", &st), 0);
	cr_assert_neq(st.mtime, 1500000000);
}

Test(share_rw, folders_are_made_and_removed_on_the_host)
{
	struct fake_host_stat st;
	cr_assert_eq(SYS(sys_mkdirat, CWD, UP("made"), 0777), 0);
	cr_assert_eq(host_stat("made", &st), 0);
	cr_assert((st.mode & S_IFMT) == S_IFDIR);
	cr_assert_eq(st.mode & 07777, 0755);
	cr_assert_eq(SYS(sys_mkdirat, CWD, UP("made"), 0777), -EEXIST);
	cr_assert_eq(SYS(sys_mkdirat, CWD, UP("made/inner"), 0700), 0);
	long fd = creat_("made/inner/f", O_WRONLY, 0644);
	cr_assert_geq(fd, 3);
	cr_assert_eq(write_str((int)fd, "f\n"), 2);
	close_((int)fd);
	cr_assert_str_eq(host_text("made/inner/f"), "f\n");

	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("made/inner"), AT_REMOVEDIR), -ENOTEMPTY);
	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("made/inner"), 0), -EISDIR);
	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("made/inner/f"), 0), 0);
	cr_assert(!host_has("made/inner/f"));
	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("made/inner"), AT_REMOVEDIR), 0);
	cr_assert(!host_has("made/inner"));
	/* Entries the host had from the start. */
	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("sub/deep.txt"), 0), 0);
	cr_assert(!host_has("sub/deep.txt"));
	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("sub"), AT_REMOVEDIR), 0);
	cr_assert(!host_has("sub"));
	cr_assert_eq(open_("sub/deep.txt", O_RDONLY), -ENOENT);
	/* Removing a link removes the link, not its target. */
	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("link"), 0), 0);
	cr_assert(!host_has("link"));
	cr_assert(host_has("hello.txt"));
	/* The share's own folder is a mount point. */
	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("/mnt/host"), AT_REMOVEDIR), -EBUSY);
}

Test(share_rw, an_open_file_reads_after_its_host_name_is_removed)
{
	char *buf = ualloc(64);
	long fd = open_("sub/deep.txt", O_RDONLY);
	cr_assert_geq(fd, 3);
	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("sub/deep.txt"), 0), 0);
	cr_assert(!host_has("sub/deep.txt"));
	cr_assert_eq(read_((int)fd, buf, 64), 5);
	cr_assert_str_eq(buf, "deep\n");
	close_((int)fd);
}

Test(share_rw, renames_within_the_share_reach_the_host_and_across_are_exdev)
{
	cr_assert_eq(SYS(sys_renameat2, CWD, UP("hello.txt"), CWD, UP("sub/h.txt"), 0), 0);
	cr_assert(!host_has("hello.txt"));
	cr_assert_str_eq(host_text("sub/h.txt"), "hello from the host\n");
	read_all_text("sub/h.txt", "hello from the host\n");
	/* A folder moves with what is in it, and its files are found by their new path. */
	cr_assert_eq(SYS(sys_renameat2, CWD, UP("sub"), CWD, UP("dir/moved"), 0), 0);
	cr_assert(!host_has("sub"));
	cr_assert_str_eq(host_text("dir/moved/deep.txt"), "deep\n");
	read_all_text("dir/moved/deep.txt", "deep\n");
	long fd = open_("dir/moved/deep.txt", O_WRONLY | O_APPEND);
	cr_assert_eq(write_str((int)fd, "again\n"), 6);
	close_((int)fd);
	cr_assert_str_eq(host_text("dir/moved/deep.txt"), "deep\nagain\n");
	/* Over an existing file: it is replaced; RENAME_NOREPLACE refuses. */
	cr_assert_eq(
	    SYS(sys_renameat2, CWD, UP("dir/x"), CWD, UP("dir/moved/h.txt"), RENAME_NOREPLACE),
	    -EEXIST);
	cr_assert_eq(SYS(sys_renameat2, CWD, UP("dir/x"), CWD, UP("dir/moved/h.txt"), 0), 0);
	cr_assert_str_eq(host_text("dir/moved/h.txt"), "x\n");
	cr_assert(!host_has("dir/x"));
	/* Out of the share or into it: another file system. */
	cr_assert_eq(SYS(sys_renameat2, CWD, UP("dir/moved/h.txt"), CWD, UP("/tmp/h"), 0), -EXDEV);
	fd = creat_("/tmp/t", O_WRONLY, 0644);
	close_((int)fd);
	cr_assert_eq(SYS(sys_renameat2, CWD, UP("/tmp/t"), CWD, UP("t"), 0), -EXDEV);
	cr_assert(!host_has("t"));
	cr_assert_eq(SYS(sys_renameat2, CWD, UP("/mnt/host"), CWD, UP("/tmp/m"), 0), -EBUSY);
}

Test(share_rw, symlinks_and_hard_links_are_made_on_the_host)
{
	struct fake_host_stat st;
	char *buf = ualloc(64);
	cr_assert_eq(SYS(sys_symlinkat, UP("sub/deep.txt"), CWD, UP("made-link")), 0);
	cr_assert_eq(host_stat("made-link", &st), 0);
	cr_assert((st.mode & S_IFMT) == S_IFLNK);
	char target[64] = "";
	cr_assert_eq(fake_host_readlink(host, "made-link", target, sizeof(target)), 12);
	cr_assert_str_eq(target, "sub/deep.txt");
	read_all_text("made-link", "deep\n");
	cr_assert_eq(SYS(sys_readlinkat, CWD, UP("made-link"), U(buf), 64), 12);

	cr_assert_eq(SYS(sys_linkat, CWD, UP("hello.txt"), CWD, UP("sub/hard"), 0), 0);
	cr_assert_eq(host_stat("hello.txt", &st), 0);
	cr_assert_eq(st.nlink, 2);
	read_all_text("sub/hard", "hello from the host\n");
	long fd = open_("sub/hard", O_WRONLY | O_APPEND);
	cr_assert_eq(write_str((int)fd, "both\n"), 5);
	close_((int)fd);
	cr_assert_str_eq(host_text("hello.txt"), "hello from the host\nboth\n");
	/* A tree file has no name on the host to link to. */
	fd = creat_("/tmp/t", O_WRONLY, 0644);
	close_((int)fd);
	cr_assert_eq(SYS(sys_linkat, CWD, UP("/tmp/t"), CWD, UP("t"), 0), -EXDEV);
	cr_assert_eq(SYS(sys_linkat, CWD, UP("hello.txt"), CWD, UP("/tmp/h"), 0), -EXDEV);
}

Test(share_rw, statfs_is_the_hosts)
{
	long type, bsize, namelen;
	struct linux_statfs *st = ualloc(sizeof(*st));
	cr_assert_eq(fake_host_statfs(host, &type, &bsize, &namelen), 0);
	cr_assert_eq(SYS(sys_statfs, UP("sub"), U(st)), 0);
	cr_assert_eq(st->f_type, type);
	cr_assert_eq(st->f_bsize, bsize);
	cr_assert_eq(st->f_namelen, namelen);
	long fd = open_("hello.txt", O_RDONLY);
	cr_assert_eq(SYS(sys_fstatfs, (unsigned long)fd, U(st)), 0);
	cr_assert_eq(st->f_type, type);
	close_((int)fd);
	/* The tree outside the share is still gort's. */
	cr_assert_eq(SYS(sys_statfs, UP("/tmp"), U(st)), 0);
	cr_assert_eq(st->f_type, TMPFS_MAGIC);
}

Test(share_rw, host_errors_reach_the_program_and_leave_the_tree_as_the_host_is)
{
	struct linux_stat *st = ualloc(sizeof(*st));
	/* Names the host made after the tree listed the folder. */
	cr_assert_eq(open_("hello.txt", O_RDONLY) >= 3, true); /* lists the share's root */
	cr_assert_eq(fake_host_change(host, "late", "d", NULL), 0);
	cr_assert_eq(creat_("late", O_WRONLY | O_EXCL, 0644), -EEXIST);
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("late"), U(st), 0), -ENOENT);
	cr_assert_eq(SYS(sys_mkdirat, CWD, UP("late"), 0755), -EEXIST);
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("late"), U(st), 0), -ENOENT);
	/* Errors the host gives for any call, as an Rlerror carries them. */
	fake_ninep_fail = -ENOTSUP;
	cr_assert_eq(SYS(sys_mkdirat, CWD, UP("made"), 0755), -ENOTSUP);
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("made"), U(st), 0), -ENOENT);
	fake_ninep_fail = -ENOSPC;
	cr_assert_eq(creat_("new", O_WRONLY, 0644), -ENOSPC);
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("new"), U(st), 0), -ENOENT);
	long fd = open_("hello.txt", O_WRONLY);
	fake_ninep_fail = -ENOSPC;
	cr_assert_eq(write_str((int)fd, "x"), -ENOSPC);
	fake_ninep_fail = -EIO;
	cr_assert_eq(SYS(sys_fsync, (unsigned long)fd), -EIO);
	close_((int)fd);
	fake_ninep_fail = -EACCES;
	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("hello.txt"), 0), -EACCES);
	read_all_text("hello.txt", "hello from the host\n");
	fake_ninep_fail = -EPERM;
	cr_assert_eq(SYS(sys_renameat2, CWD, UP("hello.txt"), CWD, UP("h2"), 0), -EPERM);
	read_all_text("hello.txt", "hello from the host\n");
	fake_ninep_fail = -EROFS;
	cr_assert_eq(SYS(sys_fchmodat, CWD, UP("hello.txt"), 0600), -EROFS);
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("hello.txt"), U(st), 0), 0);
	cr_assert_eq(st->st_mode & 07777, 0644);
	fake_ninep_fail = -EFBIG;
	cr_assert_eq(SYS(sys_truncate, UP("hello.txt"), 1), -EFBIG);
	cr_assert_str_eq(host_text("hello.txt"), "hello from the host\n");
	fake_ninep_fail = -ENOSPC;
	cr_assert_eq(SYS(sys_symlinkat, UP("x"), CWD, UP("l2")), -ENOSPC);
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("l2"), U(st), AT_SYMLINK_NOFOLLOW), -ENOENT);
}

Test(share_rw, links_stay_resolved_in_the_tree)
{
	/* The host link escape -> /etc/shadow names the tree's /etc/shadow: written there, in
	 * memory, and nothing is asked of the host. A link into a folder outside the share
	 * likewise: what is made through it is made in the tree. */
	char out[64];
	struct fake_host_stat st;
	cr_assert_eq(fake_host_tmpdir(out, sizeof(out)), 0);
	cr_assert_eq(fake_host_change(host, "out", "l", out), 0);
	cr_assert_eq(open_("hello.txt", O_RDONLY) >= 3, true);
	cr_assert_eq(SYS(sys_mkdirat, CWD, UP("/etc"), 0755), 0);
	cr_assert_eq(close_((int)creat_("/etc/shadow", O_WRONLY, 0600)), 0);
	int calls = fake_ninep_calls;
	long fd = open_("escape", O_WRONLY | O_TRUNC);
	cr_assert_geq(fd, 3);
	cr_assert_eq(write_str((int)fd, "in memory\n"), 10);
	close_((int)fd);
	read_all_text("/etc/shadow", "in memory\n");
	cr_assert_eq(fake_ninep_calls, calls);
	cr_assert_eq(SYS(sys_mkdirat, CWD, UP(out), 0755), 0);
	fd = creat_("out/victim", O_WRONLY, 0644);
	cr_assert_geq(fd, 3);
	close_((int)fd);
	cr_assert_eq(SYS(sys_mkdirat, CWD, UP("out/d"), 0755), 0);
	cr_assert_eq(fake_host_stat(out, "victim", &st), -ENOENT,
		     "a create followed a link out of the share");
	cr_assert_eq(fake_host_stat(out, "d", &st), -ENOENT,
		     "a mkdir followed a link out of the share");
	fake_host_remove(out);
}
