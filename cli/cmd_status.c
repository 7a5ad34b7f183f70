/* airproof status: is the daemon running (it holds an flock on
 * state_dir/airproofd.lock while it lives), what plays now, what comes next,
 * this week's quota progress, and how far the uplink is behind. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "cli/cli.h"
#include "common/aptime.h"
#include "proof/proof.h"
#include "scheduler/sched.h"
#include "store/store.h"

static const char status_usage[] =
    "usage: airproof status [--json]\n"
    "\n"
    "Whether airproofd runs, what it plays now and next, this week's complete\n"
    "plays against each quota rule, proofs not yet acknowledged by the hub, the\n"
    "last uplink result and the daemon's last error.\n";

#define MAX_QUOTAS 32
#define STALE_MS   (10 * MS_PER_MIN)

struct status {
	int running, stale;
	int clock_synced;
	struct store_daemon_state ds;
	int have_ds;
	int playing;
	struct proof_record now_playing;
	struct store_sync_view sync;
	struct store_sync_state ack; /* the hub's last answer */
	/* this week's quota rules, as the scheduler counts them: complete
	 * plays of the campaign inside the rule's windows */
	struct sched_quota quotas[MAX_QUOTAS];
	size_t n_quotas;
	char week[16];
	/* from the plan: what airs next, and what cannot air */
	int have_next;
	struct sched_item next;
	char next_title[256];
	char problems[4][200];
	size_t n_problems;
};

/* The plan, computed here as the daemon would, so status says what comes
 * next and which items cannot air even when the daemon is stopped. */
static int plan_view(struct cli *c, struct store *st, int64_t now, struct status *s)
{
	struct store_sched_data d;
	struct sched_plan p;
	int rc = store_sched_load(st, now, &d, &c->err);
	if (rc)
		return rc;
	struct sched_input in = { d.rules,
		                  d.n_rules,
		                  d.clips,
		                  d.n_clips,
		                  d.history,
		                  d.n_history,
		                  now,
		                  (int64_t)c->cfg.max_late_s * 1000,
		                  c->cfg.require_approval,
		                  s->playing ? s->now_playing.item : NULL };
	if ((rc = sched_plan(&in, &p, &c->err))) {
		store_sched_free(&d);
		return rc;
	}
	for (size_t i = 0; i < p.n_quotas && s->n_quotas < MAX_QUOTAS; i++)
		if (!strcmp(p.quotas[i].week, s->week))
			s->quotas[s->n_quotas++] = p.quotas[i];
	for (size_t i = 0; i < p.n_items; i++) {
		const struct sched_item *it = &p.items[i];
		if (it->flags & (SCHED_NO_CLIP | SCHED_CONFLICT)) {
			int dup = 0;
			for (size_t k = 0; k < s->n_problems; k++)
				dup |= !strcmp(s->problems[k], it->reason);
			if (!dup && s->n_problems < 4)
				snprintf(s->problems[s->n_problems++], sizeof(s->problems[0]), "%s",
				         it->reason);
			continue;
		}
		if (!s->have_next) {
			s->have_next = 1;
			s->next = *it;
			for (size_t k = 0; k < d.n_clips; k++)
				if (!strcmp(d.clips[k].id, it->clip))
					snprintf(s->next_title, sizeof(s->next_title), "%s",
					         d.clips[k].title);
		}
	}
	sched_plan_free(&p);
	store_sched_free(&d);
	return AP_OK;
}

/* Held lock = a live daemon; a lock we can take = none. Never creates the
 * file. */
