/* tools/check-neutral, the guard `make test` runs on hv/: it must name every CPU or board word in
 * a file, with its line, pass words that merely contain one, and pass the real hv/. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static int run(const char *path, char *out, size_t len)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "tools/check-neutral %s 2>/dev/null", path);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t n = fread(out, 1, len - 1, p);
	out[n] = '\0';
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void write_file(const char *name, const char *text)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/gohv-neutral-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(check_neutral, .init = setup, .fini = teardown);

Test(check_neutral, names_each_hit_with_its_line)
{
	char out[1024];

	write_file("a.c", "int charts;\n/* explicit duplicate */\nvoid plic_init(void);\n"
			  "unsigned long hartid;\nint x; /* RISCV */\nint uart16550;\n");
	cr_assert_eq(run(dir, out, sizeof(out)), 1, "%s", out);
	cr_assert(strstr(out, "a.c:3:"), "%s", out);
	cr_assert(strstr(out, "a.c:4:"), "%s", out);
	cr_assert(strstr(out, "a.c:5:"), "%s", out);
	cr_assert(strstr(out, "a.c:6:"), "%s", out);
	cr_assert_null(strstr(out, "a.c:1:"), "charts is not a hart: %s", out);
	cr_assert_null(strstr(out, "a.c:2:"), "%s", out);
}

Test(check_neutral, passes_clean_files_and_allowed_lines)
{
	char out[1024];

	write_file("b.c",
		   "int cpus; /* charts */\n#define V1 \"harts\" /* check-neutral: allowed */\n");
	cr_assert_eq(run(dir, out, sizeof(out)), 0, "%s", out);
}

Test(check_neutral, the_core_is_neutral)
{
	char out[4096];

	cr_assert_eq(run("hv", out, sizeof(out)), 0, "hv/ names a CPU or board:\n%s", out);
}

/* The contract's other side: a port reaches the core only through hv/port.h and hv/arch.h. */
Test(check_neutral, ports_do_not_include_the_cores_state)
{
	char out[1024] = "";
	FILE *p = popen("grep -rln '\"hv/hv.h\"' arch/ 2>/dev/null", "r");

	cr_assert_not_null(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	cr_assert_eq(n, 0, "ports including hv/hv.h:\n%s", out);
}
