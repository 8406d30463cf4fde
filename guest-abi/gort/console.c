/* Console output of the program and of gort itself, through the goos console call, each on its
 * stream. gort's own lines go to stderr and start with "gort: " so they stand apart from the
 * program's. */
#include <fmt.h>
#include <stdarg.h>

#include "goos_call.h"
#include "gort.h"

void gort_write_console(enum gort_stream stream, const char *buf, size_t len)
{
	unsigned long s = stream == GORT_STDERR ? GOOS_STREAM_STDERR : GOOS_STREAM_STDOUT;

	while (len) {
		struct goos_ret r =
		    goos(GOOS_FN_CONSOLE_WRITE_STREAM, (unsigned long)buf, len, s, 0);
		/* An hv older than ABI v2 has one stream. */
		if (r.error == GOOS_ERR_NOT_SUPPORTED)
			r = goos(GOOS_FN_CONSOLE_WRITE, (unsigned long)buf, len, 0, 0);
		if (r.error || r.value == 0)
			return;
		buf += r.value;
		len -= r.value;
	}
}

static void vprint(const char *fmt, va_list ap)
{
	char buf[256];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	gort_write_console(GORT_STDERR, buf, n);
}

void gort_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

void gort_fatal(int code, const char *fmt, ...)
{
	va_list ap;
	gort_write_console(GORT_STDERR, "gort: ", 6);
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	gort_write_console(GORT_STDERR, "\n", 1);
	for (;;)
		goos(GOOS_FN_EXIT, (unsigned long)code, 0, 0, 0);
}
