/* Console output of the program and of gort itself, through the goos console call. gort's own
 * lines start with "gort: " so they stand apart from the program's. */
#include <fmt.h>
#include <stdarg.h>

#include "goos_call.h"
#include "gort.h"

void gort_write_console(const char *buf, size_t len)
{
	while (len) {
		struct goos_ret r = goos(GOOS_FN_CONSOLE_WRITE, (unsigned long)buf, len, 0, 0);
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
	gort_write_console(buf, n);
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
	gort_write_console("gort: ", 6);
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	gort_write_console("\n", 1);
	for (;;)
		goos(GOOS_FN_EXIT, (unsigned long)code, 0, 0, 0);
}
