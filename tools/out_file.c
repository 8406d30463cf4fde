#include "tools/out_file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const struct out_file *o, int e)
{
	fprintf(stderr, "%s: %s\n", o->path, strerror(e));
	return -1;
}

static void release(struct out_file *o)
{
	free(o->target);
	free(o->tmp);
	o->target = o->tmp = NULL;
	o->fp = NULL;
}

/* A temp file beside the target, with the mode the target has (or a new file would get). */
static int open_tmp(struct out_file *o, const struct stat *st)
{
	size_t len = strlen(o->target) + 16;
	mode_t mask = umask(0);
	int fd;

	umask(mask);
	o->tmp = malloc(len);
	if (!o->tmp)
		return fail(o, ENOMEM);
	snprintf(o->tmp, len, "%s.tmp-XXXXXX", o->target);
	fd = mkstemp(o->tmp);
	if (fd < 0)
		return fail(o, errno);
	fchmod(fd, st ? st->st_mode & 07777 : 0666 & ~mask);
	o->fp = fdopen(fd, "wb");
	if (!o->fp) {
		int e = errno;

		close(fd);
		unlink(o->tmp);
		return fail(o, e);
	}
	return 0;
}

int out_open(struct out_file *o, const char *path)
{
	struct stat st;
	char real[PATH_MAX];
	bool exists;

	memset(o, 0, sizeof(*o));
	o->path = path;
	/* Follow a link to what it names: the link itself is not ours to replace. */
	exists = stat(path, &st) == 0;
	if (!exists && errno != ENOENT)
		return fail(o, errno);
	o->target = strdup(exists && realpath(path, real) ? real : path);
	if (!o->target)
		return fail(o, ENOMEM);
	if (!exists || S_ISREG(st.st_mode)) {
		/* A link that names nothing yet is written through, creating what it names. */
		struct stat lst;

		if (!exists && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
			goto straight;
		if (open_tmp(o, exists ? &st : NULL)) {
			release(o);
			return -1;
		}
		return 0;
	}
straight:
	o->fp = fopen(path, "wb");
	if (!o->fp) {
		int e = errno;

		release(o);
		return fail(o, e);
	}
	return 0;
}

int out_commit(struct out_file *o)
{
	int e = 0;

	errno = 0;
	if (fflush(o->fp) != 0)
		e = errno ? errno : EIO;
	if (fclose(o->fp) != 0 && !e)
		e = errno ? errno : EIO;
	o->fp = NULL;
	if (o->tmp && !e && rename(o->tmp, o->target) != 0)
		e = errno;
	if (e && o->tmp)
		unlink(o->tmp);
	release(o);
	return e ? fail(o, e) : 0;
}

void out_abort(struct out_file *o)
{
	if (o->fp)
		fclose(o->fp);
	if (o->tmp)
		unlink(o->tmp);
	release(o);
}

int out_write_file(const char *path, const void *data, size_t len)
{
	struct out_file o;

	if (out_open(&o, path))
		return -1;
	if (len && fwrite(data, 1, len, o.fp) != len) {
		int e = errno ? errno : EIO;

		out_abort(&o);
		return fail(&o, e);
	}
	return out_commit(&o);
}
