#include "board.h"

#include <criterion/criterion.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/host/host.h"
#include "host_machine.h"

#define ARENA (32UL << 20)

char tb_out[16384];
static size_t out_len;
static uint8_t *arena;
static struct partition_config cfgs[TB_MAX_PARTS];
static struct channel_config chans[CONFIG_MAX_CHANNELS];
static struct partition parts[TB_MAX_PARTS];
static struct vcpu vcpus[TB_MAX_PARTS][CONFIG_MAX_VCPUS];
static struct channel channels[CONFIG_MAX_CHANNELS];

/* The image: one PT_LOAD of an instruction at GUEST_RAM_BASE (the host port never runs it). */
static struct {
	struct gohv_pkg_header h;
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;
		uint8_t code[16];
	} elf __attribute__((aligned(GOHV_PKG_ENTRY_ALIGN)));
	uint64_t elf_sums[1];
	uint8_t initrd[TB_INITRD_SIZE] __attribute__((aligned(GOHV_PKG_ENTRY_ALIGN)));
	uint64_t initrd_sums[(TB_INITRD_SIZE + GOHV_PKG_CHUNK - 1) / GOHV_PKG_CHUNK];
} pkg __attribute__((aligned(4096)));
static uint64_t pkg_checked[PACKAGE_CHECKED_WORDS(sizeof(pkg))];

static void sink(void *ctx, const char *s, size_t n)
{
	cr_assert_lt(out_len + n, sizeof(tb_out));
	memcpy(tb_out + out_len, s, n);
	out_len += n;
	tb_out[out_len] = '\0';
}

static void package(void)
{
	memset(&pkg, 0, sizeof(pkg));
	pkg.elf.eh = (Elf64_Ehdr){
	    .e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64, ELFDATA2LSB, EV_CURRENT},
	    .e_type = ET_EXEC,
	    .e_machine = ARCH_ELF_MACHINE,
	    .e_version = EV_CURRENT,
	    .e_entry = GUEST_RAM_BASE,
	    .e_phoff = sizeof(Elf64_Ehdr),
	    .e_ehsize = sizeof(Elf64_Ehdr),
	    .e_phentsize = sizeof(Elf64_Phdr),
	    .e_phnum = 1,
	};
	pkg.elf.ph = (Elf64_Phdr){
	    .p_type = PT_LOAD,
	    .p_flags = PF_R | PF_X,
	    .p_offset = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr),
	    .p_vaddr = GUEST_RAM_BASE,
	    .p_paddr = GUEST_RAM_BASE,
	    .p_filesz = 16,
	    .p_memsz = 0x1000,
	    .p_align = 0x1000,
	};
	pkg.elf.code[0] = 0x01;
	pkg.elf.code[1] = 0xa0; /* c.j . */
	pkg.h.magic = GOHV_PKG_MAGIC;
	pkg.h.version = GOHV_PKG_VERSION;
	pkg.h.size = sizeof(pkg);
	pkg.h.nimages = 2;
	strcpy(pkg.h.images[0].name, "tb.elf");
	pkg.h.images[0].offset = offsetof(__typeof__(pkg), elf);
	pkg.h.images[0].size = sizeof(pkg.elf);
	pkg.h.images[0].checksum = gohv_pkg_sums(&pkg.elf, sizeof(pkg.elf), pkg.elf_sums);
	for (size_t i = 0; i < sizeof(pkg.initrd); i++)
		pkg.initrd[i] = tb_initrd_byte(i);
	strcpy(pkg.h.images[1].name, "tb.initrd");
	pkg.h.images[1].offset = offsetof(__typeof__(pkg), initrd);
	pkg.h.images[1].size = sizeof(pkg.initrd);
	pkg.h.images[1].checksum = gohv_pkg_sums(pkg.initrd, sizeof(pkg.initrd), pkg.initrd_sums);
	cr_assert_eq(gohv_pkg_sums_offset(&pkg.h.images[0]), offsetof(__typeof__(pkg), elf_sums));
	cr_assert_eq(gohv_pkg_sums_offset(&pkg.h.images[1]),
		     offsetof(__typeof__(pkg), initrd_sums));
	hv.pkg = &pkg.h;
	memset(pkg_checked, 0, sizeof(pkg_checked));
	hv.pkg_checked = (struct package_checked){.pkg = &pkg.h, .bits = pkg_checked};
}

