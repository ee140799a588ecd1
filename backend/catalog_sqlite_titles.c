/*
 * catalog_titles.c - titles: creation, edits, the API's JSON view, listing
 * and search.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/catalog_sqlite.h"
#include "backend/fuzzy.h"
#include "streamverse/common.h"

int sv__sqlite_title_create(sv__catalog *cat, const char *title, const char *synopsis,
                             const char *const *genres, int nb_genres, int64_t *id)
{
    sqlite3_stmt *st = NULL;
    json_t *g = json_array();
    char *gtext = NULL;
    int ret = SV_ERR_IO;

    if (!g)
        return SV_ERR_NOMEM;
    for (int i = 0; i < nb_genres; i++)
        json_array_append_new(g, json_string(genres[i]));
    if (!(gtext = json_dumps(g, JSON_COMPACT))) {
        ret = SV_ERR_NOMEM;
        goto fail;
    }
    if (sv__cat_prepare(cat, "INSERT INTO titles (title, synopsis, genres, created)"
                             " VALUES (?, ?, ?, ?)", &st) < 0)
        goto fail;
    sqlite3_bind_text(st, 1, title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, synopsis ? synopsis : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, gtext, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, sv__cat_now());
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    *id = sqlite3_last_insert_rowid(cat->db);
    ret = 0;
fail:
    sqlite3_finalize(st);
    free(gtext);
    json_decref(g);
    return ret;
}

int sv__sqlite_title_update(sv__catalog *cat, int64_t id, const char *title,
                             const char *synopsis, json_t *genres)
{
    sqlite3_stmt *st = NULL;
    char *gtext = genres ? json_dumps(genres, JSON_COMPACT) : NULL;
    int ret = SV_ERR_IO;

    if (genres && !gtext)
        return SV_ERR_NOMEM;
    if (sv__cat_prepare(cat, "UPDATE titles SET title = coalesce(?, title),"
                             " synopsis = coalesce(?, synopsis), genres = coalesce(?, genres)"
                             " WHERE id = ?", &st) < 0)
        goto fail;
    sqlite3_bind_text(st, 1, title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, synopsis, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, gtext, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        goto fail;
    ret = sqlite3_changes(cat->db) ? 0 : SV_ERR_NOT_FOUND;
fail:
    sqlite3_finalize(st);
    free(gtext);
    return ret;
}

static json_t *renditions_json(sv__catalog *cat, int64_t id)
{
    sqlite3_stmt *st = NULL;
    json_t *arr = json_array();

    if (!arr || sv__cat_prepare(cat, "SELECT kind, name, width, height, bandwidth,"
                                     " average_bandwidth, codecs, frame_rate, nb_segments"
                                     " FROM renditions WHERE title_id = ?"
                                     " ORDER BY kind DESC, height, bandwidth", &st) < 0)
        goto fail;
    sqlite3_bind_int64(st, 1, id);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *kind = (const char *)sqlite3_column_text(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        char url[128];
        json_t *r;

        /* media.h's layout: video/<name>/index.m3u8, audio/index.m3u8. */
        if (!strcmp(kind, "video"))
            snprintf(url, sizeof(url), "/media/%lld/video/%s/index.m3u8", (long long)id, name);
        else
            snprintf(url, sizeof(url), "/media/%lld/audio/index.m3u8", (long long)id);
        r = json_pack("{s:s,s:s,s:I,s:I,s:s?,s:f,s:I,s:s}", "kind", kind, "name", name,
                      "bandwidth", (json_int_t)sqlite3_column_int64(st, 4), "average_bandwidth",
                      (json_int_t)sqlite3_column_int64(st, 5), "codecs",
                      (const char *)sqlite3_column_text(st, 6), "frame_rate",
                      sqlite3_column_double(st, 7), "segments",
                      (json_int_t)sqlite3_column_int64(st, 8), "playlist", url);
        if (r && !strcmp(kind, "video")) {
            json_object_set_new(r, "width", json_integer(sqlite3_column_int(st, 2)));
            json_object_set_new(r, "height", json_integer(sqlite3_column_int(st, 3)));
        }
        json_array_append_new(arr, r);
    }
    sqlite3_finalize(st);
    return arr;
fail:
    sqlite3_finalize(st);
    json_decref(arr);
    return NULL;
}

/* Columns: id, title, synopsis, genres, duration, status ("live" while a
 * channel records into it), created, nb_thumbs, thumb_interval, drm,
 * regions, the live channel (NULL when not live). */
#define TITLE_COLUMNS                                                                      \
    "t.id, t.title, t.synopsis, t.genres, t.duration, " SV__CAT_TITLE_STATUS ","           \
    " t.created, t.nb_thumbs, t.thumb_interval, t.drm, t.regions, " SV__CAT_LIVE_CHANNEL

