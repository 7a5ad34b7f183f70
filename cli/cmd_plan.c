/* airproof plan: what will air, from the same sched_plan() the daemon
 * runs: the next 14 days, or one ISO week. Station local time. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/aptime.h"
#include "scheduler/sched.h"
#include "store/store.h"

static const char plan_usage[] =
    "usage: airproof plan [--week 2026-W49] [--json]\n"
    "\n"
    "Shows what will air in the next 14 days (or in one ISO week), in station\n"
    "local time: start, duration, clip title, the rule, make-goods, items that\n"
    "will not air and why, and each quota's count for each week.\n";

static const struct sched_clip *find_clip(const struct store_sched_data *d, const char *id)
{
	for (size_t i = 0; id[0] && i < d->n_clips; i++)
		if (!strcmp(d->clips[i].id, id))
			return &d->clips[i];
	return NULL;
}

static const char *kind_name(enum sched_rule_kind k)
{
	return k == SCHED_ONCE ? "once" : k == SCHED_WEEKLY ? "weekly" : "quota";
}

static void fmt_when(int64_t t, char out[24])
{
	struct ltime lt;
	char dt[17];
	time_to_local(t, &lt);
	time_fmt_datetime(t, dt);
	snprintf(out, 24, "%s %s", sched_day_name(lt.wday), dt);
}

static void print_item(const struct sched_item *it, const struct store_sched_data *d)
{
	char when[24];
	fmt_when(it->start_ms, when);
	if (it->flags & SCHED_NO_CLIP) {
		printf("%s  NO ELIGIBLE CLIP: %s  (rule %lld, %s)\n", when, it->reason,
		       (long long)it->rule, kind_name(it->kind));
		return;
	}
	if (it->flags & SCHED_CONFLICT) {
		printf("%s  CONFLICT, WILL NOT AIR: %s  (rule %lld, %s)\n", when, it->reason,
		       (long long)it->rule, kind_name(it->kind));
		return;
	}
	const struct sched_clip *k = find_clip(d, it->clip);
	char len[16];
	time_fmt_length(it->end_ms - it->start_ms, len, sizeof(len));
	printf("%s  %6s  %s  [%s]  rule %lld (%s)", when, len, k ? k->title : it->clip,
	       it->campaign, (long long)it->rule, kind_name(it->kind));
	if (it->makegood_of[0])
		printf("  MAKE-GOOD for %s", it->makegood_of);
	if (it->flags & SCHED_DELAYED)
		printf("  DELAYED: %s", it->reason);
	printf("\n");
}

static json_t *item_json(const struct sched_item *it, const struct store_sched_data *d)
{
	const struct sched_clip *k = find_clip(d, it->clip);
	json_t *o = json_pack("{s:s, s:I, s:s, s:I, s:I, s:I, s:s, s:s, s:s}", "item", it->item,
	                      "rule", (json_int_t)it->rule, "kind", kind_name(it->kind),
	                      "scheduled_ms", (json_int_t)it->scheduled_ms, "start_ms",
	                      (json_int_t)it->start_ms, "end_ms", (json_int_t)it->end_ms, "clip",
	                      it->clip, "title", k ? k->title : "", "campaign", it->campaign);
	if (!o)
		return NULL;
	if (it->makegood_of[0])
		json_object_set_new(o, "makegood_of", json_string(it->makegood_of));
	const char *status = it->flags & SCHED_NO_CLIP    ? "no_clip"
	                     : it->flags & SCHED_CONFLICT ? "conflict"
	                     : it->flags & SCHED_DELAYED  ? "delayed"
	                                                  : "ok";
	json_object_set_new(o, "status", json_string(status));
	if (it->reason[0])
		json_object_set_new(o, "reason", json_string(it->reason));
	return o;
}

static void print_quota(const struct sched_quota *q)
{
	char a[11], b[11];
	time_fmt_date(q->week_start_ms, a);
	time_fmt_date(q->week_end_ms - 1, b);
	printf("%s (%s-%s)  %s: %d of %d planned", q->week, a, b, q->campaign, q->planned,
	       q->required);
	if (q->complete)
		printf(", %d complete so far", q->complete);
	if (q->complete + q->planned < q->required)
		printf("  SHORT: %d play(s) cannot be placed",
		       q->required - q->complete - q->planned);
	printf("  (rule %lld)\n", (long long)q->rule);
}

/* Items starting in [lo, to) are shown; from is what the heading says. */
static int show(struct cli *c, const struct sched_plan *p, const struct store_sched_data *d,
                int64_t lo, int64_t from, int64_t to, const char *week)
{
	if (c->json) {
		json_t *items = json_array(), *quotas = json_array();
		for (size_t i = 0; i < p->n_items; i++)
			if (p->items[i].start_ms >= lo && p->items[i].start_ms < to)
				json_array_append_new(items, item_json(&p->items[i], d));
		for (size_t i = 0; i < p->n_quotas; i++) {
			const struct sched_quota *q = &p->quotas[i];
			if (week && strcmp(q->week, week))
				continue;
			json_array_append_new(
			    quotas,
			    json_pack("{s:I, s:s, s:s, s:i, s:i, s:i, s:i}", "rule",
			              (json_int_t)q->rule, "week", q->week, "campaign", q->campaign,
			              "required", q->required, "complete", q->complete, "planned",
			              q->planned, "unplaceable", q->unplaceable));
		}
		json_t *o = json_pack("{s:I, s:I, s:s, s:o, s:o}", "from_ms", (json_int_t)from,
		                      "to_ms", (json_int_t)to, "timezone", c->cfg.timezone, "items",
		                      items, "quotas", quotas);
		char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (!text) {
			json_decref(o);
			return ap_err_internal(&c->err, "plan: cannot encode JSON");
		}
		printf("%s\n", text);
		free(text);
		json_decref(o);
		return AP_OK;
	}
	char a[24], b[24];
	fmt_when(from, a);
	fmt_when(to, b);
	printf("Plan %s%s%s to %s (%s)\n\n", week ? week : "", week ? ": " : "from ", a, b,
	       c->cfg.timezone);
	size_t shown = 0;
	for (size_t i = 0; i < p->n_items; i++)
		if (p->items[i].start_ms >= lo && p->items[i].start_ms < to) {
			print_item(&p->items[i], d);
			shown++;
		}
	if (!shown)
		printf("Nothing to air. Add rules with 'airproof rule add' (see --help).\n");
	int header = 0;
	for (size_t i = 0; i < p->n_quotas; i++) {
		if (week && strcmp(p->quotas[i].week, week))
			continue;
		if (!header++)
			printf("\nQuotas:\n");
		printf("  ");
		print_quota(&p->quotas[i]);
	}
	return AP_OK;
}

