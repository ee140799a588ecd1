/*
 * catalog_pg_titles.c - titles on PostgreSQL: creation, edits, the API's
 * JSON view, listing and search. Same fields, JSON, paging and error codes
 * as catalog_sqlite_titles.c.
 *
 * Search runs in the database on the pg_trgm indexes of lower(title) and
 * lower(synopsis), in the two passes of the SQLite back end:
 *   1. substrings: every query word of 3+ bytes (split on blanks and
 *      quotes, like the FTS5 query) is in the title or the synopsis, case
 *      folded (LIKE, which the trigram indexes answer). SQLite ranks with
 *      bm25 (title weight 10, synopsis 1); here words found in the title
 *      count 10 and in the synopsis 1, then the closer (pg_trgm similarity,
 *      so shorter) title or synopsis that matched, then the id.
 *   2. when that finds nothing, typos: every query word (split on what is
 *      not a letter or digit) is close to a word of the title or to its
 *      start (a word being typed). Where fuzzy.c allows an edit distance,
 *      this pass asks pg_trgm similarity >= TYPO_SIMILARITY of the word or
 *      of the title word's prefix as long; a word of 3 letters or fewer must
 *      start a title word, as its allowed distance there is 0. Ranked by the
 *      summed similarity, then the id.
 * A listing is one statement: the total and the page (an empty page still
 * gives the total), then one more for the page's renditions.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/catalog_pg.h"
#include "streamverse/common.h"

/* Columns 0-11 of title_row(); in a listing they follow the total and the
 * rank (columns 2-13). TITLE_SELECT reads them from titles t (status
 * "live" while a channel records into the title, then its live channel);
 * TITLE_COLUMNS, unqualified, from the hits CTE that selected them. */
#define TITLE_SELECT                                                                       \
    "t.id, t.title, t.synopsis, t.genres, t.duration, " SV__CAT_TITLE_STATUS " AS status," \
    " t.created, t.nb_thumbs, t.thumb_interval, t.drm, t.regions, " SV__CAT_LIVE_CHANNEL   \
    " AS live_channel"
#define TITLE_COLUMNS                                                                      \
    "id, title, synopsis, genres, duration, status, created, nb_thumbs, thumb_interval,"   \
    " drm, regions, live_channel"

int sv__pg_title_create(sv__catalog *cat, const char *title, const char *synopsis,
                        const char *const *genres, int nb_genres, int64_t *id)
{
    json_t *g = json_array();
    char *gtext = NULL;
    PGresult *r;
    int ret = SV_ERR_NOMEM;

    if (!g)
        return SV_ERR_NOMEM;
    for (int i = 0; i < nb_genres; i++)
        json_array_append_new(g, json_string(genres[i]));
    if (!(gtext = json_dumps(g, JSON_COMPACT)))
        goto fail;
    ret = SV_ERR_IO;
    r = sv__pg_query(cat, "INSERT INTO titles (title, synopsis, genres, created)"
                          " VALUES ($1, $2, $3, $4) RETURNING id",
                     "sssi", title, synopsis ? synopsis : "", gtext, sv__cat_now());
    if (!r)
        goto fail;
    *id = sv__pg_int(r, 0, 0);
    PQclear(r);
    ret = 0;
fail:
    free(gtext);
    json_decref(g);
    return ret;
}

int sv__pg_title_update(sv__catalog *cat, int64_t id, const char *title, const char *synopsis,
                        json_t *genres)
{
    char *gtext = genres ? json_dumps(genres, JSON_COMPACT) : NULL;
    int n;

    if (genres && !gtext)
        return SV_ERR_NOMEM;
    n = sv__pg_run(cat, "UPDATE titles SET title = coalesce($1, title),"
                        " synopsis = coalesce($2, synopsis), genres = coalesce($3, genres)"
                        " WHERE id = $4", "sssi", title, synopsis, gtext, id);
    free(gtext);
    return n < 0 ? SV_ERR_IO : n == 0 ? SV_ERR_NOT_FOUND : 0;
}

/* The renditions of the ready titles among the first n rows of r (the
 * title in TITLE_COLUMNS from column c), ordered like SQLite's listing of
 * one title: by title, video before audio, then height and bandwidth (NULL
 * first, as SQLite sorts it). *out stays NULL when none is ready. */
