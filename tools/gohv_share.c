/* Which host folders `gohv run` shares, and the QEMU, board and gort pieces for each
 * (tools/gohv_share.h, docs/host-files.md). */
#include "tools/gohv_share.h"

#include <errno.h>
#include <libfdt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#define TAG_FMT	     "gohv%d"
#define VIRTIO_ID_9P 9

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "gohv: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return -1;
}

/* a is b or a folder below it. */
static bool inside(const char *a, const char *b)
{
	size_t n = strlen(b);
	return !strncmp(a, b, n) && (a[n] == '/' || a[n] == 0 || !strcmp(b, "/"));
}

bool shares_cover(const struct shares *s, const char *path)
{
	for (int i = 0; i < s->n; i++)
		if (inside(path, s->path[i]))
			return true;
	return false;
}

int shares_add(struct shares *s, const char *dir, const char *what, bool rw)
{
	char real[PATH_MAX];
	struct stat st;

	if (!realpath(dir, real))
		return fail("%s %s: cannot be shared: %s", what, dir, strerror(errno));
	if (stat(real, &st) || !S_ISDIR(st.st_mode))
		return fail("%s %s: cannot be shared: not a folder", what, dir);
	if (strchr(real, '\n'))
		return fail("%s %s: cannot be shared: a line break in its path", what, dir);
	/* One device serves a folder and all below it: its mode is one for all of them. */
	for (int i = 0; i < s->n; i++)
		if ((inside(real, s->path[i]) || inside(s->path[i], real)) && s->rw[i] != rw)
			return fail(
			    "%s %s: cannot be shared %s: %s is shared %s and one of them is "
			    "inside the other",
			    what, dir, rw ? "read-write" : "read-only", s->path[i],
			    s->rw[i] ? "read-write" : "read-only");
	if (shares_cover(s, real))
		return 0;
	int k = 0;
	for (int i = 0; i < s->n; i++) {
		if (inside(s->path[i], real)) {
			free(s->path[i]);
		} else {
			s->rw[k] = s->rw[i];
			s->path[k++] = s->path[i];
		}
	}
	s->n = k;
	if (s->n == SHARES_MAX)
		return fail("%s %s: cannot be shared: more than %d shared folders", what, dir,
			    SHARES_MAX);
	s->rw[s->n] = rw;
	s->path[s->n++] = strdup(real);
	return 0;
}

static int module_root(const char *cwd, char *out, size_t size)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s", cwd);
	for (;;) {
		char mod[PATH_MAX + 8];
		snprintf(mod, sizeof(mod), "%s/go.mod", p);
		if (access(mod, F_OK) == 0)
			break;
		char *slash = strrchr(p, '/');
		if (!slash || slash == p) {
			snprintf(p, sizeof(p), "%s", cwd); /* no module: the folder alone */
			break;
		}
		*slash = 0;
	}
	snprintf(out, size, "%s", p);
	return 0;
}

static bool go_root(char *out, size_t size)
{
	const char *env = getenv("GOROOT");

	if (env && *env) {
		snprintf(out, size, "%s", env);
		return true;
	}
	FILE *p = popen("go env GOROOT 2>/dev/null", "r");
	if (!p)
		return false;
	bool ok = fgets(out, (int)size, p) != NULL;
	pclose(p);
	if (!ok)
		return false;
	out[strcspn(out, "\n")] = 0;
	return out[0] == '/';
}

