/*
 * serve.c - a channel's HTTP answers on the loop thread: the multivariant
 * and media playlists (with blocking reload: a request for a part that has
 * not landed is parked, sv__http_defer, and answered when the part's event
 * arrives or with 503 after three target durations; never a thread per
 * request), the MPD, init segments, parts (a part asked for by a preload
 * hint waits for its landing the same way), and segments: a complete one
 * is a file, the one being written goes out with chunked transfer, part by
 * part, as they land (LL-DASH).
 */
#include <fcntl.h>
#include <http_parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "backend/live/internal.h"
#include "backend/static_files.h"
#include "streamverse/common.h"

enum { WAIT_PLAYLIST, WAIT_PART, WAIT_SEGMENT };

struct sv__live_wait {
    sv__live_wait *next;
    sv__live_channel *ch;
    sv__http_req *req;
    int kind;
    int rend;
    int64_t msn;
    int part;                /* WAIT_PLAYLIST/PART: the part awaited (-1: the segment) */
    int skip;
    int sent;                /* WAIT_SEGMENT: parts written so far; -1 before the head */
    int64_t deadline_ns;
};

void sv__live_channel_view(const sv__live_channel *ch, sv__live_view *v)
{
    memset(v, 0, sizeof(*v)); /* vod 0: the live layout */
    v->rends = ch->rends;
    v->nb_rends = ch->nb_rends;
    v->segment_s = ch->set.segment_s;
    v->part_s = ch->set.part_s;
    v->dvr_s = ch->set.dvr_s;
    v->target_latency_s = ch->set.target_latency_s;
    v->ast_ms = ch->ast_ms;
    v->ended = ch->ended;
    v->gone = !ch->ended && !ch->live;
    v->prot = ch->prot.scheme != SV__PROTECT_NONE ? &ch->prot : NULL;
}

static void serve_file(sv__live_channel *ch, sv__http_req *req, const char *rel)
{
    sv__static_serve(ch->env->files, req, rel);
}

static void seg_gone(void *opaque, sv__http_req *req);
static const sv__http_stream_cb seg_cb = {NULL, seg_gone};

static int64_t now_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* How long a request may be held: three target durations (the spec's
 * advice for blocking reloads). */
static int64_t hold_ns(const sv__live_channel *ch)
{
    return (int64_t)(3.0 * ch->set.segment_s * 1e9);
}

static void send_buf(sv__http_req *req, const char *type, sv__buf *b)
{
    if (b->err) {
        sv__http_send_error(req, 500, "internal", "out of memory");
        return;
    }
    sv__http_add_header_str(req, "Cache-Control", "no-cache");
    sv__http_send(req, 200, type, b->data, b->size);
}

static void send_playlist(sv__live_channel *ch, sv__http_req *req, int rend, int skip)
{
    sv__live_view v;
    sv__buf b = {0};

    sv__live_channel_view(ch, &v);
    if (rend < 0)
        sv__live_hls_master(&v, &b);
    else
        sv__live_hls_media(&v, rend, skip, &b);
    send_buf(req, "application/vnd.apple.mpegurl", &b);
    sv__buf_free(&b);
}

static int find_rend(const sv__live_channel *ch, const char *name, size_t len)
{
    for (int i = 0; i < ch->nb_rends; i++)
        if (strlen(ch->rends[i].name) == len && !strncmp(ch->rends[i].name, name, len))
            return i;
    return -1;
}

/* Parks req until (msn, part) of rendition `rend` lands. A segment's
 * request becomes a stream (its wait is the stream's opaque). */
static void park(sv__live_channel *ch, sv__http_req *req, int kind, int rend, int64_t msn,
                 int part, int skip)
{
    sv__live_wait *w = calloc(1, sizeof(*w));

    if (!w) {
        sv__http_send_error(req, 500, "internal", "out of memory");
        return;
    }
    *w = (sv__live_wait){ch->waits, ch, req, kind, rend, msn, part, skip, -1,
                         sv__monotonic_ns() + hold_ns(ch)};
    ch->waits = w;
    if (kind == WAIT_SEGMENT)
        sv__http_stream_open(req, &seg_cb, w);
    else
        sv__http_defer(req);
}

/* ---- chunked segments -------------------------------------------------------- */

static void unlink_wait(sv__live_channel *ch, sv__live_wait *w)
{
    for (sv__live_wait **p = &ch->waits; *p; p = &(*p)->next)
        if (*p == w) {
            *p = w->next;
            return;
        }
}

static void seg_gone(void *opaque, sv__http_req *req)
{
    sv__live_wait *w = opaque;

    (void)req;
    unlink_wait(w->ch, w);
    free(w);
}

/* Writes the parts of w's segment that landed since the last call; ends
 * the answer once the segment is complete. Returns 1 when w is done. */
