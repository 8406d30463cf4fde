/*
 * The hv console: one physical UART shared by the hv and every partition. Guest output is
 * assembled into lines per partition and emitted whole as "[name] text\n", in the order the
 * lines were finished, so lines of different partitions never interleave mid-line, a busy
 * partition cannot keep another's line waiting for long, and a guest cannot forge a line that
 * looks like another partition's or the hv's. The hv's own lines start with "gohv: ".
 * console_proto.h has the text of both kinds (and how guest bytes are escaped), for the tools
 * that read them.
 */
#ifndef GOHV_CONSOLE_H
#define GOHV_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

#include "config.h"
#include "console_proto.h"
#include "spinlock.h"

/* Where finished lines go: the UART driver in the hv, a buffer in unit tests. */
typedef void (*console_sink_fn)(void *ctx, const char *s, size_t n);

struct cpu;

/* A ticket lock: a line goes to the sink only at its turn, in order of arrival, so a CPU that
 * contends with busy ones waits only for the lines already queued. */
struct console {
	volatile unsigned next, serving; /* the next ticket to take; the ticket that holds it */
	/* The CPU asleep waiting for ticket t is sleeper[t % CONFIG_MAX_CPUS] (each CPU holds at
	 * most one ticket, so the tickets waiting never share a slot); NULL when none is. */
	struct cpu *volatile sleeper[CONFIG_MAX_CPUS];
	console_sink_fn sink;
	void *ctx;
};

/* A partition's two output streams; its error stream's lines carry CONSOLE_TAG_ERR. */
enum console_stream { CONSOLE_STDOUT, CONSOLE_STDERR, CONSOLE_STREAMS };

/* One partition's line being assembled (raw bytes, escaped when emitted); owned by the
 * partition, touched under the lock its owner passes to console_guest_write. */
struct console_line {
	size_t len;
	enum console_stream stream; /* of the bytes in buf */
	char buf[CONSOLE_LINE_MAX];
};

void console_init(struct console *c, console_sink_fn sink, void *ctx);

/* Feeds guest bytes of one stream. Completed lines are emitted as "[tag] ...\n" (see
 * console_proto.h for the escapes and the pieces). held is the lock the caller holds over line:
 * it is dropped while a finished line waits for its turn and goes out, so other writers of the
 * partition are not held up by the UART, and taken again; lines keep their order. */
void console_guest_write(struct console *c, spinlock_t *held, const char *tag,
			 struct console_line *line, enum console_stream stream, const char *data,
			 size_t len);

/* Emits whatever partial line is pending, as a piece (at exit, before a restart). */
void console_guest_flush(struct console *c, spinlock_t *held, const char *tag,
			 struct console_line *line);

/* The hv's own messages: formats one line "gohv: ...\n" and emits it whole. */
void console_hv_printf(struct console *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void console_hv_vprintf(struct console *c, const char *fmt, va_list ap);

#endif