static int renditions_query(sv__catalog *cat, const PGresult *r, int n, int c, PGresult **out)
{
    size_t cap = (size_t)n * 22 + 3, o = 0;
    char *ids = malloc(cap);

    *out = NULL;
    if (!ids)
        return SV_ERR_NOMEM;
    ids[o++] = '{';
    for (int i = 0; i < n; i++)
        if (!strcmp(sv__pg_text(r, i, c + 5), "ready"))
            o += (size_t)snprintf(ids + o, cap - o, "%s%" PRId64, o > 1 ? "," : "",
                                  sv__pg_int(r, i, c));
    ids[o++] = '}';
    ids[o] = '\0';
    if (o > 2)
        *out = sv__pg_query(cat, "SELECT title_id, kind, name, width, height, bandwidth,"
                                 " average_bandwidth, codecs, frame_rate, nb_segments"
                                 " FROM renditions WHERE title_id = ANY($1::bigint[])"
                                 " ORDER BY title_id, kind DESC, height NULLS FIRST,"
                                 " bandwidth NULLS FIRST", "s", ids);
    free(ids);
    return o > 2 && !*out ? SV_ERR_IO : 0;
}

/* The renditions of title id (rows of renditions_query()), as the API shows them. */
static json_t *renditions_json(const PGresult *rr, int64_t id)
{
    json_t *arr = json_array();

    for (int i = 0; arr && i < PQntuples(rr); i++) {
        const char *kind = sv__pg_text(rr, i, 1), *name = sv__pg_text(rr, i, 2);
        char url[128];
        json_t *j;

        if (sv__pg_int(rr, i, 0) != id)
            continue;
        /* media.h's layout: video/<name>/index.m3u8, audio/index.m3u8. */
        if (!strcmp(kind, "video"))
            snprintf(url, sizeof(url), "/media/%lld/video/%s/index.m3u8", (long long)id, name);
        else
            snprintf(url, sizeof(url), "/media/%lld/audio/index.m3u8", (long long)id);
        j = json_pack("{s:s,s:s,s:I,s:I,s:s?,s:f,s:I,s:s}", "kind", kind, "name", name,
                      "bandwidth", (json_int_t)sv__pg_int(rr, i, 5), "average_bandwidth",
                      (json_int_t)sv__pg_int(rr, i, 6), "codecs",
                      sv__pg_null(rr, i, 7) ? NULL : sv__pg_text(rr, i, 7), "frame_rate",
                      sv__pg_double(rr, i, 8), "segments", (json_int_t)sv__pg_int(rr, i, 9),
                      "playlist", url);
        if (j && !strcmp(kind, "video")) {
            json_object_set_new(j, "width", json_integer((int)sv__pg_int(rr, i, 3)));
            json_object_set_new(j, "height", json_integer((int)sv__pg_int(rr, i, 4)));
        }
        json_array_append_new(arr, j);
    }
    return arr;
}

/* The title in TITLE_COLUMNS from column c of row `row`, with its renditions
 * from rr when it is ready; the same keys in the same order as SQLite's. */
static json_t *title_row(const PGresult *r, int row, int c, const PGresult *rr)
{
    int64_t id = sv__pg_int(r, row, c);
    const char *status = sv__pg_text(r, row, c + 5);
    json_t *genres = json_loads(sv__pg_text(r, row, c + 3), 0, NULL);
    json_t *regions = json_loads(sv__pg_text(r, row, c + 10), 0, NULL);
    char created[32];
    json_t *t;

    sv__cat_iso8601(sv__pg_int(r, row, c + 6), created, sizeof(created));
    t = json_pack("{s:I,s:s,s:s,s:o,s:s,s:s}", "id", (json_int_t)id, "title",
                  sv__pg_text(r, row, c + 1), "synopsis", sv__pg_text(r, row, c + 2), "genres",
                  genres ? genres : json_array(), "status", status, "created", created);
    if (!t) {
        json_decref(regions);
        return NULL;
    }
    json_object_set_new(t, "drm", json_string(sv__pg_text(r, row, c + 9)));
    /* Where it may be played ([]: everywhere). */
    if (!json_is_array(regions)) {
        json_decref(regions);
        regions = json_array();
    }
    json_object_set_new(t, "regions", regions);
    json_object_set_new(t, "duration", sv__pg_null(r, row, c + 4)
                                           ? json_null()
                                           : json_real(sv__pg_double(r, row, c + 4)));
    if (!sv__pg_null(r, row, c + 11))
        sv__cat_live_manifests(t, sv__pg_text(r, row, c + 11));
    if (!strcmp(status, "ready")) {
        int nb_thumbs = (int)sv__pg_int(r, row, c + 7);
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
                                                       sv__pg_double(r, row, c + 8), "urls",
                                                       urls));
        json_object_set_new(t, "renditions", renditions_json(rr, id));
    }
    return t;
}

