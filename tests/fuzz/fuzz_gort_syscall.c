/*
 * gort's system calls that run on the host (guest-abi/gort/fs.c, fsmem.c, fdata.c and signal.c,
 * against the fakes
 * of tests/gort) with any arguments, as a program's ecall hands them over: each call decodes its
 * own a0-a5 (fds, flags, user pointers, lengths, sizes). The input is a sequence of calls by two
 * threads of one program over a small initrd tree, with user memory (the fakes' 4 MiB) written
 * from the input too; after each call a pending signal may be delivered, building its frame on the
 * thread's stack. A blocked thread makes no call until another call wakes it.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fakes.h"
#include "fs.h"
#include "fuzz.h"
#include "gort.h"
#include "linux.h"

static const syscall_fn calls[] = {
    sys_openat,	       sys_close,	 sys_read,	  sys_write,	    sys_pread64,
    sys_lseek,	       sys_fstat,	 sys_newfstatat,  sys_getdents64,   sys_getcwd,
    sys_faccessat,     sys_readlinkat,	 sys_chdir,	  sys_fchdir,	    sys_dup,
    sys_dup3,	       sys_fcntl,	 sys_ioctl,	  sys_pipe2,	    sys_eventfd2,
    sys_epoll_create1, sys_epoll_ctl,	 sys_epoll_pwait, sys_rt_sigaction, sys_rt_sigprocmask,
    sys_sigaltstack,   sys_rt_sigreturn, sys_tgkill,	  sys_tkill,	    sys_kill,
    sys_mkdirat,       sys_unlinkat,	 sys_symlinkat,	  sys_linkat,	    sys_renameat2,
    sys_truncate,      sys_ftruncate,	 sys_fchmod,	  sys_fchmodat,	    sys_fchown,
    sys_fchownat,      sys_pwrite64,	 sys_fsync,	  sys_sync,	    sys_umask,
    sys_utimensat,     sys_statfs,	 sys_fstatfs,
};
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

static struct thread threads[2];
static struct fuzz_in in;

/* A small tree: a file, a folder with a file, a link, a link loop. */
static uint8_t tree[4096];
static size_t tree_len;

static void cpio_add(const char *name, unsigned mode, const char *data)
{
	size_t nsz = strlen(name) + 1, size = strlen(data);

	tree_len += (size_t)snprintf((char *)tree + tree_len, sizeof(tree) - tree_len,
				     "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s",
				     1u, mode, 0u, 0u, 1u, 0u, (unsigned)size, 0u, 0u, 0u, 0u,
				     (unsigned)nsz, 0u, name);
	tree_len = (tree_len + 1 + 3) & ~(size_t)3;
	memcpy(tree + tree_len, data, size);
	tree_len = (tree_len + size + 3) & ~(size_t)3;
}

static void build_tree(void)
{
	if (tree_len)
		return;
	cpio_add("etc/hosts", S_IFREG | 0644, "127.0.0.1 localhost\n");
	cpio_add("usr/lib/go/VERSION", S_IFREG | 0644, "go1.19.8");
	cpio_add("lib", S_IFLNK | 0777, "usr/lib");
	cpio_add("loop1", S_IFLNK | 0777, "loop2");
	cpio_add("loop2", S_IFLNK | 0777, "loop1");
	cpio_add("TRAILER!!!", 0, "");
}

static unsigned long arg(void)
{
	switch (fuzz_u8(&in) % 8) {
	case 0:
		return fuzz_u8(&in);
	case 1:
	case 2:
		return FAKE_USER_BASE + fuzz_u32(&in) % (FAKE_USER_SIZE + 0x100);
	case 3:
		return fuzz_u64(&in);
	case 4:
		return (unsigned long)(long)(int8_t)fuzz_u8(&in); /* small negative: fds, AT_* */
	case 5:
		return (unsigned long)AT_FDCWD;
	case 6:
		return FAKE_USER_BASE + FAKE_USER_SIZE - fuzz_u16(&in);
	default:
		return 1UL << (fuzz_u8(&in) % 64);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static jmp_buf out;

	in = (struct fuzz_in){data, size};
	build_tree();
	fake_exit_jmp = &out;
	if (setjmp(out))
		goto done;
	fs_init(tree, tree_len, NULL);
	for (int i = 0; i < 2; i++) {
		fake_thread_init(&threads[i], i + 1);
		threads[i].regs.gregs[2] = FAKE_USER_BASE + FAKE_USER_SIZE - 0x1000; /* sp */
	}
	fake_set_current(&threads[0]);
	memset(fake_user_mem, 0, 0x10000);
	while (in.n) {
		uint8_t op = fuzz_u8(&in);
		struct thread *t = &threads[op >> 7];

		if ((op & 0x7f) >= NCALLS) {
			/* Write some user memory: paths, structs, frames. */
			uint32_t off = fuzz_u32(&in) % FAKE_USER_SIZE;
			size_t len = fuzz_u8(&in);

			if (len > in.n)
				len = in.n;
			if (len > FAKE_USER_SIZE - off)
				len = FAKE_USER_SIZE - off;
			memcpy(fake_user_mem + off, in.p, len);
			in.p += len;
			in.n -= len;
			continue;
		}
		/* A woken thread runs again; a blocked one makes no call. */
		if (t->state == T_RUNNABLE)
			t->state = T_RUNNING;
		if (t->state != T_RUNNING)
			continue;
		struct syscall_args a;
		for (int i = 0; i < 6; i++)
			a.a[i] = arg();
		fake_set_current(t);
		t->on_cpu = 0;
		syscall_fn fn = calls[op & 0x7f];
		long r = fn(t, &a);
		/* rt_sigreturn gives back the frame's a0, whatever it is. */
		if (r != SYSCALL_BLOCKED && fn != sys_rt_sigreturn) {
			if (r < -4095) {
				fprintf(stderr, "fuzz: call %u returned %ld, not an errno\n",
					op & 0x7f, r);
				abort();
			}
			t->regs.gregs[10] = (unsigned long)r;
		}
		if (t->state == T_RUNNING)
			signal_deliver(t);
	}
done:
	fake_exit_jmp = NULL;
	return 0;
}
