/*
 * libFuzzer harness: the OAuth server's parsers (redirect URI rules,
 * loopback port stripping, HTTP Basic client credentials, session cookie
 * ids, JWS shape).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth_oauth.h"
#include "auth_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[AUTH_OAUTH_URI_MAX + 1], id[65], sec[128];
	unsigned char raw[AUTH_SESSION_ID_BYTES];
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)auth_oauth_redirect_check(s);
	(void)auth_oauth_loopback_strip(s, out, sizeof(out));
	(void)auth_oauth_loopback_strip(s, out, 8);
	(void)auth_oauth_basic_parse(s, id, sizeof(id), sec, sizeof(sec));
	(void)auth_session_id_parse(s, strlen(s), raw);
	(void)auth_oauth_is_jws(s, strlen(s));
	free(s);
	return 0;
}
