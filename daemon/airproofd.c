/* airproofd: the station's playout daemon, in the foreground under systemd.
 * Start-up: config, time zone, an exclusive lock on the state folder, the
 * database and key, recovery of a play cut by a crash, the start and config
 * events; then the loop (loop.c) until SIGTERM/SIGINT, and a stop event. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "common/aptime.h"
#include "daemon/daemon.h"
#include "playout/play.h"
#include "store/store.h"

static const char usage_text[] =
    "usage: airproofd [--config FILE] [--foreground] [--exit-when-idle SECONDS]\n"
    "                 [--run-for SECONDS] [--verbose]\n"
    "\n"
    "The playout daemon: plays the scheduled clips through the sound card and\n"
    "writes a signed proof of every play. Runs in the foreground (systemd).\n"
    "\n"
    "  --config FILE           else $AIRPROOF_CONFIG, else " CONFIG_DEFAULT_PATH "\n"
    "  --exit-when-idle SECS   exit when nothing airs within SECS (demos, tests)\n"
    "  --run-for SECS          stop after SECS, as SIGTERM would\n"
    "  --verbose               debug logging (start accuracy of each play)\n"
    "\n"
    "Signals: TERM/INT stop (a play in progress is recorded as interrupted),\n"
    "HUP reloads the config. AIRPROOF_TRACE=FILE appends 'item start late_us'\n"
    "per play (benchmarks).\n";

static int parse_secs(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > 100000000)
		return -1;
	*out = (int)v;
	return 0;
}

static int parse_args(struct daemon *d, int argc, char **argv, struct ap_err *e)
{
	static const struct option opts[] = {
		{ "config", required_argument, 0, 'c' },
		{ "foreground", no_argument, 0, 'f' },
		{ "exit-when-idle", required_argument, 0, 'i' },
		{ "run-for", required_argument, 0, 'r' },
		{ "no-pace", no_argument, 0, 'n' },
		{ "verbose", no_argument, 0, 'v' },
		{ "help", no_argument, 0, 'h' },
		{ "version", no_argument, 0, 'V' },
		{ 0, 0, 0, 0 },
	};
	int o;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "c:fvh", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			d->config_path = optarg;
			d->config_required = 1;
			break;
		case 'f':
			break;
		case 'i':
			if (parse_secs(optarg, &d->exit_when_idle_s))
				return ap_err_user(e,
				                   "--exit-when-idle: '%s' is not a number of "
				                   "seconds",
				                   optarg);
			break;
		case 'r':
			if (parse_secs(optarg, &d->run_for_s))
				return ap_err_user(e, "--run-for: '%s' is not a number of seconds",
				                   optarg);
			break;
		case 'n':
			d->no_pace = 1;
			break;
		case 'v':
			log_init("airproofd", LOG_LVL_DEBUG);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case 'V':
			printf("airproofd " AP_VERSION "\n");
			exit(0);
		default:
			return ap_err_user(
			    e, "unknown or incomplete option '%s' (see airproofd --help)",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return ap_err_user(e, "unexpected argument '%s' (see airproofd --help)",
		                   argv[optind]);
	return AP_OK;
}

static int take_lock(struct daemon *d, struct ap_err *e)
{
	char path[4200];
	if (config_state_path(&d->cfg, "airproofd.lock", path, sizeof(path)))
		return ap_err_user(e, "paths.state_dir is too long");
	d->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (d->lock_fd < 0)
		return ap_err_user(e, "%s: cannot open the lock file: %s", path, strerror(errno));
	if (flock(d->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			return ap_err_user(e, "%s: another airproofd is running for this station",
			                   path);
		return ap_err_user(e, "%s: cannot lock: %s", path, strerror(errno));
	}
	return AP_OK;
}

static int setup_fds(struct daemon *d, struct ap_err *e)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return ap_err_internal(e, "sigprocmask: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	d->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	d->timer_fd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->signal_fd < 0 || d->timer_fd < 0)
		return ap_err_internal(e, "signalfd/timerfd: %s", strerror(errno));
	return AP_OK;
}

int d_config_check(const struct daemon *d, const struct ap_config *cfg, struct ap_err *e)
{
	const char *path = cfg->path[0] ? cfg->path : "(defaults)";
	if (!tz_valid(cfg->timezone))
		return ap_err_user(e, "%s: unknown time zone '%s'", path, cfg->timezone);
	if (cfg->station_id[0] && strcmp(cfg->station_id, d->station) != 0)
		return ap_err_user(e,
		                   "%s: station.id is '%s' but the database in %s belongs to '%s'",
		                   path, cfg->station_id, d->cfg.state_dir, d->station);
	return AP_OK;
}

static int start(struct daemon *d, struct ap_err *e)
{
	char db[4200], keyp[4200], detail[600];
	int rc = config_load(config_resolve_path(d->config_path),
	                     d->config_required || getenv("AIRPROOF_CONFIG"), &d->cfg, e);
	if (rc || (rc = tz_use(d->cfg.timezone, e)))
		return rc;
	if (config_state_path(&d->cfg, "airproof.db", db, sizeof(db)) ||
	    config_state_path(&d->cfg, "station.key", keyp, sizeof(keyp)))
		return ap_err_user(e, "paths.state_dir is too long");
	if ((rc = take_lock(d, e)) || (rc = setup_fds(d, e)))
		return rc;
	if ((rc = store_open(db, STORE_STATION, 0, &d->st, e)))
		return rc;
	if ((rc = store_meta_get(d->st, "station_id", d->station, sizeof(d->station), e)))
		return rc;
	if ((rc = d_config_check(d, &d->cfg, e)))
		return rc;
	if ((rc = proof_key_load(keyp, &d->key, e)) ||
	    (rc = play_out_ao_create(&d->cfg, &d->out, e)))
		return rc;
	d->started_ms = time_now_ms();
	if ((rc = d_recover(d, D_CAUSE_CRASH, e)))
		return rc;
	snprintf(detail, sizeof(detail), "airproofd %s started (pid %d, driver %s, output %s)",
	         AP_VERSION, (int)getpid(), d->cfg.audio_driver, d->cfg.output);
	if ((rc = d_event(d, "start", detail, e)) || (rc = d_config_event(d, e)))
		return rc;
	return AP_OK;
}

int main(int argc, char **argv)
{
	struct daemon d;
	struct ap_err e = { 0 };
	memset(&d, 0, sizeof(d));
	d.lock_fd = d.signal_fd = d.timer_fd = -1;
	d.trace_path = getenv("AIRPROOF_TRACE");
	log_init("airproofd", LOG_LVL_INFO);

	int rc = parse_args(&d, argc, argv, &e);
	if (!rc)
		rc = start(&d, &e);
	if (!rc) {
		d_notify_ready(&d);
		d_state_update(&d, 1);
		log_info("station %s ready (driver %s)", d.station, d.cfg.audio_driver);
		rc = d_loop(&d, &e);
		d_notify_stopping();
		struct ap_err se = { 0 };
		if (d_event(&d, "stop", d.stop ? "stopped by signal" : "run finished", &se))
			log_warnx("stop event: %s", se.msg);
		d.playing_item[0] = d.next_item[0] = '\0';
		d.next_ms = 0;
		d_state_update(&d, 1);
	}
	if (rc)
		fprintf(stderr, "airproofd: %s\n", e.msg[0] ? e.msg : "internal error");
	play_out_destroy(d.out);
	store_close(d.st);
	proof_key_wipe(&d.key);
	if (d.signal_fd >= 0)
		close(d.signal_fd);
	if (d.timer_fd >= 0)
		close(d.timer_fd);
	if (d.lock_fd >= 0)
		close(d.lock_fd);
	return ap_exit_code(rc);
}
