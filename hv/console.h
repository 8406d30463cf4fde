/*
 * The hv console: one physical UART shared by the hv and every partition. Guest output is
 * assembled into lines per partition and emitted whole as "[name] text\n" under one lock, so lines
 * of different partitions never interleave mid-line and a guest cannot forge a line that looks
 * like another partition's or the hv's. The hv's own lines start with "gohv: ". console_proto.h
 * has the text of both kinds, for the tools that read them.
 */
#ifndef GOHV_CONSOLE_H
#define GOHV_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

#include "console_proto.h"
#include "spinlock.h"

/* Where finished lines go: the UART driver in the hv, a buffer in unit tests. */
typedef void (*console_sink_fn)(void *ctx, const char *s, size_t n);

struct console {
	spinlock_t lock;
	console_sink_fn sink;
	void *ctx;
};

/* One partition's line being assembled; owned by the partition, touched under its own lock. */
struct console_line {
	size_t len;
	char buf[CONSOLE_LINE_MAX];
};

void console_init(struct console *c, console_sink_fn sink, void *ctx);

/* Feeds guest bytes. Completed lines are emitted as "[tag] ...\n". Control characters other than
 * tab are shown as '?', '\r' is dropped. */
void console_guest_write(struct console *c, const char *tag, struct console_line *line,
			 const char *data, size_t len);

/* Emits whatever partial line is pending (at exit, before a restart). */
void console_guest_flush(struct console *c, const char *tag, struct console_line *line);

/* The hv's own messages: formats one line "gohv: ...\n" and emits it whole. */
void console_hv_printf(struct console *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void console_hv_vprintf(struct console *c, const char *fmt, va_list ap);

#endif
