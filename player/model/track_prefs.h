/*
 * Track roles and the host's language preferences (issue 16): which audio
 * or text track plays when the host lists languages
 * (sv_player_settings.audio_languages / subtitle_languages).
 *
 * A preference list is comma-separated entries LANG[:ROLE], most preferred
 * first. LANG is a BCP 47 tag ("en", "pt-BR", "zh-Hant") or "*" for any
 * language; ROLE is one of the role names below. Tags compare
 * case-insensitively with RFC 4647 lookup fallback: "pt-BR" takes a track
 * tagged "pt-BR" (or "pt-BR-..."), then, with its last subtag dropped, "pt"
 * (or "pt-..."); "en" takes "en-US". The first entry that some track
 * matches decides; among its matches the closest tag wins, then the
 * manifest's default, then the first listed.
 *
 * An entry without a role is a plain preference: it takes the main track
 * of the language (DASH Role main, or no role; HLS without accessibility
 * characteristics) over an alternate, a commentary, and last an
 * accessibility or forced one (audio description, captions for the deaf
 * and hard of hearing, forced subtitles); such a track plays only when the
 * language has nothing else. An entry with a role takes only tracks with
 * that role ("en:description" plays the English audio description, or
 * nothing of this entry).
 *
 * Pure functions: no allocation, no I/O, thread-safe.
 */
#ifndef SV_PLAYER_MODEL_TRACK_PREFS_H
#define SV_PLAYER_MODEL_TRACK_PREFS_H

#include <stddef.h>

#include "player/model/model.h"

/* Role bits of sv__track.roles, from DASH Role and Accessibility
 * descriptors and HLS CHARACTERISTICS and FORCED. */
#define SV__ROLE_MAIN 0x01u        /* "main" */
#define SV__ROLE_ALTERNATE 0x02u   /* "alternate" */
#define SV__ROLE_COMMENTARY 0x04u  /* "commentary" */
#define SV__ROLE_DESCRIPTION 0x08u /* "description": describes the video (for the blind) */
#define SV__ROLE_CAPTION 0x10u     /* "caption": dialogue and sounds as text (deaf, SDH) */
#define SV__ROLE_SUBTITLE 0x20u    /* "subtitle": the dialogue translated */
#define SV__ROLE_FORCED 0x40u      /* "forced": only what the audio does not say */

/* The longest tag an entry may hold (RFC 5646 advises 35 characters). */
#define SV__LANG_TAG_MAX 35
#define SV__LANG_PREFS_MAX 16

typedef struct sv__lang_pref {
    char tag[SV__LANG_TAG_MAX + 1]; /* lowercased; "*" for any language */
    unsigned role;                  /* one SV__ROLE_* bit, 0 for a plain preference */
} sv__lang_pref;

typedef struct sv__lang_prefs {
    sv__lang_pref list[SV__LANG_PREFS_MAX];
    size_t n;
} sv__lang_prefs;

/*
 * Parses a preference list (spaces around entries allowed). NULL or "" give
 * an empty list. Returns 0, or SV_ERR_INVALID with `err` naming the bad
 * entry and why (an empty entry, a tag that is not BCP 47 shaped, an
 * unknown role, more than SV__LANG_PREFS_MAX entries).
 */
int sv__lang_prefs_parse(const char *list, sv__lang_prefs *out, char *err, size_t errlen);

/* The bit of a role name (case-insensitive, `n` bytes), or 0. */
unsigned sv__role_of(const char *name, size_t n);

/* Writes the names of the bits of `roles`, comma-separated in the order of
 * the SV__ROLE_* bits ("" when none). */
void sv__role_names(unsigned roles, char *buf, size_t len);

/*
 * The track of `type` in `per` that the preferences choose (its index among
 * the tracks of its type), or -1 when no entry matches any track (or the
 * list is empty).
 */
int sv__lang_pick(const sv__period *per, sv_track_type type, const sv__lang_prefs *prefs);

/*
 * The track of `type` to play when no preference chooses: the one the
 * manifest marks default, else the first plain one (not an accessibility,
 * forced or commentary track), else the first. -1 when there is none.
 */
int sv__lang_default(const sv__period *per, sv_track_type type);

/* The caption track of `per` (an index into per->captions) that one
 * preference chooses: a decodable one (CC1 or a CEA-708 service) whose
 * language matches best, the first on a tie; the role is not looked at.
 * -1 when none matches. */
int sv__lang_pick_caption(const sv__period *per, const sv__lang_pref *pref);

#endif
