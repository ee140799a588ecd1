/*
 * Manifests for a session with several CDNs, rewritten from the packaged
 * ones at serve time (the files on disk stay CDN-neutral, so a CDN change
 * needs no re-packaging and the packager knows nothing of CDNs).
 *
 * HLS (master playlist): one copy of every variant and rendition per CDN,
 * in the current priority order, each variant with PATHWAY-ID="<cdn id>",
 * its URIs absolute on that CDN (<base_url><prefix><uri>), and rendition
 * groups renamed per pathway ("aud" -> "aud.edge1") as RFC 8216bis asks of
 * pathways that reach renditions on different hosts; plus
 * #EXT-X-CONTENT-STEERING:SERVER-URI="<steering>",PATHWAY-ID="<first>".
 * Other tags (session keys, version...) are kept once.
 *
 * DASH (MPD, through libxml2): MPD-level <BaseURL serviceLocation="<id>"
 * dvb:priority=".." dvb:weight="..">base_url + prefix</BaseURL> per CDN and
 * <ContentSteering defaultServiceLocation="<first>"
 * queryBeforeStart="false">steering</ContentSteering>, before the first
 * Period; earlier MPD-level BaseURL/ContentSteering elements are replaced.
 *
 * Both are pure (no I/O) and return a malloc'd text (caller frees) and its
 * length, or NULL for input they cannot rewrite (not a master playlist,
 * not an MPD) or out of memory. Threads: any (libxml2 is initialised by
 * the first call; the server calls them from its loop thread only).
 */
#ifndef SV_BACKEND_MANIFEST_REWRITE_H
#define SV_BACKEND_MANIFEST_REWRITE_H

#include <stddef.h>

#include "backend/steering.h"

char *sv__hls_master_rewrite(const char *text, size_t len, const sv__steering *st,
                             const char *prefix, const char *steering_uri, size_t *out_len);

char *sv__dash_mpd_rewrite(const char *xml, size_t len, const sv__steering *st,
                           const char *prefix, const char *steering_uri, size_t *out_len);

#endif
