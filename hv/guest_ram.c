/* Partition RAM present on first touch (guest_ram.h). */
#include "guest_ram.h"

#include <string.h>

#include "partition.h"
#include "port.h"

#define WORD_BITS 64

size_t guest_ram_bitmap_words(uint64_t size)
{
	uint64_t chunks = (size + GUEST_RAM_CHUNK - 1) / GUEST_RAM_CHUNK;

	return (chunks + WORD_BITS - 1) / WORD_BITS;
}

void guest_ram_init(struct partition *p, uint64_t *bitmap)
{
	memset(bitmap, 0, guest_ram_bitmap_words(p->ram_size) * sizeof(*bitmap));
	p->ram_present = bitmap;
}

static bool present(const struct partition *p, uint64_t chunk)
{
	/* Acquire: a chunk seen present is seen zeroed. */
	return __atomic_load_n(&p->ram_present[chunk / WORD_BITS], __ATOMIC_ACQUIRE) &
	       (1UL << (chunk % WORD_BITS));
}

static uint64_t chunk_len(const struct partition *p, uint64_t off)
{
	return p->ram_size - off < GUEST_RAM_CHUNK ? p->ram_size - off : GUEST_RAM_CHUNK;
}

/* Chunk c lies inside the initrd, which every start copies whole before the guest runs
 * (partition_start), and which partition_create makes present: neither that first touch nor a
 * scrub need zero it (an initrd of a few MiB, zeroed and then copied over, at every boot). */
static bool rewritten(const struct partition *p, uint64_t c)
{
	uint64_t off = c * GUEST_RAM_CHUNK, lo = p->initrd_gpa - p->ram_gpa;

	return p->initrd && off >= lo && off + chunk_len(p, off) <= lo + p->initrd_size;
}

/* Chunk c zeroed and mapped, under p->ram_lock. */
static bool populate(struct partition *p, uint64_t c)
{
	uint64_t off = c * GUEST_RAM_CHUNK, len = chunk_len(p, off);

	/* Whatever an earlier boot or the firmware left there is not the guest's to see. */
	if (!rewritten(p, c))
		memset(p->ram + off, 0, len);
	/* The zeros before the mapping: another CPU may walk the table as soon as it is written. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (stage2_map(&p->s2, p->ram_gpa + off, arch_va_to_pa(p->ram + off), len, S2_RWX))
		return false;
	__atomic_fetch_or(&p->ram_present[c / WORD_BITS], 1UL << (c % WORD_BITS), __ATOMIC_RELEASE);
	/* This CPU may hold the page as not mapped (others refetch when they fault on it). */
	arch_stage2_fence(&p->s2, p->ram_gpa + off, len);
	return true;
}

/* Chunks first..last present; false if a table could not be had. */
static bool make_present(struct partition *p, uint64_t first, uint64_t last)
{
	uint64_t c = first;
	bool ok = true;

	while (c <= last && present(p, c))
		c++;
	if (c > last)
		return true;
	spin_lock(&p->ram_lock);
	for (; c <= last && ok; c++)
		if (!present(p, c))
			ok = populate(p, c);
	spin_unlock(&p->ram_lock);
	return ok;
}

void *guest_ram_touch(struct partition *p, uint64_t gpa, uint64_t len)
{
	if (gpa < p->ram_gpa)
		return NULL;
	uint64_t off = gpa - p->ram_gpa;
	if (off > p->ram_size || len > p->ram_size - off)
		return NULL;
	if (len && !make_present(p, off / GUEST_RAM_CHUNK, (off + len - 1) / GUEST_RAM_CHUNK))
		return NULL;
	return p->ram + off;
}

bool guest_ram_fault(struct vcpu *v, uint64_t gpa, uint64_t pc, enum vcpu_exit *e)
{
	struct partition *p = v->part;

	if (gpa < p->ram_gpa || gpa - p->ram_gpa >= p->ram_size)
		return false;
	uint64_t c = (gpa - p->ram_gpa) / GUEST_RAM_CHUNK;
	if (present(p, c)) {
		/* Another CPU made it present; this one may still hold the old miss. */
		arch_stage2_fence(&p->s2, gpa & ~(GUEST_RAM_CHUNK - 1), GUEST_RAM_CHUNK);
		*e = EXIT_RESUME;
	} else if (make_present(p, c, c)) {
		*e = EXIT_RESUME;
	} else {
		*e = vcpu_fault(v, "RAM not mapped: no hv memory for its stage-2 tables", pc, gpa);
	}
	return true;
}

bool guest_ram_scrub(struct partition *p, uint64_t *done, uint64_t budget)
{
	uint64_t zeroed = 0;

	while (*done < p->ram_size && zeroed < budget) {
		uint64_t c = *done / GUEST_RAM_CHUNK, len = chunk_len(p, *done);

		if (present(p, c) && !rewritten(p, c)) {
			memset(p->ram + *done, 0, len);
			zeroed += len;
		}
		*done += len;
	}
	return *done < p->ram_size;
}
