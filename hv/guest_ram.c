/* Partition RAM present on first touch (guest_ram.h). */
#include "guest_ram.h"

#include <fmt.h>
#include <string.h>

#include "package.h"
#include "partition.h"
#include "port.h"

#define WORD_BITS 64

/* Words of one bitmap: a bit per chunk. */
static size_t map_words(uint64_t size)
{
	uint64_t chunks = (size + GUEST_RAM_CHUNK - 1) / GUEST_RAM_CHUNK;

	return (chunks + WORD_BITS - 1) / WORD_BITS;
}

size_t guest_ram_bitmap_words(uint64_t size)
{
	return 2 * map_words(size);
}

void guest_ram_init(struct partition *p, uint64_t *bitmap)
{
	memset(bitmap, 0, guest_ram_bitmap_words(p->ram_size) * sizeof(*bitmap));
	p->ram_present = bitmap;
	p->ram_shared = bitmap + map_words(p->ram_size);
}

static bool bit(const uint64_t *map, uint64_t chunk)
{
	/* Acquire: a chunk seen present is seen zeroed (or filled) and mapped. */
	return __atomic_load_n(&map[chunk / WORD_BITS], __ATOMIC_ACQUIRE) &
	       (1UL << (chunk % WORD_BITS));
}

/* The chunk is the partition's own: its bytes at p->ram, mapped writable. */
static bool present(const struct partition *p, uint64_t chunk)
{
	return bit(p->ram_present, chunk);
}

/* The chunk is mapped read-only from the package (an initrd's, never also present). */
static bool shared(const struct partition *p, uint64_t chunk)
{
	return bit(p->ram_shared, chunk);
}

/* What an access needs of chunk c is mapped already. */
static bool mapped(const struct partition *p, uint64_t c, bool write)
{
	return present(p, c) || (!write && shared(p, c));
}

static uint64_t chunk_len(const struct partition *p, uint64_t off)
{
	return p->ram_size - off < GUEST_RAM_CHUNK ? p->ram_size - off : GUEST_RAM_CHUNK;
}

/* Chunk c holds the initrd's chunk *k (the initrd starts on a chunk: gohv_pkg_initrd_gpa). */
static bool initrd_chunk(const struct partition *p, uint64_t c, uint64_t *k)
{
	uint64_t first = (p->initrd_gpa - p->ram_gpa) / GUEST_RAM_CHUNK;

	*k = c - first;
	return p->initrd && c >= first && *k < gohv_pkg_chunks(p->initrd_size);
}

/* Chunk c lies inside the initrd: every start writes it whole (partition_start copies the ones
 * the partition has its own copy of) or it is the package's, so neither a first touch nor a scrub
 * need zero it. */
static bool rewritten(const struct partition *p, uint64_t c)
{
	uint64_t k;

	return initrd_chunk(p, c, &k) && gohv_pkg_chunk_len(p->initrd_size, k) == GUEST_RAM_CHUNK;
}

static void set_bit(uint64_t *map, uint64_t c)
{
	__atomic_fetch_or(&map[c / WORD_BITS], 1UL << (c % WORD_BITS), __ATOMIC_RELEASE);
}

/* Makes chunk c the partition's own copy of initrd chunk k: its bytes, zeros after a short last
 * chunk. A chunk is checked the first time any partition uses it, its sum taken as it copies. */
static bool own_initrd_chunk(struct partition *p, uint64_t c, uint64_t k)
{
	uint64_t off = c * GUEST_RAM_CHUNK, n = gohv_pkg_chunk_len(p->initrd_size, k);
	const uint8_t *src = p->initrd + k * GUEST_RAM_CHUNK;

	memset(p->ram + off + n, 0, chunk_len(p, off) - n);
	if (package_chunk_known(p->initrd_checked, src)) {
		memcpy(p->ram + off, src, n);
		return true;
	}
	if (gohv_pkg_sum_copy(p->ram + off, src, n) != p->initrd_sums[k])
		return false;
	package_chunk_mark(p->initrd_checked, src);
	return true;
}

/* Chunk c zeroed (or filled from the initrd) and mapped, under p->ram_lock. A whole chunk of the
 * initrd that is only read is mapped read-only from the package itself: nothing is copied, and
 * partitions with the same initrd share its pages. */
static enum guest_ram_err populate(struct partition *p, uint64_t c, bool write)
{
	uint64_t off = c * GUEST_RAM_CHUNK, len = chunk_len(p, off), k,
		 hpa = arch_va_to_pa(p->ram + off);
	unsigned perm = S2_RWX;

	if (!initrd_chunk(p, c, &k)) {
		/* Whatever an earlier boot or the firmware left there is not the guest's to see. */
		memset(p->ram + off, 0, len);
	} else if (write || gohv_pkg_chunk_len(p->initrd_size, k) < GUEST_RAM_CHUNK) {
		/* A short last chunk is copied: the package's page after it holds other entries. */
		if (!own_initrd_chunk(p, c, k))
			return GUEST_RAM_CORRUPT;
	} else {
		const uint8_t *src = p->initrd + k * GUEST_RAM_CHUNK;

		if (!package_chunk_intact(p->initrd_checked, src, len, p->initrd_sums[k]))
			return GUEST_RAM_CORRUPT;
		hpa = arch_va_to_pa((void *)src);
		perm = S2_READ | S2_EXEC;
	}
	/* The bytes before the mapping: another CPU may walk the table as soon as it is written. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (stage2_map(&p->s2, p->ram_gpa + off, hpa, len, perm))
		return GUEST_RAM_NO_TABLE;
	set_bit(perm & S2_WRITE ? p->ram_present : p->ram_shared, c);
	/* This CPU may hold the page as not mapped (others refetch when they fault on it). */
	arch_stage2_fence(&p->s2, p->ram_gpa + off, len);
	return GUEST_RAM_OK;
}

