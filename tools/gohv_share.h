/*
 * The host folders a `gohv run` shares with its Go program (docs/host-files.md): each is a
 * QEMU virtio-9p device (`-fsdev local`, `readonly=on` unless read-write) handed to the
 * partition, and gort mounts it at the folder's own absolute path: read-only, with writes kept in
 * the guest's memory, or read-write, with writes made on the host.
 */
#ifndef GOHV_TOOLS_GOHV_SHARE_H
#define GOHV_TOOLS_GOHV_SHARE_H

#include <stdbool.h>
#include <stddef.h>

#define SHARES_MAX 6 /* of QEMU virt's 8 virtio-mmio slots and the board's 8 devices */

struct shares {
	char *path[SHARES_MAX]; /* real paths, none inside another */
	bool rw[SHARES_MAX];	/* the guest's writes reach the host */
	int n;
};

/* Adds host folder dir (its real path; one inside a shared folder adds nothing, one around
 * shared folders takes their place; either is refused when the two differ in rw), read-write
 * if rw. what names it in errors. 0, or -1 with one line said. */
int shares_add(struct shares *s, const char *dir, const char *what, bool rw);
/* The default for a Go program: the module around cwd (the nearest folder at or above it with
 * a go.mod; cwd itself if none) and the Go root ($GOROOT, else `go env GOROOT`, if there is a
 * go) with the targets of the links at its top (Debian's src, api... are links), the targets of
 * two or more links into one folder shared as that folder. */
int shares_add_go(struct shares *s, const char *cwd);
/* Whether path (a real path) is in a shared folder. */
bool shares_cover(const struct shares *s, const char *path);
/* The QEMU arguments, a NULL-terminated list (malloc'd, free with shares_free_args). */
char **shares_qemu_args(const struct shares *s);
void shares_free_args(char **args);
/* /.gort/mounts for gort: "TAG ro PATH\n" (or rw) a share (malloc'd). */
char *shares_mounts(const struct shares *s);
/* The children of the board's /devices node giving every share's device to partition owner
 * (libfdt's sequential writer, inside /devices). 0 or a libfdt error. */
int shares_board(void *fdt, const struct shares *s, const char *owner);
void shares_free(struct shares *s);

#endif
