/*
 * sim.c - the chunk-level simulator, reproducing Pensieve's fixed_env.py
 * (its test environment) operation for operation, so that the published
 * baselines come out of the same arithmetic:
 *   - the link delivers payload_ratio x the trace bandwidth; a download
 *     walks the trace intervals from where the previous one stopped, and the
 *     trace wraps to its first interval at the end;
 *   - each request pays the RTT once;
 *   - stall = download time beyond the buffer; then the segment is added;
 *   - above the buffer cap the client sleeps whole drain steps, during which
 *     the trace moves on but nothing is downloaded.
 * Beyond Pensieve, and only when configured (a video described from a real
 * manifest): the manifest, media playlists and init segments the player
 * fetches, as requests of their own before the segment that needs them.
 * The buffer, its stalls and the QoE are the playout model (playout.h), the
 * one the player's emulation runs too; the simulator starts its playhead at
 * once, so the first download is a stall that the QoE counts as startup.
 * Times inside are kept in milliseconds for the buffer (as Pensieve does)
 * and in seconds on the trace.
 */
#include <math.h>
#include <string.h>

#include "internal.h"
#include "playout.h"

/* A download that would last longer than this is reported as an error. */
#define MAX_DOWNLOAD_S 86400.0

typedef struct link {
    const double *time_s;
    const double *mbps;
    size_t n;
    size_t ptr;    /* the interval being consumed ends at time_s[ptr] */
    double last;   /* position inside it, seconds */
} link;

static void link_next(link *l)
{
    l->last = l->time_s[l->ptr];
    l->ptr++;
    if (l->ptr >= l->n) {
        l->ptr = 1;
        l->last = l->time_s[0];
    }
}

/* Transfers `bytes`; returns the time taken in seconds, or -1 when it would
 * take more than MAX_DOWNLOAD_S. */
static double link_download(link *l, double bytes, double payload_ratio)
{
    double delay = 0, sent = 0;

    for (;;) {
        double throughput = l->mbps[l->ptr] * 1000000.0 / 8.0;
        double duration = l->time_s[l->ptr] - l->last;
        double payload = throughput * duration * payload_ratio;
        if (sent + payload > bytes) {
            double fraction = (bytes - sent) / throughput / payload_ratio;
            l->last += fraction;
            return delay + fraction;
        }
        sent += payload;
        delay += duration;
        link_next(l);
        if (delay > MAX_DOWNLOAD_S)
            return -1;
    }
}

/* Lets `ms` milliseconds of the trace pass without downloading. */
static void link_idle(link *l, double ms)
{
    for (;;) {
        double duration = l->time_s[l->ptr] - l->last;
        if (duration > ms / 1000.0) {
            l->last += ms / 1000.0;
            return;
        }
        ms -= duration * 1000.0;
        link_next(l);
    }
}

void sv_abr_sim_default_config(sv_abr_sim_config *cfg)
{
    if (!cfg)
        return;
    memset(cfg, 0, sizeof(*cfg));
    cfg->rtt_s = 0.08;
    cfg->payload_ratio = 0.95;
    cfg->buffer_max_s = 60.0;
    cfg->drain_step_s = 0.5;
    cfg->start_index = 1;
    cfg->num_segments = 0;
    sv_abr_qoe_default_config(&cfg->qoe);
    sv_abr_estimator_default_config(&cfg->estimator, SV_ABR_ESTIMATOR_EWMA);
}

int sv_abr_video_check(const sv_abr_video *v)
{
    if (!v || !v->bitrates_kbps || v->num_rungs == 0 || !v->segment_bytes ||
        v->num_segments == 0 || !(v->segment_duration_s > 0) || !isfinite(v->segment_duration_s))
        return SV_ERR_INVALID;
    if (v->bitrates_kbps[0] == 0)
        return SV_ERR_INVALID;
    for (size_t i = 1; i < v->num_rungs; i++)
        if (v->bitrates_kbps[i] <= v->bitrates_kbps[i - 1])
            return SV_ERR_INVALID;
    return SV_OK;
}

