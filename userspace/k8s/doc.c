// SPDX-License-Identifier: GPL-2.0
/*
 * Documents: the arena their nodes and strings live in, the list of
 * documents, and lookups.  Everything of one kk_docs is freed at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

#define CHUNK	(64 * 1024)
#define CHUNK_FIRST	4000	/* with the header, within a page */
#define CHUNK_MIN	512
/*
 * Bytes of nodes per byte of text: about 10 for Services and
 * EndpointSlices as the API server sends them (their arenas had taken
 * 4000 + 8000 bytes where 5000 did); 12 leaves room.
 */
#define KK_ARENA_PER_BYTE	12

struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
};

struct kk_arena {
	struct chunk *head;
};

/* A fresh arena's first chunk of @size bytes, or nothing on ENOMEM. */
static struct kk_arena *arena_new(struct kk_docs *docs, size_t size)
{
	struct kk_arena *a = calloc(1, sizeof(*a));
	struct chunk *c;

	if (!a)
		return NULL;
	c = size ? malloc(sizeof(*c) + size) : NULL;
	if (c) {
		c->size = size;
		c->used = 0;
		c->next = NULL;
		a->head = c;
	}
	docs->arena = a;
	return a;
}

void kk_arena_reserve(struct kk_docs *docs, size_t len)
{
	size_t size = len * KK_ARENA_PER_BYTE;

	if (docs->arena)
		return;
	size = size < CHUNK_MIN ? CHUNK_MIN : size > CHUNK ? CHUNK : size;
	arena_new(docs, size);
}

void *kk_alloc(struct kk_docs *docs, size_t size)
{
	struct kk_arena *a = docs->arena;
	struct chunk *c;
	size_t need;
	void *p;

	size = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!a) {
		a = arena_new(docs, 0);
		if (!a)
			return NULL;
	}
	c = a->head;
	if (!c || c->size - c->used < size) {
		/*
		 * Growing from a page: a daemon keeps one arena per API
		 * object, most of them a few hundred bytes of nodes.
		 */
		need = c ? (c->size < CHUNK ? 2 * c->size : CHUNK) :
			   CHUNK_FIRST;
		if (need < size)
			need = size;
		c = malloc(sizeof(*c) + need);
		if (!c)
			return NULL;
		c->size = need;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = (char *)c->data + c->used;
	c->used += size;
	memset(p, 0, size);
	return p;
}

char *kk_strndup(struct kk_docs *docs, const char *s, size_t len)
{
	char *p = kk_alloc(docs, len + 1);

	if (p) {
		memcpy(p, s, len);
		p[len] = '\0';
	}
	return p;
}

size_t kk_docs_bytes(const struct kk_docs *docs)
{
	const struct chunk *c;
	size_t n = 0;

	for (c = docs->arena ? docs->arena->head : NULL; c; c = c->next)
		n += sizeof(*c) + c->size;
	return n;
}

void kk_docs_init(struct kk_docs *docs)
{
	memset(docs, 0, sizeof(*docs));
}

void kk_docs_free(struct kk_docs *docs)
{
	struct chunk *c, *next;

	if (docs->arena) {
		for (c = docs->arena->head; c; c = next) {
			next = c->next;
			free(c);
		}
		free(docs->arena);
	}
	if (!docs->borrowed)
		free(docs->v);
	kk_docs_init(docs);
}

int kk_docs_add(struct kk_docs *docs, const struct kk_node *root,
		const char *file, unsigned int index)
{
	if (docs->n == docs->cap) {
		size_t ncap = docs->cap ? 2 * docs->cap : 16;
		struct kk_doc *v = realloc(docs->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		docs->v = v;
		docs->cap = ncap;
	}
	docs->v[docs->n++] = (struct kk_doc){ root, file, index };
	return 0;
}

const struct kk_pair *kk_get_pair(const struct kk_node *map, const char *key)
{
	size_t i;

	if (!map || map->type != KK_MAP)
		return NULL;
	/* The first byte first: most keys differ there, and cheaply. */
	for (i = 0; i < map->map.n; i++)
		if (map->map.v[i].key[0] == key[0] &&
		    !strcmp(map->map.v[i].key, key))
			return &map->map.v[i];
	return NULL;
}

const struct kk_node *kk_get(const struct kk_node *map, const char *key)
{
	const struct kk_pair *p = kk_get_pair(map, key);

	return p ? p->value : NULL;
}

const char *kk_type_name(enum kk_type type)
{
	switch (type) {
	case KK_NULL:
		return "null";
	case KK_BOOL:
		return "a boolean";
	case KK_INT:
		return "an integer";
	case KK_FLOAT:
		return "a number";
	case KK_STR:
		return "a string";
	case KK_SEQ:
		return "a list";
	case KK_MAP:
		return "a map";
	}
	return "?";
}
