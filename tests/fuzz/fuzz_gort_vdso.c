/* The vDSO's sigreturn trampoline, for signal.c: the gort harnesses map no vDSO (tests/gort's
 * own tests embed the real one), so its address is only a number signal frames carry. */
#include "gort.h"

uintptr_t vdso_sigreturn_addr(void)
{
	return 0x3ff000;
}
