/* Fuzz target: a key frame decoded from its bytes (player/output/
 * thumbs_keyframe.c, the thumbnails of an I-frame track). The input is an
 * init segment and an I-frame entry: its first 4 bytes (big-endian) say how
 * many of the rest are the init; without them it is all entry (MPEG-TS). */
#include <stddef.h>
#include <stdint.h>

#include <libavutil/frame.h>

#include "player/output/output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    AVFrame *f = av_frame_alloc();
    if (!f)
        return 0;
    size_t init = 0;
    if (size >= 4) {
        init = (size_t)data[0] << 24 | (size_t)data[1] << 16 | (size_t)data[2] << 8 | data[3];
        data += 4;
        size -= 4;
        if (init > size)
            init = size;
    }
    if (sv__keyframe_decode(init ? data : NULL, init, data + init, size - init, f) == 0) {
        volatile int sum = f->width + f->height + (f->data[0] ? f->data[0][0] : 0);
        (void)sum;
    }
    av_frame_free(&f);
    return 0;
}