static int config_valid(const sv_abr_sim_config *c, const sv_abr_video *v)
{
    return c->rtt_s >= 0 && c->rtt_s <= 60 && c->payload_ratio > 0 && c->payload_ratio <= 1 &&
           c->buffer_max_s > 0 && c->buffer_max_s <= SV__TRACE_MAX_TIME_S &&
           c->drain_step_s > 0 && c->drain_step_s <= c->buffer_max_s &&
           c->num_segments <= v->num_segments && (c->params || c->num_params == 0) &&
           (!c->index_bytes || v->num_rungs <= 64) &&
           isfinite(c->qoe.rebuffer_penalty) && isfinite(c->qoe.smooth_penalty);
}

int sv_abr_simulate(const sv_trace *trace, const sv_abr_video *video, const sv_abr_rule *rule,
                    const sv_abr_sim_config *cfg_in, sv_abr_sim_step *steps, size_t max_steps,
                    sv_abr_sim_result *out)
{
    sv_abr_sim_config cfg;
    sv_abr *abr = NULL;
    sv_abr_estimator *est = NULL;
    sv__playout_model pm;
    int rc;

    if (!trace || !rule || !out || sv_abr_video_check(video) < 0)
        return SV_ERR_INVALID;
    if (cfg_in)
        cfg = *cfg_in;
    else
        sv_abr_sim_default_config(&cfg);
    if (!config_valid(&cfg, video))
        return SV_ERR_INVALID;

    rc = sv_abr_create(rule, cfg.alloc, &abr);
    if (rc < 0)
        goto fail;
    rc = sv_abr_set_params(abr, cfg.params, cfg.num_params);
    if (rc < 0)
        goto fail;
    rc = sv_abr_estimator_create(&cfg.estimator, cfg.alloc, &est);
    if (rc < 0)
        goto fail;

    const size_t rungs = video->num_rungs;
    const size_t total = cfg.num_segments ? cfg.num_segments : video->num_segments;
    const double seg_ms = video->segment_duration_s * 1000.0;
    const double cap_ms = cfg.buffer_max_s * 1000.0;
    const double step_ms = cfg.drain_step_s * 1000.0;
    link l = { trace->time_s, trace->mbps, trace->n, 1, trace->time_s[0] };
    double now_s = 0, idle_s = 0, arrival_s = 0;
    int index = cfg.start_index < 0 ? 0
                : (size_t)cfg.start_index >= rungs ? (int)rungs - 1 : cfg.start_index;
    int last = -1;
    uint64_t indexed = 0; /* rungs whose index (playlist) was fetched */

    sv__playout_init(&pm, &cfg.qoe, 1000.0);
    sv__playout_set_playing(&pm, 1);
    for (size_t k = 0; k < total; k++) {
        const char *reason = "start: configured first rung";
        double wait_s = 0;

        if (k > 0) {
            sv_abr_input in = {
                .bitrates_kbps = video->bitrates_kbps,
                                .num_rungs = rungs,
                                .segment_duration_s = video->segment_duration_s,
                                .buffer_s = sv__playout_level_s(&pm),
                                .buffer_max_s = cfg.buffer_max_s,
                                .throughput_kbps = sv_abr_estimator_get_kbps(est),
                                .last_index = last,
                                .next_sizes = &video->segment_bytes[k * rungs],
                                .num_next = video->num_segments - k,
                                .segments_left = total - k,
                                .idle_s = idle_s,
                                .phase = pm.level > 0 ? SV_ABR_PHASE_PLAYING : SV_ABR_PHASE_STALLED,
            };
            sv_abr_decision d;
            rc = sv_abr_choose(abr, &in, &d);
            if (rc < 0)
                goto fail;
            index = d.index;
            reason = d.reason;
            /* A wait never stalls playback: it is capped by the buffer. */
            wait_s = sv__playout_wait(&pm, d.delay_s);
            if (wait_s > 0) {
                link_idle(&l, wait_s * 1000.0);
                now_s += wait_s;
            }
        }

        /* What the player fetches before this segment: the manifest, the
         * rung's playlist on first use, its init segment on a new run. */
        double extra_ms = 0;
        uint64_t before[3] = {
            k == 0 ? cfg.startup_bytes : 0,
            cfg.index_bytes && !(indexed >> index & 1) ? cfg.index_bytes[index] : 0,
            cfg.init_bytes && index != last ? cfg.init_bytes[index] : 0,
        };
        if (cfg.index_bytes)
            indexed |= (uint64_t)1 << index;
        for (int x = 0; x < 3; x++) {
            if (!before[x])
                continue;
            double rtt = trace->rtt_ms ? trace->rtt_ms[l.ptr] : cfg.rtt_s * 1000.0;
            double t = link_download(&l, (double)before[x], cfg.payload_ratio);
            if (t < 0) {
                rc = SV_ERR_RANGE;
                goto fail;
            }
            extra_ms += t * 1000.0 + rtt;
        }

        uint64_t bytes = video->segment_bytes[k * rungs + (size_t)index];
        double rtt_ms = trace->rtt_ms ? trace->rtt_ms[l.ptr] : cfg.rtt_s * 1000.0;
        double request_s = now_s + extra_ms / 1000.0;
        double transfer_s = link_download(&l, (double)bytes, cfg.payload_ratio);
        if (transfer_s < 0) {
            rc = SV_ERR_RANGE;
            goto fail;
        }
        double own_ms = transfer_s * 1000.0 + rtt_ms;
        double delay_ms = own_ms + extra_ms;
        /* The buffer plays during the download; the stall it caused ends
         * when the segment arrives. */
        sv__playout_elapse(&pm, delay_ms);
        double rebuffer_ms = sv__playout_fill(&pm, seg_ms);
        double sleep_ms = sv__playout_sleep_to_cap(&pm, cap_ms, step_ms);
        if (sleep_ms > 0)
            link_idle(&l, sleep_ms);
        arrival_s = now_s + delay_ms / 1000.0;
        now_s = arrival_s + sleep_ms / 1000.0;

        double download_s = own_ms / 1000.0;
        sv_abr_sample sample = { .bytes = bytes, .duration_s = download_s,
                                 .latency_s = rtt_ms / 1000.0, .index = index,
                                 .buffer_s = sv__playout_level_s(&pm) };
        if (download_s > 0) {
            sv_abr_estimator_add(est, bytes, download_s);
            sv_abr_on_download(abr, &sample);
        }
        uint32_t kbps = video->bitrates_kbps[index];
        double term = sv__playout_account(&pm, index, kbps, rebuffer_ms,
                                          video->segment_duration_s);
        if (steps && k < max_steps) {
            sv_abr_sim_step *s = &steps[k];
            s->segment = k;
            s->index = index;
            s->bitrate_kbps = kbps;
            s->bytes = bytes;
            s->request_s = request_s;
            s->download_s = download_s;
            s->rebuffer_s = rebuffer_ms / 1000.0;
            s->buffer_s = sv__playout_level_s(&pm);
            s->sleep_s = sleep_ms / 1000.0;
            s->delay_s = wait_s;
            s->throughput_kbps = download_s > 0 ? (double)bytes * 8.0 / download_s / 1000.0 : 0;
            s->estimate_kbps = sv_abr_estimator_get_kbps(est);
            s->qoe = term;
            s->reason = reason;
        }
        idle_s = sleep_ms / 1000.0;
        last = index;
    }

    sv__playout_result(&pm, total, arrival_s, out);
    rc = SV_OK;

fail:
    sv_abr_estimator_destroy(est);
    sv_abr_destroy(abr);
    return rc;
}
