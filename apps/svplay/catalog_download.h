/*
 * The title page's Download action (catalog_download.c): one title stored
 * for offline viewing while the catalog runs, its progress as the action's
 * label. Main thread; the download runs on its own (the SDK's) thread.
 */
#ifndef SVPLAY_CATALOG_DOWNLOAD_H
#define SVPLAY_CATALOG_DOWNLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "svplay.h"

typedef struct svp_title_download svp_title_download;

/* Starts (or resumes) the download of backend title `title_id` into
 * $XDG_DATA_HOME/streamverse/downloads/<id> (or ~/.local/share/...): the
 * SDK holds a playback session for its manifest, and fetches a protected
 * title's offline license. 0 with *out (free with svp_title_download_free),
 * or a negative code with err filled. */
int svp_title_download_start(svp_app *app, int64_t title_id, svp_title_download **out,
                             char *err, size_t errlen);
/* Its state (SV_DOWNLOAD_*) and a label for the page: "Downloading 45 %",
 * "Downloaded", "Download failed: ...". */
int svp_title_download_poll(svp_title_download *d, char *label, size_t size);
/* The title it stores (0 for NULL), and its folder. */
int64_t svp_title_download_title(const svp_title_download *d);
const char *svp_title_download_dir(const svp_title_download *d);
/* Pauses it if it runs (resumable from its folder) and frees it. NULL is fine. */
void svp_title_download_free(svp_title_download *d);

#endif
