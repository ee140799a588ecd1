/*
 * video.c - video descriptions for svtrace:
 *   - a Pensieve video_sizes folder: video_size_0 .. video_size_<N-1>, one
 *     segment size in bytes per line, one file per rung (lowest first);
 *   - a JSON ladder (docs/trace-formats.md):
 *       { "segment_duration_s": 4, "bitrates_kbps": [300, 750],
 *         "segments": [[s0_rung0, s0_rung1], [s1_rung0, s1_rung1], ...],
 *         "play_segments": 48 }            (the last key is optional)
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "svtrace.h"
#include "video_url.h"

/* Pensieve's ladder, used for a 6-rung video_sizes folder. */
static const uint32_t pensieve_ladder[6] = { 300, 750, 1200, 1850, 2850, 4300 };
#define MAX_RUNGS 64
#define MAX_SEGMENTS 1000000

/* Reads one video_size_<r> file into a growing array. */
static int read_sizes(const char *path, uint64_t **out, size_t *count)
{
    size_t size = 0, n = 0, cap = 0, lineno = 0;
    uint64_t *v = NULL;
    char *data = svt_read_file(path, &size);
    char *p, *line;

    if (!data)
        return -1;
    for (p = data; p && *p != '\0';) {
        line = p;
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        p = nl ? nl + 1 : NULL;
        lineno++;
        char *s = line + strspn(line, " \t\r");
        if (*s == '\0')
            continue;
        char *end = NULL;
        errno = 0;
        unsigned long long x = strtoull(s, &end, 10);
        if (end == s || errno || *s == '-' || (*end && !strchr(" \t\r", *end))) {
            fprintf(stderr, "svtrace: %s:%zu: expected a segment size in bytes\n", path, lineno);
            goto fail;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            uint64_t *nv = realloc(v, cap * sizeof(*v));
            if (!nv)
                goto fail;
            v = nv;
        }
        v[n++] = x;
        if (n > MAX_SEGMENTS) {
            fprintf(stderr, "svtrace: %s:%zu: too many segments\n", path, lineno);
            goto fail;
        }
    }
    if (n == 0) {
        fprintf(stderr, "svtrace: %s: no segment sizes\n", path);
        goto fail;
    }
    free(data);
    *out = v;
    *count = n;
    return 0;

fail:
    free(data);
    free(v);
    return -1;
}

static int load_pensieve(const char *dir, double segment_s, size_t segments, svt_video *out)
{
    uint64_t *rung_sizes[MAX_RUNGS] = { 0 };
    size_t counts[MAX_RUNGS], rungs = 0;
    char path[4096];
    int rc = -1;
    struct stat st;

    for (; rungs < MAX_RUNGS; rungs++) {
        snprintf(path, sizeof(path), "%s/video_size_%zu", dir, rungs);
        if (stat(path, &st) != 0)
            break;
        if (read_sizes(path, &rung_sizes[rungs], &counts[rungs]) < 0)
            goto done;
    }
    if (rungs == 0) {
        fprintf(stderr, "svtrace: %s: no video_size_0 in this folder\n", dir);
        goto done;
    }
    for (size_t r = 1; r < rungs; r++) {
        if (counts[r] != counts[0]) {
            fprintf(stderr, "svtrace: %s/video_size_%zu: %zu sizes, but video_size_0 has %zu\n",
                    dir, r, counts[r], counts[0]);
            goto done;
        }
    }
    size_t n = counts[0];
    out->bitrates = calloc(rungs, sizeof(uint32_t));
    out->sizes = calloc(n * rungs, sizeof(uint64_t));
    if (!out->bitrates || !out->sizes) {
        fprintf(stderr, "svtrace: out of memory\n");
        goto done;
    }
    for (size_t k = 0; k < n; k++)
        for (size_t r = 0; r < rungs; r++)
            out->sizes[k * rungs + r] = rung_sizes[r][k];
    for (size_t r = 0; r < rungs; r++) {
        if (rungs == 6) {
            out->bitrates[r] = pensieve_ladder[r];
            continue;
        }
        /* Other ladders: the mean bitrate of the rung, rounded to kbit/s. */
        double total = 0;
        for (size_t k = 0; k < n; k++)
            total += (double)rung_sizes[r][k];
        out->bitrates[r] = (uint32_t)llround(total / (double)n * 8.0 / segment_s / 1000.0);
    }
    out->v.bitrates_kbps = out->bitrates;
    out->v.num_rungs = rungs;
    out->v.segment_bytes = out->sizes;
    out->v.num_segments = n;
    out->v.segment_duration_s = segment_s;
    if (sv_abr_video_check(&out->v) < 0) {
        fprintf(stderr, "svtrace: %s: the rungs' mean bitrates are not strictly ascending; "
                "describe this video as a JSON ladder\n", dir);
        goto done;
    }
    /* Pensieve plays 48 of its 49 segments: the last line only serves the
     * look-ahead. */
    out->play_segments = segments ? segments : (n > 1 ? n - 1 : n);
    rc = 0;

done:
    for (size_t r = 0; r < rungs; r++)
        free(rung_sizes[r]);
    return rc;
}

