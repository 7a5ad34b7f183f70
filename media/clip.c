/* The media store: staged imports (copy + hash, render, commit), paths,
 * removal and verification of the content-addressed files in media/. */
#include "media/clip.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fsutil.h"
#include "common/hash.h"
#include "config/config.h"

#define COPY_BLOCK (1 << 20)

struct clip_import {
	char name[4096]; /* the path as the operator gave it, for messages */
	char media_dir[4200];
	char src_tmp[4300];
	int src_fd;
	int lock_fd; /* media/ itself, flocked shared while this import runs */
	struct fs_tmp pcm;
	int pcm_open;
	char id[CLIP_ID_HEX + 1];
	int64_t bytes;
	struct clip_params params;
	int committed;
};

static int media_path(const struct ap_config *cfg, const char *id, const char *ext, char *buf,
                      size_t cap)
{
	char name[96];
	snprintf(name, sizeof(name), "media/%.64s%s", id, ext);
	if (config_state_path(cfg, name, buf, cap))
		return AP_EUSER;
	return AP_OK;
}

int clip_render_path(const struct ap_config *cfg, const char *id, char *buf, size_t cap)
{
	return media_path(cfg, id, ".pcm", buf, cap);
}

int clip_source_path(const struct ap_config *cfg, const char *id, char *buf, size_t cap)
{
	return media_path(cfg, id, ".src", buf, cap);
}

static int valid_chars(const char *s, size_t min, size_t max, const char *extra)
{
	size_t n = strlen(s);
	if (n < min || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		      strchr(extra, s[i])))
			return 0;
	return 1;
}

int clip_campaign_valid(const char *campaign)
{
	return valid_chars(campaign, 1, 63, "_-");
}

int clip_lang_valid(const char *lang)
{
	return valid_chars(lang, 2, 15, "-") && lang[0] != '-';
}

