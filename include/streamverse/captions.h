/*
 * streamverse/captions.h - closed caption tracks: the CEA-608 channel and
 * CEA-708 services of the video, which one is decoded, and the style of
 * the text shown (player.h includes this header after sv_cue_style;
 * docs/sdk.md, "Closed captions"). The captions themselves come as
 * subtitle cues (player.h: settings.captions and caption_track,
 * SV_EVENT_SUBTITLE_CUE).
 *
 * Threads: every function is thread-safe, like player.h's.
 */
#ifndef STREAMVERSE_CAPTIONS_H
#define STREAMVERSE_CAPTIONS_H

#include <stddef.h>

#include "common.h"

/* sv_player is player.h's, which includes this header; named by its struct
 * tag here so that this header compiles on its own. */
struct sv_player;
struct sv_cue_style; /* player.h's sv_cue_style */

#ifdef __cplusplus
extern "C" {
#endif

/*
 * (API 2.7) Closed caption tracks: the caption services of the load's
 * video, as the manifest declares them (HLS EXT-X-MEDIA
 * TYPE=CLOSED-CAPTIONS with INSTREAM-ID, LANGUAGE and NAME; DASH
 * Accessibility urn:scte:dash:cc:cea-608:2015 and cea-708:2015 on the video
 * AdaptationSet, e.g. "1=lang:eng;2=lang:deu") in its order, then those
 * the video's caption data carried that the manifest did not declare (CC1,
 * then the services by number). Only while settings.captions is on (the
 * video is read for captions then). Initialise with
 * SV_CAPTION_TRACK_INFO_INIT.
 */
typedef struct sv_caption_track_info {
    size_t struct_size;
    char name[16];           /* "CC1" to "CC4", "SERVICE1" to "SERVICE63" */
    char language[16];       /* BCP 47 from the manifest ("en"; DASH's ISO 639-2
                                "eng" given as "en"), "" when it says none */
    char label[64];          /* HLS NAME, or "" */
    int declared;            /* the manifest declares it */
    int carried;             /* its data came in the video so far (CC1: any
                                CEA-608 data of field 1) */
    int selected;            /* the one decoded and shown */
} sv_caption_track_info;

#define SV_CAPTION_TRACK_INFO_INIT SV_STRUCT_INIT(sv_caption_track_info)

/* (API 2.7) How many caption tracks there are now (0 when nothing is
 * loaded or settings.captions is off), or SV_ERR_INVALID. The number grows
 * as services appear in the video. Thread-safe. */
SV_API int sv_player_caption_track_count(struct sv_player *player);

/* (API 2.7) Copies caption track `index` into *info (the fields its
 * struct_size holds). Returns 0, SV_ERR_RANGE, or SV_ERR_INVALID (NULL, or
 * struct_size too small). Thread-safe. */
SV_API int sv_player_get_caption_track(struct sv_player *player, int index,
                                       sv_caption_track_info *info);

/*
 * (API 2.7) Decodes and shows caption track `name` from now on: "CC1" or
 * "SERVICE1" to "SERVICE63" (case-insensitive; whether or not the manifest
 * declares it or the video carried it yet). The cues kept of the previous
 * one are dropped; the new one's come from the frames decoded after the
 * call (a second or so of media already decoded shows none). Returns 0,
 * SV_ERR_INVALID (NULL, another name), SV_ERR_STATE (settings.captions is
 * off) or SV_ERR_UNSUPPORTED (CC2 to CC4: only CC1 of CEA-608 is decoded).
 * Thread-safe.
 */
SV_API int sv_player_select_caption_track(struct sv_player *player, const char *name);

/*
 * (API 2.7) The style of the subtitle text shown now (sv_player_get_subtitle):
 * when that text is one cue that has a style (TTML/IMSC1, WebVTT settings)
 * or one CEA-708 caption window (its place, colours and attributes, known
 * from the moment it shows, before its cue event), copies it into *style
 * (at most style_size bytes: sizeof(sv_cue_style) of the host's header) and
 * returns 1; returns 0 when the text is "", several cues or has no style;
 * SV_ERR_INVALID (NULL, or style_size smaller than API 2.4's
 * sv_cue_style). Thread-safe; the style changes with the text, before
 * SV_EVENT_SUBTITLE says so.
 */
SV_API int sv_player_get_subtitle_style(struct sv_player *player, struct sv_cue_style *style,
                                        size_t style_size);

#ifdef __cplusplus
}
#endif

#endif /* STREAMVERSE_CAPTIONS_H */
