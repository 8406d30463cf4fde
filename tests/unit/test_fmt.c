/* Tests of lib/fmt.c, the formatter of the hv and bare guests. The host libc has its own
 * snprintf/vsnprintf, so ours is compiled into this file under other names. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define vsnprintf gohv_vsnprintf
#define snprintf  gohv_snprintf
#include "../../lib/fmt.c"
#undef vsnprintf
#undef snprintf

static int via_va(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = gohv_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Formats into a large buffer, checks the return value against the text, and compares. */
#define CHECK(want, ...)                                                                           \
	do {                                                                                       \
		char buf_[256];                                                                    \
		int n_ = gohv_snprintf(buf_, sizeof(buf_), __VA_ARGS__);                           \
		cr_assert_str_eq(buf_, want);                                                      \
		cr_assert_eq(n_, (int)strlen(want), "return %d for \"%s\"", n_, want);             \
	} while (0)

/* The same, for formats the compiler's format check would reject but ours must handle. */
#define CHECK_UNCHECKED(want, ...)                                                                 \
	do {                                                                                       \
		char buf_[256];                                                                    \
		int n_ = via_va(buf_, sizeof(buf_), __VA_ARGS__);                                  \
		cr_assert_str_eq(buf_, want);                                                      \
		cr_assert_eq(n_, (int)strlen(want), "return %d for \"%s\"", n_, want);             \
	} while (0)

Test(fmt, plain_and_percent)
{
	CHECK("", "%s", "");
	CHECK("hello", "hello");
	CHECK("100%", "100%%");
	CHECK("%", "%%");
}

Test(fmt, signed_decimal)
{
	CHECK("0", "%d", 0);
	CHECK("42", "%d", 42);
	CHECK("-42", "%i", -42);
	CHECK("2147483647", "%d", INT_MAX);
	CHECK("-2147483648", "%d", INT_MIN);
	CHECK("-9223372036854775808", "%ld", LONG_MIN);
	CHECK("9223372036854775807", "%lld", LLONG_MAX);
	CHECK("-1", "%zd", (ssize_t)-1);
}

Test(fmt, unsigned_and_hex)
{
	CHECK("4294967295", "%u", UINT_MAX);
	CHECK("18446744073709551615", "%lu", ULONG_MAX);
	CHECK("deadbeef", "%x", 0xdeadbeefu);
	CHECK("DEADBEEF", "%X", 0xdeadbeefu);
	CHECK("ffffffff", "%x", -1);
	CHECK("123456789abcdef0", "%lx", 0x123456789abcdef0ul);
	CHECK("FFFFFFFFFFFFFFFF", "%lX", ~0ul);
	CHECK("8000000000000000", "%llx", 1ull << 63);
	CHECK("0", "%x", 0);
	CHECK("1000", "%zx", (size_t)0x1000);
}

Test(fmt, int_args_are_not_sign_extended)
{
	/* Without a length modifier the argument is an int, even if the caller's value is wider. */
	CHECK("ffffffff 7", "%x %d", 0xffffffffu, 7);
}

Test(fmt, pointer)
{
	CHECK("0x80200000", "%p", (void *)0x80200000ul);
	CHECK("0x0", "%p", (void *)0);
	CHECK("0xffffffffffffffff", "%p", (void *)~0ul);
	/* The width counts the "0x", as in C libraries. */
	CHECK("    0x1234", "%10p", (void *)0x1234ul);
	CHECK_UNCHECKED("0x0000000080200000", "%018p", (void *)0x80200000ul);
	CHECK("0x1234    |", "%-10p|", (void *)0x1234ul);
}

Test(fmt, strings)
{
	CHECK("abc", "%s", "abc");
	CHECK_UNCHECKED("(null)", "%s", (char *)NULL);
	CHECK("ab", "%.2s", "abcdef");
	CHECK("abc", "%.10s", "abc");
	CHECK("", "%.0s", "abc");
	CHECK("abc", "%.*s", 3, "abcdef");
	/* Precision bounds the read: the array need not be terminated. */
	const char unterminated[3] = {'x', 'y', 'z'};
	CHECK("xyz", "%.3s", unterminated);
	CHECK("  abc", "%5s", "abc");
	CHECK("abc  |", "%-5s|", "abc");
	CHECK("   ab", "%5.2s", "abcdef");
	CHECK("abcdef", "%3s", "abcdef");
	CHECK("   ab", "%*s", 5, "ab");
}

