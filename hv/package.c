/* The package header's checks: the package is the only input the hv did not build itself. */
#include "package.h"

#include <fmt.h>

int package_check(const struct gohv_pkg_header *h, uint64_t room, char *err, size_t errlen)
{
	struct gohv_pkg_header copy;

	if (room < sizeof(*h)) {
		snprintf(err, errlen, "no room for a package header after the hv image at %p", h);
		return -1;
	}
	if (h->magic != GOHV_PKG_MAGIC) {
		snprintf(err, errlen,
			 "no package after the hv image at %p (was it packed with gohv-pack?)", h);
		return -1;
	}
	if (h->version != GOHV_PKG_VERSION) {
		snprintf(err, errlen, "package version %u, this hv reads %u", h->version,
			 GOHV_PKG_VERSION);
		return -1;
	}
	copy = *h;
	copy.header_checksum = 0;
	if (gohv_fnv1a32(&copy, sizeof(copy)) != h->header_checksum) {
		snprintf(err, errlen, "package header is corrupt (checksum mismatch)");
		return -1;
	}
	if (h->size > room || h->nimages > GOHV_PKG_MAX_IMAGES || h->config_offset > h->size ||
	    h->config_size > h->size - h->config_offset) {
		snprintf(err, errlen, "package header describes data outside the package");
		return -1;
	}
	return 0;
}
