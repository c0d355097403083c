/* libFuzzer harness: Authorization header and API key parsing. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth_key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char hash[AUTH_KEY_HASH_LEN];
	const char *tok;
	size_t toklen;
	char *s = malloc(size + 1);

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (auth_bearer_parse(s, &tok, &toklen) == AUTH_BEARER_OK)
		(void)auth_key_parse(tok, toklen, hash);
	(void)auth_key_parse((const char *)data, size, hash);
	free(s);
	return 0;
}
