/* Durable file writes: every file airproof keeps is written to a temporary
 * name in the same folder, fsynced, renamed into place, and the folder is
 * fsynced, so a power cut leaves either the old file or the new one. */
#ifndef AP_FSUTIL_H
#define AP_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

#include "common/err.h"

/* A file being written. Open with fs_tmp_open, write to fd, then exactly one
 * of fs_tmp_commit or fs_tmp_abort. */
struct fs_tmp {
	int fd;
	char tmp_path[4096];
	char final_path[4096];
};

int fs_tmp_open(struct fs_tmp *t, const char *final_path, mode_t mode, struct ap_err *e);
/* Write all of buf, retrying short writes. */
int fs_tmp_write(struct fs_tmp *t, const void *buf, size_t len, struct ap_err *e);
/* fsync, rename over final_path, fsync the folder. Closes fd. */
int fs_tmp_commit(struct fs_tmp *t, struct ap_err *e);
/* Close and unlink the temp file; safe to call twice. */
void fs_tmp_abort(struct fs_tmp *t);

/* Whole-file atomic write. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct ap_err *e);
/* Read a whole regular file of at most max bytes. *out is malloc'd and NUL
 * terminated (not counted in *len); the caller frees it. */
int fs_read_file(const char *path, size_t max, char **out, size_t *len, struct ap_err *e);
/* mkdir -p with mode for the folders it creates. */
int fs_mkdirs(const char *path, mode_t mode, struct ap_err *e);
int fs_fsync_dir(const char *dir);
/* Write all of buf to fd, retrying short writes and EINTR; 0 or -1/errno. */
int fs_write_all(int fd, const void *buf, size_t len);

#endif
