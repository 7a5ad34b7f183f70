/* airproof rule add|list|remove: broadcast rules in station local time.
 * Everything typed is checked before the database is touched, so a refused
 * rule writes nothing. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "common/text.h"
#include "common/aptime.h"
#include "scheduler/sched.h"
#include "store/store.h"

static const char rule_usage[] =
    "usage: airproof rule add once   --at \"YYYY-MM-DD HH:MM\" (--clip ID | --campaign C)\n"
    "       airproof rule add weekly --days DAYS --time HH:MM (--clip ID | --campaign C)\n"
    "       airproof rule add quota  --campaign C --per-week N --window \"DAYS HH:MM-HH:MM\"\n"
    "                                [--window ...]\n"
    "       (each add takes an optional --label TEXT)\n"
    "       airproof rule list [--all] [--json]\n"
    "       airproof rule remove ID\n"
    "\n"
    "Times are station local time, 24-hour. --at also takes \"dd/mm/yyyy HH:MM\".\n"
    "DAYS: mon,wed,fri  mon-fri  daily  weekdays  weekend; Vietnamese t2..t7, cn\n"
    "(t2-t6 = Monday to Friday). A window whose end is before its start crosses\n"
    "midnight and belongs to the day it starts (\"sat 22:00-01:00\"); 24:00 ends a\n"
    "day. A quota asks for at least N complete plays of the campaign per ISO week\n"
    "(Monday to Sunday) inside its windows, on different days where possible; a\n"
    "missed or failed play gets a make-good later the same week.\n"
    "ID for --clip is the clip id or a unique prefix of it (see 'airproof clip list').\n";

static int campaign_valid(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n < 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static int parse_at(struct cli *c, const char *s, struct sched_rule *r)
{
	char date[32];
	const char *sp = s ? strchr(s, ' ') : NULL;
	if (!sp || (size_t)(sp - s) >= sizeof(date))
		return cli_bad_usage(c, "rule",
		                     "--at '%s' needs a date and a time, e.g. "
		                     "\"2026-12-01 06:15\"",
		                     s ? s : "");
	memcpy(date, s, (size_t)(sp - s));
	date[sp - s] = '\0';
	if (time_parse_date(date, &r->once_year, &r->once_month, &r->once_day, &c->err) ||
	    time_parse_hhmm(sp + 1, &r->minute, &c->err))
		return ap_err_prefix(&c->err, "rule: --at");
	return AP_OK;
}

struct add_args {
	const char *at, *days, *time, *clip, *campaign, *per_week, *label;
	const char *windows[SCHED_MAX_WINDOWS + 1];
	int n_windows;
};

/* Syntax and sense, before any database access. */
static int build_rule(struct cli *c, const char *kind, struct add_args *a, struct sched_rule *r)
{
	memset(r, 0, sizeof(*r));
	if (!strcmp(kind, "once"))
		r->kind = SCHED_ONCE;
	else if (!strcmp(kind, "weekly"))
		r->kind = SCHED_WEEKLY;
	else if (!strcmp(kind, "quota"))
		r->kind = SCHED_QUOTA;
	else
		return cli_bad_usage(c, "rule", "unknown rule kind '%s' (once, weekly, quota)",
		                     kind);
	if (!!a->clip == !!a->campaign)
		return cli_bad_usage(c, "rule", "give exactly one of --clip and --campaign");
	if (r->kind == SCHED_QUOTA && a->clip)
		return cli_bad_usage(c, "rule", "a quota is for a --campaign, not a clip");
	if (a->campaign && !campaign_valid(a->campaign))
		return cli_bad_usage(
		    c, "rule", "campaign '%s' must be 1-63 of a-z, 0-9, '_' and '-'", a->campaign);
	if (a->campaign)
		snprintf(r->campaign, sizeof(r->campaign), "%s", a->campaign);
	if (a->label && strlen(a->label) >= 128)
		return cli_bad_usage(c, "rule", "--label is longer than 127 bytes");
	int is_once = r->kind == SCHED_ONCE, is_weekly = r->kind == SCHED_WEEKLY;
	if ((a->at && !is_once) || ((a->days || a->time) && !is_weekly) ||
	    ((a->per_week || a->n_windows) && r->kind != SCHED_QUOTA))
		return cli_bad_usage(c, "rule", "option not valid for a '%s' rule", kind);
	if (is_once) {
		if (!a->at)
			return cli_bad_usage(c, "rule", "a once rule needs --at");
		return parse_at(c, a->at, r);
	}
	if (is_weekly) {
		if (!a->days || !a->time)
			return cli_bad_usage(c, "rule", "a weekly rule needs --days and --time");
		if (sched_days_parse(a->days, &r->days, &c->err))
			return ap_err_prefix(&c->err, "rule: --days");
		if (time_parse_hhmm(a->time, &r->minute, &c->err))
			return ap_err_prefix(&c->err, "rule: --time");
		return AP_OK;
	}
	if (!a->per_week || !a->n_windows)
		return cli_bad_usage(c, "rule",
		                     "a quota needs --per-week N and at least one --window");
	char *end;
	long n = strtol(a->per_week, &end, 10);
	if (*end || end == a->per_week || n < 1 || n > 50)
		return cli_bad_usage(c, "rule", "--per-week '%s' must be a whole number 1 to 50",
		                     a->per_week);
	r->quota = (int)n;
	if (a->n_windows > SCHED_MAX_WINDOWS)
		return cli_bad_usage(c, "rule", "at most %d windows", SCHED_MAX_WINDOWS);
	for (int i = 0; i < a->n_windows; i++)
		if (sched_window_parse(a->windows[i], &r->windows[r->n_windows++], &c->err))
			return ap_err_prefix(&c->err, "rule: --window");
	return AP_OK;
}

