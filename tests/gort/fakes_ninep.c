/* A host fake of gort's 9P client (guest-abi/gort/ninep.h) for the tests of fs.c's shares: a
 * session serves the host folder its tag names, as QEMU's local back end would (walks by name
 * without following links, opens, lstat, readdir, readlink, pread; for read-write shares
 * create, pwrite, setattr, fsync, mkdir, unlinkat, renameat, symlink, link, statfs, each on the
 * real folder, never following a final link), so fs.c's overlay over a host folder is tested
 * without a virtio device. fake_ninep_calls counts the requests; fake_ninep_fail makes the
 * next request that changes the host fail with that -errno, as an Rlerror would. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "fakes_ninep.h"

int fake_ninep_calls;
int fake_ninep_fail;

/* 9P2000.L's open flags (Linux's generic numbers, whatever the host's are). */
#define L_ACCMODE   03
#define L_EXCL	    0200
#define L_TRUNC	    01000
#define L_APPEND    02000
#define L_DIRECTORY 0200000
#define L_REMOVEDIR 0x200

static int host_flags(uint32_t f)
{
	return (int)(f & L_ACCMODE) | (f & L_EXCL ? O_EXCL : 0) | (f & L_TRUNC ? O_TRUNC : 0) |
	       (f & L_APPEND ? O_APPEND : 0) | (f & L_DIRECTORY ? O_DIRECTORY : 0);
}

/* A request that changes the host: counted, and failed if a test asked for it. */
static int change(void)
{
	int e = fake_ninep_fail;
	fake_ninep_calls++;
	fake_ninep_fail = 0;
	return e;
}

static struct {
	char *path;
	int fd;
} fids[NINEP_FIDS];

/* dfid's path joined with name (NULL: too long). */
static char *child(uint32_t dfid, const char *name, size_t len)
{
	static char p[PATH_MAX];
	if (memchr(name, '/', len) ||
	    snprintf(p, sizeof(p), "%s/%.*s", fids[dfid].path, (int)len, name) >= (int)sizeof(p))
		return NULL;
	return p;
}

void fake_ninep_session(struct ninep *s, const char *dir)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->tag, sizeof(s->tag), "%s", dir);
	s->fid_used[0] = 1;
	free(fids[NINEP_ROOT_FID].path);
	fids[NINEP_ROOT_FID].path = strdup(dir);
	fids[NINEP_ROOT_FID].fd = -1;
}

long ninep_fid(struct ninep *s)
{
	for (unsigned f = 1; f < NINEP_FIDS; f++)
		if (!(s->fid_used[f / 32] >> f % 32 & 1)) {
			s->fid_used[f / 32] |= 1u << f % 32;
			fids[f].fd = -1;
			return f;
		}
	return -EMFILE;
}

static void fid_free(struct ninep *s, uint32_t fid)
{
	free(fids[fid].path);
	fids[fid].path = NULL;
	if (fids[fid].fd >= 0)
		close(fids[fid].fd);
	fids[fid].fd = -1;
	s->fid_used[fid / 32] &= ~(1u << fid % 32);
}

void ninep_clunk(struct ninep *s, uint32_t fid)
{
	fake_ninep_calls++;
	fid_free(s, fid);
}

int ninep_walk(struct ninep *s, uint32_t fid, uint32_t newfid, unsigned n, const char *const *names,
	       const uint16_t *lens)
{
	char p[PATH_MAX];
	struct stat st;
	fake_ninep_calls++;
	snprintf(p, sizeof(p), "%s", fids[fid].path);
	for (unsigned i = 0; i < n; i++) {
		if (lstat(p, &st) || !S_ISDIR(st.st_mode)) {
			fid_free(s, newfid);
			return -ENOENT;
		}
		size_t len = strlen(p);
		snprintf(p + len, sizeof(p) - len, "/%.*s", (int)lens[i], names[i]);
	}
	if (lstat(p, &st)) {
		fid_free(s, newfid);
		return -errno;
	}
	fids[newfid].path = strdup(p);
	return 0;
}

int ninep_lopen(struct ninep *s, uint32_t fid, uint32_t flags)
{
	fake_ninep_calls++;
	int fd = open(fids[fid].path, O_NOFOLLOW | host_flags(flags & ~(uint32_t)L_EXCL));
	if (fd < 0)
		return -errno;
	fids[fid].fd = fd;
	return 0;
}

int ninep_getattr(struct ninep *s, uint32_t fid, struct ninep_attr *a)
{
	struct stat st;
	fake_ninep_calls++;
	if (lstat(fids[fid].path, &st))
		return -errno;
	*a = (struct ninep_attr){.mode = st.st_mode,
				 .uid = st.st_uid,
				 .gid = st.st_gid,
				 .size = (uint64_t)st.st_size,
				 .mtime_sec = st.st_mtim.tv_sec,
				 .mtime_nsec = st.st_mtim.tv_nsec};
	return 0;
}

