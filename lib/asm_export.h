/*
 * For asm-offsets.c files: each ASM_CONST or ASM_OFFSET in a function there becomes one
 * "#define NAME value" line of a generated header that assembly includes (mk/rules.mk,
 * asm_offsets). The value reaches the compiler's assembly output as an immediate inside a marker
 * string, "->NAME value", which the make rule turns into the #define; nothing is executed.
 */
#ifndef GOHV_ASM_EXPORT_H
#define GOHV_ASM_EXPORT_H

#include <stddef.h>

#define ASM_CONST(name, value)	       __asm__ volatile(".ascii \"->" #name " %0\"" : : "i"(value))
#define ASM_OFFSET(name, type, member) ASM_CONST(name, offsetof(type, member))
#define ASM_SIZE(name, type)	       ASM_CONST(name, sizeof(type))

#endif
