/*
 * breaks_manifest.c - ad breaks into manifests (breaks.h): the SCTE-35
 * splice_insert of a break, and the HLS rewrite (DASH: breaks_dash.c).
 * Pure: no I/O.
 */
#define _GNU_SOURCE /* strptime, timegm */
#include <libavutil/crc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend/breaks.h"

/* Presentation time 0 of a title, as the HLS playlists date it. */
#define ORIGIN_UNIX 946684800 /* 2000-01-01T00:00:00Z */
#define ORIGIN_PDT "#EXT-X-PROGRAM-DATE-TIME:2000-01-01T00:00:00.000Z"
#define TAG_PREFIX "#EXT-X-DATERANGE:ID=\"sv-break-"

static uint64_t ticks(double s)
{
    return (uint64_t)llround(s * 90000.0) & ((UINT64_C(1) << 33) - 1);
}

/* 40 bits: a marker bit, 6 reserved, 33 of time (splice_time with
 * time_specified_flag, break_duration with auto_return). */
static size_t put_time40(uint8_t *p, uint64_t t)
{
    p[0] = (uint8_t)(0xFE | (t >> 32));
    p[1] = (uint8_t)(t >> 24);
    p[2] = (uint8_t)(t >> 16);
    p[3] = (uint8_t)(t >> 8);
    p[4] = (uint8_t)t;
    return 5;
}

size_t sv__break_scte35(const sv__ad_break *b, uint8_t *out, size_t cap)
{
    size_t o = 0;
    uint32_t id = (uint32_t)b->id;

    if (cap < 64)
        return 0;
    out[o++] = 0xFC;                 /* table_id */
    o += 2;                          /* section_length, below */
    out[o++] = 0;                    /* protocol_version */
    memset(out + o, 0, 5);           /* not encrypted, pts_adjustment 0 */
    out[o] = 0x7E;                   /* encryption_algorithm 0x3f (unused) */
    o += 5;
    out[o++] = 0xFF;                 /* cw_index */
    out[o++] = 0xFF;                 /* tier 0xfff, splice_command_length 20 */
    out[o++] = 0xF0;
    out[o++] = 20;
    out[o++] = 0x05;                 /* splice_insert */
    out[o++] = (uint8_t)(id >> 24);
    out[o++] = (uint8_t)(id >> 16);
    out[o++] = (uint8_t)(id >> 8);
    out[o++] = (uint8_t)id;
    out[o++] = 0x7F;                 /* not cancelled */
    out[o++] = 0xEF;                 /* out of network, program splice, duration, not immediate */
    o += put_time40(out + o, ticks(b->at_s));
    o += put_time40(out + o, ticks(b->duration_s)); /* auto_return */
    out[o++] = (uint8_t)(b->title_id >> 8); /* unique_program_id */
    out[o++] = (uint8_t)b->title_id;
    out[o++] = 0;                    /* avail_num, avails_expected */
    out[o++] = 0;
    out[o++] = 0;                    /* descriptor_loop_length */
    out[o++] = 0;
    size_t total = o + 4;
    out[1] = (uint8_t)(0x30 | ((total - 3) >> 8));
    out[2] = (uint8_t)(total - 3);
    /* libavutil's table gives the MPEG-2 CRC byte-swapped (its mpegts
     * muxer writes it the same way). */
    uint32_t crc = av_crc(av_crc_get_table(AV_CRC_32_IEEE), UINT32_MAX, out, o);
    out[o++] = (uint8_t)crc;
    out[o++] = (uint8_t)(crc >> 8);
    out[o++] = (uint8_t)(crc >> 16);
    out[o++] = (uint8_t)(crc >> 24);
    return o;
}

/* A growing text. */
typedef struct text {
    char *p;
    size_t n, cap;
    int err;
} text;

static void add(text *t, const char *s, size_t n)
{
    if (t->err)
        return;
    if (t->n + n + 1 > t->cap) {
        size_t cap = (t->n + n + 1) * 2;
        char *p = realloc(t->p, cap);
        if (!p) {
            t->err = 1;
            return;
        }
        t->p = p;
        t->cap = cap;
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = '\0';
}

static void add_str(text *t, const char *s)
{
    add(t, s, strlen(s));
}

/* The date `at_s` after `origin` (seconds since 1970), as ISO 8601 UTC. */
static void date_of(double origin, double at_s, char *buf, size_t cap)
{
    double t = origin + at_s, whole = floor(t);
    int ms = (int)llround((t - whole) * 1000);
    if (ms == 1000) {
        whole += 1;
        ms = 0;
    }
    time_t secs = (time_t)whole;
    struct tm tm;
    char day[32];
    gmtime_r(&secs, &tm);
    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf, cap, "%s.%03dZ", day, ms);
}

