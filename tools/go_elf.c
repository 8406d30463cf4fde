/* Build settings from a Go program's .go.buildinfo section (tools/go_elf.h). */
#define _GNU_SOURCE /* memmem */
#include "tools/go_elf.h"

#include <elf64.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The section named name: its bytes in data, or NULL. Every offset is checked against size. */
static const char *section(const uint8_t *data, size_t size, const char *name, uint64_t *len)
{
	struct elf64_ehdr eh;
	struct elf64_shdr strtab, sh;

	if (size < sizeof(eh) || memcmp(data, "\177ELF", 4) || data[4] != 2)
		return NULL;
	memcpy(&eh, data, sizeof(eh));
	if (eh.shentsize < sizeof(sh) || eh.shstrndx >= eh.shnum || eh.shoff > size ||
	    (size - eh.shoff) / eh.shentsize < eh.shnum)
		return NULL;
	memcpy(&strtab, data + eh.shoff + (uint64_t)eh.shstrndx * eh.shentsize, sizeof(strtab));
	if (strtab.offset > size || strtab.size > size - strtab.offset)
		return NULL;
	for (unsigned i = 0; i < eh.shnum; i++) {
		memcpy(&sh, data + eh.shoff + (uint64_t)i * eh.shentsize, sizeof(sh));
		size_t nlen = strlen(name);
		if (sh.name >= strtab.size || strtab.size - sh.name <= nlen ||
		    memcmp(data + strtab.offset + sh.name, name, nlen + 1))
			continue;
		if (sh.offset > size || sh.size > size - sh.offset)
			return NULL;
		*len = sh.size;
		return (const char *)data + sh.offset;
	}
	return NULL;
}

int go_elf_setting(const void *data, size_t size, const char *key, char *out, size_t n)
{
	uint64_t len;
	const char *info = section(data, size, ".go.buildinfo", &len);
	char want[64];

	if (!info || n == 0)
		return -1;
	/* The module info holds one "build\tKEY=VALUE\n" line per setting. */
	int w = snprintf(want, sizeof(want), "\nbuild\t%s=", key);
	if (w < 0 || (size_t)w >= sizeof(want))
		return -1;
	const char *p = memmem(info, len, want, (size_t)w);
	if (!p)
		return -1;
	p += w;
	const char *end = memchr(p, '\n', (size_t)(info + len - p));
	if (!end || (size_t)(end - p) >= n)
		return -1;
	memcpy(out, p, (size_t)(end - p));
	out[end - p] = 0;
	return 0;
}
