#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mg_arena.h"

struct mg_arena_chunk {
	struct mg_arena_chunk	*next;
	size_t			 size;	/* usable bytes in data[] */
	size_t			 used;
	_Alignas(16) unsigned char data[];
};

struct mg_arena_hook {
	struct mg_arena_hook	*next;
	void			(*fn)(void *);
	void			*arg;
};

static struct mg_arena_chunk *
chunk_new(size_t size)
{
	struct mg_arena_chunk *c;

	if ((c = malloc(sizeof(*c) + size)) == NULL)
		return NULL;
	c->next = NULL;
	c->size = size;
	c->used = 0;
	return c;
}

int
mg_arena_init(struct mg_arena *a, size_t chunk_size)
{
	a->chunk_size = chunk_size < 1024 ? 1024 : chunk_size;
	a->hooks = NULL;
	a->head = chunk_new(a->chunk_size);
	return a->head == NULL ? -1 : 0;
}

static void
run_hooks(struct mg_arena *a)
{
	struct mg_arena_hook *h;

	/* Hooks live in the arena itself: read next before calling. */
	while ((h = a->hooks) != NULL) {
		a->hooks = h->next;
		h->fn(h->arg);
	}
}

void
mg_arena_reset(struct mg_arena *a)
{
	struct mg_arena_chunk *c, *next;

	run_hooks(a);
	if (a->head == NULL)
		return;
	/* The oldest chunk is last in the list; keep it. */
	for (c = a->head; c->next != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = c;
	c->used = 0;
}

void
mg_arena_free(struct mg_arena *a)
{
	struct mg_arena_chunk *c, *next;

	run_hooks(a);
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

void *
mg_arena_alloc(struct mg_arena *a, size_t n)
{
	struct mg_arena_chunk *c = a->head;
	size_t need = (n + 15) & ~(size_t)15;
	void *p;

	if (need < n)
		return NULL;
	if (c == NULL || c->size - c->used < need) {
		size_t sz = need > a->chunk_size ? need : a->chunk_size;

		if ((c = chunk_new(sz)) == NULL)
			return NULL;
		if (a->head == NULL) {
			a->head = c;
		} else {
			/* Insert after nothing: newest first, oldest last. */
			c->next = a->head;
			a->head = c;
		}
	}
	p = c->data + c->used;
	c->used += need;
	return p;
}

void *
mg_arena_calloc(struct mg_arena *a, size_t n)
{
	void *p = mg_arena_alloc(a, n);

	if (p != NULL)
		memset(p, 0, n);
	return p;
}

char *
mg_arena_strndup(struct mg_arena *a, const char *s, size_t n)
{
	char *p = mg_arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
mg_arena_strdup(struct mg_arena *a, const char *s)
{
	return mg_arena_strndup(a, s, strlen(s));
}

char *
mg_arena_printf(struct mg_arena *a, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = mg_arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

int
mg_arena_defer(struct mg_arena *a, void (*fn)(void *), void *arg)
{
	struct mg_arena_hook *h = mg_arena_alloc(a, sizeof(*h));

	if (h == NULL) {
		fn(arg);
		return -1;
	}
	h->fn = fn;
	h->arg = arg;
	h->next = a->hooks;
	a->hooks = h;
	return 0;
}
