/* fs.c's private limits and the calls it serves beyond gort.h's list. */
#ifndef GORT_FS_H
#define GORT_FS_H

#include "gort.h"

#define GORT_MAX_NODES	       8192 /* files, folders and links of the initrd tree */
#define GORT_MAX_PIPES	       32
#define GORT_MAX_EPITEMS       512 /* registrations over all epoll instances */
#define GORT_PIPE_SIZE	       4096
#define GORT_PATH_MAX	       4096
#define GORT_NAME_MAX	       255
#define GORT_MAX_DEVS	       (6 + 64) /* under /dev: watchdog, devices.c's five, a channel each */
#define GORT_MAX_DEFAULT_FILES 8	/* files gort provides unless the initrd has them */

/* Further fd calls fs.c serves; syscall.c may route them. */
long sys_dup(struct thread *t, const struct syscall_args *a);
long sys_dup3(struct thread *t, const struct syscall_args *a);
long sys_chdir(struct thread *t, const struct syscall_args *a);
long sys_fchdir(struct thread *t, const struct syscall_args *a);

#endif
