/*
 * gohv-pack: checks a board config and the images and initrds its partitions name on the host and
 * writes the boot image QEMU loads with -kernel (the packing itself is tools/pack.c, shared with
 * tools/gohv).
 */
#include "tools/pack.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
	fputs("usage: gohv-pack --hv HV.elf --config CONFIG.dtb [--config-name NAME] "
	      "[-L DIR]... -o OUT.img [--qemu-args FILE]\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"hv", required_argument, NULL, 'h'},
	    {"config", required_argument, NULL, 'c'},
	    {"config-name", required_argument, NULL, 'n'},
	    {"qemu-args", required_argument, NULL, 'q'},
	    {NULL, 0, NULL, 0},
	};
	struct pack_opts o;
	const char **dirs = calloc((size_t)argc, sizeof(*dirs));
	int opt, r;

	memset(&o, 0, sizeof(o));
	if (!dirs) {
		fputs("gohv-pack: out of memory\n", stderr);
		return 1;
	}
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "L:o:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			o.hv = optarg;
			break;
		case 'c':
			o.config = optarg;
			break;
		case 'n':
			o.name = optarg;
			break;
		case 'q':
			o.qemu_args = optarg;
			break;
		case 'o':
			o.out = optarg;
			break;
		case 'L':
			dirs[o.ndirs++] = optarg;
			break;
		default:
			free(dirs);
			return usage();
		}
	}
	if (optind != argc || !o.hv || !o.config || !o.out) {
		free(dirs);
		return usage();
	}
	o.dirs = dirs;
	r = pack_image(&o) ? 1 : 0;
	free(dirs);
	return r;
}
