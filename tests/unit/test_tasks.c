/*
 * test_tasks: the local provider for the prepaid tasks that have no
 * prompt: trellis.generate (PROV_KIND_3D from a source image),
 * audio.annotation.reference (PROV_KIND_ANNOTATION) and video.resize
 * (compose RESIZE down to 2x2). Files are rendered into a temp directory;
 * the annotation document builder is tested as pure code.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "gen_dispatch.h"
#include "mg_buf.h"
#include "../lib/mgtest.h"
#include "prov.h"
#include "prov_int.h"

static char tdir[256];

static int
rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

static int
suite_init(void)
{
	snprintf(tdir, sizeof(tdir), "/tmp/test_tasks.XXXXXX");
	return mkdtemp(tdir) == NULL ? -1 : 0;
}

static int
suite_clean(void)
{
	nftw(tdir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static struct prov_job
job_of(enum prov_kind k, const char *prompt)
{
	struct prov_job j;

	memset(&j, 0, sizeof(j));
	j.kind = k;
	j.prompt = prompt;
	j.out_dir = tdir;
	j.width = 64;
	j.height = 48;
	j.duration_s = 1;
	return j;
}

/* Write len bytes to tdir/name; the path into out (512). */
static int
put_file(const char *name, const void *p, size_t len, char *out)
{
	FILE *f;

	snprintf(out, 512, "%s/%s", tdir, name);
	if ((f = fopen(out, "wb")) == NULL)
		return -1;
	if (fwrite(p, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f) == 0 ? 0 : -1;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *p;
	long sz;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	p = malloc((size_t)sz + 1);
	if (p != NULL && fread(p, 1, (size_t)sz, f) != (size_t)sz) {
		free(p);
		p = NULL;
	}
	fclose(f);
	if (p != NULL)
		p[sz] = '\0';
	return p;
}

static enum prov_err
run(const struct prov_job *j, struct prov_result *res)
{
	struct prov_error err;
	enum prov_err rc = prov_table[PROV_LOCAL].submit(j, res, &err);

	if (rc != PROV_OK)
		fprintf(stderr, "local: %s: %s\n", prov_strerror(rc), err.msg);
	return rc;
}

/* ---- validation ---- */

static void
t_check_3d_prompt_optional(void)
{
	struct prov_job j = job_of(PROV_KIND_3D, NULL);
	struct prov_error e;

	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_OK);
	j.prompt = "";
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_OK);
	/* image and video still need one */
	j.kind = PROV_KIND_IMAGE;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
	j.kind = PROV_KIND_VIDEO;
	CU_ASSERT_EQUAL(prov_job_check(&j, &e), PROV_E_INVALID);
}

static void
t_annotation_bad_format_rejected(void)
{
	struct prov_job j = job_of(PROV_KIND_ANNOTATION, NULL);
	struct prov_result res;

	j.format = "wav";
	CU_ASSERT_EQUAL(run(&j, &res), PROV_E_INVALID);
}

