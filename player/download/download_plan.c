/*
 * What a download fetches: the presentation is read with the player's own
 * model (model/model.h), so HLS and DASH are understood exactly as the
 * player understands them. One video rung, one audio track and at most one
 * WebVTT subtitle track are chosen in the first Period; each later Period
 * of a multi-Period DASH VOD gets the ones that match them: the player's
 * rules (the codec family chosen at load, the host's limits; audio of the
 * same language, else the same track index) and at most the first
 * Period's height. Every Period's segments of a track go into one list, its Period
 * index as the discontinuity (download_plan_files.c), so the local playlist
 * plays the Periods in turn. Subtitles are downloaded from single-Period
 * presentations only.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "platform/alloc.h"
#include "platform/hex.h"
#include "player/download/plan.h"
#include "player/model/codec.h"
#include "player/model/track_prefs.h"

/* What one Period plays. */
typedef struct pick {
    sv__track *video, *audio, *text;
    sv__rep *vrep;
} pick;

/* The i-th track of `type` in the period, or NULL. */
static sv__track *track_of(sv__period *per, sv_track_type type, int i)
{
    for (size_t k = 0; k < per->nb_tracks; k++)
        if (per->tracks[k].type == type && i-- == 0)
            return &per->tracks[k];
    return NULL;
}

static int fits(const sv__rep *r, const sv__dl_choice *c, int max_height)
{
    return (!c->max_height || r->height <= c->max_height) &&
           (!max_height || r->height <= max_height) &&
           (!c->max_bandwidth || r->bandwidth <= c->max_bandwidth);
}

/* The video rung: the highest that fits the limits (and, in a later
 * Period, `ref`'s codec family and height), else the lowest. */
static sv__rep *pick_video(sv__track *t, const sv__dl_choice *c, const sv__rep *ref)
{
    sv__codec_family fam = ref ? sv__codec_family_of(ref->codecs) : 0;
    size_t same = 0;
    for (size_t i = 0; ref && i < t->nb_reps; i++)
        same += sv__codec_family_of(t->reps[i].codecs) == fam;
    sv__rep *best = NULL, *lowest = NULL;
    for (size_t i = 0; i < t->nb_reps; i++) {
        sv__rep *r = &t->reps[i];
        if (same && sv__codec_family_of(r->codecs) != fam)
            continue;
        if (!lowest)
            lowest = r;
        if (fits(r, c, ref ? ref->height : 0))
            best = r; /* sorted by bandwidth, ascending */
    }
    return best ? best : lowest;
}

static int pick_lang(sv__planner *p, sv__period *per, sv_track_type type, const char *list,
                     sv__track **out)
{
    sv__lang_prefs prefs;
    char why[160];
    int i;

    *out = NULL;
    if (sv__lang_prefs_parse(list, &prefs, why, sizeof(why)) < 0)
        return sv__plan_fail(p, SV_ERR_INVALID, "language list: %s", why);
    i = sv__lang_pick(per, type, &prefs);
    if (i < 0 && type == SV_TRACK_AUDIO)
        i = sv__lang_default(per, type);
    *out = i >= 0 ? track_of(per, type, i) : NULL;
    return 0;
}

/* A later Period's track for `ref`: the same language, else the same
 * index among its type (the player's rule), else the first. */
static sv__track *match_lang(sv__period *per, const sv__track *ref)
{
    for (size_t k = 0; ref->language[0] && k < per->nb_tracks; k++)
        if (per->tracks[k].type == ref->type && !strcmp(per->tracks[k].language, ref->language))
            return &per->tracks[k];
    sv__track *t = track_of(per, ref->type, ref->index);
    return t ? t : track_of(per, ref->type, 0);
}

static int is_webvtt(sv__planner *p, sv__rep *rep)
{
    char url[SV__URL_MAX];
    if (sv__plan_make_ready(p, rep) < 0 || rep->nb_segs == 0)
        return 0;
    sv__segment s = sv__rep_segment(rep, 0);
    const char *u = sv__segment_url(rep, &s, url, sizeof(url));
    return !s.init && u && strstr(u, ".vtt");
}

static const char *pid(const sv__period *per)
{
    return per->id && per->id[0] ? per->id : "(no id)";
}

