/*
 * The ingest pipeline's media half: probe an input file, decode it once,
 * scale to every rung of the ladder, encode H.264 (libx264 through
 * libavcodec, closed GOPs with keyframes exactly on segment boundaries) and
 * AAC, and package CMAF fMP4 (one init + media segments per rung and for
 * audio), HLS playlists, a DASH MPD and thumbnails into one folder.
 *
 * It runs on a worker thread (never on the HTTP loop) and does no catalog or
 * HTTP work: the job layer (backend/jobs.c) calls sv__media_ingest() into a
 * staging folder, then publishes it atomically (rename) and marks the title
 * READY. Every file it writes is fsync'ed before it returns 0.
 *
 * Layout of out_dir (all manifest references are relative):
 *   master.m3u8, manifest.mpd
 *   video/<height>p/init.mp4, video/<height>p/seg-<n>.m4s (n from 1), video/<height>p/index.m3u8
 *     (H.264; the HEVC and AV1 rungs of that height in video/<height>p-hevc/ and
 *     video/<height>p-av1/)
 *   audio/init.mp4, audio/seg-<n>.m4s, audio/index.m3u8
 *   thumbs/thumb-<n>.jpg (one every thumb_interval_s, n from 1)
 *   thumbs/tile-<n>.jpg (5x5 grids of 160-wide thumbnails, one every
 *     tile_interval_s), thumbs/images.m3u8 (HLS image playlist),
 *     thumbs/poster.jpg (one representative frame)
 *   subs/<lang>/seg-<n>.vtt, subs/<lang>/index.m3u8 (subtitles given with the title)
 */
#ifndef SV_BACKEND_MEDIA_H
#define SV_BACKEND_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#define SV_MEDIA_MAX_RUNGS 8

/*
 * Video codecs (the `codecs` setting, docs/packaging.md "Codecs"): every
 * rung of the ladder is encoded once per codec from the same decoded
 * frames, with the same GOP and forced keyframes, so the rungs of all
 * codecs cut the same segments. H.264 is libx264, HEVC libx265 (hvc1),
 * AV1 libsvtav1, all through libavcodec.
 */
enum sv__video_codec { SV__CODEC_H264 = 0, SV__CODEC_HEVC, SV__CODEC_AV1, SV__NB_CODECS };
#define SV__CODECS_DEFAULT (1u << SV__CODEC_H264)
/* Video renditions of one ingest at most: every rung in every codec. */
#define SV_MEDIA_MAX_VIDEO (SV_MEDIA_MAX_RUNGS * SV__NB_CODECS)

/* "h264", "hevc", "av1" (NULL for another value). */
const char *sv__codec_name(int codec);
/* Parses the setting: codec names separated by commas, e.g. "h264,av1,hevc"
 * (each at most once, in any order). 0 with the set in *out (bit
 * 1 << enum sv__video_codec per codec), or SV_ERR_INVALID with the name
 * that is not a codec in errbuf. */
int sv__codecs_parse(const char *spec, unsigned *out, char *errbuf, size_t errlen);
/* Writes the set as the setting spells it ("h264,av1"). */
void sv__codecs_format(unsigned codecs, char *out, size_t cap);
/* Whether this libavcodec has the encoder of every codec in the set: 0, or
 * SV_ERR_UNSUPPORTED naming the codec and the encoder that is missing (a
 * server checks at startup, an ingest before it decodes anything). */
int sv__codecs_check(unsigned codecs, char *errbuf, size_t errlen);
/* The codec of an RFC 6381 string ("avc1.", "hvc1.", "av01."), or -1. */
int sv__codec_of_string(const char *rfc6381);
/* The rate a rung of `kbps` for H.264 gets in `codec`: `percent` of it when
 * > 0 (measured per title by the probe), else the usual rule of thumb for
 * the same quality, HEVC 70 %, AV1 60 %. */
int sv__codec_rate_kbps(int codec, int h264_kbps, int percent);

typedef struct sv__rung {
    int height;              /* lines; width follows the source aspect, rounded to even */
    int bitrate_kbps;
} sv__rung;

/* A subtitle file given with a title: SRT or WebVTT (docs/packaging.md,
 * "Subtitles"), its language a tag such as "en" or "pt-BR". */
