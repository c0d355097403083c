/*
 * Unit tests for the catalog pool's pure helpers: list cursors (encode,
 * decode, every rejection rule), UUID path ids, card types and card URLs.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mgtest.h"
#include "mg_crypto.h"
#include "catalog_cards.h"
#include "catalog_http.h"
#include "catalog_price.h"
#include <json-c/json.h>

static void
test_cursor_roundtrip(void)
{
	static const int64_t pos[] = { 1, 9, 10, 12345, 4294967296LL, INT64_MAX };
	char buf[CATALOG_CURSOR_MAX];
	int64_t back;
	size_t i;

	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(catalog_cursor_encode(pos[i], buf,
		    sizeof(buf)), 0);
		CU_ASSERT_TRUE(strlen(buf) > 0 && strlen(buf) < CATALOG_CURSOR_MAX);
		/* Opaque: no plain digits of the position are the whole cursor. */
		CU_ASSERT_PTR_NULL(strchr(buf, '='));
		back = 0;
		CU_ASSERT_EQUAL(catalog_cursor_decode(buf, &back), 0);
		CU_ASSERT_EQUAL(back, pos[i]);
	}
}

static void
test_cursor_known_encoding(void)
{
	char buf[CATALOG_CURSOR_MAX];

	/* base64url("c1.4") without padding. */
	CU_ASSERT_EQUAL(catalog_cursor_encode(4, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "YzEuNA");
}

static void
test_cursor_encode_rejects_nonpositive(void)
{
	char buf[CATALOG_CURSOR_MAX];

	CU_ASSERT_EQUAL(catalog_cursor_encode(0, buf, sizeof(buf)), -1);
	CU_ASSERT_EQUAL(catalog_cursor_encode(-7, buf, sizeof(buf)), -1);
}

static void
test_cursor_encode_rejects_small_buffer(void)
{
	char buf[4];

	CU_ASSERT_EQUAL(catalog_cursor_encode(12345, buf, sizeof(buf)), -1);
}

static int
dec(const char *s)
{
	int64_t p;

	return catalog_cursor_decode(s, &p);
}

static void
test_cursor_decode_rejects_empty_and_null(void)
{
	CU_ASSERT_EQUAL(dec(""), -1);
	CU_ASSERT_EQUAL(dec(NULL), -1);
}

static void
test_cursor_decode_rejects_non_base64(void)
{
	CU_ASSERT_EQUAL(dec("!!!!"), -1);
	CU_ASSERT_EQUAL(dec("YzEu NA"), -1);
	CU_ASSERT_EQUAL(dec("zzz"), -1);
}

static void
test_cursor_decode_rejects_padding(void)
{
	/* Standard padding is not what encode writes. */
	CU_ASSERT_EQUAL(dec("YzEuNA=="), -1);
}

static void
test_cursor_decode_rejects_wrong_prefix(void)
{
	/* base64url("c2.5") and base64url("foo"). */
	CU_ASSERT_EQUAL(dec("YzIuNQ"), -1);
	CU_ASSERT_EQUAL(dec("Zm9v"), -1);
}

static void
test_cursor_decode_rejects_zero_and_negative(void)
{
	/* base64url("c1.0"), base64url("c1.-5"). */
	CU_ASSERT_EQUAL(dec("YzEuMA"), -1);
	CU_ASSERT_EQUAL(dec("YzEuLTU"), -1);
}

static void
test_cursor_decode_rejects_prefix_only(void)
{
	/* base64url("c1."). */
	CU_ASSERT_EQUAL(dec("YzEu"), -1);
}

static void
test_cursor_decode_rejects_trailing_junk(void)
{
	char b[64];

	/* base64url("c1.5x") */
	mg_b64url((const unsigned char *)"c1.5x", 5, b, sizeof(b));
	CU_ASSERT_EQUAL(dec(b), -1);
	/* base64url("c1.05"): a leading zero is not canonical. */
	mg_b64url((const unsigned char *)"c1.05", 5, b, sizeof(b));
	CU_ASSERT_EQUAL(dec(b), -1);
}

static void
test_cursor_decode_rejects_overflow(void)
{
	char b[64];

	mg_b64url((const unsigned char *)"c1.9223372036854775808", 22, b,
	    sizeof(b));
	CU_ASSERT_EQUAL(dec(b), -1);
}

static void
test_cursor_decode_rejects_too_long(void)
{
	char b[CATALOG_CURSOR_MAX + 8];

	memset(b, 'A', sizeof(b) - 1);
	b[sizeof(b) - 1] = '\0';
	CU_ASSERT_EQUAL(dec(b), -1);
}

static void
test_uuid_valid(void)
{
	char id[37];

	mg_uuid(id);
	CU_ASSERT_TRUE(catalog_uuid_valid(id));
	CU_ASSERT_TRUE(catalog_uuid_valid("00000000-0000-4000-8000-000000000000"));
}

static void
test_uuid_rejects(void)
{
	CU_ASSERT_FALSE(catalog_uuid_valid(NULL));
	CU_ASSERT_FALSE(catalog_uuid_valid(""));
	CU_ASSERT_FALSE(catalog_uuid_valid("not-a-uuid"));
	/* uppercase, wrong dash position, too long, non-hex */
	CU_ASSERT_FALSE(catalog_uuid_valid("ABCDEF00-0000-4000-8000-000000000000"));
	CU_ASSERT_FALSE(catalog_uuid_valid("000000000-000-4000-8000-000000000000"));
	CU_ASSERT_FALSE(catalog_uuid_valid("00000000-0000-4000-8000-0000000000000"));
	CU_ASSERT_FALSE(catalog_uuid_valid("g0000000-0000-4000-8000-000000000000"));
	CU_ASSERT_FALSE(catalog_uuid_valid("00000000-0000-4000-8000-00000000000'"));
}

static void
test_card_types(void)
{
	CU_ASSERT_TRUE(catalog_card_type_known("character"));
	CU_ASSERT_TRUE(catalog_card_type_known("location"));
	CU_ASSERT_TRUE(catalog_card_type_known("note"));
	CU_ASSERT_FALSE(catalog_card_type_known("spaceship"));
	CU_ASSERT_FALSE(catalog_card_type_known("Character"));
	CU_ASSERT_FALSE(catalog_card_type_known(""));
	CU_ASSERT_FALSE(catalog_card_type_known(NULL));
}

static void
test_card_url_valid(void)
{
	CU_ASSERT_TRUE(catalog_url_valid("https://example.com/a.png"));
	CU_ASSERT_TRUE(catalog_url_valid("http://cdn.example.com"));
}

static void
test_card_url_rejects(void)
{
	char longurl[2100];

	CU_ASSERT_FALSE(catalog_url_valid(NULL));
	CU_ASSERT_FALSE(catalog_url_valid("javascript:alert(1)"));
	CU_ASSERT_FALSE(catalog_url_valid("ftp://example.com/x"));
	CU_ASSERT_FALSE(catalog_url_valid("https://"));
	CU_ASSERT_FALSE(catalog_url_valid("https:///path"));
	CU_ASSERT_FALSE(catalog_url_valid("https://exa mple.com"));
	CU_ASSERT_FALSE(catalog_url_valid("https://example.com/\n"));
	memcpy(longurl, "https://", 8);
	memset(longurl + 8, 'a', sizeof(longurl) - 9);
	longurl[sizeof(longurl) - 1] = '\0';
	CU_ASSERT_FALSE(catalog_url_valid(longurl));
}

/* ---- "character" body shape (POST /v1/characters) ---------------------- */

static enum catalog_price_err
char_body(const char *json, struct catalog_price_req *r, char *err, size_t n)
{
	json_object *o = json_tokener_parse(json);
	enum catalog_price_err e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	e = catalog_price_req_from_json("character", o, r, err, n);
	json_object_put(o);
	return e;
}

static void
test_character_shape_prices_training(void)
{
	struct catalog_price_req r;
	struct catalog_quote q;
	struct catalog *c;
	char err[256];

	CU_ASSERT_EQUAL(char_body("{\"name\":\"Ann\",\"image_urls\":"
	    "[\"https://e.com/a.png\",\"http://e.com/b.png\"],\"attributes\":{}}",
	    &r, err, sizeof(err)), CATALOG_PRICE_OK);
	CU_ASSERT_EQUAL(r.kind, CATALOG_KIND_TRAINING);
	CU_ASSERT_EQUAL(r.count, 1);
	CU_ASSERT_EQUAL_FATAL(catalog_load_file(CATALOG_DEFAULT_PATH, &c, err,
	    sizeof(err)), CATALOG_OK);
	CU_ASSERT_EQUAL(catalog_price(c, &r, &q), CATALOG_PRICE_OK);
	/* character/train: $2.00 per training job (config/catalog/README.md). */
	CU_ASSERT_EQUAL(q.total_micros, 2000000);
	CU_ASSERT_STRING_EQUAL(q.model->id, "character/train");
	catalog_free(c);
}

#define CHAR_BAD(json, field) do { \
	struct catalog_price_req r_; \
	char e_[256]; \
	CU_ASSERT_EQUAL(char_body(json, &r_, e_, sizeof(e_)), \
	    CATALOG_PRICE_E_BAD_FIELD); \
	CU_ASSERT_PTR_NOT_NULL(strstr(e_, field)); \
} while (0)