static int json_fail(const char *path, const char *what)
{
    fprintf(stderr, "svtrace: %s: %s\n", path, what);
    return -1;
}

static int load_json(const char *path, size_t segments, svt_video *out)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    int rc = -1;

    if (!root) {
        if (jerr.line > 0)
            fprintf(stderr, "svtrace: %s:%d: %s\n", path, jerr.line, jerr.text);
        else
            fprintf(stderr, "svtrace: %s: %s\n", path, jerr.text);
        return -1;
    }
    json_t *dur = json_object_get(root, "segment_duration_s");
    json_t *ladder = json_object_get(root, "bitrates_kbps");
    json_t *segs = json_object_get(root, "segments");
    json_t *play = json_object_get(root, "play_segments");
    if (!json_is_object(root)) {
        json_fail(path, "expected a JSON object");
        goto done;
    }
    if (!json_is_number(dur) || !(json_number_value(dur) > 0)) {
        json_fail(path, "'segment_duration_s' must be a number > 0");
        goto done;
    }
    size_t rungs = json_array_size(ladder), n = json_array_size(segs);
    if (!json_is_array(ladder) || rungs == 0 || rungs > MAX_RUNGS) {
        json_fail(path, "'bitrates_kbps' must be an array of 1 to 64 bitrates");
        goto done;
    }
    if (!json_is_array(segs) || n == 0 || n > MAX_SEGMENTS) {
        json_fail(path, "'segments' must be a non-empty array of per-rung size arrays");
        goto done;
    }
    out->bitrates = calloc(rungs, sizeof(uint32_t));
    out->sizes = calloc(n * rungs, sizeof(uint64_t));
    if (!out->bitrates || !out->sizes) {
        json_fail(path, "out of memory");
        goto done;
    }
    for (size_t r = 0; r < rungs; r++) {
        json_t *b = json_array_get(ladder, r);
        if (!json_is_integer(b) || json_integer_value(b) <= 0 ||
            json_integer_value(b) > UINT32_MAX) {
            json_fail(path, "'bitrates_kbps' must hold positive integers");
            goto done;
        }
        out->bitrates[r] = (uint32_t)json_integer_value(b);
    }
    for (size_t k = 0; k < n; k++) {
        json_t *row = json_array_get(segs, k);
        if (!json_is_array(row) || json_array_size(row) != rungs) {
            fprintf(stderr, "svtrace: %s: segments[%zu] must be an array of %zu sizes\n", path, k,
                    rungs);
            goto done;
        }
        for (size_t r = 0; r < rungs; r++) {
            json_t *x = json_array_get(row, r);
            if (!json_is_integer(x) || json_integer_value(x) < 0) {
                fprintf(stderr, "svtrace: %s: segments[%zu][%zu] must be a size in bytes\n",
                        path, k, r);
                goto done;
            }
            out->sizes[k * rungs + r] = (uint64_t)json_integer_value(x);
        }
    }
    out->v.bitrates_kbps = out->bitrates;
    out->v.num_rungs = rungs;
    out->v.segment_bytes = out->sizes;
    out->v.num_segments = n;
    out->v.segment_duration_s = json_number_value(dur);
    if (sv_abr_video_check(&out->v) < 0) {
        json_fail(path, "'bitrates_kbps' must be strictly ascending");
        goto done;
    }
    out->play_segments = n;
    if (play) {
        if (!json_is_integer(play) || json_integer_value(play) <= 0 ||
            (size_t)json_integer_value(play) > n) {
            json_fail(path, "'play_segments' must be an integer between 1 and the segment count");
            goto done;
        }
        out->play_segments = (size_t)json_integer_value(play);
    }
    if (segments)
        out->play_segments = segments;
    rc = 0;

done:
    json_decref(root);
    return rc;
}

int svt_load_video(const char *path, double segment_s, size_t segments, svt_video *out)
{
    struct stat st;
    int rc;

    memset(out, 0, sizeof(*out));
    if (svt_is_manifest(path))
        return svt_load_video_url(path, segments, out);
    if (stat(path, &st) != 0) {
        fprintf(stderr, "svtrace: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        rc = load_pensieve(path, segment_s, segments, out);
    else
        rc = load_json(path, segments, out);
    if (rc == 0 && out->play_segments > out->v.num_segments) {
        fprintf(stderr, "svtrace: %s: --segments %zu, but the video has %zu\n", path,
                out->play_segments, out->v.num_segments);
        rc = -1;
    }
    if (rc < 0)
        svt_video_free(out);
    return rc;
}
