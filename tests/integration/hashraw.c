/*
 * sv-hashraw FILE WIDTH HEIGHT PIXFMT: reads raw frames and passes each
 * through the null video sink, stored with padded strides as a decoder would
 * hand them over, and prints the sink's MD5 per frame, one hex line each.
 * PIXFMT: yuv420p, yuv420p10le, nv12, yuv444p.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <streamverse/sinks.h>

static void print_hash(void *opaque, const sv_video_frame *f, const uint8_t md5[16])
{
    (void)opaque;
    (void)f;
    for (int i = 0; i < 16; i++)
        printf("%02x", md5[i]);
    printf("\n");
}

int main(int argc, char **argv)
{
    sv_video_sink *sink = NULL;
    sv_video_frame f;
    FILE *in = NULL;
    uint8_t *packed = NULL, *padded = NULL;
    int w, h, bps = 1, cw, ch, chroma_planes = 2, ret = 1;

    if (argc != 5) {
        fprintf(stderr, "usage: sv-hashraw FILE WIDTH HEIGHT PIXFMT\n");
        return 2;
    }
    w = atoi(argv[2]);
    h = atoi(argv[3]);
    if (w <= 0 || h <= 0 || w > 8192 || h > 8192) {
        fprintf(stderr, "sv-hashraw: bad size %sx%s\n", argv[2], argv[3]);
        return 2;
    }
    memset(&f, 0, sizeof(f));
    cw = (w + 1) / 2;
    ch = (h + 1) / 2;
    if (strcmp(argv[4], "yuv420p10le") == 0) {
        bps = 2;
        f.format = SV_PIX_FMT_YUV420P10;
    } else if (strcmp(argv[4], "nv12") == 0) {
        chroma_planes = 1;
        f.format = SV_PIX_FMT_NV12;
    } else if (strcmp(argv[4], "yuv444p") == 0) {
        cw = w;
        ch = h;
        f.format = SV_PIX_FMT_YUV444P;
    } else if (strcmp(argv[4], "yuv420p") == 0) {
        f.format = SV_PIX_FMT_YUV420P;
    } else {
        fprintf(stderr, "sv-hashraw: unknown pixel format %s\n", argv[4]);
        return 2;
    }
    f.format_name = argv[4];
    f.width = w;
    f.height = h;
    f.nb_planes = 1 + chroma_planes;
    int row[3] = { w * bps, (chroma_planes == 1 ? 2 * cw : cw) * bps, cw * bps };
    int rows[3] = { h, ch, ch };
    size_t frame_size = 0, padded_size = 0;
    for (int p = 0; p < f.nb_planes; p++) {
        frame_size += (size_t)row[p] * rows[p];
        padded_size += (size_t)(row[p] + 64) * rows[p];
    }
    if (!(in = fopen(argv[1], "rb"))) {
        fprintf(stderr, "sv-hashraw: cannot open %s\n", argv[1]);
        goto fail;
    }
    if (!(packed = malloc(frame_size)) || !(padded = calloc(1, padded_size)) ||
        sv_null_video_sink_create(&sink, print_hash, NULL, 0) < 0) {
        fprintf(stderr, "sv-hashraw: out of memory\n");
        goto fail;
    }
    while (fread(packed, 1, frame_size, in) == frame_size) {
        const uint8_t *src = packed;
        uint8_t *dst = padded;
        for (int p = 0; p < f.nb_planes; p++) {
            int stride = row[p] + 64; /* padding the hash must skip */
            for (int y = 0; y < rows[p]; y++)
                memcpy(dst + (size_t)y * stride, src + (size_t)y * row[p], (size_t)row[p]);
            f.planes[p] = (sv_video_plane){ dst, stride, row[p], rows[p] };
            src += (size_t)row[p] * rows[p];
            dst += (size_t)stride * rows[p];
        }
        if (sink->present(sink->opaque, &f) < 0) {
            fprintf(stderr, "sv-hashraw: sink refused frame %llu\n",
                    (unsigned long long)f.frame_number);
            goto fail;
        }
        f.frame_number++;
    }
    ret = f.frame_number > 0 ? 0 : 1;
fail:
    if (sink)
        sink->destroy(sink);
    free(packed);
    free(padded);
    if (in)
        fclose(in);
    return ret;
}
