#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "hv/console.h"
#include "tools/console_wire.h"

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
static spinlock_t held; /* stands for the partition's lock */

static void setup(void)
{
	memset(&out, 0, sizeof(out));
	memset(&la, 0, sizeof(la));
	memset(&lb, 0, sizeof(lb));
	console_init(&con, sink, &out);
	held.locked = 1;
}

static void put(const char *tag, struct console_line *l, const char *s)
{
	console_guest_write(&con, &held, tag, l, CONSOLE_STDOUT, s, strlen(s));
	cr_assert_eq(held.locked, 1, "the caller's lock is held again on return");
}

static void put_err(const char *tag, struct console_line *l, const char *s)
{
	console_guest_write(&con, &held, tag, l, CONSOLE_STDERR, s, strlen(s));
}

static void put_n(const char *s, size_t n)
{
	console_guest_write(&con, &held, "a", &la, CONSOLE_STDOUT, s, n);
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
			if (i) {
				want[n++] = '\\';
				want[n++] = '\n';
			}
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

Test(console, control_chars_escaped)
{
	const char s[] = "a\tb\x1b[2Jc\rd\x7f"
			 "e\x01\x08"
			 "\xc3\xa9\n";

	put_n(s, sizeof(s) - 1);
	cr_assert_str_eq(out.text, "[a] a\tb\\x1b[2Jc\\x0dd\\x7fe\\x01\\x08\xc3\xa9\n");
	cr_assert_eq(out.calls, 1);
}

Test(console, nul_byte_escaped)
{
	put_n("x\0y\n", 4);
	cr_assert_str_eq(out.text, "[a] x\\x00y\n");
}

Test(console, backslash_doubled)
{
	put("a", &la, "C:\\dir\\\n");
	cr_assert_str_eq(out.text, "[a] C:\\\\dir\\\\\n");
}

/* The C1 controls, raw or as UTF-8 (CSI, NEL, OSC), the line and paragraph separators and the
 * bidi controls never reach the terminal as themselves: the forged "[victim]" line. */
Test(console, c1_and_bidi_controls_escaped)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"\x9b"
	     "2K",
	     "\\x9b2K"},
	    {"\xc2\x9b"
	     "2K\xc2\x85[victim] forged",
	     "\\xc2\\x9b2K\\xc2\\x85[victim] forged"},
	    {"\xc2\x9d"
	     "0;t\xc2\x9c",
	     "\\xc2\\x9d0;t\\xc2\\x9c"},
	    {"\xc2\x80|\xc2\x9f", "\\xc2\\x80|\\xc2\\x9f"},
	    {"\xe2\x80\xa8|\xe2\x80\xa9", "\\xe2\\x80\\xa8|\\xe2\\x80\\xa9"},
	    {"\xe2\x80\xae"
	     "cba",
	     "\\xe2\\x80\\xaecba"},
	    {"\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
	     "\\xe2\\x80\\xaa\\xe2\\x80\\xab\\xe2\\x80\\xac\\xe2\\x80\\xad"},
	    {"\xe2\x81\xa6\xe2\x81\xa9", "\\xe2\\x81\\xa6\\xe2\\x81\\xa9"},
	    {"\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", "\\xe2\\x80\\x8e\\xe2\\x80\\x8f\\xd8\\x9c"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char want[256];

		setup();
		put("a", &la, cases[i].in);
		put("a", &la, "\n");
		snprintf(want, sizeof(want), "[a] %s\n", cases[i].want);
		cr_assert_str_eq(out.text, want, "case %zu", i);
	}
}

/* What a terminal would act on is escaped; characters around it are kept. */
Test(console, utf8_passes_malformed_escaped)
{
	put("a", &la, "\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 \xe2\x80\x94\n");
	cr_assert_str_eq(out.text, "[a] \xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80 \xe2\x80\x94\n");
	setup();
	/* overlong '/', a surrogate, beyond U+10FFFF, a stray continuation, a cut sequence */
	put("a", &la, "\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\x80\xe6\x97\n");
	cr_assert_str_eq(out.text, "[a] \\xc0\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80\\x80"
				   "\\xe6\\x97\n");
}

/* Every byte value, in every position of a line, comes back exactly from what the hv wrote, and
 * what it wrote holds no byte a terminal acts on. */
