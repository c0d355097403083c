/* libFuzzer harness: query/form decoding (fcgi_form_parse). */
#include <stddef.h>
#include <stdint.h>

#include "mg_arena.h"
#include "fcgi_req.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mg_arena a;
	static int init;
	struct mg_kv kv[MG_MAX_QUERY];

	if (!init && mg_arena_init(&a, 65536) == 0)
		init = 1;
	(void)fcgi_form_parse((const char *)data, size, &a, kv, MG_MAX_QUERY);
	mg_arena_reset(&a);
	return 0;
}
