/*
 * gen_media: inline base64 sources of prepaid media jobs (003
 * MediaInlineImageSource / MediaInlineAudioSource): decoding, MIME
 * sniffing by magic bytes, size caps, and staging to disk.
 *
 * A source value is a URL string, or an object with exactly one of "url"
 * and "dataBase64" (standard base64, or a data URI
 * "data:<mime>;base64,<b64>"), plus an optional "mimeType" from the seed's
 * enum. The decoded bytes must be of the declared type ("image/jpg" is
 * normalised to "image/jpeg", "audio/mp3" to "audio/mpeg", ...); with no
 * declared type the sniffed one is used. Each decoded source is at most
 * config inline_source_max_bytes (default 20 MiB).
 *
 * Recognised magic bytes: PNG, JPEG, WEBP (RIFF....WEBP), WAV
 * (RIFF....WAVE), MP3 (ID3 tag or an MPEG audio frame sync), OGG, FLAC,
 * MP4/M4A (....ftyp), WebM (EBML), AAC (ADTS).
 */
#ifndef GEN_MEDIA_H
#define GEN_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define GEN_MEDIA_DEFAULT_MAX	(20 * 1024 * 1024)
#define GEN_MEDIA_MAX_SOURCES	32

enum gen_media_class {
	GEN_MEDIA_IMAGE,
	GEN_MEDIA_AUDIO,
};

enum gen_media_err {
	GEN_MEDIA_OK = 0,
	GEN_MEDIA_E_SHAPE,	/* not a string/object of the seed's shape */
	GEN_MEDIA_E_BASE64,	/* dataBase64 is not valid base64 */
	GEN_MEDIA_E_MIME,	/* declared type not allowed for the field */
	GEN_MEDIA_E_MISMATCH,	/* bytes are not of the declared type */
	GEN_MEDIA_E_UNKNOWN,	/* bytes of no recognised type */
	GEN_MEDIA_E_TOO_LARGE,	/* over inline_source_max_bytes */
	GEN_MEDIA_E_EMPTY,	/* zero bytes */
	GEN_MEDIA_E_IO,		/* staging failed */
	GEN_MEDIA__MAX
};

/* One decoded inline source, bytes owned by the caller's arena. */
struct gen_media_src {
	char		 field[64];	/* "referenceImages[1]" */
	char		 mime[32];	/* normalised, e.g. "image/jpeg" */
	const char	*ext;		/* "png", "jpg", "wav", ... */
	unsigned char	*data;
	size_t		 len;
	char		 path[160];	/* staged path relative to outputs_dir */
};

const char	*gen_media_strerror(enum gen_media_err);
/* Stable snake_case code for API errors ("invalid_base64", ...). */
const char	*gen_media_code(enum gen_media_err);

/* The MIME type of bytes by magic number, or NULL. */
const char	*gen_media_sniff(const unsigned char *p, size_t n);

/* Normalise a declared MIME type of class cls; NULL when not allowed. */
const char	*gen_media_normalise(enum gen_media_class cls, const char *mime);

struct mg_arena;

/*
 * Decode one inline source object v (a JSON object with dataBase64) of
 * class cls into *out (data allocated on arena). Returns GEN_MEDIA_OK or
 * an error with a sentence in err.
 */
enum gen_media_err gen_media_decode(struct mg_arena *, enum gen_media_class cls,
		    json_object *v, struct gen_media_src *out, char *err,
		    size_t errlen);

/*
 * Write src->data to "<outputs_dir>/<job_id>/in/<n>.<ext>" (directories
 * created mode 0750) and set src->path to the relative path.
 */
enum gen_media_err gen_media_stage(const char *job_id, size_t n,
		    struct gen_media_src *src);

/* Remove a job's staged inputs (after a failed submit). Best effort. */
void		 gen_media_unstage(const char *job_id, const struct gen_media_src *,
		    size_t n);

/* config outputs_dir (env MG_OUTPUTS_DIR), default "var/outputs". */
const char	*gen_media_outputs_dir(void);

#endif
