/* Calls down to the M-mode firmware (OpenSBI), and the SBI numbers shared with the SBI the hv
 * serves to its guests. */
#ifndef GOHV_RISCV_SBI_H
#define GOHV_RISCV_SBI_H

#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR	 0x01
#define SBI_EXT_LEGACY_GETCHAR	 0x02
#define SBI_EXT_LEGACY_SHUTDOWN	 0x08
#define SBI_EXT_BASE		 0x10
#define SBI_EXT_TIME		 0x54494D45
#define SBI_EXT_IPI		 0x735049
#define SBI_EXT_RFENCE		 0x52464E43
#define SBI_EXT_HSM		 0x48534D
#define SBI_EXT_SRST		 0x53525354
#define SBI_EXT_DBCN		 0x4442434E

/* Function ids (a6), per extension. */
enum {
	SBI_BASE_GET_SPEC_VERSION,
	SBI_BASE_GET_IMPL_ID,
	SBI_BASE_GET_IMPL_VERSION,
	SBI_BASE_PROBE_EXTENSION,
	SBI_BASE_GET_MVENDORID,
	SBI_BASE_GET_MARCHID,
	SBI_BASE_GET_MIMPID,
};
#define SBI_TIME_SET_TIMER 0
#define SBI_IPI_SEND_IPI   0
enum {
	SBI_RFENCE_FENCE_I,
	SBI_RFENCE_SFENCE_VMA,
	SBI_RFENCE_SFENCE_VMA_ASID,
	SBI_RFENCE_REMOTE_HFENCE_GVMA_VMID,
};
enum {
	SBI_HSM_HART_START,
	SBI_HSM_HART_STOP,
	SBI_HSM_HART_GET_STATUS,
	SBI_HSM_HART_SUSPEND,
};
#define SBI_SRST_SYSTEM_RESET 0
enum {
	SBI_DBCN_CONSOLE_WRITE,
	SBI_DBCN_CONSOLE_READ,
	SBI_DBCN_CONSOLE_WRITE_BYTE,
};

/* Arguments with names of their own. */
#define SBI_HSM_SUSPEND_RETENTIVE 0
enum {
	SBI_SRST_TYPE_SHUTDOWN,
	SBI_SRST_TYPE_COLD_REBOOT,
	SBI_SRST_TYPE_WARM_REBOOT,
};
#define SBI_SRST_REASON_NONE	       0
#define SBI_SRST_REASON_SYSTEM_FAILURE 1
/* hart_mask_base meaning every hart (the mask is then ignored). */
#define SBI_HART_MASK_BASE_ALL (~0UL)

#define SBI_SUCCESS		  0
#define SBI_ERR_FAILED		  (-1)
#define SBI_ERR_NOT_SUPPORTED	  (-2)
#define SBI_ERR_INVALID_PARAM	  (-3)
#define SBI_ERR_DENIED		  (-4)
#define SBI_ERR_INVALID_ADDRESS	  (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)
#define SBI_ERR_ALREADY_STARTED	  (-7)
#define SBI_ERR_ALREADY_STOPPED	  (-8)

#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1

struct sbiret {
	long error;
	unsigned long value;
};

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1,
		       unsigned long a2);
void sbi_set_timer(unsigned long deadline);
void sbi_send_ipi(unsigned long hart_mask, unsigned long base);
/* Waits until hart hartid holds no stage-2 translation of [gpa, gpa+size) for vmid. */
void sbi_remote_hfence_gvma_vmid(unsigned long hartid, unsigned long gpa, unsigned long size,
				 unsigned long vmid);
long sbi_hart_start(unsigned long hartid, unsigned long addr, unsigned long opaque);
void sbi_system_reset(unsigned long type, unsigned long reason);
void sbi_legacy_putchar(int c);

#endif
