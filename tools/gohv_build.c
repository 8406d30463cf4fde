/*
 * `gohv build`: builds a Go program as a GOOS=tamago partition image, with TamaGo's toolchain
 * ($TAMAGO) and the runtime/goos package of guest-abi/goos-go. The one place the command line is
 * spelled: the Makefile, the tests and the bench all build through here.
 *
 *   GOOS=tamago GOARCH=riscv64 GOOSPKG=<module> GOFLAGS=-mod=mod GOPROXY=off GOTOOLCHAIN=local \
 *       $TAMAGO build -modfile=<copy> -ldflags "-T <RAM base + 0x10000> -R 0x1000" [ARGS...]
 *
 * The program's own go.mod is left alone: the build uses a copy of it with a require and a
 * replace of the module added (go mod edit), so any module builds offline, examples/go too.
 */
#include "tools/gohv_build.h"

#include "hv/config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_TOOL 125

/* The text starts 64 KiB into RAM, with -R 0x1000 pages: Go's linker puts the ELF and program
 * headers in the page below the text, inside RAM, and a text address congruent to the segment
 * offset avoids its misplaced first segment with other -T values (golang/go#57983). */
#define TEXT_OFFSET 0x10000UL
#define SEG_ALIGN   0x1000UL

__attribute__((format(printf, 1, 2))) static int error(const char *fmt, ...)
{
	va_list ap;

	fputs("gohv build: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* Runs argv with the KEY=VALUE strings of env added to the environment. With out, its stdout goes
 * there (NUL-terminated, cut at n - 1 bytes). Returns its exit status, -1 if it could not run. */
static int run(const char *const *argv, const char *const *env, char *out, size_t n)
{
	int fd[2] = {-1, -1};

	if (out && pipe(fd))
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		for (; env && *env; env++)
			putenv((char *)*env);
		if (out) {
			dup2(fd[1], 1);
			close(fd[0]), close(fd[1]);
		}
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "gohv build: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (out) {
		char rest[256];
		size_t len = 0;
		ssize_t k;

		close(fd[1]);
		/* Read it all, keeping what fits: a child must never block on a full pipe. */
		while ((k = read(fd[0], len < n - 1 ? out + len : rest,
				 len < n - 1 ? n - 1 - len : sizeof(rest))) > 0)
			if (len < n - 1)
				len += (size_t)k;
		out[len] = 0;
		close(fd[0]);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
}

/* The module path on go.mod's "module" line in dir. */
static int module_path(const char *dir, char *out, size_t n)
{
	char path[PATH_MAX], line[512];

	snprintf(path, sizeof(path), "%s/go.mod", dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return error("%s: %s (GOHV_GOOS_GO names the goos module's folder)", path,
			     strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *p = line;

		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "module", 6) || (p[6] != ' ' && p[6] != '\t'))
			continue;
		p += 7;
		while (*p == ' ' || *p == '\t')
			p++;
		chomp(p);
		fclose(f);
		if (!*p || strlen(p) >= n)
			return error("%s: a module line with no usable path", path);
		snprintf(out, n, "%s", p);
		return 0;
	}
	fclose(f);
	return error("%s: no module line", path);
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out;
	ssize_t k;

	if (in < 0)
		return error("%s: %s", from, strerror(errno));
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0) {
		close(in);
		return error("%s: %s", to, strerror(errno));
	}
	while ((k = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)k) != k) {
			k = -1;
			break;
		}
	close(in);
	if (close(out) || k < 0)
		return error("%s: %s", to, strerror(errno));
	return 0;
}

/* TAMAGO names a toolchain with GOOS=tamago for this port: its runtime has the entry point. */
static int check_toolchain(const char *go, const char *const *env)
{
	char root[PATH_MAX], rt0[PATH_MAX + 64];
	const char *argv[] = {go, "env", "GOROOT", NULL};

	if (access(go, X_OK))
		return error("TAMAGO=%s: %s", go, strerror(errno));
	if (run(argv, env, root, sizeof(root)) != 0)
		return error("TAMAGO=%s: `go env GOROOT` failed", go);
	chomp(root);
	snprintf(rt0, sizeof(rt0), "%s/src/runtime/rt0_tamago_%s.s", root, GOHV_GOARCH);
	if (access(rt0, R_OK))
		return error(
		    "TAMAGO=%s is not TamaGo's toolchain: its GOROOT %s has no GOOS=tamago "
		    "for %s",
		    go, root, GOHV_GOARCH);
	return 0;
}

