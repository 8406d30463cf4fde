/* Tests of the writable tree of guest-abi/gort/fs.c (with fsmem.c and fdata.c) on the host:
 * creating, writing, truncating, removing and renaming files and folders over the initrd's tree,
 * links, modes, owners, times, statfs, and running out of room. Pages come from fakes_mm.c. */
#include <criterion/criterion.h>
#include <string.h>

#include "fdata.h"
#include "fs_util.h"

static long stat_(const char *path, struct linux_stat *st, int flags)
{
	return SYS(sys_newfstatat, CWD, UP(path), U(st), (unsigned long)flags);
}

static long mkdir_(const char *path, unsigned mode)
{
	return SYS(sys_mkdirat, CWD, UP(path), mode);
}

static long unlink_(const char *path, int flags)
{
	return SYS(sys_unlinkat, CWD, UP(path), (unsigned long)flags);
}

static long rename_(const char *from, const char *to, unsigned flags)
{
	return SYS(sys_renameat2, CWD, UP(from), CWD, UP(to), flags);
}

static long create(const char *path, int flags, unsigned mode)
{
	return SYS(sys_openat, CWD, UP(path), (unsigned long)(flags | O_CREAT), mode);
}

/* Makes path hold text (created 0644 or emptied first). */
static void put(const char *path, const char *text)
{
	long fd = create(path, O_WRONLY | O_TRUNC, 0644);
	cr_assert_geq(fd, 3, "create %s: %ld", path, fd);
	cr_assert_eq(write_str((int)fd, text), (long)strlen(text));
	cr_assert_eq(close_((int)fd), 0);
}

/* The archive still holds these bytes somewhere. */
static bool in_archive(const char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i + n <= arch_len; i++)
		if (memcmp(arch + i, s, n) == 0)
			return true;
	return false;
}

static struct linux_stat *st_buf(void)
{
	return ualloc(sizeof(struct linux_stat));
}

/* ---------------------------------------------------------------- files */

Test(tmpfs, create_write_read_and_stat, .init = setup)
{
	fake_now = 5000000; /* half a second after the epoch offset */
	long fd = create("/tmp/new", O_RDWR, 0666);
	cr_assert_geq(fd, 3);
	cr_assert_eq(write_str((int)fd, "hello"), 5);
	cr_assert_eq(write_str((int)fd, " world"), 6);
	cr_assert_eq(lseek_((int)fd, 0, SEEK_SET), 0);
	char *buf = ualloc(64);
	cr_assert_eq(read_((int)fd, buf, 63), 11);
	cr_assert_str_eq(buf, "hello world");
	struct linux_stat *st = st_buf();
	cr_assert_eq(stat_("/tmp/new", st, 0), 0);
	cr_assert_eq(st->st_mode, S_IFREG | 0644); /* 0666 less the umask 022 */
	cr_assert_eq(st->st_size, 11);
	cr_assert_eq(st->st_nlink, 1);
	cr_assert_eq(st->st_blocks, 8); /* one page */
	cr_assert_eq(st->st_mtime_sec, 1700000000);
	cr_assert_eq(st->st_mtime_nsec, 500000000);
	cr_assert_eq(close_((int)fd), 0);
	read_all_text("/tmp/new", "hello world");
	/* Reading a write-only file, writing a read-only one. */
	fd = open_("/tmp/new", O_WRONLY);
	cr_assert_eq(read_((int)fd, buf, 4), -EBADF);
	fd = open_("/tmp/new", O_RDONLY);
	cr_assert_eq(write_str((int)fd, "x"), -EBADF);
	cr_assert_eq(write_((int)fd, (void *)fake_user_mem, 0), -EBADF);
	/* A bad buffer writes nothing. */
	fd = open_("/tmp/new", O_WRONLY);
	cr_assert_eq(SYS(sys_write, (unsigned long)fd, BAD_PTR, 4), -EFAULT);
	read_all_text("/tmp/new", "hello world");
}

Test(tmpfs, o_excl_o_trunc_o_append, .init = setup)
{
	put("/tmp/f", "0123456789");
	cr_assert_eq(create("/tmp/f", O_WRONLY | O_EXCL, 0644), -EEXIST);
	/* O_EXCL does not follow a link, even a dangling one. */
	cr_assert_eq(create("/dangling", O_WRONLY | O_EXCL, 0644), -EEXIST);
	long fd = open_("/tmp/f", O_WRONLY | O_APPEND);
	cr_assert_eq(lseek_((int)fd, 0, SEEK_SET), 0);
	cr_assert_eq(write_str((int)fd, "ab"), 2);
	cr_assert_eq(lseek_((int)fd, 0, SEEK_CUR), 12);
	read_all_text("/tmp/f", "0123456789ab");
	/* F_SETFL takes O_APPEND away. */
	cr_assert_eq(fcntl_((int)fd, F_SETFL, 0), 0);
	cr_assert_eq(lseek_((int)fd, 0, SEEK_SET), 0);
	cr_assert_eq(write_str((int)fd, "X"), 1);
	read_all_text("/tmp/f", "X123456789ab");
	fd = open_("/tmp/f", O_WRONLY | O_TRUNC);
	cr_assert_geq(fd, 3);
	read_all_text("/tmp/f", "");
	/* O_CREAT of an existing file keeps it. */
	put("/tmp/g", "keep");
	cr_assert_geq(create("/tmp/g", O_RDONLY, 0600), 3);
	read_all_text("/tmp/g", "keep");
}

