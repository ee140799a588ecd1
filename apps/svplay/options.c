/*
 * svplay's command line. Every value is checked here, so a typo is a usage
 * error (exit 2) before any network or window work starts.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <streamverse/abr.h>
#include <streamverse/cdm.h>
#include <streamverse/version.h>

#include "svplay.h"
#include "../common/cli_options.h"

static const char usage_head[] =
    "Usage: svplay [options] URL|FILE [URL|FILE...]\n"
    "       svplay --server URL --user NAME [options] TITLE_ID\n"
    "       svplay --server URL --user NAME [options]      (TV catalog)\n"
    "       svplay --download DIR [options] URL|FILE       (store for offline viewing)\n"
    "       svplay --download DIR --server URL --user NAME [options] TITLE_ID\n"
    "Plays an HLS playlist (.m3u8), a DASH manifest (.mpd) or a plain media file,\n"
    "from an http(s) URL or a local path; or, with --server, a title of a\n"
    "Streamverse backend as a playback session (heartbeats, resume position).\n"
    "With --server and no TITLE_ID, a window shows the backend's catalog: rows of\n"
    "titles (continue watching, one per genre, all titles) and search.\n"
    "\n";

static const char usage_tail[] =
    "\n"
    "Keys (window): space/p pause, left/right seek -/+10 s, down/up -/+60 s,\n"
    "  f fullscreen, m mute, 9/0 volume down/up, i info panel, a next audio track,\n"
    "  s next subtitle track, v cycle quality (auto, 0..n-1), l back to the live\n"
    "  edge (live), ] fast forward / [ rewind (2x, each press doubles, up to 64x),\n"
    "  \\ or space back to normal speed, q/Esc quit.\n"
    "Seek bar: Enter starts scrubbing at the position (left/right -/+5 s,\n"
    "  down/up -/+60 s, Home/End; the thumbnail of the scrub time shows above the\n"
    "  bar, playback goes on), Enter seeks there, Esc/Backspace cancels. Mouse:\n"
    "  the pointer over the bottom of the window shows the bar and the thumbnail\n"
    "  under the pointer; a click or a drag seeks where the button is released.\n"
    "Keys (catalog): arrows move (left/right in a row, up/down between rows),\n"
    "  Enter opens the title page (up/down pick Resume at mm:ss, Start over or\n"
    "  Play, Enter plays, Esc/Backspace back to the rows), letters or / search\n"
    "  (Backspace edits; Esc or Backspace on an empty query leaves the search),\n"
    "  Esc quits. While a title plays: Backspace/Esc back to the catalog (the\n"
    "  resume position is saved), q quits, the other window keys as above.\n"
    "\n"
    "Exit status: 0 played to the end (or --frames reached, or quit by the user),\n"
    "  1 playback error (bad URL, HTTP error, unsupported codec, broken manifest),\n"
    "  2 usage error.\n";

enum {
    OPT_HEADLESS = 256, OPT_BENCHMARK, OPT_START, OPT_FRAMES, OPT_ABR, OPT_QUALITY,
    OPT_MAX_HEIGHT, OPT_STATS, OPT_FRAMEMD5, OPT_REALTIME, OPT_LICENSE_URL, OPT_KEY,
    OPT_VOLUME, OPT_MUTE, OPT_FULLSCREEN, OPT_LOG_LEVEL, OPT_SUB, OPT_SUB_LOG, OPT_EVENTS, OPT_CDN,
    OPT_AUTH_TOKEN, OPT_SERVER, OPT_USER, OPT_PASSWORD_FILE, OPT_DEVICE, OPT_HLS,
    OPT_FROM_START, OPT_CMCD, OPT_CODECS, OPT_ALLOW_CODEC_SWITCH, OPT_GIVE_UP,
    OPT_ALANG, OPT_SLANG, OPT_TARGET_LATENCY, OPT_MAX_LATENCY, OPT_CAPTIONS, OPT_CA_FILE,
    OPT_PIN_PUBKEY, OPT_HTTP1, OPT_UI_LOG, OPT_DOWNLOAD, OPT_MAX_BANDWIDTH, OPT_DOWNLOAD_QUOTA,
    OPT_LIST_DOWNLOADS, OPT_DELETE_DOWNLOAD, OPT_LICENSE_PUBKEY, OPT_NEXT, OPT_GAPLESS,
    OPT_CAPTION_TRACK
};

/* Every option, described once: the parser and --help are made from it
 * (docs/svplay.md carries the --help text, checked by a test). */
