/* libFuzzer harness: the request body JSON parser (mg_json_parse). */
#include <stddef.h>
#include <stdint.h>

#include "mg_ctx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_object *o = mg_json_parse((const char *)data, size, MG_JSON_MAX_DEPTH);

	json_object_put(o);
	return 0;
}
