/*
 * The audio and subtitle languages a DASH MPD declares, for the TV
 * catalog's title page (svserver's title JSON does not list them). Pure: a
 * libxml2 read of bytes the caller fetched, no network, no entities. Its
 * fuzz target is tests/fuzz/fuzz_svplay_mpd_langs.c.
 */
#ifndef SVPLAY_MPD_LANGS_H
#define SVPLAY_MPD_LANGS_H

#include <stddef.h>

/*
 * Reads the AdaptationSets of every Period of the MPD in xml[len]: audio
 * sets (contentType "audio" or an audio/ mimeType) and text sets
 * (contentType "text", a text/ or application/ttml+xml mimeType, or fMP4
 * with stpp/wvtt codecs), image and video sets skipped. Writes each kind's
 * languages (@lang of the set, else of its first Representation; "und" when
 * neither has one), each once, in document order, ", "-separated, into
 * audio[asize] and subs[ssize] ("none" when there is no such set; cut to
 * fit). Returns 0, or SV_ERR_INVALID when the bytes are not a well-formed
 * document whose root element is MPD (audio and subs then "").
 */
int svp_mpd_languages(const char *xml, size_t len, char *audio, size_t asize, char *subs,
                      size_t ssize);

#endif
