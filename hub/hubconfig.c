/* The hub's libconfig file -> struct hub_config, in the style of
 * config/config.c: every key has a default and a range, unknown keys are
 * refused, errors say file:line. */
#include <arpa/inet.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/aptime.h"
#include "config/cfgfile.h"
#include "config/config.h"
#include "hub/hub.h"

void hub_config_defaults(struct hub_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1");
	c->port = 8080;
	snprintf(c->state_dir, sizeof(c->state_dir), "/var/lib/airproof-hub");
	snprintf(c->timezone, sizeof(c->timezone), "Asia/Ho_Chi_Minh");
	c->threads = 4;
	c->conn_timeout_s = 30;
	c->per_ip_limit = 32;
	c->late_days = 14;
}

const char *hub_config_resolve_path(const char *explicit_path)
{
	if (explicit_path && *explicit_path)
		return explicit_path;
	const char *env = getenv("AIRPROOF_HUB_CONFIG");
	if (env && *env)
		return env;
	return HUB_CONFIG_DEFAULT_PATH;
}

const struct hub_policy *hub_policy_for(const struct hub_config *c, const char *station,
                                        const char *group)
{
	for (int i = 0; i < c->n_policies; i++)
		if (c->policies[i].station[0] && !strcmp(c->policies[i].station, station))
			return &c->policies[i];
	for (int i = 0; i < c->n_policies; i++)
		if (!c->policies[i].station[0] && !strcmp(c->policies[i].group, group))
			return &c->policies[i];
	return NULL;
}

/* "18:00-21:00" -> minutes. */
static int parse_window(const char *w, int *start, int *end)
{
	char a[8], b[8];
	const char *dash = strchr(w, '-');
	if (!dash || dash - w >= (long)sizeof(a) || strlen(dash + 1) >= sizeof(b))
		return -1;
	memcpy(a, w, (size_t)(dash - w));
	a[dash - w] = '\0';
	snprintf(b, sizeof(b), "%s", dash + 1);
	if (time_parse_hhmm(a, start, NULL) || time_parse_hhmm(b, end, NULL) || *start == *end)
		return -1;
	return AP_OK;
}

static int load_hub_group(config_setting_t *g, struct hub_config *c, const char *file,
                          struct ap_err *e)
{
	int rc = AP_OK;
	for (int j = 0; j < config_setting_length(g) && !rc; j++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned)j);
		const char *n = config_setting_name(s);
		char full[80];
		snprintf(full, sizeof(full), "hub.%s", n);
		if (!strcmp(n, "listen")) {
			struct in_addr a;
			if (!(rc = cfg_get_str(s, full, c->listen, sizeof(c->listen), file, e)) &&
			    inet_pton(AF_INET, c->listen, &a) != 1)
				rc = cfg_bad(e, file, s, "%s: '%s' is not an IPv4 address", full,
				             c->listen);
		} else if (!strcmp(n, "port")) {
			rc = cfg_get_int(s, full, 0, 65535, &c->port, file, e);
		} else if (!strcmp(n, "state_dir")) {
			if (!(rc = cfg_get_str(s, full, c->state_dir, sizeof(c->state_dir), file,
			                       e)) &&
			    !c->state_dir[0])
				rc = cfg_bad(e, file, s, "%s: must not be empty", full);
		} else if (!strcmp(n, "db")) {
			rc = cfg_get_str(s, full, c->db_path, sizeof(c->db_path), file, e);
		} else if (!strcmp(n, "timezone")) {
			if (!(rc = cfg_get_str(s, full, c->timezone, sizeof(c->timezone), file,
			                       e)) &&
			    !tz_valid(c->timezone))
				rc = cfg_bad(e, file, s, "%s: unknown time zone '%s'", full,
				             c->timezone);
		} else if (!strcmp(n, "threads")) {
			rc = cfg_get_int(s, full, 1, 64, &c->threads, file, e);
		} else if (!strcmp(n, "connection_timeout")) {
			rc = cfg_get_int(s, full, 1, 3600, &c->conn_timeout_s, file, e);
		} else if (!strcmp(n, "per_ip_connections")) {
			rc = cfg_get_int(s, full, 1, 10000, &c->per_ip_limit, file, e);
		} else if (!strcmp(n, "late_sync_days")) {
			rc = cfg_get_int(s, full, 1, 3650, &c->late_days, file, e);
		} else {
			rc = cfg_bad(e, file, s, "unknown setting 'hub.%s'", n);
		}
	}
	return rc;
}

