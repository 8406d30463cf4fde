/*
 * gort's boot: read the partition's device tree, take over its RAM, open the packed files, load
 * the program, start every vCPU, run. The program's command line comes from the packed files
 * (/.gort/argv, /.gort/env, /.gort/cwd, written by tools/gohv) or else from bootargs:
 *   gort.exe=/path gort.cwd=/dir gort.env=KEY=VALUE ... -- argv0 argv1 ...
 * with %XX escapes for bytes that cannot appear in bootargs. USER, LOGNAME and HOME are added
 * where the environment lacks them (etc.c).
 */
#include <fmt.h>
#include <dt_scan.h>
#include <libfdt.h>
#include <string.h>

#include "goos_call.h"
#include "gort.h"
#include "mm.h"
#include "riscv.h"

#define MAX_ARGS 64

extern char __gort_start[], __gort_end[], gort_trap_vector[], gort_secondary_start[];
void proc_init(unsigned vcpus);
void syscall_set_hostname(const char *name);

static struct {
	char exe[256], cwd[256], name[32];
	char buf[4096]; /* argument and environment strings */
	const char *argv[MAX_ARGS + 1], *envp[MAX_ARGS + 1];
	unsigned argc, envc;
	uint64_t ram_base, ram_size, initrd_start, initrd_end;
	unsigned vcpus;
} boot;

static uint64_t prop_u64(const void *fdt, int node, const char *name, uint64_t def)
{
	int len;
	const fdt32_t *p = dt_getprop(fdt, node, name, &len);

	if (!p)
		return def;
	return len == 8 ? ((uint64_t)fdt32_to_cpu(p[0]) << 32) | fdt32_to_cpu(p[1])
			: fdt32_to_cpu(p[0]);
}

static void read_dt(const void *fdt)
{
	if (fdt_check_header(fdt))
		gort_fatal(2, "the device tree at %p is not valid", fdt);
	int mem = dt_path(fdt, "/memory@80000000");
	const fdt64_t *reg = dt_getprop(fdt, mem, "reg", NULL);
	if (!reg)
		gort_fatal(2, "the device tree has no memory node");
	boot.ram_base = fdt64_to_cpu(reg[0]);
	boot.ram_size = fdt64_to_cpu(reg[1]);
	time_init(prop_u64(fdt, dt_path(fdt, "/cpus"), "timebase-frequency", 0),
		  (int64_t)prop_u64(fdt, dt_path(fdt, "/chosen"), "gohv,realtime-ns", 0));
	int goos_node = dt_path(fdt, "/goos");
	boot.vcpus = (unsigned)prop_u64(fdt, goos_node, "vcpus", 1);
	if (boot.vcpus > GORT_MAX_VCPUS)
		boot.vcpus = GORT_MAX_VCPUS;
	const char *name = dt_getprop(fdt, goos_node, "partition", NULL);
	snprintf(boot.name, sizeof(boot.name), "%s", name ? name : "gohv");
	watchdog_init((unsigned)prop_u64(fdt, goos_node, GOOS_DT_WATCHDOG_MS, 0));
	devices_init();
	etc_init(boot.name);
	int chosen = dt_path(fdt, "/chosen");
	boot.initrd_start = prop_u64(fdt, chosen, "linux,initrd-start", 0);
	boot.initrd_end = prop_u64(fdt, chosen, "linux,initrd-end", 0);
	if (!boot.initrd_start || boot.initrd_end <= boot.initrd_start)
		gort_fatal(2, "no packed files (initrd) given to this partition: nothing to run");
}

