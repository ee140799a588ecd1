/*
 * sv-emsg-inject - writes an emsg box (ISO/IEC 23009-1 5.10.3.3) into a
 * media segment file, after its styp (or at its start), so tests can play
 * real segments that carry timed events:
 *
 *   sv-emsg-inject FILE VERSION SCHEME VALUE TIMESCALE TIME DURATION ID MESSAGE
 *
 * VERSION 0: TIME is presentation_time_delta, 1: presentation_time (64-bit).
 * MESSAGE is written as its bytes, or decoded when it starts with "hex:".
 * The moof that follows keeps its offsets: trun data offsets count from the
 * moof (default-base-is-moof), and the box goes before it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
    return 4;
}

static size_t put_str(uint8_t *p, const char *s)
{
    size_t n = strlen(s) + 1;
    memcpy(p, s, n);
    return n;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int main(int argc, char **argv)
{
    static uint8_t box[65536], msg[16384];
    uint8_t *file = NULL;
    size_t msg_len = 0, o = 8;
    FILE *f = NULL;

    if (argc != 10) {
        fprintf(stderr, "usage: %s FILE VERSION SCHEME VALUE TIMESCALE TIME DURATION ID MESSAGE\n",
                argv[0]);
        return 2;
    }
    int version = atoi(argv[2]);
    uint32_t ts = (uint32_t)strtoul(argv[5], NULL, 10);
    uint64_t t = strtoull(argv[6], NULL, 10);
    uint32_t dur = (uint32_t)strtoul(argv[7], NULL, 10), id = (uint32_t)strtoul(argv[8], NULL, 10);
    const char *m = argv[9];
    if (!strncmp(m, "hex:", 4)) {
        for (m += 4; m[0] && m[1] && msg_len < sizeof(msg); m += 2) {
            int hi = hexval(m[0]), lo = hexval(m[1]);
            if (hi < 0 || lo < 0) {
                fprintf(stderr, "%s: MESSAGE is not hex\n", argv[0]);
                return 2;
            }
            msg[msg_len++] = (uint8_t)(hi << 4 | lo);
        }
    } else {
        msg_len = strlen(m) < sizeof(msg) ? strlen(m) : sizeof(msg);
        memcpy(msg, m, msg_len);
    }
    if (strlen(argv[3]) + strlen(argv[4]) + msg_len + 64 > sizeof(box)) {
        fprintf(stderr, "%s: the box would be too large\n", argv[0]);
        return 2;
    }
    memcpy(box + 4, "emsg", 4);
    o += put32(box + o, version == 1 ? 0x01000000u : 0);
    if (version == 1) {
        o += put32(box + o, ts);
        o += put32(box + o, (uint32_t)(t >> 32));
        o += put32(box + o, (uint32_t)t);
        o += put32(box + o, dur);
        o += put32(box + o, id);
        o += put_str(box + o, argv[3]);
        o += put_str(box + o, argv[4]);
    } else {
        o += put_str(box + o, argv[3]);
        o += put_str(box + o, argv[4]);
        o += put32(box + o, ts);
        o += put32(box + o, (uint32_t)t);
        o += put32(box + o, dur);
        o += put32(box + o, id);
    }
    memcpy(box + o, msg, msg_len);
    o += msg_len;
    put32(box, (uint32_t)o);

    if (!(f = fopen(argv[1], "rb")))
        goto io;
    if (fseek(f, 0, SEEK_END) != 0)
        goto io;
    long size = ftell(f);
    if (size < 8 || fseek(f, 0, SEEK_SET) != 0 || !(file = malloc((size_t)size)) ||
        fread(file, 1, (size_t)size, f) != (size_t)size)
        goto io;
    fclose(f);
    f = NULL;
    size_t at = 0;
    if (!memcmp(file + 4, "styp", 4)) {
        at = (size_t)file[0] << 24 | (size_t)file[1] << 16 | (size_t)file[2] << 8 | file[3];
        if (at < 8 || at > (size_t)size)
            goto io;
    }
    if (!(f = fopen(argv[1], "wb")) || fwrite(file, 1, at, f) != at || fwrite(box, 1, o, f) != o ||
        fwrite(file + at, 1, (size_t)size - at, f) != (size_t)size - at || fclose(f) != 0) {
        f = NULL;
        goto io;
    }
    free(file);
    return 0;
io:
    fprintf(stderr, "%s: cannot rewrite %s\n", argv[0], argv[1]);
    if (f)
        fclose(f);
    free(file);
    return 1;
}
