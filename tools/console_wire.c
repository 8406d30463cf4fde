#include "console_wire.h"

#include "hv/console_proto.h"

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

long console_unescape(const char *text, size_t n, char *out, bool *piece)
{
	size_t o = 0;

	*piece = false;
	for (size_t i = 0; i < n; i++) {
		if (text[i] != CONSOLE_ESC) {
			out[o++] = text[i];
			continue;
		}
		if (i + 1 == n) {
			*piece = true;
			break;
		}
		if (text[i + 1] == CONSOLE_ESC) {
			out[o++] = CONSOLE_ESC;
			i++;
			continue;
		}
		if (text[i + 1] != CONSOLE_ESC_HEX || i + 3 >= n || hex(text[i + 2]) < 0 ||
		    hex(text[i + 3]) < 0)
			return -1;
		out[o++] = (char)(hex(text[i + 2]) << 4 | hex(text[i + 3]));
		i += 3;
	}
	return (long)o;
}