static void cleanup(const char *dir)
{
	static const char *const names[] = {"go.mod", "go.sum"};
	char p[PATH_MAX + 16];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

int gohv_build_main(int argc, char **argv)
{
	const char *go = getenv("TAMAGO"), *dir = getenv("GOHV_GOOS_GO");
	char module[256], gomod[PATH_MAX], tmpl[PATH_MAX], ldflags[1024], modfile[PATH_MAX + 16];
	char goospkg[300], require[300], replace[PATH_MAX + 300], sum[PATH_MAX + 8];
	char tmpsum[PATH_MAX + 16];
	const char *user_ldflags = NULL;
	int r = EXIT_TOOL;

	if (!go || !*go)
		return error("TAMAGO is not set: point it at the go binary of TamaGo's toolchain "
			     "(tamago1.26.0 or later; see guest-abi/README.md)"),
		       EXIT_TOOL;
	if (!dir || !*dir)
		dir = GOHV_GOOS_GO_DIR;
	if (module_path(dir, module, sizeof(module)))
		return EXIT_TOOL;
	snprintf(goospkg, sizeof(goospkg), "GOOSPKG=%s", module);
	const char *env[] = {"GOOS=tamago",	 "GOARCH=" GOHV_GOARCH, goospkg,
			     "GOFLAGS=-mod=mod", "GOPROXY=off",		"GOTOOLCHAIN=local",
			     "GOWORK=off",	 "CGO_ENABLED=0",	NULL};
	if (check_toolchain(go, env))
		return EXIT_TOOL;

	/* ARGS go to go build as they are, but for the two flags this command owns. */
	const char **args = calloc((size_t)argc + 8, sizeof(*args));
	int n = 0;
	if (!args)
		return error("out of memory"), EXIT_TOOL;
	args[n++] = go;
	args[n++] = "build";
	args[n++] = modfile;
	args[n++] = ldflags;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			continue;
		} else if (!strncmp(a, "-modfile", 8) || !strncmp(a, "--modfile", 9)) {
			error("%s: gohv build uses its own copy of go.mod (-modfile)", a);
			goto out_args;
		} else if (!strcmp(a, "-ldflags") || !strcmp(a, "--ldflags")) {
			if (i + 1 == argc) {
				error("%s: needs a value", a);
				goto out_args;
			}
			user_ldflags = argv[++i];
		} else if (!strncmp(a, "-ldflags=", 9) || !strncmp(a, "--ldflags=", 10)) {
			user_ldflags = strchr(a, '=') + 1;
		} else {
			args[n++] = a;
		}
	}
	args[n] = NULL;
	/* The image's link address: the partition's RAM base, which every partition shares. */
	snprintf(ldflags, sizeof(ldflags), "-ldflags=-T %#lx -R %#lx%s%s",
		 (unsigned long)(GUEST_RAM_BASE + TEXT_OFFSET), SEG_ALIGN, user_ldflags ? " " : "",
		 user_ldflags ? user_ldflags : "");

	const char *env_argv[] = {go, "env", "GOMOD", NULL};
	if (run(env_argv, env, gomod, sizeof(gomod)) != 0) {
		error("`%s env GOMOD` failed", go);
		goto out_args;
	}
	chomp(gomod);
	if (!*gomod || !strcmp(gomod, "/dev/null") || !strcmp(gomod, "NUL")) {
		char cwd[PATH_MAX];

		error("no go.mod in %s or above: a program is built as a module (go mod init NAME)",
		      getcwd(cwd, sizeof(cwd)) ? cwd : ".");
		goto out_args;
	}

	const char *tmp = getenv("TMPDIR");
	snprintf(tmpl, sizeof(tmpl), "%s/gohv-build-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl)) {
		error("%s: %s", tmpl, strerror(errno));
		goto out_args;
	}
	snprintf(modfile, sizeof(modfile), "-modfile=%s/go.mod", tmpl);
	snprintf(sum, sizeof(sum), "%.*s.sum", (int)(strlen(gomod) - 4), gomod);
	snprintf(tmpsum, sizeof(tmpsum), "%s/go.sum", tmpl);
	if (copy_file(gomod, modfile + 9) || (access(sum, R_OK) == 0 && copy_file(sum, tmpsum)))
		goto out;
	snprintf(require, sizeof(require), "-require=%s@v0.0.0", module);
	snprintf(replace, sizeof(replace), "-replace=%s=%s", module, dir);
	const char *edit[] = {go, "mod", "edit", require, replace, modfile + 9, NULL};
	if (run(edit, env, NULL, 0) != 0) {
		error("`go mod edit` of a copy of %s failed", gomod);
		goto out;
	}
	r = run(args, env, NULL, 0);
	if (r < 0) {
		error("%s: could not run it", go);
		r = EXIT_TOOL;
	}
out:
	cleanup(tmpl);
out_args:
	free(args);
	return r;
}
