/*
 * What the scheduler tells the ABR rule about upcoming segment sizes
 * (sv__sched_known_sizes in internal.h): look-ahead rules (hybrid, robustMPC)
 * plan on real sizes when the player knows them, and on bitrate x duration
 * otherwise. Sizes are known from byte ranges (EXT-X-BYTERANGE, a DASH sidx
 * or SegmentBase) and, in an emulation, from the size table measured before
 * the session (emulate.c).
 *
 * Loop thread only.
 */
#include "player/core/internal.h"

size_t sv__sched_known_sizes(const struct sv_player *p, const sv__track *t, int last_rep,
                             double next_time, const int *map, size_t n, uint64_t *out,
                             size_t *left)
{
    const sv_abr_video *table = p->size_table;
    *left = 0;
    if (!p->pres || p->pres->live)
        return 0;
    /* Where the next segment is: in the rep being played, or the first
     * whose segments are listed (HLS lists a rep's only once it is used);
     * the reps of a ladder are segment-aligned. */
    const sv__rep *ref = last_rep >= 0 ? &t->reps[last_rep] : NULL;
    for (size_t r = 0; r < n && (!ref || ref->seg_state != SV__SEGS_READY); r++)
        ref = &t->reps[map[r]];
    long i = ref && ref->seg_state == SV__SEGS_READY ? sv__model_find_segment(ref, next_time) : -1;
    if (i < 0)
        return 0;
    size_t known = SV__SIZES_LOOKAHEAD, total = ref->nb_segs;
    if (table && (table->num_rungs != t->nb_reps || table->num_segments != total))
        table = NULL;
    for (size_t r = 0; r < n && known; r++) {
        const sv__rep *rep = &t->reps[map[r]];
        int listed = rep->seg_state == SV__SEGS_READY && rep->nb_segs == total;
        size_t k = 0;
        for (; k < known && (size_t)i + k < total; k++) {
            size_t si = (size_t)i + k;
            int64_t length = listed ? sv__rep_segment(rep, si).length : -1;
            if (length > 0)
                out[k * n + r] = (uint64_t)length;
            else if (table)
                out[k * n + r] = table->segment_bytes[si * table->num_rungs + (size_t)map[r]];
            else
                break;
        }
        known = k;
    }
    if (known)
        *left = total - (size_t)i;
    return known;
}
