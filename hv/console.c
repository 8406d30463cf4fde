#include "console.h"

#include "cpu.h"

#include <fmt.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static const char HV_PREFIX[] = CONSOLE_HV_PREFIX;
static const char TAG_ERR[] = CONSOLE_TAG_ERR;
static const char HEX[] = "0123456789abcdef";

/* The tag is written byte by byte on every guest line: memcpy is a call in the freestanding hv. */
_Static_assert(sizeof(CONSOLE_TAG_OPEN) == 2 && sizeof(CONSOLE_TAG_CLOSE) == 3,
	       "emit_piece writes a 1-byte open and a 2-byte close");

/* How long a waiter spins before it sleeps: a line takes about this long to go out. */
#define CONSOLE_SPINS 1000

void console_init(struct console *c, console_sink_fn sink, void *ctx)
{
	c->next = c->serving = 0;
	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++)
		c->sleeper[i] = NULL;
	c->sink = sink;
	c->ctx = ctx;
}

/* Taking a ticket fixes one's place in the queue; waiting for the turn can come later, after
 * dropping a lock that ordered the arrivals. */
static unsigned take_ticket(struct console *c)
{
	return __atomic_fetch_add(&c->next, 1, __ATOMIC_SEQ_CST);
}

static bool my_turn(struct console *c, unsigned t)
{
	return __atomic_load_n(&c->serving, __ATOMIC_SEQ_CST) == t;
}

/* Spinning is not enough: where one host thread runs every CPU in turn (QEMU's -icount), a CPU
 * that spins keeps the one ahead of it from finishing its line until its turn ends, up to 100 ms.
 * So after a short spin the waiter sleeps, and whoever releases the lock kicks the next in
 * line. Both sides write, then read the other's word, sequentially consistent: either the waiter
 * sees its turn or the releaser sees the sleeper. A kick that comes after the wait ended is only
 * a spurious look at the run loop's requests. */
static void wait_turn(struct console *c, unsigned t)
{
	struct cpu *me = this_cpu();
	struct cpu *volatile *slot = &c->sleeper[t % CONFIG_MAX_CPUS];

	for (unsigned spins = 0; !my_turn(c, t); spins++) {
		/* Only an online CPU can be kicked (and before boot ends none waits). */
		if (spins < CONSOLE_SPINS || !me || !__atomic_load_n(&me->online, __ATOMIC_SEQ_CST))
			continue;
		__atomic_store_n(slot, me, __ATOMIC_SEQ_CST);
		if (!my_turn(c, t))
			arch_wait_for_interrupt();
		/* The run loop looks at its requests before the guest runs again, so a post's kick
		 * taken here is not lost. */
		arch_kick_clear();
	}
	__atomic_store_n(slot, NULL, __ATOMIC_SEQ_CST);
}

static void release_turn(struct console *c, unsigned t)
{
	__atomic_store_n(&c->serving, t + 1, __ATOMIC_SEQ_CST);
	struct cpu *next =
	    __atomic_load_n(&c->sleeper[(t + 1) % CONFIG_MAX_CPUS], __ATOMIC_SEQ_CST);
	if (next)
		cpu_kick(next);
}

/* Waits for the ticket t, then writes s. Everything is formatted before, so the wait of those
 * behind is just the sink. */
static void emit_ticket(struct console *c, unsigned t, const char *s, size_t n)
{
	wait_turn(c, t);
	c->sink(c->ctx, s, n);
	release_turn(c, t);
}

/* Code points that move, erase or reorder text: the C1 controls (CSI, NEL, OSC...), the line and
 * paragraph separators, and the bidi marks, embeddings, overrides and isolates. */
static bool moves_text(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* How many bytes at s (n of them) form one character the terminal may be given as it is; 0 when
 * s[0] must be escaped (a control, CONSOLE_ESC, or not the start of well-formed UTF-8). */
static size_t safe_char(const unsigned char *s, size_t n)
{
	unsigned char b = s[0];
	size_t len;
	uint32_t cp, min;

	if (b == '\t' || (b >= 0x20 && b < 0x7f))
		return b == CONSOLE_ESC ? 0 : 1;
	if (b >= 0xc2 && b <= 0xdf)
		len = 2, cp = b & 0x1f, min = 0x80;
	else if (b >= 0xe0 && b <= 0xef)
		len = 3, cp = b & 0x0f, min = 0x800;
	else if (b >= 0xf0 && b <= 0xf4)
		len = 4, cp = b & 0x07, min = 0x10000;
	else
		return 0;
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || moves_text(cp))
		return 0;
	return len;
}