Test(tmpfs, pwrite_holes_truncate_and_fsync, .init = setup)
{
	long fd = create("/tmp/h", O_RDWR, 0644);
	cr_assert_eq(SYS(sys_pwrite64, (unsigned long)fd, UP("end"), 3, 20000), 3);
	cr_assert_eq(lseek_((int)fd, 0, SEEK_CUR), 0); /* pwrite leaves the offset */
	uint8_t *buf = ualloc(20003);
	memset(buf, 0xee, 20003);
	cr_assert_eq(SYS(sys_pread64, (unsigned long)fd, U(buf), 20003, 0), 20003);
	for (int i = 0; i < 20000; i++)
		cr_assert_eq(buf[i], 0, "byte %d of the hole", i);
	cr_assert_eq(memcmp(buf + 20000, "end", 3), 0);
	struct linux_stat *st = st_buf();
	cr_assert_eq(SYS(sys_fstat, (unsigned long)fd, U(st)), 0);
	cr_assert_eq(st->st_size, 20003);
	cr_assert_eq(st->st_blocks, 8); /* only the page written holds memory */
	cr_assert_eq(SYS(sys_pwrite64, (unsigned long)fd, UP("x"), 1, (unsigned long)-1), -EINVAL);

	/* Shrinking drops the bytes: growing again reads zeros where they were. */
	cr_assert_eq(SYS(sys_pwrite64, (unsigned long)fd, UP("abcdef"), 6, 0), 6);
	cr_assert_eq(SYS(sys_ftruncate, (unsigned long)fd, 2), 0);
	cr_assert_eq(SYS(sys_ftruncate, (unsigned long)fd, 6), 0);
	memset(buf, 0xee, 8);
	cr_assert_eq(SYS(sys_pread64, (unsigned long)fd, U(buf), 8, 0), 6);
	cr_assert_eq(memcmp(buf, "ab\0\0\0\0", 6), 0);
	cr_assert_eq(SYS(sys_ftruncate, (unsigned long)fd, (unsigned long)-1), -EINVAL);
	cr_assert_eq(SYS(sys_ftruncate, (unsigned long)fd, FDATA_MAX_SIZE + 1), -EFBIG);
	cr_assert_eq(SYS(sys_pwrite64, (unsigned long)fd, UP("x"), 1, FDATA_MAX_SIZE), -EFBIG);
	long ro = open_("/tmp/h", O_RDONLY);
	cr_assert_eq(SYS(sys_ftruncate, (unsigned long)ro, 0), -EINVAL);
	cr_assert_eq(SYS(sys_ftruncate, 99, 0), -EBADF);

	cr_assert_eq(SYS(sys_truncate, UP("/tmp/h"), 1), 0);
	read_all_text("/tmp/h", "a");
	cr_assert_eq(SYS(sys_truncate, UP("/tmp"), 1), -EISDIR);
	cr_assert_eq(SYS(sys_truncate, UP("/tmp/none"), 1), -ENOENT);

	cr_assert_eq(SYS(sys_fsync, (unsigned long)fd), 0);
	cr_assert_eq(SYS(sys_fsync, (unsigned long)open_("/tmp", O_RDONLY)), 0);
	cr_assert_eq(SYS(sys_fsync, 1), -EINVAL); /* the console, as a tty on Linux */
	cr_assert_eq(SYS(sys_fsync, 99), -EBADF);
	cr_assert_eq(SYS(sys_sync), 0);
}

Test(tmpfs, writing_an_initrd_file_copies_it_up, .init = setup)
{
	long fd = open_("/etc/hosts", O_WRONLY);
	cr_assert_geq(fd, 3);
	cr_assert_eq(write_str((int)fd, "10"), 2);
	read_all_text("/etc/hosts", "107.0.0.1 localhost\n");
	read_all_text("/etc/hostlink", "107.0.0.1 localhost\n");
	/* The archive itself is as it was. */
	cr_assert(in_archive(HOSTS));
	/* A big file keeps what is past the change; O_TRUNC of another empties it only. */
	fd = open_("/data/big", O_RDWR);
	cr_assert_eq(SYS(sys_pwrite64, (unsigned long)fd, UP("Z"), 1, 5000), 1);
	uint8_t *buf = ualloc(sizeof(big));
	cr_assert_eq(SYS(sys_pread64, (unsigned long)fd, U(buf), sizeof(big), 0), sizeof(big));
	cr_assert_eq(memcmp(buf, big, 5000), 0);
	cr_assert_eq(buf[5000], 'Z');
	cr_assert_eq(memcmp(buf + 5001, big + 5001, sizeof(big) - 5001), 0);
	cr_assert_geq(open_("/bin/hello", O_WRONLY | O_TRUNC), 3);
	read_all_text("/bin/hello", "");
	cr_assert(in_archive("hello binary"));
	/* A file of the archive that was not changed is still read from it. */
	size_t size;
	cr_assert_not_null(fs_file_data("/usr/lib/go/VERSION", &size));
	cr_assert_null(fs_file_data("/bin/hello", &size));
}

/* ---------------------------------------------------------------- folders */