/* Chunk c, mapped read-only from the package, becomes the partition's own copy, which is
 * writable: under p->ram_lock. No CPU may go on reading the package's page once the guest writes
 * its copy, so every CPU the partition runs on is fenced before the writer resumes. */
static enum guest_ram_err unshare(struct partition *p, uint64_t c)
{
	uint64_t off = c * GUEST_RAM_CHUNK, gpa = p->ram_gpa + off, k;

	(void)initrd_chunk(p, c, &k);
	/* Checked when it was mapped; the package does not change. */
	memcpy(p->ram + off, p->initrd + k * GUEST_RAM_CHUNK, GUEST_RAM_CHUNK);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (stage2_unmap(&p->s2, gpa, GUEST_RAM_CHUNK) ||
	    stage2_map(&p->s2, gpa, arch_va_to_pa(p->ram + off), GUEST_RAM_CHUNK, S2_RWX))
		hv_panic("partition %s: remapping its RAM at 0x%lx failed", p->cfg->name,
			 (unsigned long)gpa);
	set_bit(p->ram_present, c);
	__atomic_fetch_and(&p->ram_shared[c / WORD_BITS], ~(1UL << (c % WORD_BITS)),
			   __ATOMIC_RELEASE);
	for (unsigned i = 0; i < p->nvcpus; i++) {
		const struct cpu *cpu = p->vcpus[i].cpu;
		unsigned j = 0;

		while (j < i && p->vcpus[j].cpu != cpu)
			j++;
		if (j == i)
			arch_stage2_fence_cpu(&p->s2, gpa, GUEST_RAM_CHUNK, cpu);
	}
	return GUEST_RAM_OK;
}

/* Chunks first..last mapped as the access needs: for write, each the partition's own. */
static enum guest_ram_err make_present(struct partition *p, uint64_t first, uint64_t last,
				       bool write)
{
	uint64_t c = first;
	enum guest_ram_err r = GUEST_RAM_OK;

	while (c <= last && mapped(p, c, write))
		c++;
	if (c > last)
		return GUEST_RAM_OK;
	spin_lock(&p->ram_lock);
	for (; c <= last && r == GUEST_RAM_OK; c++)
		if (shared(p, c) && write)
			r = unshare(p, c);
		else if (!mapped(p, c, write))
			r = populate(p, c, write);
	spin_unlock(&p->ram_lock);
	return r;
}

void *guest_ram_touch(struct partition *p, uint64_t gpa, uint64_t len)
{
	if (gpa < p->ram_gpa)
		return NULL;
	uint64_t off = gpa - p->ram_gpa;
	if (off > p->ram_size || len > p->ram_size - off)
		return NULL;
	/* The hv may write what it touches: it gets the partition's own copy. */
	if (len && make_present(p, off / GUEST_RAM_CHUNK, (off + len - 1) / GUEST_RAM_CHUNK, true))
		return NULL;
	return p->ram + off;
}

/* Out of line: its buffer would otherwise be in the frame of every fault, a device's too. */
static __attribute__((noinline)) enum vcpu_exit corrupt_fault(struct vcpu *v, uint64_t pc,
							      uint64_t gpa)
{
	char what[CONFIG_IMAGE_MAX + 48];

	snprintf(what, sizeof(what), "initrd %s is corrupt (checksum mismatch)",
		 v->part->cfg->initrd);
	return vcpu_fault(v, what, pc, gpa);
}

bool guest_ram_fault(struct vcpu *v, uint64_t gpa, uint64_t pc, bool write, enum vcpu_exit *e)
{
	struct partition *p = v->part;

	if (gpa < p->ram_gpa || gpa - p->ram_gpa >= p->ram_size)
		return false;
	uint64_t c = (gpa - p->ram_gpa) / GUEST_RAM_CHUNK;
	if (mapped(p, c, write)) {
		/* Another CPU made it present; this one may still hold the old miss. */
		arch_stage2_fence(&p->s2, gpa & ~(GUEST_RAM_CHUNK - 1), GUEST_RAM_CHUNK);
		*e = EXIT_RESUME;
		return true;
	}
	switch (make_present(p, c, c, write)) {
	case GUEST_RAM_OK:
		*e = EXIT_RESUME;
		break;
	case GUEST_RAM_CORRUPT:
		*e = corrupt_fault(v, pc, gpa);
		break;
	case GUEST_RAM_NO_TABLE:
		*e = vcpu_fault(v, "RAM not mapped: no hv memory for its stage-2 tables", pc, gpa);
		break;
	}
	return true;
}

void guest_ram_reload_initrd(struct partition *p)
{
	uint64_t first = (p->initrd_gpa - p->ram_gpa) / GUEST_RAM_CHUNK;

	for (uint64_t k = 0; p->initrd && k < gohv_pkg_chunks(p->initrd_size); k++)
		if (present(p, first + k))
			memcpy(p->ram + (first + k) * GUEST_RAM_CHUNK,
			       p->initrd + k * GUEST_RAM_CHUNK,
			       gohv_pkg_chunk_len(p->initrd_size, k));
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
