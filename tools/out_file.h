/*
 * Writing a host tool's output file without ever destroying what was there. A regular file (or a
 * new path) is written through a temp file beside it and renamed over it at the end, so a failed
 * run leaves the old file whole; anything else (a device such as /dev/null, a FIFO) is written
 * straight through, since renaming over it would replace the device with a regular file. A
 * symbolic link is followed, so the link survives and its target is what gets replaced. Nothing
 * the tool did not create is ever unlinked.
 */
#ifndef GOHV_TOOLS_OUT_FILE_H
#define GOHV_TOOLS_OUT_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct out_file {
	const char *path; /* as the user gave it, for messages */
	char *target;	  /* what is replaced: path, or where its link points */
	char *tmp;	  /* the temp file beside target; NULL when writing straight through */
	FILE *fp;
};

/* Opens path for writing. Prints "path: why" and returns -1 on error (nothing then to abort). */
int out_open(struct out_file *o, const char *path);
/* Flushes and closes, then renames the temp file over the target. Prints "path: why" and returns
 * -1 on error, having removed the temp file. */
int out_commit(struct out_file *o);
/* Gives up: closes, and removes the temp file if there is one (never the target). */
void out_abort(struct out_file *o);

/* out_open, one write of data, out_commit. */
int out_write_file(const char *path, const void *data, size_t len);

#endif
