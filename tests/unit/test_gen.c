/*
 * test_gen: the pure parts of the job module: signed links (nginx
 * secure_link_md5), MIME sniffing and normalisation of inline sources, the
 * PCRE2 prompt blocklist, job state names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen_guard.h"
#include "gen_job.h"
#include "gen_link.h"
#include "gen_media.h"
#include "mg_arena.h"
#include "mg_crypto.h"
#include "mgtest.h"

static int
init(void)
{
	return mg_crypto_init();
}

/* Expected value from python3: base64url(md5(b"1700000000/files/abc/out0.png s3cret")). */
static void
test_link_sign_known_value(void)
{
	char out[256];

	CU_ASSERT_EQUAL(gen_link_sign_with("s3cret", "abc/out0.png", 1700000000,
	    out, sizeof(out)), GEN_LINK_OK);
	CU_ASSERT_STRING_EQUAL(out, "/files/abc/out0.png?expires=1700000000"
	    "&md5=-4siydpBO0zlJFT3YqKbWQ");
}

static void
test_link_secret_changes_signature(void)
{
	char a[256], b[256];

	CU_ASSERT_EQUAL(gen_link_sign_with("s3cret", "abc/out0.png", 1700000000,
	    a, sizeof(a)), GEN_LINK_OK);
	CU_ASSERT_EQUAL(gen_link_sign_with("other", "abc/out0.png", 1700000000,
	    b, sizeof(b)), GEN_LINK_OK);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(gen_link_sign_with("s3cret", "abc/out0.png", 1700000001,
	    b, sizeof(b)), GEN_LINK_OK);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
}

static void
test_link_rejects_unsafe_paths(void)
{
	char out[256];

	CU_ASSERT_EQUAL(gen_link_sign_with("s", "../etc/passwd", 1, out,
	    sizeof(out)), GEN_LINK_E_PATH);
	CU_ASSERT_EQUAL(gen_link_sign_with("s", "/abs/path.png", 1, out,
	    sizeof(out)), GEN_LINK_E_PATH);
	CU_ASSERT_EQUAL(gen_link_sign_with("s", "a b.png", 1, out, sizeof(out)),
	    GEN_LINK_E_PATH);
	CU_ASSERT_EQUAL(gen_link_sign_with("s", "a?x=1", 1, out, sizeof(out)),
	    GEN_LINK_E_PATH);
	CU_ASSERT_EQUAL(gen_link_sign_with("s", "a//b", 1, out, sizeof(out)),
	    GEN_LINK_E_PATH);
	CU_ASSERT_EQUAL(gen_link_sign_with("s", "", 1, out, sizeof(out)),
	    GEN_LINK_E_PATH);
	CU_ASSERT_EQUAL(gen_link_sign_with("", "a.png", 1, out, sizeof(out)),
	    GEN_LINK_E_NO_SECRET);
	CU_ASSERT_EQUAL(gen_link_sign_with("s", "a.png", 1, out, 10),
	    GEN_LINK_E_SPACE);
}

static void
test_link_expiry_at_least_min_ttl(void)
{
	setenv("MG_LINK_TTL", "3600", 1);
	CU_ASSERT_EQUAL(gen_link_expires(1000, GEN_LINK_MIN_TTL),
	    1000 + GEN_LINK_MIN_TTL);
	CU_ASSERT_EQUAL(gen_link_expires(1000, 0), 1000 + 3600);
	setenv("MG_LINK_TTL", "200000", 1);
	CU_ASSERT_EQUAL(gen_link_expires(1000, GEN_LINK_MIN_TTL), 1000 + 200000);
	unsetenv("MG_LINK_TTL");
}

static void
test_sniff_magic_bytes(void)
{
	static const unsigned char png[] = "\x89PNG\r\n\x1a\n\0\0";
	static const unsigned char jpg[] = "\xff\xd8\xff\xe0";
	static const unsigned char webp[] = "RIFF\0\0\0\0WEBPVP8 ";
	static const unsigned char wav[] = "RIFF\0\0\0\0WAVEfmt ";
	static const unsigned char id3[] = "ID3\x04\0";
	static const unsigned char mp3[] = "\xff\xfb\x90\x00";
	static const unsigned char ogg[] = "OggS\0";
	static const unsigned char flac[] = "fLaC\0";
	static const unsigned char mp4[] = "\0\0\0\x20" "ftypM4A ";
	static const unsigned char aac[] = "\xff\xf1\x50\x80";
	static const unsigned char gif[] = "GIF89a";
	static const unsigned char riff_avi[] = "RIFF\0\0\0\0AVI LIST";

	CU_ASSERT_STRING_EQUAL(gen_media_sniff(png, 8), "image/png");
	CU_ASSERT_STRING_EQUAL(gen_media_sniff(jpg, 4), "image/jpeg");
	CU_ASSERT_STRING_EQUAL(gen_media_sniff(webp, 12), "image/webp");
	CU_ASSERT_STRING_EQUAL(gen_media_sniff(wav, 12), "audio/wav");
	CU_ASSERT_STRING_EQUAL(gen_media_sniff(id3, 5), "audio/mpeg");
	CU_ASSERT_STRING_EQUAL(gen_media_sniff(mp3, 4), "audio/mpeg");
	CU_ASSERT_STRING_EQUAL(gen_media_sniff(ogg, 5), "audio/ogg");
	CU_ASSERT_STRING_EQUAL(gen_media_sniff(flac, 5), "audio/flac");
	CU_ASSERT_STRING_EQUAL(gen_media_sniff(mp4, 12), "audio/mp4");
	CU_ASSERT_STRING_EQUAL(gen_media_sniff(aac, 4), "audio/aac");
	CU_ASSERT_PTR_NULL(gen_media_sniff(gif, 6));
	CU_ASSERT_PTR_NULL(gen_media_sniff(riff_avi, 12));
	CU_ASSERT_PTR_NULL(gen_media_sniff(png, 4));	/* truncated */
	CU_ASSERT_PTR_NULL(gen_media_sniff(png, 0));
}

