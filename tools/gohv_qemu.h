/* `gohv qemu`: boots an already packed image on the terminal, for `make run`. */
#ifndef GOHV_TOOLS_GOHV_QEMU_H
#define GOHV_TOOLS_GOHV_QEMU_H

#include <stdio.h>

/* argv[0] is "qemu". Returns only after --print (0) or a failure it has reported (-1). */
int gohv_qemu_main(int argc, char **argv);
/* A QEMU command line (NULL-terminated) as one line a POSIX shell reads back. */
void gohv_qemu_print(FILE *f, char *const *argv);

#endif