/* Writes s[0..n) escaped into out (room for 4 bytes each); returns the bytes written. */
static size_t escape(char *out, const unsigned char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n;) {
		/* Most text is plain ASCII: it skips the UTF-8 decoding. */
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != CONSOLE_ESC) {
			out[o++] = (char)s[i++];
			continue;
		}
		size_t k = safe_char(s + i, n - i);

		if (k) {
			while (k--)
				out[o++] = (char)s[i++];
			continue;
		}
		out[o++] = CONSOLE_ESC;
		if (s[i] == CONSOLE_ESC) {
			out[o++] = CONSOLE_ESC;
		} else {
			out[o++] = CONSOLE_ESC_HEX;
			out[o++] = HEX[s[i] >> 4];
			out[o++] = HEX[s[i] & 15];
		}
		i++;
	}
	return o;
}

/* Where to cut a full line: before a UTF-8 character its end would split, so that the character
 * reaches the terminal whole in the next piece rather than as escapes in two. */
static size_t cut_point(const struct console_line *line)
{
	for (size_t k = 1; k < 4 && k <= line->len; k++) {
		unsigned char b = (unsigned char)line->buf[line->len - k];

		if ((b & 0xc0) == 0x80)
			continue;
		size_t need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
		return need > k && k < line->len ? line->len - k : line->len;
	}
	return line->len;
}

/* Emits line->buf[0..n) as one line, a piece (ending in a lone CONSOLE_ESC) unless whole, and
 * keeps the rest of the buffer. The line is copied out and its place in the queue taken while
 * held is still held, so the partition's lines keep their order, then held is dropped for the
 * wait and the write. */
static void emit_piece(struct console *c, spinlock_t *held, const char *tag,
		       struct console_line *line, size_t n, bool piece)
{
	char out[1 + CONSOLE_TAG_MAX + sizeof(TAG_ERR) + 2 + 4 * CONSOLE_LINE_MAX + 2];
	size_t o = 0, t = strnlen(tag, CONSOLE_TAG_MAX);

	out[o++] = CONSOLE_TAG_OPEN[0];
	memcpy(out + o, tag, t);
	o += t;
	if (line->stream == CONSOLE_STDERR) {
		memcpy(out + o, TAG_ERR, sizeof(TAG_ERR) - 1);
		o += sizeof(TAG_ERR) - 1;
	}
	out[o++] = CONSOLE_TAG_CLOSE[0];
	out[o++] = CONSOLE_TAG_CLOSE[1];
	o += escape(out + o, (const unsigned char *)line->buf, n);
	if (piece)
		out[o++] = CONSOLE_ESC;
	out[o++] = '\n';
	line->len -= n;
	if (line->len)
		memmove(line->buf, line->buf + n, line->len);

	unsigned ticket = take_ticket(c);
	if (held)
		spin_unlock(held);
	emit_ticket(c, ticket, out, o);
	if (held)
		spin_lock(held);
}

/* Makes line hold stream's bytes: the other stream's go out first, so the two keep their order.
 * Again after each emit_piece, which dropped held: another vCPU may have written meanwhile. */
static void own_stream(struct console *c, spinlock_t *held, const char *tag,
		       struct console_line *line, enum console_stream stream)
{
	while (line->len && line->stream != stream)
		emit_piece(c, held, tag, line, line->len, true);
	line->stream = stream;
}

void console_guest_write(struct console *c, spinlock_t *held, const char *tag,
			 struct console_line *line, enum console_stream stream, const char *data,
			 size_t len)
{
	own_stream(c, held, tag, line, stream);
	for (size_t i = 0; i < len; i++) {
		char ch = data[i];

		if (ch == '\n') {
			emit_piece(c, held, tag, line, line->len, false);
			own_stream(c, held, tag, line, stream);
			continue;
		}
		/* A full buffer is emitted only when more text arrives, so a line of exactly
		 * CONSOLE_LINE_MAX bytes followed by '\n' stays one line. */
		if (line->len == CONSOLE_LINE_MAX) {
			emit_piece(c, held, tag, line, cut_point(line), true);
			own_stream(c, held, tag, line, stream);
		}
		line->buf[line->len++] = ch;
	}
}

void console_guest_flush(struct console *c, spinlock_t *held, const char *tag,
			 struct console_line *line)
{
	if (line->len)
		emit_piece(c, held, tag, line, line->len, true);
}

/* The hv's own text is ASCII; anything else in it came from outside (a name, a path) and could
 * move the cursor or start a line the hv did not write. */
static char sanitize(unsigned char ch)
{
	return ch == '\t' || (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
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
	emit_ticket(c, take_ticket(c), out, pre + n + 1);
}

void console_hv_printf(struct console *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_hv_vprintf(c, fmt, ap);
	va_end(ap);
}
