/* gort's vDSO (guest-abi/gort/vdso.c and the image built from guest-abi/gort/vdso/): where it is
 * mapped, the vvar page it reads, and the sigreturn trampoline gort finds in it. */
#include <criterion/criterion.h>
#include <string.h>

#include "fakes.h"
#include "linux.h"
#include "vvar.h"

/* The image as gort embeds it (see vdso_blob.S), from the path the Makefile passes. */
__asm__(".section .rodata\n"
	".balign 4096\n"
	".globl vdso_image\n"
	"vdso_image:\n"
	".incbin \"" VDSO_SO "\"\n"
	".globl vdso_image_end\n"
	"vdso_image_end:\n"
	".balign 4096\n"
	".globl vdso_image_pages_end\n"
	"vdso_image_pages_end:\n"
	".text\n");
extern const uint8_t vdso_image[], vdso_image_end[], vdso_image_pages_end[];

TestSuite(gort_vdso, .init = NULL);

Test(gort_vdso, maps_vvar_below_image)
{
	uintptr_t base = vdso_map();

	cr_assert_eq(base, 0x3ff0000000UL);
	cr_assert_eq(memcmp(vdso_image, "\177ELF", 4), 0);
	cr_assert_eq(fake_log.kernel_maps, 2);
	cr_assert_eq(fake_log.map_uva[0], base - 4096);
	cr_assert_eq(fake_log.map_len[0], 4096);
	cr_assert_eq(fake_log.map_prot[0], PROT_READ);
	cr_assert_eq(fake_log.map_uva[1], base);
	cr_assert_eq(fake_log.map_kva[1], vdso_image);
	cr_assert_eq(fake_log.map_len[1], (size_t)(vdso_image_pages_end - vdso_image));
	cr_assert_eq(fake_log.map_prot[1], PROT_READ | PROT_EXEC);

	const struct vvar *v = fake_log.map_kva[0];
	cr_assert_eq((uintptr_t)v % 4096, 0);
	cr_assert_eq(v->timebase_hz, 10000000);
	cr_assert_eq(v->shift, 32);
	cr_assert_eq(v->realtime_offset_ns, 1700000000LL * 1000000000LL);
}

Test(gort_vdso, sigreturn_trampoline)
{
	uintptr_t base = vdso_map();
	uintptr_t off = vdso_sigreturn_addr() - base;
	uint32_t insn[2];

	cr_assert(off > 0 && off < (uintptr_t)(vdso_image_end - vdso_image));
	memcpy(insn, vdso_image + off, sizeof(insn));
	cr_assert_eq(insn[0], 0x08b00893, "li a7, 139");
	cr_assert_eq(insn[1], 0x00000073, "ecall");
}

Test(gort_vdso, ticks_to_ns_exact_at_10mhz)
{
	struct vvar v = {.timebase_hz = 10000000, .mult = vvar_mult(10000000), .shift = VVAR_SHIFT};

	cr_assert_eq(vvar_ticks_to_ns(&v, 1), 100);
	cr_assert_eq(vvar_ticks_to_ns(&v, 123456789), 12345678900ULL);
	cr_assert_eq(vvar_ticks_to_ns(&v, 1ULL << 50), (1ULL << 50) * 100);
	/* Other timebases: mult is rounded, so off by at most ticks / 2^33 ns (160 ns a day at
	 * 24 MHz). */
	v.mult = vvar_mult(24000000);
	cr_assert_eq(vvar_ticks_to_ns(&v, 24000000), 1000000000ULL);
	uint64_t day = vvar_ticks_to_ns(&v, 24000000ULL * 86400);
	cr_assert(day >= 86400ULL * 1000000000ULL && day - 86400ULL * 1000000000ULL < 1000);
}
