/*
 * What catalog.c (rows, navigation) and catalog_search.c (search mode)
 * share: the model's fields and the row helpers. Not for other files.
 */
#ifndef SVPLAY_CATALOG_INTERNAL_H
#define SVPLAY_CATALOG_INTERNAL_H

#include "catalog.h"

struct svp_catalog {
    svp_row *rows;              /* browse rows */
    size_t nb_rows;
    size_t focus_row;
    int searching;
    char query[SVP_QUERY_MAX];
    int64_t edited_ns;          /* last edit of the query */
    int query_sent;             /* the current query was handed out by search_due */
    int results_for_query;      /* results holds the answer to the current query */
    svp_row results;            /* the search results row */
};

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

/* Search mode (catalog_search.c): a printable character typed (opens the
 * search from the rows), Backspace and Esc while searching. */
svp_nav_result svp__catalog_search_char(svp_catalog *c, int ch, int64_t now_ns);
svp_nav_result svp__catalog_search_back(svp_catalog *c, int64_t now_ns);
void svp__catalog_search_leave(svp_catalog *c);

#endif
