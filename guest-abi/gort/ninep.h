/* A 9P2000.L client (the protocol Linux's v9fs speaks to QEMU's virtio-9p device): one session
 * per device, one request in flight, over vmmio. Results are 0 or a byte count, or -errno: the
 * server's own (Rlerror carries Linux's numbers), -EIO for a transport failure or a reply that
 * does not parse, -EMFILE when the session's fids are used up. */
#ifndef GORT_NINEP_H
#define GORT_NINEP_H

#include <stddef.h>
#include <stdint.h>

#include "vmmio.h"

#define NINEP_RX_PAGES 16   /* the reply buffer: msize is at most 64 KiB */
#define NINEP_FIDS     4096 /* fids of a session at once */
#define NINEP_ROOT_FID 0    /* the attached root; never clunked */

struct ninep {
	struct vmmio dev;
	char tag[64]; /* the device's mount_tag */
	uint8_t *tx;  /* one page: the request */
	uint8_t *rx[NINEP_RX_PAGES];
	uint8_t *wdata[NINEP_RX_PAGES]; /* a write's bytes, a chain of pages: made by the first */
	uint32_t msize;			/* agreed with the server */
	uint32_t rx_len;		/* bytes of the last reply */
	uint32_t fid_used[NINEP_FIDS / 32];
	int state; /* 0: no request yet; 1: version and attach done; -errno: refused */
};

struct ninep_attr {
	uint32_t mode, uid, gid;
	uint64_t size;
	int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec, ctime_sec, ctime_nsec;
};

/* Starts the device (virtio id 9) at regs and reads its tag: 0 or -errno, having said why in one
 * line. The first request negotiates 9P2000.L and attaches the root as NINEP_ROOT_FID (a refusal
 * said in one line, then -EIO for it and every request after). */
int ninep_start(struct ninep *s, volatile uint8_t *regs, const char *name);
/* A free fid (-EMFILE), given back by ninep_clunk. */
long ninep_fid(struct ninep *s);
/* newfid (from ninep_fid) = fid walked through names[0..n) (lens: their lengths); n may be 0 (a
 * copy of fid). On an error newfid is free again. */
int ninep_walk(struct ninep *s, uint32_t fid, uint32_t newfid, unsigned n, const char *const *names,
	       const uint16_t *lens);
int ninep_lopen(struct ninep *s, uint32_t fid, uint32_t flags);
int ninep_getattr(struct ninep *s, uint32_t fid, struct ninep_attr *a);
/* Up to n bytes at off of the opened fid, handed to out in pieces (at: the piece's offset from
 * off); out's nonzero result stops the read and is returned. The bytes read otherwise. */
long ninep_read(struct ninep *s, uint32_t fid, uint64_t off, size_t n,
		long (*out)(void *ctx, uint64_t at, const void *p, size_t len), void *ctx);
/* The entries of the opened folder fid, each to fn (name not NUL-terminated, type a DT_*). */
int ninep_readdir(struct ninep *s, uint32_t fid,
		  void (*fn)(void *ctx, const char *name, size_t len, unsigned type), void *ctx);
/* The link's target, NUL-terminated, into buf: its length or -errno (-ENAMETOOLONG). */
long ninep_readlink(struct ninep *s, uint32_t fid, char *buf, size_t size);
void ninep_clunk(struct ninep *s, uint32_t fid);

/* The requests that change the host's files (a read-write share). A name is one component
 * (len bytes, no '/'); the server resolves it beneath the folder fid dfid without following
 * links. */

/* dfid (a walked folder) becomes the new file name, created (O_CREAT and flags: O_ACCMODE,
 * O_EXCL, O_TRUNC, O_APPEND) with mode exactly (no umask on the server side) and opened. */
int ninep_lcreate(struct ninep *s, uint32_t dfid, const char *name, size_t len, uint32_t flags,
		  uint32_t mode);
/* n bytes at off through the opened fid, taken from in in pieces (at: from off; in's nonzero
 * result stops the write), sent in requests of up to msize: the bytes written, or -errno if
 * none were. */
long ninep_write(struct ninep *s, uint32_t fid, uint64_t off, size_t n,
		 long (*in)(void *ctx, uint64_t at, void *p, size_t len), void *ctx);

#define NINEP_SET_MODE	    0x1u
#define NINEP_SET_SIZE	    0x8u
#define NINEP_SET_ATIME	    0x10u /* to now, or with ATIME_SET to atime_* */
#define NINEP_SET_MTIME	    0x20u
#define NINEP_SET_CTIME	    0x40u
#define NINEP_SET_ATIME_SET 0x80u
#define NINEP_SET_MTIME_SET 0x100u

struct ninep_setattr {
	uint32_t valid; /* NINEP_SET_*: what to change */
	uint32_t mode;
	uint64_t size;
	int64_t atime_sec, atime_nsec, mtime_sec, mtime_nsec;
};

struct ninep_statfs {
	uint32_t type, bsize, namelen;
	uint64_t blocks, bfree, bavail, files, ffree, fsid;
};

int ninep_setattr(struct ninep *s, uint32_t fid, const struct ninep_setattr *a);
int ninep_fsync(struct ninep *s, uint32_t fid);
int ninep_mkdir(struct ninep *s, uint32_t dfid, const char *name, size_t len, uint32_t mode);
/* flags: 0 or AT_REMOVEDIR. */
int ninep_unlinkat(struct ninep *s, uint32_t dfid, const char *name, size_t len, uint32_t flags);
int ninep_renameat(struct ninep *s, uint32_t odfid, const char *oname, size_t olen, uint32_t ndfid,
		   const char *nname, size_t nlen);
int ninep_symlink(struct ninep *s, uint32_t dfid, const char *name, size_t len, const char *target,
		  size_t tlen);
/* A new name in dfid for the file fid is walked to. */
int ninep_link(struct ninep *s, uint32_t dfid, uint32_t fid, const char *name, size_t len);
int ninep_statfs(struct ninep *s, uint32_t fid, struct ninep_statfs *st);

#endif