CMD(plan)
{
	static const struct option opts[] = {
		{ "week", required_argument, 0, 'w' },
		{ 0, 0, 0, 0 },
	};
	const char *week = NULL;
	int o, rc;
	if (cli_wants_help(argc, argv))
		return cli_usage(plan_usage);
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o != 'w')
			return cli_bad_usage(c, "plan", "unknown or incomplete option '%s'",
			                     argv[optind - 1]);
		week = optarg;
	}
	if (optind < argc)
		return cli_bad_usage(c, "plan", "unexpected argument '%s'", argv[optind]);
	struct store *st;
	if ((rc = cli_open_station(c, &st)))
		return rc;
	int64_t now = cli_now_ms(), from = now, to = now + SCHED_HORIZON_MS, lo = 0;
	char week_id[16] = "";
	if (week) {
		int iy, iw;
		if ((rc = iso_week_parse(week, &iy, &iw, &c->err))) {
			store_close(st);
			return ap_err_prefix(&c->err, "plan: --week");
		}
		iso_week_range(iy, iw, &from, &to);
		lo = from;
		snprintf(week_id, sizeof(week_id), "%04d-W%02d", iy % 10000, iw % 100);
		if (to <= now) {
			store_close(st);
			return ap_err_user(&c->err,
			                   "plan: week %s is over; 'airproof log --week %s' shows "
			                   "what aired",
			                   week_id, week_id);
		}
		/* Plan as seen from the week's start (or now, when it has begun). */
		if (from < now)
			from = now;
	}
	struct store_sched_data d;
	rc = store_sched_load(st, from, &d, &c->err);
	store_close(st);
	if (rc)
		return rc;
	struct sched_input in = { d.rules,
		                  d.n_rules,
		                  d.clips,
		                  d.n_clips,
		                  d.history,
		                  d.n_history,
		                  from,
		                  (int64_t)c->cfg.max_late_s * 1000,
		                  c->cfg.require_approval,
		                  NULL };
	struct sched_plan p;
	if (!(rc = sched_plan(&in, &p, &c->err))) {
		rc = show(c, &p, &d, lo, from, to, week ? week_id : NULL);
		sched_plan_free(&p);
	}
	store_sched_free(&d);
	return rc;
}
