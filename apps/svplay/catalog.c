/*
 * The catalog model and its navigation (see catalog.h). Rows are rebuilt
 * whole from the backend's JSON answers; the focus is a row index plus a
 * column per row, so going down and back up returns to the same card, as
 * TV remotes users expect.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_internal.h"

#define MAX_GENRE_ROWS 32

static void free_rows(svp_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        svp__catalog_free_row(&rows[i]);
    free(rows);
}

int svp_catalog_create(svp_catalog **out)
{
    svp_catalog *c = calloc(1, sizeof(*c));
    if (!c)
        return SV_ERR_NOMEM;
    *out = c;
    return 0;
}

void svp_catalog_destroy(svp_catalog *c)
{
    if (!c)
        return;
    free_rows(c->rows, c->nb_rows);
    svp__catalog_free_row(&c->results);
    free(c);
}

static int cmp_names(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* The distinct genres of the titles, first spelling kept, sorted. */
static size_t collect_genres(const json_t *titles, const char **out, size_t cap)
{
    size_t n = 0, i, j, k;
    json_t *it, *g;

    json_array_foreach(titles, i, it) {
        json_array_foreach(json_object_get(it, "genres"), j, g) {
            const char *name = json_string_value(g);
            if (!name || !*name)
                continue;
            for (k = 0; k < n && strcasecmp(out[k], name); k++)
                ;
            if (k == n && n < cap)
                out[n++] = name;
        }
    }
    qsort(out, n, sizeof(*out), cmp_names);
    return n;
}

/* Copies the poster URL of card's title from the title items, if it has none. */
static void poster_of(const json_t *titles, svp_card *card)
{
    size_t i;
    json_t *it;

    if (card->poster_url[0])
        return;
    json_array_foreach(titles, i, it) {
        if (json_integer_value(json_object_get(it, "id")) == card->title_id) {
            svp__catalog_copy_text(card->poster_url, sizeof(card->poster_url),
                                   json_string_value(json_object_get(it, "poster_url")));
            return;
        }
    }
}

int svp_catalog_set_browse(svp_catalog *c, const json_t *titles, const json_t *continuing)
{
    const char *genres[MAX_GENRE_ROWS];
    char name[SVP_ROW_NAME_MAX] = "";
    int64_t focus_id = 0;
    svp_row *rows = NULL;
    size_t n = 0, ng;
    int ret = SV_ERR_NOMEM;

    if (!json_is_array(titles) || (continuing && !json_is_array(continuing)))
        return SV_ERR_INVALID;
    ng = collect_genres(titles, genres, MAX_GENRE_ROWS);
    if (!(rows = calloc(ng + 2, sizeof(*rows))))
        goto fail;
    if (json_array_size(continuing) > 0) {
        if (svp__catalog_fill_row(&rows[n], "Continue watching", continuing, NULL, continuing) < 0)
            goto fail;
        /* Continue-watching items carry no poster URL: the title's has it. */
        for (size_t k = 0; k < rows[n].nb_cards; k++)
            poster_of(titles, &rows[n].cards[k]);
        if (rows[n].nb_cards > 0)
            n++;
        else
            svp__catalog_free_row(&rows[n]);
    }
    for (size_t i = 0; i < ng; i++) {
        if (svp__catalog_fill_row(&rows[n++], genres[i], titles, genres[i], continuing) < 0)
            goto fail;
    }
    if (svp__catalog_fill_row(&rows[n++], "All titles", titles, NULL, continuing) < 0)
        goto fail;

    /* Keep the focus on the same row and title across a refresh. */
    if (c->focus_row < c->nb_rows) {
        const svp_row *old = &c->rows[c->focus_row];
        svp__catalog_copy_text(name, sizeof(name), old->name);
        if (old->focus < old->nb_cards)
            focus_id = old->cards[old->focus].title_id;
    }
    c->focus_row = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].name, name))
            continue;
        long col = svp__catalog_find_card(&rows[i], focus_id);
        c->focus_row = i;
        rows[i].focus = col >= 0 ? (size_t)col : 0;
    }
    free_rows(c->rows, c->nb_rows);
    c->rows = rows;
    c->nb_rows = n;
    return 0;
fail:
    free_rows(rows, n + 1);
    return ret;
}

static svp_row *focus_row_ptr(svp_catalog *c)
{
    if (c->searching)
        return &c->results;
    return c->focus_row < c->nb_rows ? &c->rows[c->focus_row] : NULL;
}

svp_nav_result svp_catalog_key(svp_catalog *c, svp_nav_key key, int ch, int64_t now_ns,
                               svp_choice *choice)
{
    svp_row *r = focus_row_ptr(c);

    switch (key) {
    case SVP_KEY_LEFT:
        if (!r || r->focus == 0)
            return SVP_NAV_NONE;
        r->focus--;
        return SVP_NAV_REDRAW;
    case SVP_KEY_RIGHT:
        if (!r || r->focus + 1 >= r->nb_cards)
            return SVP_NAV_NONE;
        r->focus++;
        return SVP_NAV_REDRAW;
    case SVP_KEY_UP:
        if (c->searching || c->focus_row == 0)
            return SVP_NAV_NONE;
        c->focus_row--;
        return SVP_NAV_REDRAW;
    case SVP_KEY_DOWN:
        if (c->searching || c->focus_row + 1 >= c->nb_rows)
            return SVP_NAV_NONE;
        c->focus_row++;
        return SVP_NAV_REDRAW;
    case SVP_KEY_ENTER:
        if (!r || r->focus >= r->nb_cards)
            return SVP_NAV_NONE;
        choice->title_id = r->cards[r->focus].title_id;
        choice->resume_s = r->cards[r->focus].resume_s;
        svp__catalog_copy_text(choice->title, sizeof(choice->title), r->cards[r->focus].title);
        choice->card = r->cards[r->focus];
        return SVP_NAV_PLAY;
    case SVP_KEY_BACK:
        return c->searching ? svp__catalog_search_back(c, now_ns) : SVP_NAV_NONE;
    case SVP_KEY_ESCAPE:
        if (!c->searching)
            return SVP_NAV_QUIT;
        svp__catalog_search_leave(c);
        return SVP_NAV_REDRAW;
    case SVP_KEY_CHAR:
        return svp__catalog_search_char(c, ch, now_ns);
    }
    return SVP_NAV_NONE;
}

size_t svp_catalog_row_count(const svp_catalog *c)
{
    return c->searching ? 1 : c->nb_rows;
}

const svp_row *svp_catalog_row(const svp_catalog *c, size_t i)
{
    if (c->searching)
        return i == 0 ? &c->results : NULL;
    return i < c->nb_rows ? &c->rows[i] : NULL;
}

size_t svp_catalog_focus_row(const svp_catalog *c)
{
    return c->searching ? 0 : c->focus_row;
}

const svp_card *svp_catalog_focused(const svp_catalog *c)
{
    const svp_row *r = svp_catalog_row(c, svp_catalog_focus_row(c));
    return r && r->focus < r->nb_cards ? &r->cards[r->focus] : NULL;
}
