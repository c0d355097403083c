/*
 * gen_link: signed, expiring download links for job outputs, checked by
 * nginx's secure_link module (nginx/mg_files.conf.in):
 *
 *   /files/<path>?expires=<unix>&md5=<m>
 *   m = base64url-no-padding(MD5("<expires>/files/<path> <link_secret>"))
 *
 * The secret is config key link_secret (env MG_LINK_SECRET, or the first
 * line of the file MG_LINK_SECRET_FILE, which tools/stack.sh exports).
 * Used by the HTTP routes and by the dispatcher (callback bodies).
 */
#ifndef GEN_LINK_H
#define GEN_LINK_H

#include <stddef.h>
#include <stdint.h>

/* Minimum validity of a prepaid output link (003: "guaranteed for 48 h"). */
#define GEN_LINK_MIN_TTL	(48 * 3600)

enum gen_link_err {
	GEN_LINK_OK = 0,
	GEN_LINK_E_NO_SECRET,	/* link_secret not configured */
	GEN_LINK_E_PATH,	/* path empty, absolute, "..", or unsafe chars */
	GEN_LINK_E_SPACE,	/* out too small */
	GEN_LINK__MAX
};

const char	*gen_link_strerror(enum gen_link_err);

/*
 * Write "/files/<path>?expires=<expires>&md5=<m>" into out. path is
 * relative to outputs_dir ("<job id>/out0.png") and may hold only
 * [A-Za-z0-9._-/] with no ".." segment (so it needs no URL escaping and
 * nginx's $uri equals what was signed).
 */
enum gen_link_err gen_link_sign(const char *path, int64_t expires,
		    char *out, size_t cap);

/* Same with an explicit secret (tests, tools). */
enum gen_link_err gen_link_sign_with(const char *secret, const char *path,
		    int64_t expires, char *out, size_t cap);

/*
 * Expiry for a link made now: now + max(config link_ttl, min_ttl), where
 * min_ttl is GEN_LINK_MIN_TTL for prepaid and 0 otherwise.
 */
int64_t		 gen_link_expires(int64_t now, int64_t min_ttl);

#endif
