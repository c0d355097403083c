/*
 * mg_buf: a growable byte buffer carrying its length, for building output.
 * Memory comes from an arena when one is given (request scope), else malloc.
 */
#ifndef MG_BUF_H
#define MG_BUF_H

#include <stddef.h>

struct mg_arena;

struct mg_buf {
	char		*data;	/* always NUL-terminated when len > 0 or cap > 0 */
	size_t		 len;
	size_t		 cap;
	struct mg_arena	*arena;	/* NULL: heap, caller calls mg_buf_free */
	int		 oom;	/* sticky: an append failed */
	int		 ext;	/* data is caller storage (stack): copy on growth */
};

void	 mg_buf_init(struct mg_buf *, struct mg_arena *);
void	 mg_buf_free(struct mg_buf *);
/* Start on caller storage (e.g. a stack array); grows onto the heap. */
void	 mg_buf_init_ext(struct mg_buf *, char *storage, size_t cap);
int	 mg_buf_reserve(struct mg_buf *, size_t extra);
int	 mg_buf_append(struct mg_buf *, const void *, size_t);
int	 mg_buf_puts(struct mg_buf *, const char *);
int	 mg_buf_printf(struct mg_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Append s with JSON string escaping (no quotes added). */
int	 mg_buf_json_escape(struct mg_buf *, const char *s);
/* Append s percent-encoded for application/x-www-form-urlencoded. */
int	 mg_buf_urlencode(struct mg_buf *, const char *s);
/* Append s with HTML escaping of & < > " '. */
int	 mg_buf_html_escape(struct mg_buf *, const char *s);

#endif
