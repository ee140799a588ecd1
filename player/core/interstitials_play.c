/*
 * interstitials_play.c - the switches of an interstitial break: the
 * primary stopped (its load command kept), each asset loaded as an item
 * of its own, the primary loaded again at the resume position; the host's
 * events and the position it sees; the preloads that make each switch
 * start from memory. Loop thread, but sv__inter_asset_failed.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "player/core/interstitials_internal.h"

/* A load command for `url` with the primary's token, license URL and
 * quality lock (not its CDN list: the asset's URL is its own). */
static sv__cmd *asset_cmd(struct sv_player *p, const sv__cmd *primary, const char *url)
{
    const sv_allocator *al = p->settings.allocator;
    sv__cmd *c = sv__calloc(al, 1, sizeof(*c));
    if (!c)
        return NULL;
    c->player = p;
    c->kind = SV__CMD_LOAD;
    c->opts = primary->opts;
    c->opts.start_position_s = 0;
    c->opts.cdns = NULL;
    c->opts.nb_cdns = 0;
    c->opts.auth_token = NULL;
    c->opts.license_url = NULL;
    c->url = sv__strdup(al, url);
    if (primary->opts.auth_token)
        c->opts.auth_token = sv__strdup(al, primary->opts.auth_token);
    if (!c->url || (primary->opts.auth_token && !c->opts.auth_token)) {
        sv__cmd_free(c);
        return NULL;
    }
    return c;
}

static void push(sv__inter *in, sv_event_id id, const sv__brk *b, double pos, double dur,
                 int error)
{
    sv_event ev = { .id = id, .error = error };
    ev.data.interstitial.position_s = pos;
    ev.data.interstitial.duration_s = dur;
    ev.data.interstitial.asset_index = (int)in->asset;
    ev.data.interstitial.nb_assets = (int)b->nb_assets;
    sv__events_push(&in->p->events, &ev, b->id, b->assets[in->asset].uri, NULL);
}

/* The asset's seconds left under X-PLAYOUT-LIMIT (< 0: no limit). */
static double limit_left(const sv__inter *in, const sv__brk *b)
{
    if (b->d.playout_limit < 0)
        return -1;
    double left = b->d.playout_limit - in->played;
    return left > 0 ? left : 0;
}

static void load(struct sv_player *p, sv__cmd *c)
{
    p->item_switch = 1;
    p->hooks.load(p, c, 0);
    p->item_switch = 0;
}

/* Plays asset k of the playing break. 0, or < 0 when it cannot start. */
static int play_asset(sv__inter *in, sv__brk *b, size_t k)
{
    struct sv_player *p = in->p;
    in->asset = k;
    in->primary_preloaded = 0;
    sv__cmd *c = asset_cmd(p, in->primary, b->assets[k].uri);
    if (!c)
        return SV_ERR_NOMEM;
    double left = limit_left(in, b);
    sv__mutex_lock(&p->st.lock);
    p->st.ad_limit_s = left;
    sv__mutex_unlock(&p->st.lock);
    sv__inter_set_cut(p, left >= 0 ? left : INFINITY);
    PLOGI(p, "interstitial %s: asset %zu/%zu %s", b->id, k + 1, b->nb_assets, b->assets[k].uri);
    double dur = b->assets[k].duration;
    if (left >= 0 && (dur < 0 || dur > left))
        dur = left;
    push(in, SV_EVENT_INTERSTITIAL_START, b, in->at, dur, 0);
    load(p, c);
    return 0;
}

void sv__inter_start(sv__inter *in, sv__brk *b, double resume_at)
{
    struct sv_player *p = in->p;
    /* The primary's load command is kept for the return. */
    in->primary = p->load_cmd;
    p->load_cmd = NULL;
    in->playing = (int)(b - in->brk);
    in->played = 0;
    in->resume_at = resume_at;
    in->post = (b->d.cue & SV__CUE_POST) != 0;
    b->state = SV__BRK_PLAYED;
    atomic_store(&in->active, 1);
    sv__mutex_lock(&p->st.lock);
    p->st.ad_playing = p->st.ad_hold = 1;
    p->st.ad_restrict_skip = (b->d.restrict_flags & SV__RESTRICT_SKIP) != 0;
    /* Where the primary stands: the break, its start (PRE), its end (POST). */
    in->at = (b->d.cue & SV__CUE_PRE) ? resume_at : b->start;
    if (b->d.cue & SV__CUE_POST)
        in->at = p->st.duration_s;
    p->st.ad_primary_pos_s = in->at;
    p->st.ad_primary_dur_s = p->st.duration_s;
    sv__mutex_unlock(&p->st.lock);
    /* The break counts once for the backend (its DATERANGE's own report,
     * when the primary reaches it again, is a repeat). */
    if (b->scte_id)
        sv__control_count_ad(p, b->scte_id, b->start, b->duration);
    if (!in->primary || play_asset(in, b, 0) < 0)
        sv__control_error(p, SV_ERR_NOMEM, 1, "out of memory starting interstitial %s", b->id);
}

