/* libgoos: ABI wrappers, console, time, bootargs and secondary vCPU start-up. */
#include "libgoos.h"

_Static_assert(GOOS_EID == LIBGOOS_EID_ASM, "crt0.S's copy of GOOS_EID");
_Static_assert(GOOS_FN_EXIT == LIBGOOS_FN_EXIT_ASM, "crt0.S's copy of GOOS_FN_EXIT");

extern char __goos_stacks[];
extern void goos_secondary_start(void);

/* Written by crt0.S (rdtime, _start's first instruction) once bss is clear. */
volatile uint64_t goos_start_time;

long goos_version(void)
{
	struct goos_ret r = goos_call(GOOS_FN_VERSION, 0, 0, 0, 0);
	return r.error ? r.error : (long)r.value;
}

/* fid GOOS_FN_CONSOLE_WRITE (stream ignored) or GOOS_FN_CONSOLE_WRITE_STREAM. */
static long console_write(unsigned long fid, unsigned long stream, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	unsigned stalls = 0;

	while (done < len) {
		size_t n = len - done < GOOS_MAX_XFER ? len - done : GOOS_MAX_XFER;
		struct goos_ret r = goos_call(fid, (unsigned long)(p + done), n, stream, 0);

		if (r.error)
			return r.error;
		if (r.value > n)
			return GOOS_ERR_FAILED;
		if (r.value == 0) {
			/* The hv's console is backed up: give it a moment rather than spin on it,
			 * but not forever, or a wedged console would wedge the guest. */
			if (++stalls > 1000)
				return GOOS_ERR_FAILED;
			goos_idle(goos_now() + goos_ticks_from_us(100));
			continue;
		}
		stalls = 0;
		done += r.value;
	}
	return (long)done;
}

long goos_console_write(const void *buf, size_t len)
{
	return console_write(GOOS_FN_CONSOLE_WRITE, 0, buf, len);
}

long goos_console_write_stream(unsigned long stream, const void *buf, size_t len)
{
	return console_write(GOOS_FN_CONSOLE_WRITE_STREAM, stream, buf, len);
}

long goos_entropy(void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;

	while (done < len) {
		size_t n = len - done < GOOS_MAX_XFER ? len - done : GOOS_MAX_XFER;
		struct goos_ret r = goos_call(GOOS_FN_ENTROPY, (unsigned long)(p + done), n, 0, 0);

		if (r.error)
			return r.error;
		if (r.value == 0 || r.value > n)
			return GOOS_ERR_FAILED;
		done += r.value;
	}
	return (long)done;
}

long goos_idle(uint64_t deadline)
{
	struct goos_ret r = goos_call(GOOS_FN_IDLE, deadline, 0, 0, 0);
	return r.error ? r.error : (long)r.value;
}

