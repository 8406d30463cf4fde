/* `gohv qemu`: boots an already packed image on the terminal, for `make run`. */
#ifndef GOHV_TOOLS_GOHV_QEMU_H
#define GOHV_TOOLS_GOHV_QEMU_H

/* argv[0] is "qemu". Returns only after --print (0) or a failure it has reported (-1). */
int gohv_qemu_main(int argc, char **argv);

#endif
