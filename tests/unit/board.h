/*
 * A board built on the host port the way hv_main builds one: a package holding one tiny image,
 * an arena of RAM behind the hv's page allocator, the partitions of hv.config created in order,
 * then its channels. Each partition is p<i>: one vCPU on CPU i (tb_setup's ncpus of them, all
 * able to run guests), 2 MiB of RAM, restart never. The console is captured in tb_out.
 */
#ifndef GOHV_TEST_BOARD_H
#define GOHV_TEST_BOARD_H

#include <stddef.h>
#include <stdint.h>

#include "hv/hv.h"

#define TB_MAX_PARTS 6
#define TB_RAM	     CONFIG_MEM_ALIGN

extern char tb_out[16384];

/* A fresh hv with nparts partition configs (not yet created) and no channels. */
void tb_setup(unsigned nparts);
void tb_teardown(void);
/* Adds a channel config (2 queues of 8) between partitions driver and device; returns its id. */
unsigned tb_channel(const char *name, unsigned driver, unsigned device, uint64_t address,
		    uint64_t size);
/* Creates every partition (refused ones stay refused), then the channels, as hv_main does. */
void tb_create(void);
/* partition_start, then turns of its CPU until vCPU 0 has taken its start (VREQ_START). */
void tb_start(unsigned part);
/* One turn of partition part's vCPU 0's CPU, played on that CPU. */
void tb_turn(unsigned part);
/* The partition, and its config (to change before tb_create). */
struct partition *tb_part(unsigned part);
struct partition_config *tb_cfg(unsigned part);
/* The package's one image (an ELF with one PT_LOAD of 16 bytes and 4 KiB of memory), to corrupt
 * before tb_create; its size in *size. */
uint8_t *tb_image(size_t *size);
/* The package also holds "tb.initrd" (a partition's config may name it): TB_INITRD_SIZE bytes,
 * byte i tb_initrd_byte(i), never zero; whole RAM chunks and a short last one. */
#define TB_INITRD_SIZE (3 * 65536 + 1003)
uint8_t *tb_initrd(void);
static inline uint8_t tb_initrd_byte(size_t i)
{
	return (uint8_t)(i * 13 + 7) | 1;
}

#endif
