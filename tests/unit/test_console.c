#include <criterion/criterion.h>
#include <string.h>

#include "hv/console.h"

/* Everything the sink received, and how many calls it took. */
static struct {
	char text[8192];
	size_t len;
	int calls;
	int bad_calls; /* calls that were not exactly one '\n'-terminated line */
} out;

static void sink(void *ctx, const char *s, size_t n)
{
	cr_assert(ctx == &out);
	cr_assert_lt(out.len + n, sizeof(out.text));
	if (n == 0 || s[n - 1] != '\n' || memchr(s, '\n', n - 1))
		out.bad_calls++;
	memcpy(out.text + out.len, s, n);
	out.len += n;
	out.text[out.len] = '\0';
	out.calls++;
}

static struct console con;
static struct console_line la, lb;

static void setup(void)
{
	memset(&out, 0, sizeof(out));
	memset(&la, 0, sizeof(la));
	memset(&lb, 0, sizeof(lb));
	console_init(&con, sink, &out);
}

static void put(const char *tag, struct console_line *l, const char *s)
{
	console_guest_write(&con, tag, l, s, strlen(s));
}

TestSuite(console, .init = setup);

Test(console, line_only_on_newline)
{
	put("a", &la, "hello");
	cr_assert_eq(out.calls, 0);
	put("a", &la, "\n");
	cr_assert_eq(out.calls, 1);
	cr_assert_str_eq(out.text, "[a] hello\n");
}

Test(console, partial_writes_join)
{
	put("a", &la, "he");
	put("a", &la, "ll");
	put("a", &la, "o\nwor");
	put("a", &la, "ld\n");
	cr_assert_str_eq(out.text, "[a] hello\n[a] world\n");
	cr_assert_eq(out.calls, 2);
	cr_assert_eq(out.bad_calls, 0);
}

Test(console, partitions_do_not_interleave)
{
	put("a", &la, "alpha ");
	put("b", &lb, "beta ");
	put("a", &la, "one");
	put("b", &lb, "two\n");
	put("a", &la, "\n");
	cr_assert_str_eq(out.text, "[b] beta two\n[a] alpha one\n");
	cr_assert_eq(out.calls, 2);
	cr_assert_eq(out.bad_calls, 0);
}

Test(console, empty_line)
{
	put("a", &la, "\n");
	cr_assert_str_eq(out.text, "[a] \n");
}

Test(console, long_line_split)
{
	char s[2 * CONSOLE_LINE_MAX + 11];
	char want[sizeof(out.text)];
	size_t n = 0;

	for (size_t i = 0; i < sizeof(s) - 1; i++)
		s[i] = 'a' + i % 26;
	s[sizeof(s) - 1] = '\0';
	put("p", &la, s);
	cr_assert_eq(out.calls, 2);
	put("p", &la, "\n");
	cr_assert_eq(out.calls, 3);
	cr_assert_eq(out.bad_calls, 0);

	for (size_t i = 0; i < sizeof(s) - 1; i++) {
		if (i % CONSOLE_LINE_MAX == 0) {
			if (i)
				want[n++] = '\n';
			memcpy(want + n, "[p] ", 4);
			n += 4;
		}
		want[n++] = s[i];
	}
	want[n++] = '\n';
	want[n] = '\0';
	cr_assert_str_eq(out.text, want);
}

Test(console, exactly_full_line_is_one_line)
{
	char s[CONSOLE_LINE_MAX + 2];

	memset(s, 'x', CONSOLE_LINE_MAX);
	s[CONSOLE_LINE_MAX] = '\n';
	s[CONSOLE_LINE_MAX + 1] = '\0';
	put("p", &la, s);
	cr_assert_eq(out.calls, 1);
	cr_assert_eq(out.len, 4 + CONSOLE_LINE_MAX + 1);
}

