/*
 * gen_media: inline sources (see gen_media.h). Magic numbers from the
 * formats' specifications: PNG (RFC 2083 §3.1), JPEG (ITU T.81 SOI
 * marker), RIFF WAVE/WEBP (RFC 2361, RFC 9649), MP3 (ISO 11172-3 frame
 * header; ID3v2), OGG (RFC 3533), FLAC, ISO BMFF "ftyp", EBML (RFC 8794),
 * AAC ADTS (ISO 14496-3).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen_media.h"
#include "mg_arena.h"
#include "mg_config.h"
#include "mg_crypto.h"

static const char *const errs[GEN_MEDIA__MAX] = {
	"ok", "bad source shape", "invalid base64", "MIME type not allowed",
	"content does not match the declared MIME type",
	"unrecognised content type", "source too large", "empty source",
	"could not stage the source",
};
static const char *const codes[GEN_MEDIA__MAX] = {
	"ok", "invalid_parameter", "invalid_base64", "unsupported_mime_type",
	"mime_mismatch", "unsupported_mime_type", "source_too_large",
	"invalid_parameter", "internal_error",
};

const char *
gen_media_strerror(enum gen_media_err e)
{
	return e < GEN_MEDIA__MAX ? errs[e] : "unknown";
}

const char *
gen_media_code(enum gen_media_err e)
{
	return e < GEN_MEDIA__MAX ? codes[e] : "internal_error";
}

const char *
gen_media_sniff(const unsigned char *p, size_t n)
{
	if (n >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WAVE", 4) == 0)
		return "audio/wav";
	if (n >= 3 && memcmp(p, "ID3", 3) == 0)
		return "audio/mpeg";
	if (n >= 4 && memcmp(p, "OggS", 4) == 0)
		return "audio/ogg";
	if (n >= 4 && memcmp(p, "fLaC", 4) == 0)
		return "audio/flac";
	if (n >= 8 && memcmp(p + 4, "ftyp", 4) == 0)
		return "audio/mp4";
	if (n >= 4 && memcmp(p, "\x1a\x45\xdf\xa3", 4) == 0)
		return "audio/webm";
	/* ADTS: 12-bit sync, layer 00 (before the MPEG frame sync test). */
	if (n >= 2 && p[0] == 0xff && (p[1] & 0xf6) == 0xf0)
		return "audio/aac";
	/* MPEG audio frame: 11-bit sync, version != reserved, layer != 00. */
	if (n >= 2 && p[0] == 0xff && (p[1] & 0xe0) == 0xe0 &&
	    (p[1] & 0x18) != 0x08 && (p[1] & 0x06) != 0)
		return "audio/mpeg";
	return NULL;
}

static const struct {
	const char	*in;
	const char	*norm;
	enum gen_media_class cls;
} mimes[] = {
	{ "image/webp", "image/webp", GEN_MEDIA_IMAGE },
	{ "image/png", "image/png", GEN_MEDIA_IMAGE },
	{ "image/jpeg", "image/jpeg", GEN_MEDIA_IMAGE },
	{ "image/jpg", "image/jpeg", GEN_MEDIA_IMAGE },
	{ "audio/ogg", "audio/ogg", GEN_MEDIA_AUDIO },
	{ "audio/opus", "audio/ogg", GEN_MEDIA_AUDIO },
	{ "audio/wav", "audio/wav", GEN_MEDIA_AUDIO },
	{ "audio/x-wav", "audio/wav", GEN_MEDIA_AUDIO },
	{ "audio/wave", "audio/wav", GEN_MEDIA_AUDIO },
	{ "audio/mpeg", "audio/mpeg", GEN_MEDIA_AUDIO },
	{ "audio/mp3", "audio/mpeg", GEN_MEDIA_AUDIO },
	{ "audio/flac", "audio/flac", GEN_MEDIA_AUDIO },
	{ "audio/x-flac", "audio/flac", GEN_MEDIA_AUDIO },
	{ "audio/aac", "audio/aac", GEN_MEDIA_AUDIO },
	{ "audio/mp4", "audio/mp4", GEN_MEDIA_AUDIO },
	{ "audio/webm", "audio/webm", GEN_MEDIA_AUDIO },
};

