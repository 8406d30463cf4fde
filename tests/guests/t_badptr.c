/*
 * Integration test guest: the hv must refuse buffers outside the partition's RAM and bad vCPU
 * indices with the right error, and never act on them. Prints "BADPTR FAIL <what> ..." for each
 * wrong answer, then "BADPTR OK" if there was none; exits 0.
 */
#include "libgoos.h"

static int failures;

static void expect(const char *what, struct goos_ret r, long error, unsigned long value)
{
	if (r.error == error && (error || r.value == value))
		return;
	printf("BADPTR FAIL %s: error=%ld value=%lu, want error=%ld\n", what, r.error, r.value,
	       error);
	failures++;
}

static void never_run(unsigned vcpu, void *arg)
{
	printf("BADPTR FAIL vcpu %u started\n", vcpu);
}

int main(void)
{
	static const struct {
		const char *name;
		unsigned long fn;
	} calls[] = {{"console_write", GOOS_FN_CONSOLE_WRITE}, {"entropy", GOOS_FN_ENTROPY}};
	static char ok_buf[16];
	unsigned long ram_end = goos_ram_base() + goos_ram_size();
	unsigned vcpus = goos_vcpus();
	char what[64];

	for (unsigned i = 0; i < 2; i++) {
		const char *n = calls[i].name;
		unsigned long fn = calls[i].fn;

		snprintf(what, sizeof(what), "%s low 0x1000", n);
		expect(what, goos_call(fn, 0x1000, 16, 0, 0), GOOS_ERR_INVALID_ADDR, 0);
		snprintf(what, sizeof(what), "%s straddling ram end", n);
		expect(what, goos_call(fn, ram_end - 4, 16, 0, 0), GOOS_ERR_INVALID_ADDR, 0);
		snprintf(what, sizeof(what), "%s wrapping", n);
		expect(what, goos_call(fn, ~0UL - 8, 64, 0, 0), GOOS_ERR_INVALID_ADDR, 0);
		snprintf(what, sizeof(what), "%s len 0", n);
		expect(what, goos_call(fn, (unsigned long)ok_buf, 0, 0, 0), GOOS_OK, 0);
	}

	snprintf(what, sizeof(what), "vcpu_start vcpu=%u", vcpus);
	expect(what, (struct goos_ret){goos_vcpu_start(vcpus, never_run, NULL, NULL), 0},
	       GOOS_ERR_INVALID_PARAM, 0);
	expect("vcpu_start vcpu=4096",
	       (struct goos_ret){goos_vcpu_start(4096, never_run, NULL, NULL), 0},
	       GOOS_ERR_INVALID_PARAM, 0);
	snprintf(what, sizeof(what), "wake vcpu=%u", vcpus);
	expect(what, goos_call(GOOS_FN_WAKE, vcpus, 0, 0, 0), GOOS_ERR_INVALID_PARAM, 0);
	expect("wake vcpu=~0", goos_call(GOOS_FN_WAKE, ~0UL, 0, 0, 0), GOOS_ERR_INVALID_PARAM, 0);

	if (!failures)
		printf("BADPTR OK\n");
	return 0;
}
