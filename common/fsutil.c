/* Temp-fsync-rename file writes and small file helpers. */
#include "common/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int fs_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

static void dir_of(const char *path, char *out, size_t cap)
{
	char copy[4096];
	snprintf(copy, sizeof(copy), "%s", path);
	snprintf(out, cap, "%s", dirname(copy));
}

int fs_tmp_open(struct fs_tmp *t, const char *final_path, mode_t mode, struct ap_err *e)
{
	t->fd = -1;
	if (snprintf(t->final_path, sizeof(t->final_path), "%s", final_path) >=
	        (int)sizeof(t->final_path) ||
	    snprintf(t->tmp_path, sizeof(t->tmp_path), "%s.tmp.XXXXXX", final_path) >=
	        (int)sizeof(t->tmp_path))
		return ap_err_user(e, "%s: path too long", final_path);
	t->fd = mkostemp(t->tmp_path, O_CLOEXEC);
	if (t->fd < 0)
		return ap_err_internal(e, "%s: cannot create: %s", t->tmp_path, strerror(errno));
	if (fchmod(t->fd, mode) < 0) {
		int saved = errno;
		fs_tmp_abort(t);
		return ap_err_internal(e, "%s: chmod: %s", final_path, strerror(saved));
	}
	return AP_OK;
}

int fs_tmp_write(struct fs_tmp *t, const void *buf, size_t len, struct ap_err *e)
{
	if (fs_write_all(t->fd, buf, len) < 0)
		return ap_err_internal(e, "%s: write: %s", t->final_path, strerror(errno));
	return AP_OK;
}

int fs_tmp_commit(struct fs_tmp *t, struct ap_err *e)
{
	char dir[4096];

	if (fsync(t->fd) < 0 || close(t->fd) < 0) {
		int saved = errno;
		t->fd = -1;
		fs_tmp_abort(t);
		return ap_err_internal(e, "%s: fsync: %s", t->final_path, strerror(saved));
	}
	t->fd = -1;
	if (rename(t->tmp_path, t->final_path) < 0) {
		int saved = errno;
		fs_tmp_abort(t);
		return ap_err_internal(e, "%s: rename: %s", t->final_path, strerror(saved));
	}
	t->tmp_path[0] = '\0';
	dir_of(t->final_path, dir, sizeof(dir));
	if (fs_fsync_dir(dir) < 0)
		return ap_err_internal(e, "%s: fsync: %s", dir, strerror(errno));
	return AP_OK;
}

void fs_tmp_abort(struct fs_tmp *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	if (t->tmp_path[0])
		unlink(t->tmp_path);
	t->tmp_path[0] = '\0';
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode, struct ap_err *e)
{
	struct fs_tmp t;
	int rc = fs_tmp_open(&t, path, mode, e);
	if (rc)
		return rc;
	rc = fs_tmp_write(&t, data, len, e);
	if (rc) {
		fs_tmp_abort(&t);
		return rc;
	}
	return fs_tmp_commit(&t, e);
}

int fs_read_file(const char *path, size_t max, char **out, size_t *len, struct ap_err *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return ap_err_user(e, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ap_err_user(e, "%s: not a regular file", path);
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return ap_err_user(e, "%s: larger than %zu bytes", path, max);
	}
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return ap_err_internal(e, "out of memory");
	}
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return AP_OK;
}

int fs_mkdirs(const char *path, mode_t mode, struct ap_err *e)
{
	char buf[4096];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return ap_err_user(e, "%s: bad folder name", path);
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return ap_err_user(e, "%s: cannot create folder: %s", buf,
				                   strerror(errno));
			*p = saved;
			if (!saved)
				break;
		}
	}
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return ap_err_user(e, "%s: not a folder", path);
	return AP_OK;
}
