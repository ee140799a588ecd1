/*
 * captions_switch URL - caption tracks through the public API
 * (streamverse/player.h), in real time with the null sinks. The stream is
 * tests/player/captions_708_shaka.sh's: sv-ccgen --708 cues (2.6-3.4,
 * 4.4-5.2, 6.0-7.0, 7.6-9.2, 10.0-10.8 s) as CEA-708 services 1 (English)
 * and 2 (German, texts "S2 ...") and CEA-608 CC1, the manifest declaring
 * the two services with their languages.
 *   1. settings.caption_track "de": SERVICE2 is decoded from the start;
 *      the track list has SERVICE1 "en" and SERVICE2 "de" declared and,
 *      once the video carried them, carried, and CC1 carried only;
 *   2. at 5.5 s sv_player_select_caption_track("SERVICE1"): the cues
 *      before it are service 2's, those from 7 s on service 1's, and none
 *      of service 2 comes after the switch;
 *   3. CC3 is SV_ERR_UNSUPPORTED, SERVICE64 SV_ERR_INVALID; no error,
 *      nothing skipped.
 * Exit 0 when every check passed, 1 otherwise, 2 on bad arguments or
 * set-up failure.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <streamverse/player.h>
#include <streamverse/sinks.h>

#include "sdk_check.h"

typedef struct cue {
    double start;
    char text[64];
} cue;

static sv_player *player;
static int fatal, ended;
static cue cues[32];
static int nb_cues;

static void on_event(void *opaque, const sv_event *ev)
{
    (void)opaque;
    if (ev->id == SV_EVENT_ERROR) {
        fprintf(stderr, "error: %s\n", ev->data.error.message);
        fatal = 1;
    } else if (ev->id == SV_EVENT_END_OF_FILE) {
        ended = 1;
    } else if (ev->id == SV_EVENT_SUBTITLE_CUE && nb_cues < 32) {
        cues[nb_cues].start = ev->data.cue.start_s;
        snprintf(cues[nb_cues].text, sizeof(cues[nb_cues].text), "%s", ev->data.cue.text);
        printf("cue %.3f %s\n", ev->data.cue.start_s, ev->data.cue.text);
        nb_cues++;
    }
}

static const sv_caption_track_info *find(const sv_caption_track_info *t, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(t[i].name, name))
            return &t[i];
    return NULL;
}

static void check_tracks(void)
{
    sv_caption_track_info t[8];
    char msg[400];
    int n = sv_player_caption_track_count(player), k = 0;

    for (int i = 0; i < n && i < 8; i++) {
        t[i] = (sv_caption_track_info)SV_CAPTION_TRACK_INFO_INIT;
        if (sv_player_get_caption_track(player, i, &t[i]) == 0)
            k += snprintf(msg + k, sizeof(msg) - (size_t)k, "%s%s(%s)%s%s%s", i ? ", " : "",
                          t[i].name, t[i].language, t[i].declared ? " declared" : "",
                          t[i].carried ? " carried" : "", t[i].selected ? " selected" : "");
    }
    printf("caption tracks: %s\n", n > 0 ? msg : "none");
    const sv_caption_track_info *s1 = find(t, n < 8 ? n : 8, "SERVICE1");
    const sv_caption_track_info *s2 = find(t, n < 8 ? n : 8, "SERVICE2");
    const sv_caption_track_info *cc = find(t, n < 8 ? n : 8, "CC1");
    sdk_check(n == 3 && s1 && s2 && cc && !strcmp(s1->language, "en") &&
                  !strcmp(s2->language, "de") && s1->declared && s2->declared && !cc->declared &&
                  s1->carried && s2->carried && cc->carried && s2->selected && !s1->selected,
              "tracks: SERVICE1 (en) and SERVICE2 (de) declared and carried, CC1 carried, "
              "SERVICE2 selected by the language");
}

int main(int argc, char **argv)
{
    sv_video_sink *video = NULL;
    sv_audio_sink *audio = NULL;
    sv_player_settings s;
    sv_player_stats st = SV_PLAYER_STATS_INIT;
    char msg[300];

    if (argc != 2) {
        fprintf(stderr, "usage: captions_switch URL\n");
        return 2;
    }
    if (sdk_null_sinks(&s, &video, &audio, NULL, NULL) < 0)
        return 2;
    s.captions = 1;
    s.caption_track = "de";
    if (sv_player_create(&player, &s) < 0 || sv_player_load(player, argv[1], NULL, 1) < 0) {
        fprintf(stderr, "cannot create the player or load %s\n", argv[1]);
        return 2;
    }
    double pos = 0;
    for (int i = 0; i < 1000 && pos < 5.5 && !fatal; i++) {
        sdk_drain(player, 0.02, 0.02, on_event, NULL);
        pos = sdk_prop(player, SV_PROP_POSITION);
    }
    check_tracks();
    int before = nb_cues;
    sdk_check(sv_player_select_caption_track(player, "SERVICE1") == 0,
              "select SERVICE1 at 5.5 s");
    sdk_check(sv_player_select_caption_track(player, "CC3") == SV_ERR_UNSUPPORTED &&
                  sv_player_select_caption_track(player, "SERVICE64") == SV_ERR_INVALID,
              "CC3: unsupported, SERVICE64: invalid");
    for (int i = 0; i < 1500 && !ended && !fatal; i++)
        sdk_drain(player, 0.02, 0.02, on_event, NULL);
    sdk_check(ended && !fatal, "played to the end without an error");
    int first_ok = before == 2 && !strcmp(cues[0].text, "S2 HELLO WORLD") &&
                   fabs(cues[0].start - 2.6) < 0.05 && !strncmp(cues[1].text, "S2 Second", 9);
    snprintf(msg, sizeof(msg), "before the switch: service 2's 2 cues (%d)", before);
    sdk_check(first_ok, msg);
    int later = 0, stray = 0;
    for (int i = before; i < nb_cues; i++) {
        stray += !strncmp(cues[i].text, "S2 ", 3);
        later += cues[i].start >= 7 && (!strcmp(cues[i].text, "A LONGER ONE ACROSS A SEGMENT") ||
                                        !strcmp(cues[i].text, "last"));
    }
    snprintf(msg, sizeof(msg), "after it: service 1's cues from 7 s on (%d of 2), none of "
             "service 2 (%d)", later, stray);
    sdk_check(later == 2 && stray == 0, msg);
    sv_player_get_stats(player, &st);
    snprintf(msg, sizeof(msg), "nothing skipped (text_skipped %lld)", (long long)st.text_skipped);
    sdk_check(st.text_skipped == 0, msg);
    sv_player_destroy(player);
    video->destroy(video);
    audio->destroy(audio);
    return sdk_failures ? 1 : 0;
}