static int seg_push(sv__live_wait *w)
{
    sv__live_channel *ch = w->ch;
    const sv__live_seg *s = sv__live_index_find(&ch->rends[w->rend], w->msn);
    char path[1400];

    if (!s)
        return 0;
    if (w->sent < 0) {
        sv__http_add_header_str(w->req, "Cache-Control", "no-cache");
        /* A proxy (the nginx edges) passes it on part by part, unbuffered,
         * and keeps no copy of an answer that is still growing. */
        sv__http_add_header_str(w->req, "X-Accel-Buffering", "no");
        if (sv__http_stream_head(w->req, 200, sv__mime_type(ch->rends[w->rend].is_audio
                                                                ? "audio/x.m4s" : "x.m4s"),
                                 SV__HTTP_CHUNKED) < 0)
            return 1;
        w->sent = 0;
    }
    while (w->sent < s->nb_parts) {
        uint8_t *data = malloc(s->parts[w->sent].bytes ? s->parts[w->sent].bytes : 1);
        ssize_t n = -1;
        int fd;

        snprintf(path, sizeof(path), "%s/%s/part-%lld.%d.m4s", ch->dir, ch->rends[w->rend].name,
                 (long long)w->msn, w->sent);
        if (data && (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
            n = pread(fd, data, s->parts[w->sent].bytes, 0);
            close(fd);
        }
        if (n != (ssize_t)s->parts[w->sent].bytes) {
            /* The part left the disk (the window moved on): cut. */
            free(data);
            sv__http_stream_end(w->req, SV__HTTP_STREAM_RESET);
            return 1;
        }
        if (w->req->method != HTTP_HEAD && sv__http_stream_write(w->req, data, (size_t)n) < 0) {
            free(data);
            return 1; /* the layer closed the connection: the stream is over */
        }
        free(data);
        w->sent++;
    }
    if (s->complete || ch->ended) {
        sv__http_stream_end(w->req, SV__HTTP_STREAM_DONE);
        return 1;
    }
    return 0;
}

/* ---- waking ------------------------------------------------------------------ */

static void answer(sv__live_wait *w, int timed_out)
{
    sv__live_channel *ch = w->ch;
    sv__http_req *req = w->req;
    char rel[400];

    if (!sv__http_resume(req))
        return;
    if (timed_out) {
        sv__http_add_header_str(req, "Retry-After", "1");
        sv__http_send_error(req, 503, "not_yet", "the part asked for has not landed in time");
        return;
    }
    if (w->kind == WAIT_PLAYLIST) {
        send_playlist(ch, req, w->rend, w->skip);
        return;
    }
    snprintf(rel, sizeof(rel), "%s/%s/part-%lld.%d.m4s", ch->row.name, ch->rends[w->rend].name,
             (long long)w->msn, w->part);
    serve_file(ch, req, rel);
}

/* Is w to be looked at now: its part landed, its segment grew, the event
 * ended, or its time is up? */
static int due(const sv__live_channel *ch, const sv__live_wait *w, int64_t now_ns)
{
    const sv__live_seg *s;

    if (ch->ended || now_ns >= w->deadline_ns || w->rend >= ch->nb_rends)
        return 1;
    if (w->kind != WAIT_SEGMENT)
        return sv__live_index_has(&ch->rends[w->rend], w->msn, w->part);
    s = sv__live_index_find(&ch->rends[w->rend], w->msn);
    return s && (s->nb_parts > w->sent || s->complete);
}

/* Moves the wait on: 1 when it stays parked. */
static int process(sv__live_wait *w, int64_t now_ns)
{
    sv__live_channel *ch = w->ch;
    int late = now_ns >= w->deadline_ns, ready;

    if (w->kind == WAIT_SEGMENT) {
        if (w->rend < ch->nb_rends && sv__live_index_find(&ch->rends[w->rend], w->msn)) {
            int sent = w->sent;

            if (seg_push(w))
                return 0;
            /* The hold counts from the last part sent: a segment asked for
             * ahead streams for as long as its parts keep landing. */
            if (w->sent > sent) {
                w->deadline_ns = now_ns + hold_ns(ch);
                late = 0;
            }
            if (!ch->ended && !late)
                return 1;
        }
        if (w->sent < 0) {
            /* Never began: the feed did not come back, or the event ended. */
            static const char body[] = "{\"error\":{\"code\":\"not_found\",\"message\":"
                                       "\"no such segment: the feed stopped before it\"}}\n";

            if (sv__http_stream_head(w->req, 404, "application/json", sizeof(body) - 1) >= 0 &&
                (w->req->method == HTTP_HEAD ||
                 sv__http_stream_write(w->req, body, sizeof(body) - 1) >= 0))
                sv__http_stream_end(w->req, SV__HTTP_STREAM_DONE);
            return 0;
        }
        /* Stalled halfway: the client sees a cut answer and asks again. */
        sv__http_stream_end(w->req, SV__HTTP_STREAM_CLOSE);
        return 0;
    }
    ready = w->rend < ch->nb_rends && (ch->ended ||
                                       sv__live_index_has(&ch->rends[w->rend], w->msn, w->part));
    answer(w, !ready);
    return 0;
}

void sv__live_channel_wake(sv__live_channel *ch, int64_t now_ns)
{
    sv__live_wait *todo = NULL, **p = &ch->waits;

    /* Take the due ones out first: answering may start the connection's
     * next request, which may park itself on this list. */
    while (*p) {
        sv__live_wait *w = *p;

        if (!due(ch, w, now_ns)) {
            p = &w->next;
            continue;
        }
        *p = w->next;
        w->next = todo;
        todo = w;
    }
    while (todo) {
        sv__live_wait *w = todo;

        todo = w->next;
        if (process(w, now_ns)) {
            w->next = ch->waits;
            ch->waits = w;
        } else {
            free(w);
        }
    }
}

void sv__live_waits_fail(sv__live_channel *ch)
{
    while (ch->waits) {
        sv__live_wait *w = ch->waits;

        ch->waits = w->next;
        if (w->kind == WAIT_SEGMENT) {
            sv__http_stream_end(w->req, SV__HTTP_STREAM_CLOSE);
        } else if (sv__http_resume(w->req)) {
            sv__http_add_header_str(w->req, "Retry-After", "1");
            sv__http_send_error(w->req, 503, "unavailable", "the channel is going away");
        }
        free(w);
    }
}

/* ---- requests ---------------------------------------------------------------- */

static void media_playlist(sv__live_channel *ch, sv__http_req *req, int rend)
{
    const sv__live_rend *r = &ch->rends[rend];
    int64_t msn, last;
    int part, skip, last_part;
    char err[128];

    if (sv__live_hls_query(req->query, req->query_len, &msn, &part, &skip, err,
                           sizeof(err)) < 0) {
        sv__http_send_error(req, 400, "bad_request", err);
        return;
    }
    last = sv__live_index_last(r, &last_part);
    if (msn < 0 || ch->ended || sv__live_index_has(r, msn, part)) {
        send_playlist(ch, req, rend, skip);
        return;
    }
    /* A request for a segment more than two ahead is a client's mistake. */
    if (last >= 0 && msn > last + 2) {
        sv__http_send_error(req, 400, "bad_request", "_HLS_msn is more than two segments "
                            "past the last one");
        return;
    }
    park(ch, req, WAIT_PLAYLIST, rend, msn, part, skip);
}

static void media_file(sv__live_channel *ch, sv__http_req *req, int rend, const char *name,
                       const char *rel)
{
    const sv__live_rend *r = &ch->rends[rend];
    int64_t msn, last;
    int part, is_part, last_part;

    if (!sv__live_media_name(name, &is_part, &msn, &part) || ch->ended) {
        serve_file(ch, req, rel);
        return;
    }
    last = sv__live_index_last(r, &last_part);
    if (sv__live_index_has(r, msn, is_part ? part : -1)) {
        serve_file(ch, req, rel);
        return;
    }
    /* Soon to land: the segment being written or one of the next two (also
     * while the event waits for its encoder to come back), all within the
     * hold of three target durations. Two: as far ahead as a blocking
     * playlist reload may ask (media_playlist); a client whose clock or
     * timeline runs a segment ahead (Shaka Player after a gap between two
     * Periods asked for the segment after next) gets it when it lands
     * instead of a 404 that stops its play. */
    if (ch->ended || last < 0 || msn > last + 2 || msn < last) {
        serve_file(ch, req, rel); /* 404 unless it is on disk */
        return;
    }
    if (is_part) {
        park(ch, req, WAIT_PART, rend, msn, part, 0);
        return;
    }
    park(ch, req, WAIT_SEGMENT, rend, msn, -1, 0);
    sv__live_channel_wake(ch, sv__monotonic_ns());
}

void sv__live_channel_serve(sv__live_channel *ch, sv__http_req *req, const char *rest,
                            const sv__live_rewrite *rw)
{
    const char *slash = strchr(rest, '/');
    char rel[400];
    int rend;

    snprintf(rel, sizeof(rel), "%s/%s", ch->row.name, rest);
    if (!strcmp(rest, "master.m3u8") || !strcmp(rest, "manifest.mpd")) {
        sv__live_view v;
        sv__buf b = {0};

        if (!ch->nb_rends || !ch->rends[0].nb_segs) {
            sv__http_add_header_str(req, "Retry-After", "2");
            sv__http_send_error(req, 404, "not_live", "the channel has not been live yet");
            return;
        }
        int dash = rest[1] == 'a' && rest[2] == 'n';

        sv__live_channel_view(ch, &v);
        if (dash)
            sv__live_dash_mpd(&v, now_ms(), &b);
        else
            sv__live_hls_master(&v, &b);
        /* A session's CDNs and steering, as a VOD title's (playback.h). */
        if (!b.err && rw && rw->fn(rw->opaque, req, (const char *)b.data, b.size, dash)) {
            sv__buf_free(&b);
            return;
        }
        send_buf(req, dash ? "application/dash+xml" : "application/vnd.apple.mpegurl", &b);
        sv__buf_free(&b);
        return;
    }
    if (!slash || (rend = find_rend(ch, rest, (size_t)(slash - rest))) < 0) {
        serve_file(ch, req, rel);
        return;
    }
    if (!strcmp(slash + 1, "index.m3u8")) {
        media_playlist(ch, req, rend);
        return;
    }
    media_file(ch, req, rend, slash + 1, rel);
}