typedef struct sv__subtitle_input {
    const char *lang;
    const char *path;
} sv__subtitle_input;
#define SV_MEDIA_MAX_SUBS 16

/*
 * Subtitles of a title already packaged in `title_dir` (subs_title.c;
 * docs/packaging.md "Subtitles of a ready title"), its video untouched.
 * `staging_dir` is a folder on the same file system (DATA/staging): the
 * new files are made there and moved in by rename, and the lock that
 * serialises changes to one title across processes (SV__MEDIA_TITLE_LOCK,
 * flock) lives there. Blocking
 * file work: call from a worker thread.
 *
 * sv__media_subs_put reads p->data (SRT or WebVTT, p->name for messages)
 * and writes it as subs/<lang>/ (WebVTT segments and their playlist, TTML in
 * fMP4) at the title's segment duration, then lists the language in
 * master.m3u8 and manifest.mpd; a language there already is replaced in one
 * step (*replaced = 1). p->playlist_fix, when set, rewrites the new
 * playlist before it goes in (the server adds the title's ad breaks): it
 * returns a malloc'd text, or NULL to fail. Returns 0, or SV_ERR_INVALID
 * (not a language tag), SV_ERR_PARSE / SV_ERR_OVERFLOW (the reader's
 * message: file, line, what was wrong; or too large, or SV_MEDIA_MAX_SUBS
 * languages already), SV_ERR_UNSUPPORTED (a title subtitles cannot go into,
 * e.g. a recorded live event), SV_ERR_IO, SV_ERR_NOMEM, with the reason in
 * errbuf.
 * sv__media_subs_remove takes a language out of the manifests, then its
 * files: 0, SV_ERR_NOT_FOUND, or as above.
 * sv__media_subs_list writes the languages (sorted) into langs[max] and
 * returns their count, or SV_ERR_IO.
 */
#define SV__MEDIA_LANG_MAX 16
/* The lock file in staging_dir, by the title folder's name, that every
 * change to a title's manifests holds (subtitles, ad breaks). */
#define SV__MEDIA_TITLE_LOCK "title-%s.lock"
#define SV__MEDIA_SUBS_MAX_BYTES (8 << 20)   /* the largest subtitle file */
typedef struct sv__subs_put {
    const char *title_dir, *staging_dir, *lang;
    const char *data;        /* the file's bytes (not owned) */
    size_t size;
    const char *name;        /* for messages */
    char *(*playlist_fix)(void *opaque, const char *text, size_t len, size_t *out_len);
    void *opaque;
} sv__subs_put;
int sv__media_subs_put(const sv__subs_put *p, int *replaced, char *errbuf, size_t errlen);
int sv__media_subs_remove(const char *title_dir, const char *staging_dir, const char *lang,
                          char *errbuf, size_t errlen);
int sv__media_subs_list(const char *title_dir, char (*langs)[SV__MEDIA_LANG_MAX], int max);
/* The same from a file: sv__media_subs_check_file reads and checks it
 * (SV_ERR_INVALID for a bad tag, SV_ERR_IO, or as sv__media_subs_put),
 * writing nothing; sv__media_subs_put_file puts it into the title. */
int sv__media_subs_check_file(const char *lang, const char *path, char *errbuf, size_t errlen);
int sv__media_subs_put_file(const char *title_dir, const char *staging_dir, const char *lang,
                            const char *path, char *errbuf, size_t errlen);

typedef struct sv__ladder {
    sv__rung rungs[SV_MEDIA_MAX_RUNGS];
    int nb_rungs;            /* rungs taller than the source are skipped (never upscale) */
    double segment_s;        /* default 4 */
    int audio_kbps;          /* default 128 */
    const char *x264_preset; /* default "veryfast" */
    int threads;             /* encoder/decoder threads, 0: one per core */
    double thumb_interval_s; /* default 10 */
    int per_title;           /* rungs[] is the template of a per-title ladder (below) */
    unsigned codecs;         /* video codecs (bits 1 << enum sv__video_codec); 0 or
                              * SV__CODECS_DEFAULT: H.264 only */
    int codec_percent[SV__NB_CODECS];  /* each codec's rate as a percentage of
                              * the H.264 rung's; 0: the rule of thumb */
    double tile_interval_s;  /* seek thumbnails in tiles: one every this many
                              * seconds (0: the default, 2) */
    int no_extras;           /* measurement only (bench/transcode.sh): no key
                              * frame fragments (so no I-frame playlists or
                              * trick-mode sets), no tiles, no poster */
    const sv__subtitle_input *subs;  /* subtitle files to package (not owned) */
    int nb_subs;             /* at most SV_MEDIA_MAX_SUBS, one per language */
} sv__ladder;

