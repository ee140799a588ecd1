/*
 * catalog_row.h - one row of the catalog's cards (catalog_row.c), used by
 * the browse rows (catalog.c) and the search results (catalog_search.c).
 * Not for other files. Main thread.
 */
#ifndef SVPLAY_CATALOG_ROW_H
#define SVPLAY_CATALOG_ROW_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "catalog.h"

/* Copies src (NULL: "") into dst[size], truncated. */
void svp__catalog_copy_text(char *dst, size_t size, const char *src);
/* Frees a row's cards (its name stays). */
void svp__catalog_free_row(svp_row *r);
/* Fills the empty row r named `name` with a card per item of `items` (title
 * or continue-watching items) that has `genre` (NULL: every item); resume
 * positions from `continuing` (may be NULL). 0 or SV_ERR_NOMEM. */
int svp__catalog_fill_row(svp_row *r, const char *name, const json_t *items, const char *genre,
                          const json_t *continuing);
/* Index of the card of title `id` in row r, or -1. */
long svp__catalog_find_card(const svp_row *r, int64_t id);

#endif