Test(fmt, chars)
{
	CHECK("x", "%c", 'x');
	CHECK("a-b", "%c-%c", 'a', 'b');
	CHECK("  x", "%3c", 'x');
	CHECK("x  |", "%-3c|", 'x');
}

Test(fmt, widths_and_flags)
{
	CHECK("   42", "%5d", 42);
	CHECK("42   |", "%-5d|", 42);
	CHECK("00042", "%05d", 42);
	CHECK("  -42", "%5d", -42);
	CHECK("-0005", "%05d", -5);
	CHECK("-5   |", "%-5d|", -5);
	CHECK_UNCHECKED("-5   |", "%-05d|", -5);
	CHECK("42", "%1d", 42);
	CHECK("-42", "%2d", -42);
	CHECK("000000ff", "%08x", 0xff);
	CHECK("0000000080200000", "%016lx", 0x80200000ul);
	CHECK("   ff", "%*x", 5, 0xff);
	CHECK("ff   |", "%*x|", -5, 0xff);
	CHECK("123456", "%05d", 123456);
}

Test(fmt, unknown_conversion_kept)
{
	CHECK_UNCHECKED("%q", "%q");
}

Test(fmt, truncation)
{
	char buf[8];

	memset(buf, '#', sizeof(buf));
	cr_assert_eq(gohv_snprintf(buf, sizeof(buf), "hello, %s", "world"), 12);
	cr_assert_str_eq(buf, "hello, ");

	memset(buf, '#', sizeof(buf));
	cr_assert_eq(gohv_snprintf(buf, 1, "abc"), 3);
	cr_assert_eq(buf[0], '\0');
	cr_assert_eq(buf[1], '#');

	memset(buf, '#', sizeof(buf));
	cr_assert_eq(gohv_snprintf(buf, 0, "abc %d", 12345), 9);
	for (size_t i = 0; i < sizeof(buf); i++)
		cr_assert_eq(buf[i], '#', "size 0 wrote byte %zu", i);
	cr_assert_eq(gohv_snprintf(NULL, 0, "%d", -123), 4);

	/* Exactly fitting, and one short. */
	memset(buf, '#', sizeof(buf));
	cr_assert_eq(gohv_snprintf(buf, sizeof(buf), "%07d", 1), 7);
	cr_assert_str_eq(buf, "0000001");
	memset(buf, '#', sizeof(buf));
	cr_assert_eq(gohv_snprintf(buf, sizeof(buf), "%08d", 1), 8);
	cr_assert_str_eq(buf, "0000000");

	/* A padded number cut in the middle of its padding. */
	memset(buf, '#', sizeof(buf));
	cr_assert_eq(gohv_snprintf(buf, 4, "%-10d|", 7), 11);
	cr_assert_str_eq(buf, "7  ");
}

Test(fmt, vsnprintf_mixed)
{
	char buf[128];
	int n = via_va(buf, sizeof(buf), "[%s] pc=%lx cause=%u %c%%", "p0", 0x80001000ul, 13u, '!');

	cr_assert_str_eq(buf, "[p0] pc=80001000 cause=13 !%");
	cr_assert_eq(n, (int)strlen(buf));
}

Test(fmt, trailing_lone_percent)
{
	char buf[16];

	/* A format ending in '%' must not read past its end. */
	int n = via_va(buf, sizeof(buf), "ab%");
	cr_assert_eq(n, 2);
	cr_assert_str_eq(buf, "ab");
}

Test(fmt, matches_host_libc)
{
	char a[128], b[128];
	const long vals[] = {0, 1, -1, 9, 10, -10, 12345, -99999, LONG_MAX, LONG_MIN};

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		gohv_snprintf(a, sizeof(a), "%ld|%12ld|%-12ld|%012ld|%lx|%lu", vals[i], vals[i],
			      vals[i], vals[i], (unsigned long)vals[i], (unsigned long)vals[i]);
		snprintf(b, sizeof(b), "%ld|%12ld|%-12ld|%012ld|%lx|%lu", vals[i], vals[i], vals[i],
			 vals[i], (unsigned long)vals[i], (unsigned long)vals[i]);
		cr_assert_str_eq(a, b);
	}
}