/* Fills the default ladder: 240p 300, 360p 750, 480p 1200, 720p 2800,
 * 1080p 5000 kb/s, 4 s segments, AAC 128 kb/s, veryfast, thumbs every 10 s,
 * per title (per_title = 1), H.264 only. */
void sv__ladder_default(sv__ladder *l);

/*
 * Per-title ladders (docs/packaging.md, "Per-title ladders"). The template's
 * rungs name quality levels: rung i stands for the quality its rate reaches
 * on this title at the best resolution. sv__ladder_probe() encodes short
 * samples of the source at each template height and several rates with the
 * ingest's own encoder settings, measures PSNR and SSIM at display size
 * with libavfilter, and sv__ladder_choose() reads the rate-quality convex
 * hull at each template rung's rate:
 * - at or below SV_LADDER_CEILING_DB (bits still buy quality one can see,
 *   hard content) the rung keeps the template's rate at the resolution the
 *   hull has there: more quality for the same bytes;
 * - above it (easy content) the rung takes the lowest rate within
 *   SV_LADDER_TOLERANCE_DB of the ceiling, or of the fixed rung's own
 *   quality on this title when that is higher: the same quality for fewer
 *   bytes, never worse than the fixed ladder.
 */
#define SV_LADDER_CEILING_DB 45.0  /* PSNR at display size above which more bits
                                    * are not seen (SSIM about 0.99) */
#define SV_LADDER_TOLERANCE_DB 0.2
#define SV_LADDER_MAX_POINTS 64

typedef struct sv__probe_point {
    int codec;               /* enum sv__video_codec; the hull is H.264's */
    int width, height;
    int target_kbps;         /* the rate asked of the encoder */
    double kbps;             /* the rate it produced over the samples */
    double psnr, ssim;       /* at display size, against the source */
    int on_hull;             /* a vertex of the rate-quality convex hull */
} sv__probe_point;

typedef struct sv__ladder_choice {
    int width, height;
    int kbps;                /* the rate asked of the encoder */
    double expected_kbps;    /* what the probe says it will produce (easy content
                              * produces less than it is allowed) */
    int from_rung;           /* the template rung it stands for */
    double psnr, ssim;       /* expected, read off the hull at kbps */
    double level_psnr;       /* the hull's quality at the template rung's rate */
} sv__ladder_choice;

typedef struct sv__ladder_report {
    int src_width, src_height;
    int display_width, display_height;  /* where quality is measured */
    int nb_windows;
    double sample_s;         /* seconds of source encoded per probe point */
    double probe_s;          /* wall time of the probe */
    sv__probe_point points[SV_LADDER_MAX_POINTS];
    int nb_points;
    sv__ladder_choice chosen[SV_MEDIA_MAX_RUNGS];
    int nb_chosen;
    char note[256];          /* why the ladder is what it is, "" when per title as planned */
    int codec_percent[SV__NB_CODECS];  /* the rate each other codec needs for the
                              * H.264 reference point's quality, in % of its
                              * rate (sv__ladder_codec_rates); 0: not probed */
} sv__ladder_report;

/* Probes `input` for the template `tmpl` (its rungs, preset, threads) and
 * fills rep->points and the source and display sizes. A source too short to
 * sample, or one no rung fits, is not an error: rep->note says so and
 * sv__ladder_choose() falls back to the template. Returns 0, or
 * SV_ERR_IO / SV_ERR_UNSUPPORTED / SV_ERR_DECODE / SV_ERR_NOMEM /
 * SV_ERR_CANCELLED with a reason in errbuf. Worker threads; blocking. */
int sv__ladder_probe(const char *input, const sv__ladder *tmpl, const volatile int *cancel,
                     sv__ladder_report *rep, char *errbuf, size_t errlen);

/* Marks the hull's vertices and fills rep->chosen from rep->points (pure).
 * Without usable points the choice is the template's rungs that fit the
 * source, with a note. */
void sv__ladder_choose(const sv__ladder *tmpl, sv__ladder_report *rep);

