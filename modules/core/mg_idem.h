/*
 * mg_idem: Idempotency-Key for money-moving POSTs (money rule 6; the
 * semantics follow Stripe's idempotent requests,
 * https://docs.stripe.com/api/idempotent_requests, and the IETF draft
 * draft-ietf-httpapi-idempotency-key-header).
 *
 * A route with `idempotent = 1` in its table row gets this around its
 * handler (mg_serve.c). The key comes from the `Idempotency-Key` header,
 * or, when absent, from a top-level string member `idempotencyKey` of the
 * JSON body (the prepaid dialect's field). Keys are scoped to the caller's
 * workspace and stored in table idempotency_keys for 24 h (config
 * idempotency_ttl_seconds):
 *   - first use: the request runs; its answer (status, content type, body)
 *     is stored; 5xx answers are not stored (the key is freed for a retry);
 *   - same key, same method + path + body (SHA-256): the stored answer is
 *     sent again with `Idempotent-Replayed: true`;
 *   - same key, other request: 422 idempotency_error;
 *   - same key while the first request still runs: 409;
 *   - a key that is empty, longer than 255 bytes or not printable ASCII: 400.
 */
#ifndef MG_IDEM_H
#define MG_IDEM_H

#include <stddef.h>

#include "mg_ctx.h"

#define MG_IDEM_KEY_MAX		255
#define MG_IDEM_TTL_DEFAULT	86400
#define MG_IDEM_BODY_MAX	(256u * 1024u)

struct mg_idem {
	int	 active;		/* a key was claimed: finish must run */
	char	 key[MG_IDEM_KEY_MAX + 1];
};

/*
 * Before the handler: claim key (NULL: take it from the request as above;
 * no key at all → nothing to do). Returns 0 when the handler must run
 * (st->active says whether mg_idem_finish must record its answer), or the
 * HTTP status already answered (replay, 400, 409, 422, 500).
 */
int	mg_idem_begin(struct mg_ctx *, const char *key, struct mg_idem *st);
/* After the handler: store its answer (or free the key on 5xx). */
void	mg_idem_finish(struct mg_ctx *, struct mg_idem *st);

/* Pure: 1 when key is 1..255 printable ASCII bytes (0x21..0x7e and space). */
int	mg_idem_key_valid(const char *key, size_t len);
/* Pure: lowercase hex SHA-256 of method "\n" path "\n" body into out[65]. */
void	mg_idem_hash(const char *method, const char *path, const char *body,
	    size_t len, char out[65]);

/* Delete expired keys, at most limit. Returns the number deleted or -1. */
int	mg_idem_reap(struct db_conn *, int limit);

#endif
