/*
 * What catalog.c (rows, navigation) and catalog_search.c (search mode)
 * share: the model's fields. The row helpers both use are catalog_row.h;
 * catalog.c calls into the search mode, never the other way round. Not for
 * other files.
 */
#ifndef SVPLAY_CATALOG_INTERNAL_H
#define SVPLAY_CATALOG_INTERNAL_H

#include "catalog.h"
#include "catalog_row.h"

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

/* Search mode (catalog_search.c): a printable character typed (opens the
 * search from the rows), Backspace and Esc while searching. */
svp_nav_result svp__catalog_search_char(svp_catalog *c, int ch, int64_t now_ns);
svp_nav_result svp__catalog_search_back(svp_catalog *c, int64_t now_ns);
void svp__catalog_search_leave(svp_catalog *c);

#endif
