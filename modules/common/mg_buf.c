#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_arena.h"
#include "mg_buf.h"

void
mg_buf_init(struct mg_buf *b, struct mg_arena *a)
{
	memset(b, 0, sizeof(*b));
	b->arena = a;
}

void
mg_buf_init_ext(struct mg_buf *b, char *storage, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->data = storage;
	b->cap = cap;
	b->ext = 1;
	storage[0] = '\0';
}

void
mg_buf_free(struct mg_buf *b)
{
	if (b->arena == NULL && !b->ext)
		free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* Make room for extra more bytes plus a NUL. Returns 0 or -1 (sticky). */
int
mg_buf_reserve(struct mg_buf *b, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (b->oom)
		return -1;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	if (b->arena != NULL || b->ext) {
		p = b->arena != NULL ? mg_arena_alloc(b->arena, ncap) :
		    malloc(ncap);
		if (p != NULL && b->len)
			memcpy(p, b->data, b->len);
		b->ext = 0;
	} else
		p = realloc(b->data, ncap);
	if (p == NULL) {
		b->oom = 1;
		return -1;
	}
	b->data = p;
	b->cap = ncap;
	return 0;
}

int
mg_buf_append(struct mg_buf *b, const void *s, size_t n)
{
	if (mg_buf_reserve(b, n) < 0)
		return -1;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
mg_buf_puts(struct mg_buf *b, const char *s)
{
	return mg_buf_append(b, s, strlen(s));
}

int
mg_buf_printf(struct mg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || mg_buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int
mg_buf_json_escape(struct mg_buf *b, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;
	char esc[7];

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':  mg_buf_append(b, "\\\"", 2); break;
		case '\\': mg_buf_append(b, "\\\\", 2); break;
		case '\n': mg_buf_append(b, "\\n", 2); break;
		case '\r': mg_buf_append(b, "\\r", 2); break;
		case '\t': mg_buf_append(b, "\\t", 2); break;
		default:
			if (*p < 0x20) {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[*p >> 4];
				esc[5] = hex[*p & 15];
				mg_buf_append(b, esc, 6);
			} else
				mg_buf_append(b, p, 1);
		}
	}
	return b->oom ? -1 : 0;
}

int
mg_buf_urlencode(struct mg_buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;
	char enc[3];

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '~')
			mg_buf_append(b, p, 1);
		else {
			enc[0] = '%';
			enc[1] = hex[*p >> 4];
			enc[2] = hex[*p & 15];
			mg_buf_append(b, enc, 3);
		}
	}
	return b->oom ? -1 : 0;
}

int
mg_buf_html_escape(struct mg_buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':  mg_buf_puts(b, "&amp;"); break;
		case '<':  mg_buf_puts(b, "&lt;"); break;
		case '>':  mg_buf_puts(b, "&gt;"); break;
		case '"':  mg_buf_puts(b, "&quot;"); break;
		case '\'': mg_buf_puts(b, "&#39;"); break;
		default:   mg_buf_append(b, s, 1);
		}
	}
	return b->oom ? -1 : 0;
}