/* "YYYY-MM-DDTHH:MM:SS[.fff](Z|+hh:mm|-hh:mm)" -> seconds since 1970, or
 * -1. */
static double parse_date(const char *s, size_t len)
{
    char buf[64], *end;
    struct tm tm;
    double frac = 0;
    if (len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    memset(&tm, 0, sizeof(tm));
    if (!(end = strptime(buf, "%Y-%m-%dT%H:%M:%S", &tm)))
        return -1;
    if (*end == '.') {
        char *f = end;
        frac = strtod(f, &end);
    }
    double t = (double)timegm(&tm) + frac;
    if ((*end == '+' || *end == '-') && strlen(end) == 6 && end[3] == ':') {
        int sign = *end == '-' ? -1 : 1;
        t -= sign * (atoi(end + 1) * 3600 + atoi(end + 4) * 60);
    } else if (strcmp(end, "Z") && *end) {
        return -1;
    }
    return t;
}

static void daterange(text *t, double origin, const sv__ad_break *b, const char *ads_uri)
{
    uint8_t sec[64];
    char line[1024], date[48], hex[2 * sizeof(sec) + 1], asset[512] = "";
    size_t n = sv__break_scte35(b, sec, sizeof(sec));
    for (size_t i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02X", sec[i]);
    date_of(origin, b->at_s, date, sizeof(date));
    /* An interstitial: the asset's master through the title's link to it,
     * the title going on where it stopped, neither skipped nor jumped. */
    if (b->asset_title_id > 0)
        snprintf(asset, sizeof(asset),
                 ",X-ASSET-URI=\"%.400s%lld/master.m3u8\","
                 "X-RESUME-OFFSET=0,X-RESTRICT=\"SKIP,JUMP\"",
                 ads_uri, (long long)b->asset_title_id);
    snprintf(line, sizeof(line),
             TAG_PREFIX "%lld\",CLASS=\"%s\",START-DATE=\"%s\",DURATION=%.3f,"
             "PLANNED-DURATION=%.3f%s,SCTE35-OUT=0x%s\n",
             (long long)b->id, b->cls, date, b->duration_s, b->duration_s, asset, hex);
    add_str(t, line);
}

char *sv__breaks_hls(const char *src, size_t len, const sv__ad_break *b, int n,
                     const char *ads_uri, size_t *out_len)
{
    text t = { 0 };
    double origin = ORIGIN_UNIX;
    int own_pdt = 0, placed = 0;

    if (len < 7 || memcmp(src, "#EXTM3U", 7))
        return NULL;
    /* A playlist with dates of its own (a live event kept as a title) gets
     * no date of ours: the tags count from its first date, which is the
     * first segment's, the title's start. */
    for (const char *p = src, *end = src + len; p < end && !own_pdt;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (l > 25 && !memcmp(p, "#EXT-X-PROGRAM-DATE-TIME:", 25) &&
            !(l == strlen(ORIGIN_PDT) && !memcmp(p, ORIGIN_PDT, l))) {
            own_pdt = 1;
            if ((origin = parse_date(p + 25, l - 25)) < 0)
                return NULL;
        }
        p = nl ? nl + 1 : end;
    }
    for (const char *p = src, *end = src + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t l = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
        size_t body = nl ? l - 1 : l;
        int ours = (body >= strlen(TAG_PREFIX) && !memcmp(p, TAG_PREFIX, strlen(TAG_PREFIX))) ||
                   (body == strlen(ORIGIN_PDT) && !memcmp(p, ORIGIN_PDT, body));
        /* Before the first segment: the date, then the tags. */
        if (!placed && body >= 8 && !memcmp(p, "#EXTINF:", 8)) {
            placed = 1;
            if (n > 0 && !own_pdt)
                add_str(&t, ORIGIN_PDT "\n");
            for (int i = 0; i < n; i++)
                daterange(&t, origin, &b[i], ads_uri);
        }
        if (!ours)
            add(&t, p, l);
        p += l;
    }
    if (t.err || !placed) {
        free(t.p);
        return NULL;
    }
    *out_len = t.n;
    return t.p;
}
