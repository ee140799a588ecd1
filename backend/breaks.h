/*
 * Ad breaks on a title (docs/http-api.md, "Ad breaks"): where an operator
 * places a break (at_s into the title, duration_s long), kept in the
 * catalog and written into the title's manifests as the players read them:
 *   - HLS: every media playlist gets EXT-X-DATERANGE tags, one per break,
 *     ID="sv-break-<id>", CLASS (com.streamverse.ad-break, or the one
 *     given: an interstitial's class later), START-DATE on the playlist's
 *     EXT-X-PROGRAM-DATE-TIME (2000-01-01T00:00:00Z for the title's start,
 *     written when the playlist has none), DURATION, PLANNED-DURATION and
 *     SCTE35-OUT: an SCTE-35 splice_insert (out of network, splice time
 *     at_s, break_duration with auto_return, splice_event_id the break id);
 *   - DASH: the first Period gets <EventStream schemeIdUri=
 *     "urn:scte:scte35:2013:bin" value="streamverse-breaks" timescale=
 *     "90000"> with one Event per break (presentationTime, duration, id,
 *     the same section base64 as the Event's content).
 * The rewrite is idempotent: the tags and the EventStream it wrote before
 * are replaced, the rest of each file is kept byte for byte (HLS) or as
 * libxml2 writes it back (DASH).
 *
 * breaks_manifest.c is pure (no I/O); breaks.c reads and replaces the
 * files (each written beside, then renamed over: a reader never sees half
 * a file). Threads: any; the server calls them on its loop thread.
 */
#ifndef SV_BACKEND_BREAKS_H
#define SV_BACKEND_BREAKS_H

#include <stddef.h>
#include <stdint.h>

#define SV__MAX_BREAKS 100          /* per title */
#define SV__BREAK_MAX_DURATION_S 3600.0
#define SV__BREAK_CLASS_DEFAULT "com.streamverse.ad-break"
#define SV__BREAKS_SCHEME "urn:scte:scte35:2013:bin"
#define SV__BREAKS_VALUE "streamverse-breaks"

typedef struct sv__ad_break {
    int64_t id;                     /* the catalog's; the SCTE-35 splice_event_id */
    int64_t title_id;
    double at_s, duration_s;
    char cls[65];                   /* the DATERANGE CLASS */
    int64_t created;                /* seconds since 1970 */
} sv__ad_break;

/* Writes the SCTE-35 splice_info_section of break `b` into out (at least
 * 64 bytes). Returns its length. */
size_t sv__break_scte35(const sv__ad_break *b, uint8_t *out, size_t cap);

/* A media playlist with the breaks' tags (any earlier ones replaced).
 * Returns a malloc'd text and its length, or NULL (out of memory, or not
 * a media playlist). */
char *sv__breaks_hls(const char *text, size_t len, const sv__ad_break *b, int n, size_t *out_len);
/* The MPD with the breaks' EventStream in its first Period (an earlier one
 * replaced; none when n is 0). Returns a malloc'd text, or NULL. */
char *sv__breaks_dash(const char *xml, size_t len, const sv__ad_break *b, int n, size_t *out_len);

/*
 * Rewrites the manifests of the packaged title in `dir` (its master.m3u8's
 * media playlists, its manifest.mpd) with the breaks. Returns 0, or
 * SV_ERR_IO / SV_ERR_NOMEM with what failed in err (the files not yet
 * rewritten keep their previous breaks).
 */
int sv__breaks_write(const char *dir, const sv__ad_break *b, int n, char *err, size_t errlen);

#endif
