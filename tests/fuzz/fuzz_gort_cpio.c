/* gort's initrd reader (guest-abi/gort/fs.c, tree_build) on any archive: it builds the tree or
 * stops the program with one line (gort_fatal, caught here), never reads past the archive; the
 * tree it builds is then walked from the root with the calls a program makes. */
#include <stdlib.h>

#include "fakes.h"
#include "fs.h"
#include "fuzz.h"
#include "gort.h"
#include "linux.h"

#define BUF  FAKE_USER_BASE
#define PATH (FAKE_USER_BASE + 0x10000)

static struct thread t;

static long call(syscall_fn fn, unsigned long a0, unsigned long a1, unsigned long a2,
		 unsigned long a3)
{
	struct syscall_args a = {{a0, a1, a2, a3, 0, 0}};

	return fn(&t, &a);
}

/* Lists dir (a path in user memory at PATH) and, one level down, each entry it has. */
static void walk(int level)
{
	long fd = call(sys_openat, (unsigned long)AT_FDCWD, PATH, O_RDONLY, 0);
	size_t plen = strlen(fake_user_ptr(PATH));

	if (fd < 0)
		return;
	for (int rounds = 0; rounds < 8; rounds++) {
		long n = call(sys_getdents64, fd, BUF, 512, 0);
		if (n <= 0)
			break;
		uint8_t *p = fake_user_ptr(BUF);
		for (long off = 0; off + 19 < n;) {
			uint16_t reclen = (uint16_t)(p[off + 16] | p[off + 17] << 8);
			const char *name = (const char *)p + off + 19;
			char *path = fake_user_ptr(PATH);
			size_t nlen = strnlen(name, (size_t)(n - off - 19));

			if (reclen == 0)
				break;
			if (level == 0 && plen + nlen + 2 < 0x1000 && strcmp(name, ".") &&
			    strcmp(name, "..")) {
				path[plen] = '/';
				memcpy(path + plen + 1, name, nlen);
				path[plen + 1 + nlen] = '\0';
				call(sys_newfstatat, (unsigned long)AT_FDCWD, PATH, BUF + 0x8000,
				     0);
				call(sys_readlinkat, (unsigned long)AT_FDCWD, PATH, BUF + 0x9000,
				     256);
				walk(1);
				path[plen] = '\0';
				p = fake_user_ptr(BUF);
			}
			off += reclen;
		}
		if (level)
			break;
	}
	call(sys_close, fd, 0, 0, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static jmp_buf out;
	/* An exact copy, so any read past the archive is one past a heap block. */
	uint8_t *copy = malloc(size ? size : 1);

	memcpy(copy, data, size);
	fake_thread_init(&t, 1);
	fake_exit_jmp = &out;
	if (!setjmp(out)) {
		fs_init(copy, size, NULL);
		strcpy(fake_user_ptr(PATH), "/");
		walk(0);
		size_t n;
		fs_file_data("init", &n);
	}
	fake_exit_jmp = NULL;
	free(copy);
	return 0;
}
