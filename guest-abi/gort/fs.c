/*
 * fs.c: gort's files. One writable tree in memory, built from the initrd, and every system call
 * that works on file descriptors.
 *
 * Supported
 *  - The tree: a cpio "newc" archive (magic 070701, or 070702 with checksums, not checked) indexed
 *    in place: file data and link targets stay in the initrd until changed. Regular files,
 *    folders (also the implicit ones a path names) and symbolic links. Paths in the archive may
 *    start with "/" or "./"; all are taken from the root. A later entry for the same path
 *    replaces the earlier one. /tmp (mode 1777) is made when the archive has none.
 *  - Writing it, everywhere: nodes live in fsmem pages (not in gort's image); a file of the
 *    archive gets pages of its own (fdata) the first time it is written or truncated (copy-up,
 *    so the archive stays as it was). Create (O_CREAT, O_EXCL, O_TRUNC, O_APPEND), write, pwrite,
 *    [f]truncate, fsync, mkdir, unlink and rmdir, rename (RENAME_NOREPLACE), symlink, link, chmod,
 *    chown, utimensat, umask, statfs. A node lives while a folder entry, an open file or the cwd
 *    holds it. A folder's entries carry growing cookies, the getdents positions, so a listing goes
 *    on where it was while entries are removed. Room: fsmem's budget (half of what is free once
 *    the tree is built), then ENOSPC.
 *  - Devices: the character devices other files of gort register (struct gort_dev, fs_add_device:
 *    /dev/watchdog, devices.c's /dev/null..., chan.c's /dev/chan/NAME, netdev.c's /dev/netN),
 *    as /dev/<name> (mode 0600 unless the device gives one), made after the archive is read, so
 *    they take the place of an archive entry of the same path (a name "dir/dev" makes the folder
 *    /dev/dir). Open for reading, writing or both (a device may see each open and last close);
 *    read, write, ioctl and epoll go to the device (one that has no read or write gives EINVAL,
 *    no ioctl ENOTTY, no poll EPERM for epoll); lseek and pread ESPIPE
 *    unless it is seek_zero. A device that cannot go on now says -EAGAIN: a blocking call parks
 *    until fs_dev_changed serves it (a write then takes what the device takes, maybe not all: the
 *    caller writes the rest).
 *  - Default files (fs_add_default_file: etc.c's /etc/passwd...), added where the archive has
 *    nothing at their path.
 *  - The host's folders (virtio_9p.c's shares, fs_mount): listed and read through 9P; a
 *    read-only share's changes stay in the tree (copy-up), a read-write share's are written
 *    through to the host ("the host's folders" and "read-write shares" below).
 *  - Path lookup: absolute, AT_FDCWD- and dirfd-relative, ".", "..", trailing slashes, symbolic
 *    links (40 per lookup at most, then ELOOP), a working folder (getcwd, chdir, fchdir).
 *  - Descriptors: the console (0 and 1 share one open file, 2 has its own: reads see end of
 *    file, writes go to gort_write_console on the stdout or stderr stream), files, folders, pipes,
 * eventfds, epolls. As in Linux, dup'd descriptors share one open file (offset, O_NONBLOCK) and
 * FD_CLOEXEC is per descriptor; the lowest free number is used. dup, dup3, fcntl
 * (F_DUPFD[_CLOEXEC], F_[GS]ETFD, F_[GS]ETFL, F_GETPIPE_SZ).
 *  - Pipes: a 4096-byte ring each; blocking and non-blocking reads and writes, writes of at most
 *    PIPE_BUF bytes are atomic, end of file once no writer is left, EPIPE once no reader is.
 *  - eventfd: the counter and EFD_SEMAPHORE modes, blocking and non-blocking.
 *  - epoll: level- and edge-triggered, EPOLLONESHOT, on pipes, eventfds and the console; waits
 *    with a timeout. Edge-triggered items are reported after a wake-up from their file for an
 *    event they watch (as Linux: data written to a pipe, space freed, a side closed), once.
 *
 * Not supported
 *  - Hard links to folders (EPERM, as Linux), RENAME_EXCHANGE/WHITEOUT, O_TMPFILE, fallocate,
 *    mknod. cpio hard links (entries sharing one inode's data), device nodes, fifos
 *    and sockets in the archive (skipped). Permission checks: the program is root.
 *  - epoll on files and folders (EPERM, as Linux, so Go falls back to blocking I/O), on another
 *    epoll (EPERM), epoll_pwait's signal mask (ignored), EPOLLEXCLUSIVE (ignored).
 *  - SIGPIPE (writers get EPIPE only), O_DIRECT pipes, /proc other than readlink of
 *    /proc/self/exe, FIONREAD on eventfds, terminal ioctls (ENOTTY: the console is no terminal).
 *
 * Blocking: a call that must wait parks its thread (thread_block) on a waitq of the object and
 * returns SYSCALL_BLOCKED. What the call still has to do (a user buffer to fill, data to write) is
 * kept in a struct waiter (t->wait_key points to it; fs.c keeps its own order of waiters). Whoever
 * changes the object (a write, a read, a close) finishes the waiting calls it can serve: it copies
 * to or from their user memory, which copy_*_user can do for any thread of the process, and wakes
 * them with the result.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gort.h"
#include "linux.h"
#include "mm.h"
#include "fdata.h"
#include "fs.h"
#include "fsmem.h"
#include "sock.h"
#include "ninep.h"

#define ROOT	      0
#define MAX_SYMLINKS  40
#define EP_MAX_EVENTS (0x7fffffff / (int)sizeof(struct linux_epoll_event))
#define EP_PRIVATE    (EPOLLONESHOT | EPOLLET | EPOLLWAKEUP | EPOLLEXCLUSIVE)
#define EFD_MAX	      (~0ULL - 1)
#define NO_DEADLINE   (~0ULL)
#define FS_DEV	      1 /* st_dev of the tree */

#define IS_DIR(mode) (((mode)&S_IFMT) == S_IFDIR)
#define IS_REG(mode) (((mode)&S_IFMT) == S_IFREG)
#define IS_LNK(mode) (((mode)&S_IFMT) == S_IFLNK)
#define IS_CHR(mode) (((mode)&S_IFMT) == S_IFCHR)

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* ---------------------------------------------------------------- the tree */

struct ftime {
	int64_t sec;
	int64_t nsec;
};

struct node {
	const char *name; /* in the initrd (not NUL-terminated) or, N_OWN_NAME, in fsmem */
	const uint8_t
	    *data; /* initrd or default-file content, a link's target (N_OWN_DATA: fsmem) */
	uint64_t size;
	struct fdata pages; /* the content once written (N_PAGED): data is NULL then */
	struct ftime atime, mtime, ctime;
	uint32_t namelen, mode, uid, gid, nlink;
	int32_t parent, first_child, last_child, next_sibling, prev_sibling;
	uint64_t cookie;      /* its place in the parent's listing: getdents positions, in order */
	uint64_t next_cookie; /* folders: the next entry's */
	int32_t opens;	      /* open files, and the working folder, that keep it */
	union {
		int32_t inode; /* N_ALIAS: the node this entry is another name of */
		uint32_t rfid; /* N_REMOTE files: the host file's open 9P fid, 0: none yet */
	};
	uint32_t flags;
	const struct gort_dev *dev; /* a device's node */
};

#define N_USED	   1u
#define N_OWN_NAME 2u
#define N_OWN_DATA 4u
#define N_PAGED	   8u
#define N_ALIAS	   16u	/* a hard link: a folder entry only, of another node */
#define N_REMOTE   32u	/* a file whose content is the host's (share): read through 9P */
#define N_UNFILLED 64u	/* a folder of a share whose host entries are not listed yet */
#define N_MOUNT	   128u /* the root of a share: host paths are taken from here */
/* A node of a host folder: its mount's number + 1 in the flags' top byte (0: none). */
#define SHARE(nd)	     ((nd)->flags >> 24)
#define SET_SHARE(nd, share) ((nd)->flags = ((nd)->flags & 0xffffffu) | (uint32_t)(share) << 24)

/* Nodes live in pages from fsmem (not in gort's image), NODES_PER_CHUNK a page; a freed node's
 * number is used again (its next_sibling links the free list). */
#define NODES_PER_CHUNK (PAGE_SIZE / sizeof(struct node))
#define MAX_CHUNKS	((GORT_MAX_NODES + NODES_PER_CHUNK - 1) / NODES_PER_CHUNK)

static struct {
	struct node *chunk[MAX_CHUNKS];
	int top;       /* numbers below it have been handed out */
	int free_head; /* freed numbers, -1: none */
	int live;      /* nodes in use */
	bool booting;  /* building the initrd's tree: running out is fatal */
	unsigned umask;
} tree; /* zero: in bss; tree_free sets it up */

/* The shares mounted in the tree (the host's folders below), a node's share is its index + 1. */
#define MAX_MOUNTS 8
static struct ninep *mounts[MAX_MOUNTS];
static bool mount_rw[MAX_MOUNTS]; /* its changes go to the host (written through) */
static unsigned nmounts;

/* A process's descriptors, working folder and program path (/proc/self/exe). The fd calls use
 * fsp's, the current process's (fs_use). */
struct fdent {
	struct ofile *f;
	bool cloexec;
};

struct files {
	bool used;
	struct fdent fd[GORT_MAX_FDS];
	int cwd;
	char exe[GORT_PATH_MAX];
};

static struct files files_tab[GORT_MAX_PROCS];
static struct files *fsp = &files_tab[0]; /* the boot process's until fs_use */
#define fdtab	 (fsp->fd)
#define cwd_node (fsp->cwd)
#define exe_path (fsp->exe)

static struct node *N(int n)
{
	return &tree.chunk[n / (int)NODES_PER_CHUNK][n % (int)NODES_PER_CHUNK];
}

static struct ftime now_time(void)
{
	int64_t ns = (int64_t)ticks_to_ns(gort_now()) + gort_realtime_offset_ns();
	return (struct ftime){ns / 1000000000, ns % 1000000000};
}

static void node_touch(struct node *nd)
{
	nd->mtime = nd->ctime = now_time();
}

/* The node a folder entry stands for: itself, or the file a hard link names. */
static int ino(int n)
{
	return (N(n)->flags & N_ALIAS) ? N(n)->inode : n;
}

static void dir_fill(int dir);

static int node_lookup(int dir, const char *name, size_t len)
{
	dir_fill(dir);
	for (int c = N(dir)->first_child; c >= 0; c = N(c)->next_sibling)
		if (N(c)->namelen == len && memcmp(N(c)->name, name, len) == 0)
			return c;
	return -1;
}

/* Appends n to folder dir's entries, last in its listing. */
static void child_link(int dir, int n)
{
	struct node *d = N(dir), *nd = N(n);
	nd->parent = dir;
	nd->cookie = d->next_cookie++;
	nd->next_sibling = -1;
	nd->prev_sibling = d->last_child;
	if (d->last_child >= 0)
		N(d->last_child)->next_sibling = n;
	else
		d->first_child = n;
	d->last_child = n;
}

/* Takes n out of its folder; its parent becomes itself, so ".." of a removed folder stays in
 * it rather than in a folder that may be gone. */
static void child_unlink(int n)
{
	struct node *nd = N(n), *d = N(nd->parent);
	if (nd->prev_sibling >= 0)
		N(nd->prev_sibling)->next_sibling = nd->next_sibling;
	else
		d->first_child = nd->next_sibling;
	if (nd->next_sibling >= 0)
		N(nd->next_sibling)->prev_sibling = nd->prev_sibling;
	else
		d->last_child = nd->prev_sibling;
	nd->parent = n;
	nd->next_sibling = nd->prev_sibling = -1;
}

/* A fresh node, or -ENOSPC (fatal while the initrd's tree is built). */
static int node_alloc(void)
{
	int n = tree.free_head;
	if (n >= 0) {
		tree.free_head = N(n)->next_sibling;
	} else {
		if (tree.top >= GORT_MAX_NODES)
			goto full;
		if (tree.top % (int)NODES_PER_CHUNK == 0) {
			struct node *c = fsmem_page();
			if (!c)
				goto full;
			tree.chunk[tree.top / (int)NODES_PER_CHUNK] = c;
		}
		n = tree.top++;
	}
	tree.live++;
	memset(N(n), 0, sizeof(struct node));
	N(n)->flags = N_USED;
	return n;
full:
	if (tree.booting)
		gort_fatal(1,
			   "fs: no room for the initrd's tree: more than %d files, folders and "
			   "links, or out of memory",
			   tree.top);
	return -ENOSPC;
}

static void remote_close(struct node *nd);

static void node_free_content(struct node *nd)
{
	remote_close(nd);
	if (nd->flags & N_OWN_NAME)
		fsmem_free((void *)nd->name, nd->namelen);
	if (nd->flags & N_OWN_DATA)
		fsmem_free((void *)nd->data, nd->size);
	if (nd->flags & N_PAGED)
		fdata_truncate(&nd->pages, 0);
	nd->flags = 0;
}

/* Frees n once nothing names or holds it: no folder entry, no open file, not the cwd. */
static void node_maybe_free(int n)
{
	struct node *nd = N(n);
	if (nd->nlink > 0 || nd->opens > 0 || n == ROOT)
		return;
	node_free_content(nd);
	nd->next_sibling = tree.free_head;
	tree.free_head = n;
	tree.live--;
}

static void node_hold(int n)
{
	N(n)->opens++;
}

static void node_release(int n)
{
	if (--N(n)->opens == 0)
		remote_close(N(n)); /* opened again, it walks to its host file again */
	node_maybe_free(n);
}

/* The working folder holds its node, so a removed cwd stays valid (and empty). */
static void cwd_set(int n)
{
	int old = cwd_node;
	node_hold(n);
	cwd_node = n;
	node_release(old);
}

/* A new entry name[0..len) in folder dir; the name is the initrd's unless copy. -ENOSPC when
 * the nodes or the memory are used up. */
static int node_new_named(int dir, const char *name, size_t len, uint32_t mode, bool copy)
{
	if (len > GORT_NAME_MAX)
		gort_fatal(1, "fs: initrd name longer than %d bytes: %.40s...", GORT_NAME_MAX,
			   name);
	int n = node_alloc();
	if (n < 0)
		return n;
	struct node *nd = N(n);
	if (copy && len) {
		char *own = fsmem_alloc(len);
		if (!own) {
			nd->nlink = 0;
			node_maybe_free(n);
			return -ENOSPC;
		}
		memcpy(own, name, len);
		name = own;
		nd->flags |= N_OWN_NAME;
	}
	nd->name = name;
	nd->namelen = (uint32_t)len;
	nd->mode = mode;
	nd->nlink = IS_DIR(mode) ? 2 : 1;
	nd->first_child = nd->last_child = nd->next_sibling = nd->prev_sibling = -1;
	nd->next_cookie = 2; /* 0 is ".", 1 is ".." */
	nd->atime = nd->mtime = nd->ctime = now_time();
	if (n == ROOT) {
		nd->parent = ROOT;
		return n;
	}
	child_link(dir, n);
	if (IS_DIR(mode))
		N(dir)->nlink++;
	return n;
}

static int node_new(int dir, const char *name, size_t len, uint32_t mode)
{
	return node_new_named(dir, name, len, mode, false);
}

/* Frees the whole tree (fs_init builds it again). */
static void tree_free(void)
{
	for (int n = 0; n < tree.top; n++)
		if (N(n)->flags & N_USED)
			node_free_content(N(n));
	for (int c = 0; c * (int)NODES_PER_CHUNK < tree.top; c++)
		fsmem_page_free(tree.chunk[c]);
	tree.top = 0;
	tree.free_head = -1;
	tree.live = 0;
	tree.umask = 022;
	nmounts = 0;
	fsmem_reset();
}

struct cpio_entry {
	const char *name;
	size_t namelen;
	const uint8_t *data;
	uint64_t size;
	uint32_t mode, uid, gid;
	int64_t mtime;
};

/* The next component of path[*i..len): its start and length, 0 at the end. */
static size_t next_component(const char *path, size_t len, size_t *i, const char **comp)
{
	while (*i < len && path[*i] == '/')
		(*i)++;
	size_t b = *i;
	while (*i < len && path[*i] != '/')
		(*i)++;
	*comp = path + b;
	return *i - b;
}

static bool is_dot(const char *c, size_t len)
{
	return len == 1 && c[0] == '.';
}

static bool is_dotdot(const char *c, size_t len)
{
	return len == 2 && c[0] == '.' && c[1] == '.';
}