static int load_policy(config_setting_t *p, struct hub_policy *pol, const char *file,
                       struct ap_err *e)
{
	int rc = AP_OK;
	pol->per_week = 1;
	pol->win_start = pol->win_end = -1;
	if (config_setting_type(p) != CONFIG_TYPE_GROUP)
		return cfg_bad(e, file, p,
		               "policies: each entry is a group { group = \"...\"; ... }");
	for (int j = 0; j < config_setting_length(p) && !rc; j++) {
		config_setting_t *s = config_setting_get_elem(p, (unsigned)j);
		const char *n = config_setting_name(s);
		char full[80], win[32];
		snprintf(full, sizeof(full), "policies.%s", n);
		if (!strcmp(n, "group"))
			rc = cfg_get_str(s, full, pol->group, sizeof(pol->group), file, e);
		else if (!strcmp(n, "station"))
			rc = cfg_get_str(s, full, pol->station, sizeof(pol->station), file, e);
		else if (!strcmp(n, "campaign"))
			rc = cfg_get_str(s, full, pol->campaign, sizeof(pol->campaign), file, e);
		else if (!strcmp(n, "per_week"))
			rc = cfg_get_int(s, full, 1, 1000, &pol->per_week, file, e);
		else if (!strcmp(n, "window")) {
			if (!(rc = cfg_get_str(s, full, win, sizeof(win), file, e)) &&
			    parse_window(win, &pol->win_start, &pol->win_end))
				rc = cfg_bad(e, file, s, "%s: '%s' is not HH:MM-HH:MM", full, win);
		} else
			rc = cfg_bad(e, file, s, "unknown setting '%s'", full);
	}
	if (rc)
		return rc;
	if (!pol->campaign[0])
		return cfg_bad(e, file, p, "policies: campaign is required");
	if (!pol->group[0] == !pol->station[0])
		return cfg_bad(e, file, p, "policies: give exactly one of group or station");
	return AP_OK;
}

int hub_config_load(const char *path, int required, struct hub_config *c, struct ap_err *e)
{
	config_t cf;
	int rc = AP_OK;

	hub_config_defaults(c);
	if (access(path, F_OK) != 0) {
		if (required)
			return ap_err_user(e, "%s: config file not found", path);
		goto paths;
	}
	if ((rc = cfg_read(&cf, path, e)))
		return rc;
	config_setting_t *root = config_root_setting(&cf);
	for (int i = 0; i < config_setting_length(root) && !rc; i++) {
		config_setting_t *g = config_setting_get_elem(root, (unsigned)i);
		const char *n = config_setting_name(g);
		if (!strcmp(n, "hub")) {
			if (config_setting_type(g) != CONFIG_TYPE_GROUP)
				rc = cfg_bad(e, path, g, "hub: expected a group { ... }");
			else
				rc = load_hub_group(g, c, path, e);
		} else if (!strcmp(n, "policies")) {
			int t = config_setting_type(g);
			if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY) {
				rc = cfg_bad(e, path, g,
				             "policies: expected a list ( { ... }, ... )");
				break;
			}
			for (int j = 0; j < config_setting_length(g) && !rc; j++) {
				config_setting_t *p = config_setting_get_elem(g, (unsigned)j);
				if (c->n_policies == HUB_MAX_POLICIES)
					rc = cfg_bad(e, path, p, "policies: more than %d",
					             HUB_MAX_POLICIES);
				else
					rc = load_policy(p, &c->policies[c->n_policies++], path, e);
			}
		} else {
			rc = cfg_bad(e, path, g, "unknown setting '%s'", n);
		}
	}
	if (!rc)
		snprintf(c->path, sizeof(c->path), "%s", path);
	config_destroy(&cf);
	if (rc) {
		hub_config_defaults(c);
		return rc;
	}
paths:
	if (!c->db_path[0] && snprintf(c->db_path, sizeof(c->db_path), "%s/hub.db", c->state_dir) >=
	                          (int)sizeof(c->db_path))
		return ap_err_user(e, "%s: hub.state_dir is too long", path);
	return AP_OK;
}
