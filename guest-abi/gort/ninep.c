/*
 * A 9P2000.L client (ninep.h) over a virtio-9p device (virtio 1.2 section 5.11: one request
 * queue, the mount tag in the configuration space). Each request is one chain: the request in one
 * page the device reads, the reply in NINEP_RX_PAGES pages it writes. One request is in flight
 * at a time (vmmio_call waits for it), so one tag is enough.
 *
 * Messages (9P2000 and the .L additions, as Linux's net/9p and QEMU's hw/9pfs speak them):
 * size[4] type[1] tag[2] then the body, little-endian; a string is len[2] then its bytes.
 */
#include <stdbool.h>
#include <string.h>

#include "gort.h"
#include "linux.h"
#include "mm.h"
#include "ninep.h"

#define T_LERROR   7
#define T_STATFS   8
#define T_LCREATE  14
#define T_SYMLINK  16
#define T_SETATTR  26
#define T_FSYNC	   50
#define T_LINK	   70
#define T_MKDIR	   72
#define T_RENAMEAT 74
#define T_UNLINKAT 76
#define T_WRITE	   118
#define T_GETATTR  24
#define T_READLINK 22
#define T_READDIR  40
#define T_LOPEN	   12
#define T_VERSION  100
#define T_ATTACH   104
#define T_WALK	   110
#define T_READ	   116
#define T_CLUNK	   120

#define HDR	      7 /* size, type, tag */
#define NOTAG	      0xffff
#define NOFID	      0xffffffffu
#define MAXWELEM      16
#define GETATTR_BASIC 0x7ffULL
#define NAME_MAX_9P   255
#define VIRTIO_ID_9P  9
#define VIRTIO_9P_TAG 0 /* feature bit: the configuration space has the mount tag */

/* ---------------------------------------------------------------- building a request */

struct msg {
	struct ninep *s;
	size_t len;
	bool over; /* it does not fit the request page */
};

static void put(struct msg *m, const void *p, size_t n)
{
	if (m->len + n > PAGE_SIZE) {
		m->over = true;
		return;
	}
	memcpy(m->s->tx + m->len, p, n);
	m->len += n;
}

static void put8(struct msg *m, uint8_t v)
{
	put(m, &v, 1);
}

static void put16(struct msg *m, uint16_t v)
{
	put(m, &v, 2);
}

static void put32(struct msg *m, uint32_t v)
{
	put(m, &v, 4);
}

static void put64(struct msg *m, uint64_t v)
{
	put(m, &v, 8);
}

static void put_str(struct msg *m, const char *s, size_t n)
{
	put16(m, (uint16_t)n);
	put(m, s, n);
}

static struct msg begin(struct ninep *s, uint8_t type)
{
	struct msg m = {.s = s};
	put32(&m, 0);
	put8(&m, type);
	put16(&m, type == T_VERSION ? NOTAG : 1);
	return m;
}

/* ---------------------------------------------------------------- reading the reply */

struct reply {
	struct ninep *s;
	size_t off; /* the next byte to take */
	bool bad;   /* a field past the reply's end */
};

static void get(struct reply *r, void *p, size_t n)
{
	if (r->off + n > r->s->rx_len) {
		r->bad = true;
		memset(p, 0, n);
		return;
	}
	uint8_t *to = p;
	while (n) {
		size_t pg = r->off / PAGE_SIZE, in = r->off % PAGE_SIZE;
		size_t k = n < PAGE_SIZE - in ? n : PAGE_SIZE - in;
		memcpy(to, r->s->rx[pg] + in, k);
		to += k, r->off += k, n -= k;
	}
}

static uint8_t get8(struct reply *r)
{
	uint8_t v;
	get(r, &v, 1);
	return v;
}

static uint16_t get16(struct reply *r)
{
	uint16_t v;
	get(r, &v, 2);
	return v;
}

static uint32_t get32(struct reply *r)
{
	uint32_t v;
	get(r, &v, 4);
	return v;
}

static uint64_t get64(struct reply *r)
{
	uint64_t v;
	get(r, &v, 8);
	return v;
}

