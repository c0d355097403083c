#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "db.h"
#include "dialect.h"
#include "mg_config.h"
#include "mg_util.h"
#include "mg_health.h"

/* GET /health: liveness only (no database), a constant body. */
int
health_h_basic(struct mg_ctx *c)
{
	static const char body[] = "{\"status\":\"ok\",\"service\":\"mediagate\"}";

	return mg_reply_raw(c, 200, "application/json", body, sizeof(body) - 1);
}

/* 1 when something accepts connections on the pool's unix socket. */
static int
pool_up(const char *module)
{
	struct sockaddr_un sa;
	int fd, ok;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.sock",
	    mg_cfg_str("run_dir", "var/run"), module);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 0;
	ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

/* GET /health/detailed: database, migration version, pools. 503 if any is down. */
int
health_h_detailed(struct mg_ctx *c)
{
	json_object *o = json_object_new_object(), *db, *pools;
	int64_t version = 0;
	int ok, all = 1;
	size_t i;

	ok = db_row(c->db, DB_HEALTH_VERSION, "", "i", &version) == DB_OK;
	all &= ok;
	db = json_object_new_object();
	json_object_object_add(db, "reachable", json_object_new_boolean(ok));
	json_object_object_add(db, "migration_version",
	    json_object_new_int64(version));
	pools = json_object_new_object();
	for (i = 0; i < MG_MOD__MAX; i++) {
		const char *m = mg_module_name((enum mg_module)i);
		int up = (enum mg_module)i == c->module ? 1 : pool_up(m);

		all &= up;
		json_object_object_add(pools, m, json_object_new_string(
		    up ? "up" : "down"));
	}
	json_object_object_add(o, "status",
	    json_object_new_string(all ? "ok" : "degraded"));
	json_object_object_add(o, "database", db);
	json_object_object_add(o, "pools", pools);
	return mg_reply_json(c, all ? 200 : 503, o);
}

/* GET /api/v1/health: the prepaid seed's HealthResponse. */
int
health_h_prepaid(struct mg_ctx *c)
{
	json_object *o = json_object_new_object(), *v, *sk;
	const char *base = mg_cfg_str("public_base_url", "http://127.0.0.1:8080");
	char ts[32], url[512];

	mg_fmt_time(time(NULL), ts, sizeof(ts));
	json_object_object_add(o, "status", json_object_new_string("ok"));
	json_object_object_add(o, "service", json_object_new_string("mediagate"));
	json_object_object_add(o, "timestamp", json_object_new_string(ts));
	v = json_object_new_object();
	json_object_object_add(v, "release", json_object_new_string(MG_RELEASE));
	json_object_object_add(v, "api", json_object_new_string(MG_API_VERSION));
	sk = json_object_new_object();
	json_object_object_add(sk, "name", json_object_new_string("mediagate"));
	json_object_object_add(sk, "version", json_object_new_string(MG_RELEASE));
	json_object_object_add(sk, "compatibleApiVersion",
	    json_object_new_string(MG_API_VERSION));
	json_object_object_add(sk, "compatibilityPolicy",
	    json_object_new_string("exact"));
	json_object_object_add(sk, "autoUpdate", json_object_new_boolean(0));
	snprintf(url, sizeof(url), "%s/skill/manifest.json", base);
	json_object_object_add(sk, "manifestUrl", json_object_new_string(url));
	snprintf(url, sizeof(url), "%s/skill/metadata.json", base);
	json_object_object_add(sk, "metadataUrl", json_object_new_string(url));
	snprintf(url, sizeof(url), "%s/skill/", base);
	json_object_object_add(sk, "rootUrl", json_object_new_string(url));
	snprintf(url, sizeof(url), "%s/skill/SKILL.md", base);
	json_object_object_add(sk, "entrypointUrl", json_object_new_string(url));
	json_object_object_add(v, "skill", sk);
	json_object_object_add(o, "version", v);
	return mg_reply_json(c, 200, o);
}