static const cli_opt options[] = {
    { "headless", 0, NULL, OPT_HEADLESS, 0,
      "no window or sound device: null sinks, real time", NULL, "Output:" },
    { "benchmark", 0, NULL, OPT_BENCHMARK, 0,
      "decode and present as fast as possible (implies --headless)", NULL, NULL },
    { "framemd5", 0, "FILE", OPT_FRAMEMD5, 0,
      "write one ffmpeg framemd5 line per presented video frame "
      "('-': stdout; implies --headless, and --benchmark unless --realtime)", NULL, NULL },
    { "realtime", 0, NULL, OPT_REALTIME, 0,
      "with --framemd5: play on the clock anyway (late frames may be dropped)", NULL, NULL },
    { "stats", 0, "FILE", OPT_STATS, 0,
      "write playback statistics as JSON at exit ('-': stdout), also after an error", NULL,
      NULL },
    { "fullscreen", 0, NULL, OPT_FULLSCREEN, 0, "start in desktop fullscreen", NULL, NULL },
    { "volume", 0, "V", OPT_VOLUME, 0, "volume 0..100", "100", NULL },
    { "mute", 0, NULL, OPT_MUTE, 0, "start muted", NULL, NULL },
    { "start", 0, "S", OPT_START, 0, "start at S seconds", NULL, "Playback:" },
    { "frames", 0, "N", OPT_FRAMES, 0, "quit (exit 0) after N video frames were presented", NULL,
      NULL },
    { "abr", 0, "RULE", OPT_ABR, 0, "adaptive bitrate rule (the rules are listed below)",
      "hybrid", NULL },
    { "quality", 0, "N", OPT_QUALITY, 0,
      "lock video to representation N (0 = lowest bandwidth)", NULL, NULL },
    { "max-height", 0, "H", OPT_MAX_HEIGHT, 0,
      "never pick a representation taller than H lines", NULL, NULL },
    { "codecs", 0, "LIST", OPT_CODECS, 0,
      "video codecs allowed, most preferred first (h264, hevc, av1, vp9, "
      "comma-separated); the first one the stream has and this "
      "device decodes plays, the others never do", "av1,hevc,vp9,h264", NULL },
    { "allow-codec-switch", 0, NULL, OPT_ALLOW_CODEC_SWITCH, 0,
      "let adaptive bitrate move between the allowed codecs (by "
      "default the codec chosen at start plays to the end)", NULL, NULL },
    { "license-url", 0, "URL", OPT_LICENSE_URL, 0, "ClearKey license server", NULL, NULL },
    { "key", 0, "KID:KEY", OPT_KEY, 0,
      "content key, 32 hex digits each (repeatable); no license "
      "request for it", NULL, NULL },
    { "alang", 0, "LANG[:ROLE][,...]", OPT_ALANG, 0,
      "audio languages, most preferred first (BCP 47: en, pt-BR; * for any); "
      "the first one the stream has plays, its main track unless ROLE "
      "(main, alternate, commentary, description) says which: "
      "--alang en:description,en prefers the English audio description", NULL, NULL },
    { "slang", 0, "LANG[:ROLE][,...]", OPT_SLANG, 0,
      "subtitle languages, as --alang (ROLE: subtitle, caption for the deaf "
      "and hard of hearing, forced); none shown when the stream has none of "
      "them; --sub overrides it", NULL, NULL },
    { "sub", 0, "SEL", OPT_SUB, 0,
      "subtitles: auto (the track the manifest marks DEFAULT), off, "
      "a text track number from 0, or a language (en, fr-CA)", "auto", NULL },
    { "sub-log", 0, "FILE", OPT_SUB_LOG, 0,
      "write each subtitle cue once, in order, when playback reaches it: "
      "start (s), tab, end (s), tab, text (newlines as \\n); the same "
      "lines on every run, however fast it plays", NULL, NULL },
    { "captions", 0, NULL, OPT_CAPTIONS, 0,
      "show the closed captions carried in the video (CEA-608 CC1, or the "
      "CEA-708 service --caption-track names) while no subtitle track is "
      "shown; --sub-log logs them", NULL, NULL },
    { "caption-track", 0, "NAME|LANG[,...]", OPT_CAPTION_TRACK, 0,
      "with --captions: CC1 (CEA-608), SERVICE1 to SERVICE63 (a CEA-708 "
      "service), or languages as --slang, for the first caption track the "
      "manifest declares in one of them (else CC1); --stats lists them as "
      "caption_tracks", "CC1", NULL },
    { "events", 0, "FILE", OPT_EVENTS, 0,
      "write each timed event (DASH EventStream and emsg, HLS "
      "EXT-X-DATERANGE, SCTE-35) as one JSON line when playback reaches "
      "it: source, scheme, value, id, start_s, duration_s, reported_at_s, "
      "payload_hex, attributes, scte35; and each HLS interstitial's start "
      "and end (source interstitial)", NULL, NULL },
    { "ui-log", 0, "FILE", OPT_UI_LOG, 0,
      "window: write what the seek bar, the catalog cards and the title "
      "page drew, as one JSON line each time it changes (rectangles in "
      "window pixels, times, texts), for tests and bug reports", NULL, NULL },
    { "next", 0, "URL", OPT_NEXT, 0,
      "play URL after the input (repeatable, like more URLs after it): "
      "each item is preloaded while the one before plays (manifest, keys, "
      "first segments) and played at its end, or at once with the n key", NULL, NULL },
    { "gapless", 0, NULL, OPT_GAPLESS, 0,
      "with a playlist: each next item's audio follows the last sample of "
      "the one before without a gap, the audio device playing on", NULL, NULL },
    { "cdn", 0, "ID=BASE_URL[,PRIORITY[,WEIGHT]]", OPT_CDN, 0,
      "a CDN serving the manifest's folder under BASE_URL "
      "(repeatable, at most 16); each request goes to the best "
      "healthy one (lowest PRIORITY, then highest WEIGHT; "
      "both default 1) and fails over to the next on a connect "
      "error, 5xx/404, a timeout or a transfer under the speed floor", NULL, NULL },
    { "auth-token", 0, "QUERY", OPT_AUTH_TOKEN, 0,
      "query appended to segment and key requests (a "
      "playback token, \"token=...\" or \"md5=..&expires=..\")", NULL, NULL },
    { "give-up", 0, "MS", OPT_GIVE_UP, 0,
      "end with an error once nothing at all could be fetched for MS "
      "milliseconds after the buffer ran out (100 to 3600000); a "
      "segment that fails is retried while media is buffered, then "
      "skipped", "10000", NULL },
    { "target-latency", 0, "MS", OPT_TARGET_LATENCY, 0,
      "live: play MS milliseconds behind the live edge (now minus the "
      "frame's program date time), held by playing at 0.95 to 1.05 "
      "times the normal rate with the pitch kept; default: the "
      "manifest's target (DASH ServiceDescription, HLS PART-HOLD-BACK "
      "or HOLD-BACK); -1: never change the rate", NULL, NULL },
    { "max-latency", 0, "MS", OPT_MAX_LATENCY, 0,
      "live: once the latency is over MS milliseconds by more than 0.5 s "
      "(after the network stalled), jump to the live start, at most once "
      "per 4 s; default: the manifest's maximum (DASH Latency@max), none "
      "without one; -1: never", NULL, NULL },
    { "cmcd", 0, NULL, OPT_CMCD, 0,
      "send Common Media Client Data (CTA-5004) with each "
      "segment request (CMCD= query argument)", NULL, NULL },
    { "ca-file", 0, "FILE", OPT_CA_FILE, 0,
      "trust the certificate authorities of this PEM file instead of the "
      "system's (a private or test CA), for every https request", NULL, "Network:" },
    { "pin-pubkey", 0, "sha256//BASE64[;...]", OPT_PIN_PUBKEY, 0,
      "accept only servers whose public key has one of these SHA-256 "
      "hashes (base64 of the DER SubjectPublicKeyInfo's hash, as curl "
      "--pinnedpubkey); a mismatch ends playback with an error naming the host",
      NULL, NULL },
    { "http1", 0, NULL, OPT_HTTP1, 0,
      "HTTP/1.1 only (by default requests to one host share one HTTP/2 "
      "connection when the server offers HTTP/2)", NULL, NULL },
    { "download", 0, "DIR", OPT_DOWNLOAD, 0,
      "store the input for offline viewing in DIR and exit (a folder that "
      "holds a download resumes it): one video rung (--max-height, "
      "--max-bandwidth), the audio of --alang (default: the manifest's), "
      "the WebVTT subtitles of --slang; then play DIR/master.m3u8",
      NULL, "Downloads:" },
    { "max-bandwidth", 0, "BPS", OPT_MAX_BANDWIDTH, 0,
      "with --download: the highest rung declaring at most BPS bit/s", NULL, NULL },
    { "download-quota", 0, "BYTES", OPT_DOWNLOAD_QUOTA, 0,
      "with --download: fail (resumable) rather than store more than BYTES", NULL, NULL },
    { "license-pubkey", 0, "FILE", OPT_LICENSE_PUBKEY, 0,
      "the server's Ed25519 public key (PEM) offline licenses must be signed with, "
      "when downloading a protected title and when playing it (default: the key "
      "stored with the download at download time)", NULL, NULL },
    { "list-downloads", 0, "ROOT", OPT_LIST_DOWNLOADS, 0,
      "list the downloads in the folders under ROOT and the storage they use, and exit",
      NULL, NULL },
    { "delete-download", 0, "DIR", OPT_DELETE_DOWNLOAD, 0,
      "delete the download in DIR (only the files it made) and exit", NULL, NULL },
    { "server", 0, "URL", OPT_SERVER, 0,
      "the backend's base URL; the input is then a title id, "
      "or none for the catalog (window only)", NULL, "Backend (svserver):" },
    { "user", 0, "NAME", OPT_USER, 0, "account to log in with (required with --server)", NULL,
      NULL },
    { "password-file", 0, "FILE", OPT_PASSWORD_FILE, 0,
      "read the password from FILE (else it is asked for)", NULL, NULL },
    { "device", 0, "ID", OPT_DEVICE, 0, "device id counted against the stream limit", "svplay",
      NULL },
    { "hls", 0, NULL, OPT_HLS, 0, "play the session's HLS playlist (default: its DASH MPD)",
      NULL, NULL },
    { "from-start", 0, NULL, OPT_FROM_START, 0,
      "start at --start (default 0), not at the resume position", NULL, NULL },
    { "log-level", 0, "LEVEL", OPT_LOG_LEVEL, 0, "error, warn, info or debug", "warn",
      "Messages:" },
    { "quiet", 'q', NULL, 'q', 0, "errors only, no progress line", NULL, NULL },
    { "help", 'h', NULL, 'h', 0, "show this help and exit", NULL, NULL },
    { "version", 'V', NULL, 'V', 0, "show the version and exit", NULL, NULL },
    { NULL, 0, NULL, 0, 0, NULL, NULL, NULL },
};

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    char msg[512];

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    cli_usage_error("svplay", "%s", msg);
    return -1;
}