/* Parses the `ladder` setting into l's rungs and per_title: "auto" (per
 * title over the default template), "auto:H:KBPS,..." (per title over that
 * template) or "H:KBPS,..." (that fixed ladder), heights 16..4320, rates
 * 16..200000 kb/s, at most SV_MEDIA_MAX_RUNGS. Other fields are kept.
 * 0 or SV_ERR_INVALID. */
int sv__ladder_parse(const char *spec, sv__ladder *l);

/* The ladder to encode: `tmpl` with its rungs replaced by rep->chosen and
 * per_title cleared. */
void sv__ladder_apply(const sv__ladder *tmpl, const sv__ladder_report *rep, sv__ladder *out);
/* The other codecs' rates (ladder_codecs.c): with the template's codecs
 * beyond H.264, the probe also encodes the reference point (the middle
 * template rung that fits, at its rate) in each of them at several shares
 * of its rate. For each codec the share that reaches the H.264 reference's
 * quality (linear in log rate between the shares, within
 * SV_CODEC_MIN_PERCENT..100) goes into rep->codec_percent; a codec whose
 * best share does not reach it gets 100. Called by sv__ladder_choose. */
#define SV_CODEC_MIN_PERCENT 30
void sv__ladder_codec_rates(sv__ladder_report *rep);
/* The reference point of the codec probe: the middle template rung that
 * fits a source `src_height` tall (-1 when none fits). */
int sv__ladder_codec_reference(const sv__ladder *tmpl, int src_height);

/* The record as a new JSON object (jansson; NULL when out of memory), and
 * back: 0, or SV_ERR_PARSE naming nothing (the record is ours). */
struct json_t *sv__ladder_report_json(const sv__ladder_report *rep);
int sv__ladder_report_parse(struct json_t *root, sv__ladder_report *rep);
/* The record as an SVG plot: PSNR against rate per resolution, the hull and
 * the chosen rungs. *out is malloc'ed text of *len bytes (caller frees).
 * 0 or SV_ERR_NOMEM. */
int sv__ladder_svg(const sv__ladder_report *rep, char **out, size_t *len);

/* One rendition that was written. Video rungs come first, by codec (H.264,
 * HEVC, AV1) and within a codec lowest first, then the audio rendition
 * (when the source has audio). For audio, width, height and frame_rate
 * are 0. */
typedef struct sv__rendition_info {
    char kind[8];            /* "video" or "audio" */
    char name[24];           /* "720p", "720p-av1", "720p-hevc", "audio" (also its
                              * folder under video/ or audio/) */
    int width, height;
    int64_t bandwidth;       /* peak bit/s over segments (HLS BANDWIDTH) */
    int64_t average_bandwidth;
    char codecs[48];         /* RFC 6381, e.g. "avc1.64001f", "mp4a.40.2" */
    double frame_rate;
    int nb_segments;
} sv__rendition_info;

typedef struct sv__media_result {
    double duration_s;
    int nb_renditions;
    sv__rendition_info renditions[SV_MEDIA_MAX_VIDEO + 1];
    int nb_thumbs;
    int nb_tiles;            /* thumbnail tiles, thumbs/tile-<n>.jpg */
    int poster;              /* thumbs/poster.jpg was written */
    int nb_subs;             /* subtitle tracks written (subs/<lang>/) */
    double transcode_s;      /* wall time spent, the probe included */
    int per_title;           /* the ladder was chosen per title: */
    sv__ladder_report ladder;  /* how (probe points, hull, choice) */
} sv__media_result;

/* Progress: percent 0..100 of the whole job (never decreasing), and a short
 * stage name ("probe", "transcode", "package"; thumbnails are taken during
 * "transcode"). Called on the worker thread that called sv__media_ingest(),
 * at most about every half percent; it may raise the cancel flag. */
typedef void (*sv__media_progress_fn)(void *opaque, double percent, const char *stage);

/*
 * Common Encryption of the packaged output (docs/packaging.md, "Encryption").
 * cenc: AES-128-CTR, 8-byte per-sample IVs. cbcs: AES-128-CBC with a
 * constant 16-byte IV per track, pattern 1:9 for video, every block for
 * audio. Video keeps NAL lengths, NAL headers and non-VCL NAL units clear.
 * The key is used only to encrypt samples: it is never written to a file
 * or logged.
 */