/* Where the primary resumes: a JUMP's target, a PRE-roll's start, a
 * POST-roll's end, else the break's start + X-RESUME-OFFSET (without one:
 * the seconds of asset played, the draft's default). */
static double resume_pos(const sv__inter *in, const sv__brk *b)
{
    if (!isnan(in->resume_at))
        return in->resume_at;
    if (b->d.cue & (SV__CUE_PRE | SV__CUE_POST))
        return in->at;
    return b->start + (b->d.resume_offset >= 0 ? b->d.resume_offset : in->played);
}

/* Back to the primary at the resume position, or (POST-roll) its end. */
static int resume(sv__inter *in, sv__brk *b)
{
    struct sv_player *p = in->p;
    double at = resume_pos(in, b);
    sv__cmd *c = in->primary;
    in->primary = NULL;
    in->playing = -1;
    atomic_store(&in->active, 0);
    sv__mutex_lock(&p->st.lock);
    double dur = p->st.ad_primary_dur_s;
    p->st.ad_playing = p->st.ad_restrict_skip = 0;
    p->st.ad_hold = in->post; /* after a POST-roll the load ends at the primary's end */
    p->st.ad_limit_s = -1;
    p->st.duration_s = dur;
    sv__mutex_unlock(&p->st.lock);
    if (in->post) {
        sv__cmd_free(c);
        sv__inter_set_cut(p, INFINITY);
        return 0; /* the load ends: control.c finishes it */
    }
    if (dur > 0 && at > dur)
        at = dur;
    PLOGI(p, "interstitial %s over: the primary resumes at %.3f s", b->id, at);
    in->from = at;
    in->last_cut = INFINITY;
    sv__brk *next = sv__inter_next(in, at);
    sv__inter_set_cut(p, next ? next->start : INFINITY);
    c->opts.start_position_s = at;
    load(p, c);
    return 1;
}

/* The asset ended (or failed, `error`): the next one, or the primary. */
static int asset_over(sv__inter *in, int error)
{
    struct sv_player *p = in->p;
    sv__brk *b = &in->brk[in->playing];
    sv__mutex_lock(&p->st.lock);
    double pos = p->st.position_s, asset_dur = p->st.duration_s;
    sv__mutex_unlock(&p->st.lock);
    if (asset_dur > 0 && fabs(pos - asset_dur) < 0.5)
        pos = asset_dur; /* the last frame's start: played to the end */
    /* Played: to its end (its DURATION when the list gives one) or to the
     * playout limit; the position is the last frame's start. */
    double played = error ? 0 : pos, left = limit_left(in, b);
    if (!error && b->assets[in->asset].duration >= 0 && fabs(pos - b->assets[in->asset].duration) < 0.5)
        played = b->assets[in->asset].duration;
    if (!error && left >= 0 && (played > left || left - played < 0.1))
        played = left;
    in->played += played;
    push(in, SV_EVENT_INTERSTITIAL_END, b, resume_pos(in, b), played, error);
    left = limit_left(in, b);
    if (in->asset + 1 < b->nb_assets && left != 0 && play_asset(in, b, in->asset + 1) == 0)
        return 1;
    return resume(in, b);
}

int sv__inter_at_end(struct sv_player *p)
{
    sv__inter *in = p->inter;
    if (in->playing >= 0)
        return asset_over(in, 0);
    if (!p->pres)
        return 0;
    /* The primary stopped at the cut before a break. */
    sv__brk *b = sv__inter_next(in, in->from);
    if (isfinite(p->stop_at) && b && b->state == SV__BRK_READY &&
        fabs(b->start - p->stop_at) < SV__INTER_EPS) {
        sv__inter_start(in, b, NAN);
        return 1;
    }
    /* Stopped at a cut whose break failed since: the primary goes on from it. */
    sv__mutex_lock(&p->st.lock);
    double pos = p->st.position_s, dur = p->st.duration_s;
    sv__mutex_unlock(&p->st.lock);
    double at = in->last_cut;
    if (isfinite(at) && pos < at + 0.1 && (dur <= 0 || at < dur - 0.1) && p->load_cmd) {
        sv__cmd *c = p->load_cmd;
        p->load_cmd = NULL;
        in->from = at;
        in->last_cut = INFINITY;
        b = sv__inter_next(in, at);
        sv__inter_set_cut(p, b ? b->start : INFINITY);
        c->opts.start_position_s = at;
        PLOGI(p, "the primary goes on at %.3f s", at);
        load(p, c);
        return 1;
    }
    sv__brk *post = sv__inter_cued(in, SV__CUE_POST);
    if (post && post->state == SV__BRK_READY) {
        sv__inter_start(in, post, NAN);
        return 1;
    }
    return 0;
}

