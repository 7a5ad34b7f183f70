/* airproof clip add: import files (or the audio files of a folder) into the
 * clip library. Each file is its own all-or-nothing import: files are made
 * durable first, then the row is inserted in one transaction; if that fails
 * the files are removed again. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/cmd_clip.h"
#include "common/text.h"
#include "common/aptime.h"
#include "media/clip.h"

const char clip_add_usage[] =
    "usage: airproof clip add FILE|FOLDER... --campaign C [--title T] [--lang vi]\n"
    "                         [--from DATE] [--until DATE]\n"
    "\n"
    "Imports audio files (WAV, FLAC, Ogg Vorbis, Opus, MP3, AIFF): decodes each whole\n"
    "file, measures its loudness (EBU R128), renders it at the station's rate with the\n"
    "gain to audio.target_lufs, and stores original and rendering. A FOLDER imports\n"
    "the audio files in it (not its sub-folders). Symbolic links are followed.\n"
    "The title defaults to the file name without its extension. C is the campaign\n"
    "(lowercase letters, digits, '_' and '-', e.g. cchc). DATE is YYYY-MM-DD or\n"
    "dd/mm/yyyy, local time, inclusive. A file already in the library is left as is.\n";

struct add_opts {
	const char *title, *campaign, *lang;
	char from[11], until[11];
};

struct file_list {
	char **v;
	size_t n, cap;
};

static int list_push(struct file_list *l, const char *path, struct ap_err *e)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		char **p = realloc(l->v, ncap * sizeof(*p));
		if (!p)
			return ap_err_internal(e, "out of memory");
		l->v = p;
		l->cap = ncap;
	}
	if (!(l->v[l->n] = strdup(path)))
		return ap_err_internal(e, "out of memory");
	l->n++;
	return AP_OK;
}

static void list_free(struct file_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

static int is_audio_name(const char *name)
{
	static const char *const exts[] = { ".wav",  ".wave", ".flac", ".ogg",  ".oga",
		                            ".opus", ".mp3",  ".aif",  ".aiff", ".aifc" };
	const char *dot = strrchr(name, '.');
	if (!dot || name[0] == '.')
		return 0;
	for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++)
		if (!strcasecmp(dot, exts[i]))
			return 1;
	return 0;
}

/* A folder contributes its audio files, sorted by name; anything else is
 * passed on as given (the importer refuses what it cannot use). */
static int expand(const char *arg, struct file_list *l, struct ap_err *e)
{
	struct stat sb;
	if (stat(arg, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return list_push(l, arg, e);
	struct dirent **names;
	int n = scandir(arg, &names, NULL, alphasort);
	if (n < 0)
		return ap_err_user(e, "%s: cannot read folder: %s", arg, strerror(errno));
	size_t before = l->n;
	int rc = AP_OK;
	for (int i = 0; i < n; i++) {
		char path[4096];
		if (!rc && is_audio_name(names[i]->d_name) &&
		    snprintf(path, sizeof(path), "%s/%s", arg, names[i]->d_name) <
		        (int)sizeof(path) &&
		    stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
			rc = list_push(l, path, e);
		free(names[i]);
	}
	free(names);
	if (!rc && l->n == before)
		rc = ap_err_user(e, "%s: no audio files in this folder", arg);
	return rc;
}

/* The file name without its extension, as valid UTF-8 (a name written by
 * another system's encoding gets U+FFFD for the bytes it cannot show). */
static void default_title(const char *path, char *out, size_t cap)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	utf8_copy(out, cap, base);
	char *dot = strrchr(out, '.');
	if (dot && dot != out)
		*dot = '\0';
}

/* Import one file. *status: "imported", "restored" or "exists". */
static int add_one(struct cli *c, struct store *st, const char *path, const struct add_opts *o,
                   struct store_clip *row, const char **status)
{
	struct clip_import *ci = NULL;
	struct clip_info info;
	int64_t removed_ms = 0;
	int rc = clip_import_begin(&c->cfg, path, &ci, &c->err);
	if (rc)
		return rc;
	int exists = store_clip_exists(st, clip_import_id(ci), &removed_ms, &c->err);
	if (exists < 0) {
		clip_import_destroy(ci);
		return exists;
	}
	if (exists && removed_ms == 0) {
		rc = store_clip_get(st, clip_import_id(ci), row, &c->err);
		clip_import_destroy(ci);
		*status = "exists";
		return rc;
	}
	if ((rc = clip_import_render(ci, &info, &c->err)) ||
	    (rc = clip_import_commit(ci, &c->err))) {
		clip_import_destroy(ci);
		return rc;
	}
	clip_import_destroy(ci);

	memset(row, 0, sizeof(*row));
	snprintf(row->id, sizeof(row->id), "%s", info.id);
	if (o->title)
		snprintf(row->title, sizeof(row->title), "%s", o->title);
	else
		default_title(path, row->title, sizeof(row->title));
	snprintf(row->campaign, sizeof(row->campaign), "%s", o->campaign);
	snprintf(row->lang, sizeof(row->lang), "%s", o->lang);
	const char *base = strrchr(path, '/');
	utf8_copy(row->source_name, sizeof(row->source_name), base ? base + 1 : path);
	snprintf(row->source_format, sizeof(row->source_format), "%s", info.source_format);
	row->source_bytes = info.source_bytes;
	row->source_rate = info.source_rate;
	row->source_channels = info.source_channels;
	row->source_frames = info.source_frames;
	row->rate = info.rate;
	row->channels = info.channels;
	row->frames = info.frames;
	snprintf(row->render_sha256, sizeof(row->render_sha256), "%s", info.render_sha256);
	row->loudness_lufs = info.loudness_lufs;
	row->true_peak_dbtp = info.true_peak_dbtp;
	row->gain_db = info.gain_db;
	snprintf(row->valid_from, sizeof(row->valid_from), "%s", o->from);
	snprintf(row->valid_until, sizeof(row->valid_until), "%s", o->until);
	row->added_ms = time_now_ms();

	if ((rc = store_begin(st, &c->err)) ||
	    (rc = exists ? store_clip_restore(st, row, &c->err)
	                 : store_clip_insert(st, row, &c->err)) ||
	    (rc = store_commit(st, &c->err))) {
		store_rollback(st);
		clip_remove_files(&c->cfg, row->id, NULL);
		return rc;
	}
	*status = exists ? "restored" : "imported";
	return AP_OK;
}

static int parse_date_opt(struct cli *c, const char *what, const char *s, char out[11])
{
	int y, m, d;
	if (time_parse_date(s, &y, &m, &d, &c->err))
		return ap_err_prefix(&c->err, "clip add: %s", what);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
	return AP_OK;
}

static int parse_opts(struct cli *c, int argc, char **argv, struct add_opts *o)
{
	static const struct option opts[] = {
		{ "title", required_argument, 0, 't' }, { "campaign", required_argument, 0, 'c' },
		{ "lang", required_argument, 0, 'l' },  { "from", required_argument, 0, 'f' },
		{ "until", required_argument, 0, 'u' }, { 0, 0, 0, 0 },
	};
	int opt, rc;
	memset(o, 0, sizeof(*o));
	o->lang = "vi";
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			o->title = optarg;
			break;
		case 'c':
			o->campaign = optarg;
			break;
		case 'l':
			o->lang = optarg;
			break;
		case 'f':
			if ((rc = parse_date_opt(c, "--from", optarg, o->from)))
				return rc;
			break;
		case 'u':
			if ((rc = parse_date_opt(c, "--until", optarg, o->until)))
				return rc;
			break;
		default:
			return cli_bad_usage(c, "clip add", "unknown or incomplete option '%s'",
			                     argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_bad_usage(c, "clip add", "name at least one file or folder");
	if (!o->campaign)
		return cli_bad_usage(c, "clip add", "--campaign is required");
	if (!clip_campaign_valid(o->campaign))
		return cli_bad_usage(c, "clip add",
		                     "campaign '%s' must be 1-63 lowercase letters, digits, '_' "
		                     "or '-'",
		                     o->campaign);
	if (!clip_lang_valid(o->lang))
		return cli_bad_usage(c, "clip add", "language '%s' must look like vi or en-us",
		                     o->lang);
	if (o->title && (!*o->title || strlen(o->title) > 255))
		return cli_bad_usage(c, "clip add", "--title must be 1-255 bytes");
	if (o->title && !utf8_valid(o->title))
		return cli_bad_usage(c, "clip add", "--title is not valid UTF-8 text");
	if (o->from[0] && o->until[0] && strcmp(o->until, o->from) < 0)
		return cli_bad_usage(c, "clip add", "--until %s is before --from %s", o->until,
		                     o->from);
	return AP_OK;
}

static void print_result(struct cli *c, size_t i, size_t n, const char *path,
                         const struct store_clip *row, const char *status)
{
	char dur[32];
	clip_fmt_duration(row->frames, row->rate, dur, sizeof(dur));
	if (!strcmp(status, "exists")) {
		if (n > 1)
			fprintf(stderr, "[%zu/%zu] %s: already in the library as %.12s\n", i + 1, n,
			        path, row->id);
		else if (!c->json)
			printf("%s: already in the library as %.12s (%s)\n", path, row->id,
			       row->title);
		return;
	}
	char line[1024];
	/* Below the target means the gain stopped at the true-peak ceiling
	 * (or the +20 dB cap): say so, or the figure looks like a mistake. */
	double airs = row->loudness_lufs + row->gain_db;
	const char *limit =
	    airs < c->cfg.target_lufs - 0.05
	        ? (row->gain_db >= 19.95 ? ", at the +20 dB cap" : ", limited by true peak")
	        : "";
	snprintf(line, sizeof(line), "%s %s, airs at %.1f LUFS (gain %+.1f dB%s)", status, dur,
	         airs, row->gain_db, limit);
	if (n > 1)
		fprintf(stderr, "[%zu/%zu] %s: %s\n", i + 1, n, path, line);
	else if (!c->json)
		printf("%s: %s as %.12s \"%s\"\n", path, line, row->id, row->title);
}

int clip_cmd_add(struct cli *c, int argc, char **argv)
{
	struct add_opts o;
	struct file_list files = { 0 };
	struct store *st = NULL;
	int rc = parse_opts(c, argc, argv, &o);
	if (rc)
		return rc;
	for (int i = optind; !rc && i < argc; i++)
		rc = expand(argv[i], &files, &c->err);
	if (!rc)
		rc = cli_open_station(c, &st);
	if (rc) {
		list_free(&files);
		return rc;
	}
	json_t *out = c->json ? json_array() : NULL;
	size_t refused = 0;
	int last_rc = AP_OK;
	for (size_t i = 0; i < files.n; i++) {
		struct store_clip row;
		const char *status = NULL;
		ap_err_clear(&c->err);
		rc = add_one(c, st, files.v[i], &o, &row, &status);
		if (rc) {
			refused++;
			last_rc = rc == AP_EINTERNAL || last_rc == AP_EINTERNAL ? AP_EINTERNAL : rc;
			if (files.n > 1)
				fprintf(stderr, "[%zu/%zu] %s\n", i + 1, files.n, c->err.msg);
			if (out)
				json_array_append_new(
				    out, json_pack("{s:s, s:s, s:s}", "file", files.v[i], "status",
				                   "refused", "error", c->err.msg));
			continue;
		}
		print_result(c, i, files.n, files.v[i], &row, status);
		if (out) {
			json_t *j = clip_json(&row);
			json_object_set_new(j, "file", json_string(files.v[i]));
			json_object_set_new(j, "status", json_string(status));
			json_array_append_new(out, j);
		}
	}
	store_close(st);
	if (out) {
		char *text = json_dumps(out, JSON_COMPACT);
		if (text)
			puts(text);
		free(text);
		json_decref(out);
	}
	size_t total = files.n;
	list_free(&files);
	if (refused && total > 1)
		return last_rc == AP_EINTERNAL
		           ? ap_err_internal(&c->err, "%zu of %zu files refused", refused, total)
		           : ap_err_user(&c->err, "%zu of %zu files refused", refused, total);
	return refused ? last_rc : AP_OK;
}