Test(tmpfs, mkdirat, .init = setup)
{
	struct linux_stat *st = st_buf();
	cr_assert_eq(stat_("/etc", st, 0), 0);
	uint32_t links = st->st_nlink;
	cr_assert_eq(mkdir_("/etc/d", 0777), 0);
	cr_assert_eq(stat_("/etc", st, 0), 0);
	cr_assert_eq(st->st_nlink, links + 1);
	cr_assert_eq(stat_("/etc/d", st, 0), 0);
	cr_assert_eq(st->st_mode, S_IFDIR | 0755);
	cr_assert_eq(st->st_nlink, 2);
	cr_assert_eq(mkdir_("/etc/d", 0755), -EEXIST);
	cr_assert_eq(mkdir_("/etc/d/", 0755), -EEXIST);
	cr_assert_eq(mkdir_("/etc/hostlink", 0755), -EEXIST);
	cr_assert_eq(mkdir_("/", 0755), -EEXIST);
	cr_assert_eq(mkdir_("/etc/d/..", 0755), -EEXIST);
	cr_assert_eq(mkdir_("/nope/d", 0755), -ENOENT);
	cr_assert_eq(mkdir_("/etc/hosts/d", 0755), -ENOTDIR);
	cr_assert_eq(mkdir_("/etc/e/", 0700), 0);  /* a trailing slash is fine */
	cr_assert_eq(mkdir_("/lib/sub", 0700), 0); /* through a link */
	cr_assert_eq(stat_("/usr/lib/sub", st, 0), 0);
	cr_assert_eq(SYS(sys_mkdirat, CWD, BAD_PTR, 0755), -EFAULT);
	long dfd = open_("/etc/d", O_RDONLY | O_DIRECTORY);
	cr_assert_eq(SYS(sys_mkdirat, (unsigned long)dfd, UP("in"), 0755), 0);
	cr_assert_eq(stat_("/etc/d/in", st, 0), 0);
	char name[300];
	memset(name, 'n', 299);
	name[299] = 0;
	cr_assert_eq(mkdir_(name, 0755), -ENAMETOOLONG);
}

Test(tmpfs, unlinkat_files_and_folders, .init = setup)
{
	struct linux_stat *st = st_buf();
	cr_assert_eq(mkdir_("/tmp/d", 0755), 0);
	put("/tmp/d/f", "x");
	cr_assert_eq(unlink_("/tmp/d", 0), -EISDIR);
	cr_assert_eq(unlink_("/tmp/d", AT_REMOVEDIR), -ENOTEMPTY);
	cr_assert_eq(unlink_("/tmp/d/f", AT_REMOVEDIR), -ENOTDIR);
	cr_assert_eq(unlink_("/tmp/d/f/", 0), -ENOTDIR);
	cr_assert_eq(unlink_("/tmp/d/.", AT_REMOVEDIR), -EINVAL);
	cr_assert_eq(unlink_("/tmp/d/..", AT_REMOVEDIR), -ENOTEMPTY);
	cr_assert_eq(unlink_("/", AT_REMOVEDIR), -EBUSY);
	cr_assert_eq(unlink_("/tmp/d/none", 0), -ENOENT);
	cr_assert_eq(unlink_("/tmp/d/f", 0x8000), -EINVAL);
	cr_assert_eq(unlink_("/tmp/d/f", 0), 0);
	cr_assert_eq(stat_("/tmp/d/f", st, 0), -ENOENT);
	cr_assert_eq(stat_("/tmp", st, 0), 0);
	uint32_t links = st->st_nlink;
	cr_assert_eq(unlink_("/tmp/d/", AT_REMOVEDIR), 0);
	cr_assert_eq(stat_("/tmp", st, 0), 0);
	cr_assert_eq(st->st_nlink, links - 1);
	/* The archive's files and links go too; a link goes, not its target. */
	cr_assert_eq(unlink_("/etc/hostlink", 0), 0);
	read_all_text("/etc/hosts", HOSTS);
	cr_assert_eq(unlink_("/etc/hosts", 0), 0);
	cr_assert_eq(open_("/etc/hosts", O_RDONLY), -ENOENT);
	cr_assert_eq(open_("/abs", O_RDONLY), -ENOENT);
	cr_assert_eq(unlink_("/etc", AT_REMOVEDIR), 0);
	cr_assert_eq(stat_("/etc", st, 0), -ENOENT);
}

Test(tmpfs, getdents_merges_new_and_removed_entries, .init = setup)
{
	struct ents e;
	put("/etc/new", "n");
	cr_assert_eq(unlink_("/etc/hostlink", 0), 0);
	read_dir((int)open_("/etc", O_RDONLY), 4096, &e);
	cr_assert_eq(e.n, 4);
	cr_assert_str_eq(e.name[2], "hosts");
	cr_assert_str_eq(e.name[3], "new");
	cr_assert_eq(e.type[3], DT_REG);
	cr_assert_eq(mkdir_("/etc/sub", 0755), 0);
	read_dir((int)open_("/etc", O_RDONLY), 4096, &e);
	cr_assert_eq(e.n, 5);
	cr_assert_eq(e.type[find_ent(&e, "sub")], DT_DIR);
}

/* os.RemoveAll reads a folder while it removes what it read: the listing must go on. */
Test(tmpfs, getdents_goes_on_while_entries_are_removed, .init = setup)
{
	char path[64];
	for (int i = 0; i < 20; i++) {
		snprintf(path, sizeof(path), "/tmp/f%02d", i);
		put(path, "x");
	}
	long fd = open_("/tmp", O_RDONLY | O_DIRECTORY);
	uint8_t *buf = ualloc(64);
	struct linux_dirent64 *d = (struct linux_dirent64 *)buf;
	int seen[20] = {0}, got = 0;
	long n;
	while ((n = SYS(sys_getdents64, (unsigned long)fd, U(buf), 40)) > 0) {
		int i;
		if (sscanf(d->d_name, "f%d", &i) != 1)
			continue;
		seen[i]++;
		got++;
		/* Remove this one, and f10..f14 once f05 is reached (never to be listed). */
		snprintf(path, sizeof(path), "/tmp/%s", d->d_name);
		cr_assert_eq(unlink_(path, 0), 0);
		if (i == 5)
			for (int k = 10; k < 15; k++) {
				snprintf(path, sizeof(path), "/tmp/f%02d", k);
				cr_assert_eq(unlink_(path, 0), 0);
			}
	}
	cr_assert_eq(n, 0);
	cr_assert_eq(got, 15);
	for (int i = 0; i < 20; i++)
		cr_assert_eq(seen[i], i >= 10 && i < 15 ? 0 : 1, "f%02d listed %d times", i,
			     seen[i]);
	struct ents e;
	read_dir((int)open_("/tmp", O_RDONLY), 4096, &e);
	cr_assert_eq(e.n, 2);
}

