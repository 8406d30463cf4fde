/* SBI DBCN: the guest's console, tagged and sanitised like the goos console call. There is no
 * input for guests: a read with a valid buffer reads 0 bytes. */
#include "hv/port.h"
#include "vsbi.h"

struct sbiret vsbi_dbcn(struct vcpu *v, unsigned long fid, const unsigned long *a,
			enum vcpu_exit *next)
{
	unsigned long written = 0;
	enum hv_err err;
	char c;

	switch (fid) {
	case SBI_DBCN_CONSOLE_WRITE: /* (num_bytes, base_lo, base_hi) */
		if (a[2])
			return (struct sbiret){SBI_ERR_INVALID_PARAM, 0};
		err = guest_console_write(v, CONSOLE_STDOUT, a[1], a[0], &written);
		return (struct sbiret){sbi_err(err), written};
	case SBI_DBCN_CONSOLE_READ: /* as write: the buffer is checked though nothing is read */
		if (a[2])
			return (struct sbiret){SBI_ERR_INVALID_PARAM, 0};
		if (!guest_range_ok(v, a[1], a[0]))
			return (struct sbiret){SBI_ERR_INVALID_ADDRESS, 0};
		return (struct sbiret){SBI_SUCCESS, 0};
	case SBI_DBCN_CONSOLE_WRITE_BYTE:
		c = (char)a[0];
		vcpu_console_putc(v, c);
		return (struct sbiret){SBI_SUCCESS, 0};
	default:
		return (struct sbiret){SBI_ERR_NOT_SUPPORTED, 0};
	}
}
