/* The hv's global state and the few services everything uses. */
#include "hv.h"

#include <fmt.h>
#include <string.h>

struct hv hv;

void hv_panic(const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	console_hv_printf(&hv.console, CONSOLE_PANIC "%s", msg);
	arch_system_off(true);
}

void hv_entropy(void *buf, size_t len)
{
	spin_lock(&hv.rng_lock);
	if (drbg_generate(&hv.root_rng, buf, len) != 0) {
		spin_unlock(&hv.rng_lock);
		hv_panic("entropy requested before the root DRBG was seeded");
	}
	spin_unlock(&hv.rng_lock);
}