/* ---------------------------------------------------------------- rename */

Test(tmpfs, renameat2, .init = setup)
{
	struct linux_stat *st = st_buf();
	put("/tmp/a", "A");
	put("/tmp/b", "B");
	long keep = open_("/tmp/b", O_RDONLY); /* the file renamed over stays readable */
	cr_assert_eq(rename_("/tmp/a", "/tmp/b", RENAME_NOREPLACE), -EEXIST);
	cr_assert_eq(rename_("/tmp/a", "/tmp/b", RENAME_EXCHANGE), -EINVAL);
	cr_assert_eq(rename_("/tmp/a", "/tmp/b", 0), 0);
	read_all_text("/tmp/b", "A");
	cr_assert_eq(stat_("/tmp/a", st, 0), -ENOENT);
	char *buf = ualloc(8);
	cr_assert_eq(read_((int)keep, buf, 8), 1);
	cr_assert_str_eq(buf, "B");
	cr_assert_eq(rename_("/tmp/b", "/tmp/b", 0), 0);
	cr_assert_eq(rename_("/tmp/none", "/tmp/c", 0), -ENOENT);
	cr_assert_eq(rename_("/tmp/b/", "/tmp/c", 0), -ENOTDIR);

	/* Folders: into another folder, over an empty one, not over a full one or a file, never
	 * into themselves; the link counts follow. */
	cr_assert_eq(mkdir_("/tmp/d", 0755), 0);
	put("/tmp/d/in", "in");
	cr_assert_eq(mkdir_("/tmp/empty", 0755), 0);
	cr_assert_eq(mkdir_("/tmp/full", 0755), 0);
	put("/tmp/full/x", "x");
	cr_assert_eq(rename_("/tmp/d", "/tmp/full", 0), -ENOTEMPTY);
	cr_assert_eq(rename_("/tmp/d", "/tmp/b", 0), -ENOTDIR);
	cr_assert_eq(rename_("/tmp/b", "/tmp/full", 0), -EISDIR);
	cr_assert_eq(rename_("/tmp/d", "/tmp/d/sub", 0), -EINVAL);
	cr_assert_eq(rename_("/tmp/d", "/tmp/.", 0), -EBUSY);
	cr_assert_eq(rename_("/tmp/d", "/tmp/empty", 0), 0);
	read_all_text("/tmp/empty/in", "in");
	cr_assert_eq(stat_("/usr", st, 0), 0);
	uint32_t usr_links = st->st_nlink;
	cr_assert_eq(rename_("/tmp/empty", "/usr/moved", 0), 0);
	cr_assert_eq(stat_("/usr", st, 0), 0);
	cr_assert_eq(st->st_nlink, usr_links + 1);
	read_all_text("/usr/moved/in", "in");
	cr_assert_eq(rename_("/usr/moved", "/usr/moved/in/x", 0), -ENOTDIR);
	/* An archive file moves out of the archive's folder; its content comes along. */
	cr_assert_eq(rename_("/etc/hosts", "/tmp/hosts", 0), 0);
	read_all_text("/tmp/hosts", HOSTS);
	cr_assert_eq(open_("/etc/hostlink", O_RDONLY), -ENOENT);
	/* The new name is listed, once, in its new folder. */
	struct ents e;
	read_dir((int)open_("/tmp", O_RDONLY), 4096, &e);
	cr_assert_neq(find_ent(&e, "hosts"), -1);
	cr_assert_eq(find_ent(&e, "a"), -1);
	int nb = 0;
	for (int i = 0; i < e.n; i++)
		nb += strcmp(e.name[i], "b") == 0;
	cr_assert_eq(nb, 1);
}

/* ---------------------------------------------------------------- an unlinked open file */

Test(tmpfs, an_unlinked_open_file_keeps_its_data_until_closed, .init = setup)
{
	long fd = create("/tmp/u", O_RDWR, 0600);
	uint64_t before = fake_pages_taken; /* the node and its name stay in their pages */
	uint8_t *data = ualloc(3 * PAGE_SIZE);
	memset(data, 'u', 3 * PAGE_SIZE);
	cr_assert_eq(write_((int)fd, data, 3 * PAGE_SIZE), (long)(3 * PAGE_SIZE));
	long dup = SYS(sys_dup, (unsigned long)fd);
	cr_assert_eq(unlink_("/tmp/u", 0), 0);
	cr_assert_eq(open_("/tmp/u", O_RDONLY), -ENOENT);
	struct linux_stat *st = st_buf();
	cr_assert_eq(SYS(sys_fstat, (unsigned long)fd, U(st)), 0);
	cr_assert_eq(st->st_nlink, 0);
	cr_assert_eq(st->st_size, 3 * PAGE_SIZE);
	/* Still written and read through the fd. */
	cr_assert_eq(SYS(sys_pwrite64, (unsigned long)fd, UP("end"), 3, 3 * PAGE_SIZE), 3);
	uint8_t *back = ualloc(3 * PAGE_SIZE + 3);
	cr_assert_eq(SYS(sys_pread64, (unsigned long)dup, U(back), 3 * PAGE_SIZE + 3, 0),
		     (long)(3 * PAGE_SIZE + 3));
	cr_assert_eq(memcmp(back, data, 3 * PAGE_SIZE), 0);
	cr_assert_eq(memcmp(back + 3 * PAGE_SIZE, "end", 3), 0);
	cr_assert_gt(fake_pages_taken, before);
	cr_assert_eq(close_((int)fd), 0);
	cr_assert_gt(fake_pages_taken, before + 3); /* the dup still holds it */
	cr_assert_eq(close_((int)dup), 0);
	cr_assert_eq(fake_pages_taken, before, "the file's pages went back");
}

