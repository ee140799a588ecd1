/* Fuzz target: manifests into the presentation model. The input is an HLS
 * playlist or an MPD (told apart by sv__model_detect); it is then fed back
 * as every rep's media playlist twice (a live refresh), or as a DASH
 * refresh ten seconds later (then listed again at the next segment's
 * availability time) and as every SegmentBase rep's sidx bytes (and, HLS,
 * as every I-frame playlist of the trick track); the language lists choose
 * among its tracks. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "player/model/model.h"
#include "player/model/track_prefs.h"

/* Segment i of rep by value, and a pointer to such a copy that lives to the
 * end of the enclosing block (sv__rep_segment). */
#define SEG(rep, i) sv__rep_segment((rep), (size_t)(i))
#define SEGP(rep, i) (&(sv__segment[1]){ SEG(rep, i) }[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The track choices of the host's language lists, over whatever languages
 * and roles the manifest gave its tracks. */
static double choose(const sv__presentation *pres)
{
    static const char *const lists[] = { "en", "pt-BR,*", "en:description,en",
                                         "zh-Hant-TW:caption,x-a,fr:forced" };
    double sum = 0;
    char err[256];
    for (size_t i = 0; pres->nb_periods && i < sizeof(lists) / sizeof(lists[0]); i++) {
        sv__lang_prefs prefs;
        if (sv__lang_prefs_parse(lists[i], &prefs, err, sizeof(err)) != 0)
            continue;
        for (int type = SV_TRACK_VIDEO; type <= SV_TRACK_TEXT; type++)
            sum += sv__lang_pick(&pres->periods[0], (sv_track_type)type, &prefs) +
                   sv__lang_default(&pres->periods[0], (sv_track_type)type);
        /* The closed captions the manifest declares (model_captions.c). */
        for (size_t k = 0; k < prefs.n; k++)
            sum += sv__lang_pick_caption(&pres->periods[0], &prefs.list[k]);
        for (size_t k = 0; k < pres->periods[0].nb_captions; k++)
            sum += pres->periods[0].captions[k].service +
                   (double)strlen(pres->periods[0].captions[k].name) +
                   (double)strlen(pres->periods[0].captions[k].language) +
                   (double)strlen(pres->periods[0].captions[k].label);
    }
    return sum;
}

static double touch_rep(const sv__rep *rep)
{
    char url[SV__URL_MAX];
    double sum = 0;
    for (size_t s = 0; s < rep->nb_segs; s++)
        sum += SEG(rep, s).start + (double)sv__segment_url(rep, SEGP(rep, s), url, sizeof(url))[0] +
               (SEG(rep, s).init ? (double)SEG(rep, s).init->url[0] : 0);
    return sum + (double)sv__model_find_segment(rep, 10);
}

static void touch(const sv__presentation *pres)
{
    volatile double sum = pres->live_start + pres->refresh_s + choose(pres);
    for (size_t p = 0; p < pres->nb_periods; p++) {
        for (size_t t = 0; t < pres->periods[p].nb_tracks; t++)
            for (size_t r = 0; r < pres->periods[p].tracks[t].nb_reps; r++)
                sum += touch_rep(&pres->periods[p].tracks[t].reps[r]);
        /* The trick track (I-frame playlists, a DASH trick-mode set). */
        for (size_t r = 0; pres->periods[p].trick && r < pres->periods[p].trick->nb_reps; r++)
            sum += touch_rep(&pres->periods[p].trick->reps[r]);
    }
    (void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const double now = 1795168800.0 + 100; /* 2026-11-20T10:01:40Z */
    const char *url = "http://127.0.0.1/a/b/manifest";
    sv__presentation *pres = NULL;
    sv__parse_error err;

    sv__source_kind kind = sv__model_detect(data, size, NULL, NULL);
    if (kind == SV__SOURCE_FILE)
        return 0;
    if (sv__model_create(kind, (const char *)data, size, url, now, NULL, &pres, &err) != 0)
        return 0;
    for (int round = 0; round < 2; round++) {
        for (size_t p = 0; p < pres->nb_periods; p++)
            for (size_t t = 0; t < pres->periods[p].nb_tracks; t++)
                for (size_t r = 0; r < pres->periods[p].tracks[t].nb_reps; r++) {
                    sv__rep *rep = &pres->periods[p].tracks[t].reps[r];
                    if (kind == SV__SOURCE_HLS && rep->playlist_url)
                        sv__model_hls_media(pres, rep, (const char *)data, size,
                                            rep->playlist_url, &err);
                    else if (rep->seg_state == SV__SEGS_NEED_INDEX)
                        sv__model_dash_sidx(pres, rep, data, size, &err);
                }
        /* HLS I-frame playlists: the input again, as trick play loads them. */
        for (size_t p = 0; kind == SV__SOURCE_HLS && p < pres->nb_periods; p++)
            for (size_t r = 0; pres->periods[p].trick && r < pres->periods[p].trick->nb_reps; r++)
                sv__model_hls_media(pres, &pres->periods[p].trick->reps[r], (const char *)data,
                                    size, pres->periods[p].trick->reps[r].playlist_url, &err);
        if (kind == SV__SOURCE_DASH) {
            sv__model_dash_refresh(pres, (const char *)data, size, NULL, now + 10 * (round + 1),
                                   &err);
            /* Live: on to the next segment's availability, as the
             * scheduler's timer does, without a new MPD. */
            double t = now + 10 * (round + 1);
            int refresh = 0;
            double next = sv__model_dash_next_available(pres, t, &refresh);
            if (!refresh && next > t && next < t + 1e6)
                sv__model_dash_update(pres, next, &err);
        }
        touch(pres);
    }
    sv__model_destroy(pres);
    return 0;
}