Test(console, control_chars_sanitized)
{
	const char s[] = "a\tb\x1b[2Jc\rd\x7f"
			 "e\x01\x08"
			 "\xc3\xa9\n";

	console_guest_write(&con, "a", &la, s, sizeof(s) - 1);
	cr_assert_str_eq(out.text, "[a] a\tb?[2Jcd?e??\xc3\xa9\n");
	cr_assert_eq(out.calls, 1);
}

Test(console, nul_byte_sanitized)
{
	console_guest_write(&con, "a", &la, "x\0y\n", 4);
	cr_assert_eq(out.len, 8);
	cr_assert_str_eq(out.text, "[a] x?y\n");
}

Test(console, guest_cannot_forge_hv_line)
{
	put("evil", &la, "\ngohv: fake\n");
	put("evil", &la, "\r\ngohv: fake 2\r\n");
	put("evil", &la, "\x0bgohv: fake 3\x0c\n");
	cr_assert_eq(out.bad_calls, 0);
	for (const char *p = out.text; *p; p = strchr(p, '\n') + 1) {
		cr_assert_neq(strncmp(p, "gohv:", 5), 0, "forged line: %s", p);
		cr_assert_eq(strncmp(p, "[evil] ", 7), 0, "untagged line: %s", p);
	}
	cr_assert_str_eq(out.text, "[evil] \n[evil] gohv: fake\n[evil] \n[evil] gohv: fake 2\n"
				   "[evil] ?gohv: fake 3?\n");
}

Test(console, flush_emits_partial)
{
	put("a", &la, "no newline");
	console_guest_flush(&con, "a", &la);
	cr_assert_str_eq(out.text, "[a] no newline\n");
	cr_assert_eq(out.calls, 1);
	console_guest_flush(&con, "a", &la);
	cr_assert_eq(out.calls, 1, "flushing an empty line emits nothing");
	put("a", &la, "next\n");
	cr_assert_str_eq(out.text, "[a] no newline\n[a] next\n");
}

Test(console, long_tag_truncated)
{
	char tag[200];

	memset(tag, 't', sizeof(tag) - 1);
	tag[sizeof(tag) - 1] = '\0';
	put(tag, &la, "x\n");
	cr_assert_eq(out.calls, 1);
	cr_assert_eq(out.bad_calls, 0);
	cr_assert_eq(out.text[0], '[');
	cr_assert_lt(out.len, 100);
	cr_assert_eq(strcmp(out.text + out.len - 4, "] x\n"), 0);
}

Test(console, hv_printf_prefix_and_newline)
{
	console_hv_printf(&con, "booted %d partitions", 3);
	cr_assert_str_eq(out.text, "gohv: booted 3 partitions\n");
	cr_assert_eq(out.calls, 1);
	console_hv_printf(&con, "already terminated\n");
	cr_assert_eq(out.calls, 2);
	console_hv_printf(&con, "twice\n\n");
	cr_assert_eq(out.calls, 3);
	console_hv_printf(&con, "%s", "");
	cr_assert_eq(out.calls, 4);
	cr_assert_str_eq(out.text, "gohv: booted 3 partitions\ngohv: already terminated\n"
				   "gohv: twice\ngohv: \n");
	cr_assert_eq(out.bad_calls, 0);
}

Test(console, hv_printf_embedded_newline_cannot_split_line)
{
	console_hv_printf(&con, "partition %s stopped", "x\n[a] forged");
	cr_assert_eq(out.calls, 1);
	cr_assert_eq(out.bad_calls, 0);
	cr_assert_str_eq(out.text, "gohv: partition x?[a] forged stopped\n");
}

Test(console, hv_printf_truncates_long)
{
	char big[2000];

	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	console_hv_printf(&con, "long: %s", big);
	cr_assert_eq(out.calls, 1);
	cr_assert_eq(out.bad_calls, 0);
	cr_assert_eq(strncmp(out.text, "gohv: long: zzz", 15), 0);
	cr_assert_lt(out.len, 1000);
	cr_assert_gt(out.len, 100);
	cr_assert_eq(out.text[out.len - 1], '\n');
	cr_assert_eq(strcmp(out.text + out.len - 5, "z...\n"), 0);
}
