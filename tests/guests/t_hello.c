/* Integration test guest: reports what the DT says about the partition, exits with bootargs exit=N.
 * Prints: "HELLO partition=<name> vcpus=<n> ram=<bytes>". */
#include "libgoos.h"

int main(void)
{
	printf("HELLO partition=%s vcpus=%u ram=%lu\n", goos_partition_name(), goos_vcpus(),
	       (unsigned long)goos_ram_size());
	return (int)goos_bootarg_long("exit", 0);
}
