/* Reading a guest's console line back into the bytes the guest wrote (hv/console_proto.h says
 * how the hv escapes them): `gohv run` uses it to pass the program's output through exactly. */
#ifndef GOHV_TOOLS_CONSOLE_WIRE_H
#define GOHV_TOOLS_CONSOLE_WIRE_H

#include <stdbool.h>
#include <stddef.h>

/* Decodes text[0..n) (a guest line after its tag, without the '\n') into out, which has room for
 * n bytes. Returns the number of bytes, with *piece set when the line is a piece whose newline
 * is not the guest's; -1 when text is not what the hv writes (the caller shows it as it is). */
long console_unescape(const char *text, size_t n, char *out, bool *piece);

#endif