const char *
gen_media_normalise(enum gen_media_class cls, const char *mime)
{
	size_t i;

	for (i = 0; mime != NULL && i < sizeof(mimes) / sizeof(mimes[0]); i++)
		if (mimes[i].cls == cls && strcmp(mimes[i].in, mime) == 0)
			return mimes[i].norm;
	return NULL;
}

static const char *
ext_of(const char *mime)
{
	static const char *const map[][2] = {
		{ "image/png", "png" }, { "image/jpeg", "jpg" },
		{ "image/webp", "webp" }, { "audio/wav", "wav" },
		{ "audio/mpeg", "mp3" }, { "audio/ogg", "ogg" },
		{ "audio/flac", "flac" }, { "audio/mp4", "m4a" },
		{ "audio/webm", "webm" }, { "audio/aac", "aac" },
	};
	size_t i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], mime) == 0)
			return map[i][1];
	return "bin";
}

const char *
gen_media_outputs_dir(void)
{
	return mg_cfg_str("outputs_dir", "var/outputs");
}

enum gen_media_err
gen_media_decode(struct mg_arena *a, enum gen_media_class cls, json_object *v,
    struct gen_media_src *out, char *err, size_t errlen)
{
	json_object *d = NULL, *m = NULL;
	const char *b64, *declared = NULL, *norm = NULL, *sniffed, *comma;
	char dmime[64];
	size_t n, cap, maxb;
	int len;