static void
test_mime_normalise(void)
{
	CU_ASSERT_STRING_EQUAL(gen_media_normalise(GEN_MEDIA_IMAGE, "image/jpg"),
	    "image/jpeg");
	CU_ASSERT_STRING_EQUAL(gen_media_normalise(GEN_MEDIA_AUDIO, "audio/x-wav"),
	    "audio/wav");
	CU_ASSERT_STRING_EQUAL(gen_media_normalise(GEN_MEDIA_AUDIO, "audio/mp3"),
	    "audio/mpeg");
	CU_ASSERT_PTR_NULL(gen_media_normalise(GEN_MEDIA_IMAGE, "audio/wav"));
	CU_ASSERT_PTR_NULL(gen_media_normalise(GEN_MEDIA_AUDIO, "image/png"));
	CU_ASSERT_PTR_NULL(gen_media_normalise(GEN_MEDIA_IMAGE, "image/gif"));
	CU_ASSERT_PTR_NULL(gen_media_normalise(GEN_MEDIA_IMAGE, NULL));
}

/* Decode a JSON source object; returns the error. */
static enum gen_media_err
decode(const char *json, enum gen_media_class cls, struct gen_media_src *s)
{
	static struct mg_arena a;
	static int init_done;
	json_object *o = json_tokener_parse(json);
	enum gen_media_err e;
	char err[256];

	if (!init_done) {
		mg_arena_init(&a, 4096);
		init_done = 1;
	}
	memset(s, 0, sizeof(*s));
	snprintf(s->field, sizeof(s->field), "src");
	e = gen_media_decode(&a, cls, o, s, err, sizeof(err));
	json_object_put(o);
	return e;
}

#define PNG64 "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg=="

static void
test_decode_rules(void)
{
	struct gen_media_src s;

	CU_ASSERT_EQUAL(decode("{\"dataBase64\":\"" PNG64 "\"}", GEN_MEDIA_IMAGE,
	    &s), GEN_MEDIA_OK);
	CU_ASSERT_STRING_EQUAL(s.mime, "image/png");
	CU_ASSERT_STRING_EQUAL(s.ext, "png");
	CU_ASSERT_EQUAL(s.len, 73);
	CU_ASSERT_EQUAL(decode("{\"dataBase64\":\"data:image/png;base64," PNG64
	    "\"}", GEN_MEDIA_IMAGE, &s), GEN_MEDIA_OK);
	CU_ASSERT_EQUAL(decode("{\"dataBase64\":\"data:image/jpeg;base64," PNG64
	    "\"}", GEN_MEDIA_IMAGE, &s), GEN_MEDIA_E_MISMATCH);
	CU_ASSERT_EQUAL(decode("{\"dataBase64\":\"data:text/plain;base64," PNG64
	    "\"}", GEN_MEDIA_IMAGE, &s), GEN_MEDIA_E_MIME);
	CU_ASSERT_EQUAL(decode("{\"dataBase64\":\"data:image/png," PNG64 "\"}",
	    GEN_MEDIA_IMAGE, &s), GEN_MEDIA_E_BASE64);
	CU_ASSERT_EQUAL(decode("{\"dataBase64\":\"" PNG64 "\",\"mimeType\":"
	    "\"image/webp\"}", GEN_MEDIA_IMAGE, &s), GEN_MEDIA_E_MISMATCH);
	CU_ASSERT_EQUAL(decode("{\"dataBase64\":\"" PNG64 "\",\"mimeType\":"
	    "\"image/gif\"}", GEN_MEDIA_IMAGE, &s), GEN_MEDIA_E_MIME);
	CU_ASSERT_EQUAL(decode("{\"dataBase64\":\"" PNG64 "\"}", GEN_MEDIA_AUDIO,
	    &s), GEN_MEDIA_E_UNKNOWN);
	CU_ASSERT_EQUAL(decode("{\"dataBase64\":\"@@@@\"}", GEN_MEDIA_IMAGE, &s),
	    GEN_MEDIA_E_BASE64);
	CU_ASSERT_EQUAL(decode("{\"dataBase64\":\"\"}", GEN_MEDIA_IMAGE, &s),
	    GEN_MEDIA_E_EMPTY);
	CU_ASSERT_EQUAL(decode("{\"dataBase64\":\"R0lGODlhAQABAAAAACw=\"}",
	    GEN_MEDIA_IMAGE, &s), GEN_MEDIA_E_UNKNOWN);
	CU_ASSERT_EQUAL(decode("{\"dataBase64\":42}", GEN_MEDIA_IMAGE, &s),
	    GEN_MEDIA_E_SHAPE);
	setenv("MG_INLINE_SOURCE_MAX_BYTES", "16", 1);
	CU_ASSERT_EQUAL(decode("{\"dataBase64\":\"" PNG64 "\"}", GEN_MEDIA_IMAGE,
	    &s), GEN_MEDIA_E_TOO_LARGE);
	unsetenv("MG_INLINE_SOURCE_MAX_BYTES");
}