void goos_exit(long code)
{
	goos_call(GOOS_FN_EXIT, (unsigned long)code, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}

/* What each secondary vCPU runs, read by goos_secondary_entry: the ABI passes only one argument
 * through, and that one belongs to the caller. */
static goos_vcpu_fn vcpu_fns[LIBGOOS_MAX_VCPUS];

long goos_vcpu_start(unsigned vcpu, goos_vcpu_fn fn, void *stack_top, void *arg)
{
	goos_vcpu_fn old = NULL;

	if (!fn)
		return GOOS_ERR_INVALID_PARAM;
	/* Out-of-range ids still go to the hv, which owns the answer to what is valid. */
	if (vcpu < LIBGOOS_MAX_VCPUS) {
		old = vcpu_fns[vcpu];
		vcpu_fns[vcpu] = fn;
		if (!stack_top)
			stack_top = __goos_stacks + (vcpu + 1) * (size_t)LIBGOOS_STACK_SIZE;
	}
	__sync_synchronize();
	struct goos_ret r = goos_call(GOOS_FN_VCPU_START, vcpu, (unsigned long)goos_secondary_start,
				      (unsigned long)stack_top, (unsigned long)arg);
	/* A refused start must not change what an already running (or starting) vCPU runs. */
	if (r.error && vcpu < LIBGOOS_MAX_VCPUS)
		vcpu_fns[vcpu] = old;
	return r.error;
}

void goos_secondary_entry(unsigned long vcpu, void *arg)
{
	goos_trap_init();
	goos_vcpu_fn fn = vcpu < LIBGOOS_MAX_VCPUS ? vcpu_fns[vcpu] : NULL;

	if (fn)
		fn((unsigned)vcpu, arg);
	/* Stop this vCPU so that it can be started again; if the hv does not do HSM hart_stop, park
	 * it asleep instead. */
	goos_sbi_call(SBI_EID_HSM, 1, 0, 0, 0, 0, 0, 0);
	for (;;)
		goos_idle(GOOS_NO_DEADLINE);
}

long goos_wake(unsigned vcpu)
{
	return goos_call(GOOS_FN_WAKE, vcpu, 0, 0, 0).error;
}

long goos_set_timer(uint64_t deadline)
{
	return goos_call(GOOS_FN_SET_TIMER, deadline, 0, 0, 0).error;
}

long goos_vcpu_id(void)
{
	struct goos_ret r = goos_call(GOOS_FN_VCPU_ID, 0, 0, 0, 0);
	return r.error ? r.error : (long)r.value;
}

long goos_watchdog_pet(void)
{
	return goos_call(GOOS_FN_WATCHDOG_PET, 0, 0, 0, 0).error;
}

/* ---------------------------------------------------------------- console */

int vprintf(const char *fmt, va_list ap)
{
	/* One write per call: the hv tags output per line, and a line written in pieces could be
	 * interleaved with another vCPU's. */
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return n;
	size_t len = (size_t)n;
	if (len >= sizeof(buf)) {
		len = sizeof(buf) - 1;
		/* Keep the line ending so that what follows starts a line of its own. */
		size_t fl = strlen(fmt);
		if (fl && fmt[fl - 1] == '\n')
			buf[len - 1] = '\n';
	}
	long w = goos_console_write(buf, len);
	return w < 0 ? (int)w : n;
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	char buf[512];
	size_t n = strlen(s);

	if (n < sizeof(buf)) {
		memcpy(buf, s, n);
		buf[n++] = '\n';
		return goos_console_write(buf, n) < 0 ? -1 : (int)n;
	}
	if (goos_console_write(s, n) < 0 || goos_console_write("\n", 1) < 0)
		return -1;
	return (int)n + 1;
}

void goos_hex(char *out, const void *buf, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = buf;

	for (size_t i = 0; i < len; i++) {
		*out++ = digits[p[i] >> 4];
		*out++ = digits[p[i] & 15];
	}
	*out = '\0';
}

/* ---------------------------------------------------------------- time */

uint64_t goos_ticks_from_ms(uint64_t ms)
{
	return ms * goos_timebase() / 1000;
}

uint64_t goos_ticks_from_us(uint64_t us)
{
	return us * goos_timebase() / 1000000;
}

uint64_t goos_ticks_to_us(uint64_t ticks)
{
	uint64_t tb = goos_timebase();
	return ticks / tb * 1000000 + ticks % tb * 1000000 / tb;
}

void goos_sleep_until(uint64_t deadline)
{
	/* Idle returns early for wakes and interrupts; only the clock says when we are done. */
	while (goos_now() < deadline) {
		if (goos_idle(deadline) < 0) {
			while (goos_now() < deadline)
				;
		}
	}
}

void goos_sleep_ticks(uint64_t ticks)
{
	goos_sleep_until(goos_now() + ticks);
}

void goos_sleep_ms(uint64_t ms)
{
	goos_sleep_ticks(goos_ticks_from_ms(ms));
}

/* ---------------------------------------------------------------- bootargs */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

const char *goos_bootarg(const char *key)
{
	const char *s = goos_bootargs();
	size_t klen = strlen(key);

	while (*s) {
		while (is_space(*s))
			s++;
		const char *w = s;
		while (*s && !is_space(*s))
			s++;
		size_t wlen = (size_t)(s - w);
		if (klen == 0 || wlen < klen || strncmp(w, key, klen))
			continue;
		if (wlen == klen)
			return w + klen;
		if (w[klen] == '=')
			return w + klen + 1;
	}
	return NULL;
}

int goos_bootarg_copy(const char *key, char *buf, size_t size)
{
	const char *v = goos_bootarg(key);
	size_t n = 0;

	if (!v)
		return -1;
	while (v[n] && !is_space(v[n]))
		n++;
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;
		memcpy(buf, v, c);
		buf[c] = '\0';
	}
	return (int)n;
}

/* A whole word in decimal or 0x-hex: anything else is malformed. */
static bool parse_ulong(const char *s, unsigned long *out)
{
	unsigned base = 10;
	unsigned long v = 0;
	bool any = false;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	for (; *s && !is_space(*s); s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (d >= base)
			return false;
		v = v * base + d;
		any = true;
	}
	*out = v;
	return any;
}

unsigned long goos_bootarg_ulong(const char *key, unsigned long def)
{
	const char *v = goos_bootarg(key);
	unsigned long n;

	return v && parse_ulong(v, &n) ? n : def;
}

long goos_bootarg_long(const char *key, long def)
{
	const char *v = goos_bootarg(key);
	unsigned long n;

	if (!v)
		return def;
	if (*v == '-')
		return parse_ulong(v + 1, &n) ? -(long)n : def;
	return parse_ulong(v, &n) ? (long)n : def;
}
