/* The machine device-tree parser (hv/platform.c with the port's /cpus, arch/riscv64/platform.c,
 * and devices/ picking drivers) on any blob the firmware could hand over. */
#include <libfdt.h>

#include "fuzz.h"
#include "fuzz_hv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct platform plat;
	char err[160];

	/* The firmware's tree has no size but its header's: one that claims more than there is
	 * is not an input the hv can meet. */
	if (size < sizeof(struct fdt_header) || fdt_check_header(data) ||
	    fdt_totalsize(data) > size)
		return -1;
	if (platform_parse(data, &plat, err, sizeof(err))) {
		FUZZ_CHECK(err[0] && strnlen(err, sizeof(err)) < sizeof(err), "error line");
		return 0;
	}
	FUZZ_CHECK(plat.ncpus >= 1 && plat.ncpus <= CONFIG_MAX_CPUS, "%u cpus", plat.ncpus);
	FUZZ_CHECK(plat.nreserved <= PLATFORM_MAX_RESERVED, "%u reserved", plat.nreserved);
	FUZZ_CHECK(plat.rng_seed_len <= PLATFORM_SEED_MAX, "seed of %zu", plat.rng_seed_len);
	FUZZ_CHECK(strnlen(plat.model, sizeof(plat.model)) < sizeof(plat.model), "model");
	FUZZ_CHECK(plat.timebase_hz != 0, "no timebase");
	for (unsigned i = 0; i < plat.ncpus; i++)
		FUZZ_CHECK(platform_cpu(&plat, plat.cpus[i].hwid) != NULL, "cpu %u not found", i);
	return 0;
}