json_t *sv__pg_title_json(sv__catalog *cat, int64_t id, int *err)
{
    PGresult *r = sv__pg_query(cat, "SELECT " TITLE_SELECT " FROM titles t WHERE t.id = $1", "i",
                               id);
    PGresult *rr = NULL;
    json_t *t = NULL;

    *err = SV_ERR_IO;
    if (!r)
        return NULL;
    if (PQntuples(r) == 0) {
        *err = SV_ERR_NOT_FOUND;
        goto out;
    }
    if ((*err = renditions_query(cat, r, 1, 0, &rr)) < 0)
        goto out;
    t = title_row(r, 0, 0, rr);
    *err = t ? 0 : SV_ERR_NOMEM;
out:
    PQclear(rr);
    PQclear(r);
    return t;
}

/*
 * Listings. Parameters: $1 genre (text, NULL for none), $2 all states (0/1),
 * $3 limit, $4 offset, and for a search $5 the query text. Each statement
 * defines the CTE `hits` (TITLE_COLUMNS and its rank columns); PAGE(order)
 * turns it into the total (column 0) and the page in `order` (rank in
 * column 1, the title from column 2), or one row with a NULL rank when the
 * page is empty.
 */
#define FILTERS                                                                            \
    " ($2::int <> 0 OR t.status = 'ready' OR " SV__CAT_LIVE_CHANNEL " IS NOT NULL) AND ($1::text IS NULL OR EXISTS (SELECT 1"      \
    " FROM json_array_elements_text(t.genres::json) g WHERE lower(g) = lower($1::text)))"

#define PAGE(order)                                                                        \
    " SELECT c.total, p.* FROM (SELECT count(*) AS total FROM hits) c LEFT JOIN LATERAL"   \
    " (SELECT row_number() OVER (ORDER BY " order ") AS rank, " TITLE_COLUMNS              \
    " FROM hits ORDER BY " order " LIMIT $3::bigint OFFSET $4::bigint) p ON true"          \
    " ORDER BY p.rank"

/* Not materialized: the count and the page each use the indexes. */
#define LIST_SQL                                                                           \
    "WITH hits AS NOT MATERIALIZED (SELECT " TITLE_SELECT " FROM titles t WHERE" FILTERS  \
    ")" PAGE("id DESC")

/* A LIKE pattern matching `x` anywhere, x's own % _ and \ taken literally. */
#define LIKE_ANYWHERE(x)                                                                   \
    "'%' || replace(replace(replace(" x ", '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'"

/*
 * Pass 1, substrings. w: the words of 3+ bytes; one of fewer than 3
 * characters matches nothing, as FTS5's trigrams cannot find it. The
 * longest word's pattern picks the candidates through the trigram indexes
 * (bitmap OR of the title's and the synopsis'); every word is checked on
 * them. No words: no rows, and the typo pass runs, as on SQLite.
 */
#define SEARCH_SQL                                                                         \
    "WITH w AS (SELECT char_length(x) AS n, " LIKE_ANYWHERE("lower(x)") " AS p"            \
    "  FROM unnest(regexp_split_to_array($5::text, '[ \\t\"]+')) x"                        \
    "  WHERE octet_length(x) >= 3),"                                                       \
    " longest AS (SELECT p FROM w ORDER BY n DESC LIMIT 1),"                               \
    " hits AS (SELECT " TITLE_SELECT ", 10 * m.nt + m.ns AS weight,"                      \
    "  CASE WHEN m.nt > 0 THEN similarity(lower(title), lower($5::text)) ELSE 0 END AS st," \
    "  CASE WHEN m.ns > 0 THEN similarity(lower(synopsis), lower($5::text)) ELSE 0 END"    \
    "  AS ss"                                                                              \
    "  FROM titles t, LATERAL (SELECT count(*) FILTER (WHERE lower(t.title) LIKE w.p) AS nt,"  \
    "   count(*) FILTER (WHERE lower(t.synopsis) LIKE w.p) AS ns,"                         \
    "   bool_and(w.n >= 3 AND (lower(t.title) LIKE w.p OR lower(t.synopsis) LIKE w.p))"    \
    "   AS every FROM w) m"                                                                \
    "  WHERE" FILTERS " AND m.every AND (lower(t.title) LIKE (SELECT p FROM longest)"      \
    "   OR lower(t.synopsis) LIKE (SELECT p FROM longest)))"                               \
    PAGE("weight DESC, st DESC, ss DESC, id")

/* The typo pass's bar, and the looser one of its index lookup (below). */
#define TYPO_SIMILARITY "0.3"
#define TYPO_PREFILTER "0.2"