Test(tmpfs, a_removed_cwd_stays_but_takes_nothing_new, .init = setup)
{
	cr_assert_eq(mkdir_("/tmp/w", 0755), 0);
	cr_assert_eq(SYS(sys_chdir, UP("/tmp/w")), 0);
	cr_assert_eq(unlink_("/tmp/w", AT_REMOVEDIR), 0);
	char *buf = ualloc(64);
	cr_assert_eq(SYS(sys_getcwd, U(buf), 64), -ENOENT);
	cr_assert_eq(create("f", O_WRONLY, 0644), -ENOENT);
	cr_assert_eq(mkdir_("d", 0755), -ENOENT);
	struct linux_stat *st = st_buf();
	cr_assert_eq(stat_(".", st, 0), 0);
	cr_assert_eq(st->st_nlink, 0);
	cr_assert_eq(stat_("..", st, 0), 0); /* stays in it */
	struct ents e;
	read_dir((int)open_(".", O_RDONLY), 4096, &e);
	cr_assert_eq(e.n, 2);
	cr_assert_eq(SYS(sys_chdir, UP("/etc")), 0);
	cr_assert_eq(SYS(sys_getcwd, U(buf), 64), 5);
	cr_assert_str_eq(buf, "/etc");
}

/* ---------------------------------------------------------------- links */

Test(tmpfs, symlinkat_and_readlinkat, .init = setup)
{
	char *buf = ualloc(64);
	struct linux_stat *st = st_buf();
	cr_assert_eq(SYS(sys_symlinkat, UP("../etc/hosts"), CWD, UP("/tmp/l")), 0);
	read_all_text("/tmp/l", HOSTS);
	cr_assert_eq(SYS(sys_readlinkat, CWD, UP("/tmp/l"), U(buf), 64), 12);
	cr_assert_eq(memcmp(buf, "../etc/hosts", 12), 0);
	cr_assert_eq(stat_("/tmp/l", st, AT_SYMLINK_NOFOLLOW), 0);
	cr_assert_eq(st->st_mode, S_IFLNK | 0777);
	cr_assert_eq(st->st_size, 12);
	cr_assert_eq(SYS(sys_symlinkat, UP("x"), CWD, UP("/tmp/l")), -EEXIST);
	cr_assert_eq(SYS(sys_symlinkat, UP(""), CWD, UP("/tmp/m")), -ENOENT);
	cr_assert_eq(SYS(sys_symlinkat, UP("x"), CWD, UP("/none/m")), -ENOENT);
	cr_assert_eq(SYS(sys_symlinkat, BAD_PTR, CWD, UP("/tmp/m")), -EFAULT);
	/* A dangling one, made real afterwards. */
	cr_assert_eq(SYS(sys_symlinkat, UP("later"), CWD, UP("/tmp/d")), 0);
	cr_assert_eq(open_("/tmp/d", O_RDONLY), -ENOENT);
	put("/tmp/later", "now");
	read_all_text("/tmp/d", "now");
	cr_assert_eq(unlink_("/tmp/l", 0), 0);
	read_all_text("/etc/hosts", HOSTS);
}

static long link_(const char *from, const char *to, int flags)
{
	return SYS(sys_linkat, CWD, UP(from), CWD, UP(to), (unsigned long)flags);
}

Test(tmpfs, hard_links, .init = setup)
{
	struct linux_stat *st = st_buf(), *st2 = st_buf();
	put("/tmp/f", "one");
	uint64_t before = fake_pages_taken;
	cr_assert_eq(link_("/tmp/f", "/tmp/g", 0), 0);
	cr_assert_eq(stat_("/tmp/f", st, 0), 0);
	cr_assert_eq(stat_("/tmp/g", st2, 0), 0);
	cr_assert_eq(st->st_ino, st2->st_ino);
	cr_assert_eq(st->st_nlink, 2);
	put("/tmp/g", "two");
	read_all_text("/tmp/f", "two");
	cr_assert_eq(link_("/tmp/f", "/tmp/g", 0), -EEXIST);
	cr_assert_eq(link_("/tmp/none", "/tmp/x", 0), -ENOENT);
	cr_assert_eq(link_("/tmp", "/tmp/x", 0), -EPERM); /* folders: never, as Linux */
	cr_assert_eq(link_("/tmp/f", "/none/x", 0), -ENOENT);
	cr_assert_eq(link_("/tmp/f", "/tmp/x", 0x1), -EINVAL);
	/* The first name goes; the link still names the file, listed as a file. */
	cr_assert_eq(unlink_("/tmp/f", 0), 0);
	read_all_text("/tmp/g", "two");
	cr_assert_eq(stat_("/tmp/g", st, 0), 0);
	cr_assert_eq(st->st_nlink, 1);
	struct ents e;
	read_dir((int)open_("/tmp", O_RDONLY), 4096, &e);
	cr_assert_eq(e.n, 3);
	cr_assert_str_eq(e.name[2], "g");
	cr_assert_eq(e.type[2], DT_REG);
	/* Renames of links: a link to the same file is left alone, others move. */
	cr_assert_eq(link_("/tmp/g", "/tmp/h", 0), 0);
	cr_assert_eq(rename_("/tmp/g", "/tmp/h", 0), 0);
	cr_assert_eq(stat_("/tmp/g", st, 0), 0);
	cr_assert_eq(st->st_nlink, 2);
	cr_assert_eq(rename_("/tmp/h", "/etc/h", 0), 0);
	read_all_text("/etc/h", "two");
	cr_assert_eq(unlink_("/etc/h", 0), 0);
	cr_assert_eq(fake_pages_taken, before);
	cr_assert_eq(unlink_("/tmp/g", 0), 0);
	cr_assert_eq(fake_pages_taken, before - 1, "the file's one page went back");
	/* An archive file, linked, then written through the link: one file, copied up once. */
	cr_assert_eq(link_("/etc/hosts", "/tmp/hosts", 0), 0);
	put("/tmp/hosts", "mine");
	read_all_text("/etc/hosts", "mine");
	/* A symbolic link itself, or with AT_SYMLINK_FOLLOW its target. */
	cr_assert_eq(link_("/etc/hostlink", "/tmp/sl", 0), 0);
	cr_assert_eq(stat_("/tmp/sl", st, AT_SYMLINK_NOFOLLOW), 0);
	cr_assert_eq(st->st_mode & S_IFMT, S_IFLNK);
	cr_assert_eq(link_("/etc/hostlink", "/tmp/tl", AT_SYMLINK_FOLLOW), 0);
	cr_assert_eq(stat_("/tmp/tl", st, AT_SYMLINK_NOFOLLOW), 0);
	cr_assert_eq(st->st_mode & S_IFMT, S_IFREG);
	cr_assert_eq(st->st_nlink, 3);
}

