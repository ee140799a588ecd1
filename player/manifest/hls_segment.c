/*
 * HLS segment URI lines (hls_internal.h): a segment is kept in
 * pl->segments, or handed to the caller's function (sv__hls_parse_each);
 * then its URI, title and date live in scratch buffers reused for the next
 * one, so the parser keeps nothing per segment.
 */
#include <string.h>

#include "platform/alloc.h"
#include "player/manifest/hls_internal.h"
#include "player/manifest/url.h"

const char *sv__hls_resolve(sv__hls_parser *p, const char *uri, size_t len)
{
    const char *ref = sv__arena_strndup(p->arena, uri, len);
    return ref ? sv__url_resolve(p->arena, p->url, ref) : NULL;
}

/* Copies len bytes of src into s, NUL-terminated; NULL when out of memory. */
static char *scratch_put(sv__hls_parser *p, sv__hls_scratch *s, const char *src, size_t len)
{
    if (len + 1 > s->cap) {
        size_t cap = len + 1 > 256 ? len + 1 : 256;
        char *b = sv__realloc(p->alloc, s->buf, cap);
        if (!b)
            return NULL;
        s->buf = b;
        s->cap = cap;
    }
    memcpy(s->buf, src, len);
    s->buf[len] = '\0';
    return s->buf;
}

/* Resolves a segment's URI into p->uri, which the next segment reuses. */
static const char *resolve_scratch(sv__hls_parser *p, const char *uri, size_t len)
{
    if (p->folder_len == 0) {
        size_t cap = strlen(p->url) + 16;
        p->folder_len = -1;
        if ((p->folder.buf = sv__malloc(p->alloc, cap)) != NULL) {
            p->folder.cap = cap;
            int n = sv__url_folder(p->url, p->folder.buf, cap);
            p->folder_len = n > 0 ? n : -1;
        }
    }
    if (p->folder_len > 0 && sv__url_plain_path(uri, len)) {
        size_t need = (size_t)p->folder_len + len + 1;
        if (need > p->uri.cap) {
            char *b = sv__realloc(p->alloc, p->uri.buf, need);
            if (!b)
                return NULL;
            p->uri.buf = b;
            p->uri.cap = need;
        }
        memcpy(p->uri.buf, p->folder.buf, (size_t)p->folder_len);
        memcpy(p->uri.buf + p->folder_len, uri, len);
        p->uri.buf[need - 1] = '\0';
        return p->uri.buf;
    }
    /* Resolution never makes a URL longer than the base and the reference
     * together, plus the separators it adds (and, were it to percent-encode
     * the reference, three bytes for each of its bytes). */
    size_t need = strlen(p->url) + 3 * len + 16;
    if (!scratch_put(p, &p->ref, uri, len))
        return NULL;
    if (need > p->uri.cap) {
        char *b = sv__realloc(p->alloc, p->uri.buf, need);
        if (!b)
            return NULL;
        p->uri.buf = b;
        p->uri.cap = need;
    }
    return sv__url_resolve_buf(p->url, p->ref.buf, p->uri.buf, p->uri.cap) >= 0 ? p->uri.buf
                                                                                 : NULL;
}

void sv__hls_scratch_free(sv__hls_parser *p)
{
    sv__hls_scratch *all[] = { &p->range_uri, &p->ref, &p->uri, &p->title, &p->date, &p->folder };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        sv__free(p->alloc, all[i]->buf);
}

int sv__hls_uri_line(sv__hls_parser *p, const char *line, size_t len)
{
    sv__hls_playlist *pl = p->pl;
    sv__hls_segment local, *s = &local;
    int ret;

    if (p->pending_variant >= 0) {
        const char *uri = sv__hls_resolve(p, line, len);
        if (!uri)
            return FAIL("malformed URI %.*s", (int)(len > 80 ? 80 : len), line);
        pl->variants[p->pending_variant].uri = uri;
        p->pending_variant = -1;
        return 0;
    }
    if (!p->have_inf)
        return FAIL("URI line without a preceding EXTINF or EXT-X-STREAM-INF");
    if (pl->nb_segments >= SV_HLS_MAX_SEGMENTS)
        return FAIL("too many segments (the limit is %d)", SV_HLS_MAX_SEGMENTS);
    const char *uri = p->each ? resolve_scratch(p, line, len) : sv__hls_resolve(p, line, len);
    if (!uri)
        return FAIL("malformed URI %.*s", (int)(len > 80 ? 80 : len), line);
    if (p->each) {
        memset(s, 0, sizeof(*s));
        s->title = scratch_put(p, &p->title, p->inf_title, p->inf_title_len);
        s->program_date_time = p->pdt ? scratch_put(p, &p->date, p->pdt, p->pdt_len) : NULL;
        pl->nb_segments++;
    } else {
        s = APPEND(p, pl->segments, pl->nb_segments, p->cap_segments, SV_HLS_MAX_SEGMENTS);
        if (s) {
            s->title = sv__arena_strndup(p->arena, p->inf_title, p->inf_title_len);
            s->program_date_time = p->pdt ? sv__arena_strndup(p->arena, p->pdt, p->pdt_len) : NULL;
        }
    }
    if (!s || !s->title || (p->pdt && !s->program_date_time))
        return SV_ERR_NOMEM;
    s->uri = uri;
    s->duration = p->inf_duration;
    s->start = pl->duration;
    if (p->pdt)
        sv__hls_daterange_anchor(p, p->pdt, p->pdt_len, s->start);
    s->sequence = p->next_sequence++;
    s->discontinuity = p->discontinuity;
    if (p->discontinuity)
        p->disc_sequence++;
    s->discontinuity_sequence = p->disc_sequence;
    s->gap = p->gap;
    s->key = p->cur_key;
    s->map = p->cur_map;
    s->length = -1;
    if (p->have_range) {
        s->length = p->range_len;
        if (p->range_off >= 0) {
            s->offset = p->range_off;
        } else {
            /* No offset: continues the previous sub-range of the same resource. */
            if (!p->have_range_uri || strcmp(p->range_uri.buf, uri) != 0)
                return FAIL("EXT-X-BYTERANGE without offset, but the previous segment was "
                            "not a sub-range of the same URI");
            s->offset = p->last_range_end;
        }
        if (s->offset > INT64_MAX - s->length)
            return FAIL("EXT-X-BYTERANGE overflows");
        if (!p->have_range_uri || strcmp(p->range_uri.buf, uri) != 0) {
            if (!scratch_put(p, &p->range_uri, uri, strlen(uri)))
                return SV_ERR_NOMEM;
            p->have_range_uri = 1;
        }
        p->last_range_end = s->offset + s->length;
    } else {
        p->have_range_uri = 0;
    }
    pl->duration += s->duration;
    p->have_inf = p->have_range = p->discontinuity = p->gap = 0;
    p->pdt = NULL;
    p->sequence_started = 1;
    if (p->each && (ret = p->each(p->each_opaque, pl, s)) < 0) {
        if (ret != SV_ERR_NOMEM && !p->err->message[0])
            FAIL("segment %lld refused: %s", (long long)s->sequence, sv_strerror(ret));
        else if (!p->err->line)
            p->err->line = p->line;
        return ret;
    }
    return 0;
}
