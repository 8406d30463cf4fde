/* The fake 9P client of fakes_ninep.c and the host folders it serves, for the share tests: a
 * session on a real temporary folder, as QEMU's local back end would serve it, and the calls the
 * tests use to look at that folder on the host. */
#ifndef GORT_TEST_FAKES_NINEP_H
#define GORT_TEST_FAKES_NINEP_H

#include <stddef.h>

#include "ninep.h"

extern int fake_ninep_calls; /* requests that change the host, counted */
extern int fake_ninep_fail;  /* set to -errno: the next of them fails so, as an Rlerror would */

void fake_ninep_session(struct ninep *s, const char *dir);

/* A fresh folder under /tmp (its path into dir): hello.txt, sub/deep.txt, dir/ (0700) with x,
 * link -> hello.txt, escape -> /etc/shadow. 0 or -1. */
int fake_host_tree(char *dir, size_t size);
/* The text of dir/rel (NULL: none), in a static buffer. */
const char *fake_host_text(const char *dir, const char *rel);
void fake_host_remove(const char *dir);
/* Writes dir/rel with an ELF magic and mode 0755: a program on the host. */
void fake_host_program(const char *dir, const char *rel);

/* What the read-write tests check on the host (they see only gort's headers). */
struct fake_host_stat {
	unsigned mode;
	unsigned long nlink;
	long long atime, mtime, mtime_nsec;
};
/* lstat of dir/rel: 0 or -errno. */
int fake_host_stat(const char *dir, const char *rel, struct fake_host_stat *st);
int fake_host_statfs(const char *dir, long *type, long *bsize, long *namelen);
int fake_host_change(const char *dir, const char *rel, const char *what, const char *text);
long fake_host_readlink(const char *dir, const char *rel, char *buf, size_t size);
int fake_host_tmpdir(char *dir, size_t size);

#endif
