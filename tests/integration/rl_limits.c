/*
 * nginx rate limits (run by tests/it.sh with limits ON): per-IP write
 * zone answers 429 with Retry-After and the dialect's JSON error; reads
 * are counted separately and still pass.
 */
#include <stdio.h>
#include <string.h>

#include "it.h"
#include "mgtest.h"

static void
test_writes_limited_429(void)
{
	struct it_resp r;
	char ra[32];
	int i, got429 = 0, other = 0;

	for (i = 0; i < 120 && !got429; i++) {
		it_post(&r, "/v1/me", NULL, "{}");
		if (r.status == 429) {
			got429 = 1;
			CU_ASSERT_EQUAL(it_header(&r, "Retry-After", ra, sizeof(ra)), 0);
			CU_ASSERT_TRUE(strlen(ra) > 0);
			CU_ASSERT_STRING_EQUAL(it_str(&r, "error.code"), "rate_limited");
		} else if (r.status != 405 && r.status != 401)
			other++;
		it_free(&r);
	}
	CU_ASSERT_TRUE(got429);
	CU_ASSERT_EQUAL(other, 0);
}

static void
test_reads_counted_separately(void)
{
	struct it_resp r;
	int i, ok = 0;

	/* Right after the write zone filled up, reads still pass. */
	for (i = 0; i < 40; i++) {
		it_get(&r, "/health", NULL);
		ok += r.status == 200;
		it_free(&r);
	}
	CU_ASSERT_EQUAL(ok, 40);
}

static const struct mgt_case cases[] = {
	{ "writes_limited_429", test_writes_limited_429 },
	{ "reads_counted_separately", test_reads_counted_separately },
	{ NULL, NULL }
};

int
main(void)
{
	mgt_suite("rate_limits", NULL, NULL, cases);
	return mgt_run();
}
