/* printf-style formatting for freestanding code (hv and bare guests). Supports %d %i %u %x %X %p
 * %s %c %%, with '-', '0', width, precision for %s, and the l, ll, z length modifiers. */
#ifndef GOHV_LIB_FMT_H
#define GOHV_LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
