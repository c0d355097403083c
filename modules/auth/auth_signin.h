/*
 * auth_signin: people without a password — prepaid e-mail one-time codes
 * (seed 003 /api/v1/auth/email/start|verify) and Google ID tokens
 * (/api/v1/auth/google, and POST /api/v1/keys bootstrap). Each success
 * mints a prepaid API key for the person's workspace; the first sign-in of
 * an address creates the user, a tenant, a workspace and the membership.
 */
#ifndef AUTH_SIGNIN_H
#define AUTH_SIGNIN_H

#include "auth_keys.h"
#include "mg_ctx.h"

struct db_conn;

/* A person and the workspace their sign-ins act for. */
struct auth_account {
	char	 user_id[37];
	char	 workspace_id[37];
	int	 created;		/* 1: this call created the user */
};

/*
 * Find the user with this (normalised) e-mail, or create one with a new
 * tenant + workspace (owner) + wallet. 0 ok, 1 the user is disabled,
 * -1 database error.
 */
int	auth_account_ensure(struct db_conn *, const char *email,
	    struct auth_account *out);

/*
 * Verify a Google ID token (RS256 against the JWKS at config
 * google_jwks_url, fetched with libcurl and cached google_jwks_ttl_s,
 * audience google_client_id), require a verified e-mail, and find or create
 * its account. 0 ok, else the status already answered (401/503/500).
 */
int	auth_google_account(struct mg_ctx *, const char *token,
	    struct auth_account *out);

/*
 * Mint a prepaid key with every scope for an account (label def when NULL)
 * and answer 200 {key, keyId, userId, workspaceId}.
 */
int	auth_reply_account_key(struct mg_ctx *, const struct auth_account *,
	    const char *label);

int	auth_h_email_start(struct mg_ctx *);	/* POST /api/v1/auth/email/start */
int	auth_h_email_verify(struct mg_ctx *);	/* POST /api/v1/auth/email/verify */
int	auth_h_google(struct mg_ctx *);		/* POST /api/v1/auth/google */
/* Browser sessions instead of keys (auth_session.h cookie). */
int	auth_h_browser_email_verify(struct mg_ctx *);	/* POST /api/v1/auth/browser/email/verify */
int	auth_h_browser_google(struct mg_ctx *);		/* POST /api/v1/auth/browser/google */
int	auth_h_browser_session_get(struct mg_ctx *);	/* GET /api/v1/auth/browser/session */
int	auth_h_browser_session_delete(struct mg_ctx *);	/* DELETE /api/v1/auth/browser/session */

#endif
