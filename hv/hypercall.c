/* The goos ABI v3, call by call as guest-abi/README.md documents it. Every guest address is
 * checked against the calling partition's RAM before the hv touches it. */
#include "hypercall.h"

#include <goos.h>

#include "hv.h"
#include "watchdog.h"

long goos_err(enum hv_err e)
{
	static const long codes[] = {
	    [HV_OK] = GOOS_OK,
	    [HV_ERR_FAILED] = GOOS_ERR_FAILED,
	    [HV_ERR_NOT_SUPPORTED] = GOOS_ERR_NOT_SUPPORTED,
	    [HV_ERR_INVALID_PARAM] = GOOS_ERR_INVALID_PARAM,
	    [HV_ERR_INVALID_ADDR] = GOOS_ERR_INVALID_ADDR,
	    [HV_ERR_DENIED] = GOOS_ERR_DENIED,
	    [HV_ERR_ALREADY_STARTED] = GOOS_ERR_ALREADY_STARTED,
	    [HV_ERR_PEER_DOWN] = GOOS_ERR_PEER_DOWN,
	};

	return (unsigned)e < sizeof(codes) / sizeof(codes[0]) ? codes[e] : GOOS_ERR_FAILED;
}

enum hv_err guest_console_write(struct vcpu *v, enum console_stream stream, unsigned long gpa,
				unsigned long len, unsigned long *written)
{
	/* The whole buffer is checked, then cut: a call must not pass for naming only its first
	 * GOOS_MAX_XFER bytes right. */
	const char *buf = guest_ram_touch(v->part, gpa, len);
	if (!buf)
		return HV_ERR_INVALID_ADDR;
	if (len > GOOS_MAX_XFER)
		len = GOOS_MAX_XFER;
	partition_console_write(v->part, stream, buf, len);
	*written = len;
	return HV_OK;
}

static enum hv_err entropy(struct vcpu *v, unsigned long gpa, unsigned long len,
			   unsigned long *done)
{
	struct partition *p = v->part;

	/* Checked whole, then cut, as the console's. */
	void *buf = guest_ram_touch(p, gpa, len);
	if (!buf)
		return HV_ERR_INVALID_ADDR;
	if (len > GOOS_MAX_XFER)
		len = GOOS_MAX_XFER;
	spin_lock(&p->lock);
	int err = drbg_generate(&p->rng, buf, len);
	spin_unlock(&p->lock);
	if (err)
		return HV_ERR_FAILED;
	*done = len;
	return HV_OK;
}

/* A goos start: (vcpu, entry, stack, arg). */
static enum hv_err start(struct vcpu *v, const unsigned long *a)
{
	struct vcpu *t = vcpu_sibling(v, a[0]);

	if (!t)
		return HV_ERR_INVALID_PARAM;
	if (!guest_ram_touch(v->part, a[1], 4))
		return HV_ERR_INVALID_ADDR;
	struct vcpu_boot b = {.entry = a[1], .stack = a[2], .arg = a[3]};
	return vcpu_start(t, &b);
}

/* The idle call returns at once when an event is already there; otherwise the run loop blocks
 * the vCPU and writes the events as the call's value when they come. */
static enum vcpu_exit idle(struct vcpu *v, uint64_t deadline, unsigned long *ev)
{
	enum vcpu_exit e = vcpu_wait(v, WAIT_IDLE, deadline);

	*ev = vcpu_wait_events(v);
	if (!*ev) {
		/* The run loop need not look again before it sleeps: anything from now on posts a
		 * request or is due by the wake time it arms. */
		v->wait_checked = true;
		return e;
	}
	*ev = vcpu_wait_end(v, *ev);
	return EXIT_RESUME;
}

struct hypercall_ret goos_hypercall(struct vcpu *v, unsigned long fid, const unsigned long *a,
				    enum vcpu_exit *next)
{
	enum hv_err err = HV_OK;
	enum vcpu_exit e = EXIT_RESUME;
	unsigned long value = 0;
	struct vcpu *t;

	switch (fid) {
	case GOOS_FN_VERSION:
		value = GOOS_ABI_VERSION;
		break;
	case GOOS_FN_CONSOLE_WRITE:
		err = guest_console_write(v, CONSOLE_STDOUT, a[0], a[1], &value);
		break;
	case GOOS_FN_CONSOLE_WRITE_STREAM:
		if (a[2] == GOOS_STREAM_STDOUT || a[2] == GOOS_STREAM_STDERR)
			err = guest_console_write(
			    v, a[2] == GOOS_STREAM_STDERR ? CONSOLE_STDERR : CONSOLE_STDOUT, a[0],
			    a[1], &value);
		else
			err = HV_ERR_INVALID_PARAM;
		break;
	case GOOS_FN_ENTROPY:
		err = entropy(v, a[0], a[1], &value);
		break;
	case GOOS_FN_IDLE:
		e = idle(v, a[0], &value);
		break;
	case GOOS_FN_EXIT:
		/* As on Linux, only the low 8 bits of an exit status survive. */
		e = partition_exit(v, (int)(a[0] & 0xff), (a[0] & 0xff) != 0);
		break;
	case GOOS_FN_VCPU_START:
		err = start(v, a);
		break;
	case GOOS_FN_WAKE:
		t = vcpu_sibling(v, a[0]);
		if (!t)
			err = HV_ERR_INVALID_PARAM;
		else
			vcpu_wake(t);
		break;
	case GOOS_FN_SET_TIMER:
		arch_vcpu_set_timer(v, a[0]);
		break;
	case GOOS_FN_VCPU_ID:
		value = v->id;
		break;
	case GOOS_FN_WATCHDOG_PET:
		err = watchdog_pet(v->part);
		break;
	case GOOS_FN_CHAN_NOTIFY:
		err = channel_notify(v->part, a[0]);
		break;
	case GOOS_FN_CHAN_PENDING:
		value = channel_take(v->part);
		break;
	default:
		err = HV_ERR_NOT_SUPPORTED;
	}
	*next = e;
	return (struct hypercall_ret){goos_err(err), value};
}
