/*
 *   gohv qemu [--qemu-args FILE] [--cpu MODEL] [--smp N] [--memory SIZE] [--icount] [--print]
 *             IMAGE [QEMU-ARGS...]
 *
 * Boots a packed image (gohv-pack's output) in QEMU with the UART and QEMU's monitor on the
 * terminal: Ctrl-A X quits, Ctrl-A C toggles the monitor. QEMU replaces this process, so the
 * terminal is QEMU's alone. --print prints the command line instead, one line, shell-quoted.
 */
#include "tools/gohv_qemu.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "tools/qemu_cmd.h"
#include "tools/qemu_run.h"

static int usage(void)
{
	fputs("usage: gohv qemu [--qemu-args FILE] [--cpu MODEL] [--smp N] [--memory SIZE] "
	      "[--icount]\n"
	      "                 [--print] IMAGE [QEMU-ARGS...]\n",
	      stderr);
	return -1;
}

/* As a POSIX shell reads it back: anything beyond a safe set goes in single quotes. */
static void print_word(FILE *f, const char *w)
{
	if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			    "_-+=,.:/@%") == strlen(w)) {
		fputs(w, f);
		return;
	}
	fputc('\'', f);
	for (; *w; w++) {
		if (*w == '\'')
			fputs("'\\''", f);
		else
			fputc(*w, f);
	}
	fputc('\'', f);
}

void gohv_qemu_print(FILE *f, char *const *argv)
{
	for (int i = 0; argv[i]; i++) {
		if (i)
			fputc(' ', f);
		print_word(f, argv[i]);
	}
	fputc('\n', f);
}

int gohv_qemu_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"qemu-args", required_argument, NULL, 'q'},
	    {"cpu", required_argument, NULL, 'c'},
	    {"smp", required_argument, NULL, 's'},
	    {"memory", required_argument, NULL, 'm'},
	    {"icount", no_argument, NULL, 'I'},
	    {"print", no_argument, NULL, 'p'},
	    {NULL, 0, NULL, 0},
	};
	struct qemu_cmd_opts qo = {.terminal = true};
	struct qemu_cmd cmd;
	bool print = false;
	char err[512];
	int opt;

	opterr = 0;
	optind = 1;
	/* '+': options end at IMAGE; what follows is QEMU's. */
	while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			qo.qemu_args = optarg;
			break;
		case 'c':
			qo.cpu = optarg;
			break;
		case 's':
			qo.smp = optarg;
			break;
		case 'm':
			qo.memory = optarg;
			break;
		case 'I':
			qo.icount = true;
			break;
		case 'p':
			print = true;
			break;
		default:
			return usage();
		}
	}
	if (optind >= argc)
		return usage();
	qo.kernel = argv[optind];
	qo.extra = (const char *const *)argv + optind + 1;
	if (qemu_cmd_build(&qo, &cmd, err, sizeof(err))) {
		fprintf(stderr, "gohv: %s\n", err);
		return -1;
	}
	if (print) {
		gohv_qemu_print(stdout, cmd.argv);
		qemu_cmd_free(&cmd);
		return 0;
	}
	qemu_exec(cmd.argv);
	fprintf(stderr, "gohv: %s: %s\n", cmd.argv[0], strerror(errno));
	qemu_cmd_free(&cmd);
	return -1;
}
