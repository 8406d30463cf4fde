/* The board config parser and validator (hv/config.c) on any blob: it must refuse with one line
 * or hand back a config every later stage may trust. */
#include <libfdt.h>
#include <stdlib.h>

#include "fuzz.h"
#include "fuzz_hv.h"
#include "hv/chan_layout.h"

/* One readable line: not empty, terminated, no line break unless a name brought it. */
static void check_error_line(const struct config_error *e)
{
	size_t len = strnlen(e->msg, sizeof(e->msg));

	FUZZ_CHECK(len > 0 && len < sizeof(e->msg), "error line of %zu bytes", len);
	for (size_t i = 0; i < len; i++)
		FUZZ_CHECK((unsigned char)e->msg[i] >= 0x20 && e->msg[i] != 0x7f,
			   "control byte 0x%02x in \"%s\"", (unsigned char)e->msg[i], e->msg);
}

static void check_config(const struct board_config *b)
{
	uint64_t mem = CONFIG_HV_RESERVE;

	FUZZ_CHECK(b->ncpus >= 1 && b->ncpus <= CONFIG_MAX_CPUS, "board cpus %u", b->ncpus);
	FUZZ_CHECK(b->npartitions >= 1, "no partitions");
	FUZZ_CHECK(b->time_slice_us >= CONFIG_SLICE_US_MIN &&
		       b->time_slice_us <= CONFIG_SLICE_US_MAX,
		   "time slice %u", b->time_slice_us);
	for (unsigned i = 0; i < b->npartitions; i++) {
		const struct partition_config *p = &b->partitions[i];

		FUZZ_CHECK(strnlen(p->name, sizeof(p->name)) < sizeof(p->name) && p->name[0],
			   "partition %u: name", i);
		FUZZ_CHECK(strnlen(p->image, sizeof(p->image)) < sizeof(p->image) && p->image[0],
			   "%s: image", p->name);
		FUZZ_CHECK(strnlen(p->initrd, sizeof(p->initrd)) < sizeof(p->initrd), "%s: initrd",
			   p->name);
		FUZZ_CHECK(strnlen(p->bootargs, sizeof(p->bootargs)) < sizeof(p->bootargs),
			   "%s: bootargs", p->name);
		FUZZ_CHECK(p->ncpus >= 1 && p->ncpus <= CONFIG_MAX_VCPUS, "%s: %u vcpus", p->name,
			   p->ncpus);
		for (unsigned c = 0; c < p->ncpus; c++)
			FUZZ_CHECK(p->cpus[c] < b->ncpus, "%s: cpu %u", p->name, p->cpus[c]);
		FUZZ_CHECK(p->memory_size && p->memory_size % CONFIG_MEM_ALIGN == 0,
			   "%s: memory 0x%lx", p->name, (unsigned long)p->memory_size);
		FUZZ_CHECK(p->weight >= 1 && p->weight <= CONFIG_WEIGHT_MAX, "%s: weight %u",
			   p->name, p->weight);
		FUZZ_CHECK(p->shared || p->weight == 1, "%s: exclusive with weight %u", p->name,
			   p->weight);
		FUZZ_CHECK((unsigned)p->restart <= RESTART_ALWAYS, "%s: restart %d", p->name,
			   p->restart);
		FUZZ_CHECK(p->memory_size <= b->memory_size - mem, "%s: memory beyond the board's",
			   p->name);
		mem += p->memory_size;
	}
	FUZZ_CHECK(b->nchannels <= CONFIG_MAX_CHANNELS, "%u channels", b->nchannels);
	for (unsigned i = 0; i < b->nchannels; i++) {
		const struct channel_config *c = &b->channels[i];
		struct chan_layout l;

		FUZZ_CHECK(c->end[CHAN_DRIVER] < b->npartitions &&
			       c->end[CHAN_DEVICE] < b->npartitions &&
			       c->end[CHAN_DRIVER] != c->end[CHAN_DEVICE],
			   "%s: ends %u, %u", c->name, c->end[0], c->end[1]);
		FUZZ_CHECK(c->address % CONFIG_CHAN_PAGE == 0 && c->size % CONFIG_CHAN_PAGE == 0 &&
			       c->size <= CONFIG_CHAN_SIZE_MAX && c->address >= CHAN_AREA_BASE &&
			       c->address + c->size <= CHAN_AREA_BASE + CHAN_AREA_SIZE,
			   "%s: window 0x%lx+0x%lx", c->name, (unsigned long)c->address,
			   (unsigned long)c->size);
		FUZZ_CHECK(c->queues >= 1 && c->queues <= CONFIG_CHAN_MAX_QUEUES && c->queue_size &&
			       c->queue_size <= CONFIG_CHAN_MAX_QSIZE &&
			       !(c->queue_size & (c->queue_size - 1)),
			   "%s: %u queues of %u", c->name, c->queues, c->queue_size);
		chan_layout(c->queues, c->queue_size, &l);
		FUZZ_CHECK(l.pool < c->size, "%s: no buffer pool", c->name);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(c->address >= b->channels[j].address + b->channels[j].size ||
				       b->channels[j].address >= c->address + c->size,
				   "%s overlaps %s", c->name, b->channels[j].name);
		FUZZ_CHECK(c->size <= b->memory_size - mem, "%s: memory beyond the board's",
			   c->name);
		mem += c->size;
	}
	FUZZ_CHECK(b->ndevices <= CONFIG_MAX_DEVICES, "%u devices", b->ndevices);
	for (unsigned i = 0; i < b->ndevices; i++) {
		const struct device_config *d = &b->devices[i];

		FUZZ_CHECK(strnlen(d->name, sizeof(d->name)) < sizeof(d->name) && d->name[0],
			   "device %u: name", i);
		FUZZ_CHECK(d->owner < b->npartitions, "%s: owner %u", d->name, d->owner);
		FUZZ_CHECK(d->virtio_id >= 1 && d->virtio_id <= CONFIG_VIRTIO_ID_MAX, "%s: id %u",
			   d->name, d->virtio_id);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(d->name, b->devices[j].name), "%s twice", d->name);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_allocs a = {.n = 0};
	struct board_config b;
	struct config_error e;

	memset(&e, 0, sizeof(e));
	if (config_parse(data, size, fuzz_config_alloc, &a, &b, &e))
		check_error_line(&e);
	else
		check_config(&b);
	fuzz_allocs_free(&a);
	return 0;
}
