/* Fuzz target: the SCTE-35 splice_info_section reader on arbitrary bytes,
 * as given and with its CRC_32 made right (so the fuzzer gets past the
 * check into the commands and descriptors), and the HLS hex form. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libavutil/crc.h>

#include "player/manifest/scte35.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[SV_SCTE35_MAX_BYTES + 8];
    sv_scte35_info info;
    sv__parse_error err = { 0 };

    if (sv__scte35_parse(data, size, &info, &err) < 0 && !err.message[0])
        __builtin_trap();
    if (size >= 7 && size <= sizeof(buf)) {
        memcpy(buf, data, size);
        /* section_length to fit, then the CRC of what precedes it. */
        size_t len = size - 3;
        buf[1] = (uint8_t)((buf[1] & 0xf0) | ((len >> 8) & 0x0f));
        buf[2] = (uint8_t)len;
        if (len <= 0xfff) {
            uint32_t crc = av_crc(av_crc_get_table(AV_CRC_32_IEEE), UINT32_MAX, buf, size - 4);
            buf[size - 4] = (uint8_t)crc;
            buf[size - 3] = (uint8_t)(crc >> 8);
            buf[size - 2] = (uint8_t)(crc >> 16);
            buf[size - 1] = (uint8_t)(crc >> 24);
            memset(&err, 0, sizeof(err));
            if (sv__scte35_parse(buf, size, &info, &err) < 0 && !err.message[0])
                __builtin_trap();
        }
    }
    uint8_t out[64];
    (void)sv__scte35_hex((const char *)data, size, out, sizeof(out));
    return 0;
}
