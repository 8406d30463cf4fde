/* The guest device-tree builder (hv/guest_fdt.c with the port's /cpus, arch/riscv64/guest_fdt.c)
 * for any partition the config could describe on any machine, into a buffer of any size: it
 * writes a valid tree that fits, or returns a libfdt error, never past the buffer. */
#include <libfdt.h>
#include <stdlib.h>

#include "arch/host/host.h"
#include "fuzz.h"
#include "fuzz_hv.h"
#include "hv/guest_fdt.h"

static struct partition_config cfg;
static struct partition part;
static struct vcpu part_vcpus[CONFIG_MAX_VCPUS];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct partition *p = &part;

	memset(&hv, 0, sizeof(hv));
	memset(p, 0, sizeof(*p));
	memset(part_vcpus, 0, sizeof(part_vcpus));
	p->vcpus = part_vcpus;
	memset(&cfg, 0, sizeof(cfg));
	hv.plat.ncpus = 1 + fuzz_u8(&in) % CONFIG_MAX_CPUS;
	hv.plat.timebase_hz = fuzz_u64(&in);
	for (unsigned i = 0; i < hv.plat.ncpus; i++) {
		hv.plat.cpus[i].hwid = fuzz_u8(&in);
		hv.plat.cpus[i].can_run_guests = fuzz_u8(&in) & 1;
		fuzz_str(&in, hv.plat.cpus[i].arch.isa, sizeof(hv.plat.cpus[i].arch.isa));
	}
	hv.has_realtime = fuzz_u8(&in) & 1;
	hv.realtime_offset_ns = (int64_t)fuzz_u64(&in);
	fuzz_str(&in, cfg.name, sizeof(cfg.name));
	fuzz_str(&in, cfg.bootargs, sizeof(cfg.bootargs));
	cfg.restart = fuzz_u8(&in) % 3;
	cfg.ncpus = 1 + fuzz_u8(&in) % CONFIG_MAX_VCPUS;
	p->cfg = &cfg;
	p->nvcpus = cfg.ncpus;
	p->ram_gpa = GUEST_RAM_BASE;
	p->ram_size = fuzz_u64(&in);
	p->initrd_size = fuzz_u8(&in) & 1 ? fuzz_u64(&in) : 0;
	p->initrd_gpa = fuzz_u64(&in);
	for (unsigned i = 0; i < cfg.ncpus; i++) {
		struct vcpu *v = &p->vcpus[i];

		v->part = p;
		v->id = i;
		v->cpu = &hv.cpus[i];
		hv.cpus[i].hwid = fuzz_u8(&in);
	}
	host_this_cpu = &hv.cpus[0];
	drbg_seed(&p->rng, "guest fdt fuzz", 14);
	uint64_t gpa = fuzz_u64(&in);
	size_t len = fuzz_u16(&in) % (GUEST_DT_RESERVE + 1);
	void *buf = malloc(len ? len : 1);

	int err = guest_fdt_build(p, buf, len, gpa);
	if (err == 0) {
		FUZZ_CHECK(fdt_totalsize(buf) <= len, "tree of %u bytes in %zu", fdt_totalsize(buf),
			   len);
		FUZZ_CHECK(fdt_check_full(buf, len) == 0, "the tree written does not check");
	} else {
		FUZZ_CHECK(err < 0, "error %d", err);
	}
	free(buf);
	return 0;
}
