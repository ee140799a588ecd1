/*
 * catalog_row.c - a row of the catalog (catalog_row.h): cards from the
 * backend's title or continue-watching items, and the helpers the browse
 * rows (catalog.c) and the search results (catalog_search.c) share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog_row.h"

void svp__catalog_copy_text(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

void svp__catalog_free_row(svp_row *r)
{
    free(r->cards);
    r->cards = NULL;
    r->nb_cards = 0;
}

/* The resume position of a title from the continue-watching items, or 0. */
static double resume_of(const json_t *continuing, int64_t id)
{
    size_t i;
    json_t *it;

    json_array_foreach(continuing, i, it) {
        if (json_integer_value(json_object_get(it, "title_id")) == id)
            return json_number_value(json_object_get(it, "position_s"));
    }
    return 0;
}

/* Fills a card from a title item ("id") or a continue-watching item
 * ("title_id"). Returns 0, or -1 when the item has no usable id. */
static int card_from(svp_card *card, const json_t *item, const json_t *continuing)
{
    json_t *id = json_object_get(item, "title_id");

    if (!id)
        id = json_object_get(item, "id");
    if (!json_is_integer(id) || json_integer_value(id) <= 0)
        return -1;
    card->title_id = json_integer_value(id);
    svp__catalog_copy_text(card->title, sizeof(card->title),
              json_string_value(json_object_get(item, "title")));
    card->duration_s = json_number_value(json_object_get(item, "duration"));
    svp__catalog_copy_text(card->poster_url, sizeof(card->poster_url),
                           json_string_value(json_object_get(item, "poster_url")));
    card->resume_s = json_object_get(item, "position_s")
                         ? json_number_value(json_object_get(item, "position_s"))
                         : resume_of(continuing, card->title_id);
    return 0;
}

/* A title item carries this genre (case-insensitive)? */
static int has_genre(const json_t *item, const char *genre)
{
    size_t i;
    json_t *g;

    json_array_foreach(json_object_get(item, "genres"), i, g) {
        if (json_is_string(g) && !strcasecmp(json_string_value(g), genre))
            return 1;
    }
    return 0;
}

int svp__catalog_fill_row(svp_row *r, const char *name, const json_t *items, const char *genre,
                          const json_t *continuing)
{
    size_t i, n = json_array_size(items);
    json_t *it;

    svp__catalog_copy_text(r->name, sizeof(r->name), name);
    r->cards = n ? calloc(n, sizeof(*r->cards)) : NULL;
    if (n && !r->cards)
        return SV_ERR_NOMEM;
    json_array_foreach(items, i, it) {
        if ((!genre || has_genre(it, genre)) &&
            card_from(&r->cards[r->nb_cards], it, continuing) == 0)
            r->nb_cards++;
    }
    return 0;
}

long svp__catalog_find_card(const svp_row *r, int64_t id)
{
    for (size_t i = 0; i < r->nb_cards; i++)
        if (r->cards[i].title_id == id)
            return (long)i;
    return -1;
}