	memset(out->mime, 0, sizeof(out->mime));
	out->data = NULL;
	out->len = 0;
	out->path[0] = '\0';
	if (!json_object_is_type(v, json_type_object) ||
	    !json_object_object_get_ex(v, "dataBase64", &d) ||
	    !json_object_is_type(d, json_type_string)) {
		snprintf(err, errlen, "%s.dataBase64 must be a string", out->field);
		return GEN_MEDIA_E_SHAPE;
	}
	b64 = json_object_get_string(d);
	n = (size_t)json_object_get_string_len(d);
	if (json_object_object_get_ex(v, "mimeType", &m)) {
		if (!json_object_is_type(m, json_type_string) ||
		    (norm = gen_media_normalise(cls,
		    declared = json_object_get_string(m))) == NULL) {
			snprintf(err, errlen, "%s.mimeType is not an allowed %s type",
			    out->field, cls == GEN_MEDIA_IMAGE ? "image" : "audio");
			return GEN_MEDIA_E_MIME;
		}
	}
	/* A data URI: "data:<mime>;base64,<payload>". */
	if (n > 5 && strncmp(b64, "data:", 5) == 0) {
		comma = memchr(b64, ',', n);
		if (comma == NULL || (size_t)(comma - b64) < 12 ||
		    strncmp(comma - 7, ";base64", 7) != 0 ||
		    (size_t)(comma - 7 - (b64 + 5)) >= sizeof(dmime)) {
			snprintf(err, errlen, "%s.dataBase64 is not a base64 data URI",
			    out->field);
			return GEN_MEDIA_E_BASE64;
		}
		memcpy(dmime, b64 + 5, (size_t)(comma - 7 - (b64 + 5)));
		dmime[comma - 7 - (b64 + 5)] = '\0';
		if (*dmime != '\0') {
			const char *dn = gen_media_normalise(cls, dmime);

			if (dn == NULL || (norm != NULL && strcmp(dn, norm) != 0)) {
				snprintf(err, errlen, "%s: data URI type \"%s\" is "
				    "not allowed here or differs from mimeType",
				    out->field, dmime);
				return GEN_MEDIA_E_MIME;
			}
			norm = dn;
		}
		n -= (size_t)(comma + 1 - b64);
		b64 = comma + 1;
	}
	maxb = (size_t)mg_cfg_int("inline_source_max_bytes", GEN_MEDIA_DEFAULT_MAX);
	if (n == 0) {
		snprintf(err, errlen, "%s.dataBase64 is empty", out->field);
		return GEN_MEDIA_E_EMPTY;
	}
	if (n / 4 * 3 > maxb + 3) {
		snprintf(err, errlen, "%s is over %zu bytes", out->field, maxb);
		return GEN_MEDIA_E_TOO_LARGE;
	}
	cap = n / 4 * 3 + 3;
	if ((out->data = mg_arena_alloc(a, cap)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return GEN_MEDIA_E_IO;
	}
	if ((len = mg_unb64(b64, n, 1, out->data, cap)) < 0) {
		snprintf(err, errlen, "%s.dataBase64 is not valid base64",
		    out->field);
		return GEN_MEDIA_E_BASE64;
	}
	out->len = (size_t)len;
	if (out->len == 0) {
		snprintf(err, errlen, "%s.dataBase64 is empty", out->field);
		return GEN_MEDIA_E_EMPTY;
	}
	if (out->len > maxb) {
		snprintf(err, errlen, "%s is over %zu bytes", out->field, maxb);
		return GEN_MEDIA_E_TOO_LARGE;
	}
	sniffed = gen_media_sniff(out->data, out->len);
	if (sniffed == NULL || gen_media_normalise(cls, sniffed) == NULL) {
		snprintf(err, errlen, "%s: content is not a supported %s format",
		    out->field, cls == GEN_MEDIA_IMAGE ? "image" : "audio");
		return GEN_MEDIA_E_UNKNOWN;
	}
	if (norm != NULL && strcmp(norm, sniffed) != 0) {
		snprintf(err, errlen, "%s: content is %s, not the declared %s",
		    out->field, sniffed, declared ? declared : norm);
		return GEN_MEDIA_E_MISMATCH;
	}
	snprintf(out->mime, sizeof(out->mime), "%s", sniffed);
	out->ext = ext_of(sniffed);
	return GEN_MEDIA_OK;
}

/* mkdir that tolerates an existing directory. */
static int
mkdir_ok(const char *p)
{
	return mkdir(p, 0750) == 0 || errno == EEXIST ? 0 : -1;
}

enum gen_media_err
gen_media_stage(const char *job_id, size_t n, struct gen_media_src *src)
{
	char dir[512], full[768];
	const char *root = gen_media_outputs_dir();
	size_t off = 0;
	ssize_t w;
	int fd;

	snprintf(src->path, sizeof(src->path), "%s/in/%zu.%s", job_id, n,
	    src->ext);
	snprintf(dir, sizeof(dir), "%s/%s", root, job_id);
	if (mkdir_ok(dir) != 0)
		return GEN_MEDIA_E_IO;
	snprintf(dir, sizeof(dir), "%s/%s/in", root, job_id);
	if (mkdir_ok(dir) != 0)
		return GEN_MEDIA_E_IO;
	snprintf(full, sizeof(full), "%s/%s", root, src->path);
	if ((fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640)) < 0)
		return GEN_MEDIA_E_IO;
	while (off < src->len) {
		w = write(fd, src->data + off, src->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			unlink(full);
			return GEN_MEDIA_E_IO;
		}
		off += (size_t)w;
	}
	if (close(fd) != 0) {
		unlink(full);
		return GEN_MEDIA_E_IO;
	}
	return GEN_MEDIA_OK;
}

void
gen_media_unstage(const char *job_id, const struct gen_media_src *s, size_t n)
{
	char p[768];
	const char *root = gen_media_outputs_dir();
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i].path[0] == '\0')
			continue;
		snprintf(p, sizeof(p), "%s/%s", root, s[i].path);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/%s/in", root, job_id);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/%s", root, job_id);
	rmdir(p);
}
