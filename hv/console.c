#include "console.h"

#include <fmt.h>
#include <string.h>

static const char HV_PREFIX[] = CONSOLE_HV_PREFIX;

/* The tag is written byte by byte on every guest line: memcpy is a call in the freestanding hv. */
_Static_assert(sizeof(CONSOLE_TAG_OPEN) == 2 && sizeof(CONSOLE_TAG_CLOSE) == 3,
	       "emit_guest_line writes a 1-byte open and a 2-byte close");

void console_init(struct console *c, console_sink_fn sink, void *ctx)
{
	c->lock.locked = 0;
	c->sink = sink;
	c->ctx = ctx;
}

/* Everything is formatted before taking the lock so the critical section is just the sink. */
static void emit(struct console *c, const char *s, size_t n)
{
	spin_lock(&c->lock);
	c->sink(c->ctx, s, n);
	spin_unlock(&c->lock);
}

static void emit_guest_line(struct console *c, const char *tag, struct console_line *line)
{
	char out[1 + CONSOLE_TAG_MAX + 2 + CONSOLE_LINE_MAX + 1];
	size_t n = 0, t = strnlen(tag, CONSOLE_TAG_MAX);

	out[n++] = CONSOLE_TAG_OPEN[0];
	memcpy(out + n, tag, t);
	n += t;
	out[n++] = CONSOLE_TAG_CLOSE[0];
	out[n++] = CONSOLE_TAG_CLOSE[1];
	memcpy(out + n, line->buf, line->len);
	n += line->len;
	out[n++] = '\n';
	line->len = 0;
	emit(c, out, n);
}

/* Anything that could move the cursor or start a new line (and so let a guest forge a line of
 * another partition or of the hv) is neutralised; UTF-8 sequences pass through untouched. */
static char sanitize(unsigned char ch)
{
	if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
		return '?';
	return (char)ch;
}

void console_guest_write(struct console *c, const char *tag, struct console_line *line,
			 const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char ch = data[i];

		if (ch == '\r')
			continue;
		if (ch == '\n') {
			emit_guest_line(c, tag, line);
			continue;
		}
		/* A full buffer is emitted only when more text arrives, so a line of exactly
		 * CONSOLE_LINE_MAX characters followed by '\n' stays one line. */
		if (line->len == CONSOLE_LINE_MAX)
			emit_guest_line(c, tag, line);
		line->buf[line->len++] = sanitize((unsigned char)ch);
	}
}

void console_guest_flush(struct console *c, const char *tag, struct console_line *line)
{
	if (line->len)
		emit_guest_line(c, tag, line);
}

void console_hv_vprintf(struct console *c, const char *fmt, va_list ap)
{
	char out[CONSOLE_HV_MAX];
	const size_t pre = sizeof(HV_PREFIX) - 1;
	/* Room for the text and vsnprintf's NUL; the NUL's slot later takes the '\n'. */
	const size_t room = sizeof(out) - pre;
	int r;
	size_t n;

	memcpy(out, HV_PREFIX, pre);
	r = vsnprintf(out + pre, room, fmt, ap);
	n = r < 0 ? 0 : (size_t)r;
	if (n >= room) {
		n = room - 1;
		/* Show the reader that the message was cut. */
		memcpy(out + pre + n - 3, "...", 3);
	}
	while (n && out[pre + n - 1] == '\n')
		n--;
	/* One call is one line: an embedded newline (say in a guest-supplied name printed with
	 * %s) must not start a line the hv did not write. */
	for (size_t i = 0; i < n; i++)
		out[pre + i] = sanitize((unsigned char)out[pre + i]);
	out[pre + n] = '\n';
	emit(c, out, pre + n + 1);
}

void console_hv_printf(struct console *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_hv_vprintf(c, fmt, ap);
	va_end(ap);
}
