/*
 * The text of the on-screen panel ('i'), read from the player's properties.
 */
#include <string.h>

#include "svplay.h"

static void format_rate(char *buf, size_t size, double bps)
{
    if (bps >= 1e6)
        snprintf(buf, size, "%.2f Mb/s", bps / 1e6);
    else if (bps > 0)
        snprintf(buf, size, "%.0f kb/s", bps / 1e3);
    else
        snprintf(buf, size, "-");
}

int svp_trick_next(int rate, int dir)
{
    if (rate * dir < 2)
        return 2 * dir; /* from 1x, or from the other direction */
    return rate * 2 * dir > 64 ? 64 * dir : rate * 2;
}

void svp_trick_label(int rate, char *buf, size_t size)
{
    if (rate > 1)
        snprintf(buf, size, "fast forward %dx", rate);
    else if (rate < 0)
        snprintf(buf, size, "rewind %dx", -rate);
    else
        snprintf(buf, size, "normal speed");
}

void svp_osd_format(sv_player *p, char *buf, size_t size)
{
    double pos = 0, dur = 0, buffer = 0, thr = 0, volume = 1;
    int64_t state = SV_STATE_IDLE, br = 0, w = 0, h = 0, q = -1, locked = 0, dropped = 0;
    int64_t decoded = 0, rebuf = 0, muted = 0;
    char tpos[32], tdur[32], rate[32], trate[32];

    sv_player_get_int64(p, SV_PROP_STATE, &state);
    sv_player_get_double(p, SV_PROP_POSITION, &pos);
    if (sv_player_get_double(p, SV_PROP_DURATION, &dur) < 0)
        dur = 0;
    sv_player_get_double(p, SV_PROP_BUFFER, &buffer);
    sv_player_get_double(p, SV_PROP_THROUGHPUT, &thr);
    sv_player_get_int64(p, SV_PROP_BITRATE, &br);
    sv_player_get_int64(p, SV_PROP_VIDEO_WIDTH, &w);
    sv_player_get_int64(p, SV_PROP_VIDEO_HEIGHT, &h);
    sv_player_get_int64(p, SV_PROP_QUALITY_INDEX, &q);
    sv_player_get_int64(p, SV_PROP_QUALITY_LOCKED, &locked);
    sv_player_get_int64(p, SV_PROP_DROPPED_FRAMES, &dropped);
    sv_player_get_int64(p, SV_PROP_DECODED_FRAMES, &decoded);
    sv_player_get_int64(p, SV_PROP_REBUFFER_COUNT, &rebuf);
    sv_player_get_double(p, SV_PROP_VOLUME, &volume);
    sv_player_get_int64(p, SV_PROP_MUTE, &muted);

    svp_format_time(tpos, sizeof(tpos), pos);
    svp_format_time(tdur, sizeof(tdur), dur);
    format_rate(rate, sizeof(rate), (double)br);
    format_rate(trate, sizeof(trate), thr);
    snprintf(buf, size,
             "%s  %s / %s\n"
             "video %lldx%lld @ %s  (#%lld, %s)\n"
             "buffer %.1f s  throughput %s\n"
             "frames %lld decoded, %lld dropped\n"
             "rebuffers %lld  volume %d%%%s",
             sv_player_state_name((sv_player_state)state), tpos, dur > 0 ? tdur : "live",
             (long long)w, (long long)h, rate, (long long)q, locked ? "locked" : "auto", buffer,
             trate, (long long)decoded, (long long)dropped, (long long)rebuf,
             (int)(volume * 100 + 0.5), muted ? " (muted)" : "");
    /* An interstitial (API 2.7): the ad's own time; the title's stays above. */
    int64_t ad = 0;
    double ad_pos = 0, ad_dur = 0;
    if (sv_player_get_int64(p, SV_PROP_INTERSTITIAL, &ad) == 0 && ad) {
        size_t n = strlen(buf);
        char apos[32], adur[32] = "?";
        sv_player_get_double(p, SV_PROP_INTERSTITIAL_POSITION, &ad_pos);
        svp_format_time(apos, sizeof(apos), ad_pos);
        if (sv_player_get_double(p, SV_PROP_INTERSTITIAL_DURATION, &ad_dur) == 0)
            svp_format_time(adur, sizeof(adur), ad_dur);
        snprintf(buf + n, size - n, "\nAD %s / %s  (the title resumes after it)", apos, adur);
    }
    /* Trick play: its speed while it runs. */
    int64_t trick = 1;
    if (sv_player_get_int64(p, SV_PROP_TRICK_RATE, &trick) == 0 && trick != 1) {
        size_t n = strlen(buf);
        char label[32];
        svp_trick_label((int)trick, label, sizeof(label));
        snprintf(buf + n, size - n, "\n%s  (\\: normal speed)", label);
    }
    /* Live: how far behind the edge, and the rate holding it. */
    double latency = 0, prate = 1;
    if (sv_player_get_double(p, SV_PROP_LIVE_LATENCY, &latency) == 0 &&
        sv_player_get_double(p, SV_PROP_PLAYBACK_RATE, &prate) == 0) {
        size_t n = strlen(buf);
        snprintf(buf + n, size - n, "\nlive latency %.2f s  rate %.3f  (l: live edge)", latency,
                 prate);
    }
}