/* ---------------------------------------------------------------- modes, owners, times */

Test(tmpfs, chmod_chown_are_kept_and_shown, .init = setup)
{
	struct linux_stat *st = st_buf();
	fake_now = 20000000; /* 2 s */
	cr_assert_eq(SYS(sys_fchmodat, CWD, UP("/etc/hosts"), 0600), 0);
	cr_assert_eq(stat_("/etc/hosts", st, 0), 0);
	cr_assert_eq(st->st_mode, S_IFREG | 0600);
	cr_assert_eq(st->st_ctime_sec, 1700000002);
	cr_assert_eq(st->st_mtime_sec, 1700000000); /* the archive's */
	long fd = open_("/etc/hosts", O_RDONLY);
	cr_assert_eq(SYS(sys_fchmod, (unsigned long)fd, 04751), 0);
	cr_assert_eq(SYS(sys_fstat, (unsigned long)fd, U(st)), 0);
	cr_assert_eq(st->st_mode, S_IFREG | 04751);
	/* Through a link, to the target. */
	cr_assert_eq(SYS(sys_fchmodat, CWD, UP("/etc/hostlink"), 0640), 0);
	cr_assert_eq(stat_("/etc/hosts", st, 0), 0);
	cr_assert_eq(st->st_mode, S_IFREG | 0640);

	cr_assert_eq(SYS(sys_fchownat, CWD, UP("/etc/hosts"), 1000, 100, 0), 0);
	cr_assert_eq(stat_("/etc/hosts", st, 0), 0);
	cr_assert_eq(st->st_uid, 1000);
	cr_assert_eq(st->st_gid, 100);
	cr_assert_eq(SYS(sys_fchown, (unsigned long)fd, (unsigned long)-1, 7), 0);
	cr_assert_eq(SYS(sys_fstat, (unsigned long)fd, U(st)), 0);
	cr_assert_eq(st->st_uid, 1000);
	cr_assert_eq(st->st_gid, 7);
	/* AT_SYMLINK_NOFOLLOW: the link's own owner. */
	cr_assert_eq(SYS(sys_fchownat, CWD, UP("/etc/hostlink"), 5, 5, AT_SYMLINK_NOFOLLOW), 0);
	cr_assert_eq(stat_("/etc/hostlink", st, AT_SYMLINK_NOFOLLOW), 0);
	cr_assert_eq(st->st_uid, 5);
	cr_assert_eq(stat_("/etc/hosts", st, 0), 0);
	cr_assert_eq(st->st_uid, 1000);
	/* AT_EMPTY_PATH: dirfd itself. */
	cr_assert_eq(SYS(sys_fchownat, (unsigned long)fd, UP(""), 9, 9, AT_EMPTY_PATH), 0);
	cr_assert_eq(stat_("/etc/hosts", st, 0), 0);
	cr_assert_eq(st->st_uid, 9);
	cr_assert_eq(SYS(sys_fchownat, CWD, UP("/etc/hosts"), 0, 0, 0x4), -EINVAL);
	cr_assert_eq(SYS(sys_fchmodat, CWD, UP("/none"), 0600), -ENOENT);
	cr_assert_eq(SYS(sys_fchmod, 99, 0600), -EBADF);
	long p = (long)ualloc(8);
	cr_assert_eq(SYS(sys_pipe2, U((void *)p), 0), 0);
	cr_assert_eq(SYS(sys_fchmod, (unsigned long)((int *)p)[0], 0600), -EPERM);
}

