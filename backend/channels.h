/*
 * Live channels in the catalog (docs/live.md): a channel is a name, a
 * secret stream key, the two ports its publishers connect to (SRT and
 * RTMP, one listener each per channel: libavformat's listeners do not tell
 * which stream id or stream name a caller asked for, so the port names the
 * channel and the key is checked as the SRT passphrase and the RTMP stream
 * name), a state and its settings (JSON: DVR window, part and segment
 * durations, ladder). Rows live in both back ends (catalog_sqlite_channels.c,
 * catalog_pg_channels.c); schema: SQLite 8, PostgreSQL 4.
 *
 * Threads: as every catalog call, on the thread that owns the handle.
 */
#ifndef SV_BACKEND_CHANNELS_H
#define SV_BACKEND_CHANNELS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "backend/catalog.h"

enum sv__channel_state { SV__CHANNEL_IDLE = 0, SV__CHANNEL_LIVE, SV__CHANNEL_ENDED,
                         SV__CHANNEL_NB };

#define SV__CHANNEL_NAME_MAX 48   /* [a-z0-9_-], 1..48: a folder and URL segment */
#define SV__CHANNEL_KEY_LEN 32    /* hex characters of the stream key (16 random bytes) */
#define SV__CHANNEL_MAX 64        /* channels a catalog holds */

typedef struct sv__channel {
    int64_t id;
    char name[SV__CHANNEL_NAME_MAX + 1];
    char key[SV__CHANNEL_KEY_LEN + 1]; /* the secret; never logged, never in the API */
    int srt_port, rtmp_port;
    int state;                         /* enum sv__channel_state */
    char settings[512];                /* JSON object (sv__channel_settings) */
    int64_t created;
    int64_t title_id;                  /* the VOD title an ended event became; 0: none */
} sv__channel;

/* The first port pair new channels get when none is named (SRT, RTMP). */
#define SV__CHANNEL_PORT_BASE 9000

/* A channel's settings (its settings JSON; absent keys take the defaults). */
typedef struct sv__channel_settings {
    double dvr_s;            /* time-shift window kept on disk and listed; default 300 */
    double segment_s;        /* segment = GOP duration; default 2 */
    double part_s;           /* CMAF fragment = LL-HLS part = LL-DASH chunk; default 0.4 */
    double end_after_s;      /* publisher gone this long ends the event; default 10 */
    double target_latency_s; /* DASH ServiceDescription, HLS PART-HOLD-BACK floor; 1.5 */
    char ladder[128];        /* fixed rungs H:KBPS,...; default 360:800,540:1600,720:2800 */
    int passthrough;         /* the feed's own H.264 as the top rung ("src"); default 0 */
    char encrypt[8];         /* "none" (default), "cenc" or "cbcs": every event's title
                              * gets a key and every part is encrypted as it is written */
} sv__channel_settings;

/* Parses settings JSON text (NULL or "": all defaults). 0, or SV_ERR_INVALID
 * naming the key and its bad value in err: dvr_s 10..86400, segment_s
 * 1..10, part_s 0.1..1 and dividing segment_s into whole parts, end_after_s
 * 1..3600, target_latency_s 0.5..30, ladder 1..3 rungs, passthrough a
 * boolean, encrypt "none", "cenc" or "cbcs". */
int sv__channel_settings_parse(const char *json, sv__channel_settings *out, char *err,
                               size_t errlen);
/* Writes the settings as JSON text into out[cap]. 0 or SV_ERR_OVERFLOW. */
int sv__channel_settings_format(const sv__channel_settings *s, char *out, size_t cap);

/* The publish URLs of a channel on `host` (the server's listen address):
 * srt://HOST:SRT_PORT?passphrase=KEY&pbkeylen=16 and
 * rtmp://HOST:RTMP_PORT/live/KEY. */
void sv__channel_urls(const sv__channel *ch, const char *host, char *srt, size_t srt_cap,
                      char *rtmp, size_t rtmp_cap);

/* "idle", "live", "ended"; and back (-1 for another word). channels_state.c:
 * below the catalog, whose back ends store these names. */
const char *sv__channel_state_name(int state);
int sv__channel_state_parse(const char *s);

/* Is `name` a channel name ([a-z0-9_-], 1..SV__CHANNEL_NAME_MAX)? */
int sv__channel_name_valid(const char *name);

/* Fills key[SV__CHANNEL_KEY_LEN + 1] with a new random key (OpenSSL).
 * 0 or SV_ERR_INTERNAL. */
int sv__channel_new_key(char *key);

/* Inserts a channel (id and created are set). With srt_port or rtmp_port
 * 0, the next free port pair from port_base on is taken (both ports unused
 * by every other channel). SV_ERR_STATE when the name or a port is taken,
 * SV_ERR_OVERFLOW at SV__CHANNEL_MAX channels. */
int sv__catalog_channel_add(sv__catalog *cat, sv__channel *ch, int port_base);
/* By name. SV_ERR_NOT_FOUND when there is none. */
int sv__catalog_channel_get(sv__catalog *cat, const char *name, sv__channel *out);
/* Every channel by id into out[cap]. Returns the count or SV_ERR_IO. */
int sv__catalog_channels(sv__catalog *cat, sv__channel *out, int cap);
/* Removes a channel (its files are the caller's). SV_ERR_NOT_FOUND. */
int sv__catalog_channel_remove(sv__catalog *cat, const char *name);
/* Sets the state, and the VOD title when title_id > 0. SV_ERR_NOT_FOUND. */
int sv__catalog_channel_set_state(sv__catalog *cat, const char *name, int state,
                                  int64_t title_id);

#endif
