/*
 * HLS playlist parser: one pass over the lines, with the state that tags
 * carry over to the next URI line (EXTINF, BYTERANGE, DISCONTINUITY, KEY,
 * MAP, STREAM-INF). Unknown tags are ignored, as RFC 8216 requires.
 *
 * Segment URI lines are hls_segment.c's (kept in pl->segments, or handed
 * one by one to the caller's function, sv__hls_parse_each); the state both
 * files share is hls_internal.h.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "player/manifest/hls_internal.h"
#include "platform/hex.h"
#include "platform/numeric.h"

/* ---- small value parsers ------------------------------------------------ */

static int parse_int64(const char *s, size_t len, int64_t *out)
{
    char buf[32];
    char *end;

    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (buf[0] == '-' || buf[0] == '+')
        return -1; /* decimal-integer is unsigned */
    errno = 0;
    long long v = strtoll(buf, &end, 10);
    if (errno || *end || v < 0)
        return -1;
    *out = v;
    return 0;
}

/* Decimal floating point; sv__hls_parse holds the C numeric locale. */
static int parse_double(const char *s, size_t len, double *out)
{
    char buf[64];
    char *end;

    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    double v = strtod(buf, &end);
    if (errno || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* 0x-prefixed 128-bit IV; shorter values are right-aligned. */
static int parse_iv(const char *s, size_t len, uint8_t iv[16])
{
    if (len < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || len - 2 > 32)
        return -1;
    memset(iv, 0, 16);
    size_t digits = len - 2;
    for (size_t i = 0; i < digits; i++) {
        int v = sv__hex_digit(s[len - 1 - i]);
        if (v < 0)
            return -1;
        iv[15 - i / 2] |= (uint8_t)(i % 2 ? v << 4 : v);
    }
    return 0;
}

static int attr_is(const sv__hls_attr *a, const char *name)
{
    return strlen(name) == a->name_len && memcmp(a->name, name, a->name_len) == 0;
}

static int value_is(const sv__hls_attr *a, const char *v)
{
    return strlen(v) == a->value_len && memcmp(a->value, v, a->value_len) == 0;
}

static const char *attr_str(sv__hls_parser *p, const sv__hls_attr *a)
{
    return sv__arena_strndup(p->arena, a->value, a->value_len);
}

/* ---- tags -------------------------------------------------------------- */

static int split(sv__hls_parser *p, const char *v, size_t len, sv__hls_attr *attrs, const char *tag)
{
    int n = sv__hls_attrs_split(v, len, attrs, SV_HLS_MAX_ATTRS);
    if (n < 0)
        return FAIL("%s: malformed attribute list", tag);
    return n;
}

static int parse_key(sv__hls_parser *p, const char *v, size_t len, sv__hls_key *k, const char *tag)
{
    sv__hls_attr attrs[SV_HLS_MAX_ATTRS];
    int n = split(p, v, len, attrs, tag), have_method = 0;

    if (n < 0)
        return n;
    k->keyformat = "identity";
    for (int i = 0; i < n; i++) {
        const sv__hls_attr *a = &attrs[i];
        if (attr_is(a, "METHOD")) {
            have_method = 1;
            if (value_is(a, "NONE"))
                k->method = SV_HLS_KEY_NONE;
            else if (value_is(a, "AES-128"))
                k->method = SV_HLS_KEY_AES128;
            else if (value_is(a, "SAMPLE-AES"))
                k->method = SV_HLS_KEY_SAMPLE_AES;
            else if (value_is(a, "SAMPLE-AES-CTR"))
                k->method = SV_HLS_KEY_SAMPLE_AES_CTR;
            else
                return FAIL("%s: unknown METHOD %.*s", tag, (int)a->value_len, a->value);
        } else if (attr_is(a, "URI")) {
            if (!(k->uri = sv__hls_resolve(p, a->value, a->value_len)))
                return FAIL("%s: bad URI", tag);
        } else if (attr_is(a, "IV")) {
            if (parse_iv(a->value, a->value_len, k->iv) < 0)
                return FAIL("%s: IV must be a hexadecimal 0x... value of up to 128 bits", tag);
            k->has_iv = 1;
        } else if (attr_is(a, "KEYFORMAT")) {
            k->keyformat = attr_str(p, a);
        } else if (attr_is(a, "KEYFORMATVERSIONS")) {
            k->keyformatversions = attr_str(p, a);
        }
    }
    if (!have_method)
        return FAIL("%s without METHOD", tag);
    if (k->method != SV_HLS_KEY_NONE && !k->uri)
        return FAIL("%s: METHOD other than NONE needs a URI", tag);
    return 0;
}

/* "<n>[@<o>]" of EXT-X-BYTERANGE and the BYTERANGE attribute of EXT-X-MAP. */
static int parse_byterange(const char *v, size_t len, int64_t *length, int64_t *offset)
{
    const char *at = memchr(v, '@', len);
    size_t nlen = at ? (size_t)(at - v) : len;

    if (parse_int64(v, nlen, length) < 0)
        return -1;
    *offset = -1;
    if (at && parse_int64(at + 1, len - nlen - 1, offset) < 0)
        return -1;
    return 0;
}

/* kind: 0 EXT-X-STREAM-INF, 1 EXT-X-I-FRAME-STREAM-INF, 2 EXT-X-IMAGE-STREAM-INF
 * (the Image Media Playlist specification: thumbnails, never played). */
static int tag_stream_inf(sv__hls_parser *p, const char *v, size_t len, int kind)
{
    const char *tag = kind == 2 ? "EXT-X-IMAGE-STREAM-INF"
                      : kind ? "EXT-X-I-FRAME-STREAM-INF" : "EXT-X-STREAM-INF";
    int iframe = kind != 0;
    sv__hls_attr attrs[SV_HLS_MAX_ATTRS];
    sv__hls_playlist *pl = p->pl;
    int n = split(p, v, len, attrs, tag), have_bw = 0;

    if (n < 0)
        return n;
    sv__hls_variant *var = APPEND(p, pl->variants, pl->nb_variants, p->cap_variants, SV_HLS_MAX_VARIANTS);
    if (!var)
        return pl->nb_variants >= SV_HLS_MAX_VARIANTS ? FAIL("too many variants") : SV_ERR_NOMEM;
    var->codecs = "";
    var->pathway_id = ".";
    var->iframe_only = iframe;
    var->image_only = kind == 2;
    for (int i = 0; i < n; i++) {
        const sv__hls_attr *a = &attrs[i];
        if (attr_is(a, "BANDWIDTH")) {
            if (parse_int64(a->value, a->value_len, &var->bandwidth) < 0)
                return FAIL("%s: BANDWIDTH is not a decimal integer", tag);
            have_bw = 1;
        } else if (attr_is(a, "AVERAGE-BANDWIDTH")) {
            if (parse_int64(a->value, a->value_len, &var->average_bandwidth) < 0)
                return FAIL("%s: AVERAGE-BANDWIDTH is not a decimal integer", tag);
        } else if (attr_is(a, "RESOLUTION")) {
            const char *x = memchr(a->value, 'x', a->value_len);
            int64_t w, h;
            if (!x || parse_int64(a->value, (size_t)(x - a->value), &w) < 0 ||
                parse_int64(x + 1, a->value_len - (size_t)(x - a->value) - 1, &h) < 0 ||
                w > 65535 || h > 65535)
                return FAIL("%s: RESOLUTION must be WIDTHxHEIGHT", tag);
            var->width = (int)w;
            var->height = (int)h;
        } else if (attr_is(a, "FRAME-RATE")) {
            if (parse_double(a->value, a->value_len, &var->frame_rate) < 0 || var->frame_rate < 0)
                return FAIL("%s: bad FRAME-RATE", tag);
        } else if (attr_is(a, "CODECS")) {
            var->codecs = attr_str(p, a);
        } else if (attr_is(a, "AUDIO")) {
            var->audio = attr_str(p, a);
        } else if (attr_is(a, "VIDEO")) {
            var->video = attr_str(p, a);
        } else if (attr_is(a, "SUBTITLES")) {
            var->subtitles = attr_str(p, a);
        } else if (attr_is(a, "CLOSED-CAPTIONS") && a->quoted) {
            var->closed_captions = attr_str(p, a);
        } else if (attr_is(a, "PATHWAY-ID")) {
            var->pathway_id = attr_str(p, a);
        } else if (attr_is(a, "STABLE-VARIANT-ID")) {
            var->stable_id = attr_str(p, a);
        } else if (attr_is(a, "URI") && iframe) {
            if (!(var->uri = sv__hls_resolve(p, a->value, a->value_len)))
                return FAIL("%s: bad URI", tag);
        }
    }
    if (!have_bw)
        return FAIL("%s without BANDWIDTH", tag);
    if (iframe) {
        if (!var->uri)
            return FAIL("%s without URI", tag);
    } else {
        p->pending_variant = (int)(pl->nb_variants - 1);
    }
    p->saw_master_tag = 1;
    return 0;
}

/* EXT-X-TILES:RESOLUTION=WxH,LAYOUT=CxR,DURATION=D: the grid of an image
 * playlist's next segment and one thumbnail's duration; the first ones are
 * kept. */
static int tag_tiles(sv__hls_parser *p, const char *v, size_t len)
{
    sv__hls_attr attrs[SV_HLS_MAX_ATTRS];
    int n = split(p, v, len, attrs, "EXT-X-TILES");

    if (n < 0)
        return n;
    for (int i = 0; i < n; i++) {
        const sv__hls_attr *a = &attrs[i];
        if (attr_is(a, "DURATION")) {
            double d;
            if (parse_double(a->value, a->value_len, &d) < 0 || !(d > 0) || d > 86400)
                return FAIL("EXT-X-TILES: DURATION must be seconds above 0");
            if (!p->pl->tiles_duration)
                p->pl->tiles_duration = d;
            continue;
        }
        if (!attr_is(a, "LAYOUT"))
            continue;
        const char *x = memchr(a->value, 'x', a->value_len);
        int64_t c, r;
        if (!x || parse_int64(a->value, (size_t)(x - a->value), &c) < 0 ||
            parse_int64(x + 1, a->value_len - (size_t)(x - a->value) - 1, &r) < 0 || c < 1 ||
            r < 1 || c > 100 || r > 100)
            return FAIL("EXT-X-TILES: LAYOUT must be COLUMNSxROWS, each 1 to 100");
        if (!p->pl->tiles_cols) {
            p->pl->tiles_cols = (int)c;
            p->pl->tiles_rows = (int)r;
        }
    }
    return 0;
}

static int tag_media(sv__hls_parser *p, const char *v, size_t len)
{
    sv__hls_attr attrs[SV_HLS_MAX_ATTRS];
    sv__hls_playlist *pl = p->pl;
    int n = split(p, v, len, attrs, "EXT-X-MEDIA"), have_type = 0;

    if (n < 0)
        return n;
    sv__hls_rendition *r = APPEND(p, pl->renditions, pl->nb_renditions, p->cap_renditions,
                                  SV_HLS_MAX_VARIANTS);
    if (!r)
        return pl->nb_renditions >= SV_HLS_MAX_VARIANTS ? FAIL("too many renditions") : SV_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        const sv__hls_attr *a = &attrs[i];
        if (attr_is(a, "TYPE")) {
            have_type = 1;
            if (value_is(a, "AUDIO"))
                r->type = SV_HLS_AUDIO;
            else if (value_is(a, "VIDEO"))
                r->type = SV_HLS_VIDEO;
            else if (value_is(a, "SUBTITLES"))
                r->type = SV_HLS_SUBTITLES;
            else if (value_is(a, "CLOSED-CAPTIONS"))
                r->type = SV_HLS_CLOSED_CAPTIONS;
            else
                return FAIL("EXT-X-MEDIA: unknown TYPE %.*s", (int)a->value_len, a->value);
        } else if (attr_is(a, "GROUP-ID")) {
            r->group_id = attr_str(p, a);
        } else if (attr_is(a, "NAME")) {
            r->name = attr_str(p, a);
        } else if (attr_is(a, "URI")) {
            if (!(r->uri = sv__hls_resolve(p, a->value, a->value_len)))
                return FAIL("EXT-X-MEDIA: bad URI");
        } else if (attr_is(a, "LANGUAGE")) {
            r->language = attr_str(p, a);
        } else if (attr_is(a, "ASSOC-LANGUAGE")) {
            r->assoc_language = attr_str(p, a);
        } else if (attr_is(a, "CHANNELS")) {
            r->channels = attr_str(p, a);
        } else if (attr_is(a, "INSTREAM-ID")) {
            r->instream_id = attr_str(p, a);
        } else if (attr_is(a, "CHARACTERISTICS")) {
            r->characteristics = attr_str(p, a);
        } else if (attr_is(a, "DEFAULT")) {
            r->is_default = value_is(a, "YES");
        } else if (attr_is(a, "AUTOSELECT")) {
            r->autoselect = value_is(a, "YES");
        } else if (attr_is(a, "FORCED")) {
            r->forced = value_is(a, "YES");
        }
    }
    if (!have_type || !r->group_id || !r->name)
        return FAIL("EXT-X-MEDIA needs TYPE, GROUP-ID and NAME");
    if (r->type == SV_HLS_CLOSED_CAPTIONS && r->uri)
        return FAIL("EXT-X-MEDIA: CLOSED-CAPTIONS must not have a URI");
    if (r->type == SV_HLS_SUBTITLES && !r->uri)
        return FAIL("EXT-X-MEDIA: SUBTITLES needs a URI");
    p->saw_master_tag = 1;
    return 0;
}

static int tag_map(sv__hls_parser *p, const char *v, size_t len)
{
    sv__hls_attr attrs[SV_HLS_MAX_ATTRS];
    sv__hls_playlist *pl = p->pl;
    int n = split(p, v, len, attrs, "EXT-X-MAP");

    if (n < 0)
        return n;
    sv__hls_map *m = APPEND(p, pl->maps, pl->nb_maps, p->cap_maps, SV_HLS_MAX_KEYS);
    if (!m)
        return pl->nb_maps >= SV_HLS_MAX_KEYS ? FAIL("too many EXT-X-MAP tags") : SV_ERR_NOMEM;
    m->length = -1;
    for (int i = 0; i < n; i++) {
        const sv__hls_attr *a = &attrs[i];
        if (attr_is(a, "URI")) {
            if (!(m->uri = sv__hls_resolve(p, a->value, a->value_len)))
                return FAIL("EXT-X-MAP: bad URI");
        } else if (attr_is(a, "BYTERANGE")) {
            if (parse_byterange(a->value, a->value_len, &m->length, &m->offset) < 0)
                return FAIL("EXT-X-MAP: BYTERANGE must be <length>[@<offset>]");
            if (m->offset < 0)
                m->offset = 0; /* the spec's default for a map */
        }
    }
    if (!m->uri)
        return FAIL("EXT-X-MAP without URI");
    p->cur_map = (int)(pl->nb_maps - 1);
    p->saw_media_tag = 1;
    return 0;
}

static int tag_key(sv__hls_parser *p, const char *v, size_t len, int session)
{
    sv__hls_playlist *pl = p->pl;
    sv__hls_key k;
    int ret;

    memset(&k, 0, sizeof(k));
    if ((ret = parse_key(p, v, len, &k, session ? "EXT-X-SESSION-KEY" : "EXT-X-KEY")) < 0)
        return ret;
    if (session) {
        if (k.method == SV_HLS_KEY_NONE)
            return FAIL("EXT-X-SESSION-KEY: METHOD must not be NONE");
        sv__hls_key *s = APPEND(p, pl->session_keys, pl->nb_session_keys, p->cap_session_keys,
                                SV_HLS_MAX_KEYS);
        if (!s)
            return SV_ERR_NOMEM;
        *s = k;
        p->saw_master_tag = 1;
        return 0;
    }
    p->saw_media_tag = 1;
    if (k.method == SV_HLS_KEY_NONE) {
        p->cur_key = -1;
        return 0;
    }
    sv__hls_key *dst = APPEND(p, pl->keys, pl->nb_keys, p->cap_keys, SV_HLS_MAX_KEYS);
    if (!dst)
        return pl->nb_keys >= SV_HLS_MAX_KEYS ? FAIL("too many EXT-X-KEY tags") : SV_ERR_NOMEM;
    *dst = k;
    p->cur_key = (int)(pl->nb_keys - 1);
    return 0;
}

static int tag_extinf(sv__hls_parser *p, const char *v, size_t len)
{
    const char *comma = memchr(v, ',', len);
    size_t dlen = comma ? (size_t)(comma - v) : len;

    if (parse_double(v, dlen, &p->inf_duration) < 0 || p->inf_duration < 0)
        return FAIL("EXTINF: duration must be a non-negative number");
    p->inf_title = comma ? comma + 1 : "";
    p->inf_title_len = comma ? len - dlen - 1 : 0;
    p->have_inf = 1;
    p->saw_media_tag = 1;
    return 0;
}

static int tag_start(sv__hls_parser *p, const char *v, size_t len)
{
    sv__hls_attr attrs[SV_HLS_MAX_ATTRS];
    int n = split(p, v, len, attrs, "EXT-X-START");

    if (n < 0)
        return n;
    for (int i = 0; i < n; i++) {
        if (attr_is(&attrs[i], "TIME-OFFSET")) {
            /* Signed: negative offsets count from the end. */
            if (parse_double(attrs[i].value, attrs[i].value_len, &p->pl->start_offset) < 0)
                return FAIL("EXT-X-START: bad TIME-OFFSET");
            p->pl->has_start_offset = 1;
        } else if (attr_is(&attrs[i], "PRECISE")) {
            p->pl->start_precise = value_is(&attrs[i], "YES");
        }
    }
    if (!p->pl->has_start_offset)
        return FAIL("EXT-X-START without TIME-OFFSET");
    return 0;
}

static int tag_steering(sv__hls_parser *p, const char *v, size_t len)
{
    sv__hls_attr attrs[SV_HLS_MAX_ATTRS];
    int n = split(p, v, len, attrs, "EXT-X-CONTENT-STEERING");

    if (n < 0)
        return n;
    for (int i = 0; i < n; i++) {
        if (attr_is(&attrs[i], "SERVER-URI")) {
            if (!(p->pl->steering_uri = sv__hls_resolve(p, attrs[i].value, attrs[i].value_len)))
                return FAIL("EXT-X-CONTENT-STEERING: bad SERVER-URI");
        } else if (attr_is(&attrs[i], "PATHWAY-ID")) {
            p->pl->steering_pathway = attr_str(p, &attrs[i]);
        }
    }
    if (!p->pl->steering_uri)
        return FAIL("EXT-X-CONTENT-STEERING without SERVER-URI");
    p->saw_master_tag = 1;
    return 0;
}

/* Parses a decimal-integer tag value into *out. */
static int tag_int(sv__hls_parser *p, const char *v, size_t len, int64_t *out, const char *tag)
{
    if (parse_int64(v, len, out) < 0)
        return FAIL("%s: not a decimal integer", tag);
    return 0;
}

static int handle_tag(sv__hls_parser *p, const char *line, size_t len)
{
    const char *colon = memchr(line, ':', len);
    size_t nlen = colon ? (size_t)(colon - line) : len;
    const char *v = colon ? colon + 1 : line + len;
    size_t vlen = colon ? len - nlen - 1 : 0;
    sv__hls_playlist *pl = p->pl;
    int64_t iv;
    int ret = 0;

#define IS(name) (nlen == sizeof(name) - 1 && memcmp(line, name, nlen) == 0)
    if (IS("#EXTINF")) {
        ret = tag_extinf(p, v, vlen);
    } else if (IS("#EXT-X-BYTERANGE")) {
        if (parse_byterange(v, vlen, &p->range_len, &p->range_off) < 0)
            return FAIL("EXT-X-BYTERANGE must be <length>[@<offset>]");
        p->have_range = 1;
        p->saw_media_tag = 1;
    } else if (IS("#EXT-X-TARGETDURATION")) {
        if ((ret = tag_int(p, v, vlen, &iv, "EXT-X-TARGETDURATION")) == 0)
            pl->target_duration = (double)iv;
        p->saw_media_tag = 1;
    } else if (IS("#EXT-X-MEDIA-SEQUENCE")) {
        if (p->sequence_started)
            return FAIL("EXT-X-MEDIA-SEQUENCE after the first segment");
        if ((ret = tag_int(p, v, vlen, &pl->media_sequence, "EXT-X-MEDIA-SEQUENCE")) == 0)
            p->next_sequence = pl->media_sequence;
    } else if (IS("#EXT-X-DISCONTINUITY-SEQUENCE")) {
        if (p->sequence_started)
            return FAIL("EXT-X-DISCONTINUITY-SEQUENCE after the first segment");
        if ((ret = tag_int(p, v, vlen, &pl->discontinuity_sequence,
                           "EXT-X-DISCONTINUITY-SEQUENCE")) == 0)
            p->disc_sequence = pl->discontinuity_sequence;
    } else if (IS("#EXT-X-DISCONTINUITY")) {
        p->discontinuity = 1;
    } else if (IS("#EXT-X-GAP")) {
        p->gap = 1;
    } else if (IS("#EXT-X-ENDLIST")) {
        pl->endlist = 1;
        p->saw_media_tag = 1;
    } else if (IS("#EXT-X-PLAYLIST-TYPE")) {
        if (vlen == 3 && memcmp(v, "VOD", 3) == 0)
            pl->type = SV_HLS_TYPE_VOD;
        else if (vlen == 5 && memcmp(v, "EVENT", 5) == 0)
            pl->type = SV_HLS_TYPE_EVENT;
        else
            return FAIL("EXT-X-PLAYLIST-TYPE must be VOD or EVENT");
    } else if (IS("#EXT-X-I-FRAMES-ONLY")) {
        pl->iframes_only = 1;
    } else if (IS("#EXT-X-KEY")) {
        ret = tag_key(p, v, vlen, 0);
    } else if (IS("#EXT-X-SESSION-KEY")) {
        ret = tag_key(p, v, vlen, 1);
    } else if (IS("#EXT-X-MAP")) {
        ret = tag_map(p, v, vlen);
    } else if (IS("#EXT-X-DATERANGE")) {
        ret = sv__hls_daterange_tag(p, v, vlen);
    } else if (IS("#EXT-X-PROGRAM-DATE-TIME")) {
        p->pdt = v;
        p->pdt_len = vlen;
    } else if (IS("#EXT-X-STREAM-INF")) {
        if (p->pending_variant >= 0)
            return FAIL("EXT-X-STREAM-INF not followed by a URI");
        ret = tag_stream_inf(p, v, vlen, 0);
    } else if (IS("#EXT-X-I-FRAME-STREAM-INF")) {
        ret = tag_stream_inf(p, v, vlen, 1);
    } else if (IS("#EXT-X-IMAGE-STREAM-INF")) {
        ret = tag_stream_inf(p, v, vlen, 2);
    } else if (IS("#EXT-X-TILES")) {
        ret = tag_tiles(p, v, vlen);
    } else if (IS("#EXT-X-MEDIA")) {
        ret = tag_media(p, v, vlen);
    } else if (IS("#EXT-X-CONTENT-STEERING")) {
        ret = tag_steering(p, v, vlen);
    } else if (IS("#EXT-X-INDEPENDENT-SEGMENTS")) {
        pl->independent_segments = 1;
    } else if (IS("#EXT-X-START")) {
        ret = tag_start(p, v, vlen);
    } else if (IS("#EXT-X-VERSION")) {
        if ((ret = tag_int(p, v, vlen, &iv, "EXT-X-VERSION")) == 0) {
            if (iv < 1 || iv > 100)
                return FAIL("EXT-X-VERSION %lld is not a protocol version", (long long)iv);
            pl->version = (int)iv;
        }
    } else if ((ret = sv__hls_ll_tag(p, line, nlen, v, vlen)) > 0) {
        ret = 0; /* not a low-latency tag either */
    }
    /* Any other line starting with '#' is a comment or a tag we do not use. */
#undef IS
    return ret;
}

/* ---- driver ------------------------------------------------------------ */

static int parse_lines(sv__hls_parser *p, const char *text, size_t size)
{
    size_t pos = 0;
    int ret;

    /* A UTF-8 byte order mark is tolerated before #EXTM3U. */
    if (size >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < size) {
        const char *line = text + pos;
        const char *nl = memchr(line, '\n', size - pos);
        size_t len = nl ? (size_t)(nl - line) : size - pos;
        pos += len + (nl ? 1 : 0);
        p->line++;
        if (len && line[len - 1] == '\r')
            len--;
        if (memchr(line, '\0', len))
            return FAIL("NUL byte in playlist");
        /* Leading and trailing blanks do not belong to a URI or tag. */
        while (len && (line[len - 1] == ' ' || line[len - 1] == '\t'))
            len--;
        while (len && (line[0] == ' ' || line[0] == '\t')) {
            line++;
            len--;
        }
        if (p->line == 1) {
            if (len != 7 || memcmp(line, "#EXTM3U", 7) != 0)
                return FAIL("not an HLS playlist: the first line must be #EXTM3U");
            continue;
        }
        if (len == 0)
            continue;
        if (line[0] == '#') {
            if (len >= 4 && memcmp(line, "#EXT", 4) == 0 && (ret = handle_tag(p, line, len)) < 0)
                return ret;
        } else if ((ret = sv__hls_uri_line(p, line, len)) < 0) {
            return ret;
        }
    }
    if (p->line == 0)
        return FAIL("empty playlist");
    if (p->pending_variant >= 0)
        return FAIL("EXT-X-STREAM-INF at the end without a URI");
    if (p->saw_master_tag && p->saw_media_tag)
        return sv__parse_fail(p->err, 0, "playlist mixes master and media playlist tags");
    p->pl->is_master = p->saw_master_tag;
    if (!p->pl->is_master && p->pl->target_duration <= 0)
        return sv__parse_fail(p->err, 0, "media playlist without EXT-X-TARGETDURATION");
    return sv__hls_daterange_finish(p);
}

int sv__hls_parse(const char *text, size_t size, const char *url, const sv_allocator *alloc,
                  sv__hls_playlist **out, sv__parse_error *err)
{
    return sv__hls_parse_each(text, size, url, alloc, NULL, NULL, out, err);
}

int sv__hls_parse_each(const char *text, size_t size, const char *url, const sv_allocator *alloc,
                       sv__hls_segment_fn fn, void *opaque, sv__hls_playlist **out,
                       sv__parse_error *err)
{
    sv__parse_error local_err;
    sv__hls_parser p;
    sv__arena *arena;
    sv__c_numeric numeric;
    int ret;

    if (!err)
        err = &local_err;
    memset(err, 0, sizeof(*err));
    if (!text || !out || !url)
        return SV_ERR_INVALID;
    if (size > SV_HLS_MAX_BYTES) {
        sv__parse_fail(err, 0, "the playlist is %zu bytes, over the limit of %d MiB", size,
                       SV_HLS_MAX_BYTES >> 20);
        return SV_ERR_OVERFLOW;
    }
    if (!(arena = sv__arena_create(alloc)))
        return SV_ERR_NOMEM;
    memset(&p, 0, sizeof(p));
    p.arena = arena;
    p.alloc = alloc;
    p.each = fn;
    p.each_opaque = opaque;
    p.err = err;
    p.pending_variant = -1;
    p.cur_key = -1;
    p.cur_map = -1;
    ret = SV_ERR_NOMEM;
    if (!(p.pl = sv__arena_alloc(arena, sizeof(*p.pl))) || !(p.url = sv__arena_strdup(arena, url)))
        goto fail;
    p.pl->arena = arena;
    p.pl->version = 1;
    p.pl->hold_back = p.pl->part_hold_back = p.pl->can_skip_until = -1;

    sv__c_numeric_enter(&numeric);
    ret = parse_lines(&p, text, size);
    sv__c_numeric_leave(&numeric);
    if (ret < 0)
        goto fail;
    p.pl->tail_discontinuity = p.discontinuity;
    p.pl->tail_discontinuity_sequence = p.disc_sequence + (p.discontinuity ? 1 : 0);
    p.pl->tail_map = p.cur_map;
    p.pl->tail_key = p.cur_key;
    if (p.pdt && !(p.pl->tail_program_date_time = sv__arena_strndup(arena, p.pdt, p.pdt_len))) {
        ret = SV_ERR_NOMEM;
        goto fail;
    }
    sv__hls_scratch_free(&p);
    *out = p.pl;
    return 0;

fail:
    sv__hls_scratch_free(&p);
    sv__arena_destroy(arena);
    return ret;
}

void sv__hls_playlist_free(sv__hls_playlist *pl)
{
    if (pl)
        sv__arena_destroy(pl->arena);
}