static void
test_character_shape_missing_name(void)
{
	CHAR_BAD("{\"image_urls\":[\"https://e.com/a\"]}", "name");
}

static void
test_character_shape_empty_name(void)
{
	CHAR_BAD("{\"name\":\"\",\"image_urls\":[\"https://e.com/a\"]}", "name");
}

static void
test_character_shape_long_name(void)
{
	char b[300];

	snprintf(b, sizeof(b), "{\"name\":\"%0121d\",\"image_urls\":"
	    "[\"https://e.com/a\"]}", 0);
	CHAR_BAD(b, "name");
}

static void
test_character_shape_missing_urls(void)
{
	CHAR_BAD("{\"name\":\"Ann\"}", "image_urls");
}

static void
test_character_shape_zero_and_six_urls(void)
{
	CHAR_BAD("{\"name\":\"Ann\",\"image_urls\":[]}", "image_urls");
	CHAR_BAD("{\"name\":\"Ann\",\"image_urls\":[\"https://e/1\",\"https://e/2\","
	    "\"https://e/3\",\"https://e/4\",\"https://e/5\",\"https://e/6\"]}",
	    "image_urls");
}

static void
test_character_shape_bad_url_items(void)
{
	CHAR_BAD("{\"name\":\"Ann\",\"image_urls\":[\"ftp://e.com/a\"]}", "image_urls");
	CHAR_BAD("{\"name\":\"Ann\",\"image_urls\":[42]}", "image_urls");
	CHAR_BAD("{\"name\":\"Ann\",\"image_urls\":\"https://e.com/a\"}", "image_urls");
}