/* The path names the root itself: only "." and ".." components in it. */
static bool only_dots(const char *path, size_t len)
{
	size_t i = 0, clen;
	const char *c;
	while ((clen = next_component(path, len, &i, &c)) != 0)
		if (!is_dot(c, clen) && !is_dotdot(c, clen))
			return false;
	return true;
}

/* Sets an existing node (or the root) from an archive entry. */
static void node_set(int n, const struct cpio_entry *e)
{
	struct node *nd = N(n);
	if (IS_DIR(nd->mode) && !IS_DIR(e->mode) && nd->first_child >= 0)
		gort_fatal(1, "fs: initrd entry %.*s replaces a folder that has entries",
			   (int)e->namelen, e->name);
	nd->mode = e->mode;
	nd->uid = e->uid;
	nd->gid = e->gid;
	nd->atime = nd->mtime = nd->ctime = (struct ftime){e->mtime, 0};
	nd->data = e->data;
	nd->size = IS_DIR(e->mode) ? 0 : e->size;
}

/* Adds one archive entry, creating the folders its path implies. */
static void tree_add(const struct cpio_entry *e)
{
	uint32_t type = e->mode & S_IFMT;
	if (type != S_IFREG && type != S_IFDIR && type != S_IFLNK)
		return; /* device nodes, fifos, sockets: not served */
	int cur = ROOT;
	size_t i = 0;
	const char *c;
	size_t clen;
	if (type != S_IFDIR && only_dots(e->name, e->namelen))
		gort_fatal(1, "fs: initrd entry %s would replace the root folder", e->name);
	while ((clen = next_component(e->name, e->namelen, &i, &c)) != 0) {
		if (is_dot(c, clen))
			continue;
		if (is_dotdot(c, clen)) {
			cur = N(cur)->parent;
			continue;
		}
		if (!IS_DIR(N(cur)->mode))
			gort_fatal(1, "fs: initrd path %.*s goes through a non-folder",
				   (int)e->namelen, e->name);
		int n = node_lookup(cur, c, clen);
		cur = n >= 0 ? n : node_new(cur, c, clen, S_IFDIR | 0755);
	}
	node_set(cur, e);
}

static uint32_t hex8(const char *p, bool *ok)
{
	uint32_t v = 0;
	for (int i = 0; i < 8; i++) {
		char ch = p[i];
		uint32_t d;
		if (ch >= '0' && ch <= '9')
			d = (uint32_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (uint32_t)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (uint32_t)(ch - 'A' + 10);
		else
			*ok = false, d = 0;
		v = v << 4 | d;
	}
	return v;
}

#define CPIO_HDR 110

/* Decodes the entry at off; returns the offset of the next one, 0 after the trailer. */
static size_t cpio_entry_at(const uint8_t *base, size_t size, size_t off, struct cpio_entry *e)
{
	const char *h = (const char *)base + off;
	bool ok = true;
	if (off > size || size - off < CPIO_HDR || memcmp(h, "07070", 5) != 0 ||
	    (h[5] != '1' && h[5] != '2'))
		gort_fatal(1, "fs: initrd: no cpio newc header at offset %zu", off);
	e->mode = hex8(h + 14, &ok);
	e->uid = hex8(h + 22, &ok);
	e->gid = hex8(h + 30, &ok);
	e->mtime = hex8(h + 46, &ok);
	e->size = hex8(h + 54, &ok);
	uint32_t namesize = hex8(h + 94, &ok);
	size_t room = size - off - CPIO_HDR;
	if (!ok || namesize == 0 || namesize > room || h[CPIO_HDR + namesize - 1] != '\0')
		gort_fatal(1, "fs: initrd: bad cpio header at offset %zu", off);
	e->name = h + CPIO_HDR;
	/* Up to the first NUL: a packer may pad the name with more (tools/gohv.c does, to align the
	 * data). */
	e->namelen = strnlen(e->name, namesize - 1);
	size_t data = (off + CPIO_HDR + namesize + 3) & ~(size_t)3;
	if (data > size || e->size > size - data)
		gort_fatal(1, "fs: initrd: entry %s runs past the end", e->name);
	e->data = base + data;
	if (strcmp(e->name, "TRAILER!!!") == 0)
		return 0;
	return (data + e->size + 3) & ~(size_t)3;
}

static const struct gort_dev *devs[GORT_MAX_DEVS];
static int ndevs;

void fs_add_device(const struct gort_dev *dev)
{
	if (ndevs >= GORT_MAX_DEVS)
		gort_fatal(1, "fs: more than %d devices", GORT_MAX_DEVS);
	devs[ndevs++] = dev;
}

/* /dev and a node in it for each device, over whatever the archive had there. */
static void devs_build(void)
{
	if (!ndevs)
		return;
	int dir = node_lookup(ROOT, "dev", 3);
	if (dir < 0)
		dir = node_new(ROOT, "dev", 3, S_IFDIR | 0755);
	if (!IS_DIR(N(dir)->mode))
		gort_fatal(1, "fs: the initrd's /dev is not a folder: no room for /dev/%s",
			   devs[0]->name);
	for (int i = 0; i < ndevs; i++) {
		const char *name = devs[i]->name, *slash = strchr(name, '/');
		int in = dir;
		if (slash) { /* its folder under /dev */
			in = node_lookup(dir, name, (size_t)(slash - name));
			if (in < 0)
				in = node_new(dir, name, (size_t)(slash - name), S_IFDIR | 0755);
			if (!IS_DIR(N(in)->mode))
				gort_fatal(1, "fs: no folder for /dev/%s", name);
			name = slash + 1;
		}
		struct cpio_entry e = {.name = name,
				       .namelen = strlen(name),
				       .mode = S_IFCHR | (devs[i]->perm ? devs[i]->perm : 0600)};
		int n = node_lookup(in, e.name, e.namelen);
		if (n < 0)
			n = node_new(in, e.name, e.namelen, e.mode);
		node_set(n, &e);
		N(n)->dev = devs[i];
	}
}

static struct cpio_entry default_files[GORT_MAX_DEFAULT_FILES];
static int ndefault_files;

void fs_add_default_file(const char *path, const void *data, size_t size)
{
	if (ndefault_files >= GORT_MAX_DEFAULT_FILES)
		gort_fatal(1, "fs: more than %d default files", GORT_MAX_DEFAULT_FILES);
	default_files[ndefault_files++] = (struct cpio_entry){.name = path,
							      .namelen = strlen(path),
							      .data = data,
							      .size = size,
							      .mode = S_IFREG | 0644};
}

/* The default files the archive has nothing for: not the file, and only folders on the way. */
static void default_files_build(void)
{
	for (int k = 0; k < ndefault_files; k++) {
		const struct cpio_entry *e = &default_files[k];
		int cur = ROOT;
		size_t i = 0, clen;
		const char *c;
		while (cur >= 0 && IS_DIR(N(cur)->mode) &&
		       (clen = next_component(e->name, e->namelen, &i, &c)) != 0)
			cur = node_lookup(cur, c, clen);
		if (cur < 0)
			tree_add(e);
	}
}

static void tree_build(const uint8_t *base, size_t size)
{
	tree_free();
	tree.booting = true;
	node_new(ROOT, "", 0, S_IFDIR | 0755);
	/* The archive ends with its trailer, or (leniently) with the data. */
	for (size_t off = 0, next; off < size; off = next) {
		struct cpio_entry e;
		next = cpio_entry_at(base, size, off, &e);
		if (next == 0)
			break;
		tree_add(&e);
	}
	devs_build();
	default_files_build();
	/* Go's os.TempDir() is /tmp: a place to write even when the archive has none. */
	if (node_lookup(ROOT, "tmp", 3) < 0)
		node_new(ROOT, "tmp", 3, S_IFDIR | 01777);
	/* A folder's link count: itself, its entry in the parent, and each subfolder's "..". An
	 * archive entry can turn a folder into a file, so they are counted once all are in. */
	for (int n = 0; n < tree.top; n++)
		N(n)->nlink = IS_DIR(N(n)->mode) ? 2 : 1;
	for (int n = 1; n < tree.top; n++)
		if (IS_DIR(N(n)->mode))
			N(N(n)->parent)->nlink++;
	tree.booting = false;
}

/* ---------------------------------------------------------------- path lookup */

struct walk {
	int links;	   /* symbolic links followed so far */
	int depth;	   /* nesting of link targets */
	bool last_missing; /* ENOENT came from the last component of the outer path */
};

static int resolve(int start, const char *path, size_t len, bool follow, struct walk *w);

static int follow_link(int dir, int link, struct walk *w)
{
	if (++w->links > MAX_SYMLINKS)
		return -ELOOP;
	if (N(link)->size == 0)
		return -ENOENT;
	w->depth++;
	int r = resolve(dir, (const char *)N(link)->data, N(link)->size, true, w);
	w->depth--;
	return r;
}

static bool only_slashes(const char *path, size_t i, size_t len)
{
	while (i < len && path[i] == '/')
		i++;
	return i == len;
}

/* The node path names from folder start, or -errno. follow: follow a final symbolic link. */
static int resolve(int start, const char *path, size_t len, bool follow, struct walk *w)
{
	int cur = len && path[0] == '/' ? ROOT : start;
	size_t i = 0;
	const char *c;
	size_t clen;
	while ((clen = next_component(path, len, &i, &c)) != 0) {
		if (!IS_DIR(N(cur)->mode))
			return -ENOTDIR;
		bool last = only_slashes(path, i, len);
		if (is_dot(c, clen))
			continue;
		if (is_dotdot(c, clen)) {
			cur = N(cur)->parent;
			continue;
		}
		if (clen > GORT_NAME_MAX)
			return -ENAMETOOLONG;
		int n = node_lookup(cur, c, clen);
		if (n >= 0)
			n = ino(n);
		if (n < 0) {
			w->last_missing = last && w->depth == 0;
			return -ENOENT;
		}
		/* A trailing slash asks for a folder, so it follows a final link too. */
		if (IS_LNK(N(n)->mode) && (!last || follow || i < len)) {
			n = follow_link(cur, n, w);
			if (n < 0)
				return n;
		}
		cur = n;
	}
	if (len && path[len - 1] == '/' && !IS_DIR(N(cur)->mode))
		return -ENOTDIR;
	return cur;
}

static long node_path(int n, char *buf, size_t size);
static void node_unlink(int n);
static int resolve(int start, const char *path, size_t len, bool follow, struct walk *w);

/* ---------------------------------------------------------------- the host's folders (9P) */

/* A share (ninep.h, virtio_9p.c) mounted on a folder of the tree: its entries are listed from the
 * host the first time the folder is looked into (N_UNFILLED), each becoming a node of the tree
 * with the host's type, mode, owner, size and times; a file's bytes stay on the host (N_REMOTE)
 * and are read through 9P until it is written, when they are copied up into fdata. So a read-only
 * share's host folder is the lower layer of an overlay whose upper layer is the tree in memory:
 * creating, removing and renaming change the tree only (a read-write share's are made on the
 * host too, below), and a folder, once listed, is the tree's (a removed host entry stays
 * removed). The archive's entries under a mount stay and hide the host's of the same name. Host
 * paths are a node's names up to its mount (N_MOUNT), walked from the share's root, so nothing
 * outside it can be named (QEMU's local back end resolves every walk beneath its folder and never
 * follows a link; links are resolved here, in the tree's own name space). */

#define HOST_DEPTH 128 /* names between a node and its mount */

static struct ninep *share_of(const struct node *nd)
{
	return SHARE(nd) ? mounts[SHARE(nd) - 1] : NULL;
}

/* A fid walked from the share's root to node n: the fid, or -errno (-ENOENT: n is no longer
 * under its mount). */
static long remote_walk(int n)
{
	const char *names[HOST_DEPTH];
	uint16_t lens[HOST_DEPTH];
	unsigned depth = 0;
	struct ninep *s = share_of(N(n));
	for (int c = n; !(N(c)->flags & N_MOUNT); c = N(c)->parent) {
		if (c == ROOT || N(c)->parent == c || SHARE(N(c)) != SHARE(N(n)))
			return -ENOENT;
		if (depth == HOST_DEPTH)
			return -ENAMETOOLONG;
		depth++;
	}
	unsigned i = depth;
	for (int c = n; i > 0; c = N(c)->parent) {
		i--;
		names[i] = N(c)->name;
		lens[i] = (uint16_t)N(c)->namelen;
	}
	long fid = ninep_fid(s);
	if (fid < 0)
		return fid;
	int e = ninep_walk(s, NINEP_ROOT_FID, (uint32_t)fid, depth, names, lens);
	return e ? e : fid;
}

static void remote_close(struct node *nd)
{
	if ((nd->flags & N_REMOTE) && !(nd->flags & N_ALIAS) && nd->rfid) {
		ninep_clunk(share_of(nd), nd->rfid);
		nd->rfid = 0;
	}
}

/* The open fid of remote file n: 0 or -errno. */
static long remote_open(int n)
{
	struct node *nd = N(n);
	if (nd->rfid || !(nd->flags & N_REMOTE))
		return 0;
	long fid = remote_walk(n);
	if (fid < 0)
		return fid;
	int e = ninep_lopen(share_of(nd), (uint32_t)fid, O_RDONLY);
	if (e) {
		ninep_clunk(share_of(nd), (uint32_t)fid);
		return e;
	}
	nd->rfid = (uint32_t)fid;
	return 0;
}

static void attr_set(struct node *nd, const struct ninep_attr *a)
{
	nd->mode = (nd->mode & S_IFMT) | (a->mode & 07777);
	nd->uid = a->uid;
	nd->gid = a->gid;
	nd->atime = (struct ftime){a->atime_sec, a->atime_nsec};
	nd->mtime = (struct ftime){a->mtime_sec, a->mtime_nsec};
	nd->ctime = (struct ftime){a->ctime_sec, a->ctime_nsec};
	if (IS_REG(nd->mode))
		nd->size = a->size;
}

struct fill {
	int dir;
	long err;
};

/* One entry of a host folder's listing: a node of its type, its attributes come after (the
 * reply buffer is the listing's until it is parsed). */
static void fill_entry(void *ctx, const char *name, size_t len, unsigned type)
{
	struct fill *f = ctx;
	uint32_t mode = type == DT_DIR	 ? S_IFDIR
			: type == DT_REG ? S_IFREG
			: type == DT_LNK ? S_IFLNK
					 : 0;
	if (!mode || f->err || len == 0 || len > GORT_NAME_MAX || is_dot(name, len) ||
	    is_dotdot(name, len) || memchr(name, '/', len) || node_lookup(f->dir, name, len) >= 0)
		return; /* devices, fifos and sockets are not served; the tree's own entry wins */
	int n = node_new_named(f->dir, name, len, mode, true);
	if (n < 0) {
		f->err = n;
		return;
	}
	SET_SHARE(N(n), SHARE(N(f->dir)));
	N(n)->flags |= IS_DIR(mode) ? N_UNFILLED : IS_REG(mode) ? N_REMOTE : 0;
}

/* A new entry's attributes (and a link's target) from the host. */
static long fill_attrs(int n)
{
	struct node *nd = N(n);
	struct ninep *s = share_of(nd);
	struct ninep_attr a;
	long fid = remote_walk(n);
	if (fid < 0)
		return fid;
	long e = ninep_getattr(s, (uint32_t)fid, &a);
	if (!e)
		attr_set(nd, &a);
	if (!e && IS_LNK(nd->mode)) {
		char *buf = fsmem_page();
		e = buf ? ninep_readlink(s, (uint32_t)fid, buf, PAGE_SIZE) : -ENOSPC;
		char *target = e > 0 ? fsmem_alloc((size_t)e) : NULL;
		if (target) {
			memcpy(target, buf, (size_t)e);
			nd->data = (const uint8_t *)target;
			nd->size = (uint64_t)e;
			nd->flags |= N_OWN_DATA;
			e = 0;
		} else if (e >= 0) {
			e = -ENOSPC;
		}
		if (buf)
			fsmem_page_free(buf);
	}
	ninep_clunk(s, (uint32_t)fid);
	return e;
}

static void fill_failed(int dir, long err)
{
	char path[160];
	long len = node_path(dir, path, sizeof(path));
	gort_printf(
	    "gort: host folder %s: listing it failed (error %ld): its entries are left out\n",
	    len < 0 ? "(too long)" : path, -err);
}

/* Lists host folder dir into the tree, once. */
static void dir_fill(int dir)
{
	struct node *d = N(dir);
	if (!(d->flags & N_UNFILLED))
		return;
	d->flags &= ~N_UNFILLED;
	int last_old = d->last_child;
	struct ninep *s = share_of(d);
	if (d->flags & N_MOUNT) { /* the share's first use: its root, mounted without a look */
		struct ninep_attr a;
		long e = ninep_getattr(s, NINEP_ROOT_FID, &a);
		if (!e && (a.mode & S_IFMT) != S_IFDIR)
			e = -ENOTDIR;
		if (e) {
			fill_failed(dir, e);
			return;
		}
		attr_set(d, &a);
	}
	long fid = remote_walk(dir);
	struct fill f = {.dir = dir, .err = fid < 0 ? fid : 0};
	if (fid >= 0) {
		f.err = ninep_lopen(s, (uint32_t)fid, O_RDONLY | O_DIRECTORY);
		if (!f.err) {
			long e = ninep_readdir(s, (uint32_t)fid, fill_entry, &f);
			f.err = f.err ? f.err : e;
		}
		ninep_clunk(s, (uint32_t)fid);
	}
	int c = last_old >= 0 ? N(last_old)->next_sibling : N(dir)->first_child;
	for (int next; c >= 0; c = next) {
		next = N(c)->next_sibling;
		long e = fill_attrs(c);
		if (e == -ENOENT) { /* gone from the host since it was listed */
			node_unlink(c);
		} else if (e && !f.err) {
			f.err = e;
		}
	}
	if (f.err && f.err != -ENOENT)
		fill_failed(dir, f.err);
}

/* Marks folder n and the archive's folders under it as the share's, to be listed from the host
 * (their own entries stay). */
static void mark_share(int n, uint8_t share)
{
	SET_SHARE(N(n), share);
	N(n)->flags |= N_UNFILLED;
	for (int c = N(n)->first_child; c >= 0; c = N(c)->next_sibling)
		if (IS_DIR(N(c)->mode) && !(N(c)->flags & N_ALIAS))
			mark_share(c, share);
}

int fs_mount(const char *path, struct ninep *s, bool rw)
{
	struct walk w = {0};
	if (nmounts == MAX_MOUNTS)
		return -EBUSY;
	int n = resolve(ROOT, path, strlen(path), true, &w);
	if (n < 0)
		return n;
	if (!IS_DIR(N(n)->mode))
		return -ENOTDIR;
	mount_rw[nmounts] = rw;
	mounts[nmounts++] = s;
	N(n)->flags |= N_MOUNT; /* its attributes are the host's from its first listing on */
	mark_share(n, (uint8_t)nmounts);
	return 0;
}

/* Hands the host's bytes to user memory or to fdata. */
struct sink {
	uintptr_t uva;
	struct fdata *d;
	uint64_t off;
};

static long sink_user(void *ctx, uint64_t at, const void *p, size_t len)
{
	struct sink *k = ctx;
	return copy_to_user(k->uva + at, p, len) ? -EFAULT : 0;
}

static long sink_fdata(void *ctx, uint64_t at, const void *p, size_t len)
{
	struct sink *k = ctx;
	return fdata_fill(k->d, k->off + at, p, len);
}

static long remote_pread(int n, uintptr_t uva, size_t len, uint64_t off)
{
	long e = remote_open(n);
	if (e)
		return e;
	struct sink k = {.uva = uva};
	return ninep_read(share_of(N(n)), N(n)->rfid, off, len, sink_user, &k);
}

/* Copies the first keep bytes of remote file n into d: 0, -ENOSPC or the read's error. */
static long remote_copy(int n, struct fdata *d, uint64_t keep)
{
	long e = remote_open(n);
	uint64_t size = N(n)->size < keep ? N(n)->size : keep;
	for (uint64_t off = 0; !e && off < size;) {
		struct sink k = {.d = d, .off = off};
		size_t want = size - off < (1u << 20) ? (size_t)(size - off) : (1u << 20);
		long got = ninep_read(share_of(N(n)), N(n)->rfid, off, want, sink_fdata, &k);
		if (got <= 0)
			e = got < 0 ? got : -EIO; /* shorter on the host than when listed */
		else
			off += (uint64_t)got;
	}
	return e;
}

/* ---------------------------------------------------------------- read-write shares */

/* A read-write share is written through: every change is made on the host (9P2000.L's create,
 * write, setattr, mkdir, unlinkat, renameat, symlink, link) and kept in the tree only once the
 * host made it (a new entry the tree made first is taken out again), so the tree stays the
 * host's cache: its files are never copied up, each open file has a fid of its own
 * opened on the host with the open's access mode and O_APPEND (so the host appends), reads go
 * to the host (a file longer there than the tree thought grows), and the tree's sizes, modes and
 * times follow what gort did. The names sent are one component each, resolved beneath a fid
 * walked as remote_walk does, so as for reads nothing outside the share can be named. */

/* Whether node n's changes go to the host. */
static bool host_rw(int n)
{
	const struct node *nd = N(n);
	return SHARE(nd) && mount_rw[SHARE(nd) - 1];
}

/* A regular file of a read-write share (its bytes are the host's). */
static bool host_file(int n)
{
	return host_rw(n) && (N(n)->flags & N_REMOTE);
}

static long source_user(void *ctx, uint64_t at, void *p, size_t len)
{
	struct sink *k = ctx;
	return copy_from_user(p, k->uva + at, len) ? -EFAULT : 0;
}

/* Opens host file n with flags' access mode, O_TRUNC and O_APPEND: its new fid or -errno. */
static long host_open(int n, int flags)
{
	struct ninep *s = share_of(N(n));
	long fid = remote_walk(n);
	if (fid < 0)
		return fid;
	int e = ninep_lopen(s, (uint32_t)fid, (uint32_t)flags & (O_ACCMODE | O_TRUNC | O_APPEND));
	if (e) {
		ninep_clunk(s, (uint32_t)fid);
		return e;
	}
	if (flags & O_TRUNC) {
		N(n)->size = 0;
		node_touch(N(n));
	}
	return fid;
}

/* Makes new tree node n (in a host folder, named as the host entry it stands for) the share's;
 * its attributes the host's when fid (walked to it, or 0) is given. */
static void host_adopt(int n, int dir, long fid)
{
	struct ninep_attr a;
	SET_SHARE(N(n), SHARE(N(dir)));
	if (IS_REG(N(n)->mode))
		N(n)->flags |= N_REMOTE;
	if (fid > 0 && !ninep_getattr(share_of(N(n)), (uint32_t)fid, &a))
		attr_set(N(n), &a);
}

/* The request an entry of host folder dir needs, with a fid walked to dir: 0 or -errno. */
enum host_op { H_MKDIR, H_SYMLINK, H_UNLINK, H_RMDIR };

static long host_entry(int dir, enum host_op op, const char *name, size_t len, uint32_t mode,
		       const char *target, size_t tlen)
{
	struct ninep *s = share_of(N(dir));
	long fid = remote_walk(dir);
	if (fid < 0)
		return fid;
	uint32_t f = (uint32_t)fid;
	int e = op == H_MKDIR ? ninep_mkdir(s, f, name, len, mode)
		: op == H_SYMLINK
		    ? ninep_symlink(s, f, name, len, target, tlen)
		    : ninep_unlinkat(s, f, name, len, op == H_RMDIR ? AT_REMOVEDIR : 0);
	ninep_clunk(s, f);
	return e;
}

static long host_setattr(int n, const struct ninep_setattr *a)
{
	struct ninep *s = share_of(N(n));
	long fid = remote_walk(n);
	if (fid < 0)
		return fid;
	int e = ninep_setattr(s, (uint32_t)fid, a);
	ninep_clunk(s, (uint32_t)fid);
	return e;
}

/* renameat from o_dir to n_dir, both of one read-write share. */
static long host_rename(int o_dir, const char *oname, size_t olen, int n_dir, const char *nname,
			size_t nlen)
{
	struct ninep *s = share_of(N(o_dir));
	long of = remote_walk(o_dir);
	if (of < 0)
		return of;
	long nf = remote_walk(n_dir);
	int e = nf < 0 ? (int)nf
		       : ninep_renameat(s, (uint32_t)of, oname, olen, (uint32_t)nf, nname, nlen);
	if (nf >= 0)
		ninep_clunk(s, (uint32_t)nf);
	ninep_clunk(s, (uint32_t)of);
	return e;
}

/* A new name in host folder dir for host file n: 0 or -errno. */
static long host_link(int n, int dir, const char *name, size_t len)
{
	struct ninep *s = share_of(N(n));
	long ff = remote_walk(n);
	if (ff < 0)
		return ff;
	long df = remote_walk(dir);
	int e = df < 0 ? (int)df : ninep_link(s, (uint32_t)df, (uint32_t)ff, name, len);
	if (df >= 0)
		ninep_clunk(s, (uint32_t)df);
	ninep_clunk(s, (uint32_t)ff);
	return e;
}

/* ---------------------------------------------------------------- open files and descriptors */

enum fkind {
	FK_FREE,
	FK_CONSOLE,
	FK_FILE,
	FK_DIR,
	FK_DEV,
	FK_PIPE_R,
	FK_PIPE_W,
	FK_EVENTFD,
	FK_EPOLL,
	FK_SOCK
};

struct pipe;

/* An open file description: what descriptors made by dup share. */
struct ofile {
	enum fkind kind;
	int refs;	/* descriptors referring to it */
	unsigned flags; /* O_ACCMODE, O_NONBLOCK, O_APPEND, O_LARGEFILE */
	int node;	/* files, folders and devices */
	uint32_t fid;	/* a read-write share's file: its own fid, opened on the host */
	uint64_t pos;	/* file offset, or folder position: 0 ".", 1 "..", 2 + i the i-th entry */
	int cursor;	/* folders: the entry at pos, or -1 at the end (dir_seek) */
	struct pipe *pipe;
	struct sock *sock;
	enum gort_stream stream; /* the console */
	struct {
		uint64_t count;
		bool semaphore;
		struct waitq rq, wq;
	} efd;
	struct {
		int head, tail; /* its items, in report order */
		struct waitq wq;
	} ep;
};

/* Open file descriptions, shared by all processes (fork shares them as dup does). */
static struct ofile ofiles[GORT_MAX_FDS * 2];

static struct ofile *ofile_alloc(enum fkind kind, unsigned flags)
{
	for (size_t i = 0; i < sizeof(ofiles) / sizeof(ofiles[0]); i++) {
		struct ofile *f = &ofiles[i];
		if (f->kind != FK_FREE)
			continue;
		memset(f, 0, sizeof(*f));
		f->kind = kind;
		f->flags = flags;
		f->refs = 0;
		f->node = -1;
		f->cursor = -1;
		f->ep.head = f->ep.tail = -1;
		return f;
	}
	return NULL;
}

static struct ofile *fd_get(int fd)
{
	if (fd < 0 || fd >= GORT_MAX_FDS)
		return NULL;
	return fdtab[fd].f;
}

/* Gives f the lowest free descriptor >= min. */
static int fd_install(struct ofile *f, int min, bool cloexec)
{
	for (int fd = min < 0 ? 0 : min; fd < GORT_MAX_FDS; fd++) {
		if (fdtab[fd].f)
			continue;
		fdtab[fd].f = f;
		fdtab[fd].cloexec = cloexec;
		f->refs++;
		return fd;
	}
	return -EMFILE;
}

static void ofile_put(struct ofile *f);

static long fd_close(int fd)
{
	struct ofile *f = fd_get(fd);
	if (!f)
		return -EBADF;
	fdtab[fd].f = NULL;
	fdtab[fd].cloexec = false;
	ofile_put(f);
	return 0;
}

/* An ofile no descriptor took yet: installs it or, failing, frees it. */
static int fd_install_new(struct ofile *f, bool cloexec)
{
	int fd = fd_install(f, 0, cloexec);
	if (fd < 0) {
		f->refs = 1;
		ofile_put(f);
	}
	return fd;
}

/* ---------------------------------------------------------------- user memory */

/* Bytes from uva to the end of its page, at most n: a fault then loses at most one chunk. */
static size_t page_chunk(uintptr_t uva, size_t n)
{
	return min_sz(n, PAGE_SIZE - (uva & (PAGE_SIZE - 1)));
}

/* Copies n bytes out; the bytes copied before a fault, or -EFAULT if none were. */
static long copy_out(uintptr_t uva, const void *src, size_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t c = page_chunk(uva + done, n - done);
		if (copy_to_user(uva + done, (const uint8_t *)src + done, c) != 0)
			return done ? (long)done : -EFAULT;
		done += c;
	}
	return (long)done;
}