static json_t *row_json(sv__catalog *cat, sqlite3_stmt *st)
{
    int64_t id = sqlite3_column_int64(st, 0);
    const char *status = (const char *)sqlite3_column_text(st, 5);
    json_t *genres = json_loads((const char *)sqlite3_column_text(st, 3), 0, NULL);
    json_t *regions = json_loads((const char *)sqlite3_column_text(st, 10), 0, NULL);
    char created[32];
    json_t *t;

    sv__cat_iso8601(sqlite3_column_int64(st, 6), created, sizeof(created));
    t = json_pack("{s:I,s:s,s:s,s:o,s:s,s:s}", "id", (json_int_t)id, "title",
                  (const char *)sqlite3_column_text(st, 1), "synopsis",
                  (const char *)sqlite3_column_text(st, 2), "genres",
                  genres ? genres : json_array(), "status", status, "created", created);
    if (!t) {
        json_decref(regions);
        return NULL;
    }
    json_object_set_new(t, "drm", json_string((const char *)sqlite3_column_text(st, 9)));
    /* Where it may be played ([]: everywhere), so a catalog screen can
     * say so before a start is refused with geo_blocked. */
    if (!json_is_array(regions)) {
        json_decref(regions);
        regions = json_array();
    }
    json_object_set_new(t, "regions", regions);
    json_object_set_new(t, "duration", sqlite3_column_type(st, 4) == SQLITE_NULL
                                           ? json_null()
                                           : json_real(sqlite3_column_double(st, 4)));
    if (sqlite3_column_type(st, 11) != SQLITE_NULL)
        sv__cat_live_manifests(t, (const char *)sqlite3_column_text(st, 11));
    if (!strcmp(status, "ready")) {
        int nb_thumbs = sqlite3_column_int(st, 7);
        json_t *urls = json_array();
        char url[128], dash[128];

        snprintf(url, sizeof(url), "/media/%lld/master.m3u8", (long long)id);
        snprintf(dash, sizeof(dash), "/media/%lld/manifest.mpd", (long long)id);
        json_object_set_new(t, "manifests", json_pack("{s:s,s:s}", "hls", url, "dash", dash));
        for (int i = 1; i <= nb_thumbs; i++) {
            snprintf(url, sizeof(url), "/media/%lld/thumbs/thumb-%d.jpg", (long long)id, i);
            json_array_append_new(urls, json_string(url));
        }
        json_object_set_new(t, "thumbnails", json_pack("{s:f,s:o}", "interval",
                                                       sqlite3_column_double(st, 8), "urls", urls));
        json_object_set_new(t, "renditions", renditions_json(cat, id));
    }
    return t;
}

json_t *sv__sqlite_title_json(sv__catalog *cat, int64_t id, int *err)
{
    sqlite3_stmt *st = NULL;
    json_t *t = NULL;
    int rc;

    *err = SV_ERR_IO;
    if (sv__cat_prepare(cat, "SELECT " TITLE_COLUMNS " FROM titles t WHERE t.id = ?", &st) < 0)
        return NULL;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        t = row_json(cat, st);
        *err = t ? 0 : SV_ERR_NOMEM;
    } else if (rc == SQLITE_DONE) {
        *err = SV_ERR_NOT_FOUND;
    }
    sqlite3_finalize(st);
    return t;
}

/* The filters every listing shares; binds ?1 (genre) and uses ?2 (all). */
#define FILTERS                                                                    \
    " (?2 OR t.status = 'ready' OR " SV__CAT_LIVE_CHANNEL " IS NOT NULL) AND (?1 IS NULL OR EXISTS (SELECT 1 FROM"         \
    " json_each(t.genres) g WHERE lower(g.value) = lower(?1)))"

/* Turns free text into an FTS5 query: each word of 3+ bytes as a quoted
 * phrase (the trigram tokenizer cannot match shorter ones), all required.
 * Returns NULL when no word qualifies. */
static char *fts_query(const char *q)
{
    size_t cap = strlen(q) * 3 + 8, o = 0;
    char *out = malloc(cap);
    const char *p = q;

    if (!out)
        return NULL;
    while (*p) {
        const char *s;

        while (*p == ' ' || *p == '\t' || *p == '"')
            p++;
        s = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '"')
            p++;
        if (p - s >= 3) {
            out[o++] = '"';
            memcpy(out + o, s, (size_t)(p - s));
            o += (size_t)(p - s);
            out[o++] = '"';
            out[o++] = ' ';
        }
    }
    if (!o) {
        free(out);
        return NULL;
    }
    out[o - 1] = '\0';
    return out;
}

static void bind_filters(sqlite3_stmt *st, const sv__title_query *q)
{
    if (q->genre && q->genre[0])
        sqlite3_bind_text(st, 1, q->genre, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, q->all_states);
}

