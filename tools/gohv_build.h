/* `gohv build`: a Go program built as a GOOS=tamago partition image (tools/gohv_build.c). */
#ifndef GOHV_TOOLS_GOHV_BUILD_H
#define GOHV_TOOLS_GOHV_BUILD_H

/* argv[0] is "build"; the rest go to `go build`. Returns the exit code: go build's, or 125 when
 * gohv itself could not build (having said why in one line). */
int gohv_build_main(int argc, char **argv);

#endif