Test(tmpfs, utimensat, .init = setup)
{
	struct linux_stat *st = st_buf();
	struct linux_timespec *ts = ualloc(2 * sizeof(*ts));
	fake_now = 30000000; /* 3 s */
	ts[0] = (struct linux_timespec){1000, 1};
	ts[1] = (struct linux_timespec){2000, 2};
	cr_assert_eq(SYS(sys_utimensat, CWD, UP("/etc/hosts"), U(ts), 0), 0);
	cr_assert_eq(stat_("/etc/hosts", st, 0), 0);
	cr_assert_eq(st->st_atime_sec, 1000);
	cr_assert_eq(st->st_atime_nsec, 1);
	cr_assert_eq(st->st_mtime_sec, 2000);
	cr_assert_eq(st->st_mtime_nsec, 2);
	cr_assert_eq(st->st_ctime_sec, 1700000003);
	/* UTIME_OMIT keeps one, UTIME_NOW takes the clock. */
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	cr_assert_eq(SYS(sys_utimensat, CWD, UP("/etc/hosts"), U(ts), 0), 0);
	cr_assert_eq(stat_("/etc/hosts", st, 0), 0);
	cr_assert_eq(st->st_atime_sec, 1000);
	cr_assert_eq(st->st_mtime_sec, 1700000003);
	/* No times: both now; futimens (no path): the fd's file. */
	fake_now = 40000000;
	long fd = open_("/etc/hosts", O_RDONLY);
	cr_assert_eq(SYS(sys_utimensat, (unsigned long)fd, 0, 0, 0), 0);
	cr_assert_eq(stat_("/etc/hosts", st, 0), 0);
	cr_assert_eq(st->st_atime_sec, 1700000004);
	cr_assert_eq(st->st_mtime_sec, 1700000004);
	ts[0].tv_nsec = 1000000000;
	cr_assert_eq(SYS(sys_utimensat, CWD, UP("/etc/hosts"), U(ts), 0), -EINVAL);
	cr_assert_eq(SYS(sys_utimensat, CWD, UP("/etc/hosts"), BAD_PTR, 0), -EFAULT);
	cr_assert_eq(SYS(sys_utimensat, CWD, 0, 0, 0), -EFAULT);
	cr_assert_eq(SYS(sys_utimensat, CWD, UP("/etc/hosts"), 0, 0x8000), -EINVAL);
	/* A write sets mtime and ctime. */
	fake_now = 50000000;
	put("/etc/hosts", "x");
	cr_assert_eq(stat_("/etc/hosts", st, 0), 0);
	cr_assert_eq(st->st_mtime_sec, 1700000005);
	cr_assert_eq(st->st_ctime_sec, 1700000005);
}

Test(tmpfs, umask, .init = setup)
{
	struct linux_stat *st = st_buf();
	cr_assert_eq(SYS(sys_umask, 077), 022);
	cr_assert_eq(SYS(sys_umask, 077), 077);
	put("/tmp/p", "");
	cr_assert_eq(stat_("/tmp/p", st, 0), 0);
	cr_assert_eq(st->st_mode, S_IFREG | 0600);
	cr_assert_eq(mkdir_("/tmp/q", 0777), 0);
	cr_assert_eq(stat_("/tmp/q", st, 0), 0);
	cr_assert_eq(st->st_mode, S_IFDIR | 0700);
	/* /tmp, which gort makes when the archive has none, is for everyone. */
	cr_assert_eq(stat_("/tmp", st, 0), 0);
	cr_assert_eq(st->st_mode, S_IFDIR | 01777);
}

/* ---------------------------------------------------------------- room */

Test(tmpfs, statfs_counts_pages_and_nodes, .init = setup)
{
	struct linux_statfs *s = ualloc(sizeof(*s)), *s2 = ualloc(sizeof(*s2));
	cr_assert_eq(SYS(sys_statfs, UP("/tmp"), U(s)), 0);
	cr_assert_eq(s->f_type, TMPFS_MAGIC);
	cr_assert_eq(s->f_bsize, PAGE_SIZE);
	cr_assert_eq(s->f_namelen, GORT_NAME_MAX);
	cr_assert_gt(s->f_bfree, 0);
	cr_assert_leq(s->f_bfree, fake_pages_free / 2 + 1);
	cr_assert_eq(s->f_files, GORT_MAX_NODES);
	long fd = create("/tmp/s", O_RDWR, 0644);
	uint8_t *data = ualloc(10 * PAGE_SIZE);
	cr_assert_eq(write_((int)fd, data, 10 * PAGE_SIZE), (long)(10 * PAGE_SIZE));
	cr_assert_eq(SYS(sys_fstatfs, (unsigned long)fd, U(s2)), 0);
	cr_assert_geq(s->f_bfree - s2->f_bfree, 10);
	cr_assert_eq(s->f_ffree - s2->f_ffree, 1);
	cr_assert_eq(SYS(sys_statfs, UP("/none"), U(s)), -ENOENT);
	cr_assert_eq(SYS(sys_fstatfs, 99, U(s)), -EBADF);
	cr_assert_eq(SYS(sys_statfs, UP("/tmp"), BAD_PTR), -EFAULT);
}

/* A small partition: files get half of what is free once the tree is built. */
static void setup_small(void)
{
	fake_pages_free = 400;
	setup();
}