static void
test_character_shape_attributes_not_object(void)
{
	CHAR_BAD("{\"name\":\"Ann\",\"image_urls\":[\"https://e.com/a\"],"
	    "\"attributes\":[1]}", "attributes");
}

static const struct mgt_case character_cases[] = {
	{ "character body: priced as one character/train job", test_character_shape_prices_training },
	{ "character body: missing name", test_character_shape_missing_name },
	{ "character body: empty name", test_character_shape_empty_name },
	{ "character body: name over 120", test_character_shape_long_name },
	{ "character body: missing image_urls", test_character_shape_missing_urls },
	{ "character body: 0 or 6 image_urls", test_character_shape_zero_and_six_urls },
	{ "character body: image_urls items not http(s) strings", test_character_shape_bad_url_items },
	{ "character body: attributes not an object", test_character_shape_attributes_not_object },
	{ NULL, NULL }
};

static const struct mgt_case cursor_cases[] = {
	{ "cursor round trip", test_cursor_roundtrip },
	{ "cursor known encoding", test_cursor_known_encoding },
	{ "cursor encode rejects position <= 0", test_cursor_encode_rejects_nonpositive },
	{ "cursor encode rejects a small buffer", test_cursor_encode_rejects_small_buffer },
	{ "cursor decode rejects empty and NULL", test_cursor_decode_rejects_empty_and_null },
	{ "cursor decode rejects non-base64url", test_cursor_decode_rejects_non_base64 },
	{ "cursor decode rejects padding", test_cursor_decode_rejects_padding },
	{ "cursor decode rejects a wrong prefix", test_cursor_decode_rejects_wrong_prefix },
	{ "cursor decode rejects zero and negative", test_cursor_decode_rejects_zero_and_negative },
	{ "cursor decode rejects the prefix alone", test_cursor_decode_rejects_prefix_only },
	{ "cursor decode rejects trailing junk and leading zeros", test_cursor_decode_rejects_trailing_junk },
	{ "cursor decode rejects int64 overflow", test_cursor_decode_rejects_overflow },
	{ "cursor decode rejects an over-long cursor", test_cursor_decode_rejects_too_long },
	{ NULL, NULL }
};

static const struct mgt_case id_cases[] = {
	{ "uuid accepts canonical ids", test_uuid_valid },
	{ "uuid rejects everything else", test_uuid_rejects },
	{ "card types: known and unknown", test_card_types },
	{ "card urls: http(s) accepted", test_card_url_valid },
	{ "card urls: other schemes, no host, spaces, control bytes, too long", test_card_url_rejects },
	{ NULL, NULL }
};

int
main(void)
{
	mg_crypto_init();
	mgt_suite("catalogapi_cursor", NULL, NULL, cursor_cases);
	mgt_suite("catalogapi_ids", NULL, NULL, id_cases);
	mgt_suite("catalogapi_character_body", NULL, NULL, character_cases);
	return mgt_run();
}