static int parse_double(const char *name, const char *text, double lo, double hi, double *out)
{
    char *end = NULL;
    double v = strtod(text, &end);

    if (!*text || *end || !isfinite(v) || v < lo || v > hi)
        return usage_error("invalid value '%s' for --%s: a number from %.15g to %.15g", text, name, lo,
                           hi);
    *out = v;
    return 0;
}

static int parse_int(const char *name, const char *text, long long lo, long long hi,
                     long long *out)
{
    char *end = NULL;
    long long v = strtoll(text, &end, 10);

    if (!*text || *end || v < lo || v > hi)
        return usage_error("invalid value '%s' for --%s: a whole number from %lld to %lld", text,
                           name, lo, hi);
    *out = v;
    return 0;
}

static int parse_level(const char *text, sv_log_level *out)
{
    static const struct { const char *name; sv_log_level level; } levels[] = {
        {"error", SV_LOG_ERROR}, {"warn", SV_LOG_WARN}, {"warning", SV_LOG_WARN},
        {"info", SV_LOG_INFO}, {"debug", SV_LOG_DEBUG}, {"trace", SV_LOG_TRACE}};

    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
        if (!strcmp(text, levels[i].name)) {
            *out = levels[i].level;
            return 0;
        }
    }
    return usage_error("invalid value '%s' for --log-level (error, warn, info, debug)", text);
}

