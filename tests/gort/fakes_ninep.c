/* A host fake of gort's 9P client (guest-abi/gort/ninep.h) for the tests of fs.c's shares: a
 * session serves the host folder its tag names, as QEMU's local back end would (walks by name
 * without following links, opens, lstat, readdir, readlink, pread), so fs.c's overlay over a
 * host folder is tested without a virtio device. fake_ninep_calls counts the requests. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ninep.h"

int fake_ninep_calls;

static struct {
	char *path;
	int fd;
} fids[NINEP_FIDS];

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
	int fd = open(fids[fid].path, O_RDONLY | O_NOFOLLOW | (flags & O_DIRECTORY));
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
