/* libFuzzer harness: Stripe-Signature header parsing and verification. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pay_sig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const secrets[] = { "whsec_a", "whsec_b" };
	char *hdr = malloc(size + 1);

	if (hdr == NULL)
		return 0;
	memcpy(hdr, data, size);
	hdr[size] = '\0';
	(void)pay_stripe_verify(hdr, "{}", 2, secrets, 2, 1700000000, 300);
	free(hdr);
	return 0;
}
