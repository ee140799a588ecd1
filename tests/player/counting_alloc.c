/*
 * counting_alloc URL FRAMES - the allocator promise of streamverse/common.h,
 * at run time. A host installs a counting allocator in the player settings,
 * plays URL headless to its end (null sinks, benchmark pace) through the
 * public API only, and destroys the player.
 *
 * Passes (exit 0) when the stream played to END_OF_FILE with FRAMES frames
 * decoded, the allocator saw allocations (> 0), every allocation was freed
 * (allocs == frees, no byte left), and every pointer the player handed to
 * realloc or free came from this allocator: each block carries a tag in a
 * header, so memory the library took from the C library and then freed
 * through the host's allocator is caught here, and memory taken from the
 * host's allocator but freed with the C library's free() would crash in
 * glibc's free() (the pointer is not malloc's). Exit 1 on a failed check,
 * 2 on bad arguments.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <streamverse/player.h>
#include <streamverse/sinks.h>

/* Header in front of every block: 16 bytes keep the block aligned for any type. */
typedef struct tag {
    uint64_t magic;
    uint64_t size;
} tag;
#define MAGIC 0x5356414c4c4f4321ull /* "SVALLOC!" */

typedef struct counts {
    atomic_llong allocs, frees, reallocs, live_bytes, foreign;
} counts;

static tag *tag_of(counts *c, void *p)
{
    tag *t = (tag *)p - 1;
    if (t->magic != MAGIC) {
        atomic_fetch_add(&c->foreign, 1);
        return NULL;
    }
    return t;
}

static void *c_alloc(void *opaque, size_t size)
{
    counts *c = opaque;
    tag *t = malloc(sizeof(*t) + size);
    if (!t)
        return NULL;
    t->magic = MAGIC;
    t->size = size;
    atomic_fetch_add(&c->allocs, 1);
    atomic_fetch_add(&c->live_bytes, (long long)size);
    return t + 1;
}

static void *c_realloc(void *opaque, void *p, size_t size)
{
    counts *c = opaque;
    if (!p)
        return c_alloc(opaque, size);
    tag *t = tag_of(c, p);
    if (!t)
        return NULL; /* not ours: refuse rather than corrupt */
    uint64_t old = t->size;
    tag *n = realloc(t, sizeof(*n) + size);
    if (!n)
        return NULL;
    n->size = size;
    atomic_fetch_add(&c->reallocs, 1);
    atomic_fetch_add(&c->live_bytes, (long long)size - (long long)old);
    return n + 1;
}

static void c_free(void *opaque, void *p)
{
    counts *c = opaque;
    if (!p)
        return;
    tag *t = tag_of(c, p);
    if (!t)
        return; /* not ours: leak it rather than crash; counted as foreign */
    atomic_fetch_add(&c->frees, 1);
    atomic_fetch_sub(&c->live_bytes, (long long)t->size);
    t->magic = 0;
    free(t);
}

static int play(const char *url, long long want_frames, counts *cnt)
{
    sv_video_sink *video = NULL;
    sv_audio_sink *audio = NULL;
    sv_player *player = NULL;
    sv_null_audio_settings as;
    sv_player_settings s;
    sv_allocator al = SV_ALLOCATOR_INIT;
    sv_player_stats st = SV_PLAYER_STATS_INIT;
    int ret, ended = 0, failed = 0;

    al.alloc = c_alloc;
    al.realloc = c_realloc;
    al.free = c_free;
    al.opaque = cnt;
    sv_null_audio_default_settings(&as);
    as.realtime = 0;
    if ((ret = sv_null_video_sink_create(&video, NULL, NULL, 0)) < 0 ||
        (ret = sv_null_audio_sink_create(&audio, &as)) < 0) {
        fprintf(stderr, "sinks: %s\n", sv_strerror(ret));
        goto out;
    }
    sv_player_default_settings(&s);
    s.video_sink = video;
    s.audio_sink = audio;
    s.benchmark = 1;
    s.allocator = &al;
    if ((ret = sv_player_create(&player, &s)) < 0) {
        fprintf(stderr, "sv_player_create: %s\n", sv_strerror(ret));
        goto out;
    }
    if ((ret = sv_player_load(player, url, NULL, 1)) < 0) {
        fprintf(stderr, "sv_player_load: %s\n", sv_strerror(ret));
        goto out;
    }
    /* Bounded: 60 s of waiting at most. */
    for (int waited = 0; !ended && !failed && waited < 600; ) {
        const sv_event *ev = sv_player_wait_event(player, 0.1);
        if (ev->id == SV_EVENT_NONE)
            waited++;
        else if (ev->id == SV_EVENT_END_OF_FILE)
            ended = 1;
        else if (ev->id == SV_EVENT_ERROR && ev->data.error.fatal) {
            fprintf(stderr, "error: %s\n", ev->data.error.message);
            failed = 1;
        }
    }
    if ((ret = sv_player_get_stats(player, &st)) < 0)
        fprintf(stderr, "sv_player_get_stats: %s\n", sv_strerror(ret));
    printf("ended %d, decoded %lld frames (want %lld), %lld allocations during playback\n",
           ended, (long long)st.decoded_frames, want_frames,
           (long long)atomic_load(&cnt->allocs));
    ret = ended && !failed && st.decoded_frames == want_frames ? 0 : -1;
out:
    sv_player_destroy(player);
    if (video)
        video->destroy(video);
    if (audio)
        audio->destroy(audio);
    return ret;
}

int main(int argc, char **argv)
{
    counts cnt;
    char *end = NULL;

    if (argc != 3) {
        fprintf(stderr, "usage: counting_alloc URL FRAMES\n");
        return 2;
    }
    long long want = strtoll(argv[2], &end, 10);
    if (!end || *end || want <= 0) {
        fprintf(stderr, "counting_alloc: bad frame count '%s'\n", argv[2]);
        return 2;
    }
    memset(&cnt, 0, sizeof(cnt));
    int played = play(argv[1], want, &cnt);
    long long allocs = atomic_load(&cnt.allocs), frees = atomic_load(&cnt.frees);
    long long live = atomic_load(&cnt.live_bytes), foreign = atomic_load(&cnt.foreign);
    printf("allocator: %lld allocs, %lld reallocs, %lld frees, %lld bytes left, "
           "%lld foreign pointers\n", allocs, (long long)atomic_load(&cnt.reallocs), frees,
           live, foreign);
    int ok = played == 0 && allocs > 0 && allocs == frees && live == 0 && foreign == 0;
    printf("%s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