/* The dispatcher's params: the annotation task becomes its own kind. */
static void
t_params_annotation_kind(void)
{
	static const char *const cases[][2] = {
		{ "{\"kind\":\"audio\",\"job_type\":\"audio.annotation.reference\","
		    "\"inputs\":[\"ws/j/in/0.wav\"]}", "annotation" },
		{ "{\"kind\":\"audio\",\"job_type\":\"audio.speak\",\"prompt\":\"p\"}",
		    "audio" },
		{ "{\"kind\":\"3d\",\"job_type\":\"trellis.generate\","
		    "\"inputs\":[\"ws/j/in/0.png\"]}", "3d" },
	};
	char inputs[PROV_MAX_INPUTS][512], err[128];
	const char *inputv[PROV_MAX_INPUTS];
	struct gen_disp_sources src;
	struct prov_job j;
	json_object *hold;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(gen_disp_params(cases[i][0], "/out", &j, &hold,
		    inputs, inputv, PROV_MAX_INPUTS, &src, err, sizeof(err)), 0);
		CU_ASSERT_EQUAL(j.kind, strcmp(cases[i][1], "annotation") == 0 ?
		    PROV_KIND_ANNOTATION : strcmp(cases[i][1], "3d") == 0 ?
		    PROV_KIND_3D : PROV_KIND_AUDIO);
		json_object_put(hold);
	}
	/* the kind word itself is known too */
	CU_ASSERT_EQUAL(gen_disp_params("{\"kind\":\"annotation\"}", "/out", &j,
	    &hold, inputs, inputv, PROV_MAX_INPUTS, &src, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(j.kind, PROV_KIND_ANNOTATION);
	json_object_put(hold);
}

/* ---- trellis.generate: 3d from a source image ---- */

static void
t_3d_from_image_deterministic(void)
{
	static const unsigned char a[] = "\x89PNG\r\n\x1a\n-image-a";
	static const unsigned char b[] = "\x89PNG\r\n\x1a\n-image-b";
	char pa[512], pb[512];
	const char *in[1];
	struct prov_job j = job_of(PROV_KIND_3D, NULL);
	struct prov_result res;
	char *g1, *g2, *g3;
	json_object *o, *v;

	CU_ASSERT_FATAL(put_file("a.png", a, sizeof(a), pa) == 0);
	CU_ASSERT_FATAL(put_file("b.png", b, sizeof(b), pb) == 0);
	in[0] = pa;
	j.inputs = in;
	j.ninputs = 1;
	j.name = "m1";
	CU_ASSERT_FATAL(run(&j, &res) == PROV_OK);
	CU_ASSERT_EQUAL(res.nfiles, 1);
	CU_ASSERT_STRING_EQUAL(res.files[0].mime, "model/gltf+json");
	g1 = slurp(res.files[0].path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g1);
	o = json_tokener_parse(g1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_FATAL(json_object_object_get_ex(o, "asset", &v) &&
	    json_object_object_get_ex(v, "version", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "2.0");
	json_object_put(o);
	/* same source → same model */
	j.name = "m2";
	CU_ASSERT_FATAL(run(&j, &res) == PROV_OK);
	g2 = slurp(res.files[0].path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g2);
	CU_ASSERT_STRING_EQUAL(g1, g2);
	/* another source image → another colour */
	in[0] = pb;
	j.name = "m3";
	CU_ASSERT_FATAL(run(&j, &res) == PROV_OK);
	g3 = slurp(res.files[0].path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g3);
	CU_ASSERT(strcmp(g1, g3) != 0);
	free(g1);
	free(g2);
	free(g3);
}

/* ---- audio.annotation.reference ---- */

static void
t_annotation_json_words_spread(void)
{
	struct mg_buf b;
	json_object *o, *w, *x;

	mg_buf_init(&b, NULL);
	CU_ASSERT_FATAL(prov_annotation_json(&b, " one  two\tthree ", NULL, 900, 1,
	    "abcd") == 0);
	o = json_tokener_parse(b.data);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT(json_object_object_get_ex(o, "durationMs", &x) &&
	    json_object_get_int64(x) == 900);
	CU_ASSERT(json_object_object_get_ex(o, "language", &x) &&
	    strcmp(json_object_get_string(x), "en") == 0);
	CU_ASSERT(json_object_object_get_ex(o, "transcriptSource", &x) &&
	    strcmp(json_object_get_string(x), "provided") == 0);
	CU_ASSERT_FATAL(json_object_object_get_ex(o, "words", &w));
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(w), 3);
	x = json_object_array_get_idx(w, 1);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(x, "word")), "two");
	CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(x, "startMs")), 300);
	CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(x, "endMs")), 600);
	x = json_object_array_get_idx(w, 2);
	CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(x, "endMs")), 900);
	json_object_put(o);
	mg_buf_free(&b);
}

static void
t_annotation_json_no_transcript_unknown_duration(void)
{
	struct mg_buf b;
	json_object *o, *x;

	mg_buf_init(&b, NULL);
	CU_ASSERT_FATAL(prov_annotation_json(&b, NULL, "en", -1, 0, "ff") == 0);
	o = json_tokener_parse(b.data);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT(json_object_object_get_ex(o, "durationMs", &x) && x == NULL);
	CU_ASSERT(json_object_object_get_ex(o, "transcript", &x) && x == NULL);
	CU_ASSERT(json_object_object_get_ex(o, "transcriptSource", &x) &&
	    strcmp(json_object_get_string(x), "none") == 0);
	CU_ASSERT(json_object_object_get_ex(o, "words", &x) &&
	    json_object_array_length(x) == 0);
	json_object_put(o);
	mg_buf_free(&b);
}

static void
t_annotation_json_escapes(void)
{
	struct mg_buf b;
	json_object *o, *x;

	mg_buf_init(&b, NULL);
	CU_ASSERT_FATAL(prov_annotation_json(&b, "say \"hi\"\\", NULL, 100, 1,
	    "00") == 0);
	o = json_tokener_parse(b.data);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT(json_object_object_get_ex(o, "transcript", &x) &&
	    strcmp(json_object_get_string(x), "say \"hi\"\\") == 0);
	json_object_put(o);
	mg_buf_free(&b);
}