/* The count of a read or write: huge ones cannot be a valid buffer, long ones are cut short. */
static long rw_count(uintptr_t uva, unsigned long count, size_t *n)
{
	if ((long)count < 0 || uva + count < uva)
		return -EFAULT;
	*n = min_sz(count, MAX_RW_COUNT);
	return 0;
}

static char pathbuf[GORT_PATH_MAX]; /* the big lock makes one buffer enough */

static long get_path(uintptr_t uva)
{
	long r = strncpy_from_user(pathbuf, uva, sizeof(pathbuf));
	return r < 0 ? r : 0;
}

/* The folder a path given with dirfd starts from. */
static long dir_start(int dirfd, const char *path, int *start)
{
	if (path[0] == '/') {
		*start = ROOT;
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		*start = cwd_node;
		return 0;
	}
	struct ofile *f = fd_get(dirfd);
	if (!f)
		return -EBADF;
	if (f->kind != FK_DIR)
		return -ENOTDIR;
	*start = f->node;
	return 0;
}

/* Looks pathbuf up relative to dirfd. */
static long lookup_path(int dirfd, const char *path, bool follow, struct walk *w)
{
	int start;
	if (path[0] == '\0')
		return -ENOENT;
	long r = dir_start(dirfd, path, &start);
	if (r < 0)
		return r;
	return resolve(start, path, strlen(path), follow, w);
}

static long lookup_at(int dirfd, bool follow, struct walk *w)
{
	return lookup_path(dirfd, pathbuf, follow, w);
}

/* A path's last component and the folder it is (or would be) in. */
struct last {
	int dir;
	const char *name; /* into the path; len 0: the path names the root */
	size_t len;
	bool slash; /* the path ends in '/' */
};

/* Resolves all of path but its last component (following links), which it does not look up:
 * for calls that make, remove or rename an entry. */
static long lookup_parent(int dirfd, const char *path, struct last *l)
{
	size_t len = strlen(path), end = len, b;
	int start;
	struct walk w = {0};
	if (len == 0)
		return -ENOENT;
	long r = dir_start(dirfd, path, &start);
	if (r < 0)
		return r;
	while (end > 0 && path[end - 1] == '/')
		end--;
	for (b = end; b > 0 && path[b - 1] != '/'; b--)
		;
	l->dir = start;
	if (b > 0 && (l->dir = resolve(start, path, b, true, &w)) < 0)
		return l->dir;
	if (!IS_DIR(N(l->dir)->mode))
		return -ENOTDIR;
	l->name = path + b;
	l->len = end - b;
	l->slash = end < len;
	return l->len > GORT_NAME_MAX ? -ENAMETOOLONG : 0;
}

static bool last_is_dots(const struct last *l)
{
	return l->len == 0 || is_dot(l->name, l->len) || is_dotdot(l->name, l->len);
}

/* A new entry l names, of mode (type and permissions, before the umask): its node or -errno. */
static long node_create(const struct last *l, uint32_t mode)
{
	struct node *d = N(l->dir);
	if (d->nlink == 0)
		return -ENOENT; /* a removed folder takes no new entries */
	mode = (mode & S_IFMT) | (mode & 07777 & ~tree.umask);
	int n = node_new_named(l->dir, l->name, l->len, mode, true);
	if (n >= 0)
		node_touch(d);
	return n;
}

/* ---------------------------------------------------------------- waiting */

/* A call parked on a waitq of this file: what it still has to do when served. fs.c finds its
 * waiters here, in the order they blocked, rather than walking the scheduler's queue. */
struct waiter {
	struct thread *t;
	struct waitq *q;
	uint64_t seq;  /* order of blocking */
	uintptr_t buf; /* its user buffer (epoll: the events array) */
	size_t len;    /* its length (epoll: maxevents) */
	size_t done;   /* pipe writes: bytes already written */
	uint64_t val;  /* eventfd writes: the value to add */
};

static struct waiter waiters[GORT_MAX_THREADS];
static uint64_t waiter_seq;

/* A thread woken by its deadline or a signal leaves its waiter stale: this tells. */
static bool waiter_live(const struct waiter *w)
{
	return w->t && w->t->state == T_BLOCKED && w->t->wq == w->q &&
	       w->t->wait_key == (uintptr_t)w;
}

/* The live waiter on q that blocked after prev (NULL: the first). Callers take the next one
 * before serving the current, which may wake it. */
