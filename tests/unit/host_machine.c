/* The machine the host port pretends to be, for the unit tests and the fuzzers alike: what
 * the firmware's tree would have told the hv, so both start from one definition. (Test code,
 * not the port: a port reaches the core only through hv/port.h and hv/arch.h.) */
#include "host_machine.h"

#include <string.h>

#include "arch/host/host.h"
#include "hv/hv.h"

void host_machine_init(unsigned ncpus)
{
	memset(&host, 0, sizeof(host));
	host.now = 1000000;
	hv.plat.timebase_hz = 10000000;
	hv.plat.ncpus = hv.ncpus = ncpus;
	for (unsigned i = 0; i < ncpus; i++) {
		hv.plat.cpus[i].hwid = i;
		hv.plat.cpus[i].can_run_guests = true;
		strcpy(hv.plat.cpus[i].arch.isa, "rv64imafdch_zicsr_zifencei_sstc");
		hv.cpus[i].index = i;
		hv.cpus[i].hwid = i;
		hv.cpus[i].online = 1;
		hv.cpus[i].arch.hv_timer = ~0UL;
	}
	hv.boot_cpu = &hv.cpus[0];
	host_this_cpu = &hv.cpus[0];
}
