/*
 * libFuzzer harness: prepaid inline sources (gen_media_decode: data URIs,
 * base64, size caps, MIME sniffing) and output link paths (gen_link).
 * The input is split at the first NUL: the dataBase64 string, then the
 * declared mimeType (may be empty).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "gen_link.h"
#include "gen_media.h"
#include "mg_arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mg_arena a;
	static int init;
	struct gen_media_src s;
	const uint8_t *nul = memchr(data, 0, size);
	size_t n1 = nul ? (size_t)(nul - data) : size;
	json_object *o;
	char err[256], link[700], path[512];

	if (!init && mg_arena_init(&a, 65536) == 0)
		init = 1;
	o = json_object_new_object();
	json_object_object_add(o, "dataBase64",
	    json_object_new_string_len((const char *)data, (int)n1));
	if (nul != NULL)
		json_object_object_add(o, "mimeType", json_object_new_string_len(
		    (const char *)nul + 1, (int)(size - n1 - 1)));
	memset(&s, 0, sizeof(s));
	memcpy(s.field, "src", 4);
	(void)gen_media_decode(&a, GEN_MEDIA_IMAGE, o, &s, err, sizeof(err));
	(void)gen_media_decode(&a, GEN_MEDIA_AUDIO, o, &s, err, sizeof(err));
	(void)gen_media_sniff(data, size);
	json_object_put(o);
	if (n1 < sizeof(path)) {
		memcpy(path, data, n1);
		path[n1] = '\0';
		(void)gen_link_sign_with("secret", path, 1700000000, link,
		    sizeof(link));
	}
	mg_arena_reset(&a);
	return 0;
}
