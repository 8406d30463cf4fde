#include "sbi.h"

#include "hv/port.h"

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1,
		       unsigned long a2)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = ext;

	__asm__ __volatile__("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){.error = (long)r0, .value = r1};
}

void sbi_remote_hfence_gvma_vmid(unsigned long hartid, unsigned long gpa, unsigned long size,
				 unsigned long vmid)
{
	register unsigned long r0 __asm__("a0") = 1; /* hart_mask: hartid alone */
	register unsigned long r1 __asm__("a1") = hartid;
	register unsigned long r2 __asm__("a2") = gpa;
	register unsigned long r3 __asm__("a3") = size;
	register unsigned long r4 __asm__("a4") = vmid;
	register unsigned long r6 __asm__("a6") = SBI_RFENCE_REMOTE_HFENCE_GVMA_VMID;
	register unsigned long r7 __asm__("a7") = SBI_EXT_RFENCE;

	__asm__ __volatile__("ecall"
			     : "+r"(r0), "+r"(r1)
			     : "r"(r2), "r"(r3), "r"(r4), "r"(r6), "r"(r7)
			     : "memory");
	if ((long)r0)
		hv_panic("the firmware's remote HFENCE.GVMA on hart %lu failed: SBI error %ld",
			 hartid, (long)r0);
}

void sbi_set_timer(unsigned long deadline)
{
	sbi_call(SBI_EXT_TIME, SBI_TIME_SET_TIMER, deadline, 0, 0);
}

void sbi_send_ipi(unsigned long hart_mask, unsigned long base)
{
	sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, hart_mask, base, 0);
}

long sbi_hart_start(unsigned long hartid, unsigned long addr, unsigned long opaque)
{
	return sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, addr, opaque).error;
}

void sbi_system_reset(unsigned long type, unsigned long reason)
{
	sbi_call(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, type, reason, 0);
	/* Firmware without SRST: the legacy shutdown. */
	sbi_call(SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0, 0);
}

void sbi_legacy_putchar(int c)
{
	sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned long)c, 0, 0);
}
