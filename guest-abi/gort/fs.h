/* fs.c's private limits and the calls it serves beyond gort.h's list. */
#ifndef GORT_FS_H
#define GORT_FS_H

#include "gort.h"

#define GORT_MAX_NODES	 65536 /* files, folders and links, the initrd's and the new */
#define GORT_MAX_PIPES	 32
#define GORT_MAX_EPITEMS 512 /* registrations over all epoll instances */
#define GORT_PIPE_SIZE	 4096
#define GORT_PATH_MAX	 4096
#define GORT_NAME_MAX	 255
/* under /dev: watchdog, devices.c's five, a channel each, the network devices */
#define GORT_MAX_DEVS (6 + 64 + GORT_MAX_NETDEVS)
/* files gort provides unless the initrd has them: etc.c's, two per network device */
#define GORT_MAX_DEFAULT_FILES (8 + 2 * GORT_MAX_NETDEVS)

/* Further fd calls fs.c serves; syscall.c may route them. */
long sys_readv(struct thread *t, const struct syscall_args *a);
long sys_writev(struct thread *t, const struct syscall_args *a);
long sys_splice_einval(struct thread *t, const struct syscall_args *a);
long sys_dup(struct thread *t, const struct syscall_args *a);
long sys_dup3(struct thread *t, const struct syscall_args *a);
long sys_chdir(struct thread *t, const struct syscall_args *a);
long sys_fchdir(struct thread *t, const struct syscall_args *a);
/* The calls that change the tree. */
long sys_mkdirat(struct thread *t, const struct syscall_args *a);
long sys_unlinkat(struct thread *t, const struct syscall_args *a);
long sys_symlinkat(struct thread *t, const struct syscall_args *a);
long sys_linkat(struct thread *t, const struct syscall_args *a);
long sys_renameat2(struct thread *t, const struct syscall_args *a);
long sys_truncate(struct thread *t, const struct syscall_args *a);
long sys_ftruncate(struct thread *t, const struct syscall_args *a);
long sys_fchmod(struct thread *t, const struct syscall_args *a);
long sys_fchmodat(struct thread *t, const struct syscall_args *a);
long sys_fchown(struct thread *t, const struct syscall_args *a);
long sys_fchownat(struct thread *t, const struct syscall_args *a);
long sys_pwrite64(struct thread *t, const struct syscall_args *a);
long sys_fsync(struct thread *t, const struct syscall_args *a);
long sys_sync(struct thread *t, const struct syscall_args *a);
long sys_umask(struct thread *t, const struct syscall_args *a);
long sys_utimensat(struct thread *t, const struct syscall_args *a);
long sys_statfs(struct thread *t, const struct syscall_args *a);
long sys_fstatfs(struct thread *t, const struct syscall_args *a);

#endif