/* Hash fd from its current offset to the end, copying to out_fd if >= 0. */
static int hash_stream(int fd, int out_fd, const char *name, char hex[CLIP_ID_HEX + 1],
                       int64_t *bytes, struct ap_err *e)
{
	struct sha256 h;
	uint8_t *buf = malloc(COPY_BLOCK);
	if (!buf || sha256_init(&h) != 0) {
		free(buf);
		return ap_err_internal(e, "out of memory");
	}
	int64_t total = 0;
	int rc = AP_OK;
	for (;;) {
		ssize_t n = read(fd, buf, COPY_BLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ap_err_user(e, "%s: read failed: %s", name, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		sha256_update(&h, buf, (size_t)n);
		if (out_fd >= 0 && fs_write_all(out_fd, buf, (size_t)n) < 0) {
			rc = ap_err_internal(e, "%s: copying into the media store failed: %s", name,
			                     strerror(errno));
			break;
		}
		total += n;
	}
	free(buf);
	if (rc) {
		sha256_discard(&h);
		return rc;
	}
	uint8_t d[SHA256_LEN];
	sha256_final(&h, d);
	hex_encode(d, SHA256_LEN, hex);
	if (bytes)
		*bytes = total;
	return AP_OK;
}

int clip_hash_file(const char *path, char hex[CLIP_ID_HEX + 1], int64_t *bytes, struct ap_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ap_err_user(e, "%s: cannot open: %s", path, strerror(errno));
	int rc = hash_stream(fd, -1, path, hex, bytes, e);
	close(fd);
	return rc;
}

/* An import killed midway (Ctrl-C, crash, power cut) leaves its temp files
 * in media/: .import-XXXXXX (the original) and <id>.pcm.tmp.XXXXXX. Every
 * import holds a shared flock on the media/ folder while it runs; whoever
 * gets it exclusively knows no import is running and removes what is left.
 * Then it keeps it shared for its own import. */
static int lock_media(struct clip_import *ci, struct ap_err *e)
{
	ci->lock_fd = open(ci->media_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ci->lock_fd < 0)
		return ap_err_internal(e, "%s: cannot open: %s", ci->media_dir, strerror(errno));
	if (flock(ci->lock_fd, LOCK_EX | LOCK_NB) == 0) {
		DIR *d = opendir(ci->media_dir);
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL)
			if (strncmp(de->d_name, ".import-", 8) == 0 ||
			    strstr(de->d_name, ".pcm.tmp."))
				unlinkat(dirfd(d), de->d_name, 0);
		if (d)
			closedir(d);
	}
	if (flock(ci->lock_fd, LOCK_SH) != 0)
		return ap_err_internal(e, "%s: cannot lock: %s", ci->media_dir, strerror(errno));
	return AP_OK;
}

int clip_import_begin(const struct ap_config *cfg, const char *path, struct clip_import **out,
                      struct ap_err *e)
{
	*out = NULL;
	struct clip_import *ci = calloc(1, sizeof(*ci));
	if (!ci)
		return ap_err_internal(e, "out of memory");
	ci->src_fd = -1;
	ci->lock_fd = -1;
	ci->pcm.fd = -1;
	snprintf(ci->name, sizeof(ci->name), "%s", path);
	clip_params_from_config(cfg, &ci->params);
	if (config_state_path(cfg, "media", ci->media_dir, sizeof(ci->media_dir))) {
		free(ci);
		return ap_err_user(e, "paths.state_dir is too long");
	}
	struct stat sb;
	if (stat(ci->media_dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		free(ci);
		return ap_err_user(e, "%s: no media store here (run 'airproof init' first)",
		                   ci->media_dir);
	}

	int rc = lock_media(ci, e);
	if (rc) {
		clip_import_destroy(ci);
		return rc;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		rc = ap_err_user(e, "%s: cannot open: %s", path, strerror(errno));
		clip_import_destroy(ci);
		return rc;
	}
	if (fstat(fd, &sb) != 0)
		rc = ap_err_user(e, "%s: cannot read: %s", path, strerror(errno));
	else if (S_ISDIR(sb.st_mode))
		rc = ap_err_user(e, "%s: is a folder", path);
	else if (!S_ISREG(sb.st_mode))
		rc = ap_err_user(e, "%s: not a regular file", path);
	else if (sb.st_size == 0)
		rc = ap_err_user(e, "%s: empty file", path);
	if (!rc) {
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		snprintf(ci->src_tmp, sizeof(ci->src_tmp), "%s/.import-XXXXXX", ci->media_dir);
		ci->src_fd = mkostemp(ci->src_tmp, O_CLOEXEC);
		if (ci->src_fd < 0) {
			rc = ap_err_internal(e, "%s: cannot create a file: %s", ci->media_dir,
			                     strerror(errno));
			ci->src_tmp[0] = '\0';
		} else if (fchmod(ci->src_fd, 0640) != 0) {
			rc = ap_err_internal(e, "%s: chmod: %s", ci->src_tmp, strerror(errno));
		}
	}
	if (!rc)
		rc = hash_stream(fd, ci->src_fd, path, ci->id, &ci->bytes, e);
	close(fd);
	if (rc) {
		clip_import_destroy(ci);
		return rc;
	}
	*out = ci;
	return AP_OK;
}

const char *clip_import_id(const struct clip_import *ci)
{
	return ci->id;
}

int clip_import_render(struct clip_import *ci, struct clip_info *info, struct ap_err *e)
{
	char pcm_path[4300];
	memset(info, 0, sizeof(*info));
	snprintf(pcm_path, sizeof(pcm_path), "%s/%s.pcm", ci->media_dir, ci->id);
	int rc = fs_tmp_open(&ci->pcm, pcm_path, 0640, e);
	if (rc)
		return rc;
	ci->pcm_open = 1;
	rc = clip_render(ci->src_tmp, ci->name, &ci->params, ci->pcm.fd, info, e);
	if (rc)
		return rc;
	snprintf(info->id, sizeof(info->id), "%s", ci->id);
	info->source_bytes = ci->bytes;
	return AP_OK;
}

int clip_import_commit(struct clip_import *ci, struct ap_err *e)
{
	char src_path[4300];
	if (!ci->pcm_open)
		return ap_err_internal(e, "%s: commit before render", ci->name);
	snprintf(src_path, sizeof(src_path), "%s/%s.src", ci->media_dir, ci->id);
	if (fsync(ci->src_fd) != 0 || close(ci->src_fd) != 0) {
		ci->src_fd = -1;
		return ap_err_internal(e, "%s: fsync: %s", ci->src_tmp, strerror(errno));
	}
	ci->src_fd = -1;
	int rc = fs_tmp_commit(&ci->pcm, e);
	ci->pcm_open = 0;
	if (rc)
		return rc;
	if (rename(ci->src_tmp, src_path) != 0) {
		rc = ap_err_internal(e, "%s: rename: %s", src_path, strerror(errno));
		unlink(ci->pcm.final_path);
		return rc;
	}
	ci->src_tmp[0] = '\0';
	ci->committed = 1;
	if (fs_fsync_dir(ci->media_dir) != 0)
		return ap_err_internal(e, "%s: fsync: %s", ci->media_dir, strerror(errno));
	return AP_OK;
}

void clip_import_destroy(struct clip_import *ci)
{
	if (!ci)
		return;
	if (ci->src_fd >= 0)
		close(ci->src_fd);
	if (ci->src_tmp[0])
		unlink(ci->src_tmp);
	if (ci->pcm_open)
		fs_tmp_abort(&ci->pcm);
	if (ci->lock_fd >= 0)
		close(ci->lock_fd);
	free(ci);
}

int clip_remove_files(const struct ap_config *cfg, const char *id, struct ap_err *e)
{
	char path[4300], dir[4200];
	int rc = AP_OK;
	for (int i = 0; i < 2; i++) {
		if ((i == 0 ? clip_render_path(cfg, id, path, sizeof(path))
		            : clip_source_path(cfg, id, path, sizeof(path))) != AP_OK)
			return ap_err_user(e, "paths.state_dir is too long");
		if (unlink(path) != 0 && errno != ENOENT && !rc)
			rc = ap_err_internal(e, "%s: cannot remove: %s", path, strerror(errno));
	}
	if (config_state_path(cfg, "media", dir, sizeof(dir)) == 0)
		fs_fsync_dir(dir);
	return rc;
}

static int verify_one(const char *path, const char *what, const char *want, struct ap_err *e)
{
	char got[CLIP_ID_HEX + 1];
	struct ap_err ignored;
	if (access(path, F_OK) != 0)
		return ap_err_user(e, "%s: %s is missing", path, what);
	if (clip_hash_file(path, got, NULL, &ignored) != AP_OK)
		return ap_err_user(e, "%s: %s cannot be read", path, what);
	if (strcmp(got, want) != 0)
		return ap_err_user(e, "%s: %s is damaged (SHA-256 %.12s..., expected %.12s...)",
		                   path, what, got, want);
	return AP_OK;
}

int clip_verify_files(const struct ap_config *cfg, const char *id, const char *render_sha256,
                      struct ap_err *e)
{
	char src[4300], pcm[4300];
	if (clip_source_path(cfg, id, src, sizeof(src)) ||
	    clip_render_path(cfg, id, pcm, sizeof(pcm)))
		return ap_err_user(e, "paths.state_dir is too long");
	int rc = verify_one(src, "original", id, e);
	if (!rc)
		rc = verify_one(pcm, "rendering", render_sha256, e);
	return rc;
}
