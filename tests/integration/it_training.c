/*
 * Character training end to end with the local provider: POST
 * /v1/characters holds the quoted price, the dispatcher "trains" (a local
 * adapter file), the character becomes ready, the job succeeds and the
 * capture equals the hold.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "it.h"
#include "mgtest.h"

static struct it_ws W;

static int
setup(void)
{
	if (it_workspace(&W, "generate,read,admin", "studio") != 0)
		return 1;
	return it_mgctl_status("wallet grant %s 10.00 --reason it-training",
	    W.ws) == 0 ? 0 : 1;
}

static void
test_character_training_completes(void)
{
	static const char body[] = "{\"name\":\"Ada\",\"image_urls\":["
	    "\"https://example.com/a.png\",\"https://example.com/b.png\","
	    "\"https://example.com/c.png\",\"https://example.com/d.png\"]}";
	struct it_resp r;
	char cid[64], jid[64], path[160];
	long long hold;
	int i, ready = 0;

	it_post(&r, "/v1/characters", W.key, body);
	CU_ASSERT_EQUAL_FATAL(r.status, 202);
	CU_ASSERT_PTR_NOT_NULL_FATAL(it_str(&r, "character_id"));
	snprintf(cid, sizeof(cid), "%s", it_str(&r, "character_id"));
	snprintf(jid, sizeof(jid), "%s", it_str(&r, "job_id"));
	hold = it_int(&r, "estimated_cost_usd_micros", -1);
	CU_ASSERT_TRUE(hold > 0);
	it_free(&r);
	snprintf(path, sizeof(path), "/v1/characters/%s", cid);
	for (i = 0; i < 60 && !ready; i++) {
		it_get(&r, path, W.key);
		ready = it_str(&r, "status") != NULL &&
		    strcmp(it_str(&r, "status"), "ready") == 0;
		it_free(&r);
		if (!ready)
			usleep(250000);
	}
	CU_ASSERT_TRUE(ready);
	snprintf(path, sizeof(path), "/v1/jobs/%s", jid);
	it_get(&r, path, W.key);
	CU_ASSERT_STRING_EQUAL(it_str(&r, "status"), "completed");
	CU_ASSERT_EQUAL(it_int(&r, "charged_cost_usd_micros", -1), hold);
	it_free(&r);
	/* The wallet shows the hold and its capture. */
	it_get(&r, "/v1/wallet?limit=5", W.key);
	CU_ASSERT_EQUAL(it_int(&r, "balance.balance_micros", -1), 10000000 - hold);
	CU_ASSERT_EQUAL(it_int(&r, "balance.reserved_micros", -1), 0);
	it_free(&r);
}

static const struct mgt_case cases[] = {
	{ "character_training_completes", test_character_training_completes },
	{ NULL, NULL }
};

int
main(void)
{
	mgt_suite("training", setup, NULL, cases);
	return mgt_run();
}