/* ---- failures -------------------------------------------------------------------- */

typedef struct fail_task { sv__inter *in; int code; char msg[SV__EVENT_TEXT]; } fail_task;

static void on_asset_failed(void *arg)
{
    fail_task *t = arg;
    sv__inter *in = t->in;
    struct sv_player *p = in->p;
    if (in->playing >= 0) {
        sv__brk *b = &in->brk[in->playing];
        sv__control_error(p, t->code, 0, "interstitial %s: asset %s failed, skipped: %s", b->id,
                          b->assets[in->asset].uri, t->msg);
        asset_over(in, t->code);
    }
    sv__free(p->settings.allocator, t);
}

int sv__inter_asset_failed(struct sv_player *p, int code, const char *msg)
{
    sv__inter *in = p->inter;
    if (!in || !atomic_load(&in->active))
        return 0;
    fail_task *t = sv__malloc(p->settings.allocator, sizeof(*t));
    if (!t)
        return 0;
    t->in = in;
    t->code = code;
    snprintf(t->msg, sizeof(t->msg), "%s", msg);
    if (sv__loop_post(p->loop, on_asset_failed, t) < 0) {
        sv__free(p->settings.allocator, t);
        return 0;
    }
    return 1;
}

/* ---- preloads ------------------------------------------------------------------ */

/* Asks the player's preload for `url` at `start` with the options of
 * `like`, unless the host's own preload is in the way. */
static void preload(sv__inter *in, const sv__cmd *like, const char *url, double start)
{
    struct sv_player *p = in->p;
    if (!sv__preload_free_for(p))
        return;
    sv__cmd *c = asset_cmd(p, like, url);
    if (!c)
        return;
    c->kind = SV__CMD_PRELOAD;
    c->internal = 1;
    c->opts.start_position_s = start;
    sv__preload_start(p, c);
}

void sv__inter_preload_next(sv__inter *in)
{
    struct sv_player *p = in->p;
    if (in->playing < 0) {
        /* Not while the primary starts: it may be reading the cache. */
        if (!p->load_cmd || sv__control_get_state(p) != SV_STATE_PLAYING)
            return;
        sv__brk *b = isfinite(p->stop_at) ? sv__inter_next(in, in->from)
                                          : sv__inter_cued(in, SV__CUE_POST);
        if (b && b->state == SV__BRK_READY && b->nb_assets &&
            !sv__preload_holds(p, b->assets[0].uri))
            preload(in, p->load_cmd, b->assets[0].uri, 0);
        return;
    }
    /* While an asset plays (its own preload taken once it plays): the
     * next asset, or the primary where it resumes. */
    if (sv__control_get_state(p) != SV_STATE_PLAYING || in->primary_preloaded || !in->primary)
        return;
    sv__brk *b = &in->brk[in->playing];
    in->primary_preloaded = 1;
    if (in->asset + 1 < b->nb_assets) {
        preload(in, in->primary, b->assets[in->asset + 1].uri, 0);
    } else if (!in->post) {
        double at = isnan(in->resume_at) && b->d.resume_offset >= 0
                        ? b->start + b->d.resume_offset : in->resume_at;
        if (!isnan(at))
            preload(in, in->primary, in->primary->url, at);
    }
}

void sv__inter_preloaded(struct sv_player *p, const char *url, int error, const char *msg)
{
    sv__inter *in = p->inter;
    if (!error || in->playing >= 0)
        return;
    /* A break's first asset that cannot be fetched: the break is left out. */
    for (size_t i = 0; i < in->nb; i++) {
        sv__brk *b = &in->brk[i];
        if (b->state == SV__BRK_READY && b->nb_assets == 1 && !strcmp(b->assets[0].uri, url)) {
            char what[SV__EVENT_TEXT];
            snprintf(what, sizeof(what), "its asset %s: %s", url, msg);
            sv__inter_fail(in, b, error, what);
        }
    }
}