/* What separates words for fuzzy.c: anything but ASCII letters and digits
 * and non-ASCII characters. */
#define NOT_WORD "'[^0-9a-z\\u0080-\\U0010ffff]+'"

/*
 * Pass 2, typos. best: per query word, its closest title word (similarity
 * to the word or to its start as long as the query word), or 1 when a
 * short word starts one. The candidates come from the title index: the
 * longest word as a substring when short, else word_similarity (%>) at
 * least TYPO_PREFILTER; a title word at TYPO_SIMILARITY or more is always
 * above that, as pg_trgm's word similarity takes the best stretch of the
 * title, which the word or its start is.
 */
#define TYPO_SQL                                                                           \
    "WITH w AS (SELECT x AS w, char_length(x) AS n, " LIKE_ANYWHERE("x") " AS p"           \
    "  FROM unnest(regexp_split_to_array(lower($5::text), " NOT_WORD ")) x WHERE x <> ''),"  \
    " longest AS (SELECT w, n, p FROM w ORDER BY n DESC LIMIT 1),"                         \
    " hits AS (SELECT " TITLE_SELECT ", s.score FROM titles t,"                           \
    "  LATERAL (SELECT sum(b.best) AS score, bool_and(b.best >= " TYPO_SIMILARITY ")"      \
    "   AS every FROM w, LATERAL (SELECT max(CASE WHEN w.n <= 3"                           \
    "    THEN (left(tw, w.n) = w.w)::int"                                                  \
    "    ELSE greatest(similarity(w.w, tw), similarity(w.w, left(tw, w.n))) END) AS best"  \
    "    FROM unnest(regexp_split_to_array(lower(t.title), " NOT_WORD ")) tw) b) s"        \
    "  WHERE" FILTERS " AND s.every"                                                       \
    "  AND (lower(t.title) LIKE (SELECT p FROM longest WHERE n <= 3)"                      \
    "   OR lower(t.title) %> (SELECT w FROM longest WHERE n > 3)))"                        \
    PAGE("score DESC, id")

/* Runs one listing statement (with $5, the query text, when search is
 * set) and appends its page to items; sets *total. */
static int list_page(sv__catalog *cat, const char *sql, const char *search,
                     const sv__title_query *q, json_t *items, int64_t *total)
{
    const char *genre = q->genre && q->genre[0] ? q->genre : NULL;
    PGresult *r, *rr = NULL;
    int n, ret;

    if (search)
        r = sv__pg_query(cat, sql, "siiis", genre, (int64_t)q->all_states, (int64_t)q->limit,
                         (int64_t)q->offset, search);
    else
        r = sv__pg_query(cat, sql, "siii", genre, (int64_t)q->all_states, (int64_t)q->limit,
                         (int64_t)q->offset);
    if (!r)
        return SV_ERR_IO;
    *total = sv__pg_int(r, 0, 0);
    n = sv__pg_null(r, 0, 1) ? 0 : PQntuples(r);
    if ((ret = renditions_query(cat, r, n, 2, &rr)) < 0)
        goto out;
    for (int i = 0; i < n; i++) {
        json_t *t = title_row(r, i, 2, rr);

        if (!t || json_array_append_new(items, t) < 0) {
            ret = SV_ERR_NOMEM;
            goto out;
        }
    }
out:
    PQclear(rr);
    PQclear(r);
    return ret;
}

json_t *sv__pg_titles_list(sv__catalog *cat, const sv__title_query *q, int *err)
{
    json_t *items = json_array(), *res = NULL;
    int64_t total = 0;
    int searching = q->q && q->q[0], ret;

    *err = SV_ERR_NOMEM;
    if (!items)
        return NULL;
    if (!searching) {
        ret = list_page(cat, LIST_SQL, NULL, q, items, &total);
    } else {
        ret = list_page(cat, SEARCH_SQL, q->q, q, items, &total);
        /* The typo pass's index lookup reads this setting (%>); only the
         * catalog uses pg_trgm on this connection. */
        if (ret == 0 && total == 0 &&
            (ret = sv__pg_exec(cat, "SET pg_trgm.word_similarity_threshold = "
                                    TYPO_PREFILTER)) == 0)
            ret = list_page(cat, TYPO_SQL, q->q, q, items, &total);
    }
    if (ret < 0) {
        *err = ret;
        goto fail;
    }
    res = json_pack("{s:o,s:I,s:i,s:i}", "items", items, "total", (json_int_t)total, "limit",
                    q->limit, "offset", q->offset);
    items = NULL;
    *err = res ? 0 : SV_ERR_NOMEM;
fail:
    json_decref(items);
    return res;
}