enum sv__protection_scheme { SV__PROTECT_NONE = 0, SV__PROTECT_CENC, SV__PROTECT_CBCS };

typedef struct sv__media_protection {
    int scheme;              /* enum sv__protection_scheme */
    uint8_t kid[16];
    uint8_t key[16];
    const char *license_url; /* for the MPD's dashif:Laurl; NULL: none */
} sv__media_protection;

/* Like sv__media_ingest, with the output encrypted under `prot` (NULL or
 * scheme NONE: clear). The caller owns *prot; it is read during the call. */
int sv__media_ingest_protected(const char *input, const char *out_dir, const sv__ladder *ladder,
                               const sv__media_protection *prot,
                               sv__media_progress_fn progress, void *opaque,
                               const volatile int *cancel, sv__media_result *res,
                               char *errbuf, size_t errlen);

/*
 * An ingest split across workers: part `index` of `count` encodes only its
 * share of the ladder's video rungs (the rungs the source allows, spread
 * over the parts by encoding cost, the tallest first, each to the part with
 * the least work so far); part 0 also writes the audio rendition and the
 * thumbnails. Every part decodes the whole source, so each rung sees the
 * same frames and cuts the same segments as in a whole ingest.
 */
typedef struct sv__media_part {
    int index;               /* 0 .. count - 1 */
    int count;               /* 1 .. SV_MEDIA_MAX_PARTS */
} sv__media_part;

#define SV_MEDIA_MAX_PARTS 8

/*
 * Like sv__media_ingest_protected for one part: writes its renditions'
 * folders (video/<h>p/, and audio/ and thumbs/ for part 0) and part.json,
 * the record sv__media_assemble() reads (renditions and their segment
 * timing and sizes), but no playlist or MPD. *res holds the part's
 * renditions. A part may hold no rendition (more parts than rungs).
 */
int sv__media_ingest_part(const char *input, const char *out_dir, const sv__ladder *ladder,
                          const sv__media_protection *prot, const sv__media_part *part,
                          sv__media_progress_fn progress, void *opaque,
                          const volatile int *cancel, sv__media_result *res,
                          char *errbuf, size_t errlen);

/*
 * Packages the folders of all `nb_parts` parts of one ingest into `out_dir`
 * (created; must not exist; on the same file system as the parts): links
 * their renditions' files in (hard links: the parts stay as they are, so an
 * interrupted assembly can run again) and writes the playlists,
 * master.m3u8 and manifest.mpd, exactly as
 * sv__media_ingest would have for the whole ingest, then fsyncs. `prot` is
 * the protection the parts were encrypted under (NULL: clear). Fills *res
 * like sv__media_ingest (transcode_s is the longest part's). Returns 0, or
 * SV_ERR_INVALID when the parts do not fit together (a part missing or
 * twice, rungs with different segment timing: workers with different ladder
 * settings), SV_ERR_IO, SV_ERR_NOMEM, with a reason in errbuf.
 */
int sv__media_assemble(const char *const *part_dirs, int nb_parts, const char *out_dir,
                       const sv__media_protection *prot, sv__media_result *res,
                       char *errbuf, size_t errlen);

/*
 * Ingests `input` into `out_dir` (created; must not exist; its parent must).
 * `ladder` NULL means sv__ladder_default(). `cancel` may be NULL; when it
 * becomes non-zero the job stops soon (checked after every packet and
 * decoded frame) with SV_ERR_CANCELLED. Returns 0 and fills *res, or a
 * negative code with a reason in errbuf: SV_ERR_IO (unreadable, missing or
 * truncated input, disk), SV_ERR_UNSUPPORTED (no video stream, codec not
 * decodable), SV_ERR_DECODE (no frame decodes), SV_ERR_INVALID (bad ladder),
 * SV_ERR_CANCELLED. On failure out_dir may hold partial files; the caller
 * removes it. Reentrant: several ingests may run at once on different
 * threads (each starts one encoder thread per rung). Layout, encoding and
 * packaging details: docs/packaging.md.
 */
int sv__media_ingest(const char *input, const char *out_dir, const sv__ladder *ladder,
                     sv__media_progress_fn progress, void *opaque, const volatile int *cancel,
                     sv__media_result *res, char *errbuf, size_t errlen);

#endif