Test(console, every_byte_round_trips)
{
	char in[3 * 256 + 300], back[sizeof(out.text)];
	size_t n = 0, got = 0;
	unsigned seed = 1;

	for (int b = 0; b < 256; b++)
		in[n++] = (char)b;
	for (int i = 0; i < 300; i++) /* some well-formed UTF-8 too, cut anywhere */
		in[n++] = "\xe6\x97\xa5\xc3\xa9x"[i % 6];
	while (n < sizeof(in))
		in[n++] = (char)((seed = seed * 1103515245 + 12345) >> 16);
	put_n(in, n);
	console_guest_flush(&con, &held, "a", &la);
	for (const char *p = out.text; *p;) {
		const char *nl = strchr(p, '\n');
		bool piece;

		cr_assert_not_null(nl);
		cr_assert_eq(strncmp(p, "[a] ", 4), 0);
		for (const char *q = p; q < nl; q++) {
			unsigned char c = (unsigned char)*q;
			cr_assert((c >= 0x20 && c != 0x7f) || c == '\t',
				  "raw control 0x%02x on the wire", c);
			cr_assert(!(c == 0xc2 && (unsigned char)q[1] >= 0x80 &&
				    (unsigned char)q[1] <= 0x9f),
				  "a UTF-8 C1 control on the wire");
		}
		long k = console_unescape(p + 4, (size_t)(nl - p - 4), back + got, &piece);
		cr_assert_geq(k, 0, "undecodable line: %.*s", (int)(nl - p), p);
		got += (size_t)k;
		if (!piece)
			back[got++] = '\n';
		p = nl + 1;
	}
	cr_assert_eq(got, n);
	cr_assert_eq(memcmp(back, in, n), 0);
}

/* A line of exactly CONSOLE_LINE_MAX bytes, or a multiple, is whole; a longer one is pieces the
 * reader joins, cut between UTF-8 characters. */
Test(console, pieces_join_back_exactly)
{
	char s[3 * CONSOLE_LINE_MAX + 2], back[1024];
	size_t got = 0;

	memset(s, 'y', sizeof(s));
	memcpy(s + CONSOLE_LINE_MAX - 1, "\xe6\x97\xa5", 3); /* straddles the first cut */
	s[2 * CONSOLE_LINE_MAX + 2] = '\n';
	put_n(s, 2 * CONSOLE_LINE_MAX + 3);
	cr_assert_eq(out.calls, 3);
	cr_assert_eq(out.bad_calls, 0);
	cr_assert_null(strstr(out.text, "\\xe6"), "a character cut in two: %s", out.text);
	for (const char *p = out.text; *p;) {
		const char *nl = strchr(p, '\n');
		bool piece;
		long k = console_unescape(p + 4, (size_t)(nl - p - 4), back + got, &piece);

		cr_assert_geq(k, 0);
		got += (size_t)k;
		cr_assert_eq(piece, nl[1] != '\0', "only the last line is whole");
		p = nl + 1;
	}
	cr_assert_eq(got, 2 * CONSOLE_LINE_MAX + 2);
	cr_assert_eq(memcmp(back, s, got), 0);
}

Test(console, stderr_is_tagged_and_keeps_order)
{
	put("a", &la, "out1 ");
	put_err("a", &la, "err\n");
	put("a", &la, "out2\n");
	cr_assert_str_eq(out.text, "[a] out1 \\\n[a:err] err\n[a] out2\n");
	cr_assert_eq(out.bad_calls, 0);
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
	cr_assert_str_eq(out.text,
			 "[evil] \n[evil] gohv: fake\n[evil] \\x0d\n[evil] gohv: fake 2\\x0d\n"
			 "[evil] \\x0bgohv: fake 3\\x0c\n");
}

Test(console, flush_emits_partial)
{
	put("a", &la, "no newline");
	console_guest_flush(&con, &held, "a", &la);
	cr_assert_str_eq(out.text, "[a] no newline\\\n", "a piece: the newline is not the guest's");
	cr_assert_eq(out.calls, 1);
	console_guest_flush(&con, &held, "a", &la);
	cr_assert_eq(out.calls, 1, "flushing an empty line emits nothing");
	put("a", &la, "next\n");
	cr_assert_str_eq(out.text, "[a] no newline\\\n[a] next\n");
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