int svp_parse_cdn(const char *text, sv_cdn *out, char *id, size_t id_size, char *url,
                  size_t url_size)
{
    const char *eq = strchr(text, '='), *comma, *end;
    long long num[2] = {1, 1};
    size_t id_len, url_len;
    char *stop;

    if (!eq || eq == text)
        return -1;
    id_len = (size_t)(eq - text);
    comma = strchr(eq + 1, ',');
    url_len = comma ? (size_t)(comma - eq - 1) : strlen(eq + 1);
    if (id_len >= id_size || url_len >= url_size || url_len == 0)
        return -1;
    /* Up to two integers after the URL: priority, then weight. */
    for (int i = 0; comma && i < 2; i++) {
        num[i] = strtoll(comma + 1, &stop, 10);
        end = stop;
        if (end == comma + 1 || num[i] < 0 || num[i] > 1000000 || (*end && *end != ','))
            return -1;
        comma = *end == ',' ? end : NULL;
    }
    if (comma)
        return -1;
    memcpy(id, text, id_len);
    id[id_len] = '\0';
    memcpy(url, eq + 1, url_len);
    url[url_len] = '\0';
    if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
        return -1;
    out->id = id;
    out->base_url = url;
    out->priority = (int)num[0];
    out->weight = (int)num[1];
    return 0;
}