static struct waiter *q_next(struct waitq *q, const struct waiter *prev)
{
	struct waiter *best = NULL;
	uint64_t after = prev ? prev->seq : 0;
	for (int i = 0; i < GORT_MAX_THREADS; i++) {
		struct waiter *w = &waiters[i];
		if (w->q == q && w->seq > after && waiter_live(w) && (!best || w->seq < best->seq))
			best = w;
	}
	return best;
}

struct wait_spec {
	struct waitq *q;
	uintptr_t buf;
	size_t len, done;
	uint64_t val, deadline;
	long timeout_result;
	bool interruptible;
};

static long block_on(struct thread *t, const struct wait_spec *s)
{
	struct waiter *w = NULL;
	for (int i = 0; i < GORT_MAX_THREADS && !w; i++)
		if (!waiter_live(&waiters[i]))
			w = &waiters[i];
	if (!w)
		gort_fatal(1, "fs: more than %d blocked file calls", GORT_MAX_THREADS);
	*w = (struct waiter){.t = t,
			     .q = s->q,
			     .seq = ++waiter_seq,
			     .buf = s->buf,
			     .len = s->len,
			     .done = s->done,
			     .val = s->val};
	t->wait_key = (uintptr_t)w;
	thread_block(t, s->q, s->deadline, s->timeout_result, s->interruptible);
	return SYSCALL_BLOCKED;
}

/* Serving a parked call copies to or from its thread's memory, whichever process the kernel acts
 * for: this makes that memory current and returns what to restore. */
static struct aspace *waiter_mm(const struct waiter *w)
{
	return mm_use(w->t->proc ? w->t->proc->as : mm_current());
}

/* Wakes every live waiter on q with result (the object they wait on goes away). */
static void q_wake_all(struct waitq *q, long result)
{
	struct waiter *w, *next;
	for (w = q_next(q, NULL); w; w = next) {
		next = q_next(q, w);
		thread_wake(w->t, result);
	}
}

/* ---------------------------------------------------------------- epoll */

struct epitem {
	struct ofile *ep, *target;
	int fd;
	uint32_t events; /* as asked, plus EPOLLERR | EPOLLHUP; EP_PRIVATE only once disabled */
	uint64_t data;
	bool pending; /* a wake-up for it came since it was last reported (edge trigger) */
	int prev, next;
};

static struct epitem items[GORT_MAX_EPITEMS];

static uint32_t file_poll(struct ofile *f);

static void ep_link_tail(struct ofile *ep, int i)
{
	items[i].prev = ep->ep.tail;
	items[i].next = -1;
	if (ep->ep.tail >= 0)
		items[ep->ep.tail].next = i;
	else
		ep->ep.head = i;
	ep->ep.tail = i;
}

static void ep_unlink(struct ofile *ep, int i)
{
	struct epitem *it = &items[i];
	if (it->prev >= 0)
		items[it->prev].next = it->next;
	else
		ep->ep.head = it->next;
	if (it->next >= 0)
		items[it->next].prev = it->prev;
	else
		ep->ep.tail = it->prev;
}

static void ep_item_free(int i)
{
	ep_unlink(items[i].ep, i);
	items[i].ep = NULL;
	items[i].target = NULL;
}

/* The events item i reports now, 0 if none. */
static uint32_t ep_item_ready(const struct epitem *it)
{
	uint32_t m = file_poll(it->target) & it->events & ~EP_PRIVATE;
	if ((it->events & EPOLLET) && !it->pending)
		return 0;
	return m;
}

/* Copies ready events into the user array; their count or -EFAULT. Level-triggered items go to
 * the back of the list once reported, so a small array does not starve the others. */
static long ep_collect(struct ofile *ep, uintptr_t uva, size_t max)
{
	size_t n = 0, todo = 0;
	for (int i = ep->ep.head; i >= 0; i = items[i].next)
		todo++;
	for (int i = ep->ep.head, next; i >= 0 && todo > 0 && n < max; i = next, todo--) {
		struct epitem *it = &items[i];
		next = it->next;
		uint32_t m = ep_item_ready(it);
		if (!m) {
			it->pending = false;
			continue;
		}
		struct linux_epoll_event ev = {.events = m, .data = it->data};
		if (copy_to_user(uva + n * sizeof(ev), &ev, sizeof(ev)) != 0)
			return n ? (long)n : -EFAULT;
		n++;
		it->pending = false;
		if (it->events & EPOLLONESHOT)
			it->events &= EP_PRIVATE;
		else if (!(it->events & EPOLLET)) {
			ep_unlink(ep, i);
			ep_link_tail(ep, i);
		}
	}
	return (long)n;
}

/* Serves the threads waiting in epoll_pwait on ep while it has events for them. */
static void ep_wake(struct ofile *ep)
{
	struct waiter *w, *next;
	for (w = q_next(&ep->ep.wq, NULL); w; w = next) {
		next = q_next(&ep->ep.wq, w);
		struct aspace *old = waiter_mm(w);
		long n = ep_collect(ep, w->buf, w->len);
		mm_use(old);
		if (n == 0)
			return;
		thread_wake(w->t, n);
	}
}

/* f had a wake-up for events mask: marks the items watching it and serves their epolls. */
static void poll_notify(struct ofile *f, uint32_t mask)
{
	bool any = false;
	for (int i = 0; i < GORT_MAX_EPITEMS; i++) {
		if (items[i].target == f && (items[i].events & mask & ~EP_PRIVATE)) {
			items[i].pending = true;
			any = true;
		}
	}
	if (!any)
		return;
	for (int i = 0; i < GORT_MAX_EPITEMS; i++)
		if (items[i].target == f && items[i].pending)
			ep_wake(items[i].ep);
}

/* f is closed for good: no epoll watches it any more. */
static void ep_forget_target(struct ofile *f)
{
	for (int i = 0; i < GORT_MAX_EPITEMS; i++)
		if (items[i].target == f)
			ep_item_free(i);
}

static void epoll_release(struct ofile *ep)
{
	while (ep->ep.head >= 0)
		ep_item_free(ep->ep.head);
	q_wake_all(&ep->ep.wq, 0); /* as if their timeout passed */
}

/* ---------------------------------------------------------------- pipes */

struct pipe {
	bool used;
	uint32_t head, len;
	struct ofile *rend, *wend; /* the open ends, NULL once closed */
	struct waitq rq, wq;	   /* blocked readers, blocked writers */
	uint32_t events;	   /* wake-ups owed to epoll: EPOLLIN for rend, EPOLLOUT for wend */
	uint8_t buf[GORT_PIPE_SIZE];
};

static struct pipe pipes[GORT_MAX_PIPES];

static size_t pipe_space(const struct pipe *p)
{
	return GORT_PIPE_SIZE - p->len;
}

/* Up to n bytes from user memory into the ring: the count taken, or -EFAULT. */
static long ring_put(struct pipe *p, uintptr_t uva, size_t n)
{
	size_t done = 0;
	n = min_sz(n, pipe_space(p));
	while (done < n) {
		size_t tail = (p->head + p->len) % GORT_PIPE_SIZE;
		size_t c = page_chunk(uva + done, min_sz(n - done, GORT_PIPE_SIZE - tail));
		if (copy_from_user(p->buf + tail, uva + done, c) != 0)
			break;
		p->len += (uint32_t)c;
		done += c;
	}
	if (done)
		p->events |= EPOLLIN;
	return done ? (long)done : (n ? -EFAULT : 0);
}

static long ring_get(struct pipe *p, uintptr_t uva, size_t n)
{
	size_t done = 0;
	n = min_sz(n, p->len);
	while (done < n) {
		size_t c = page_chunk(uva + done, min_sz(n - done, GORT_PIPE_SIZE - p->head));
		if (copy_to_user(uva + done, p->buf + p->head, c) != 0)
			break;
		p->head = (uint32_t)((p->head + c) % GORT_PIPE_SIZE);
		p->len -= (uint32_t)c;
		done += c;
	}
	if (done)
		p->events |= EPOLLOUT;
	return done ? (long)done : (n ? -EFAULT : 0);
}

/* Serves blocked readers from the ring; true if any took data. */
static bool pipe_feed_readers(struct pipe *p)
{
	bool moved = false;
	struct waiter *w, *next;
	for (w = q_next(&p->rq, NULL); w && p->len; w = next) {
		next = q_next(&p->rq, w);
		struct aspace *old = waiter_mm(w);
		long r = ring_get(p, w->buf, w->len);
		mm_use(old);
		moved |= r > 0;
		thread_wake(w->t, r);
	}
	return moved;
}

/* Moves blocked writers' data into the ring; true if any was. */
static bool pipe_feed_writers(struct pipe *p)
{
	bool moved = false;
	struct waiter *w, *next;
	for (w = q_next(&p->wq, NULL); w; w = next) {
		next = q_next(&p->wq, w);
		size_t rem = w->len - w->done;
		if (pipe_space(p) == 0 || (w->len <= PIPE_BUF && pipe_space(p) < rem))
			continue;
		struct aspace *old = waiter_mm(w);
		long r = ring_put(p, w->buf + w->done, rem);
		mm_use(old);
		if (r < 0) {
			thread_wake(w->t, w->done ? (long)w->done : r);
			continue;
		}
		moved = true;
		w->done += (size_t)r;
		if (w->done == w->len)
			thread_wake(w->t, (long)w->len);
		else
			w->t->interruptible =
			    false; /* part is written: a signal must not lose it */
	}
	return moved;
}

/* After any change: lets blocked calls progress, then tells the epolls watching the ends. */
static void pipe_settle(struct pipe *p)
{
	while (pipe_feed_readers(p) | pipe_feed_writers(p))
		;
	uint32_t ev = p->events;
	p->events = 0;
	if ((ev & EPOLLIN) && p->rend)
		poll_notify(p->rend, EPOLLIN);
	if ((ev & EPOLLOUT) && p->wend)
		poll_notify(p->wend, EPOLLOUT);
}

static long pipe_read(struct thread *t, struct ofile *f, uintptr_t uva, size_t n)
{
	struct pipe *p = f->pipe;
	if (n == 0)
		return 0;
	if (p->len) {
		long r = ring_get(p, uva, n);
		pipe_settle(p);
		return r;
	}
	if (!p->wend)
		return 0;
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	struct wait_spec s = {
	    .q = &p->rq, .buf = uva, .len = n, .deadline = NO_DEADLINE, .interruptible = true};
	return block_on(t, &s);
}

static long pipe_write(struct thread *t, struct ofile *f, uintptr_t uva, size_t n)
{
	struct pipe *p = f->pipe;
	size_t done = 0;
	if (n == 0)
		return 0;
	if (!p->rend)
		return -EPIPE;
	/* Writes of at most PIPE_BUF bytes go in whole or wait; longer ones take what fits. */
	while (done < n && pipe_space(p) && (n > PIPE_BUF || pipe_space(p) >= n)) {
		long r = ring_put(p, uva + done, n - done);
		if (r < 0) {
			pipe_settle(p);
			return done ? (long)done : r;
		}
		done += (size_t)r;
		pipe_settle(p);
	}
	if (done == n)
		return (long)n;
	if (f->flags & O_NONBLOCK)
		return done ? (long)done : -EAGAIN;
	struct wait_spec s = {.q = &p->wq,
			      .buf = uva,
			      .len = n,
			      .done = done,
			      .deadline = NO_DEADLINE,
			      .interruptible = done == 0};
	return block_on(t, &s);
}

static uint32_t pipe_poll(struct ofile *f)
{
	struct pipe *p = f->pipe;
	if (f->kind == FK_PIPE_R)
		return (p->len ? EPOLLIN : 0) | (p->wend ? 0 : EPOLLHUP);
	return (pipe_space(p) ? EPOLLOUT : 0) | (p->rend ? 0 : EPOLLERR);
}

static void pipe_release(struct ofile *f)
{
	struct pipe *p = f->pipe;
	if (f->kind == FK_PIPE_R) {
		p->rend = NULL;
		struct waiter *w, *next;
		for (w = q_next(&p->wq, NULL); w; w = next) {
			next = q_next(&p->wq, w);
			thread_wake(w->t, w->done ? (long)w->done : -EPIPE);
		}
		if (p->wend)
			poll_notify(p->wend, EPOLLERR);
	} else {
		p->wend = NULL;
		q_wake_all(&p->rq, 0); /* readers only wait on an empty ring: end of file */
		if (p->rend)
			poll_notify(p->rend, EPOLLHUP);
	}
	if (!p->rend && !p->wend)
		p->used = false;
}

static struct pipe *pipe_alloc(void)
{
	for (int i = 0; i < GORT_MAX_PIPES; i++) {
		struct pipe *p = &pipes[i];
		if (p->used)
			continue;
		p->used = true;
		p->head = p->len = p->events = 0;
		p->rend = p->wend = NULL;
		p->rq.head = p->wq.head = NULL;
		return p;
	}
	return NULL;
}

/* ---------------------------------------------------------------- eventfd */

static bool efd_feed_readers(struct ofile *f)
{
	bool moved = false;
	struct waiter *w, *next;
	for (w = q_next(&f->efd.rq, NULL); w && f->efd.count; w = next) {
		next = q_next(&f->efd.rq, w);
		uint64_t v = f->efd.semaphore ? 1 : f->efd.count;
		struct aspace *old = waiter_mm(w);
		int err = copy_to_user(w->buf, &v, sizeof(v));
		mm_use(old);
		if (err != 0) {
			thread_wake(w->t, -EFAULT);
			continue;
		}
		f->efd.count -= v;
		moved = true;
		thread_wake(w->t, sizeof(v));
	}
	return moved;
}

static bool efd_feed_writers(struct ofile *f)
{
	bool moved = false;
	struct waiter *w, *next;
	for (w = q_next(&f->efd.wq, NULL); w; w = next) {
		next = q_next(&f->efd.wq, w);
		if (EFD_MAX - f->efd.count < w->val)
			continue;
		f->efd.count += w->val;
		moved = true;
		thread_wake(w->t, sizeof(uint64_t));
	}
	return moved;
}

static void efd_settle(struct ofile *f, uint32_t events)
{
	for (;;) {
		bool r = efd_feed_readers(f), w = efd_feed_writers(f);
		events |= (r ? EPOLLOUT : 0) | (w ? EPOLLIN : 0);
		if (!r && !w)
			break;
	}
	poll_notify(f, events);
}

static long efd_read(struct thread *t, struct ofile *f, uintptr_t uva, size_t n)
{
	if (n < sizeof(uint64_t))
		return -EINVAL;
	if (f->efd.count == 0) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		struct wait_spec s = {.q = &f->efd.rq,
				      .buf = uva,
				      .len = sizeof(uint64_t),
				      .deadline = NO_DEADLINE,
				      .interruptible = true};
		return block_on(t, &s);
	}
	uint64_t v = f->efd.semaphore ? 1 : f->efd.count;
	if (copy_to_user(uva, &v, sizeof(v)) != 0)
		return -EFAULT;
	f->efd.count -= v;
	efd_settle(f, EPOLLOUT);
	return sizeof(v);
}

static long efd_write(struct thread *t, struct ofile *f, uintptr_t uva, size_t n)
{
	uint64_t v;
	if (n < sizeof(v))
		return -EINVAL;
	if (copy_from_user(&v, uva, sizeof(v)) != 0)
		return -EFAULT;
	if (v == ~0ULL)
		return -EINVAL;
	if (EFD_MAX - f->efd.count < v) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		struct wait_spec s = {
		    .q = &f->efd.wq, .val = v, .deadline = NO_DEADLINE, .interruptible = true};
		return block_on(t, &s);
	}
	f->efd.count += v;
	efd_settle(f, EPOLLIN);
	return sizeof(v);
}

static uint32_t efd_poll(struct ofile *f)
{
	return (f->efd.count ? EPOLLIN : 0) | (f->efd.count < EFD_MAX ? EPOLLOUT : 0);
}

static void efd_release(struct ofile *f)
{
	/* Linux would leave them asleep for ever: a clear error serves the program better. */
	q_wake_all(&f->efd.rq, -EBADF);
	q_wake_all(&f->efd.wq, -EBADF);
}

/* ---------------------------------------------------------------- console, files, folders */

static long console_read(struct thread *t, struct ofile *f, uintptr_t uva, size_t n)
{
	return 0; /* no input: end of file */
}

static long console_write(struct thread *t, struct ofile *f, uintptr_t uva, size_t n)
{
	static char buf[256];
	size_t done = 0;
	while (done < n) {
		size_t c = page_chunk(uva + done, min_sz(n - done, sizeof(buf)));
		if (copy_from_user(buf, uva + done, c) != 0)
			return done ? (long)done : -EFAULT;
		gort_write_console(f->stream, buf, c);
		done += c;
	}
	return (long)done;
}