/* After the rule is stored: say what the plan makes of it. */
static void warn_plan(struct cli *c, struct store *st, int64_t rule_id, int64_t now)
{
	struct store_sched_data d;
	struct sched_plan p;
	struct ap_err e = { 0 };
	if (store_sched_load(st, now, &d, &e))
		return;
	struct sched_input in = { d.rules,
		                  d.n_rules,
		                  d.clips,
		                  d.n_clips,
		                  d.history,
		                  d.n_history,
		                  now,
		                  (int64_t)c->cfg.max_late_s * 1000,
		                  c->cfg.require_approval,
		                  NULL };
	if (sched_plan(&in, &p, &e) == AP_OK) {
		int shown = 0;
		for (size_t i = 0; i < p.n_items && shown < 5; i++) {
			const struct sched_item *it = &p.items[i];
			if (it->rule != rule_id || !(it->flags & (SCHED_CONFLICT | SCHED_NO_CLIP)))
				continue;
			char when[17];
			time_fmt_datetime(it->scheduled_ms, when);
			log_warnx("warning: rule %lld at %s will not air: %s", (long long)rule_id,
			          when, it->reason);
			shown++;
		}
		sched_plan_free(&p);
	}
	store_sched_free(&d);
}

static int rule_add(struct cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "at", required_argument, 0, 'a' },
		{ "days", required_argument, 0, 'd' },
		{ "time", required_argument, 0, 't' },
		{ "clip", required_argument, 0, 'c' },
		{ "campaign", required_argument, 0, 'C' },
		{ "per-week", required_argument, 0, 'n' },
		{ "window", required_argument, 0, 'w' },
		{ "label", required_argument, 0, 'l' },
		{ 0, 0, 0, 0 },
	};
	struct add_args a = { 0 };
	int o, rc;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'a':
			a.at = optarg;
			break;
		case 'd':
			a.days = optarg;
			break;
		case 't':
			a.time = optarg;
			break;
		case 'c':
			a.clip = optarg;
			break;
		case 'C':
			a.campaign = optarg;
			break;
		case 'n':
			a.per_week = optarg;
			break;
		case 'w':
			if (a.n_windows <= SCHED_MAX_WINDOWS)
				a.windows[a.n_windows++] = optarg;
			break;
		case 'l':
			a.label = optarg;
			break;
		default:
			return cli_bad_usage(c, "rule", "unknown or incomplete option '%s'",
			                     argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_bad_usage(c, "rule", "rule add needs a kind: once, weekly or quota");
	if (optind + 1 < argc)
		return cli_bad_usage(c, "rule", "unexpected argument '%s'", argv[optind + 1]);
	if (a.label && !utf8_valid(a.label))
		return cli_bad_usage(c, "rule", "--label is not valid UTF-8 text");
	struct sched_rule r;
	if ((rc = build_rule(c, argv[optind], &a, &r)))
		return rc;

	struct store *st;
	if ((rc = cli_open_station(c, &st)))
		return rc;
	int64_t now = cli_now_ms();
	if (r.kind == SCHED_ONCE && time_from_local(r.once_year, r.once_month, r.once_day,
	                                            r.minute / 60, r.minute % 60, 0) <= now) {
		store_close(st);
		return ap_err_user(&c->err, "rule: --at %s is in the past", a.at);
	}
	if (a.clip && (rc = store_rule_clip_resolve(st, a.clip, r.clip, &c->err))) {
		store_close(st);
		return ap_err_prefix(&c->err, "rule: --clip");
	}
	int n_clips = 0;
	if (a.campaign && !(rc = store_campaign_clip_count(st, a.campaign, &n_clips, &c->err)) &&
	    n_clips == 0)
		log_warnx("warning: campaign '%s' has no clips yet; the rule will not air until "
		          "one is added",
		          a.campaign);
	r.created_ms = now;
	if (!rc)
		rc = store_rule_add(st, &r, a.label, &c->err);
	if (!rc) {
		char what[600];
		sched_rule_fmt(&r, what, sizeof(what));
		if (c->json)
			printf("{\"id\":%lld}\n", (long long)r.id);
		else
			printf("Added rule %lld: %s, %s %s\n", (long long)r.id, what,
			       r.clip[0] ? "clip" : "campaign", r.clip[0] ? r.clip : r.campaign);
		warn_plan(c, st, r.id, now);
	}
	store_close(st);
	return rc;
}

