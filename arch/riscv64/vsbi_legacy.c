/* The SBI v0.1 calls guests still make: one extension id per call, the answer in a0 alone. */
#include "hv/port.h"
#include "vsbi.h"

struct sbiret vsbi_legacy_set_timer(struct vcpu *v, unsigned long fid, const unsigned long *a,
				    enum vcpu_exit *next)
{
	arch_vcpu_set_timer(v, a[0]);
	return (struct sbiret){SBI_SUCCESS, 0};
}

struct sbiret vsbi_legacy_putchar(struct vcpu *v, unsigned long fid, const unsigned long *a,
				  enum vcpu_exit *next)
{
	char c = (char)a[0];

	vcpu_console_putc(v, c);
	return (struct sbiret){SBI_SUCCESS, 0};
}

struct sbiret vsbi_legacy_shutdown(struct vcpu *v, unsigned long fid, const unsigned long *a,
				   enum vcpu_exit *next)
{
	*next = partition_exit(v, 0, false);
	return (struct sbiret){SBI_SUCCESS, 0};
}
