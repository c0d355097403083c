/*
 * mg_arena: a per-request bump allocator with clean-up hooks.
 *
 * Every allocation made while serving one request comes from the request's
 * arena and is released in one call (mg_arena_reset) when the request ends.
 * The first chunk is kept across resets, so a steady-state request does no
 * malloc at all. Non-memory resources (json_object, MYSQL_STMT results, CURL,
 * jwt_t) register a clean-up hook with mg_arena_defer.
 */
#ifndef MG_ARENA_H
#define MG_ARENA_H

#include <stddef.h>

struct mg_arena_chunk;
struct mg_arena_hook;

struct mg_arena {
	struct mg_arena_chunk	*head;	/* current chunk, newest first */
	struct mg_arena_hook	*hooks;	/* clean-up hooks, run LIFO */
	size_t			 chunk_size;
};

/* Initialise with a first chunk of chunk_size bytes. Returns 0 or -1. */
int	 mg_arena_init(struct mg_arena *, size_t chunk_size);
/* Run hooks, free extra chunks, keep the first one. */
void	 mg_arena_reset(struct mg_arena *);
/* Run hooks and free everything. */
void	 mg_arena_free(struct mg_arena *);

/* 16-byte aligned memory valid until the next reset; NULL on OOM. */
void	*mg_arena_alloc(struct mg_arena *, size_t);
void	*mg_arena_calloc(struct mg_arena *, size_t);
char	*mg_arena_strndup(struct mg_arena *, const char *, size_t);
char	*mg_arena_strdup(struct mg_arena *, const char *);
/* printf into the arena; NULL on OOM. */
char	*mg_arena_printf(struct mg_arena *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Call fn(arg) at the next reset/free. Returns 0 or -1 (fn is then called now). */
int	 mg_arena_defer(struct mg_arena *, void (*fn)(void *), void *arg);

#endif
