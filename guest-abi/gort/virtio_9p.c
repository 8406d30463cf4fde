/*
 * The host's folders: each virtio-9p device (virtio id 9) passed through to the partition is a
 * 9P2000.L session (ninep.c) mounted on a folder of the tree (fs.c), as /.gort/mounts says:
 *
 *   TAG MODE PATH      one line per share: the device whose mount tag is TAG is mounted on PATH
 *
 * (written by tools/gohv, which names each host folder's device and mounts it at the folder's
 * own absolute path). MODE `ro`: writes go to the tree in memory (copy-up), the host's folder is
 * never changed; `rw`: they are written through to the host (fs.c). Without that file, a device
 * whose tag starts with '/' is mounted there, read-only.
 * Anything wrong is one line naming the share, and the program starts without it.
 */
#include <string.h>

#include "fs.h"
#include "gort.h"
#include "ninep.h"
#include "mm.h"

#define VIRTIO_ID_9P 9

static struct ninep *sessions[VMMIO_MAX];
static unsigned nsessions;

static void found(volatile uint8_t *regs, const char *name)
{
	if (nsessions == VMMIO_MAX)
		return;
	struct ninep *s = mm_kernel_page();
	_Static_assert(sizeof(struct ninep) <= PAGE_SIZE, "a session fits a page");
	if (!s) {
		gort_printf("gort: device %s: no memory: left out\n", name);
		return;
	}
	if (ninep_start(s, regs, name) == 0)
		sessions[nsessions++] = s;
}

static struct ninep *by_tag(const char *tag, size_t len)
{
	for (unsigned i = 0; i < nsessions; i++)
		if (strlen(sessions[i]->tag) == len && !memcmp(sessions[i]->tag, tag, len))
			return sessions[i];
	return NULL;
}

static void mount_one(struct ninep *s, const char *path, bool rw)
{
	int e = fs_mount(path, s, rw);
	if (e)
		gort_printf("gort: share %s on %s: not mounted (error %d)\n", s->tag, path, -e);
}

void shares_init(const void *fdt)
{
	vmmio_each(fdt, VIRTIO_ID_9P, found);
	size_t size;
	const char *list = fs_file_data("/.gort/mounts", &size);
	if (!list) {
		for (unsigned i = 0; i < nsessions; i++)
			if (sessions[i]->tag[0] == '/')
				mount_one(sessions[i], sessions[i]->tag, false);
		return;
	}
	char path[GORT_PATH_MAX];
	for (size_t i = 0; i < size;) {
		size_t end = i;
		while (end < size && list[end] != '\n')
			end++;
		const char *line = list + i, *sp1 = memchr(line, ' ', end - i), *sp2 = NULL;
		if (sp1 && (size_t)(sp1 + 1 - list) < end)
			sp2 = memchr(sp1 + 1, ' ', (size_t)(list + end - (sp1 + 1)));
		size_t plen = sp2 ? (size_t)(list + end - (sp2 + 1)) : 0;
		bool ro = sp2 && sp2 - sp1 == 3 && !memcmp(sp1 + 1, "ro", 2);
		bool rw = sp2 && sp2 - sp1 == 3 && !memcmp(sp1 + 1, "rw", 2);
		if ((!ro && !rw) || plen == 0 || plen >= sizeof(path) || sp2[1] != '/') {
			gort_printf(
			    "gort: /.gort/mounts: line \"%.*s\" is not \"TAG ro|rw /PATH\": "
			    "left out\n",
			    (int)(end - i < 80 ? end - i : 80), line);
		} else {
			memcpy(path, sp2 + 1, plen);
			path[plen] = 0;
			struct ninep *s = by_tag(line, (size_t)(sp1 - line));
			if (s)
				mount_one(s, path, rw);
			else
				gort_printf("gort: share %.*s on %s: no virtio-9p device has that "
					    "tag: not mounted\n",
					    (int)(sp1 - line), line, path);
		}
		i = end + 1;
	}
}
