/*
 * control_streams.c - the streams of a load: started per track a load
 * plays, ended (joined) at an unload, a track switch or a gapless move to
 * the next item; and the load's URL (a local path becomes a file:// URL, a
 * plain media file is told by its name).
 *
 * Loop thread only.
 */
#include <string.h>
#include <strings.h>

#include "platform/fs.h"
#include "player/core/internal.h"
#include "player/manifest/url.h"

int sv__control_start_stream(struct sv_player *p, sv__stream **out, int feeds, const char *direct)
{
    sv__stream_config cfg = { .feeds = feeds, .direct_url = direct, .env = &p->env,
                              .vout = p->vout, .aout = p->aout,
                              .decoder_threads = p->settings.decoder_threads,
                              .reader = sv__demux_thread, .sink = p->chunk_sink,
                              .captions = p->captions };
    int r = sv__stream_create(out, &cfg);
    if (r < 0)
        return r;
    uint64_t gen = atomic_load(&p->gen);
    sv__stream_flush(*out, gen, p->load_opts.start_position_s > 0 ? p->load_opts.start_position_s : -1);
    return 0;
}

/* Ends the streams of the current load: a new generation wakes demux
 * threads blocked on full outputs. The streams go stale first, so a woken
 * thread cannot take a queued chunk of the old generation for the start of
 * a new run; then the threads are joined and the audio sink closed. */
void sv__control_stop_streams(struct sv_player *p)
{
    uint64_t gen = atomic_fetch_add(&p->gen, 1) + 1;
    int keep = p->handover;
    p->handover = 0;
    if (p->vstream)
        sv__stream_flush(p->vstream, gen, -1);
    if (p->astream)
        sv__stream_flush(p->astream, gen, -1);
    if (keep) {
        /* Gapless: the outputs play on what they hold; the next item queues
         * behind it (output.h, sv__aout_keep). */
        sv__vout_keep(p->vout, gen);
        sv__aout_keep(p->aout, gen);
    } else {
        sv__vout_flush(p->vout, gen, -1);
        sv__aout_flush(p->aout, gen, -1);
        p->playout->set_playing(p->playout->opaque, 0);
    }
    sv__stream_destroy(p->vstream);
    sv__stream_destroy(p->astream);
    p->vstream = p->astream = NULL;
    if (!keep) {
        sv__aout_close(p->aout);
        sv__aout_set_active(p->aout, 0);
    }
}

/* A plain file is recognised by its name, so it is never downloaded whole
 * just to learn it is not a manifest. */
int sv__control_plain_file(const char *url)
{
    static const char *const ext[] = { ".mp4", ".m4v", ".m4a", ".mkv", ".webm", ".mov",
                                       ".ts", ".mp3", ".aac", ".flac", ".ogg", ".avi" };
    const char *end = url + strcspn(url, "?#");
    for (size_t i = 0; i < sizeof(ext) / sizeof(ext[0]); i++) {
        size_t n = strlen(ext[i]);
        if ((size_t)(end - url) > n && !strncasecmp(end - n, ext[i], n))
            return 1;
    }
    return 0;
}

/* Local paths become file:// URLs so everything downstream sees URLs. */
char *sv__control_to_url(const sv_allocator *alloc, const char *in)
{
    if (sv__url_is_absolute(in))
        return sv__strdup(alloc, in);
    return sv__file_url(alloc, in);
}