static int unhex(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* Copies one %XX-escaped token into the string buffer; returns it. */
static const char *keep(const char *s, size_t n, size_t *used)
{
	char *out = boot.buf + *used;
	size_t k = 0;

	for (size_t i = 0; i < n && *used + k + 1 < sizeof(boot.buf); i++) {
		if (s[i] == '%' && i + 2 < n + 0 && unhex(s[i + 1]) >= 0 && unhex(s[i + 2]) >= 0) {
			out[k++] = (char)(unhex(s[i + 1]) * 16 + unhex(s[i + 2]));
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = 0;
	*used += k + 1;
	return out;
}

static void parse_bootargs(const char *args, size_t *used)
{
	bool rest = false;

	while (args && *args) {
		while (*args == ' ')
			args++;
		size_t n = strcspn(args, " ");
		if (!n)
			break;
		if (rest) {
			if (boot.argc < MAX_ARGS)
				boot.argv[boot.argc++] = keep(args, n, used);
		} else if (n == 2 && !strncmp(args, "--", 2)) {
			rest = true;
		} else if (!strncmp(args, "gort.exe=", 9)) {
			snprintf(boot.exe, sizeof(boot.exe), "%s", keep(args + 9, n - 9, used));
		} else if (!strncmp(args, "gort.cwd=", 9)) {
			snprintf(boot.cwd, sizeof(boot.cwd), "%s", keep(args + 9, n - 9, used));
		} else if (!strncmp(args, "gort.env=", 9) && boot.envc < MAX_ARGS) {
			boot.envp[boot.envc++] = keep(args + 9, n - 9, used);
		}
		args += n;
	}
}

/* A NUL-separated list from a packed file, appended to list. A string the file ends with its NUL
 * is used where it lies (the packed tree outlives the program's start, which copies it to the
 * stack): go test's -test.run patterns run to tens of KiB, as Linux allows. */
static void read_list(const char *path, const char **list, unsigned *count, size_t *used)
{
	size_t size;
	const char *data = fs_file_data(path, &size);

	for (size_t i = 0; data && i < size && *count < MAX_ARGS;) {
		size_t n = strnlen(data + i, size - i);
		const char *s = data + i;
		if (n == size - i) { /* the last one, not terminated */
			if (*used + n + 1 > sizeof(boot.buf))
				gort_fatal(2, "%s: the arguments are too long", path);
			memcpy(boot.buf + *used, data + i, n);
			boot.buf[*used + n] = 0;
			s = boot.buf + *used;
			*used += n + 1;
		}
		list[(*count)++] = s;
		i += n + 1;
	}
}

static void setup_cpu(unsigned id)
{
	struct cpu *c = sched_cpu(id);
	extern char gort_kstacks[];

	c->id = id;
	c->kstack_top = (uintptr_t)gort_kstacks + (id + 1) * GORT_KSTACK_SIZE;
	__asm__ __volatile__("mv tp, %0" ::"r"(c));
	csr_write(CSR_SSCRATCH, c);
	csr_write(CSR_STVEC, gort_trap_vector);
	csr_write(CSR_STIMECMP, ~0UL);
	csr_set(CSR_SSTATUS, SSTATUS_FS_INITIAL);
	/* The program reads time (and the cycle counters) itself, as it does on Linux. */
	csr_write(CSR_SCOUNTEREN, 7);
	/* External: the channel interrupt (a doorbell while the program runs; vCPU 0 only). */
	csr_write(CSR_SIE, SIE_STIE | SIE_SSIE | SIE_SEIE);
}

void gort_main(unsigned long vcpu, const void *fdt)
{
	if (vcpu != 0) {
		setup_cpu(vcpu);
		mm_enable_this_cpu();
		gort_lock();
		schedule(sched_cpu(vcpu));
	}
	setup_cpu(0);
	read_dt(fdt);
	uint64_t ram_end = boot.ram_base + boot.ram_size;
	uint64_t pool_end = (boot.initrd_start & ~(PAGE_SIZE - 1));
	if ((uintptr_t)fdt < pool_end)
		pool_end = (uintptr_t)fdt & ~(PAGE_SIZE - 1);
	mm_init(boot.ram_base, ram_end, (uintptr_t)__gort_end, pool_end);
	mm_set_file_area(boot.initrd_start, boot.initrd_end);
	chan_init(fdt); /* its devices before the file tree is made */
	netdev_init(fdt);
	/* The first process's memory: the program, its stack and the vDSO go there. */
	struct aspace *as = mm_aspace_new();
	if (!as)
		gort_fatal(2, "no memory for the program's page table");
	mm_use(as);
	mm_activate(as);
	sched_init(boot.vcpus);
	proc_init(boot.vcpus);
	syscall_set_hostname(boot.name);

	size_t used = 0;
	parse_bootargs(dt_getprop(fdt, dt_path(fdt, "/chosen"), "bootargs", NULL), &used);
	fs_init((const void *)(uintptr_t)boot.initrd_start, boot.initrd_end - boot.initrd_start,
		boot.cwd[0] ? boot.cwd : "/");
	/* tools/gohv passes the command line as files: any bytes, any length. */
	read_list("/.gort/argv", boot.argv, &boot.argc, &used);
	read_list("/.gort/env", boot.envp, &boot.envc, &used);
	boot.envc = etc_user_env(boot.envp, boot.envc, MAX_ARGS);
	size_t cwd_len;
	const char *cwd = fs_file_data("/.gort/cwd", &cwd_len);
	if (cwd) {
		snprintf(boot.cwd, sizeof(boot.cwd), "%.*s", (int)cwd_len, cwd);
		fs_set_cwd(boot.cwd);
	}
	shares_init(fdt); /* the host's folders, in the tree as it will stay */
	if (!boot.exe[0] && boot.argc)
		snprintf(boot.exe, sizeof(boot.exe), "%s", boot.argv[0]);
	if (!boot.exe[0])
		gort_fatal(2, "no program named: give gort.exe= in bootargs or /.gort/argv");
	if (!boot.argc)
		boot.argv[boot.argc++] = boot.exe;
	fs_set_exe(boot.exe);

	uintptr_t entry;
	uintptr_t sp = exec_program(boot.exe, boot.argv, boot.envp, &entry);
	struct thread *t = thread_new();
	proc_first(t, as, fs_files_first());
	t->regs.gregs[0] = entry;
	t->regs.gregs[2] = sp;
	const char *base = strrchr(boot.exe, '/');
	snprintf(t->comm, sizeof(t->comm), "%s", base ? base + 1 : boot.exe); /* Linux's comm */

	for (unsigned i = 1; i < boot.vcpus; i++)
		goos(GOOS_FN_VCPU_START, i, (uintptr_t)gort_secondary_start, 0, 0);
	gort_lock();
	thread_make_runnable(t);
	schedule(sched_cpu(0));
}
