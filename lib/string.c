#include <stdint.h>
#include <string.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	/* Word copies when both sides agree on alignment: guest images are copied with this. */
	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		while (n && ((uintptr_t)d & 7)) {
			*d++ = *s++;
			n--;
		}
		/* Eight words a turn: the loop's own instructions were half of a copy's (the hv
		 * copies every initrd into its partition at every start). */
		for (; n >= 64; n -= 64, d += 64, s += 64) {
			uint64_t *q = (uint64_t *)d;
			const uint64_t *r = (const uint64_t *)s;
			uint64_t w0 = r[0], w1 = r[1], w2 = r[2], w3 = r[3], w4 = r[4], w5 = r[5],
				 w6 = r[6], w7 = r[7];

			q[0] = w0, q[1] = w1, q[2] = w2, q[3] = w3, q[4] = w4, q[5] = w5, q[6] = w6,
			q[7] = w7;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	} else if (n >= 32) {
		/* Misaligned by k bytes (gort copies a program out of a cpio, whose files are only
		 * 4-byte aligned): aligned loads from s, each word shifted into place, so every
		 * load and store is a whole word. The first 8 - k bytes are gathered one at a time;
		 * no load reads outside [s, s + n). Little-endian. */
		while ((uintptr_t)d & 7) {
			*d++ = *s++;
			n--;
		}
		unsigned k = (uintptr_t)s & 7, lo = 8 * k, hi = 64 - lo;
		const uint64_t *a = (const uint64_t *)(s + 8 - k);
		uint64_t carry = 0;

		for (unsigned i = 8 - k; i--;)
			carry = carry << 8 | s[i];
		for (; n >= 16; n -= 8, d += 8, s += 8) {
			uint64_t w = *a++;

			*(uint64_t *)d = carry | w << hi;
			carry = w >> lo;
		}
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (c == 0) {
		while (n && ((uintptr_t)d & 7)) {
			*d++ = 0;
			n--;
		}
		/* Eight stores per turn: the hv zeroes whole partitions (create, scrub), and a
		 * loop of one store per turn spends most of its instructions on the loop. */
		for (; n >= 64; n -= 64, d += 64) {
			uint64_t *q = (uint64_t *)d;
			q[0] = q[1] = q[2] = q[3] = q[4] = q[5] = q[6] = q[7] = 0;
		}
		for (; n >= 8; n -= 8, d += 8)
			*(uint64_t *)d = 0;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

unsigned long strtoul(const char *s, char **end, int base)
{
	unsigned long v = 0;

	if (base == 0)
		base = 10;
	for (;; s++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'z')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'Z')
			d = *s - 'A' + 10;
		else
			break;
		if (d >= base)
			break;
		v = v * base + d;
	}
	if (end)
		*end = (char *)s;
	return v;
}

char *strcpy(char *dst, const char *src)
{
	char *d = dst;

	while ((*d++ = *src++))
		;
	return dst;
}

size_t strcspn(const char *s, const char *reject)
{
	size_t n = 0;

	while (s[n] && !strchr(reject, s[n]))
		n++;
	return n;
}
