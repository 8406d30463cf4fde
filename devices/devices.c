#include "devices.h"

#include <string.h>

#include "hv/config.h"

static const struct console_dev_ops *const consoles[] = {&uart16550_ops};
static const struct intc_dev_ops *const intcs[] = {&plic_ops};
static const struct rtc_dev_ops *const rtcs[] = {&goldfish_rtc_ops};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool matches(const char *const *compatible, const char *compat, int len)
{
	for (; *compatible; compatible++)
		if (dt_list_has(compat, len, *compatible))
			return true;
	return false;
}

const struct console_dev_ops *console_dev_match(const char *compat, int len)
{
	for (unsigned i = 0; i < N(consoles); i++)
		if (matches(consoles[i]->compatible, compat, len))
			return consoles[i];
	return NULL;
}

const struct intc_dev_ops *intc_dev_match(const char *compat, int len)
{
	for (unsigned i = 0; i < N(intcs); i++)
		if (matches(intcs[i]->compatible, compat, len))
			return intcs[i];
	return NULL;
}

const struct rtc_dev_ops *rtc_dev_match(const char *compat, int len)
{
	for (unsigned i = 0; i < N(rtcs); i++)
		if (matches(rtcs[i]->compatible, compat, len))
			return rtcs[i];
	return NULL;
}

bool devices_passthru_match(const char *compat, int len)
{
	return dt_list_has(compat, len, CONFIG_DEVICE_VIRTIO);
}
