/*
 * The vDSO image (built from guest-abi/gort/vdso/ by the Makefile, which passes its path as
 * VDSO_SO), page aligned and padded to whole pages because gort maps these very pages into the
 * program (vdso.c).
 */
	.section .rodata.vdso, "a"
	.balign 4096
	.globl vdso_image
vdso_image:
	.incbin VDSO_SO
	.globl vdso_image_end
vdso_image_end:
	.balign 4096
	.globl vdso_image_pages_end
vdso_image_pages_end:
