/* Shared by cli/cmd_clip.c (approve, list, show, remove, verify) and
 * cli/cmd_clip_add.c (add): the clip verbs' helpers. */
#ifndef AP_CMD_CLIP_H
#define AP_CMD_CLIP_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "cli/cli.h"
#include "store/store.h"

int clip_cmd_add(struct cli *c, int argc, char **argv);
extern const char clip_add_usage[];

/* "2:31" (or "1:02:03") for a frame count at a rate. */
void clip_fmt_duration(int64_t frames, int rate, char *out, size_t cap);
/* The whole row as a JSON object (caller owns the reference). */
json_t *clip_json(const struct store_clip *clip);

#endif
