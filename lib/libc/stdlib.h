/* libfdt's libfdt_env.h includes <stdlib.h>; the freestanding build has nothing to offer from it
 * but strtoul, which only fdt_overlay.c uses (not built). */
#ifndef GOHV_LIB_STDLIB_H
#define GOHV_LIB_STDLIB_H
#include <stddef.h>
unsigned long strtoul(const char *s, char **end, int base);
#endif
