/* GCC's freestanding <limits.h> tries #include_next for a libc one unless told there is none. */
#ifndef GOHV_LIB_LIMITS_H
#define GOHV_LIB_LIMITS_H
#define _LIBC_LIMITS_H_
#include_next <limits.h>
#endif
