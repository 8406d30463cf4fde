/* Host fakes for gort's page pool (mm.h): pages from the host heap, fake_pages_free of them
 * (tests set it small to run the file system out of room). */
#include <stdlib.h>
#include <string.h>

#include "fakes.h"

uint64_t fake_pages_free = 4096;
uint64_t fake_pages_taken;

void *mm_kernel_page(void)
{
	if (fake_pages_free == 0)
		return NULL;
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!p)
		return NULL;
	memset(p, 0, PAGE_SIZE);
	fake_pages_free--;
	fake_pages_taken++;
	return p;
}

void mm_kernel_page_free(void *page)
{
	free(page);
	fake_pages_free++;
	fake_pages_taken--;
}

uint64_t mm_free_pages(void)
{
	return fake_pages_free;
}

/* One address space (fake_user_mem): switching is a no-op. */
struct aspace *mm_use(struct aspace *a)
{
	return a;
}

struct aspace *mm_current(void)
{
	return NULL;
}

/* The hv's entropy, faked: byte i of each call is i * 13 + 1, so a test sees the bytes pass. */
long gort_entropy_to_user(uintptr_t uva, size_t len)
{
	static uint8_t buf[1 << 16];
	if (len > sizeof(buf))
		len = sizeof(buf);
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 13 + 1);
	return copy_to_user(uva, buf, len) ? -EFAULT : (long)len;
}