static void
t_annotation_of_speech(void)
{
	struct prov_job j = job_of(PROV_KIND_AUDIO, "hello there world");
	struct prov_result res;
	char wav[512], *doc;
	const char *in[1];
	json_object *o, *x;
	int64_t ms;

	j.name = "speech";
	CU_ASSERT_FATAL(run(&j, &res) == PROV_OK);
	snprintf(wav, sizeof(wav), "%s", res.files[0].path);
	ms = prov_media_duration_ms(wav);
	CU_ASSERT_FATAL(ms > 0);
	j = job_of(PROV_KIND_ANNOTATION, NULL);
	in[0] = wav;
	j.inputs = in;
	j.ninputs = 1;
	j.extra_json = "{\"transcript\":\"hello there world\",\"language\":\"en\"}";
	j.name = "ann";
	CU_ASSERT_FATAL(run(&j, &res) == PROV_OK);
	CU_ASSERT_EQUAL(res.nfiles, 1);
	CU_ASSERT_STRING_EQUAL(res.files[0].mime, "application/json");
	CU_ASSERT_EQUAL(res.files[0].duration_ms, ms);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.files[0].path, "/ann-0.json"));
	doc = slurp(res.files[0].path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	o = json_tokener_parse(doc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT(json_object_object_get_ex(o, "durationMs", &x) &&
	    json_object_get_int64(x) == ms);
	CU_ASSERT(json_object_object_get_ex(o, "words", &x) &&
	    json_object_array_length(x) == 3);
	json_object_put(o);
	free(doc);
	/* No pricing units for a document: the per-request hold is captured. */
	CU_ASSERT_EQUAL(res.units.duration_ms, 0);
	CU_ASSERT_EQUAL(res.units.images, 0);
}

/* ---- video.resize ---- */

static void
t_resize_video_to_2x2(void)
{
	struct prov_job j = job_of(PROV_KIND_VIDEO, "a clip to shrink");
	struct prov_result res;
	const char *in[1];
	char src[512];

	j.name = "clip";
	CU_ASSERT_FATAL(run(&j, &res) == PROV_OK);
	snprintf(src, sizeof(src), "%s", res.files[0].path);
	j = job_of(PROV_KIND_COMPOSE, NULL);
	in[0] = src;
	j.inputs = in;
	j.ninputs = 1;
	j.compose = PROV_COMPOSE_RESIZE;
	j.width = 2;
	j.height = 2;
	j.name = "tiny";
	CU_ASSERT_FATAL(run(&j, &res) == PROV_OK);
	CU_ASSERT_STRING_EQUAL(res.files[0].mime, "video/mp4");
	CU_ASSERT_EQUAL(res.files[0].width, 2);
	CU_ASSERT_EQUAL(res.files[0].height, 2);
	/* an image still has a 16-pixel floor */
	j = job_of(PROV_KIND_IMAGE, "an image");
	j.name = "img";
	CU_ASSERT_FATAL(run(&j, &res) == PROV_OK);
	snprintf(src, sizeof(src), "%s", res.files[0].path);
	j = job_of(PROV_KIND_COMPOSE, NULL);
	in[0] = src;
	j.inputs = in;
	j.ninputs = 1;
	j.compose = PROV_COMPOSE_RESIZE;
	j.width = 8;
	j.height = 8;
	CU_ASSERT_EQUAL(run(&j, &res), PROV_E_INVALID);
}

int
main(void)
{
	static const struct mgt_case cases[] = {
		{ "check_3d_prompt_optional", t_check_3d_prompt_optional },
		{ "annotation_bad_format_rejected", t_annotation_bad_format_rejected },
		{ "params_annotation_task_kind", t_params_annotation_kind },
		{ "3d_from_image_deterministic_varies_with_source", t_3d_from_image_deterministic },
		{ "annotation_json_words_spread", t_annotation_json_words_spread },
		{ "annotation_json_no_transcript_unknown_duration", t_annotation_json_no_transcript_unknown_duration },
		{ "annotation_json_escapes", t_annotation_json_escapes },
		{ "annotation_of_speech_duration_words", t_annotation_of_speech },
		{ "resize_video_to_2x2_image_floor_16", t_resize_video_to_2x2 },
		{ NULL, NULL }
	};

	mgt_suite("tasks_local", suite_init, suite_clean, cases);
	return mgt_run();
}