long ninep_read(struct ninep *s, uint32_t fid, uint64_t off, size_t n,
		long (*out)(void *ctx, uint64_t at, const void *p, size_t len), void *ctx)
{
	static char buf[65536];
	size_t done = 0;
	while (done < n) {
		fake_ninep_calls++;
		size_t want = n - done < sizeof(buf) ? n - done : sizeof(buf);
		ssize_t got = pread(fids[fid].fd, buf, want, (off_t)(off + done));
		if (got < 0)
			return done ? (long)done : -errno;
		long rc = got ? out(ctx, done, buf, (size_t)got) : 0;
		if (rc)
			return rc;
		done += (size_t)got;
		if ((size_t)got < want)
			break;
	}
	return (long)done;
}

int ninep_readdir(struct ninep *s, uint32_t fid,
		  void (*fn)(void *ctx, const char *name, size_t len, unsigned type), void *ctx)
{
	fake_ninep_calls++;
	DIR *d = opendir(fids[fid].path);
	if (!d)
		return -errno;
	for (struct dirent *e; (e = readdir(d));)
		fn(ctx, e->d_name, strlen(e->d_name), e->d_type);
	closedir(d);
	return 0;
}

long ninep_readlink(struct ninep *s, uint32_t fid, char *buf, size_t size)
{
	fake_ninep_calls++;
	ssize_t n = readlink(fids[fid].path, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

/* ---------------------------------------------------------------- changing the host folder */

int ninep_lcreate(struct ninep *s, uint32_t dfid, const char *name, size_t len, uint32_t flags,
		  uint32_t mode)
{
	char *p = child(dfid, name, len);
	int e = change();
	if (e || !p)
		return e ? e : -ENAMETOOLONG;
	int fd = open(p, O_CREAT | O_NOFOLLOW | host_flags(flags), mode);
	if (fd < 0)
		return -errno;
	fchmod(fd, mode); /* as QEMU's security_model=none: the mode asked, no umask */
	free(fids[dfid].path);
	fids[dfid].path = strdup(p);
	fids[dfid].fd = fd;
	return 0;
}

long ninep_write(struct ninep *s, uint32_t fid, uint64_t off, size_t n,
		 long (*in)(void *ctx, uint64_t at, void *p, size_t len), void *ctx)
{
	static char buf[65536 - 4096];
	size_t done = 0;
	while (done < n) {
		int e = change();
		if (e)
			return done ? (long)done : e;
		size_t want = n - done < sizeof(buf) ? n - done : sizeof(buf);
		long rc = in(ctx, done, buf, want);
		if (rc)
			return done ? (long)done : rc;
		ssize_t put = pwrite(fids[fid].fd, buf, want, (off_t)(off + done));
		if (put < 0)
			return done ? (long)done : -errno;
		done += (size_t)put;
	}
	return (long)done;
}

int ninep_setattr(struct ninep *s, uint32_t fid, const struct ninep_setattr *a)
{
	const char *p = fids[fid].path;
	int e = change();
	if (e)
		return e;
	if ((a->valid & NINEP_SET_MODE) && chmod(p, a->mode & 07777))
		return -errno;
	if ((a->valid & NINEP_SET_SIZE) && truncate(p, (off_t)a->size))
		return -errno;
	if (a->valid & (NINEP_SET_ATIME | NINEP_SET_MTIME)) {
		struct timespec ts[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
		if (a->valid & NINEP_SET_ATIME)
			ts[0] = a->valid & NINEP_SET_ATIME_SET
				    ? (struct timespec){a->atime_sec, a->atime_nsec}
				    : (struct timespec){0, UTIME_NOW};
		if (a->valid & NINEP_SET_MTIME)
			ts[1] = a->valid & NINEP_SET_MTIME_SET
				    ? (struct timespec){a->mtime_sec, a->mtime_nsec}
				    : (struct timespec){0, UTIME_NOW};
		if (utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW))
			return -errno;
	}
	return 0;
}

int ninep_fsync(struct ninep *s, uint32_t fid)
{
	int e = change();
	return e ? e : fsync(fids[fid].fd) ? -errno : 0;
}

int ninep_mkdir(struct ninep *s, uint32_t dfid, const char *name, size_t len, uint32_t mode)
{
	char *p = child(dfid, name, len);
	int e = change();
	if (e || !p)
		return e ? e : -ENAMETOOLONG;
	return mkdir(p, mode) || chmod(p, mode) ? -errno : 0;
}

int ninep_unlinkat(struct ninep *s, uint32_t dfid, const char *name, size_t len, uint32_t flags)
{
	char *p = child(dfid, name, len);
	int e = change();
	if (e || !p)
		return e ? e : -ENAMETOOLONG;
	return unlinkat(AT_FDCWD, p, flags & L_REMOVEDIR ? AT_REMOVEDIR : 0) ? -errno : 0;
}

int ninep_renameat(struct ninep *s, uint32_t odfid, const char *oname, size_t olen, uint32_t ndfid,
		   const char *nname, size_t nlen)
{
	char from[PATH_MAX], *to;
	int e = change();
	if (e)
		return e;
	if (!child(odfid, oname, olen))
		return -ENAMETOOLONG;
	snprintf(from, sizeof(from), "%s", child(odfid, oname, olen));
	to = child(ndfid, nname, nlen);
	return !to ? -ENAMETOOLONG : rename(from, to) ? -errno : 0;
}

int ninep_symlink(struct ninep *s, uint32_t dfid, const char *name, size_t len, const char *target,
		  size_t tlen)
{
	char t[PATH_MAX], *p = child(dfid, name, len);
	int e = change();
	if (e || !p || tlen >= sizeof(t))
		return e ? e : -ENAMETOOLONG;
	memcpy(t, target, tlen);
	t[tlen] = 0;
	return symlink(t, p) ? -errno : 0;
}

int ninep_link(struct ninep *s, uint32_t dfid, uint32_t fid, const char *name, size_t len)
{
	char *p = child(dfid, name, len);
	int e = change();
	if (e || !p)
		return e ? e : -ENAMETOOLONG;
	return linkat(AT_FDCWD, fids[fid].path, AT_FDCWD, p, 0) ? -errno : 0;
}

int ninep_statfs(struct ninep *s, uint32_t fid, struct ninep_statfs *st)
{
	struct statfs h;
	fake_ninep_calls++;
	if (statfs(fids[fid].path, &h))
		return -errno;
	*st = (struct ninep_statfs){.type = (uint32_t)h.f_type,
				    .bsize = (uint32_t)h.f_bsize,
				    .namelen = (uint32_t)h.f_namelen,
				    .blocks = h.f_blocks,
				    .bfree = h.f_bfree,
				    .bavail = h.f_bavail,
				    .files = h.f_files,
				    .ffree = h.f_ffree};
	return 0;
}

/* ---------------------------------------------------------------- the tests' host folder */

static void host_put(const char *dir, const char *rel, const char *text)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A fresh folder under /tmp (its path into dir): hello.txt, sub/deep.txt, dir/ (0700) with x,
 * link -> hello.txt, escape -> /etc/shadow. 0 or -1. */
int fake_host_tree(char *dir, size_t size)
{
	char p[PATH_MAX];
	snprintf(dir, size, "/tmp/gort-share-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(p, sizeof(p), "%s/sub", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/dir", dir);
	mkdir(p, 0700);
	chmod(p, 0700);
	host_put(dir, "hello.txt", "hello from the host\n");
	host_put(dir, "sub/deep.txt", "deep\n");
	host_put(dir, "dir/x", "x\n");
	snprintf(p, sizeof(p), "%s/link", dir);
	if (symlink("hello.txt", p))
		return -1;
	snprintf(p, sizeof(p), "%s/escape", dir);
	return symlink("/etc/shadow", p);
}

/* The text of dir/rel (NULL: none), in a static buffer. */
const char *fake_host_text(const char *dir, const char *rel)
{
	static char buf[256];
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	FILE *f = fopen(p, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

void fake_host_remove(const char *dir)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "could not remove %s\n", dir);
}

/* Writes dir/rel with an ELF magic and mode 0755: a program on the host. */
void fake_host_program(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	host_put(dir, rel, "\177ELF not really");
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	chmod(p, 0755);
}

/* ---------------------------------------------------------------- looking at the host folder */

static void host_path(char *p, size_t size, const char *dir, const char *rel)
{
	snprintf(p, size, "%s/%s", dir, rel);
}

/* lstat of dir/rel: 0 or -errno. */
int fake_host_stat(const char *dir, const char *rel, struct fake_host_stat *out)
{
	char p[PATH_MAX];
	struct stat st;
	host_path(p, sizeof(p), dir, rel);
	if (lstat(p, &st))
		return -errno;
	*out = (struct fake_host_stat){st.st_mode, st.st_nlink, st.st_atim.tv_sec,
				       st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
	return 0;
}

int fake_host_statfs(const char *dir, long *type, long *bsize, long *namelen)
{
	struct statfs h;
	if (statfs(dir, &h))
		return -errno;
	*type = h.f_type;
	*bsize = h.f_bsize;
	*namelen = h.f_namelen;
	return 0;
}

/* Changes the host folder behind gort's back: mkdir ("d"), append text ("a"), symlink ("l",
 * text the target). 0 or -errno. */
int fake_host_change(const char *dir, const char *rel, const char *what, const char *text)
{
	char p[PATH_MAX];
	host_path(p, sizeof(p), dir, rel);
	if (!strcmp(what, "d"))
		return mkdir(p, 0755) ? -errno : 0;
	if (!strcmp(what, "l"))
		return symlink(text, p) ? -errno : 0;
	FILE *f = fopen(p, "a");
	if (!f)
		return -errno;
	fputs(text, f);
	fclose(f);
	return 0;
}

long fake_host_readlink(const char *dir, const char *rel, char *buf, size_t size)
{
	char p[PATH_MAX];
	host_path(p, sizeof(p), dir, rel);
	ssize_t n = readlink(p, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = 0;
	return n;
}

/* A fresh empty folder under /tmp, out of any share (its path into dir): 0 or -1. */
int fake_host_tmpdir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/gort-outside-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}