static int daemon_running(struct cli *c)
{
	char path[4200];
	if (cli_state_path(c, "airproofd.lock", path, sizeof(path)))
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	int held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

static int gather(struct cli *c, struct store *st, struct status *s)
{
	int rc, found;
	int64_t now = cli_now_ms();
	struct ltime lt;
	int iy, iw;

	s->running = daemon_running(c);
	s->clock_synced = proof_clock_synced();
	if ((rc = store_daemon_state_get(st, &s->ds, &s->have_ds, &c->err)))
		return rc;
	s->stale = s->running && (!s->have_ds || now - s->ds.updated_ms > STALE_MS);
	if ((rc = proof_pending_load(st, &s->now_playing, &found, &c->err)))
		return rc;
	s->playing = found;
	if ((rc = store_proofs_sync_view(st, &s->sync, &c->err)) ||
	    (rc = store_sync_get(st, &s->ack, &c->err)))
		return rc;
	time_to_local(now, &lt);
	iso_week_of(lt.year, lt.month, lt.day, &iy, &iw);
	snprintf(s->week, sizeof(s->week), "%04d-W%02d", iy, iw);
	return plan_view(c, st, now, s);
}

static void out_text(const struct status *s)
{
	char when[20];
	printf("Daemon:    %s\n",
	       s->running ? (s->stale ? "running, but not updating its state" : "running")
	                  : "not running");
	if (s->have_ds && s->ds.pid && s->running)
		printf("           pid %lld\n", (long long)s->ds.pid);
	if (!s->clock_synced)
		printf("Clock:     not synchronised by NTP: proofs say so, and the hub marks "
		       "such weeks suspect\n");
	if (s->playing) {
		time_fmt_datetime_s(s->now_playing.started, when);
		printf("Playing:   %s (%s), started %s\n", s->now_playing.title,
		       s->now_playing.item, when);
	} else {
		printf("Playing:   nothing\n");
	}
	if (s->have_next) {
		time_fmt_datetime(s->next.start_ms, when);
		printf("Next:      %s  %s [%s] (%s)\n", when, s->next_title, s->next.campaign,
		       s->next.item);
	} else {
		printf("Next:      nothing in the next 14 days\n");
	}
	for (size_t i = 0; i < s->n_problems; i++)
		printf("Problem:   %s\n", s->problems[i]);
	printf("Week %s quota:\n", s->week);
	if (s->n_quotas == 0)
		printf("           no quota rules\n");
	for (size_t i = 0; i < s->n_quotas; i++) {
		const struct sched_quota *q = &s->quotas[i];
		printf("           rule %lld: %s %d of %d complete plays%s", (long long)q->rule,
		       q->campaign, q->complete, q->required,
		       q->complete >= q->required ? " (met)" : "");
		if (q->complete < q->required)
			printf(", %d planned%s", q->planned,
			       q->unplaceable ? ", some cannot be placed" : "");
		printf("\n");
	}
	printf("Proofs:    %lld recorded, %lld not yet acknowledged by the hub\n",
	       (long long)s->sync.total, (long long)s->sync.unsynced);
	if (s->ack.last_attempt_ms) {
		time_fmt_datetime_s(s->ack.last_attempt_ms, when);
		printf("Last sync: %s: %s\n", when,
		       s->ack.last_result[0] ? s->ack.last_result : "no result");
	} else {
		printf("Last sync: never\n");
	}
	if (s->have_ds && s->ds.last_error[0])
		printf("Last error: %s\n", s->ds.last_error);
}

static int out_json(struct cli *c, const struct status *s)
{
	json_t *quotas = json_array();
	for (size_t i = 0; quotas && i < s->n_quotas; i++)
		json_array_append_new(
		    quotas,
		    json_pack("{s:I, s:s, s:i, s:i, s:i, s:b}", "rule",
		              (json_int_t)s->quotas[i].rule, "campaign", s->quotas[i].campaign,
		              "quota", s->quotas[i].required, "complete", s->quotas[i].complete,
		              "planned", s->quotas[i].planned, "met",
		              s->quotas[i].complete >= s->quotas[i].required));
	json_t *playing = s->playing ? json_pack("{s:s, s:s, s:I}", "item", s->now_playing.item,
	                                         "title", s->now_playing.title, "started",
	                                         (json_int_t)s->now_playing.started)
	                             : json_null();
	json_t *problems = json_array();
	for (size_t i = 0; problems && i < s->n_problems; i++)
		json_array_append_new(problems, json_string(s->problems[i]));
	json_t *o = json_pack(
	    "{s:b, s:b, s:b, s:I, s:o, s:s?, s:I, s:o, s:s, s:o, s:I, s:I, s:I, s:I, s:s?, s:s?}",
	    "running", s->running, "stale", s->stale, "clock_synced", s->clock_synced, "pid",
	    (json_int_t)(s->running ? s->ds.pid : 0), "playing", playing, "next_item",
	    s->have_next ? s->next.item : NULL, "next_ms",
	    (json_int_t)(s->have_next ? s->next.start_ms : 0), "problems", problems, "week",
	    s->week, "quotas", quotas, "proofs", (json_int_t)s->sync.total, "unsynced",
	    (json_int_t)s->sync.unsynced, "last_sync_ms", (json_int_t)s->ack.last_attempt_ms,
	    "last_sync_ok_ms", (json_int_t)s->ack.last_ok_ms, "last_sync_result",
	    s->ack.last_result[0] ? s->ack.last_result : NULL, "last_error",
	    s->ds.last_error[0] ? s->ds.last_error : NULL);
	char *text = o ? json_dumps(o, JSON_INDENT(1) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!text)
		return ap_err_internal(&c->err, "status: cannot build JSON (out of memory)");
	printf("%s\n", text);
	free(text);
	return AP_OK;
}

CMD(status)
{
	struct store *st;
	int rc;
	if (cli_wants_help(argc, argv))
		return cli_usage(status_usage);
	if (argc != 1)
		return cli_bad_usage(c, "status", "unexpected argument '%s'", argv[1]);
	struct status *s = calloc(1, sizeof(*s));
	if (!s)
		return ap_err_internal(&c->err, "out of memory");
	if (!(rc = cli_open_station(c, &st))) {
		rc = gather(c, st, s);
		store_close(st);
	}
	if (!rc) {
		if (c->json)
			rc = out_json(c, s);
		else
			out_text(s);
	}
	free(s);
	return rc;
}