/* --codecs: names the player knows (sv_player_settings.codecs), each once. */
static int parse_codecs(const char *text)
{
    static const char *const names[] = { "h264", "hevc", "av1", "vp9" };
    int seen[4] = { 0 };
    const char *p = text;

    for (;;) {
        size_t n = strcspn(p, ",");
        size_t i = 0;
        while (i < 4 && !(strlen(names[i]) == n && !strncmp(p, names[i], n)))
            i++;
        if (n == 0)
            return usage_error("invalid --codecs '%s': an empty entry (h264, hevc, av1, vp9, "
                               "comma-separated)", text);
        if (i == 4)
            return usage_error("invalid --codecs '%s': '%.*s' is not a codec (h264, hevc, av1, "
                               "vp9)", text, (int)n, p);
        if (seen[i]++)
            return usage_error("invalid --codecs '%s': '%s' given twice", text, names[i]);
        if (!p[n])
            return 0;
        p += n + 1;
    }
}

/* --alang/--slang: LANG[:ROLE] entries (sv_player_settings.audio_languages):
 * LANG a BCP 47 shaped tag of at most 35 characters or "*"; ROLE a name the
 * player knows. The player checks the same again. */
static int parse_languages(const char *name, const char *text)
{
    static const char *const roles[] = { "main", "alternate", "commentary", "description",
                                         "caption", "subtitle", "forced" };
    const char *p = text;
    int entries = 0;

    for (;;) {
        size_t n = strcspn(p, ","), tag = strcspn(p, ":,");
        if (n == 0)
            return usage_error("invalid --%s '%s': an empty entry (LANG[:ROLE], "
                               "comma-separated)", name, text);
        if (++entries > 16)
            return usage_error("invalid --%s '%s': more than 16 entries", name, text);
        /* Subtags of 1 to 8 letters or digits, the first of letters (one
         * letter only for the "x-" and "i-" prefixes). */
        int ok = tag > 0 && tag <= 35;
        if (ok && p[0] == '*')
            ok = tag == 1;
        for (size_t i = 0, sub = 0; ok && p[0] != '*' && i < tag; sub++) {
            size_t len = strspn(p + i, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789");
            if (len > tag - i)
                len = tag - i;
            size_t letters = strspn(p + i, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
            ok = len >= 1 && len <= 8 &&
                 (sub > 0 || (letters >= len && (len > 1 || (strchr("xXiI", p[0]) &&
                                                             len + 1 < tag))));
            i += len;
            if (ok && i < tag)
                ok = p[i++] == '-' && i < tag;
        }
        if (!ok)
            return usage_error("invalid --%s '%s': '%.*s' is not a language tag (BCP 47, "
                               "like en, pt-BR or zh-Hant; or * for any)", name, text,
                               (int)tag, p);
        if (tag < n) {
            const char *r = p + tag + 1;
            size_t rlen = n - tag - 1, i = 0;
            while (i < 7 && !(strlen(roles[i]) == rlen && !strncasecmp(r, roles[i], rlen)))
                i++;
            if (i == 7)
                return usage_error("invalid --%s '%s': '%.*s' is not a track role (main, "
                                   "alternate, commentary, description, caption, subtitle, "
                                   "forced)", name, text, (int)rlen, r);
        }
        if (!p[n])
            return 0;
        p += n + 1;
    }
}

static void print_help(void)
{
    fputs(usage_head, stdout);
    cli_print_options(stdout, options, 0);
    fputs(usage_tail, stdout);
    printf("\nABR rules:");
    for (size_t i = 0; i < sv_abr_rule_count(); i++)
        printf(" %s", sv_abr_rule_name(sv_abr_rule_at(i)));
    printf("\n");
}

static int apply_option(svp_options *o, int c, const char *arg)
{
    long long n = 0;
    double d = 0;
    uint8_t kid[16], key[16];
    char cdn_id[64], cdn_url[1024];
    sv_cdn cdn;

    switch (c) {
    case OPT_HEADLESS: o->headless = 1; return 0;
    case OPT_BENCHMARK: o->benchmark = 1; return 0;
    case OPT_REALTIME: o->realtime = 1; return 0;
    case OPT_MUTE: o->mute = 1; return 0;
    case OPT_FULLSCREEN: o->fullscreen = 1; return 0;
    case OPT_START: return parse_double("start", arg, 0, 1e9, &o->start_s);
    case OPT_FRAMES:
        if (parse_int("frames", arg, 1, INT64_MAX, &n) < 0)
            return -1;
        o->frames = n;
        return 0;
    case OPT_ABR:
        if (!sv_abr_rule_find(arg))
            return usage_error("unknown ABR rule '%s' (see --help)", arg);
        o->abr_rule = arg;
        return 0;
    case OPT_QUALITY:
        if (parse_int("quality", arg, 0, 1 << 20, &n) < 0)
            return -1;
        o->quality = (int)n;
        return 0;
    case OPT_MAX_HEIGHT:
        if (parse_int("max-height", arg, 0, 1 << 16, &n) < 0)
            return -1;
        o->max_height = (int)n;
        return 0;
    case OPT_STATS: o->stats_path = arg; return 0;
    case OPT_FRAMEMD5: o->framemd5_path = arg; return 0;
    case OPT_LICENSE_URL: o->license_url = arg; return 0;
    case OPT_SUB:
        if (!arg[0] || strlen(arg) >= 16)
            return usage_error("invalid --sub '%s': auto, off, a track number or a language",
                               arg);
        o->sub = arg;
        return 0;
    case OPT_SUB_LOG: o->sub_log_path = arg; return 0;
    case OPT_EVENTS: o->events_path = arg; return 0;
    case OPT_UI_LOG: o->ui_log_path = arg; return 0;
    case OPT_GAPLESS: o->gapless = 1; return 0;
    case OPT_NEXT:
        if (!*arg)
            return usage_error("empty --next URL");
        if (o->nb_next >= SVP_MAX_ITEMS)
            return usage_error("too many playlist items (at most %d after the first)",
                               SVP_MAX_ITEMS);
        o->next[o->nb_next++] = arg;
        return 0;
    case OPT_ALANG:
        if (parse_languages("alang", arg) < 0)
            return -1;
        o->alang = arg;
        return 0;
    case OPT_SLANG:
        if (parse_languages("slang", arg) < 0)
            return -1;
        o->slang = arg;
        return 0;
    case OPT_KEY:
        if (sv_cdm_parse_key_pair(arg, kid, key) < 0)
            return usage_error("invalid --key '%s': expected KID:KEY, 32 hex digits each", arg);
        if (o->nb_keys == SVP_MAX_KEYS)
            return usage_error("too many --key options (at most %d)", SVP_MAX_KEYS);
        o->keys[o->nb_keys++] = arg;
        return 0;
    case OPT_CDN:
        if (svp_parse_cdn(arg, &cdn, cdn_id, sizeof(cdn_id), cdn_url, sizeof(cdn_url)) < 0)
            return usage_error("invalid --cdn '%s': expected ID=http(s)://BASE[,PRIORITY[,WEIGHT]]",
                               arg);
        if (o->nb_cdns == SVP_MAX_CDNS)
            return usage_error("too many --cdn options (at most %d)", SVP_MAX_CDNS);
        for (int i = 0; i < o->nb_cdns; i++)
            if (!strncmp(o->cdns[i], arg, strlen(cdn_id) + 1))
                return usage_error("--cdn id '%s' given twice", cdn_id);
        o->cdns[o->nb_cdns++] = arg;
        return 0;
    case OPT_AUTH_TOKEN:
        if (!arg[0] || strpbrk(arg, "#? \r\n"))
            return usage_error("invalid --auth-token '%s': a query without '?', '#' or blanks",
                               arg);
        o->auth_token = arg;
        return 0;
    case OPT_VOLUME:
        if (parse_double("volume", arg, 0, 100, &d) < 0)
            return -1;
        o->volume = (int)lround(d);
        return 0;
    case OPT_SERVER:
        if (strncmp(arg, "http://", 7) && strncmp(arg, "https://", 8))
            return usage_error("invalid --server '%s': an http(s) URL", arg);
        o->server = arg;
        return 0;
    case OPT_USER:
        if (!arg[0])
            return usage_error("empty --user");
        o->user = arg;
        return 0;
    case OPT_PASSWORD_FILE: o->password_file = arg; return 0;
    case OPT_DEVICE:
        if (!arg[0] || strlen(arg) > 64)
            return usage_error("invalid --device '%s': 1 to 64 characters", arg);
        o->device = arg;
        return 0;
    case OPT_HLS: o->prefer_hls = 1; return 0;
    case OPT_FROM_START: o->from_start = 1; return 0;
    case OPT_CMCD: o->cmcd = 1; return 0;
    case OPT_CAPTIONS: o->captions = 1; return 0;
    case OPT_CAPTION_TRACK: {
        /* A name is checked here; languages by the SDK (as --slang's). */
        char *end = NULL;
        int named = !strncasecmp(arg, "SERVICE", 7) || !strncasecmp(arg, "CC", 2);
        long v = strncasecmp(arg, "SERVICE", 7) || arg[7] < '1' || arg[7] > '9'
                     ? 0 : strtol(arg + 7, &end, 10);
        if (!arg[0] || (named && strcasecmp(arg, "CC1") && (v < 1 || v > 63 || (end && *end))))
            return usage_error("invalid --caption-track '%s': CC1, SERVICE1 to SERVICE63 "
                               "or languages", arg);
        o->caption_track = arg;
        return 0;
    }
    case OPT_CA_FILE:
        if (access(arg, R_OK) != 0)
            return usage_error("cannot read --ca-file '%s': %s", arg, strerror(errno));
        o->ca_file = arg;
        return 0;
    case OPT_PIN_PUBKEY:
        /* The SDK checks each hash; here only the form, for a usage error. */
        if (strncmp(arg, "sha256//", 8) || strstr(arg, ";;") || arg[strlen(arg) - 1] == ';')
            return usage_error("invalid --pin-pubkey '%s': sha256//BASE64, several joined "
                               "by ';'", arg);
        o->pin_pubkey = arg;
        return 0;
    case OPT_HTTP1: o->http1 = 1; return 0;
    case OPT_DOWNLOAD:
        if (!arg[0])
            return usage_error("empty --download folder");
        o->download_dir = arg;
        return 0;
    case OPT_MAX_BANDWIDTH:
        if (parse_int("max-bandwidth", arg, 1, INT64_C(1) << 40, &n) < 0)
            return -1;
        o->max_bandwidth = n;
        return 0;
    case OPT_DOWNLOAD_QUOTA:
        if (parse_int("download-quota", arg, 1, INT64_C(1) << 50, &n) < 0)
            return -1;
        o->download_quota = n;
        return 0;
    case OPT_LIST_DOWNLOADS: o->list_downloads = arg; return 0;
    case OPT_LICENSE_PUBKEY: {
        static char pem[4096];
        FILE *f = fopen(arg, "r");
        size_t got = f ? fread(pem, 1, sizeof(pem) - 1, f) : 0;
        if (f)
            fclose(f);
        pem[got] = '\0';
        if (!got || !strstr(pem, "BEGIN PUBLIC KEY"))
            return usage_error("cannot read a PEM public key from --license-pubkey '%s'", arg);
        o->license_pubkey = pem;
        return 0;
    }
    case OPT_DELETE_DOWNLOAD: o->delete_download = arg; return 0;
    case OPT_TARGET_LATENCY:
        if (parse_int("target-latency", arg, -1, 600000, &n) < 0)
            return -1;
        if (n == 0)
            return usage_error("invalid value '0' for --target-latency: 1 to 600000 ms, or -1");
        o->target_latency_ms = (int)n;
        return 0;
    case OPT_MAX_LATENCY:
        if (parse_int("max-latency", arg, -1, 600000, &n) < 0)
            return -1;
        if (n == 0)
            return usage_error("invalid value '0' for --max-latency: 1 to 600000 ms, or -1");
        o->max_latency_ms = (int)n;
        return 0;
    case OPT_GIVE_UP:
        if (parse_int("give-up", arg, 100, 3600000, &n) < 0)
            return -1;
        o->give_up_ms = (int)n;
        return 0;
    case OPT_CODECS:
        if (parse_codecs(arg) < 0)
            return -1;
        o->codecs = arg;
        return 0;
    case OPT_ALLOW_CODEC_SWITCH: o->allow_codec_switch = 1; return 0;
    case OPT_LOG_LEVEL: return parse_level(arg, &o->log_level);
    default: return -1;
    }
}

int svp_parse_options(svp_options *o, int argc, char **argv)
{
    int c;

    memset(o, 0, sizeof(*o));
    o->frames = -1;
    o->quality = -1;
    o->volume = 100;
    o->log_level = SV_LOG_WARN;
    cli_parser cp;
    const char *arg;
    if (cli_init(&cp, "svplay", options, 0, argc, argv) < 0)
        return -1;
    while ((c = cli_next(&cp, &arg)) != CLI_END) {
        switch (c) {
        case CLI_ERROR: return -1;
        case 'h': print_help(); return 1;
        case 'V': printf("svplay %s\n", sv_version()); return 1;
        case 'q': o->quiet = 1; break;
        default:
            if (apply_option(o, c, arg) < 0)
                return -1;
        }
    }
    int first = cli_optind();
    if (o->list_downloads || o->delete_download) {
        if (first < argc || o->download_dir || (o->list_downloads && o->delete_download))
            return usage_error("--list-downloads and --delete-download take no input and "
                               "no other download option");
        return 0;
    }
    if ((o->max_bandwidth || o->download_quota) && !o->download_dir)
        return usage_error("--max-bandwidth and --download-quota need --download");
    if (o->download_dir && o->server && first >= argc)
        return usage_error("--download with --server needs a TITLE_ID");
    /* --server without a title opens the catalog (catalog_ui.c). */
    if (first >= argc && !o->server)
        return usage_error("no URL or file given");
    /* More URLs after the first are the playlist's next items, ahead of --next's. */
    int more = first + 1 < argc ? argc - first - 1 : 0;
    if (more && o->server)
        return usage_error("one title id only; unexpected '%s'", argv[first + 1]);
    if (more + o->nb_next > SVP_MAX_ITEMS)
        return usage_error("too many playlist items (at most %d after the first)", SVP_MAX_ITEMS);
    if (more) {
        memmove(o->next + more, o->next, (size_t)o->nb_next * sizeof(o->next[0]));
        for (int i = 0; i < more; i++) {
            if (!*argv[first + 1 + i])
                return usage_error("empty URL");
            o->next[i] = argv[first + 1 + i];
        }
        o->nb_next += more;
    }
    if (o->nb_next && o->server)
        return usage_error("--next plays URLs, not titles of --server");
    o->input = first < argc ? argv[first] : NULL;
    if (o->input && !*o->input)
        return usage_error("empty URL");
    if (o->server && o->input) {
        char *end = NULL;
        o->title_id = strtoll(o->input, &end, 10);
        if (*end || o->title_id <= 0)
            return usage_error("with --server the input is a title id (a number), not '%s'",
                               o->input);
    }
    if (o->server && !o->user)
        return usage_error("--server needs --user");
    if (!o->server && (o->user || o->password_file || o->prefer_hls || o->from_start))
        return usage_error("--user, --password-file, --hls and --from-start need --server");
    if (o->quiet)
        o->log_level = SV_LOG_ERROR;
    /* --framemd5 hashes every decoded frame: that needs benchmark mode,
     * where no frame is dropped, unless the user wants real time. */
    if (o->framemd5_path) {
        o->headless = 1;
        if (!o->realtime)
            o->benchmark = 1;
    }
    if (o->benchmark)
        o->headless = 1;
    if (o->server && !o->input && o->headless)
        return usage_error("--server without a TITLE_ID opens the catalog, which needs a "
                           "window: give a TITLE_ID with --headless, --benchmark or --framemd5");
    return 0;
}