/* The tracks of Period n, matched to Period 0's picks (ref) when n > 0. */
static int pick_period(sv__planner *p, size_t n, const sv__dl_choice *c, const pick *ref,
                       pick *out)
{
    sv__period *per = &p->pres->periods[n];
    int ret;

    *out = (pick){ .video = track_of(per, SV_TRACK_VIDEO, ref ? ref->video->index : 0) };
    if (!out->video)
        out->video = track_of(per, SV_TRACK_VIDEO, 0);
    if (!out->video || !out->video->nb_reps)
        return p->pres->nb_periods > 1
                   ? sv__plan_fail(p, SV_ERR_UNSUPPORTED, "%s: Period \"%s\" has no video track",
                                   p->pres->url, pid(per))
                   : sv__plan_fail(p, SV_ERR_UNSUPPORTED, "%s has no video track", p->pres->url);
    out->vrep = pick_video(out->video, c, ref ? ref->vrep : NULL);
    /* Subtitles of a single Period only (plan_periods). */
    if (ref) {
        out->audio = ref->audio ? match_lang(per, ref->audio) : NULL;
    } else if ((ret = pick_lang(p, per, SV_TRACK_AUDIO, c->audio_languages, &out->audio)) < 0) {
        return ret;
    } else if (p->pres->nb_periods == 1 && c->subtitle_languages && *c->subtitle_languages &&
               (ret = pick_lang(p, per, SV_TRACK_TEXT, c->subtitle_languages, &out->text)) < 0) {
        return ret;
    }
    if (out->audio && (out->audio->muxed || !out->audio->nb_reps))
        out->audio = NULL;
    if (out->text && !(out->text->nb_reps && is_webvtt(p, &out->text->reps[0])))
        out->text = NULL;
    return 0;
}

/* Period n follows Period n-1 without a gap or an overlap, and has the
 * tracks the first Period has. */
static int check_line_up(sv__planner *p, size_t n, const pick *first, const pick *cur)
{
    const sv__period *per = &p->pres->periods[n], *prev = &p->pres->periods[n - 1];
    const char *url = p->pres->url;
    double prev_end = prev->start + prev->duration;

    if (prev->duration <= 0)
        return sv__plan_fail(p, SV_ERR_UNSUPPORTED, "%s: Period \"%s\" has no duration",
                             url, pid(prev));
    if (fabs(per->start - prev_end) > 0.05)
        return sv__plan_fail(p, SV_ERR_UNSUPPORTED,
                             "%s: Period \"%s\" starts at %.3f s but Period \"%s\" ends at "
                             "%.3f s: Periods with a gap or an overlap cannot be downloaded",
                             url, pid(per), per->start, pid(prev), prev_end);
    if (!cur->audio != !first->audio)
        return sv__plan_fail(p, SV_ERR_UNSUPPORTED,
                             "%s: Period \"%s\" has %s audio track and Period \"%s\" %s: "
                             "Periods that do not line up cannot be downloaded",
                             url, pid(per), cur->audio ? "an" : "no",
                             pid(&p->pres->periods[0]), first->audio ? "has one" : "none");
    return 0;
}

/* The segments cover Period n (a list that starts late or ends more than
 * a second early would shift every later Period). */
static int check_cover(sv__planner *p, size_t n, double a, double z, const char *what)
{
    const sv__period *per = &p->pres->periods[n];
    double per_end = per->start + per->duration;
    if (a > per->start + 0.1 || (per->duration > 0 && z < per_end - 1.0))
        return sv__plan_fail(p, SV_ERR_UNSUPPORTED,
                             "%s: the %s segments of Period \"%s\" cover %.3f-%.3f s, the "
                             "Period %.3f-%.3f s: Periods that do not line up cannot be "
                             "downloaded",
                             p->pres->url, what, pid(per), a, z, per->start, per_end);
    return 0;
}

/* Encrypted Periods under different keys need a license each: refused
 * when the download takes one (c->one_key_set). */
static int check_keys(sv__planner *p, const pick *picks, size_t n, const sv__dl_choice *c)
{
    for (int v = 0; v < 2 && c->one_key_set; v++) {
        const sv__track *first = NULL;
        size_t first_i = 0;
        for (size_t i = 0; i < n; i++) {
            const sv__track *t = v ? picks[i].audio : picks[i].video;
            if (!t || !t->encrypted || !t->has_default_kid)
                continue;
            if (!first) {
                first = t, first_i = i;
            } else if (memcmp(first->default_kid, t->default_kid, 16)) {
                char a[33], b[33];
                sv__hex_encode(first->default_kid, 16, a);
                sv__hex_encode(t->default_kid, 16, b);
                return sv__plan_fail(
                    p, SV_ERR_UNSUPPORTED,
                    "%s: Period \"%s\" and Period \"%s\" are encrypted with different keys "
                    "(KID %s, KID %s): one offline license covers one key set, so this title "
                    "cannot be downloaded",
                    p->pres->url, pid(&p->pres->periods[first_i]), pid(&p->pres->periods[i]), a,
                    b);
            }
        }
    }
    return 0;
}