/* Runs a listing statement whose first column is the id; fills items. */
static int collect(sv__catalog *cat, sqlite3_stmt *st, json_t *items)
{
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int e;
        json_t *t = sv__sqlite_title_json(cat, sqlite3_column_int64(st, 0), &e);

        if (t)
            json_array_append_new(items, t);
    }
    return rc == SQLITE_DONE ? 0 : SV_ERR_IO;
}

static int64_t count_rows(sv__catalog *cat, const char *sql, const sv__title_query *q,
                          const char *match)
{
    sqlite3_stmt *st;
    int64_t n = -1;

    if (sv__cat_prepare(cat, sql, &st) < 0)
        return -1;
    bind_filters(st, q);
    if (match)
        sqlite3_bind_text(st, 3, match, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

typedef struct scored {
    int64_t id;
    int score;
} scored;

static int cmp_scored(const void *a, const void *b)
{
    const scored *x = a, *y = b;

    if (x->score != y->score)
        return x->score - y->score;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The typo-tolerant pass: scores every candidate title in C. The catalog of
 * one origin is small (thousands of titles), so a scan is cheap enough and
 * only runs when the index found nothing. */
static int fuzzy_search(sv__catalog *cat, const sv__title_query *q, json_t *items,
                        int64_t *total)
{
    sqlite3_stmt *st = NULL;
    scored *hits = NULL;
    size_t n = 0, cap = 0;
    int ret = SV_ERR_IO;

    if (sv__cat_prepare(cat, "SELECT t.id, t.title FROM titles t WHERE" FILTERS, &st) < 0)
        return SV_ERR_IO;
    bind_filters(st, q);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int s = sv__fuzzy_score(q->q, (const char *)sqlite3_column_text(st, 1));

        if (s < 0)
            continue;
        if (n == cap) {
            scored *h = realloc(hits, (cap = cap ? cap * 2 : 16) * sizeof(*hits));
            if (!h) {
                ret = SV_ERR_NOMEM;
                goto fail;
            }
            hits = h;
        }
        hits[n].id = sqlite3_column_int64(st, 0);
        hits[n++].score = s;
    }
    if (n) /* qsort's base must not be NULL, even for zero elements */
        qsort(hits, n, sizeof(*hits), cmp_scored);
    for (size_t i = (size_t)q->offset; i < n && i < (size_t)q->offset + (size_t)q->limit; i++) {
        int e;
        json_t *t = sv__sqlite_title_json(cat, hits[i].id, &e);

        if (t)
            json_array_append_new(items, t);
    }
    *total = (int64_t)n;
    ret = 0;
fail:
    sqlite3_finalize(st);
    free(hits);
    return ret;
}

json_t *sv__sqlite_titles_list(sv__catalog *cat, const sv__title_query *q, int *err)
{
    json_t *items = json_array(), *res = NULL;
    sqlite3_stmt *st = NULL;
    char *match = NULL;
    int64_t total = 0;
    int searching = q->q && q->q[0];

    *err = SV_ERR_IO;
    if (!items)
        goto fail;
    if (searching && (match = fts_query(q->q))) {
        total = count_rows(cat, "SELECT count(*) FROM titles_fts f JOIN titles t ON t.id = f.rowid"
                                " WHERE titles_fts MATCH ?3 AND" FILTERS, q, match);
        if (total < 0)
            goto fail;
        if (sv__cat_prepare(cat, "SELECT t.id FROM titles_fts f JOIN titles t ON t.id = f.rowid"
                                 " WHERE titles_fts MATCH ?3 AND" FILTERS
                                 " ORDER BY bm25(titles_fts, 10.0, 1.0), t.id LIMIT ?4 OFFSET ?5",
                            &st) < 0)
            goto fail;
        sqlite3_bind_text(st, 3, match, -1, SQLITE_STATIC);
    } else if (!searching) {
        total = count_rows(cat, "SELECT count(*) FROM titles t WHERE" FILTERS, q, NULL);
        if (total < 0)
            goto fail;
        if (sv__cat_prepare(cat, "SELECT t.id FROM titles t WHERE" FILTERS
                                 " ORDER BY t.id DESC LIMIT ?4 OFFSET ?5", &st) < 0)
            goto fail;
    }
    if (st) {
        bind_filters(st, q);
        sqlite3_bind_int(st, 4, q->limit);
        sqlite3_bind_int(st, 5, q->offset);
        if (collect(cat, st, items) < 0)
            goto fail;
    }
    if (searching && total == 0 && fuzzy_search(cat, q, items, &total) < 0)
        goto fail;
    res = json_pack("{s:o,s:I,s:i,s:i}", "items", items, "total", (json_int_t)total, "limit",
                    q->limit, "offset", q->offset);
    items = NULL;
    *err = res ? 0 : SV_ERR_NOMEM;
fail:
    sqlite3_finalize(st);
    free(match);
    json_decref(items);
    return res;
}