static void
test_blocklist(void)
{
	char path[] = "/tmp/test_gen_blockXXXXXX", err[256];
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("# comment\n\n\\bbad[- ]?word\\b\n  ^exact$  \n", f);
	fclose(f);
	CU_ASSERT_EQUAL(gen_guard_load(path, err, sizeof(err)), GEN_GUARD_OK);
	CU_ASSERT_EQUAL(gen_guard_prompt("a BAD WORD here", 15), GEN_GUARD_BLOCKED);
	CU_ASSERT_EQUAL(gen_guard_prompt("a bad-word", 10), GEN_GUARD_BLOCKED);
	CU_ASSERT_EQUAL(gen_guard_prompt("badwordy", 8), GEN_GUARD_OK);
	CU_ASSERT_EQUAL(gen_guard_prompt("exact", 5), GEN_GUARD_BLOCKED);
	CU_ASSERT_EQUAL(gen_guard_prompt("not exact", 9), GEN_GUARD_OK);
	/* Invalid UTF-8 is refused, not skipped. */
	CU_ASSERT_EQUAL(gen_guard_prompt("\xff\xfe", 2), GEN_GUARD_BLOCKED);
	f = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("ok\n(unclosed\n", f);
	fclose(f);
	CU_ASSERT_EQUAL(gen_guard_load(path, err, sizeof(err)), GEN_GUARD_E_CONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":2:"));
	/* A broken list fails closed. */
	CU_ASSERT_EQUAL(gen_guard_prompt("anything", 8), GEN_GUARD_E_CONFIG);
	unlink(path);
	CU_ASSERT_EQUAL(gen_guard_load("/nonexistent/blocklist", err, sizeof(err)),
	    GEN_GUARD_E_CONFIG);
	CU_ASSERT_EQUAL(gen_guard_load(NULL, err, sizeof(err)), GEN_GUARD_OK);
	CU_ASSERT_EQUAL(gen_guard_prompt("bad word", 8), GEN_GUARD_OK);
}

static void
test_states(void)
{
	CU_ASSERT_EQUAL(gen_state_parse("queued"), GEN_STATE_QUEUED);
	CU_ASSERT_EQUAL(gen_state_parse("canceled"), GEN_STATE_CANCELED);
	CU_ASSERT_EQUAL(gen_state_parse("cancelled"), -1);
	CU_ASSERT_EQUAL(gen_state_parse(NULL), -1);
	CU_ASSERT_STRING_EQUAL(gen_state_name(GEN_STATE_SUCCEEDED), "succeeded");
	CU_ASSERT(gen_state_terminal(GEN_STATE_FAILED));
	CU_ASSERT(!gen_state_terminal(GEN_STATE_RUNNING));
	CU_ASSERT(!gen_state_terminal(GEN_STATE_QUEUED));
}

static const struct mgt_case link_cases[] = {
	{ "link_sign_known_value", test_link_sign_known_value },
	{ "link_secret_and_expiry_change_signature", test_link_secret_changes_signature },
	{ "link_rejects_unsafe_paths", test_link_rejects_unsafe_paths },
	{ "link_expiry_at_least_min_ttl", test_link_expiry_at_least_min_ttl },
	{ NULL, NULL },
};

static const struct mgt_case media_cases[] = {
	{ "sniff_magic_bytes", test_sniff_magic_bytes },
	{ "mime_normalise", test_mime_normalise },
	{ "decode_rules", test_decode_rules },
	{ NULL, NULL },
};

static const struct mgt_case guard_cases[] = {
	{ "blocklist_load_match_fail_closed", test_blocklist },
	{ "job_states", test_states },
	{ NULL, NULL },
};

int
main(void)
{
	mgt_suite("gen_link", init, NULL, link_cases);
	mgt_suite("gen_media", init, NULL, media_cases);
	mgt_suite("gen_guard", init, NULL, guard_cases);
	return mgt_run();
}