static uint32_t console_poll(struct ofile *f)
{
	return EPOLLIN | EPOLLOUT;
}

/* A read-write share's file: as long as the host's is, which may have grown. */
static long host_pread(struct ofile *f, uintptr_t uva, size_t n, uint64_t off)
{
	struct node *nd = N(f->node);
	struct sink k = {.uva = uva};
	long r = ninep_read(share_of(nd), f->fid, off, n, sink_user, &k);
	if (r > 0 && off + (uint64_t)r > nd->size)
		nd->size = off + (uint64_t)r;
	return r;
}

static long file_pread(struct ofile *f, uintptr_t uva, size_t n, uint64_t off)
{
	const struct node *nd = N(f->node);
	if (f->fid)
		return host_pread(f, uva, n, off);
	if (off >= nd->size)
		return 0;
	n = min_sz(n, nd->size - off);
	if (nd->flags & N_PAGED)
		return fdata_read(&nd->pages, off, uva, n);
	if (nd->flags & N_REMOTE)
		return remote_pread(f->node, uva, n, off);
	return copy_out(uva, nd->data + off, n);
}

static long file_read(struct thread *t, struct ofile *f, uintptr_t uva, size_t n)
{
	long r = file_pread(f, uva, n, f->pos);
	if (r > 0)
		f->pos += (uint64_t)r;
	return r;
}

/* Gives a file read from the initrd (or a default file) pages of its own before it changes:
 * the archive stays as it was. 0 or -ENOSPC. */
static long node_copy_up(int n, uint64_t keep)
{
	struct node *nd = N(n);
	if (nd->flags & N_PAGED)
		return 0;
	struct fdata d = {0};
	long e = (nd->flags & N_REMOTE) ? remote_copy(n, &d, keep)
					: fdata_fill(&d, 0, nd->data, min_sz(nd->size, keep));
	if (e < 0) {
		fdata_truncate(&d, 0);
		return e;
	}
	remote_close(nd);
	nd->flags &= ~N_REMOTE;
	nd->pages = d;
	nd->data = NULL;
	nd->flags |= N_PAGED;
	return 0;
}

/* Sets a regular file's size: 0, -EFBIG or -ENOSPC (a host file's: or the host's error). */
static long node_truncate(int n, uint64_t size)
{
	struct node *nd = N(n);
	if (host_file(n)) {
		struct ninep_setattr h = {
		    .valid = NINEP_SET_SIZE | NINEP_SET_MTIME | NINEP_SET_CTIME, .size = size};
		long e = host_setattr(n, &h);
		if (e)
			return e;
		nd->size = size;
		node_touch(nd);
		return 0;
	}
	if (size > FDATA_MAX_SIZE)
		return -EFBIG;
	long r = node_copy_up(n, size);
	if (r < 0)
		return r;
	if (size < nd->size)
		fdata_truncate(&nd->pages, size);
	nd->size = size;
	node_touch(nd);
	return 0;
}

/* Written on the host (which appends for an O_APPEND file, as Linux's pwrite does too). */
static long host_pwrite(struct ofile *f, uintptr_t uva, size_t n, uint64_t off)
{
	struct node *nd = N(f->node);
	struct sink k = {.uva = uva};
	long r = ninep_write(share_of(nd), f->fid, off, n, source_user, &k);
	struct ninep_attr a;
	if (r > 0 && (f->flags & O_APPEND) && !ninep_getattr(share_of(nd), f->fid, &a))
		nd->size = a.size; /* where the host put the bytes: its end, maybe not ours */
	else if (r > 0 && off + (uint64_t)r > nd->size)
		nd->size = off + (uint64_t)r;
	if (r > 0)
		node_touch(nd);
	return r;
}

static long file_pwrite(struct ofile *f, uintptr_t uva, size_t n, uint64_t off)
{
	struct node *nd = N(f->node);
	if (n == 0)
		return 0;
	if (f->fid)
		return host_pwrite(f, uva, n, off);
	if (off >= FDATA_MAX_SIZE)
		return -EFBIG;
	n = min_sz(n, FDATA_MAX_SIZE - off);
	long r = node_copy_up(f->node, nd->size);
	if (r < 0)
		return r;
	r = fdata_write(&nd->pages, off, uva, n);
	if (r > 0) {
		if (off + (uint64_t)r > nd->size)
			nd->size = off + (uint64_t)r;
		node_touch(nd);
	}
	return r;
}

static long file_write(struct thread *t, struct ofile *f, uintptr_t uva, size_t n)
{
	if (f->flags & O_APPEND)
		f->pos = N(f->node)->size;
	long r = file_pwrite(f, uva, n, f->pos);
	if (r > 0)
		f->pos = f->fid && (f->flags & O_APPEND) ? N(f->node)->size : f->pos + (uint64_t)r;
	return r;
}

static long dir_read(struct thread *t, struct ofile *f, uintptr_t uva, size_t n)
{
	return -EISDIR;
}

/* Puts folder f at position pos: ".", "..", then the first entry whose cookie is at least pos.
 * Entries come and go, but cookies only grow, so a listing goes on where it was. */
static void dir_seek(struct ofile *f, uint64_t pos)
{
	dir_fill(f->node);
	int c = N(f->node)->first_child;
	while (c >= 0 && N(c)->cookie < pos)
		c = N(c)->next_sibling;
	f->pos = pos;
	f->cursor = c;
}

/* The entry at f's position: false at the end. */
static bool dir_entry(struct ofile *f, const char **name, size_t *len, int *node)
{
	const struct node *d = N(f->node);
	if (f->pos < 2) {
		*name = "..";
		*len = f->pos == 0 ? 1 : 2;
		*node = f->pos == 0 ? f->node : d->parent;
		return true;
	}
	if (f->cursor < 0)
		return false;
	*name = N(f->cursor)->name;
	*len = N(f->cursor)->namelen;
	*node = ino(f->cursor);
	return true;
}

/* The position after the entry at f's position (getdents' d_off). */
static uint64_t dir_next_pos(const struct ofile *f)
{
	return (f->pos < 2 || f->cursor < 0 ? f->pos : N(f->cursor)->cookie) + 1;
}

static void dir_advance(struct ofile *f)
{
	uint64_t next = dir_next_pos(f);
	if (f->pos >= 2 && f->cursor >= 0)
		f->cursor = N(f->cursor)->next_sibling;
	f->pos = next;
}

/* ---------------------------------------------------------------- devices */

/* Calls parked on each device (devs[i]): readers and writers. */
static struct {
	struct waitq rq, wq;
} devq[GORT_MAX_DEVS];

static int dev_index(const struct gort_dev *d)
{
	for (int i = 0; i < ndevs; i++)
		if (devs[i] == d)
			return i;
	gort_fatal(2, "fs: /dev/%s is not a device of the tree", d->name);
}

static long dev_read(struct thread *t, struct ofile *f, uintptr_t uva, size_t n)
{
	const struct gort_dev *d = N(f->node)->dev;
	if (!d->read)
		return -EINVAL;
	long r = d->read(d, t, uva, n);
	if (r != -EAGAIN || (f->flags & O_NONBLOCK))
		return r;
	struct wait_spec s = {.q = &devq[dev_index(d)].rq,
			      .buf = uva,
			      .len = n,
			      .deadline = NO_DEADLINE,
			      .interruptible = true};
	return block_on(t, &s);
}

static long dev_write(struct thread *t, struct ofile *f, uintptr_t uva, size_t n)
{
	const struct gort_dev *d = N(f->node)->dev;
	if (!d->write)
		return -EINVAL;
	long r = d->write(d, t, uva, n);
	if (r != -EAGAIN || (f->flags & O_NONBLOCK))
		return r; /* a short count too: the program writes the rest (Go's File does) */
	struct wait_spec s = {.q = &devq[dev_index(d)].wq,
			      .buf = uva,
			      .len = n,
			      .deadline = NO_DEADLINE,
			      .interruptible = true};
	return block_on(t, &s);
}

static long dev_lseek(struct ofile *f, long off, int whence)
{
	return N(f->node)->dev->seek_zero ? 0 : -ESPIPE;
}

static uint32_t dev_poll(struct ofile *f)
{
	const struct gort_dev *d = N(f->node)->dev;
	return d->poll ? d->poll(d) : 0;
}

void fs_dev_changed(const struct gort_dev *d)
{
	int i = dev_index(d);
	struct waiter *w, *next;
	for (w = q_next(&devq[i].rq, NULL); w; w = next) {
		next = q_next(&devq[i].rq, w);
		struct aspace *old = waiter_mm(w);
		long r = d->read(d, w->t, w->buf, w->len);
		mm_use(old);
		if (r == -EAGAIN)
			break;
		thread_wake(w->t, r);
	}
	for (w = q_next(&devq[i].wq, NULL); w; w = next) {
		next = q_next(&devq[i].wq, w);
		struct aspace *old = waiter_mm(w);
		long r = d->write(d, w->t, w->buf, w->len);
		mm_use(old);
		if (r == -EAGAIN)
			break;
		thread_wake(w->t, r);
	}
	uint32_t mask = d->poll ? d->poll(d) : 0;
	for (size_t k = 0; k < sizeof(ofiles) / sizeof(ofiles[0]); k++)
		if (ofiles[k].kind == FK_DEV && N(ofiles[k].node)->dev == d)
			poll_notify(&ofiles[k], mask);
}

static long seek_pos(uint64_t cur, uint64_t end, long off, int whence, uint64_t *out)
{
	int64_t base;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)cur;
		break;
	case SEEK_END:
		base = (int64_t)end;
		break;
	default:
		return -EINVAL;
	}
	int64_t pos;
	if (__builtin_add_overflow(base, (int64_t)off, &pos) || pos < 0)
		return -EINVAL;
	*out = (uint64_t)pos;
	return 0;
}

static long file_lseek(struct ofile *f, long off, int whence)
{
	uint64_t pos;
	long r = seek_pos(f->pos, N(f->node)->size, off, whence, &pos);
	if (r < 0)
		return r;
	f->pos = pos;
	return (long)pos;
}

static long dir_lseek(struct ofile *f, long off, int whence)
{
	uint64_t pos;
	if (whence == SEEK_END)
		return -EINVAL;
	long r = seek_pos(f->pos, 0, off, whence, &pos);
	if (r < 0)
		return r;
	if (pos != f->pos)
		dir_seek(f, pos);
	return (long)pos;
}

/* ---------------------------------------------------------------- sockets (sock.c) */

static long sockf_read(struct thread *t, struct ofile *f, uintptr_t uva, size_t n)
{
	return sock_file_read(t, f->sock, uva, n, f->flags & O_NONBLOCK);
}

static long sockf_write(struct thread *t, struct ofile *f, uintptr_t uva, size_t n)
{
	return sock_file_write(t, f->sock, uva, n, f->flags & O_NONBLOCK);
}

static uint32_t sockf_poll(struct ofile *f)
{
	return sock_poll(f->sock);
}

static void sockf_release(struct ofile *f)
{
	if (f->sock)
		sock_file_release(f->sock);
	f->sock = NULL;
}

int fs_sock_install(struct sock *s, bool nonblock, bool cloexec)
{
	struct ofile *f = ofile_alloc(FK_SOCK, O_RDWR | (nonblock ? O_NONBLOCK : 0));
	if (!f)
		return -ENFILE;
	int fd = fd_install(f, 0, cloexec);
	if (fd < 0) {
		f->kind = FK_FREE; /* s stays the caller's */
		return fd;
	}
	f->sock = s;
	s->file = f;
	return fd;
}

long fs_sock_get(int fd, struct sock **s, bool *nonblock)
{
	struct ofile *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (f->kind != FK_SOCK)
		return -ENOTSOCK;
	*s = f->sock;
	*nonblock = f->flags & O_NONBLOCK;
	return 0;
}

void fs_sock_notify(struct sock *s, uint32_t events)
{
	if (s->file)
		poll_notify(s->file, events);
}

long fs_sock_mknod(const char *path)
{
	struct last l;
	long r = lookup_parent(AT_FDCWD, path, &l);
	if (r < 0)
		return r;
	if (last_is_dots(&l) || node_lookup(l.dir, l.name, l.len) >= 0)
		return -EADDRINUSE;
	if (l.slash)
		return -ENOENT;
	long n = node_create(&l, S_IFSOCK | 0777);
	if (n >= 0)
		node_hold((int)n); /* the number stays the socket's after an unlink */
	return n;
}

long fs_sock_find(const char *path)
{
	struct walk w = {0};
	long n = lookup_path(AT_FDCWD, path, true, &w);
	if (n < 0)
		return n;
	return (N((int)n)->mode & S_IFMT) == S_IFSOCK ? n : -ECONNREFUSED;
}

void fs_sock_unbind(int node)
{
	node_release(node);
}

/* ---------------------------------------------------------------- operations by kind */

static void node_file_release(struct ofile *f)
{
	if (f->fid)
		ninep_clunk(share_of(N(f->node)), f->fid);
	node_release(f->node);
}

static void dev_release(struct ofile *f)
{
	const struct gort_dev *d = N(f->node)->dev;
	if (d->release)
		d->release(d);
	node_release(f->node);
}

struct fops {
	long (*read)(struct thread *t, struct ofile *f, uintptr_t uva, size_t n);
	long (*write)(struct thread *t, struct ofile *f, uintptr_t uva, size_t n);
	long (*lseek)(struct ofile *f, long off, int whence); /* NULL: ESPIPE */
	uint32_t (*poll)(struct ofile *f);		      /* NULL: not for epoll */
	void (*release)(struct ofile *f);
};

static const struct fops fops[] = {
    [FK_CONSOLE] = {.read = console_read, .write = console_write, .poll = console_poll},
    [FK_FILE] = {.read = file_read,
		 .write = file_write,
		 .lseek = file_lseek,
		 .release = node_file_release},
    [FK_DIR] = {.read = dir_read, .lseek = dir_lseek, .release = node_file_release},
    [FK_DEV] = {.read = dev_read,
		.write = dev_write,
		.lseek = dev_lseek,
		.poll = dev_poll,
		.release = dev_release},
    [FK_PIPE_R] = {.read = pipe_read, .poll = pipe_poll, .release = pipe_release},
    [FK_PIPE_W] = {.write = pipe_write, .poll = pipe_poll, .release = pipe_release},
    [FK_EVENTFD] = {.read = efd_read, .write = efd_write, .poll = efd_poll, .release = efd_release},
    [FK_EPOLL] = {.release = epoll_release},
    [FK_SOCK] = {.read = sockf_read,
		 .write = sockf_write,
		 .poll = sockf_poll,
		 .release = sockf_release},
};

static uint32_t file_poll(struct ofile *f)
{
	return fops[f->kind].poll ? fops[f->kind].poll(f) : 0;
}

static void ofile_put(struct ofile *f)
{
	if (--f->refs > 0)
		return;
	ep_forget_target(f);
	if (fops[f->kind].release)
		fops[f->kind].release(f);
	f->kind = FK_FREE;
}

/* ---------------------------------------------------------------- stat */

static void node_stat(int n, struct linux_stat *st)
{
	const struct node *nd = N(n);
	memset(st, 0, sizeof(*st));
	st->st_dev = FS_DEV;
	st->st_ino = (uint64_t)n + 1;
	st->st_mode = nd->mode;
	st->st_nlink = nd->nlink;
	st->st_uid = nd->uid;
	st->st_gid = nd->gid;
	st->st_size = (int64_t)nd->size;
	st->st_blksize = 4096;
	st->st_blocks = (nd->flags & N_PAGED) ? (int64_t)(nd->pages.data_pages * (PAGE_SIZE / 512))
					      : (int64_t)((nd->size + 511) / 512);
	st->st_atime_sec = nd->atime.sec;
	st->st_atime_nsec = nd->atime.nsec;
	st->st_mtime_sec = nd->mtime.sec;
	st->st_mtime_nsec = nd->mtime.nsec;
	st->st_ctime_sec = nd->ctime.sec;
	st->st_ctime_nsec = nd->ctime.nsec;
	/* Linux's encoding of a device number (new_encode_dev). */
	if (nd->dev)
		st->st_rdev = (nd->dev->minor & 0xff) | nd->dev->major << 8 |
			      (uint64_t)(nd->dev->minor & ~0xffu) << 12;
}

