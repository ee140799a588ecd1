/*
 * interstitials.c - HLS interstitials through the public API (API 2.7),
 * driven by tests/backend/backend_interstitials_hls.sh: loads URL in real
 * time with null sinks and prints what happened, one fact a line, for the
 * script to check:
 *
 *   start ID POSITION DURATION INDEX COUNT URI   SV_EVENT_INTERSTITIAL_START
 *   end ID POSITION PLAYED ERROR                 SV_EVENT_INTERSTITIAL_END
 *   warning CODE MESSAGE                         a non-fatal SV_EVENT_ERROR
 *   fatal CODE MESSAGE                           a fatal one
 *   during AD POSITION AD_POSITION AD_DURATION   the properties 0.5 s into an ad
 *   seek_during_ad RC                            (skip) sv_player_seek's result there
 *   seek RC REPLY                                (jump) the seek's result and reply
 *   after_end POSITION                           SV_PROP_POSITION 0.5 s after an end
 *   ended POSITION FRAMES DROPPED                at SV_EVENT_END_OF_FILE
 *
 *   seek RC                                      (jump, back) sv_player_seek's result
 *
 *   interstitials play|skip|jump|back URL [SEEK_TARGET]
 *
 * jump: at 0.5 s a seek to SEEK_TARGET; back: once an ad ended and the
 * title is at 3 s, a seek back to SEEK_TARGET (the break plays again, but
 * for CUE ONCE).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <streamverse/player.h>
#include <streamverse/sinks.h>

#include "sdk_check.h"

static sv_player *player;
static sv_video_sink *video;
static const char *mode;
static double seek_target = -1;
static int ended, failed, in_ad, seek_sent, seek_reply_wanted, ads_ended;
static double ad_started_at = -1, ad_ended_at = -1, now_s;
static int64_t last_pts_us = -1; /* render thread: the frame presented last */

/* Frames the player did not present (dropped as late): a step of more than
 * 1.5 frames (25 fps) between two presented ones of the same item. */
static void on_frame(void *opaque, const sv_video_frame *f, const uint8_t md5[16])
{
    (void)opaque;
    (void)md5;
    if (last_pts_us >= 0 && f->pts_us > last_pts_us + 60000)
        fprintf(stderr, "missing frames between %.3f and %.3f s\n", last_pts_us / 1e6,
                f->pts_us / 1e6);
    last_pts_us = f->pts_us;
}

static void on_event(void *opaque, const sv_event *ev)
{
    (void)opaque;
    switch (ev->id) {
    case SV_EVENT_INTERSTITIAL_START:
        printf("start %s %.3f %.3f %d %d %s\n", ev->data.interstitial.id,
               ev->data.interstitial.position_s, ev->data.interstitial.duration_s,
               ev->data.interstitial.asset_index, ev->data.interstitial.nb_assets,
               ev->data.interstitial.asset_uri);
        in_ad = 1;
        ad_started_at = now_s;
        break;
    case SV_EVENT_INTERSTITIAL_END:
        printf("end %s %.3f %.3f %d\n", ev->data.interstitial.id, ev->data.interstitial.position_s,
               ev->data.interstitial.duration_s, ev->error);
        in_ad = 0;
        ad_ended_at = now_s;
        ads_ended++;
        break;
    case SV_EVENT_ERROR:
        printf("%s %d %s\n", ev->data.error.fatal ? "fatal" : "warning", ev->error,
               ev->data.error.message);
        failed |= ev->data.error.fatal;
        break;
    case SV_EVENT_COMMAND_REPLY:
        if (seek_reply_wanted && ev->reply_userdata == 77) {
            printf("seek_reply %d\n", ev->error);
            seek_reply_wanted = 0;
        }
        break;
    case SV_EVENT_END_OF_FILE: {
        int64_t dropped = 0;
        sv_player_get_int64(player, SV_PROP_DROPPED_FRAMES, &dropped);
        printf("ended %.3f %llu %lld\n", sdk_prop(player, SV_PROP_POSITION),
               (unsigned long long)sv_null_video_sink_frames(video), (long long)dropped);
        ended = 1;
        break;
    }
    default:
        break;
    }
    fflush(stdout);
}

/* What the mode does as time passes (every 20 ms of the run). */
static void step(void)
{
    if (in_ad && ad_started_at >= 0 && now_s - ad_started_at >= 0.5) {
        int64_t ad = -1;
        sv_player_get_int64(player, SV_PROP_INTERSTITIAL, &ad);
        printf("during %lld %.3f %.3f %.3f\n", (long long)ad, sdk_prop(player, SV_PROP_POSITION),
               sdk_prop(player, SV_PROP_INTERSTITIAL_POSITION),
               sdk_prop(player, SV_PROP_INTERSTITIAL_DURATION));
        if (!strcmp(mode, "skip"))
            printf("seek_during_ad %d\n", sv_player_seek(player, 1.0, SV_SEEK_RELATIVE, 0));
        ad_started_at = -1;
    }
    if (ad_ended_at >= 0 && now_s - ad_ended_at >= 0.5) {
        printf("after_end %.3f\n", sdk_prop(player, SV_PROP_POSITION));
        ad_ended_at = -1;
    }
    if (((!strcmp(mode, "jump") && sdk_prop(player, SV_PROP_POSITION) >= 0.5) ||
         (!strcmp(mode, "back") && ads_ended && sdk_prop(player, SV_PROP_POSITION) >= 3)) &&
        !seek_sent && !in_ad) {
        int rc = sv_player_seek(player, seek_target, 0, 77);
        printf("seek %d\n", rc);
        seek_sent = 1;
        seek_reply_wanted = rc == 0;
    }
    fflush(stdout);
}

int main(int argc, char **argv)
{
    sv_audio_sink *audio = NULL;
    sv_player_settings s;

    if (argc < 3 ||
        (strcmp(argv[1], "play") && strcmp(argv[1], "skip") && strcmp(argv[1], "jump") &&
         strcmp(argv[1], "back")) ||
        ((!strcmp(argv[1], "jump") || !strcmp(argv[1], "back")) && argc != 4)) {
        fprintf(stderr, "usage: interstitials play|skip|jump|back URL [SEEK_TARGET]\n");
        return 2;
    }
    mode = argv[1];
    if (argc == 4)
        seek_target = atof(argv[3]);
    if (sdk_null_sinks(&s, &video, &audio, on_frame, NULL) < 0)
        return 2;
    s.log_level = SV_LOG_INFO;
    sv_load_options lo;
    sv_load_default_options(&lo);
    lo.quality_index = 0;
    if (sv_player_create(&player, &s) < 0 || sv_player_load(player, argv[2], &lo, 1) < 0) {
        fprintf(stderr, "cannot create the player or load %s\n", argv[2]);
        return 2;
    }
    for (now_s = 0; now_s < 40 && !ended && !failed; now_s += 0.02) {
        sdk_drain(player, 0.02, 0.02, on_event, NULL);
        step();
    }
    if (!ended)
        printf("not_ended %.3f\n", sdk_prop(player, SV_PROP_POSITION));
    sv_player_destroy(player);
    video->destroy(video);
    audio->destroy(audio);
    return 0;
}
