/*
 * Video codec families and the choice among them (issue 20 item 4).
 *
 * A representation's RFC 6381 `codecs` string names its family (avc1/avc3
 * -> H.264, hvc1/hev1 -> HEVC, av01 -> AV1, vp09 -> VP9); audio and text
 * entries of the list are skipped; a string without a known video entry
 * (empty, or an unknown one) is SV__CODEC_UNKNOWN, which the player treats
 * as decodable and tries last.
 *
 * The host's preference (sv_player_settings.codecs) is a comma-separated
 * list of family names, most preferred first; families not listed are
 * forbidden. NULL means the default order av1 > hevc > vp9 > h264.
 *
 * Pure functions: no allocation, no I/O, thread-safe.
 */
#ifndef SV_PLAYER_MODEL_CODEC_H
#define SV_PLAYER_MODEL_CODEC_H

#include <stddef.h>

typedef enum sv__codec_family {
    SV__CODEC_UNKNOWN = 0,
    SV__CODEC_H264,
    SV__CODEC_HEVC,
    SV__CODEC_AV1,
    SV__CODEC_VP9,
    SV__CODEC_COUNT
} sv__codec_family;

/* The bit of a family in a family mask. */
#define SV__CODEC_BIT(f) (1u << (unsigned)(f))

/* A preference order: order[0] most preferred; n entries. */
typedef struct sv__codec_prefs {
    sv__codec_family order[SV__CODEC_COUNT];
    size_t n;
} sv__codec_prefs;

/* The family of a codecs string (NULL or "" give SV__CODEC_UNKNOWN). */
sv__codec_family sv__codec_family_of(const char *codecs);

/* "h264", "hevc", "av1", "vp9" or "unknown". */
const char *sv__codec_family_name(sv__codec_family f);

/*
 * Parses a preference list ("av1,hevc,h264"; spaces around names allowed;
 * names are case-insensitive). NULL gives the default order. Returns 0, or
 * SV_ERR_INVALID with `err` naming the bad entry (an unknown name, an empty
 * entry, a name listed twice).
 */
int sv__codec_prefs_parse(const char *list, sv__codec_prefs *out, char *err, size_t errlen);

/* Writes the names of the families in `mask` (known families, in
 * H.264, HEVC, AV1, VP9 order, comma-separated; "none" when empty). */
void sv__codec_mask_names(unsigned mask, char *buf, size_t len);

/*
 * Chooses the family to play: the first of prefs->order that is in both
 * `present` and `decodable`; failing that SV__CODEC_UNKNOWN when `present`
 * has it (an undeclared codec: the decoder will tell). Returns the family,
 * or -1 when none is playable (`err` then names the codecs found, the
 * allowed ones and those this device decodes).
 */
int sv__codec_choose(unsigned present, unsigned decodable, const sv__codec_prefs *prefs,
                     char *err, size_t errlen);

/*
 * The families a ladder may hold once `chosen` is playing: only it, or with
 * `allow_switch` every allowed decodable family (and unknown) present.
 */
unsigned sv__codec_ladder_mask(int chosen, unsigned present, unsigned decodable,
                               const sv__codec_prefs *prefs, int allow_switch);

#endif