int shares_add_go(struct shares *s, const char *cwd)
{
	char mod[PATH_MAX], root[PATH_MAX], real_root[PATH_MAX];

	module_root(cwd, mod, sizeof(mod));
	if (shares_add(s, mod, "the module folder", false))
		return -1;
	if (!go_root(root, sizeof(root)) || !realpath(root, real_root))
		return 0; /* no Go root on this host: the module alone */
	if (shares_add(s, real_root, "the Go root ($GOROOT)", false))
		return -1;
	/* The links at the top of the Go root that lead out of every share, by their parents. */
	char targets[16][PATH_MAX];
	int nt = 0;
	DIR *d = opendir(real_root);
	for (struct dirent *e; d && (e = readdir(d)) && nt < 16;) {
		char link[PATH_MAX + 256];
		snprintf(link, sizeof(link), "%s/%s", real_root, e->d_name);
		struct stat st;
		if (lstat(link, &st) || !S_ISLNK(st.st_mode) || !realpath(link, targets[nt]) ||
		    stat(targets[nt], &st) || !S_ISDIR(st.st_mode) || shares_cover(s, targets[nt]))
			continue;
		nt++;
	}
	if (d)
		closedir(d);
	for (int i = 0; i < nt; i++) {
		char parent[PATH_MAX];
		memcpy(parent, targets[i], sizeof(parent));
		char *slash = strrchr(parent, '/');
		*slash = 0;
		int siblings = 0;
		for (int j = 0; j < nt; j++)
			if (j != i && !strncmp(targets[j], parent, strlen(parent)) &&
			    targets[j][strlen(parent)] == '/' &&
			    !strchr(targets[j] + strlen(parent) + 1, '/'))
				siblings++;
		if (shares_add(s, siblings && parent[0] ? parent : targets[i],
			       "a link at the top of the Go root to", false))
			return -1;
	}
	return 0;
}

/* QEMU's option syntax doubles a comma inside a value. security_model=none: files are made and
 * changed as the user QEMU runs as, with the modes asked for (passthrough would need root to set
 * owners; mapped would keep modes in extended attributes the host's own programs do not read). */
static char *qemu_escape(const char *s)
{
	char *out = malloc(2 * strlen(s) + 1), *o = out;
	for (; *s; s++) {
		if (*s == ',')
			*o++ = ',';
		*o++ = *s;
	}
	*o = 0;
	return out;
}

char **shares_qemu_args(const struct shares *s)
{
	char **a = calloc((size_t)(4 * s->n + 1), sizeof(*a));
	for (int i = 0; i < s->n; i++) {
		char *path = qemu_escape(s->path[i]);
		size_t n = strlen(path) + 128;
		a[4 * i] = strdup("-fsdev");
		a[4 * i + 1] = malloc(n);
		snprintf(a[4 * i + 1], n, "local,id=gohvfs%d,path=%s,security_model=none%s", i,
			 path, s->rw[i] ? "" : ",readonly=on");
		a[4 * i + 2] = strdup("-device");
		a[4 * i + 3] = malloc(128);
		snprintf(a[4 * i + 3], 128, "virtio-9p-device,fsdev=gohvfs%d,mount_tag=" TAG_FMT, i,
			 i);
		free(path);
	}
	return a;
}

void shares_free_args(char **args)
{
	for (char **p = args; p && *p; p++)
		free(*p);
	free(args);
}

char *shares_mounts(const struct shares *s)
{
	size_t n = 1;
	for (int i = 0; i < s->n; i++)
		n += strlen(s->path[i]) + 32;
	char *out = malloc(n), *o = out;
	*o = 0;
	for (int i = 0; i < s->n; i++)
		o += sprintf(o, TAG_FMT " %s %s\n", i, s->rw[i] ? "rw" : "ro", s->path[i]);
	return out;
}

int shares_board(void *fdt, const struct shares *s, const char *owner)
{
	int e;

	for (int i = 0; i < s->n; i++) {
		char name[16];
		snprintf(name, sizeof(name), "share%d", i);
		if ((e = fdt_begin_node(fdt, name)) ||
		    (e = fdt_property_string(fdt, "compatible", "virtio,mmio")) ||
		    (e = fdt_property_u32(fdt, "virtio-device-id", VIRTIO_ID_9P)) ||
		    (e = fdt_property_string(fdt, "owner", owner)) || (e = fdt_end_node(fdt)))
			return e;
	}
	return 0;
}

void shares_free(struct shares *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->path[i]);
	s->n = 0;
}
