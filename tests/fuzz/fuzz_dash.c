/* Fuzz target: the MPD parser and segment expansion on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "player/manifest/dash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sv__dash_mpd *mpd = NULL;
    sv__parse_error err;

    if (sv__dash_parse((const char *)data, size, "http://127.0.0.1/m/manifest.mpd", NULL, &mpd,
                       &err) != 0)
        return 0;
    /* Expand what the player would: at most 200 segments of each
     * representation, over the period or a 60 s live window. */
    for (size_t p = 0; p < mpd->nb_periods; p++) {
        const sv__dash_period *per = &mpd->periods[p];
        for (size_t s = 0; s < per->nb_sets; s++) {
            for (size_t r = 0; r < per->sets[s].nb_reps; r++) {
                const sv__dash_representation *rep = &per->sets[s].reps[r];
                sv__dash_seg *segs;
                sv__dash_range range;
                double dur = per->duration > 0 && per->duration < 1e6 ? per->duration : -1;
                sv__dash_expand(mpd->arena, rep, 0, dur, 0, dur > 0 ? 0 : 60, 200, &segs);
                sv__dash_init_url(mpd->arena, rep, 0, &range);
                volatile double ato = sv__dash_availability_offset(rep, 0);
                volatile int complete = sv__dash_availability_complete(rep, 0);
                (void)ato;
                (void)complete;
            }
        }
    }
    sv__dash_mpd_free(mpd);
    return 0;
}
