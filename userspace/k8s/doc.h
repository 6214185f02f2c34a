/* SPDX-License-Identifier: GPL-2.0 */
/* The library's own side of documents: the arena and the loaders. */
#ifndef KGATE_KK_DOC_H
#define KGATE_KK_DOC_H

#include "kk.h"

/* Zeroed memory from @docs' arena, freed with them; NULL on ENOMEM. */
void *kk_alloc(struct kk_docs *docs, size_t size);
char *kk_strndup(struct kk_docs *docs, const char *s, size_t len);
/*
 * A fresh @docs' first chunk sized for a text of @len bytes, so that one
 * object's documents (a daemon keeps an arena per API object) take about
 * what they need rather than a fixed page and its doubling.
 */
void kk_arena_reserve(struct kk_docs *docs, size_t len);
/* The bytes @docs' arena holds (its chunks, used or not). */
size_t kk_docs_bytes(const struct kk_docs *docs);
int kk_docs_add(struct kk_docs *docs, const struct kk_node *root,
		const char *file, unsigned int index);

/*
 * Parsers: every document of @text into @docs; 0, -EINVAL (in @d), -ENOMEM.
 * YAML positions count @line0 lines before @text, documents from @index0
 * (a part of a file: kk_load_text_at()).
 */
int kk_load_yaml(struct kk_docs *docs, const char *file, const char *text,
		 size_t len, unsigned int line0, unsigned int index0,
		 struct kk_diag *d);
int kk_load_json(struct kk_docs *docs, const char *file, const char *text,
		 size_t len, struct kk_diag *d);

#endif