void tb_setup(unsigned nparts)
{
	cr_assert_leq(nparts, TB_MAX_PARTS);
	memset(&hv, 0, sizeof(hv));
	host_machine_init(TB_MAX_PARTS);
	out_len = 0;
	tb_out[0] = '\0';
	console_init(&hv.console, sink, NULL);
	if (!arena)
		arena = aligned_alloc(CONFIG_MEM_ALIGN, ARENA);
	cr_assert_not_null(arena);
	memset(arena, 0xa5,
	       ARENA); /* what the firmware left: the hv must clear what it hands out */
	static uint64_t bitmap[ARENA / PAGE_SIZE / 64];
	page_alloc_init(&hv.pages, (uint64_t)(uintptr_t)arena, ARENA / PAGE_SIZE, bitmap);
	drbg_seed(&hv.root_rng, "board test seed", 15);
	package();
	memset(cfgs, 0, sizeof(cfgs));
	memset(chans, 0, sizeof(chans));
	for (unsigned i = 0; i < nparts; i++) {
		struct partition_config *c = &cfgs[i];

		snprintf(c->name, sizeof(c->name), "p%u", i);
		c->cpus[0] = i;
		c->ncpus = 1;
		c->weight = 1;
		c->memory_size = TB_RAM;
		strcpy(c->image, "tb.elf");
	}
	hv.config.npartitions = nparts;
	hv.config.partitions = cfgs;
	hv.config.channels = chans;
	hv.config.time_slice_us = CONFIG_SLICE_US_DEFAULT;
}

void tb_teardown(void)
{
}

unsigned tb_channel(const char *name, unsigned driver, unsigned device, uint64_t address,
		    uint64_t size)
{
	unsigned id = hv.config.nchannels++;
	struct channel_config *c = &chans[id];

	cr_assert_lt(id, CONFIG_MAX_CHANNELS);
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->end[CHAN_DRIVER] = driver;
	c->end[CHAN_DEVICE] = device;
	c->address = address;
	c->size = size;
	c->queues = 2;
	c->queue_size = 8;
	return id;
}

void tb_create(void)
{
	hv.partitions = parts;
	hv.npartitions = hv.config.npartitions;
	for (unsigned i = 0; i < hv.npartitions; i++)
		if (partition_create(&parts[i], i, &cfgs[i], vcpus[i]) == 0)
			hv.live++;
	hv.channels = channels;
	hv.nchannels = hv.config.nchannels;
	channels_create();
}

struct partition *tb_part(unsigned part)
{
	return &parts[part];
}

uint8_t *tb_initrd(void)
{
	return pkg.initrd;
}

uint8_t *tb_image(size_t *size)
{
	*size = sizeof(pkg.elf);
	return (uint8_t *)&pkg.elf;
}

struct partition_config *tb_cfg(unsigned part)
{
	return &cfgs[part];
}

void tb_turn(unsigned part)
{
	struct cpu *save = host_this_cpu, *c = parts[part].vcpus[0].cpu;

	host_this_cpu = c;
	vcpu_run_once(c);
	host_this_cpu = save;
}

void tb_start(unsigned part)
{
	struct vcpu *v = &parts[part].vcpus[0];

	partition_start(&parts[part]);
	for (int i = 0; i < 4 && (v->requests & VREQ_START); i++)
		tb_turn(part);
	cr_assert_eq(v->requests & VREQ_START, 0, "p%u never took its start", part);
}