static size_t min_u(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* The reply of a chain vmmio_call ran (got: its result) to a request of type: 0 with r at its
 * body, or -errno (the server's Rlerror, -EIO for one that does not parse). */
static int reply_of(struct ninep *s, long got, uint8_t type, struct reply *r)
{
	if (got < 0)
		return (int)got;
	s->rx_len = (uint32_t)got;
	*r = (struct reply){.s = s};
	uint32_t size = get32(r);
	uint8_t rtype = get8(r);
	get16(r);
	if (r->bad || size > s->rx_len)
		return -EIO;
	s->rx_len = size;
	if (rtype == T_LERROR) {
		uint32_t e = get32(r);
		return r->bad || e == 0 || e > 4095 ? -EIO : -(int)e;
	}
	return rtype == type + 1 ? 0 : -EIO;
}

/* Sends m and checks the reply is type + 1: 0 with r at its body, or -errno. */
static int call(struct msg *m, struct reply *r)
{
	struct ninep *s = m->s;
	uint8_t type = s->tx[4];
	if (m->over)
		return -ENAMETOOLONG;
	memcpy(s->tx, &(uint32_t){(uint32_t)m->len}, 4);
	struct virtq_desc *d = s->dev.desc;
	d[0] = (struct virtq_desc){(uintptr_t)s->tx, (uint32_t)m->len, 0, 0};
	unsigned pages = (s->msize + PAGE_SIZE - 1) / PAGE_SIZE;
	for (unsigned i = 0; i < pages; i++)
		d[1 + i] =
		    (struct virtq_desc){(uintptr_t)s->rx[i], PAGE_SIZE, VIRTQ_DESC_F_WRITE, 0};
	return reply_of(s, vmmio_call(&s->dev, 1 + pages), type, r);
}

/* ---------------------------------------------------------------- fids */

long ninep_fid(struct ninep *s)
{
	for (unsigned w = 0; w < NINEP_FIDS / 32; w++)
		if (s->fid_used[w] != ~0u) {
			unsigned b = 0;
			while (s->fid_used[w] >> b & 1)
				b++;
			s->fid_used[w] |= 1u << b;
			return w * 32 + b;
		}
	return -EMFILE;
}

static void fid_free(struct ninep *s, uint32_t fid)
{
	if (fid < NINEP_FIDS && fid != NINEP_ROOT_FID)
		s->fid_used[fid / 32] &= ~(1u << fid % 32);
}

void ninep_clunk(struct ninep *s, uint32_t fid)
{
	struct msg m = begin(s, T_CLUNK);
	struct reply r;
	put32(&m, fid);
	call(&m, &r); /* the fid is gone whatever the reply (9P: "even if the clunk fails") */
	fid_free(s, fid);
}

static int handshake(struct ninep *s)
{
	struct msg m = begin(s, T_VERSION);
	struct reply r;
	put32(&m, s->msize);
	put_str(&m, "9P2000.L", 8);
	int e = call(&m, &r);
	char ver[16] = "";
	uint32_t msize = e ? 0 : get32(&r);
	uint16_t vlen = e ? 0 : get16(&r);
	if (!e && vlen < sizeof(ver))
		get(&r, ver, vlen);
	if (e || r.bad || strcmp(ver, "9P2000.L") || msize < 4096 || msize > s->msize) {
		gort_printf("gort: device %s (%s): the server does not speak 9P2000.L (error %d): "
			    "its files are not reachable\n",
			    s->dev.name, s->tag, e);
		return e ? e : -EIO;
	}
	s->msize = msize;
	m = begin(s, T_ATTACH);
	put32(&m, NINEP_ROOT_FID);
	put32(&m, NOFID);
	put_str(&m, "root", 4);
	put_str(&m, "", 0);
	put32(&m, 0);
	e = call(&m, &r);
	if (e) {
		gort_printf("gort: device %s (%s): attach refused (error %d): its files are not "
			    "reachable\n",
			    s->dev.name, s->tag, e);
		return e;
	}
	return 0;
}

/* The session's handshake (version, attach), done by the first request rather than at boot: a
 * program that never looks into a share pays no round trips to the host for it. Its result is
 * kept, so a refusal is said once and every request after it fails the same way. */
static int session(struct ninep *s)
{
	if (!s->state)
		s->state = handshake(s) ? -EIO : 1;
	return s->state < 0 ? s->state : 0;
}

/* ---------------------------------------------------------------- requests */

int ninep_walk(struct ninep *s, uint32_t fid, uint32_t newfid, unsigned n, const char *const *names,
	       const uint16_t *lens)
{
	int se = session(s);
	if (se)
		return se;
	unsigned done = 0;
	do {
		unsigned k = n - done < MAXWELEM ? n - done : MAXWELEM;
		struct msg m = begin(s, T_WALK);
		struct reply r;
		put32(&m, done ? newfid : fid);
		put32(&m, newfid);
		put16(&m, (uint16_t)k);
		for (unsigned i = 0; i < k; i++)
			put_str(&m, names[done + i], lens[done + i]);
		int e = call(&m, &r);
		/* Fewer qids than names: the walk stopped at a name that is not there. */
		if (!e && get16(&r) != k)
			e = -ENOENT;
		if (e) {
			if (done)
				ninep_clunk(s, newfid);
			else
				fid_free(s, newfid);
			return e;
		}
		done += k;
	} while (done < n);
	return 0;
}

int ninep_lopen(struct ninep *s, uint32_t fid, uint32_t flags)
{
	int se = session(s);
	if (se)
		return se;
	struct msg m = begin(s, T_LOPEN);
	struct reply r;
	put32(&m, fid);
	put32(&m, flags);
	return call(&m, &r);
}

int ninep_getattr(struct ninep *s, uint32_t fid, struct ninep_attr *a)
{
	int se = session(s);
	if (se)
		return se;
	struct msg m = begin(s, T_GETATTR);
	struct reply r;
	put32(&m, fid);
	put64(&m, GETATTR_BASIC);
	int e = call(&m, &r);
	if (e)
		return e;
	uint8_t qid[13];
	get64(&r); /* valid */
	get(&r, qid, sizeof(qid));
	a->mode = get32(&r);
	a->uid = get32(&r);
	a->gid = get32(&r);
	get64(&r); /* nlink: gort's tree counts its own */
	get64(&r); /* rdev */
	a->size = get64(&r);
	get64(&r); /* blksize */
	get64(&r); /* blocks */
	a->atime_sec = (int64_t)get64(&r);
	a->atime_nsec = (int64_t)get64(&r);
	a->mtime_sec = (int64_t)get64(&r);
	a->mtime_nsec = (int64_t)get64(&r);
	a->ctime_sec = (int64_t)get64(&r);
	a->ctime_nsec = (int64_t)get64(&r);
	return r.bad ? -EIO : 0;
}

long ninep_read(struct ninep *s, uint32_t fid, uint64_t off, size_t n,
		long (*out)(void *ctx, uint64_t at, const void *p, size_t len), void *ctx)
{
	int se = session(s);
	if (se)
		return se;
	size_t done = 0, most = s->msize - (HDR + 4);
	while (done < n) {
		struct msg m = begin(s, T_READ);
		struct reply r;
		size_t want = n - done < most ? n - done : most;
		put32(&m, fid);
		put64(&m, off + done);
		put32(&m, (uint32_t)want);
		int e = call(&m, &r);
		if (e)
			return done ? (long)done : e;
		uint32_t got = get32(&r);
		if (r.bad || got > want || r.off + got > s->rx_len)
			return done ? (long)done : -EIO;
		/* The data straight from the reply's pages, a piece per page. */
		for (size_t at = 0; at < got;) {
			size_t o = r.off + at, in = o % PAGE_SIZE;
			size_t k = got - at < PAGE_SIZE - in ? got - at : PAGE_SIZE - in;
			long rc = out(ctx, done + at, s->rx[o / PAGE_SIZE] + in, k);
			if (rc)
				return rc;
			at += k;
		}
		done += got;
		if (got < want)
			break; /* end of file */
	}
	return (long)done;
}

int ninep_readdir(struct ninep *s, uint32_t fid,
		  void (*fn)(void *ctx, const char *name, size_t len, unsigned type), void *ctx)
{
	int se = session(s);
	if (se)
		return se;
	uint64_t cookie = 0;
	char name[NAME_MAX_9P + 1];
	for (;;) {
		struct msg m = begin(s, T_READDIR);
		struct reply r;
		put32(&m, fid);
		put64(&m, cookie);
		put32(&m, s->msize - (HDR + 4));
		int e = call(&m, &r);
		if (e)
			return e;
		uint32_t count = get32(&r);
		size_t end = r.off + count;
		if (r.bad || end > s->rx_len)
			return -EIO;
		if (count == 0)
			return 0;
		while (r.off < end) {
			uint8_t qid[13];
			get(&r, qid, sizeof(qid));
			cookie = get64(&r);
			unsigned type = get8(&r);
			uint16_t len = get16(&r);
			if (r.bad || len > NAME_MAX_9P || r.off + len > end)
				return -EIO;
			get(&r, name, len);
			fn(ctx, name, len, type);
		}
	}
}

long ninep_readlink(struct ninep *s, uint32_t fid, char *buf, size_t size)
{
	int se = session(s);
	if (se)
		return se;
	struct msg m = begin(s, T_READLINK);
	struct reply r;
	put32(&m, fid);
	int e = call(&m, &r);
	if (e)
		return e;
	uint16_t len = get16(&r);
	if (r.bad)
		return -EIO;
	if ((size_t)len + 1 > size)
		return -ENAMETOOLONG;
	get(&r, buf, len);
	buf[len] = 0;
	return r.bad ? -EIO : (long)len;
}

/* ---------------------------------------------------------------- requests that change files */

/* Sends m, which has no body to read back: 0 or -errno. (The session is made before a request
 * is built: its handshake uses the request page too.) */
static int call_plain(struct msg *m)
{
	struct reply r;
	return call(m, &r);
}

int ninep_lcreate(struct ninep *s, uint32_t dfid, const char *name, size_t len, uint32_t flags,
		  uint32_t mode)
{
	int se = session(s);
	if (se)
		return se;
	struct msg m = begin(s, T_LCREATE);
	put32(&m, dfid);
	put_str(&m, name, len);
	put32(&m, flags);
	put32(&m, mode);
	put32(&m, 0); /* gid: the program is root */
	return call_plain(&m);
}

/* The write's request is its header in the request page, then the bytes in wdata's pages, so a
 * write carries as much as a read does (msize) rather than what is left of one page. */
long ninep_write(struct ninep *s, uint32_t fid, uint64_t off, size_t n,
		 long (*in)(void *ctx, uint64_t at, void *p, size_t len), void *ctx)
{
	int se = session(s);
	if (se)
		return se;
	enum { WHDR = HDR + 4 + 8 + 4 };
	unsigned pages = (s->msize - WHDR) / PAGE_SIZE;
	for (unsigned i = 0; i < pages; i++)
		if (!s->wdata[i] && !(s->wdata[i] = mm_kernel_page()))
			return -ENOMEM;
	size_t done = 0, most = (size_t)pages * PAGE_SIZE;
	while (done < n) {
		size_t want = n - done < most ? n - done : most;
		unsigned k = (unsigned)((want + PAGE_SIZE - 1) / PAGE_SIZE);
		for (unsigned i = 0; i < k; i++) {
			size_t at = (size_t)i * PAGE_SIZE, len = min_u(want - at, PAGE_SIZE);
			long rc = in(ctx, done + at, s->wdata[i], len);
			if (rc)
				return done ? (long)done : rc;
		}
		struct msg m = begin(s, T_WRITE);
		struct reply r;
		put32(&m, fid);
		put64(&m, off + done);
		put32(&m, (uint32_t)want);
		memcpy(s->tx, &(uint32_t){(uint32_t)(m.len + want)}, 4);
		struct virtq_desc *d = s->dev.desc;
		d[0] = (struct virtq_desc){(uintptr_t)s->tx, (uint32_t)m.len, 0, 0};
		for (unsigned i = 0; i < k; i++)
			d[1 + i] = (struct virtq_desc){
			    (uintptr_t)s->wdata[i],
			    (uint32_t)min_u(want - (size_t)i * PAGE_SIZE, PAGE_SIZE), 0, 0};
		d[1 + k] =
		    (struct virtq_desc){(uintptr_t)s->rx[0], PAGE_SIZE, VIRTQ_DESC_F_WRITE, 0};
		int e = reply_of(s, vmmio_call(&s->dev, 2 + k), T_WRITE, &r);
		uint32_t got = e ? 0 : get32(&r);
		if (!e && (r.bad || got > want))
			e = -EIO;
		if (e)
			return done ? (long)done : e;
		done += got;
		if (got < want)
			break; /* the host's disk is full, or the file at its limit */
	}
	return (long)done;
}

int ninep_setattr(struct ninep *s, uint32_t fid, const struct ninep_setattr *a)
{
	int se = session(s);
	if (se)
		return se;
	struct msg m = begin(s, T_SETATTR);
	put32(&m, fid);
	put32(&m, a->valid);
	put32(&m, a->mode);
	put32(&m, 0); /* uid, gid: not changed (not in valid) */
	put32(&m, 0);
	put64(&m, a->size);
	put64(&m, (uint64_t)a->atime_sec);
	put64(&m, (uint64_t)a->atime_nsec);
	put64(&m, (uint64_t)a->mtime_sec);
	put64(&m, (uint64_t)a->mtime_nsec);
	return call_plain(&m);
}

int ninep_fsync(struct ninep *s, uint32_t fid)
{
	int se = session(s);
	if (se)
		return se;
	struct msg m = begin(s, T_FSYNC);
	put32(&m, fid);
	put32(&m, 0); /* data and metadata */
	return call_plain(&m);
}

int ninep_mkdir(struct ninep *s, uint32_t dfid, const char *name, size_t len, uint32_t mode)
{
	int se = session(s);
	if (se)
		return se;
	struct msg m = begin(s, T_MKDIR);
	put32(&m, dfid);
	put_str(&m, name, len);
	put32(&m, mode);
	put32(&m, 0);
	return call_plain(&m);
}

int ninep_unlinkat(struct ninep *s, uint32_t dfid, const char *name, size_t len, uint32_t flags)
{
	int se = session(s);
	if (se)
		return se;
	struct msg m = begin(s, T_UNLINKAT);
	put32(&m, dfid);
	put_str(&m, name, len);
	put32(&m, flags); /* 9P2000.L's AT_REMOVEDIR is Linux's 0x200 */
	return call_plain(&m);
}

int ninep_renameat(struct ninep *s, uint32_t odfid, const char *oname, size_t olen, uint32_t ndfid,
		   const char *nname, size_t nlen)
{
	int se = session(s);
	if (se)
		return se;
	struct msg m = begin(s, T_RENAMEAT);
	put32(&m, odfid);
	put_str(&m, oname, olen);
	put32(&m, ndfid);
	put_str(&m, nname, nlen);
	return call_plain(&m);
}

int ninep_symlink(struct ninep *s, uint32_t dfid, const char *name, size_t len, const char *target,
		  size_t tlen)
{
	int se = session(s);
	if (se)
		return se;
	struct msg m = begin(s, T_SYMLINK);
	if (tlen > UINT16_MAX)
		return -ENAMETOOLONG;
	put32(&m, dfid);
	put_str(&m, name, len);
	put_str(&m, target, tlen);
	put32(&m, 0);
	return call_plain(&m);
}

int ninep_link(struct ninep *s, uint32_t dfid, uint32_t fid, const char *name, size_t len)
{
	int se = session(s);
	if (se)
		return se;
	struct msg m = begin(s, T_LINK);
	put32(&m, dfid);
	put32(&m, fid);
	put_str(&m, name, len);
	return call_plain(&m);
}

int ninep_statfs(struct ninep *s, uint32_t fid, struct ninep_statfs *st)
{
	int se = session(s);
	if (se)
		return se;
	struct msg m = begin(s, T_STATFS);
	struct reply r;
	put32(&m, fid);
	int e = call(&m, &r);
	if (e)
		return e;
	st->type = get32(&r);
	st->bsize = get32(&r);
	st->blocks = get64(&r);
	st->bfree = get64(&r);
	st->bavail = get64(&r);
	st->files = get64(&r);
	st->ffree = get64(&r);
	st->fsid = get64(&r);
	st->namelen = get32(&r);
	return r.bad ? -EIO : 0;
}

int ninep_start(struct ninep *s, volatile uint8_t *regs, const char *name)
{
	memset(s, 0, sizeof(*s));
	if (vmmio_start(&s->dev, regs, name, 1u << VIRTIO_9P_TAG))
		return -EIO;
	unsigned tlen = vmmio_config8(&s->dev, 0) | vmmio_config8(&s->dev, 1) << 8;
	if (tlen == 0 || tlen >= sizeof(s->tag)) {
		gort_printf("gort: device %s: a mount tag of %u bytes: left out\n", name, tlen);
		return -EIO;
	}
	for (unsigned i = 0; i < tlen; i++)
		s->tag[i] = (char)vmmio_config8(&s->dev, 2 + i);
	s->tx = mm_kernel_page();
	for (unsigned i = 0; i < NINEP_RX_PAGES; i++)
		s->rx[i] = mm_kernel_page();
	if (!s->tx || !s->rx[NINEP_RX_PAGES - 1]) {
		gort_printf("gort: device %s: no memory for its buffers: left out\n", name);
		return -ENOMEM;
	}
	s->msize = NINEP_RX_PAGES * PAGE_SIZE;
	s->fid_used[0] = 1; /* the root's */
	return 0;
}
