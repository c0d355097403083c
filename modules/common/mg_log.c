#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "mg_buf.h"
#include "mg_log.h"

static const char	*log_module = "-";
static enum mg_log_level log_min = MG_LOG_INFO;
static char		 log_rid[72];
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void
mg_log_setup(const char *module, enum mg_log_level min)
{
	log_module = module;
	log_min = min;
}

void
mg_log_set_rid(const char *rid)
{
	snprintf(log_rid, sizeof(log_rid), "%s", rid ? rid : "");
}

static pid_t		 log_pid;	/* this process's, kept across fork() */

static void
pid_refresh(void)
{
	log_pid = getpid();
}

/* The pid for log lines without a system call per line: read once, and
   again in every child (fork handler) — worker pools and the dispatcher
   fork after logging has started. */
static pid_t
log_getpid(void)
{
	if (log_pid == 0) {
		pid_refresh();
		(void)pthread_atfork(NULL, NULL, pid_refresh);
	}
	return log_pid;
}

/* Start a line: {"ts":..,"level":..,"pid":..,"module":..,"rid":.. */
static void
line_start(struct mg_buf *b, enum mg_log_level lvl)
{
	static time_t last_sec = -1;
	static char ts[24];
	struct timeval tv;
	struct tm tm;
	char ms[8];

	/* The calendar part changes once a second: format it once. */
	gettimeofday(&tv, NULL);
	if (tv.tv_sec != last_sec) {
		last_sec = tv.tv_sec;
		gmtime_r(&tv.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	}
	ms[0] = '.';
	ms[1] = (char)('0' + tv.tv_usec / 100000);
	ms[2] = (char)('0' + tv.tv_usec / 10000 % 10);
	ms[3] = (char)('0' + tv.tv_usec / 1000 % 10);
	ms[4] = '\0';
	mg_buf_puts(b, "{\"ts\":\"");
	mg_buf_puts(b, ts);
	mg_buf_puts(b, ms);
	mg_buf_puts(b, "Z\",\"level\":\"");
	mg_buf_puts(b, level_names[lvl]);
	mg_buf_printf(b, "\",\"pid\":%d,\"module\":\"", (int)log_getpid());
	mg_buf_json_escape(b, log_module);
	mg_buf_puts(b, "\",\"rid\":\"");
	mg_buf_json_escape(b, log_rid);
	mg_buf_puts(b, "\"");
}

static void
line_end(struct mg_buf *b)
{
	mg_buf_puts(b, "}\n");
	if (!b->oom)
		(void)write(STDERR_FILENO, b->data, b->len);
	mg_buf_free(b);
}

void
mg_log(enum mg_log_level lvl, const char *fmt, ...)
{
	struct mg_buf b;
	char msg[1024];
	va_list ap;

	if (lvl < log_min)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mg_buf_init(&b, NULL);
	line_start(&b, lvl);
	mg_buf_puts(&b, ",\"msg\":\"");
	mg_buf_json_escape(&b, msg);
	mg_buf_puts(&b, "\"");
	line_end(&b);
}

void
mg_log_request(const char *method, const char *path, int status,
    int64_t dur_us, const char *workspace_id, const char *remote)
{
	struct mg_buf b;
	char small[512];

	/* A stack buffer: the request path must not allocate. */
	mg_buf_init_ext(&b, small, sizeof(small));
	line_start(&b, status >= 500 ? MG_LOG_ERROR : MG_LOG_INFO);
	mg_buf_puts(&b, ",\"msg\":\"request\",\"method\":\"");
	mg_buf_json_escape(&b, method);
	mg_buf_puts(&b, "\",\"path\":\"");
	mg_buf_json_escape(&b, path);
	mg_buf_printf(&b, "\",\"status\":%d,\"dur_us\":%lld,\"remote\":\"",
	    status, (long long)dur_us);
	mg_buf_json_escape(&b, remote ? remote : "");
	mg_buf_puts(&b, "\"");
	if (workspace_id != NULL && *workspace_id != '\0') {
		mg_buf_puts(&b, ",\"workspace\":\"");
		mg_buf_json_escape(&b, workspace_id);
		mg_buf_puts(&b, "\"");
	}
	mg_buf_puts(&b, "}\n");
	if (!b.oom)
		(void)write(STDERR_FILENO, b.data, b.len);
	mg_buf_free(&b);
}
