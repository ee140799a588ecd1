/*
 * Common Media Client Data (CTA-5004) on segment requests, as the CMCD
 * query argument (cmcd.h). Sent only when the host turns it on
 * (settings.cmcd; the scheduler asks).
 *
 * Keys, in the alphabetical order the spec recommends:
 *   br   encoded bitrate of the object's representation, kbps
 *   bl   buffer length, ms, rounded to 100 ms (media objects only)
 *   d    object duration, ms
 *   mtp  measured throughput, kbps, rounded to 100 kbps
 *   ot   object type: v video, a audio, i init segment
 *   sf   streaming format: d DASH, h HLS
 *   sid  session id: the backend session's, else one made per load
 *   su   startup: the object is needed at once (start, seek, rebuffer)
 *   tb   top bitrate of the track, kbps
 * The payload is percent-encoded into one "CMCD=" argument so proxies and
 * CDNs that log query strings keep it whole.
 *
 * Threads: any.
 */
#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "platform/thread.h"
#include "player/net/cmcd.h"

int sv__cmcd_query(const sv__cmcd_object *o, char *out, size_t cap)
{
    char payload[400], part[96];
    size_t len = 0;

    if (cap == 0)
        return 0;
    double buffer = o->buffer_s;
    sv_player_state st = o->state;
    double tput = o->throughput_bps;
    const char *sid = o->session_id ? o->session_id : "";

#define ADD(...)                                                                     \
    do {                                                                             \
        int n_ = snprintf(part, sizeof(part), __VA_ARGS__);                          \
        if (n_ > 0 && len + (size_t)n_ + 1 < sizeof(payload)) {                      \
            if (len)                                                                 \
                payload[len++] = ',';                                                \
            memcpy(payload + len, part, (size_t)n_ + 1);                             \
            len += (size_t)n_;                                                       \
        }                                                                            \
    } while (0)

    if (o->bitrate_bps > 0)
        ADD("br=%lld", (long long)llround(o->bitrate_bps / 1000.0));
    if (!o->is_init)
        ADD("bl=%lld", (long long)(llround(buffer * 10) * 100));
    if (o->duration_s > 0 && !o->is_init)
        ADD("d=%lld", (long long)llround(o->duration_s * 1000));
    if (tput > 0)
        ADD("mtp=%lld", (long long)(llround(tput / 100000.0) * 100));
    ADD("ot=%s", o->is_init ? "i" : o->type == SV_TRACK_AUDIO ? "a" : "v");
    if (o->format)
        ADD("sf=%s", o->format == 'd' ? "d" : "h");
    if (sid[0])
        ADD("sid=\"%s\"", sid);
    if (st == SV_STATE_LOADING || st == SV_STATE_BUFFERING || st == SV_STATE_SEEKING)
        ADD("su");
    if (o->top_bps > 0)
        ADD("tb=%lld", (long long)llround(o->top_bps / 1000.0));
#undef ADD

    char *enc = curl_easy_escape(NULL, payload, (int)len);
    int ret = 0;
    if (enc && (size_t)snprintf(out, cap, "CMCD=%s", enc) < cap)
        ret = 1;
    curl_free(enc);
    if (!ret)
        out[0] = '\0';
    return ret;
}

void sv__cmcd_new_session(char *sid, size_t cap, const void *salt)
{
    uint8_t b[16];
    uint64_t x = (uint64_t)sv__monotonic_ns() ^ ((uint64_t)(uintptr_t)salt << 17);

    /* A per-load id (RFC 4122 layout); it only has to tell loads apart in
     * CDN logs, so a mixed clock value does, no cryptographic RNG needed. */
    for (int i = 0; i < 16; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        b[i] = (uint8_t)(x >> 24);
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(sid, cap,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}