static json_t *rule_json(const struct store_rule *x)
{
	char what[600];
	sched_rule_fmt(&x->r, what, sizeof(what));
	const char *kind = x->r.kind == SCHED_ONCE     ? "once"
	                   : x->r.kind == SCHED_WEEKLY ? "weekly"
	                                               : "quota";
	json_t *o =
	    json_pack("{s:I, s:s, s:s, s:s, s:I}", "id", (json_int_t)x->r.id, "kind", kind, "when",
	              what, "label", x->label, "created_ms", (json_int_t)x->r.created_ms);
	if (!o)
		return NULL;
	json_object_set_new(o, x->r.clip[0] ? "clip" : "campaign",
	                    json_string(x->r.clip[0] ? x->r.clip : x->r.campaign));
	if (x->r.kind == SCHED_QUOTA)
		json_object_set_new(o, "per_week", json_integer(x->r.quota));
	if (x->removed_ms)
		json_object_set_new(o, "removed_ms", json_integer(x->removed_ms));
	return o;
}

static int rule_list(struct cli *c, int argc, char **argv)
{
	int all = 0, rc;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--all"))
			all = 1;
		else
			return cli_bad_usage(c, "rule", "unexpected argument '%s'", argv[i]);
	}
	struct store *st;
	struct store_rule *list;
	size_t n;
	if ((rc = cli_open_station(c, &st)))
		return rc;
	rc = store_rules_list(st, all, &list, &n, &c->err);
	store_close(st);
	if (rc)
		return rc;
	if (c->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, rule_json(&list[i]));
		char *text = json_dumps(arr, JSON_COMPACT);
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(arr);
	} else if (n == 0) {
		printf("No rules. Add one with 'airproof rule add' (see --help).\n");
	} else {
		printf("%-4s %-40s %-30s %s\n", "ID", "WHEN", "WHAT", "LABEL");
		for (size_t i = 0; i < n; i++) {
			char when[600], what[80];
			sched_rule_fmt(&list[i].r, when, sizeof(when));
			if (list[i].r.clip[0])
				snprintf(what, sizeof(what), "clip %.12s", list[i].r.clip);
			else
				snprintf(what, sizeof(what), "campaign %s", list[i].r.campaign);
			printf("%-4lld %-40s %-30s %s%s\n", (long long)list[i].r.id, when, what,
			       list[i].label, list[i].removed_ms ? " (removed)" : "");
		}
	}
	store_rules_free(list);
	return AP_OK;
}

static int rule_remove(struct cli *c, int argc, char **argv)
{
	if (argc != 2)
		return cli_bad_usage(c, "rule", "rule remove takes one rule id");
	char *end;
	long long id = strtoll(argv[1], &end, 10);
	if (*end || end == argv[1] || id < 1)
		return cli_bad_usage(c, "rule", "'%s' is not a rule id", argv[1]);
	struct store *st;
	int rc = cli_open_station(c, &st);
	if (rc)
		return rc;
	rc = store_rule_remove(st, id, cli_now_ms(), &c->err);
	store_close(st);
	if (!rc)
		printf(c->json ? "{\"removed\":%lld}\n" : "Removed rule %lld\n", id);
	return rc;
}

CMD(rule)
{
	if (argc < 2 || cli_wants_help(argc, argv))
		return argc < 2 ? cli_bad_usage(c, "rule", "say add, list or remove")
		                : cli_usage(rule_usage);
	if (!strcmp(argv[1], "add"))
		return rule_add(c, argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return rule_list(c, argc - 1, argv + 1);
	if (!strcmp(argv[1], "remove"))
		return rule_remove(c, argc - 1, argv + 1);
	return cli_bad_usage(c, "rule", "unknown subcommand '%s' (add, list, remove)", argv[1]);
}
