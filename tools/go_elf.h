/* What a Go toolchain wrote into an ELF it built: the build settings in its .go.buildinfo
 * section (what `go version -m` prints), read without running the program. */
#ifndef GOHV_TOOLS_GO_ELF_H
#define GOHV_TOOLS_GO_ELF_H

#include <stddef.h>

/* The value of build setting key (such as "GOOS") in the ELF image data, copied into out (at most
 * n bytes with its NUL). Returns 0, or -1 if the file is not a Go program's ELF with build info or
 * lacks the setting. */
int go_elf_setting(const void *data, size_t size, const char *key, char *out, size_t n);

#endif