static void ofile_stat(struct ofile *f, struct linux_stat *st)
{
	if (f->kind == FK_FILE || f->kind == FK_DIR || f->kind == FK_DEV) {
		node_stat(f->node, st);
		return;
	}
	memset(st, 0, sizeof(*st));
	st->st_dev = FS_DEV + 1; /* the pseudo files' own device */
	st->st_ino = (uint64_t)(f - ofiles) + 1;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	if (f->kind == FK_CONSOLE) {
		st->st_mode = S_IFCHR | 0620;
		st->st_rdev = 5 << 8 | 1; /* /dev/console, major 5 minor 1 */
	} else if (f->kind == FK_PIPE_R || f->kind == FK_PIPE_W) {
		st->st_mode = S_IFIFO | 0600;
		st->st_ino = 0x10000 + (uint64_t)(f->pipe - pipes);
	} else if (f->kind == FK_SOCK) {
		st->st_mode = S_IFSOCK | 0777;
	} else {
		st->st_mode = 0600; /* anonymous inodes have no type */
	}
}

static long stat_out(uintptr_t uva, const struct linux_stat *st)
{
	return copy_to_user(uva, st, sizeof(*st)) != 0 ? -EFAULT : 0;
}

/* ---------------------------------------------------------------- system calls: files */

static long open_check(int node, int flags)
{
	int acc = flags & O_ACCMODE;
	uint32_t mode = N(node)->mode;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if (IS_LNK(mode))
		return -ELOOP; /* O_NOFOLLOW on a link */
	if (IS_DIR(mode) && ((flags & O_CREAT) || acc != O_RDONLY))
		return -EISDIR;
	if (!IS_DIR(mode) && (flags & O_DIRECTORY))
		return -ENOTDIR;
	if ((mode & S_IFMT) == S_IFSOCK)
		return -ENXIO; /* a socket's name is for connect, as Linux */
	return 0;
}

/* O_CREAT of a missing last component: the new file's node or -errno. In a read-write share it
 * is made on the host (flags' O_EXCL, O_TRUNC, O_APPEND and access mode) and *fid is opened. */
static long open_create(int dirfd, unsigned perm, int flags, uint32_t *fid)
{
	struct last l;
	long r = lookup_parent(dirfd, pathbuf, &l);
	if (r < 0)
		return r;
	if (l.slash || last_is_dots(&l))
		return -EISDIR;
	long n = node_create(&l, S_IFREG | (perm & 07777));
	if (n < 0 || !host_rw(l.dir))
		return n;
	struct ninep *s = share_of(N(l.dir));
	long df = remote_walk(l.dir);
	int e = df < 0 ? (int)df
		       : ninep_lcreate(s, (uint32_t)df, l.name, l.len,
				       (uint32_t)flags & (O_ACCMODE | O_EXCL | O_TRUNC | O_APPEND),
				       N(n)->mode & 07777);
	if (e) {
		if (df >= 0)
			ninep_clunk(s, (uint32_t)df);
		node_unlink((int)n);
		return e;
	}
	host_adopt((int)n, l.dir, df); /* a file made since the folder was listed: its size */
	*fid = (uint32_t)df;
	return n;
}

long sys_openat(struct thread *t, const struct syscall_args *a)
{
	int flags = (int)a->a[2];
	struct walk w = {0};
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -ENOTSUP;
	long r = get_path(a->a[1]);
	if (r < 0)
		return r;
	/* O_CREAT | O_EXCL never follows a final link (it must not exist at all). */
	bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	long node = lookup_at((int)a->a[0], follow, &w);
	uint32_t fid = 0;
	if (node == -ENOENT && (flags & O_CREAT) && w.last_missing) {
		node = open_create((int)a->a[0], (unsigned)a->a[3], flags, &fid);
		flags &= ~O_EXCL & ~O_TRUNC; /* it is new and empty */
	} else if (node >= 0) {
		r = open_check((int)node, flags);
		if (r < 0)
			return r;
	}
	if (node < 0)
		return node;
	uint32_t mode = N(node)->mode;
	enum fkind kind = IS_DIR(mode) ? FK_DIR : IS_CHR(mode) ? FK_DEV : FK_FILE;
	if (kind == FK_FILE && host_file((int)node)) {
		if (!fid) {
			if ((r = host_open((int)node, flags)) < 0)
				return r;
			fid = (uint32_t)r;
		}
	} else {
		if (kind == FK_FILE && (flags & O_TRUNC) && (r = node_truncate((int)node, 0)) < 0)
			return r;
		/* The host file is opened now, so it stays readable if its name goes. */
		if (kind == FK_FILE && (r = remote_open((int)node)) < 0)
			return r;
	}
	struct ofile *f = ofile_alloc(
	    kind, (unsigned)(flags & (O_NONBLOCK | O_APPEND | O_ACCMODE)) | O_LARGEFILE);
	if (!f) {
		if (fid)
			ninep_clunk(share_of(N(node)), fid);
		if (N(node)->opens == 0)
			remote_close(N(node));
		node_maybe_free((int)node);
		return -ENFILE;
	}
	f->node = (int)node;
	f->fid = fid;
	node_hold(f->node);
	if (kind == FK_DIR)
		dir_seek(f, 0);
	if (kind == FK_DEV && N(node)->dev->open)
		N(node)->dev->open(N(node)->dev);
	return fd_install_new(f, flags & O_CLOEXEC);
}

long sys_close(struct thread *t, const struct syscall_args *a)
{
	return fd_close((int)a->a[0]);
}

