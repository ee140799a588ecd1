/* Fuzz target: manifests into the presentation model. The input is an HLS
 * playlist or an MPD (told apart by sv__model_detect); it is then fed back
 * as every rep's media playlist twice (a live refresh), or as a DASH
 * refresh ten seconds later (then listed again at the next segment's
 * availability time) and as every SegmentBase rep's sidx bytes; the language
 * lists choose among its tracks. */
#include <stddef.h>
#include <stdint.h>

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
    }
    return sum;
}

static void touch(const sv__presentation *pres)
{
    volatile double sum = pres->live_start + pres->refresh_s + choose(pres);
    for (size_t p = 0; p < pres->nb_periods; p++)
        for (size_t t = 0; t < pres->periods[p].nb_tracks; t++)
            for (size_t r = 0; r < pres->periods[p].tracks[t].nb_reps; r++) {
                const sv__rep *rep = &pres->periods[p].tracks[t].reps[r];
                char url[SV__URL_MAX];
                for (size_t s = 0; s < rep->nb_segs; s++)
                    sum += SEG(rep, s).start +
                           (double)sv__segment_url(rep, SEGP(rep, s), url, sizeof(url))[0] +
                           (SEG(rep, s).init ? (double)SEG(rep, s).init->url[0] : 0);
                sum += (double)sv__model_find_segment(rep, 10);
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
