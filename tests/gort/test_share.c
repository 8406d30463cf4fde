/* Tests of fs.c's shares on the host: a host folder mounted in the tree (fs_mount) through the
 * fake 9P client of fakes_ninep.c, which serves a temporary folder as QEMU's local back end
 * would. Lazy listing, reads, stat, links, the archive's entries over the host's, and writes,
 * removals and renames that stay in the tree (the host folder is checked unchanged). */
#include <criterion/criterion.h>

#include "fakes_ninep.h"
#include "fs_util.h"

static struct ninep sess;
static char host[64];

#define host_text(rel) fake_host_text(host, rel)

static void share_setup(void)
{
	setup();
	cr_assert_eq(fake_host_tree(host, sizeof(host)), 0);
	arch_len = 0;
	arch_ino = 0;
	cpio_add(".", S_IFDIR | 0755, "", 0);
	cpio_add("mnt/host", S_IFDIR | 0755, "", 0);
	cpio_file("mnt/host/packed", 0644, "from the archive\n");
	cpio_file("mnt/host/sub/packed", 0644, "packed below\n");
	cpio_end();
	fs_init(arch, arch_len, "/mnt/host");
	fake_ninep_session(&sess, host);
	fake_ninep_calls = 0;
	cr_assert_eq(fs_mount("/mnt/host", &sess, false), 0);
}

static void share_teardown(void)
{
	fake_host_remove(host);
}

TestSuite(share, .init = share_setup, .fini = share_teardown);

Test(share, listed_only_when_looked_into_and_merged_with_the_archive)
{
	struct ents e;
	struct linux_stat *st = ualloc(sizeof(*st));
	/* Mounting asks the host nothing: the mount point is the archive's folder until listed. */
	cr_assert_eq(fake_ninep_calls, 0);
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("/mnt/host"), U(st), 0), 0);
	cr_assert_eq(st->st_mode, S_IFDIR | 0755);
	long fd = open_("/mnt/host", O_RDONLY | O_DIRECTORY);
	cr_assert_geq(fd, 3);
	read_dir((int)fd, 4096, &e);
	close_((int)fd);
	const char *want[] = {".", "..", "packed", "sub", "dir", "hello.txt", "link", "escape"};
	cr_assert_eq(e.n, 8);
	for (size_t i = 0; i < 8; i++)
		cr_assert_geq(find_ent(&e, want[i]), 0, "%s missing", want[i]);
	cr_assert_eq(e.type[find_ent(&e, "link")], DT_LNK);
	cr_assert_eq(e.type[find_ent(&e, "dir")], DT_DIR);
	/* The first listing gave the mount point the host folder's attributes (mkdtemp's 0700). */
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("/mnt/host"), U(st), 0), 0);
	cr_assert_eq(st->st_mode, S_IFDIR | 0700);
	int calls = fake_ninep_calls;
	/* Listed once: a second listing asks the host nothing. */
	fd = open_("/mnt/host", O_RDONLY | O_DIRECTORY);
	read_dir((int)fd, 4096, &e);
	close_((int)fd);
	cr_assert_eq(fake_ninep_calls, calls);
	/* An archive folder under the mount is merged with the host's too. */
	fd = open_("/mnt/host/sub", O_RDONLY | O_DIRECTORY);
	read_dir((int)fd, 4096, &e);
	close_((int)fd);
	cr_assert_geq(find_ent(&e, "packed"), 0);
	cr_assert_geq(find_ent(&e, "deep.txt"), 0);
}

Test(share, reads_stats_and_links_relative_to_the_cwd)
{
	struct linux_stat *st = ualloc(sizeof(*st));
	read_all_text("hello.txt", "hello from the host\n");
	read_all_text("../host/sub/deep.txt", "deep\n");
	read_all_text("link", "hello from the host\n");
	read_all_text("packed", "from the archive\n");
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("dir"), U(st), 0), 0);
	cr_assert_eq(st->st_mode, S_IFDIR | 0700);
	cr_assert_eq(SYS(sys_newfstatat, CWD, UP("hello.txt"), U(st), 0), 0);
	cr_assert_eq(st->st_size, 20);
	char *buf = ualloc(64);
	cr_assert_eq(SYS(sys_readlinkat, CWD, UP("link"), U(buf), 64), 9);
	cr_assert_str_eq(buf, "hello.txt");
	/* A link out of the share is resolved in the tree, not on the host. */
	cr_assert_eq(open_("escape", O_RDONLY), -ENOENT);
	cr_assert_eq(open_("missing", O_RDONLY), -ENOENT);
}

Test(share, writes_removals_and_renames_stay_in_the_tree)
{
	long fd = open_("hello.txt", O_WRONLY | O_APPEND);
	cr_assert_geq(fd, 3);
	cr_assert_eq(write_str((int)fd, "more\n"), 5);
	close_((int)fd);
	read_all_text("hello.txt", "hello from the host\nmore\n");
	cr_assert_str_eq(host_text("hello.txt"), "hello from the host\n");

	fd = SYS(sys_openat, CWD, UP("new.txt"), O_WRONLY | O_CREAT, 0644);
	cr_assert_geq(fd, 3);
	close_((int)fd);
	cr_assert_null(host_text("new.txt"));

	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("sub/deep.txt"), 0), 0);
	cr_assert_eq(open_("sub/deep.txt", O_RDONLY), -ENOENT);
	cr_assert_str_eq(host_text("sub/deep.txt"), "deep\n");

	/* A host file renamed keeps its bytes; a host folder is not renamed (overlayfs's EXDEV). */
	cr_assert_eq(SYS(sys_renameat2, CWD, UP("link"), CWD, UP("/tmp/moved"), 0), 0);
	cr_assert_eq(SYS(sys_renameat2, CWD, UP("hello.txt"), CWD, UP("/tmp/h"), 0), 0);
	read_all_text("/tmp/h", "hello from the host\nmore\n");
	cr_assert_eq(SYS(sys_renameat2, CWD, UP("dir"), CWD, UP("/tmp/d"), 0), -EXDEV);
	cr_assert_str_eq(host_text("hello.txt"), "hello from the host\n");
}

Test(share, an_open_host_file_reads_after_its_name_is_removed)
{
	char *buf = ualloc(64);
	long fd = open_("sub/deep.txt", O_RDONLY);
	cr_assert_geq(fd, 3);
	cr_assert_eq(SYS(sys_unlinkat, CWD, UP("sub/deep.txt"), 0), 0);
	cr_assert_eq(read_((int)fd, buf, 64), 5);
	cr_assert_str_eq(buf, "deep\n");
	close_((int)fd);
}

Test(share, a_host_program_is_not_executed_from_the_share)
{
	/* A host file is read through 9P, never held in one piece: execve says ENOEXEC (it was a
	 * NULL file handed to the ELF checks). */
	fake_host_program(host, "prog");
	const void *data = NULL;
	size_t size = 0;
	cr_assert_eq(fs_exec_file("/mnt/host/prog", &data, &size), -ENOEXEC);
	cr_assert_eq(fs_exec_file("/mnt/host/hello.txt", &data, &size), -EACCES);
}
