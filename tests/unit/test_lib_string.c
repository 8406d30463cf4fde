/*
 * lib/string.c (the hv's and the guests' own) against the host's libc: every start alignment and
 * length around a word's, the byte sought at every place and absent, bytes with the high bit set,
 * and memcpy's word copies, aligned and shifted. (Word-at-a-time strlen, strnlen and memchr were
 * tried against these: the device trees' and Go's strings are short, and boot.1 and
 * boot.go_main.1 came out a few dozen ticks slower.)
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#define memcpy	lib_memcpy
#define memmove lib_memmove
#define memset	lib_memset
#define memcmp	lib_memcmp
#define memchr	lib_memchr
#define strlen	lib_strlen
#define strnlen lib_strnlen
#define strcmp	lib_strcmp
#define strncmp lib_strncmp
#define strchr	lib_strchr
#define strrchr lib_strrchr
#define strtoul lib_strtoul
#define strcpy	lib_strcpy
#define strcspn lib_strcspn
#include "../../lib/string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef strtoul
#undef strcpy
#undef strcspn

static uint64_t area[8];

/* len bytes at buf + off that are none of them zero: high bits, 0x01s, a mix. */
static char *fill(unsigned off, unsigned len, unsigned seed)
{
	unsigned char *b = (unsigned char *)area;

	memset(area, 0x5a, sizeof(area));
	for (unsigned i = 0; i < len; i++) {
		static const unsigned char pick[] = {0x80, 0x01, 0xff, 'a', 0x7f, 0x81, 0xfe, 0x21};
		b[off + i] = pick[(i + seed) % 8];
	}
	return (char *)b + off;
}

Test(lib_string, strlen_strnlen_and_memchr_agree_with_libc_at_every_alignment)
{
	for (unsigned off = 0; off < 16; off++)
		for (unsigned len = 0; len < 40; len++)
			for (unsigned seed = 0; seed < 3; seed++) {
				char *s = fill(off, len, seed);

				s[len] = 0;
				cr_assert_eq(lib_strlen(s), len, "off %u len %u", off, len);
				for (unsigned max = 0; max < len + 10 && off + max < 64; max++)
					cr_assert_eq(lib_strnlen(s, max), strnlen(s, max),
						     "off %u len %u max %u", off, len, max);
				s[len] = (char)0x80; /* no NUL in reach: strnlen stops at max */
				for (unsigned max = 0; off + max <= len && max < 40; max++)
					cr_assert_eq(lib_strnlen(s, max), max);
				for (unsigned at = 0; at < len; at++) {
					unsigned char c = (unsigned char)s[at];

					for (unsigned n = 0; n <= len; n++)
						cr_assert_eq(lib_memchr(s, c, n), memchr(s, c, n),
							     "off %u len %u byte %#x n %u", off,
							     len, c, n);
				}
				cr_assert_null(lib_memchr(s, 0, len), "off %u len %u", off, len);
				cr_assert_null(lib_memchr(s, 'z', len));
				cr_assert_eq(lib_memchr(s, 0x80 + 256, len), memchr(s, 0x80, len));
			}
}

Test(lib_string, copies_and_fills_agree_with_libc)
{
	static unsigned char src[96], want[96], got[96];

	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 37 + 11);
	for (unsigned so = 0; so < 9; so++)
		for (unsigned doff = 0; doff < 9; doff++)
			for (unsigned n = 0; n < 70; n++) {
				memset(want, 0xee, sizeof(want));
				memset(got, 0xee, sizeof(got));
				memcpy(want + doff, src + so, n);
				lib_memcpy(got + doff, src + so, n);
				cr_assert_eq(memcmp(got, want, sizeof(got)), 0, "%u %u %u", so,
					     doff, n);
				lib_memset(got + doff, 0, n);
				memset(want + doff, 0, n);
				cr_assert_eq(memcmp(got, want, sizeof(got)), 0);
			}
}