Test(tmpfs, a_full_file_system_says_enospc, .init = setup_small)
{
	struct linux_statfs *s = ualloc(sizeof(*s));
	cr_assert_eq(SYS(sys_statfs, UP("/"), U(s)), 0);
	uint64_t room = s->f_bfree;
	cr_assert_gt(room, 100);
	cr_assert_lt(room, 200);
	long fd = create("/tmp/big", O_RDWR, 0644);
	uint8_t *chunk = ualloc(16 * PAGE_SIZE);
	memset(chunk, 'b', 16 * PAGE_SIZE);
	long total = 0, r;
	while ((r = write_((int)fd, chunk, 16 * PAGE_SIZE)) > 0)
		total += r;
	cr_assert_eq(r, -ENOSPC);
	/* Not a page more than the room (the tables take some), and the size is what was taken. */
	cr_assert_gt(total, (long)((room - 8) * PAGE_SIZE));
	cr_assert_leq(total, (long)(room * PAGE_SIZE));
	struct linux_stat *st = st_buf();
	cr_assert_eq(SYS(sys_fstat, (unsigned long)fd, U(st)), 0);
	cr_assert_eq(st->st_size, total);
	cr_assert_eq(SYS(sys_statfs, UP("/"), U(s)), 0);
	cr_assert_eq(s->f_bfree, 0);
	/* The rest of the program's memory is still there. */
	cr_assert_geq(fake_pages_free, 150);
	/* Copying an archive file up, making folders and names: ENOSPC, nothing half done. */
	cr_assert_eq(SYS(sys_pwrite64, (unsigned long)open_("/data/big", O_WRONLY), UP("x"), 1, 0),
		     -ENOSPC);
	uint8_t *back = ualloc(sizeof(big));
	cr_assert_eq(
	    SYS(sys_pread64, (unsigned long)open_("/data/big", O_RDONLY), U(back), sizeof(big), 0),
	    sizeof(big));
	cr_assert_eq(memcmp(back, big, sizeof(big)), 0);
	int made = 0;
	char path[64];
	for (; made < 10000; made++) {
		snprintf(path, sizeof(path), "/tmp/d%d-with-a-longer-name", made);
		if ((r = mkdir_(path, 0755)) != 0)
			break;
	}
	cr_assert_eq(r, -ENOSPC);
	/* Removing the big file gives its room back. */
	cr_assert_eq(close_((int)fd), 0);
	cr_assert_eq(unlink_("/tmp/big", 0), 0);
	cr_assert_eq(SYS(sys_statfs, UP("/"), U(s)), 0);
	cr_assert_gt(s->f_bfree, room / 2);
	fd = create("/tmp/again", O_RDWR, 0644);
	cr_assert_eq(write_((int)fd, chunk, 16 * PAGE_SIZE), 16 * PAGE_SIZE);
}

Test(tmpfs, fs_init_gives_every_page_back, .init = setup)
{
	build_tree();
	fs_init(arch, arch_len, "/");
	uint64_t fresh = fake_pages_taken;
	char path[64];
	uint8_t *data = ualloc(3 * PAGE_SIZE);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/tmp/dir%d", i);
		cr_assert_eq(mkdir_(path, 0755), 0);
		snprintf(path, sizeof(path), "/tmp/dir%d/file", i);
		long fd = create(path, O_WRONLY, 0644);
		cr_assert_eq(write_((int)fd, data, 3 * PAGE_SIZE), (long)(3 * PAGE_SIZE));
		cr_assert_eq(SYS(sys_symlinkat, UP("file"), CWD, UP("/tmp/link")), i ? -EEXIST : 0);
	}
	cr_assert_eq(SYS(sys_pwrite64, (unsigned long)open_("/data/big", O_WRONLY), UP("x"), 1, 0),
		     1);
	cr_assert_gt(fake_pages_taken, fresh + 300);
	fs_init(arch, arch_len, "/");
	cr_assert_eq(fake_pages_taken, fresh);
}

/* Page 0, the first leaf table (pages 1-511) and the second (512 on): writes across them read
 * back, and truncation gives back the pages and tables it passes. */
Test(tmpfs, a_file_across_its_page_tables, .init = setup)
{
	long fd = create("/tmp/t", O_RDWR, 0644);
	uint64_t before = fake_pages_taken;
	const size_t n = 600;
	uint8_t *page = ualloc(PAGE_SIZE), *back = ualloc(PAGE_SIZE);
	struct linux_stat *st = st_buf();
	for (size_t i = 0; i < n; i++) {
		memset(page, (int)(i * 13 + 1), PAGE_SIZE);
		cr_assert_eq(write_((int)fd, page, PAGE_SIZE), (long)PAGE_SIZE);
	}
	cr_assert_eq(fake_pages_taken, before + n + 3); /* the top and two leaves */
	for (size_t i = 0; i < n; i += 37) {
		cr_assert_eq(SYS(sys_pread64, (unsigned long)fd, U(back), PAGE_SIZE, i * PAGE_SIZE),
			     (long)PAGE_SIZE);
		cr_assert_eq(back[0], (uint8_t)(i * 13 + 1), "page %zu", i);
		cr_assert_eq(back[PAGE_SIZE - 1], (uint8_t)(i * 13 + 1), "page %zu", i);
	}
	const uint64_t cuts[] = {
	    513 * PAGE_SIZE, 512 * PAGE_SIZE + 1, PAGE_SIZE + 1, PAGE_SIZE, 1, 0};
	const uint64_t held[] = {513 + 3, 513 + 3, 2 + 2, 1, 1, 0};
	for (size_t k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
		cr_assert_eq(SYS(sys_ftruncate, (unsigned long)fd, cuts[k]), 0);
		cr_assert_eq(fake_pages_taken, before + held[k], "size %lu",
			     (unsigned long)cuts[k]);
		cr_assert_eq(SYS(sys_fstat, (unsigned long)fd, U(st)), 0);
		cr_assert_eq((uint64_t)st->st_size, cuts[k]);
	}
	/* What truncation cut off reads as zeros when the file grows again. */
	cr_assert_eq(SYS(sys_ftruncate, (unsigned long)fd, 2 * PAGE_SIZE), 0);
	cr_assert_eq(SYS(sys_pread64, (unsigned long)fd, U(back), PAGE_SIZE, 0), (long)PAGE_SIZE);
	for (size_t i = 0; i < PAGE_SIZE; i++)
		cr_assert_eq(back[i], 0);
}
