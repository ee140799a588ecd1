/*
 * The catalog's search mode (see catalog.h): the query typed, the debounce
 * that turns it into one request once typing pauses, and the results row,
 * which drops answers to queries no longer on screen.
 */
#include <stdio.h>
#include <string.h>

#include "catalog_internal.h"

/* A resume position the browse rows know for this title (search answers
 * carry none), or 0. */
static double known_resume(const svp_catalog *c, int64_t id)
{
    for (size_t i = 0; i < c->nb_rows; i++) {
        long k = svp__catalog_find_card(&c->rows[i], id);
        if (k >= 0 && c->rows[i].cards[k].resume_s > 0)
            return c->rows[i].cards[k].resume_s;
    }
    return 0;
}

int svp_catalog_set_results(svp_catalog *c, const char *query, const json_t *titles)
{
    svp_row r;
    char name[SVP_ROW_NAME_MAX];

    if (!query || !json_is_array(titles))
        return SV_ERR_INVALID;
    if (!c->searching || strcmp(query, c->query))
        return 1;
    memset(&r, 0, sizeof(r));
    snprintf(name, sizeof(name), "Results for \"%s\"", query);
    if (svp__catalog_fill_row(&r, name, titles, NULL, NULL) < 0)
        return SV_ERR_NOMEM;
    for (size_t i = 0; i < r.nb_cards; i++)
        r.cards[i].resume_s = known_resume(c, r.cards[i].title_id);
    svp__catalog_free_row(&c->results);
    c->results = r;
    c->results_for_query = 1;
    return 0;
}

static void edit_query(svp_catalog *c, int64_t now_ns)
{
    c->edited_ns = now_ns;
    c->query_sent = 0;
    c->results_for_query = 0;
    /* The old results stay visible until the new ones arrive, except that
     * an empty query has none. */
    if (!c->query[0]) {
        svp__catalog_free_row(&c->results);
        svp__catalog_copy_text(c->results.name, sizeof(c->results.name), "Type to search");
    }
    c->results.focus = 0;
}

static void enter_search(svp_catalog *c, int64_t now_ns)
{
    c->searching = 1;
    c->query[0] = '\0';
    edit_query(c, now_ns);
}

void svp__catalog_search_leave(svp_catalog *c)
{
    c->searching = 0;
    c->query[0] = '\0';
    svp__catalog_free_row(&c->results);
    c->results_for_query = 0;
}

svp_nav_result svp__catalog_search_char(svp_catalog *c, int ch, int64_t now_ns)
{
    size_t len = strlen(c->query);

    if (ch < 32 || ch > 126)
        return SVP_NAV_NONE;
    if (!c->searching) {
        enter_search(c, now_ns);
        if (ch == '/')
            return SVP_NAV_REDRAW; /* '/' only opens the search */
        len = 0;
    }
    if (len + 1 >= sizeof(c->query) || (len == 0 && ch == ' '))
        return SVP_NAV_NONE;
    c->query[len] = (char)ch;
    c->query[len + 1] = '\0';
    edit_query(c, now_ns);
    return SVP_NAV_REDRAW;
}

svp_nav_result svp__catalog_search_back(svp_catalog *c, int64_t now_ns)
{
    size_t len = strlen(c->query);

    if (len == 0) {
        svp__catalog_search_leave(c);
        return SVP_NAV_REDRAW;
    }
    c->query[len - 1] = '\0';
    edit_query(c, now_ns);
    return SVP_NAV_REDRAW;
}

const char *svp_catalog_search_due(svp_catalog *c, int64_t now_ns)
{
    if (svp_catalog_search_wait_ns(c, now_ns) != 0)
        return NULL;
    c->query_sent = 1;
    return c->query;
}

int64_t svp_catalog_search_wait_ns(const svp_catalog *c, int64_t now_ns)
{
    if (!c->searching || c->query_sent || !c->query[0])
        return -1;
    int64_t left = c->edited_ns + SVP_SEARCH_DEBOUNCE_NS - now_ns;
    return left > 0 ? left : 0;
}

int svp_catalog_searching(const svp_catalog *c)
{
    return c->searching;
}

const char *svp_catalog_query(const svp_catalog *c)
{
    return c->query;
}

int svp_catalog_search_pending(const svp_catalog *c)
{
    return c->searching && c->query[0] && !c->results_for_query;
}