long sys_read(struct thread *t, const struct syscall_args *a)
{
	struct ofile *f = fd_get((int)a->a[0]);
	size_t n;
	if (!f || (f->flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	long r = rw_count(a->a[1], a->a[2], &n);
	if (r < 0)
		return r;
	if (!fops[f->kind].read)
		return -EINVAL;
	return fops[f->kind].read(t, f, a->a[1], n);
}

long sys_write(struct thread *t, const struct syscall_args *a)
{
	struct ofile *f = fd_get((int)a->a[0]);
	size_t n;
	if (!f || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	long r = rw_count(a->a[1], a->a[2], &n);
	if (r < 0)
		return r;
	if (!fops[f->kind].write)
		return -EINVAL;
	return fops[f->kind].write(t, f, a->a[1], n);
}

/* readv and writev: the segments in order through the file's read or write. Only the first may
 * wait (later ones are tried without waiting), so a call that blocks has done nothing yet; a
 * short transfer ends the call. */
static long rw_vector(struct thread *t, const struct syscall_args *a, bool write)
{
	struct ofile *f = fd_get((int)a->a[0]);
	uintptr_t iov = a->a[1];
	unsigned long cnt = a->a[2];
	size_t done = 0;
	if (!f || (f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY))
		return -EBADF;
	if (cnt > UIO_MAXIOV)
		return -EINVAL;
	long (*op)(struct thread *, struct ofile *, uintptr_t, size_t) =
	    write ? fops[f->kind].write : fops[f->kind].read;
	if (!op)
		return -EINVAL;
	unsigned saved = f->flags;
	long r = 0;
	for (unsigned long i = 0; i < cnt; i++) {
		uint64_t v[2];
		size_t n;
		if (copy_from_user(v, iov + i * sizeof(v), sizeof(v)) != 0) {
			r = -EFAULT;
			break;
		}
		if ((r = rw_count(v[0], v[1], &n)) < 0)
			break;
		if (n == 0)
			continue;
		if (done)
			f->flags |= O_NONBLOCK;
		r = op(t, f, v[0], n);
		f->flags = (f->flags & ~(unsigned)O_NONBLOCK) | (saved & O_NONBLOCK);
		if (r == SYSCALL_BLOCKED)
			return r;
		if (r < 0)
			break;
		done += (size_t)r;
		if ((size_t)r < n)
			break;
	}
	return done ? (long)done : r;
}

long sys_readv(struct thread *t, const struct syscall_args *a)
{
	return rw_vector(t, a, false);
}

long sys_writev(struct thread *t, const struct syscall_args *a)
{
	return rw_vector(t, a, true);
}

/* splice and sendfile move no bytes here: EINVAL, Linux's answer for file types that cannot,
 * after which Go's io.Copy between sockets and files copies through user memory itself. */
long sys_splice_einval(struct thread *t, const struct syscall_args *a)
{
	int other = t->sysno == 76 ? 2 : 1; /* splice: fd_out; sendfile: in_fd */
	return fd_get((int)a->a[0]) && fd_get((int)a->a[other]) ? -EINVAL : -EBADF;
}

/* pread64 and pwrite64: at an offset, for files and the devices that read as if seekable. */
static long rw_at(struct thread *t, const struct syscall_args *a, bool write)
{
	struct ofile *f = fd_get((int)a->a[0]);
	size_t n;
	if (!f || (f->flags & O_ACCMODE) == (write ? O_RDONLY : O_WRONLY))
		return -EBADF;
	long r = rw_count(a->a[1], a->a[2], &n);
	if (r < 0)
		return r;
	if ((long)a->a[3] < 0)
		return -EINVAL;
	if (f->kind == FK_DIR)
		return -EISDIR;
	if (f->kind == FK_DEV && N(f->node)->dev->seek_zero)
		return write ? dev_write(t, f, a->a[1], n) : dev_read(t, f, a->a[1], n);
	if (f->kind != FK_FILE)
		return -ESPIPE;
	return write ? file_pwrite(f, a->a[1], n, a->a[3]) : file_pread(f, a->a[1], n, a->a[3]);
}

long sys_pread64(struct thread *t, const struct syscall_args *a)
{
	return rw_at(t, a, false);
}

long sys_lseek(struct thread *t, const struct syscall_args *a)
{
	struct ofile *f = fd_get((int)a->a[0]);
	if (!f)
		return -EBADF;
	if (!fops[f->kind].lseek)
		return -ESPIPE;
	return fops[f->kind].lseek(f, (long)a->a[1], (int)a->a[2]);
}

long sys_fstat(struct thread *t, const struct syscall_args *a)
{
	struct ofile *f = fd_get((int)a->a[0]);
	struct linux_stat st;
	if (!f)
		return -EBADF;
	ofile_stat(f, &st);
	return stat_out(a->a[1], &st);
}

long sys_newfstatat(struct thread *t, const struct syscall_args *a)
{
	int dirfd = (int)a->a[0], flags = (int)a->a[3];
	struct linux_stat st;
	struct walk w = {0};
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	long r = get_path(a->a[1]);
	if (r < 0)
		return r;
	if (pathbuf[0] == '\0' && (flags & AT_EMPTY_PATH)) {
		if (dirfd == AT_FDCWD) {
			node_stat(cwd_node, &st);
			return stat_out(a->a[2], &st);
		}
		struct syscall_args fa = {{(unsigned long)dirfd, a->a[2]}};
		return sys_fstat(t, &fa);
	}
	long node = lookup_at(dirfd, !(flags & AT_SYMLINK_NOFOLLOW), &w);
	if (node < 0)
		return node;
	node_stat((int)node, &st);
	return stat_out(a->a[2], &st);
}

/* Writes one linux_dirent64 for the entry at f's position; its length, 0 if count is too small,
 * or -EFAULT. */
static long dirent_out(struct ofile *f, uintptr_t uva, size_t room)
{
	static uint8_t rec[(offsetof(struct linux_dirent64, d_name) + GORT_NAME_MAX + 8) & ~7UL];
	const char *name;
	size_t len;
	int node;
	if (!dir_entry(f, &name, &len, &node))
		return 0;
	size_t reclen = (offsetof(struct linux_dirent64, d_name) + len + 1 + 7) & ~(size_t)7;
	if (reclen > room)
		return -EINVAL;
	struct linux_dirent64 *d = (struct linux_dirent64 *)rec;
	memset(rec, 0, reclen);
	d->d_ino = (uint64_t)node + 1;
	d->d_off = (int64_t)dir_next_pos(f);
	d->d_reclen = (uint16_t)reclen;
	uint32_t type = N(node)->mode & S_IFMT;
	d->d_type = type == S_IFDIR    ? DT_DIR
		    : type == S_IFLNK  ? DT_LNK
		    : type == S_IFCHR  ? DT_CHR
		    : type == S_IFSOCK ? DT_SOCK
				       : DT_REG;
	memcpy(d->d_name, name, len);
	if (copy_to_user(uva, rec, reclen) != 0)
		return -EFAULT;
	return (long)reclen;
}

long sys_getdents64(struct thread *t, const struct syscall_args *a)
{
	struct ofile *f = fd_get((int)a->a[0]);
	size_t count = (unsigned int)a->a[2], used = 0;
	if (!f)
		return -EBADF;
	if (f->kind != FK_DIR)
		return -ENOTDIR;
	dir_seek(f, f->pos); /* its entry may have gone since the last call */
	for (;;) {
		long r = dirent_out(f, a->a[1] + used, count - used);
		if (r == 0)
			break;
		if (r < 0)
			return used ? (long)used : r;
		used += (size_t)r;
		dir_advance(f);
	}
	return (long)used;
}

/* Writes n's absolute path into buf; its length, or -ENAMETOOLONG. */
static long node_path(int n, char *buf, size_t size)
{
	size_t pos = size - 1;
	buf[pos] = '\0';
	for (; n != ROOT; n = N(n)->parent) {
		size_t len = N(n)->namelen;
		if (pos < len + 1)
			return -ENAMETOOLONG;
		pos -= len;
		memcpy(buf + pos, N(n)->name, len);
		buf[--pos] = '/';
	}
	if (pos == size - 1)
		buf[--pos] = '/';
	memmove(buf, buf + pos, size - pos);
	return (long)(size - 1 - pos);
}

long sys_getcwd(struct thread *t, const struct syscall_args *a)
{
	if (N(cwd_node)->nlink == 0)
		return -ENOENT; /* removed: it has no path any more */
	long len = node_path(cwd_node, pathbuf, sizeof(pathbuf));
	if (len < 0)
		return len;
	if (a->a[1] < (unsigned long)len + 1)
		return -ERANGE;
	if (copy_to_user(a->a[0], pathbuf, (size_t)len + 1) != 0)
		return -EFAULT;
	return len + 1;
}

long sys_faccessat(struct thread *t, const struct syscall_args *a)
{
	int mode = (int)a->a[2];
	struct walk w = {0};
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	long r = get_path(a->a[1]);
	if (r < 0)
		return r;
	long node = lookup_at((int)a->a[0], true, &w);
	if (node < 0)
		return node;
	/* The program is root: only executing a file with no x bit at all is refused. */
	if ((mode & X_OK) && IS_REG(N(node)->mode) && !(N(node)->mode & 0111))
		return -EACCES;
	return 0;
}

long sys_readlinkat(struct thread *t, const struct syscall_args *a)
{
	int size = (int)a->a[3];
	struct walk w = {0};
	if (size <= 0)
		return -EINVAL;
	long r = get_path(a->a[1]);
	if (r < 0)
		return r;
	const void *target;
	size_t len;
	if (strcmp(pathbuf, "/proc/self/exe") == 0) {
		if (exe_path[0] == '\0')
			return -ENOENT;
		target = exe_path;
		len = strlen(exe_path);
	} else {
		long node = lookup_at((int)a->a[0], false, &w);
		if (node < 0)
			return node;
		if (!IS_LNK(N(node)->mode))
			return -EINVAL;
		target = N(node)->data;
		len = N(node)->size;
	}
	len = min_sz(len, (size_t)size);
	return copy_to_user(a->a[2], target, len) != 0 ? -EFAULT : (long)len;
}

long sys_chdir(struct thread *t, const struct syscall_args *a)
{
	struct walk w = {0};
	long r = get_path(a->a[0]);
	if (r < 0)
		return r;
	long node = lookup_at(AT_FDCWD, true, &w);
	if (node < 0)
		return node;
	if (!IS_DIR(N(node)->mode))
		return -ENOTDIR;
	cwd_set((int)node);
	return 0;
}

long sys_fchdir(struct thread *t, const struct syscall_args *a)
{
	struct ofile *f = fd_get((int)a->a[0]);
	if (!f)
		return -EBADF;
	if (f->kind != FK_DIR)
		return -ENOTDIR;
	cwd_set(f->node);
	return 0;
}

/* ---------------------------------------------------------------- system calls: changing the tree
 */

static char pathbuf2[GORT_PATH_MAX]; /* the other path of rename and symlink */

long sys_mkdirat(struct thread *t, const struct syscall_args *a)
{
	struct last l;
	long r = get_path(a->a[1]);
	if (r < 0 || (r = lookup_parent((int)a->a[0], pathbuf, &l)) < 0)
		return r;
	if (last_is_dots(&l) || node_lookup(l.dir, l.name, l.len) >= 0)
		return -EEXIST;
	r = node_create(&l, S_IFDIR | ((unsigned)a->a[2] & 07777));
	if (r < 0 || !host_rw(l.dir))
		return r < 0 ? r : 0;
	long e = host_entry(l.dir, H_MKDIR, l.name, l.len, N((int)r)->mode & 07777, NULL, 0);
	if (e) {
		node_unlink((int)r);
		return e;
	}
	host_adopt((int)r, l.dir, 0); /* new on the host too: nothing to list */
	return 0;
}

/* Takes n's entry out of its folder; frees it unless an open file or the cwd still holds it. */
static void node_unlink(int n)
{
	int i = ino(n);
	struct node *nd = N(i), *d = N(N(n)->parent);
	node_touch(d);
	if (IS_DIR(nd->mode)) {
		d->nlink--; /* its ".." */
		nd->nlink = 0;
	} else {
		nd->nlink--;
	}
	nd->ctime = now_time();
	child_unlink(n); /* a file's own node may leave its folder while links still name it */
	if (i != n) {
		N(n)->nlink = 0;
		node_maybe_free(n);
	}
	node_maybe_free(i);
}

long sys_unlinkat(struct thread *t, const struct syscall_args *a)
{
	int flags = (int)a->a[2];
	bool rmdir = flags & AT_REMOVEDIR;
	struct last l;
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	long r = get_path(a->a[1]);
	if (r < 0 || (r = lookup_parent((int)a->a[0], pathbuf, &l)) < 0)
		return r;
	if (rmdir && l.len == 0)
		return -EBUSY; /* the root */
	if (rmdir && last_is_dots(&l))
		return is_dot(l.name, l.len) ? -EINVAL : -ENOTEMPTY;
	if (last_is_dots(&l))
		return -EISDIR;
	int n = node_lookup(l.dir, l.name, l.len);
	if (n < 0)
		return -ENOENT;
	const struct node *nd = N(ino(n));
	if (host_rw(ino(n)) && (nd->flags & N_MOUNT))
		return -EBUSY; /* a mount point, as on Linux */
	if (rmdir && !IS_DIR(nd->mode))
		return -ENOTDIR;
	dir_fill(ino(n));
	if (rmdir && nd->first_child >= 0)
		return -ENOTEMPTY;
	if (!rmdir && IS_DIR(nd->mode))
		return -EISDIR;
	if (!rmdir && l.slash)
		return -ENOTDIR;
	if (host_rw(ino(n)) &&
	    (r = host_entry(l.dir, rmdir ? H_RMDIR : H_UNLINK, l.name, l.len, 0, NULL, 0)) < 0)
		return r;
	node_unlink(n);
	return 0;
}

long sys_symlinkat(struct thread *t, const struct syscall_args *a)
{
	struct last l;
	long r = strncpy_from_user(pathbuf2, a->a[0], sizeof(pathbuf2));
	if (r < 0)
		return r;
	size_t tlen = (size_t)r;
	if (tlen == 0)
		return -ENOENT;
	if ((r = get_path(a->a[2])) < 0 || (r = lookup_parent((int)a->a[1], pathbuf, &l)) < 0)
		return r;
	if (last_is_dots(&l) || node_lookup(l.dir, l.name, l.len) >= 0)
		return -EEXIST;
	if (l.slash)
		return -ENOENT;
	char *target = fsmem_alloc(tlen);
	if (!target)
		return -ENOSPC;
	memcpy(target, pathbuf2, tlen);
	long n = node_create(&l, S_IFLNK);
	if (n < 0) {
		fsmem_free(target, tlen);
		return n;
	}
	struct node *nd = N((int)n);
	nd->mode = S_IFLNK | 0777; /* a link's own mode is not used: Linux's are all 0777 */
	nd->data = (const uint8_t *)target;
	nd->size = tlen;
	nd->flags |= N_OWN_DATA;
	if (!host_rw(l.dir))
		return 0;
	/* The target is only text on the host: links are still resolved in the tree. */
	if ((r = host_entry(l.dir, H_SYMLINK, l.name, l.len, 0, target, tlen)) < 0) {
		node_unlink((int)n);
		return r;
	}
	host_adopt((int)n, l.dir, 0);
	return 0;
}

/* A hard link on a read-write share is the host's: the new name is a node of its own, reading
 * the same host file (the tree's link counts are not the host's). */
static long link_host(int i, const struct last *l)
{
	if (SHARE(N(i)) != SHARE(N(l->dir)) || !host_rw(i) || !host_rw(l->dir))
		return -EXDEV;
	long r = node_create(l, N(i)->mode);
	if (r < 0)
		return r;
	long e = host_link(i, l->dir, l->name, l->len);
	if (e) {
		node_unlink((int)r);
		return e;
	}
	host_adopt((int)r, l->dir, 0);
	N((int)r)->mode = N(i)->mode;
	N((int)r)->uid = N(i)->uid;
	N((int)r)->gid = N(i)->gid;
	N((int)r)->size = N(i)->size;
	N((int)r)->mtime = N(i)->mtime;
	if (IS_LNK(N(i)->mode) && (e = fill_attrs((int)r)) < 0)
		node_unlink((int)r); /* its target could not be read: named on the host only */
	return e;
}

/* A hard link is a folder entry of its own (N_ALIAS) naming the file's node, which counts it in
 * nlink; the node itself may leave its folder first and lives on while a link names it. */
long sys_linkat(struct thread *t, const struct syscall_args *a)
{
	struct walk w = {0};
	struct last l;
	int flags = (int)a->a[4];
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	long r = get_path(a->a[1]);
	if (r < 0 || (r = lookup_at((int)a->a[0], flags & AT_SYMLINK_FOLLOW, &w)) < 0)
		return r;
	int i = (int)r;
	if (IS_DIR(N(i)->mode))
		return -EPERM; /* as Linux: no hard links to folders */
	if (N(i)->nlink == 0)
		return -ENOENT;
	if (!host_rw(i) && (N(i)->flags & N_REMOTE) && (r = node_copy_up(i, ~0ULL)) < 0)
		return r; /* an alias has no path of its own to the host */
	if ((r = get_path(a->a[3])) < 0 || (r = lookup_parent((int)a->a[2], pathbuf, &l)) < 0)
		return r;
	if (last_is_dots(&l) || node_lookup(l.dir, l.name, l.len) >= 0)
		return -EEXIST;
	if (l.slash)
		return -ENOENT;
	if (host_rw(i) || host_rw(l.dir))
		return link_host(i, &l);
	if ((r = node_create(&l, S_IFREG)) < 0)
		return r;
	struct node *al = N((int)r);
	al->flags |= N_ALIAS;
	al->inode = i;
	N(i)->nlink++;
	N(i)->ctime = now_time();
	return 0;
}

/* Is node n folder dir or above it? */
static bool is_ancestor(int n, int dir)
{
	for (int p = dir;; p = N(p)->parent) {
		if (p == n)
			return true;
		if (p == ROOT || N(p)->parent == p)
			return false;
	}
}

long sys_renameat2(struct thread *t, const struct syscall_args *a)
{
	unsigned flags = (unsigned)a->a[4];
	struct last o, nw;
	if (flags & ~(unsigned)RENAME_NOREPLACE)
		return -EINVAL; /* RENAME_EXCHANGE, RENAME_WHITEOUT: not served */
	long r = strncpy_from_user(pathbuf2, a->a[1], sizeof(pathbuf2));
	if (r < 0 || (r = get_path(a->a[3])) < 0)
		return r;
	if ((r = lookup_parent((int)a->a[0], pathbuf2, &o)) < 0 ||
	    (r = lookup_parent((int)a->a[2], pathbuf, &nw)) < 0)
		return r;
	if (last_is_dots(&o) || last_is_dots(&nw))
		return -EBUSY;
	int src = node_lookup(o.dir, o.name, o.len);
	if (src < 0)
		return -ENOENT;
	bool dir = IS_DIR(N(ino(src))->mode);
	if (!dir && (o.slash || nw.slash))
		return -ENOTDIR;
	/* A read-write share renames on the host, within itself only (another file system for
	 * the rest, as a mount is on Linux). */
	bool host = host_rw(ino(src)) || host_rw(nw.dir);
	if (host_rw(ino(src)) && (N(ino(src))->flags & N_MOUNT))
		return -EBUSY;
	if (host && (SHARE(N(ino(src))) != SHARE(N(nw.dir)) || !host_rw(ino(src))))
		return -EXDEV;
	/* A read-only share's folder's entries are found by its path: as overlayfs without
	 * redirect_dir, it is not renamed (callers copy instead). A host file is copied up first.
	 */
	if (!host && dir && SHARE(N(ino(src))))
		return -EXDEV;
	if (!host && !dir && (N(ino(src))->flags & N_REMOTE) &&
	    (r = node_copy_up(ino(src), ~0ULL)) < 0)
		return r;
	int dst = node_lookup(nw.dir, nw.name, nw.len);
	if (dst >= 0 && ino(dst) == ino(src))
		return 0; /* two names of one file: nothing to do, as POSIX says */
	if (dst >= 0) {
		const struct node *dn = N(ino(dst));
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (dir && !IS_DIR(dn->mode))
			return -ENOTDIR;
		if (!dir && IS_DIR(dn->mode))
			return -EISDIR;
		dir_fill(ino(dst));
		if (dir && dn->first_child >= 0)
			return -ENOTEMPTY;
	}
	if (N(nw.dir)->nlink == 0)
		return -ENOENT;
	if (dir && is_ancestor(src, nw.dir))
		return -EINVAL; /* a folder cannot go into itself */
	char *name = fsmem_alloc(nw.len);
	if (!name)
		return -ENOSPC;
	memcpy(name, nw.name, nw.len);
	if (host && (r = host_rename(o.dir, o.name, o.len, nw.dir, nw.name, nw.len)) < 0) {
		fsmem_free(name, nw.len);
		return r;
	}
	if (dst >= 0)
		node_unlink(dst);
	struct node *nd = N(src);
	node_touch(N(o.dir));
	child_unlink(src);
	if (dir) {
		N(o.dir)->nlink--;
		N(nw.dir)->nlink++;
	}
	if (nd->flags & N_OWN_NAME)
		fsmem_free((void *)nd->name, nd->namelen);
	nd->name = name;
	nd->namelen = (uint32_t)nw.len;
	nd->flags |= N_OWN_NAME;
	child_link(nw.dir, src);
	node_touch(N(nw.dir));
	nd->ctime = now_time();
	return 0;
}

/* The node an fd refers to (files, folders, devices), or -errno: pseudo files (console, pipes,
 * eventfds, epolls) have none, so their mode and owner stay as they are. */
static long fd_node(int fd)
{
	struct ofile *f = fd_get(fd);
	if (!f)
		return -EBADF;
	if (f->kind != FK_FILE && f->kind != FK_DIR && f->kind != FK_DEV)
		return -EPERM;
	return f->node;
}

/* The node of a *at call's path: dirfd itself for an empty path with AT_EMPTY_PATH. */
static long at_node(int dirfd, uintptr_t upath, int flags)
{
	struct walk w = {0};
	long r = get_path(upath);
	if (r < 0)
		return r;
	if (pathbuf[0] == '\0' && (flags & AT_EMPTY_PATH))
		return dirfd == AT_FDCWD ? cwd_node : fd_node(dirfd);
	return lookup_at(dirfd, !(flags & AT_SYMLINK_NOFOLLOW), &w);
}

static long node_chmod(long n, unsigned mode)
{
	if (n < 0)
		return n;
	struct ninep_setattr h = {.valid = NINEP_SET_MODE | NINEP_SET_CTIME, .mode = mode & 07777};
	long e = host_rw((int)n) ? host_setattr((int)n, &h) : 0;
	if (e)
		return e;
	struct node *nd = N((int)n);
	nd->mode = (nd->mode & S_IFMT) | (mode & 07777);
	nd->ctime = now_time();
	return 0;
}

long sys_fchmod(struct thread *t, const struct syscall_args *a)
{
	return node_chmod(fd_node((int)a->a[0]), (unsigned)a->a[1]);
}

long sys_fchmodat(struct thread *t, const struct syscall_args *a)
{
	return node_chmod(at_node((int)a->a[0], a->a[1], 0), (unsigned)a->a[2]);
}

/* The program is root, so any owner may be set; nothing checks it but stat shows it. */
static long node_chown(long n, uint32_t uid, uint32_t gid)
{
	if (n < 0)
		return n;
	struct node *nd = N((int)n);
	if (uid != ~0u)
		nd->uid = uid;
	if (gid != ~0u)
		nd->gid = gid;
	nd->ctime = now_time();
	return 0;
}

long sys_fchown(struct thread *t, const struct syscall_args *a)
{
	return node_chown(fd_node((int)a->a[0]), (uint32_t)a->a[1], (uint32_t)a->a[2]);
}

long sys_fchownat(struct thread *t, const struct syscall_args *a)
{
	int flags = (int)a->a[4];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return node_chown(at_node((int)a->a[0], a->a[1], flags), (uint32_t)a->a[2],
			  (uint32_t)a->a[3]);
}

static bool utime_valid(const struct linux_timespec *ts)
{
	return ts->tv_nsec == UTIME_NOW || ts->tv_nsec == UTIME_OMIT ||
	       (ts->tv_nsec >= 0 && ts->tv_nsec < 1000000000);
}

static void utime_set(struct ftime *to, const struct linux_timespec *ts, struct ftime now)
{
	if (ts->tv_nsec == UTIME_OMIT)
		return;
	*to = ts->tv_nsec == UTIME_NOW ? now : (struct ftime){ts->tv_sec, ts->tv_nsec};
}

/* What a Tsetattr changes for utimensat's times: UTIME_NOW is the host's now. */
static uint32_t utime_valid_bits(const struct linux_timespec *ts)
{
	uint32_t v = 0;
	if (ts[0].tv_nsec != UTIME_OMIT)
		v |= NINEP_SET_ATIME | (ts[0].tv_nsec == UTIME_NOW ? 0 : NINEP_SET_ATIME_SET);
	if (ts[1].tv_nsec != UTIME_OMIT)
		v |= NINEP_SET_MTIME | (ts[1].tv_nsec == UTIME_NOW ? 0 : NINEP_SET_MTIME_SET);
	return v ? v | NINEP_SET_CTIME : 0;
}

long sys_utimensat(struct thread *t, const struct syscall_args *a)
{
	int dirfd = (int)a->a[0], flags = (int)a->a[3];
	struct linux_timespec ts[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
	long n;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (a->a[2] && copy_from_user(ts, a->a[2], sizeof(ts)) != 0)
		return -EFAULT;
	if (!utime_valid(&ts[0]) || !utime_valid(&ts[1]))
		return -EINVAL;
	if (a->a[1] == 0) /* futimens: dirfd itself */
		n = dirfd == AT_FDCWD ? -EFAULT : fd_node(dirfd);
	else
		n = at_node(dirfd, a->a[1], flags);
	if (n < 0)
		return n;
	struct ninep_setattr h = {.valid = utime_valid_bits(ts),
				  .atime_sec = ts[0].tv_sec,
				  .atime_nsec = ts[0].tv_nsec,
				  .mtime_sec = ts[1].tv_sec,
				  .mtime_nsec = ts[1].tv_nsec};
	long e = host_rw((int)n) ? host_setattr((int)n, &h) : 0;
	if (e)
		return e;
	struct node *nd = N((int)n);
	struct ftime now = now_time();
	utime_set(&nd->atime, &ts[0], now);
	utime_set(&nd->mtime, &ts[1], now);
	if (ts[0].tv_nsec != UTIME_OMIT || ts[1].tv_nsec != UTIME_OMIT)
		nd->ctime = now;
	return 0;
}

long sys_truncate(struct thread *t, const struct syscall_args *a)
{
	struct walk w = {0};
	long r = get_path(a->a[0]);
	if (r < 0 || (r = lookup_at(AT_FDCWD, true, &w)) < 0)
		return r;
	struct node *nd = N((int)r);
	if (IS_DIR(nd->mode))
		return -EISDIR;
	if (!IS_REG(nd->mode) || (long)a->a[1] < 0)
		return -EINVAL;
	return node_truncate((int)r, a->a[1]);
}

long sys_ftruncate(struct thread *t, const struct syscall_args *a)
{
	struct ofile *f = fd_get((int)a->a[0]);
	if (!f)
		return -EBADF;
	if (f->kind != FK_FILE || (f->flags & O_ACCMODE) == O_RDONLY || (long)a->a[1] < 0)
		return -EINVAL;
	return node_truncate(f->node, a->a[1]);
}

long sys_pwrite64(struct thread *t, const struct syscall_args *a)
{
	return rw_at(t, a, true);
}

/* Files live in memory, but for a read-write share's, which the host writes back. */
long sys_fsync(struct thread *t, const struct syscall_args *a)
{
	struct ofile *f = fd_get((int)a->a[0]);
	if (!f)
		return -EBADF;
	if (f->kind == FK_FILE && f->fid)
		return ninep_fsync(share_of(N(f->node)), f->fid);
	return f->kind == FK_FILE || f->kind == FK_DIR ? 0 : -EINVAL;
}

long sys_sync(struct thread *t, const struct syscall_args *a)
{
	return 0;
}

long sys_umask(struct thread *t, const struct syscall_args *a)
{
	unsigned old = tree.umask;
	tree.umask = (unsigned)a->a[0] & 0777;
	return old;
}

/* The whole tree is one file system: its room is what the budget and the partition still have. */
static long statfs_out(uintptr_t uva)
{
	struct linux_statfs s = {0};
	uint64_t used = fsmem_used(), room = fsmem_budget() - used, free = mm_free_pages();
	if (room > free)
		room = free;
	s.f_type = TMPFS_MAGIC;
	s.f_bsize = s.f_frsize = PAGE_SIZE;
	s.f_blocks = used + room;
	s.f_bfree = s.f_bavail = room;
	s.f_files = GORT_MAX_NODES;
	s.f_ffree = (uint64_t)(GORT_MAX_NODES - tree.live);
	s.f_namelen = GORT_NAME_MAX;
	s.f_flags = ST_NOSUID;
	return copy_to_user(uva, &s, sizeof(s)) != 0 ? -EFAULT : 0;
}

/* A read-write share is the host's file system, as its statfs says. */
static long host_statfs_out(int n, uintptr_t uva)
{
	struct ninep *s = share_of(N(n));
	struct ninep_statfs h;
	long fid = remote_walk(n);
	if (fid < 0)
		return fid;
	int e = ninep_statfs(s, (uint32_t)fid, &h);
	ninep_clunk(s, (uint32_t)fid);
	if (e)
		return e;
	struct linux_statfs st = {.f_type = h.type,
				  .f_bsize = h.bsize,
				  .f_frsize = h.bsize,
				  .f_blocks = h.blocks,
				  .f_bfree = h.bfree,
				  .f_bavail = h.bavail,
				  .f_files = h.files,
				  .f_ffree = h.ffree,
				  .f_namelen = h.namelen};
	_Static_assert(sizeof(st.f_fsid) == sizeof(h.fsid), "fsid: 8 bytes");
	memcpy(&st.f_fsid, &h.fsid, sizeof(h.fsid));
	return copy_to_user(uva, &st, sizeof(st)) != 0 ? -EFAULT : 0;
}

long sys_statfs(struct thread *t, const struct syscall_args *a)
{
	struct walk w = {0};
	long r = get_path(a->a[0]);
	if (r < 0 || (r = lookup_at(AT_FDCWD, true, &w)) < 0)
		return r;
	return host_rw((int)r) ? host_statfs_out((int)r, a->a[1]) : statfs_out(a->a[1]);
}

long sys_fstatfs(struct thread *t, const struct syscall_args *a)
{
	struct ofile *f = fd_get((int)a->a[0]);
	if (!f)
		return -EBADF;
	bool node = f->kind == FK_FILE || f->kind == FK_DIR;
	return node && host_rw(f->node) ? host_statfs_out(f->node, a->a[1]) : statfs_out(a->a[1]);
}

/* ---------------------------------------------------------------- system calls: descriptors */

long sys_dup(struct thread *t, const struct syscall_args *a)
{
	struct ofile *f = fd_get((int)a->a[0]);
	return f ? fd_install(f, 0, false) : -EBADF;
}

long sys_dup3(struct thread *t, const struct syscall_args *a)
{
	int oldfd = (int)a->a[0], newfd = (int)a->a[1], flags = (int)a->a[2];
	struct ofile *f = fd_get(oldfd);
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (!f || newfd < 0 || newfd >= GORT_MAX_FDS)
		return -EBADF;
	if (oldfd == newfd)
		return -EINVAL;
	f->refs++; /* keeps f if closing newfd drops its last other reference */
	fd_close(newfd);
	fdtab[newfd].f = f;
	fdtab[newfd].cloexec = flags & O_CLOEXEC;
	return newfd;
}

static long fcntl_pipe(struct ofile *f, int cmd, unsigned long arg)
{
	if (f->kind != FK_PIPE_R && f->kind != FK_PIPE_W)
		return -EBADF;
	if (cmd == F_SETPIPE_SZ && arg > GORT_PIPE_SIZE)
		return -EPERM; /* the ring does not grow */
	return GORT_PIPE_SIZE;
}

long sys_fcntl(struct thread *t, const struct syscall_args *a)
{
	int fd = (int)a->a[0], cmd = (int)a->a[1];
	unsigned long arg = a->a[2];
	struct ofile *f = fd_get(fd);
	const unsigned setfl = O_APPEND | O_NONBLOCK;
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (arg >= GORT_MAX_FDS)
			return -EINVAL;
		return fd_install(f, (int)arg, cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fdtab[fd].cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		fdtab[fd].cloexec = arg & FD_CLOEXEC;
		return 0;
	case F_GETFL:
		return f->flags;
	case F_SETFL:
		f->flags = (f->flags & ~setfl) | ((unsigned)arg & setfl);
		return 0;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		return fcntl_pipe(f, cmd, arg);
	default:
		return -EINVAL;
	}
}

static long ioctl_fionread(struct ofile *f, uintptr_t uva)
{
	int n;
	if (f->kind == FK_PIPE_R)
		n = (int)f->pipe->len;
	else if (f->kind == FK_FILE)
		n = f->pos < N(f->node)->size ? (int)(N(f->node)->size - f->pos) : 0;
	else if (f->kind == FK_SOCK)
		n = sock_nread(f->sock);
	else
		return -ENOTTY;
	return copy_to_user(uva, &n, sizeof(n)) != 0 ? -EFAULT : 0;
}

long sys_ioctl(struct thread *t, const struct syscall_args *a)
{
	int fd = (int)a->a[0];
	struct ofile *f = fd_get(fd);
	int on;
	if (!f)
		return -EBADF;
	switch ((unsigned)a->a[1]) {
	case FIOCLEX:
	case FIONCLEX:
		fdtab[fd].cloexec = (unsigned)a->a[1] == FIOCLEX;
		return 0;
	case FIONBIO:
		if (copy_from_user(&on, a->a[2], sizeof(on)) != 0)
			return -EFAULT;
		f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~(unsigned)O_NONBLOCK;
		return 0;
	case FIONREAD:
		return ioctl_fionread(f, a->a[2]);
	default:
		if (f->kind == FK_DEV && N(f->node)->dev->ioctl)
			return N(f->node)->dev->ioctl(N(f->node)->dev, t, (unsigned)a->a[1],
						      a->a[2]);
		return -ENOTTY; /* TCGETS too: the console is not a terminal */
	}
}

long sys_pipe2(struct thread *t, const struct syscall_args *a)
{
	int flags = (int)a->a[1];
	bool cloexec = flags & O_CLOEXEC;
	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	struct pipe *p = pipe_alloc();
	unsigned fl = (unsigned)flags & O_NONBLOCK;
	struct ofile *r = p ? ofile_alloc(FK_PIPE_R, O_RDONLY | fl) : NULL;
	struct ofile *w = r ? ofile_alloc(FK_PIPE_W, O_WRONLY | fl) : NULL;
	if (!w) {
		if (r)
			r->kind = FK_FREE;
		if (p)
			p->used = false;
		return -ENFILE;
	}
	r->pipe = w->pipe = p;
	p->rend = r;
	p->wend = w;
	int fds[2];
	fds[0] = fd_install_new(r, cloexec); /* closes the read end if it fails */
	fds[1] = fds[0] < 0 ? fds[0] : fd_install_new(w, cloexec);
	if (fds[0] < 0) {
		w->refs = 1;
		ofile_put(w);
	} else if (fds[1] < 0) {
		fd_close(fds[0]);
	}
	if (fds[1] < 0)
		return fds[1];
	if (copy_to_user(a->a[0], fds, sizeof(fds)) != 0) {
		fd_close(fds[0]);
		fd_close(fds[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_eventfd2(struct thread *t, const struct syscall_args *a)
{
	int flags = (int)a->a[1];
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	struct ofile *f = ofile_alloc(FK_EVENTFD, O_RDWR | ((unsigned)flags & EFD_NONBLOCK));
	if (!f)
		return -ENFILE;
	f->efd.count = (unsigned int)a->a[0];
	f->efd.semaphore = flags & EFD_SEMAPHORE;
	return fd_install_new(f, flags & EFD_CLOEXEC);
}

long sys_epoll_create1(struct thread *t, const struct syscall_args *a)
{
	int flags = (int)a->a[0];
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	struct ofile *f = ofile_alloc(FK_EPOLL, O_RDWR);
	if (!f)
		return -ENFILE;
	return fd_install_new(f, flags & EPOLL_CLOEXEC);
}

static int ep_find(struct ofile *ep, struct ofile *target, int fd)
{
	for (int i = ep->ep.head; i >= 0; i = items[i].next)
		if (items[i].target == target && items[i].fd == fd)
			return i;
	return -1;
}

static long ep_add(struct ofile *ep, struct ofile *target, int fd)
{
	for (int i = 0; i < GORT_MAX_EPITEMS; i++) {
		if (items[i].ep)
			continue;
		items[i] = (struct epitem){.ep = ep, .target = target, .fd = fd};
		ep_link_tail(ep, i);
		return i;
	}
	return -ENOSPC;
}

long sys_epoll_ctl(struct thread *t, const struct syscall_args *a)
{
	int op = (int)a->a[1], fd = (int)a->a[2];
	struct linux_epoll_event ev = {0};
	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, a->a[3], sizeof(ev)) != 0)
		return -EFAULT;
	struct ofile *ep = fd_get((int)a->a[0]), *tf = fd_get(fd);
	if (!ep || !tf)
		return -EBADF;
	if (ep == tf)
		return -EINVAL;
	if (!fops[tf->kind].poll || (tf->kind == FK_DEV && !N(tf->node)->dev->poll))
		return -EPERM; /* files, folders, other epolls, devices that do not poll */
	if (ep->kind != FK_EPOLL)
		return -EINVAL;
	int i = ep_find(ep, tf, fd);
	if (op == EPOLL_CTL_DEL) {
		if (i < 0)
			return -ENOENT;
		ep_item_free(i);
		return 0;
	}
	if (op == EPOLL_CTL_ADD && i >= 0)
		return -EEXIST;
	if (op == EPOLL_CTL_MOD && (i < 0 || (ev.events & EPOLLEXCLUSIVE)))
		return i < 0 ? -ENOENT : -EINVAL;
	if (op != EPOLL_CTL_ADD && op != EPOLL_CTL_MOD)
		return -EINVAL;
	if (i < 0 && (i = (int)ep_add(ep, tf, fd)) < 0)
		return i;
	items[i].events = ev.events | EPOLLERR | EPOLLHUP;
	items[i].data = ev.data;
	items[i].pending = true; /* as Linux queues a file that is ready when added */
	ep_wake(ep);
	return 0;
}

long sys_epoll_pwait(struct thread *t, const struct syscall_args *a)
{
	int maxevents = (int)a->a[2], timeout = (int)a->a[3];
	if (maxevents <= 0 || maxevents > EP_MAX_EVENTS)
		return -EINVAL;
	struct ofile *ep = fd_get((int)a->a[0]);
	if (!ep)
		return -EBADF;
	if (ep->kind != FK_EPOLL)
		return -EINVAL;
	if (a->a[4] && a->a[5] != sizeof(uint64_t))
		return -EINVAL; /* the mask itself is not applied */
	long n = ep_collect(ep, a->a[1], (size_t)maxevents);
	if (n != 0 || timeout == 0)
		return n;
	uint64_t deadline = NO_DEADLINE;
	if (timeout > 0)
		deadline = gort_now() + ns_to_ticks((uint64_t)timeout * 1000000ULL);
	struct wait_spec s = {.q = &ep->ep.wq,
			      .buf = a->a[1],
			      .len = (size_t)maxevents,
			      .deadline = deadline,
			      .timeout_result = 0,
			      .interruptible = true};
	return block_on(t, &s);
}

/* ---------------------------------------------------------------- set up */

static void fds_reset(void)
{
	/* Zero at gort's start (bss): only a second fs_init (the host's tests) clears them. Some
	 * hundreds of KiB, which clearing would also have the hv zero first. */
	static bool used;

	if (used) {
		memset(ofiles, 0, sizeof(ofiles));
		memset(files_tab, 0, sizeof(files_tab));
		memset(pipes, 0, sizeof(pipes));
		memset(items, 0, sizeof(items));
		memset(waiters, 0, sizeof(waiters));
		memset(devq, 0, sizeof(devq));
	}
	used = true;
	fsp = &files_tab[0];
	struct ofile *con = ofile_alloc(FK_CONSOLE, O_RDWR);
	fd_install(con, 0, false);
	fd_install(con, 1, false);
	/* stderr is its own open file, so its bytes reach the console's error stream. */
	con = ofile_alloc(FK_CONSOLE, O_RDWR);
	con->stream = GORT_STDERR;
	fd_install(con, 2, false);
}

void fs_init(const void *initrd, size_t size, const char *cwd)
{
	tree_build(initrd, initrd ? size : 0);
	fds_reset();
	cwd_node = ROOT;
	node_hold(ROOT);
	/* Files may fill half of what the program has left, as Linux's tmpfs takes half the RAM by
	 * default: the other half stays for the Go heap, which cannot live without it. */
	fsmem_set_budget(fsmem_used() + mm_free_pages() / 2);
	if (cwd)
		fs_set_cwd(cwd);
}

void fs_set_cwd(const char *cwd)
{
	struct walk w = {0};
	int n = resolve(ROOT, cwd, strlen(cwd), true, &w);

	if (n < 0 || !IS_DIR(N(n)->mode))
		gort_fatal(1, "fs: the working folder %s is not a folder of the initrd", cwd);
	cwd_set(n);
}

void fs_set_exe(const char *path)
{
	size_t len = strnlen(path, sizeof(exe_path) - 1);
	memcpy(exe_path, path, len);
	exe_path[len] = '\0';
}

const void *fs_file_data(const char *path, size_t *size)
{
	struct walk w = {0};
	int n = resolve(cwd_node, path, strlen(path), true, &w);
	if (n < 0 || !IS_REG(N(n)->mode) || (N(n)->flags & (N_PAGED | N_REMOTE)))
		return NULL; /* only the archive's files are in one piece */
	*size = N(n)->size;
	return N(n)->data;
}

/* ---------------------------------------------------------------- processes */

struct files *fs_files_first(void)
{
	files_tab[0].used = true;
	return &files_tab[0];
}

struct files *fs_files_fork(struct files *from)
{
	struct files *f = NULL;
	for (int i = 0; i < GORT_MAX_PROCS && !f; i++)
		if (!files_tab[i].used)
			f = &files_tab[i];
	if (!f)
		return NULL;
	memcpy(f, from, sizeof(*f));
	for (int fd = 0; fd < GORT_MAX_FDS; fd++)
		if (f->fd[fd].f)
			f->fd[fd].f->refs++;
	node_hold(f->cwd);
	return f;
}

void fs_files_exec(struct files *f)
{
	struct files *old = fsp;
	fsp = f;
	for (int fd = 0; fd < GORT_MAX_FDS; fd++)
		if (fdtab[fd].f && fdtab[fd].cloexec)
			fd_close(fd);
	fsp = old;
}

void fs_files_free(struct files *f)
{
	struct files *old = fsp;
	fsp = f;
	for (int fd = 0; fd < GORT_MAX_FDS; fd++)
		if (fdtab[fd].f)
			fd_close(fd);
	node_release(f->cwd);
	f->used = false;
	fsp = old == f ? &files_tab[0] : old;
}

void fs_use(struct files *f)
{
	fsp = f;
}

long fs_exec_file(const char *path, const void **data, size_t *size)
{
	struct walk w = {0};
	int n = resolve(cwd_node, path, strlen(path), true, &w);
	if (n < 0)
		return n;
	if (!IS_REG(N(n)->mode) || !(N(n)->mode & 0111))
		return -EACCES;
	if (N(n)->flags & N_PAGED)
		return -ENOEXEC; /* written here: its pages are not one piece to load from */
	if (N(n)->flags & N_REMOTE)
		return -ENOEXEC; /* a host file is read through 9P, never one piece here (and the
				  * host's own programs, $GOROOT/bin/go, are not riscv64) */
	*size = N(n)->size;
	*data = N(n)->data;
	return 0;
}
