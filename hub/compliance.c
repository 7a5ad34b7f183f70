/* Week status from aggregated facts: a pure function, so every status and
 * reason is tested without a database or HTTP. */
#include <stdio.h>
#include <string.h>

#include "hub/hub.h"

static const char *const reason_names[HUB_N_REASONS] = {
	"seq_gap",      "chain_break", "unsynced_clock", "clock_step",
	"unknown_clip", "late_sync",   "no_policy",
};

void hub_assess(const struct hub_week_facts *f, const struct hub_policy *p, struct hub_cell *out)
{
	memset(out, 0, sizeof(*out));
	out->plays_counted = f->plays_counted;
	out->required = p ? p->per_week : 0;
	if (f->seq_gaps)
		out->reasons |= HUB_R_SEQ_GAP;
	if (f->chain_breaks)
		out->reasons |= HUB_R_CHAIN_BREAK;
	if (f->unsynced_plays)
		out->reasons |= HUB_R_UNSYNCED_CLOCK;
	if (f->clock_steps)
		out->reasons |= HUB_R_CLOCK_STEP;
	if (f->unknown_clips)
		out->reasons |= HUB_R_UNKNOWN_CLIP;
	if (f->late)
		out->reasons |= HUB_R_LATE_SYNC;
	if (!p)
		out->reasons |= HUB_R_NO_POLICY;

	unsigned suspicious = out->reasons & ~(unsigned)HUB_R_NO_POLICY;
	if (f->proofs == 0 && !suspicious)
		out->status = HUB_NO_DATA;
	else if (suspicious)
		out->status = HUB_SUSPECT;
	else if (f->plays_counted >= out->required)
		out->status = HUB_COMPLIANT;
	else
		out->status = HUB_SHORT;
}

int hub_policy_counts(const struct hub_policy *p, const char *campaign, int local_min)
{
	if (strcmp(campaign, p->campaign) != 0)
		return 0;
	if (p->win_start < 0)
		return 1;
	if (p->win_start < p->win_end)
		return local_min >= p->win_start && local_min < p->win_end;
	return local_min >= p->win_start || local_min < p->win_end; /* crosses midnight */
}

const char *hub_status_name(enum hub_status s)
{
	switch (s) {
	case HUB_NO_DATA:
		return "no_data";
	case HUB_COMPLIANT:
		return "compliant";
	case HUB_SHORT:
		return "short";
	case HUB_SUSPECT:
		return "suspect";
	}
	return "?";
}

const char *hub_reason_name(unsigned bit)
{
	for (int i = 0; i < HUB_N_REASONS; i++)
		if (bit == 1u << i)
			return reason_names[i];
	return "?";
}

void hub_reasons_fmt(unsigned reasons, char *out, size_t cap)
{
	size_t used = 0;
	out[0] = '\0';
	for (int i = 0; i < HUB_N_REASONS; i++) {
		if (!(reasons & (1u << i)))
			continue;
		int n = snprintf(out + used, cap - used, "%s%s", used ? "," : "", reason_names[i]);
		if (n < 0 || (size_t)n >= cap - used)
			break;
		used += (size_t)n;
	}
}
