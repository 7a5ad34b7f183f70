/* Telling systemd and 'airproof status' what the daemon is doing:
 * sd_notify READY/STATUS/WATCHDOG/STOPPING and the daemon_state row. Both
 * are best effort: a failure is logged, never fatal, because playout must
 * go on when the status cannot be shown. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "common/aptime.h"
#include "daemon/daemon.h"
#include "store/store.h"

void d_notify_ready(struct daemon *d)
{
	uint64_t usec = 0;
	if (sd_watchdog_enabled(0, &usec) > 0)
		d->watchdog_usec = (int64_t)usec;
	sd_notify(0, "READY=1");
}

void d_notify_status(const char *fmt, ...)
{
	char line[600];
	va_list ap;
	va_start(ap, fmt);
	int n = snprintf(line, sizeof(line), "STATUS=");
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	sd_notify(0, line);
}

void d_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void d_watchdog(struct daemon *d)
{
	if (d->watchdog_usec <= 0)
		return;
	int64_t now = time_mono_ms();
	if (now - d->last_watchdog_mono_ms >= d->watchdog_usec / 2000) {
		sd_notify(0, "WATCHDOG=1");
		d->last_watchdog_mono_ms = now;
	}
}

void d_state_update(struct daemon *d, int force)
{
	static struct store_daemon_state last;
	struct store_daemon_state ds;
	struct ap_err e = { 0 };
	int64_t now = time_mono_ms();

	memset(&ds, 0, sizeof(ds));
	ds.pid = getpid();
	ds.started_ms = d->started_ms;
	snprintf(ds.playing_item, sizeof(ds.playing_item), "%s", d->playing_item);
	snprintf(ds.next_item, sizeof(ds.next_item), "%s", d->next_item);
	ds.next_ms = d->next_ms;
	snprintf(ds.last_error, sizeof(ds.last_error), "%s", d->last_error);
	ds.updated_ms = last.updated_ms;
	if (!force && !memcmp(&ds, &last, sizeof(ds)) && now - d->last_state_mono_ms < D_STATE_MS)
		return;
	ds.updated_ms = time_now_ms();
	if (store_begin(d->st, &e) || store_daemon_state_set(d->st, &ds, &e) ||
	    store_commit(d->st, &e)) {
		store_rollback(d->st);
		log_warnx("daemon state not saved: %s", e.msg);
		return;
	}
	last = ds;
	d->last_state_mono_ms = now;
}
