/*
 * The control loop's live commands: seeks inside the DVR window and back to
 * the live start (sv_player_seek_live), and the clock a live DASH load
 * follows (UTCTiming).
 *
 * UTCTiming (23009-1 5.8.4.11, DASH-IF IOP 4.7): the player's UTC is the
 * wall clock read at creation plus its own clock since (internal.h,
 * sv__wallclock_utc); a packager's clock may differ from ours, and a live
 * DASH player that believes its own would ask for segments before they
 * exist, or play further behind than it says. With http-xsdate or
 * http-iso the server's time is fetched once per load (before playback
 * starts) and the anchor moves by the difference from our time at the
 * middle of the request; with direct, the MPD carries the time itself.
 *
 * Loop thread only.
 */
#include <math.h>
#include <string.h>

#include "player/core/internal.h"
#include "player/manifest/dash.h"
#include "player/manifest/url.h"

#define SCHEME_XSDATE "urn:mpeg:dash:utc:http-xsdate:2014"
#define SCHEME_ISO "urn:mpeg:dash:utc:http-iso:2014"
#define SCHEME_DIRECT "urn:mpeg:dash:utc:direct:2014"
/* Differences under this are noise of the request itself. */
#define MIN_OFFSET_S 0.001

/* Moves the player's UTC by `offset` seconds and lists the live segments
 * again for the new now. */
static void apply_offset(struct sv_player *p, double offset, const char *how)
{
    PLOGI(p, "UTCTiming (%s): the server's clock is %+.3f s from ours", how, offset);
    if (fabs(offset) < MIN_OFFSET_S)
        return;
    p->utc_anchor += offset;
    sv__parse_error err = { 0 };
    int r = sv__model_dash_update(p->pres, sv__wallclock_utc(p), &err);
    if (r < 0)
        PLOGW(p, "live DASH: cannot list the segments for the server's time: %s",
              err.message[0] ? err.message : sv_strerror(r));
    /* The live start for the new now (the host's target or the manifest's). */
    double target = p->settings.live_target_latency_ms > 0
                        ? p->settings.live_target_latency_ms / 1000.0 : -1;
    sv__model_set_target_latency(p->pres, target, sv__wallclock_utc(p));
}

static void on_time(void *opaque, sv__fetch_result *r)
{
    struct sv_player *p = opaque;
    p->utc_fetch = 0;
    if (r->error) {
        PLOGW(p, "UTCTiming: %s; playing on our own clock", r->message);
    } else {
        char text[64];
        size_t n = r->size < sizeof(text) - 1 ? r->size : sizeof(text) - 1;
        memcpy(text, r->data ? (const char *)r->data : "", n);
        text[n] = '\0';
        while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
            text[--n] = '\0';
        double server = sv__dash_parse_datetime(text);
        /* Our UTC when the server read its clock: the middle of the request. */
        double ours = p->utc_anchor + ((r->start_s + r->end_s) / 2 - p->clock_anchor);
        if (server > 0)
            apply_offset(p, server - ours, r->url);
        else
            PLOGW(p, "UTCTiming: %s answered '%.40s', not an xs:dateTime; playing on our own "
                  "clock", r->url, text);
    }
    sv__free(p->settings.allocator, r->data);
    p->hooks.start_loaded(p);
}

int sv__control_sync_clock(struct sv_player *p)
{
    const sv__presentation *pres = p->pres;
    if (pres->kind != SV__SOURCE_DASH || !pres->live || !pres->utc_timing_scheme ||
        !pres->utc_timing_value)
        return 0;
    const char *scheme = pres->utc_timing_scheme, *value = pres->utc_timing_value;
    if (!strcmp(scheme, SCHEME_DIRECT)) {
        double server = sv__dash_parse_datetime(value);
        if (server > 0)
            apply_offset(p, server - sv__wallclock_utc(p), "direct");
        else
            PLOGW(p, "UTCTiming direct: '%.40s' is not an xs:dateTime", value);
        return 0;
    }
    if (strcmp(scheme, SCHEME_XSDATE) != 0 && strcmp(scheme, SCHEME_ISO) != 0) {
        PLOGI(p, "UTCTiming %s is not supported (http-xsdate, http-iso, direct): playing on "
              "our own clock", scheme);
        return 0;
    }
    char url[SV__URL_MAX];
    if (sv__url_resolve_buf(pres->url, value, url, sizeof(url)) < 0) {
        PLOGW(p, "UTCTiming: bad URL '%.80s'", value);
        return 0;
    }
    sv__fetch_req req = { .kind = SV__FETCH_API, .url = url, .length = -1 };
    p->utc_fetch = sv__fetch(p->fetcher, &req, on_time, p);
    if (p->utc_fetch <= 0) {
        p->utc_fetch = 0;
        return 0;
    }
    return 1;
}

/* ---- seeking -------------------------------------------------------------------- */

int sv__control_seek(struct sv_player *p, sv__cmd *c)
{
    if (!p->pres)
        return SV_ERR_STATE;
    double target = c->dvalue, lo = 0, hi = 0;
    int live = p->pres->live;
    if (live && sv__model_seekable(p->pres, sv__wallclock_utc(p), &lo, &hi) < 0)
        return SV_ERR_STATE; /* nothing listed yet */
    if (c->flags & SV__SEEK_LIVE) {
        if (!live)
            return SV_ERR_UNSUPPORTED;
        target = hi;
    }
    sv__mutex_lock(&p->st.lock);
    if (c->flags & SV_SEEK_RELATIVE)
        target += p->st.position_s;
    double dur = p->st.duration_s;
    sv__mutex_unlock(&p->st.lock);
    if (dur > 0 && target > dur)
        target = dur - 0.001;
    if (live) {
        /* The DVR window; past its end is the live start. */
        if (target > hi)
            target = hi;
        if (target < lo)
            target = lo;
        PLOGI(p, "live seek to %.3f s (window %.3f to %.3f s)", target, lo, hi);
    }
    /* Back at the edge the target latency is held again; behind it, in
     * the window, the rate stays 1. */
    sv__latency_hold(p, !live || (c->flags & SV__SEEK_LIVE) || target >= hi - 0.001);
    if (target < 0)
        target = 0;
    double accurate = (c->flags & SV_SEEK_KEYFRAME) ? -1 : target;
    uint64_t gen = atomic_fetch_add(&p->gen, 1) + 1;
    p->playout->set_playing(p->playout->opaque, 0);
    if (p->vstream)
        sv__stream_flush(p->vstream, gen, target);
    if (p->astream)
        sv__stream_flush(p->astream, gen, target);
    sv__vout_flush(p->vout, gen, accurate);
    sv__aout_flush(p->aout, gen, accurate);
    sv__mutex_lock(&p->st.lock);
    p->st.position_s = target;
    sv__mutex_unlock(&p->st.lock);
    p->rebuffer_start_s = -1;
    sv__set_state(p, SV_STATE_SEEKING);
    sv__sched_seek(p, target);
    sv__subs_seek(p->subs, target);
    sv__timed_seek(p->timed, target);
    return 0;
}