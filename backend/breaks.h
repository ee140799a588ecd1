/*
 * Ad breaks on a title (docs/http-api.md, "Ad breaks"): where an operator
 * places a break (at_s into the title, duration_s long), kept in the
 * catalog and written into the title's manifests as the players read them.
 * A break is either signalled only (the player's host decides what to do
 * with it) or an interstitial: it plays another title of the catalog, the
 * asset, whose folder the title reaches through a link, DIR/ads/<asset>
 * -> ../../<asset> (so the title's media token and CDN prefix cover it).
 *   - HLS: every media playlist gets EXT-X-DATERANGE tags, one per break,
 *     ID="sv-break-<id>", CLASS (com.streamverse.ad-break, or the one
 *     given), START-DATE on the playlist's EXT-X-PROGRAM-DATE-TIME
 *     (2000-01-01T00:00:00Z for the title's start, written when the
 *     playlist has none), DURATION, PLANNED-DURATION and SCTE35-OUT: an
 *     SCTE-35 splice_insert (out of network, splice time at_s,
 *     break_duration with auto_return, splice_event_id the break id). An
 *     interstitial is CLASS="com.apple.hls.interstitial" with X-ASSET-URI
 *     (the asset's master playlist through the link), X-RESUME-OFFSET=0 (the
 *     title goes on where it stopped) and X-RESTRICT="SKIP,JUMP".
 *   - DASH: signalled breaks are Events of an <EventStream schemeIdUri=
 *     "urn:scte:scte35:2013:bin" value="streamverse-breaks" timescale=
 *     "90000"> (presentationTime, duration, id, the same section base64 as
 *     the content) in the Period that holds them. Interstitials split the
 *     title into Periods (breaks_dash.c): the title up to the break, the
 *     asset's Period (id "ad-<break id>", its BaseURL the link, its video
 *     and audio sets, an EventStream with the break's Event at its start),
 *     then the title again from the break (presentationTimeOffset and
 *     startNumber where it left off), and so on.
 * The rewrites are idempotent: HLS tags and EventStreams written before
 * are replaced, the rest of each file is kept byte for byte (HLS) or as
 * libxml2 writes it back (DASH); the title's single-Period MPD is kept as
 * manifest.base.mpd (SV__MEDIA_BASE_MPD, backend/media.h) the first time,
 * and every rewrite starts from it.
 *
 * breaks_manifest.c and breaks_dash.c are pure (no I/O); breaks.c reads
 * and replaces the files (each written beside, then renamed over: a reader
 * never sees half a file). Threads: any; the server calls them on its loop
 * thread.
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
#define SV__BREAK_CLASS_INTERSTITIAL "com.apple.hls.interstitial"
#define SV__BREAKS_ADS_DIR "ads"        /* DIR/ads/<asset>: the link to an asset's folder */

typedef struct sv__ad_break {
    int64_t id;                     /* the catalog's; the SCTE-35 splice_event_id */
    int64_t title_id;
    double at_s, duration_s;
    char cls[65];                   /* the DATERANGE CLASS */
    int64_t asset_title_id;         /* the title an interstitial plays; 0: signalled only */
    int64_t created;                /* seconds since 1970 */
    int64_t impressions;            /* sessions whose player reached it (their reports) */
} sv__ad_break;

/* Writes the SCTE-35 splice_info_section of break `b` into out (at least
 * 64 bytes). Returns its length. */
size_t sv__break_scte35(const sv__ad_break *b, uint8_t *out, size_t cap);

/* A media playlist with the breaks' tags (any earlier ones replaced).
 * ads_uri is how the playlist names the title's ads/ folder, relative
 * ("../../ads/" for video/240p/index.m3u8) or absolute, for the
 * interstitials' X-ASSET-URI.
 * Returns a malloc'd text and its length, or NULL (out of memory, or not
 * a media playlist). */
char *sv__breaks_hls(const char *text, size_t len, const sv__ad_break *b, int n,
                     const char *ads_uri, size_t *out_len);

/* The title's MPD (its single-Period base) with the breaks (b sorted by
 * at_s): the signalled ones as Events, the interstitials as Periods of
 * their asset, assets[i] (asset_lens[i] bytes) being b[i]'s asset's MPD
 * (NULL for a signalled break). Returns a malloc'd text and its length, or
 * NULL: not an MPD of one Period with a duration, an asset MPD without a
 * Period, out of memory. */
char *sv__breaks_dash(const char *xml, size_t len, const sv__ad_break *b, int n,
                      const char *const *assets, const size_t *asset_lens, size_t *out_len);

/* The start of the title's video segment nearest to at_s (seconds), read
 * from its MPD: where an interstitial may split the title (a key frame).
 * Returns 0, or SV_ERR_INVALID (no video set with a segment timeline). */
int sv__breaks_dash_boundary(const char *xml, size_t len, double at_s, double *out);

/*
 * Rewrites the manifests of the packaged title in `dir` (its master.m3u8's
 * media playlists, its manifest.mpd) with the breaks, b sorted by at_s,
 * after linking the folder of each asset (a sibling of dir) as
 * dir/ads/<asset> and removing the links no break uses. X-ASSET-URI is
 * public_url + "/media/<title>/ads/<asset>/master.m3u8" when public_url is
 * not empty, else relative to each playlist. Returns 0, or
 * SV_ERR_IO / SV_ERR_NOMEM with what failed in err (the files not yet
 * rewritten keep their previous breaks).
 */
int sv__breaks_write(const char *dir, const sv__ad_break *b, int n, const char *public_url,
                     char *err, size_t errlen);

/* The title in `dir` (its base MPD, else its MPD) split at the video
 * segment boundary nearest at_s (sv__breaks_dash_boundary). 0, SV_ERR_IO
 * (no MPD to read) or SV_ERR_INVALID. */
int sv__breaks_snap(const char *dir, double at_s, double *out);

/* How a playlist `depth` folders below the title's folder names the
 * title's ads/ folder, into buf: "<public_url>/media/<title>/ads/" when
 * public_url is not empty, else "../" depth times and "ads/". */
void sv__breaks_ads_uri(const char *public_url, int64_t title_id, int depth, char *buf,
                        size_t cap);

/* How many Periods the MPD has (0 when it is not an MPD). Pure. */
int sv__breaks_dash_periods(const char *xml, size_t len);

/* Whether the title in asset_dir can be an interstitial's asset: an MPD of
 * one Period (a recorded live event with a gap has several). 0, or
 * SV_ERR_UNSUPPORTED / SV_ERR_IO with the reason in err. */
int sv__breaks_asset_check(const char *asset_dir, char *err, size_t errlen);

/* The MPD an asset title lends an interstitial: its base when it has
 * breaks of its own, so an ad plays its own content and nothing nested.
 * Returns the path into buf. */
const char *sv__breaks_asset_mpd(const char *asset_dir, char *buf, size_t cap);

#endif