static int plan_periods(sv__planner *p, const sv__dl_choice *c)
{
    size_t n = p->pres->nb_periods;
    pick *picks = sv__calloc(p->st->alloc, n, sizeof(*picks));
    int ret = SV_ERR_NOMEM, tv = -1, ta = -1, tt = -1;

    if (!picks)
        return ret;
    for (size_t i = 0; i < n; i++) {
        if ((ret = pick_period(p, i, c, i ? &picks[0] : NULL, &picks[i])) < 0 ||
            (i && (ret = check_line_up(p, i, &picks[0], &picks[i])) < 0))
            goto done;
    }
    /* WebVTT cue times of a DASH Period count from its own start (less its
     * presentationTimeOffset), which a local HLS playlist cannot say for a
     * file that a later Period lists again: subtitles of several Periods
     * are left out rather than shown at the wrong times. */
    if (n > 1 && c->subtitle_languages && *c->subtitle_languages &&
        track_of(&p->pres->periods[0], SV_TRACK_TEXT, 0))
        SV_LOGW(p->log, "download", "%s: subtitles of a presentation of %zu Periods are not "
                "downloaded (their cue times count from each Period's start)", p->pres->url, n);
    if ((ret = check_keys(p, picks, n, c)) < 0)
        goto done;
    for (size_t i = 0; i < n && ret == 0; i++) {
        pick *k = &picks[i];
        const sv__period *per = &p->pres->periods[i];
        /* One Period: every segment, as the source lists them. */
        double from = per->start, to = n > 1 ? per->start + per->duration : 0, a, z;
        ret = sv__plan_add_rep(p, k->video, k->vrep, "video", &tv, from, to, &a, &z);
        if (ret == 0 && n > 1)
            ret = check_cover(p, i, a, z, "video");
        if (ret == 0 && k->audio) {
            sv__rep *ar = &k->audio->reps[k->audio->nb_reps - 1];
            ret = sv__plan_add_rep(p, k->audio, ar, "audio", &ta, from, to, &a, &z);
            if (ret == 0 && n > 1)
                ret = check_cover(p, i, a, z, "audio");
        }
        if (ret == 0 && k->text)
            ret = sv__plan_add_rep(p, k->text, &k->text->reps[0], "subs", &tt, from, to, &a, &z);
    }
done:
    sv__free(p->st->alloc, picks);
    return ret;
}

int sv__dl_plan(sv__dl_state *st, sv__dl_fetcher *f, const sv__dl_choice *c,
                const sv__logger *log, char *msg, size_t cap)
{
    sv__planner p = { .st = st, .f = f, .log = log, .msg = msg, .cap = cap };
    uint8_t *text = NULL;
    size_t size = 0;
    sv__parse_error perr = { 0 };
    int ret;

    if ((ret = sv__dl_fetch(f, st->url, 0, -1, &text, &size, msg, cap)) < 0)
        return ret;
    sv__source_kind kind = sv__model_detect(text, size, st->url, NULL);
    if (kind == SV__SOURCE_FILE) {
        ret = sv__plan_fail(&p, SV_ERR_UNSUPPORTED, "%s is neither an HLS playlist nor an MPD",
                            st->url);
        goto done;
    }
    ret = sv__model_create(kind, (const char *)text, size, st->url, (double)time(NULL),
                           st->alloc, &p.pres, &perr);
    if (ret < 0) {
        snprintf(msg, cap, "%s: %s", st->url, perr.message[0] ? perr.message : sv_strerror(ret));
        goto done;
    }
    if (p.pres->live)
        ret = sv__plan_fail(&p, SV_ERR_UNSUPPORTED, "%s is live: only VOD can be downloaded",
                            st->url);
    else if (p.pres->nb_periods == 0)
        ret = sv__plan_fail(&p, SV_ERR_PARSE, "%s has no Period", st->url);
    else
        ret = plan_periods(&p, c);
    if (ret == 0)
        SV_LOGI(log, "download", "%s: %zu periods, %zu tracks, %zu files to fetch", st->url,
                p.pres->nb_periods, st->nb_tracks, st->nb_files);
done:
    sv__model_destroy(p.pres);
    sv__free(st->alloc, text);
    return ret;
}
