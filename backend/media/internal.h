/*
 * backend/media/internal.h - the pieces of the media pipeline and the seams
 * between them. backend/media.h is the contract with the job layer; this
 * header is only for the files in backend/media/.
 *
 * Data flow (one ingest):
 *
 *   ingest.c    demux + decode once (calling thread)
 *     |-- video frames (refcounted, shared) --> rung.c, one thread per rung
 *     |       and codec: swscale -> libx264 / libx265 / libsvtav1 (codecs.c)
 *     |       -> fmp4.c -> [encrypt.c] -> segwriter.c -> files
 *     |-- audio packets --> audio.c: decode -> swresample -> AAC -> fmp4.c -> segwriter.c
 *     |-- video frames every thumb_interval_s --> thumbs.c -> JPEG files
 *     '-- video frames every tile_interval_s --> tiles.c -> JPEG grids
 *   then hls.c and dash.c write the manifests from the segment records.
 *
 * The fragment seam (fmp4.c -> segwriter.c) is where a later stage (CENC
 * encryption, drm/) plugs in: fmp4.c hands over each finished fragment as
 * the exact moof+mdat bytes plus its sample table (sizes, times, sync
 * flags). An encrypting sink rewrites that moof (adding senc/saiz/saio) and
 * encrypts the mdat payload sample by sample using the table, then passes
 * the result on to the segment writer. The init segment goes through the
 * same seam so its moov can gain sinf/pssh.
 */
#ifndef SV_BACKEND_MEDIA_INTERNAL_H
#define SV_BACKEND_MEDIA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "backend/media.h"
#include "drm/package.h"
#include "platform/buf.h"

/* ---- files ---------------------------------------------------------------
 * Folders and files go through platform/fs.h (sv__mkdir, sv__file_write,
 * sv__fsync_dir), which keep errno; sv__media_ioerr() below turns a failure
 * into the stage's message. */

/* ---- background file writer (writer.c) ---------------------------------- */

/* One thread per ingest that writes files the way sv__file_write() does
 * (create, write, fsync, close), in the order they were submitted, so
 * that the decoding and encoding threads never wait on the disk. */
typedef struct sv__writer sv__writer;

/* Starts the writer thread. 0, or SV_ERR_NOMEM / SV_ERR_INTERNAL. */
int sv__writer_start(sv__writer **out, char *errbuf, size_t errlen);
/* Queues a file: copies `path` and the `size` bytes of `data` (the caller
 * keeps its buffer). Any thread. Blocks while 64 MiB are already waiting
 * for the disk. Returns 0, or the error of an earlier write that failed
 * (SV_ERR_IO with its reason in errbuf; nothing is queued after it), or
 * SV_ERR_NOMEM. */
int sv__writer_submit(sv__writer *w, const char *path, const void *data, size_t size,
                      char *errbuf, size_t errlen);
/* Writes a file through `w`, or here and now when w is NULL (callers that
 * run without a writer thread). Returns 0 or < 0 with the reason. */
int sv__writer_put(sv__writer *w, const char *path, const void *data, size_t size,
                   char *errbuf, size_t errlen);
/* The same for the bytes of `b`, which it frees; a buffer whose growth
 * failed (b->err) is an out-of-memory error naming the file. */
struct sv__buf;
int sv__writer_put_buf(sv__writer *w, const char *path, struct sv__buf *b, char *errbuf,
                       size_t errlen);
/* Waits until every file submitted so far is written and fsync'ed. 0, or
 * the first write error with its reason. */
int sv__writer_flush(sv__writer *w, char *errbuf, size_t errlen);
/* Stops the thread. Files still queued are dropped: a writer destroyed
 * without a successful flush belongs to a failed ingest. Call it after every
 * thread that submits has stopped. NULL is a no-op. */
void sv__writer_destroy(sv__writer *w);

/* ---- the fragment seam (fmp4.c -> sink) ---------------------------------- */

typedef struct sv__sample_info {
    uint32_t size;           /* packet bytes (H.264: before the muxer turns start codes into lengths) */
    int64_t dts, pts;        /* in the fragment's timescale, as muxed */
    int64_t duration;
    int keyframe;
} sv__sample_info;

typedef struct sv__fragment {
    int number;              /* 1, 2, ... (also the file number seg-<n>.m4s) */
    const uint8_t *data;     /* moof+mdat (and styp if any), exactly as muxed */
    size_t size;
    int timescale;           /* of the times below (the track timescale) */
    int64_t start_pts;       /* earliest presentation time, >= 0 */
    int64_t duration;        /* presentation duration of the fragment */
    const sv__sample_info *samples;  /* in decode order */
    int nb_samples;
    /* Video: a segment comes in two calls with the same number, each one
     * moof+mdat: first its key frame alone (key_chunk = 1), then the rest
     * of its frames (key_chunk = 0), so that the first bytes of every
     * segment are a decodable fragment holding just the key frame (the HLS
     * I-frame playlists and the DASH trick-mode sets address that range).
     * A call with key_chunk = 0 ends the segment; a segment of one frame is
     * one such call. Audio: always 0. */
    int key_chunk;
} sv__fragment;

/* A sink receives the init segment once, then every fragment in order.
 * Both pointers are valid only during the call. Return 0 or a negative
 * SV_ERR_* code (with errbuf filled) to stop the pipeline. */
typedef struct sv__frag_sink {
    int (*init)(void *opaque, const uint8_t *data, size_t size, char *errbuf, size_t errlen);
    int (*fragment)(void *opaque, const sv__fragment *frag, char *errbuf, size_t errlen);
    void *opaque;
} sv__frag_sink;

/* ---- CENC encryption (encrypt.c, encrypt_init.c) ------------------------ */

/* A sink that encrypts what passes through it and hands the result on to
 * `next`: the init segment gains encv/enca + sinf and two pssh boxes, every
 * fragment gets its samples encrypted in place in mdat and senc + saiz +
 * saio in its traf (trun data offsets moved by the bytes added to moof). */
typedef struct sv__encsink sv__encsink;

/* With prot NULL or scheme NONE: *out = next and *enc = NULL (clear
 * output). Otherwise creates the encrypting sink in *enc (destroy it after
 * the muxer) and sets *out to it. `is_video`: video subsamples by the
 * codec of the init's sample entry (AVC: NAL headers clear; HEVC: NAL and
 * slice headers clear; AV1: only tile data protected), else whole samples.
 * `prot` must outlive the sink. Returns 0 or SV_ERR_NOMEM / SV_ERR_INTERNAL
 * with errbuf. */
int sv__encsink_wrap(sv__encsink **enc, const sv__media_protection *prot, int is_video,
                     sv__frag_sink next, sv__frag_sink *out, char *errbuf, size_t errlen);
void sv__encsink_destroy(sv__encsink *e);

/* Protection of one track as written into its init segment. */
typedef struct sv__track_protection {
    uint32_t scheme_type;    /* 'cenc' or 'cbcs' */
    uint8_t kid[16];
    uint8_t iv_size;         /* per-sample IV bytes in senc: 8, or 0 with a constant IV */
    uint8_t constant_iv[16];
    uint8_t crypt_byte_block, skip_byte_block;
} sv__track_protection;

/* Rewrites a clear init segment (ftyp + moov with one track) into its
 * protected form: the avc1/hvc1/av01/mp4a sample entry becomes encv/enca with a sinf
 * (frma, schm, schi/tenc), and moov gains a W3C common pssh (v1, the KID)
 * and a DASH-IF ClearKey pssh (v1, the KID). *nal_length_size is set from
 * avcC or hvcC (0 when the track has neither). Returns 0 with a new buffer in *out
 * (free()), SV_ERR_PARSE when the init is not what the muxer writes, or
 * SV_ERR_NOMEM. */
int sv__encrypt_init(const uint8_t *data, size_t size, const sv__track_protection *tp,
                     uint8_t **out, size_t *out_size, int *nal_length_size);

/* Writes `n` bytes as base64 (standard alphabet, padded) into out[cap].
 * Returns the length or SV_ERR_OVERFLOW. */
int sv__media_base64(const uint8_t *in, size_t n, char *out, size_t cap);

/* The pssh box of a system (W3C common or DASH-IF ClearKey) for one KID,
 * as base64 for manifests (cenc:pssh, HLS data: URIs). */
int sv__pssh_base64(const uint8_t system_id[16], const uint8_t kid[16], char *out, size_t cap);

extern const uint8_t sv__system_w3c_common[16];
extern const uint8_t sv__system_dashif_clearkey[16];

/* ---- segment records (segwriter.c) ------------------------------------- */

typedef struct sv__seg_record {
    int64_t start_pts;       /* track timescale */
    int64_t duration;
    int64_t bytes;
    int64_t key_bytes;       /* video: bytes of the key frame's moof+mdat at the
                              * start of the segment file; 0: none (audio) */
} sv__seg_record;

/* The default sink: writes <dir>/init.mp4 and <dir>/seg-<n>.m4s, each
 * fsync'ed, and keeps one record per segment for the manifests. With a
 * writer the files are queued to it (durable after sv__writer_flush());
 * the records are kept at once either way. */
typedef struct sv__segwriter {
    char dir[4096];
    sv__writer *writer;      /* not owned; NULL: write in the caller's thread */
    int timescale;
    sv__seg_record *segs;
    int nb_segs, cap_segs;
    int64_t total_bytes;
    sv__buf pending;         /* the key chunk of the segment being written */
    int64_t pending_start, pending_end;
} sv__segwriter;

int sv__segwriter_init(sv__segwriter *w, const char *dir, sv__writer *writer,
                       char *errbuf, size_t errlen);
sv__frag_sink sv__segwriter_sink(sv__segwriter *w);
/* Peak and average bit/s over the segments (HLS BANDWIDTH/AVERAGE-BANDWIDTH). */
void sv__segwriter_bandwidth(const sv__segwriter *w, int64_t *peak, int64_t *average);
/* Peak and average bit/s of the key frames alone (the I-frame playlists'
 * BANDWIDTH and AVERAGE-BANDWIDTH, the trick-mode Representations');
 * 0 when a segment has no key chunk recorded. */
void sv__segwriter_key_bandwidth(const sv__segwriter *w, int64_t *peak, int64_t *average);
/* 1 when every segment starts with a key chunk (video written since the
 * key chunks exist), else 0. */
int sv__segwriter_has_keys(const sv__segwriter *w);
/* Sum of the segment durations, seconds. */
double sv__segwriter_duration(const sv__segwriter *w);
void sv__segwriter_free(sv__segwriter *w);

/* ---- fragmented MP4 muxing (fmp4.c) ----------------------------------- */

typedef struct sv__fmp4 sv__fmp4;

/* Opens an fMP4 muxer for one stream described by `enc` (opened encoder;
 * its time_base is the packets' time base). Output goes to `sink`. */
int sv__fmp4_open(sv__fmp4 **out, const AVCodecContext *enc, sv__frag_sink sink,
                  char *errbuf, size_t errlen);
/* Video: with on != 0 the key frame that starts a fragment is flushed as a
 * fragment of its own (key_chunk = 1, see sv__fragment) as soon as a second
 * frame follows; off (the default, the live ladder's parts) a cut is one
 * fragment. The VOD rungs turn it on (rung.c) unless sv__ladder.no_extras.
 * Call before the first write. */
void sv__fmp4_set_key_chunks(sv__fmp4 *m, int on);
/* Cuts a fragment here: the packets written so far become one fragment.
 * Does nothing when no packet is pending. */
int sv__fmp4_cut(sv__fmp4 *m, char *errbuf, size_t errlen);
/* Writes one encoded packet (in the encoder time base, pkt->duration set).
 * Takes the packet's reference. */
int sv__fmp4_write(sv__fmp4 *m, AVPacket *pkt, char *errbuf, size_t errlen);
/* Cuts the last fragment and ends the stream. */
int sv__fmp4_finish(sv__fmp4 *m, char *errbuf, size_t errlen);
/* A video track's RFC 6381 string, read from its init segment ("" before
 * the init was written). */
const char *sv__fmp4_codecs(const sv__fmp4 *m);
void sv__fmp4_destroy(sv__fmp4 *m);

/* ---- the video track's configuration (codec_string.c) -------------------- */

typedef struct sv__video_config {
    uint32_t entry;          /* sample entry: avc1, hvc1, hev1, av01 (or another) */
    const uint8_t *config;   /* payload of its avcC / hvcC / av1C */
    size_t config_size;
    const uint8_t *colr;     /* colr nclx fields after "nclx" (7 bytes), or NULL */
    size_t colr_size;
} sv__video_config;

/* Finds the first sample entry of a clear init segment and its decoder
 * configuration box; the pointers go into `init`. 0 or SV_ERR_PARSE (no
 * sample entry, or one without avcC/hvcC/av1C). */
int sv__init_video_config(const uint8_t *init, size_t size, sv__video_config *out);
/* The RFC 6381 string of that configuration ("avc1.64001f",
 * "hvc1.1.6.L93.90", "av01.0.04M.08"). 0, SV_ERR_PARSE, SV_ERR_UNSUPPORTED
 * (another sample entry) or SV_ERR_OVERFLOW. */
int sv__codec_string(const sv__video_config *vc, char *out, size_t cap);

/* ---- where HEVC and AV1 samples may be encrypted (layout_hevc.c, layout_av1.c)
 *
 * The CENC rules of these codecs need the bitstream's syntax: HEVC keeps
 * each slice header clear (its length depends on the SPS and PPS), AV1
 * protects only the tile data of Frame and Tile Group OBUs (after the frame
 * header, whose length depends on the sequence header and on the reference
 * frames' state). A layout follows one track's samples in decode order
 * with GStreamer's parsers and says which byte ranges hold that data;
 * drm/'s sv__cenc_range_subsamples() turns them into subsamples. */
typedef struct sv__layout sv__layout;

/* For the track of `vc` (hvc1/hev1 or av01): 0 with a new layout in *out,
 * SV_ERR_UNSUPPORTED (another codec), SV_ERR_PARSE (its configuration does
 * not parse) or SV_ERR_NOMEM. */
int sv__layout_create(const sv__video_config *vc, sv__layout **out);
/* The ranges of one sample (the next in decode order) that may be
 * protected, in order, into out[max]: HEVC the slice data of every VCL NAL
 * unit, AV1 every tile's decode_tile() bytes. Returns their count,
 * SV_ERR_PARSE when the sample does not parse, SV_ERR_OVERFLOW. */
int sv__layout_sample(sv__layout *l, const uint8_t *sample, size_t size, sv__cenc_range *out,
                      size_t max);
void sv__layout_destroy(sv__layout *l);
int sv__layout_create_hevc(const sv__video_config *vc, sv__layout **out);
int sv__layout_create_av1(const sv__video_config *vc, sv__layout **out);

/* ---- video rungs (rung.c) ---------------------------------------------- */

typedef struct sv__rung_job sv__rung_job;

typedef struct sv__rung_params {
    int codec;               /* enum sv__video_codec */
    int width, height, bitrate_kbps;
    const char *preset;
    int threads;             /* x264 threads, 0 = auto */
    AVRational time_base;    /* of the frames handed in (1/fps) */
    AVRational frame_rate;
    int gop_frames;          /* frames per segment */
    const char *out_dir;     /* video/<h>p */
    const sv__media_protection *prot;  /* NULL: clear output */
    sv__writer *writer;      /* where the files go (must outlive the rung) */
    int no_key_chunks;       /* sv__ladder.no_extras: one fragment per segment */
} sv__rung_params;

/* Creates the encoder and muxer for one rung and starts its thread. */
int sv__rung_start(sv__rung_job **out, const sv__rung_params *p, char *errbuf, size_t errlen);
/* Hands a frame to the rung (adds a reference; the caller keeps its own).
 * `segment_start` forces an IDR. Blocks while the rung's queue is full.
 * frame == NULL marks the end. Returns 0, or the rung's error code once
 * it failed (the message is in sv__rung_error()). */
int sv__rung_push(sv__rung_job *r, const AVFrame *frame, int segment_start);
/* Waits for the thread (after the end mark or an abort); returns its
 * result. abort != 0 stops it without draining the queue. */
int sv__rung_join(sv__rung_job *r, int abort);
const char *sv__rung_error(const sv__rung_job *r);
const sv__segwriter *sv__rung_segments(const sv__rung_job *r);
/* After a successful join: the RFC 6381 string read from the init segment
 * ("avc1.PPCCLL", "hvc1...", "av01..."). */
const char *sv__rung_codecs(const sv__rung_job *r);
void sv__rung_destroy(sv__rung_job *r);

/* Opens libx264 with the ladder's settings for p's size, rate, preset,
 * threads and GOP (closed GOPs, keyframes only where forced, VBV peak =
 * rate over two seconds) into *out (freed by the caller, also on error),
 * and writes the "avc1.PPCCLL" string into codecs when it is not NULL. */
int sv__x264_open(const sv__rung_params *p, AVCodecContext **out, char *codecs, size_t codecs_len,
                  char *errbuf, size_t errlen);
/* Opens the rung's encoder (p->codec: libx264, libx265 or libsvtav1) with
 * the shared GOP and rate settings (codecs.c) into *out (freed by the
 * caller, also on error). 0, or SV_ERR_UNSUPPORTED naming the missing
 * encoder or the open that failed, SV_ERR_NOMEM, SV_ERR_INVALID. */
int sv__video_encoder_open(const sv__rung_params *p, AVCodecContext **out, char *errbuf,
                           size_t errlen);
/* Builds "avc1.PPCCLL" from H.264 extradata (Annex B or avcC). */
int sv__avc1_codecs(const uint8_t *extradata, int size, char *out, size_t outlen);

/* ---- the source (source.c) ------------------------------------------------ */

/* Opens `input`, its best video stream (not a cover picture) and a decoder
 * for it with `threads` threads (0: one per core), and guesses the frame
 * rate (25 when absent or above 240). Returns 0, or SV_ERR_IO /
 * SV_ERR_UNSUPPORTED / SV_ERR_NOMEM with a reason in errbuf; *ic and *dec
 * may be set either way and are the caller's to close and free. */
int sv__video_open(const char *input, int threads, AVFormatContext **ic, AVStream **vst,
                   AVCodecContext **dec, AVRational *fps, char *errbuf, size_t errlen);

/* ---- quality measurement (quality.c) ------------------------------------- */

/* PSNR and SSIM of frame pairs of one size (YUV 4:2:0, 8-bit) through
 * libavfilter's psnr and ssim filters. */
typedef struct sv__quality sv__quality;

int sv__quality_open(int width, int height, sv__quality **out, char *errbuf, size_t errlen);
/* Measures one pair (the frames are referenced, not kept). */
int sv__quality_push(sv__quality *q, const AVFrame *dist, const AVFrame *ref, char *errbuf,
                     size_t errlen);
/* PSNR (dB, from the mean MSE over all frames) and mean SSIM. SV_ERR_INVALID
 * when no pair was pushed. */
int sv__quality_finish(sv__quality *q, double *psnr, double *ssim, char *errbuf, size_t errlen);
/* PSNR of the pairs measured so far (NAN before the first one comes out). */
double sv__quality_peek(const sv__quality *q);
void sv__quality_close(sv__quality *q);
/* 8-bit PSNR of a mean squared error; 100 dB for an exact copy. */
double sv__psnr_from_mse(double mse);

/* ---- audio (audio.c) --------------------------------------------------- */

typedef struct sv__audio_job sv__audio_job;

/* `start_time` (AV_TIME_BASE units) is the source's zero; `dir` is audio/;
 * the segment files go through `writer` (NULL: written in the caller). */
int sv__audio_open(sv__audio_job **out, const AVStream *st, int64_t start_time,
                   int bitrate_kbps, double segment_s, const char *dir,
                   const sv__media_protection *prot, sv__writer *writer,
                   char *errbuf, size_t errlen);
/* Decodes, resamples, encodes and muxes one source packet (NULL: drain). */
int sv__audio_packet(sv__audio_job *a, const AVPacket *pkt, char *errbuf, size_t errlen);
int sv__audio_finish(sv__audio_job *a, char *errbuf, size_t errlen);
const sv__segwriter *sv__audio_segments(const sv__audio_job *a);
/* Hands the FIFO's samples to the AAC encoder (opened by the caller) in
 * frames of its frame size, the partial rest too when `final`, with pts
 * from *next_pts (advanced); after each frame drain(opaque) takes the
 * packets. `out` is scratch. Shared by the VOD ingest and the live ladder.
 * Returns 0 or < 0 with a message in errbuf. */
struct AVAudioFifo;
int sv__aac_encode_fifo(AVCodecContext *enc, struct AVAudioFifo *fifo, AVFrame *out,
                        int64_t *next_pts, int final,
                        int (*drain)(void *opaque, char *err, size_t errlen), void *opaque,
                        char *errbuf, size_t errlen);
void sv__audio_destroy(sv__audio_job *a);

/* ---- JPEG pictures (jpeg.c) ---------------------------------------------- */

/* An mjpeg encoder and its picture, w x h full-range yuv420p; frames are
 * scaled into it and it is written as one JPEG file at a time. `what`
 * names the picture in error messages ("tile", "poster"). Zero it before
 * sv__jpeg_open; sv__jpeg_close frees what was made, also after a failure. */
struct SwsContext;
typedef struct sv__jpeg {
    AVCodecContext *enc;
    AVFrame *pic;
    AVPacket *pkt;
    struct SwsContext *sws;
} sv__jpeg;
/* The even height (at least 2) of a `width`-wide picture of the frame's
 * display aspect. */
int sv__jpeg_height(const AVFrame *frame, int width);
/* qscale: the encoder's quality, 2 (best) to 31. */
int sv__jpeg_open(sv__jpeg *j, int w, int h, int qscale, const char *what, char *errbuf,
                  size_t errlen);
/* Scales `frame` (its range as tagged) into the w x h area at even (x, y). */
int sv__jpeg_scale(sv__jpeg *j, const AVFrame *frame, int x, int y, int w, int h,
                   const char *what, char *errbuf, size_t errlen);
/* Encodes the picture (pts) to `path` through `writer` (NULL: written
 * here); *bytes (may be NULL) gets the file's size. */
int sv__jpeg_write(sv__jpeg *j, int64_t pts, const char *path, sv__writer *writer, int *bytes,
                   const char *what, char *errbuf, size_t errlen);
void sv__jpeg_close(sv__jpeg *j);

/* ---- thumbnails (thumbs.c) ----------------------------------------------- */

typedef struct sv__thumbs sv__thumbs;

/* The JPEGs go through `writer` (NULL: written in the caller). */
int sv__thumbs_open(sv__thumbs **out, double interval_s, const char *dir, sv__writer *writer,
                    char *errbuf, size_t errlen);
/* Offers a decoded frame at time t_s; writes a JPEG when t_s reaches the
 * next multiple of the interval. */
int sv__thumbs_offer(sv__thumbs *t, const AVFrame *frame, double t_s,
                     char *errbuf, size_t errlen);
int sv__thumbs_count(const sv__thumbs *t);
void sv__thumbs_destroy(sv__thumbs *t);

/* ---- thumbnail tiles (tiles.c) ---------------------------------------------
 * Seek thumbnails for players' scrub bars: SV__TILE_WIDTH-wide thumbnails
 * every tile_interval_s in JPEG grids of SV__TILE_COLS x SV__TILE_ROWS,
 * thumbs/tile-<n>.jpg, signalled in the HLS master (an image playlist) and
 * the MPD (an image AdaptationSet). */
#define SV__TILE_WIDTH 160
#define SV__TILE_COLS 5
#define SV__TILE_ROWS 5
#define SV__TILE_INTERVAL_DEFAULT 2.0

typedef struct sv__tiles_info {
    int count;               /* tile files written */
    int thumbs;              /* cells used, the last tile's included */
    double interval_s;       /* time between two thumbnails */
    int cols, rows;
    int thumb_width, thumb_height;
    int max_bytes;           /* the largest tile file (for BANDWIDTH) */
} sv__tiles_info;

typedef struct sv__tiles sv__tiles;

/* The JPEGs go through `writer` (NULL: written in the caller). */
int sv__tiles_open(sv__tiles **out, double interval_s, const char *dir, sv__writer *writer,
                   char *errbuf, size_t errlen);
/* Offers a decoded frame at time t_s; it fills the next cell when t_s
 * reaches the next multiple of the interval, and a full grid is written. */
int sv__tiles_offer(sv__tiles *t, const AVFrame *frame, double t_s, char *errbuf, size_t errlen);
/* Writes the last, partly filled tile. */
int sv__tiles_finish(sv__tiles *t, char *errbuf, size_t errlen);
const sv__tiles_info *sv__tiles_info_of(const sv__tiles *t);
void sv__tiles_destroy(sv__tiles *t);

/* ---- the poster (poster.c) ------------------------------------------------ */

typedef struct sv__poster sv__poster;

/* `path` is the JPEG to write (thumbs/poster.jpg), through `writer` (NULL:
 * in the caller); duration_s the probed duration (0: unknown). */
int sv__poster_open(sv__poster **out, double duration_s, const char *path, sv__writer *writer,
                    char *errbuf, size_t errlen);
/* Offers a decoded frame at time t_s; writes the poster once a frame at or
 * after 10 % of the duration is neither black nor flat. */
int sv__poster_offer(sv__poster *p, const AVFrame *frame, double t_s, char *errbuf,
                     size_t errlen);
/* At the end of the video: writes the best frame seen when none passed. */
int sv__poster_finish(sv__poster *p, char *errbuf, size_t errlen);
int sv__poster_done(const sv__poster *p);
void sv__poster_destroy(sv__poster *p);

/* ---- subtitles (subs_parse.c, subs.c) -------------------------------------- */

#define SV__SUBS_MAX_BYTES SV__MEDIA_SUBS_MAX_BYTES
#define SV__SUBS_MAX_CUES 100000
#define SV__SUBS_MAX_TEXT 4096

typedef struct sv__sub_cue {
    int64_t start_ms, end_ms;
    char *settings;          /* WebVTT cue settings as written, or NULL */
    char *text;              /* WebVTT cue text (lines joined by '\n') */
} sv__sub_cue;

typedef struct sv__sub_track {
    sv__sub_cue *cues;       /* in file order */
    int nb_cues;
    int webvtt_input;        /* the file was WebVTT (else SRT) */
} sv__sub_track;

/* Reads an SRT or WebVTT file (`name` for messages). 0 with *out filled
 * (free with sv__subs_free), or SV_ERR_PARSE / SV_ERR_OVERFLOW with a
 * message naming the file, the line and what was wrong, or SV_ERR_NOMEM. */
int sv__subs_parse(const char *data, size_t size, const char *name, sv__sub_track *out,
                   char *errbuf, size_t errlen);
void sv__subs_free(sv__sub_track *t);

#define SV__SUBS_LANG_MAX SV__MEDIA_LANG_MAX
/* A language tag: 2-3 letters, then "-" and 1-8 letters or digits, repeated. */
int sv__subs_lang_ok(const char *lang);
/* Reads and parses in->path (SV_ERR_INVALID for a bad language, SV_ERR_IO
 * when it cannot be read, else as sv__subs_parse). */
int sv__subs_load(const sv__subtitle_input *in, sv__sub_track *out, char *errbuf, size_t errlen);
/* Segments of a subtitle track: as many as the video's. */
int sv__subs_segments(double duration_s, double segment_s);
/* Writes subs/<lang>/seg-<n>.vtt and subs/<lang>/index.m3u8 through `w`
 * (NULL: in the caller). */
int sv__subs_write(const sv__sub_track *t, const char *lang, const char *out_dir,
                   double duration_s, double segment_s, sv__writer *w, char *errbuf,
                   size_t errlen);

/* Writes subs/<lang>/ttml-init.mp4 and ttml-<n>.m4s (TTML, IMSC1 text
 * profile, in fMP4 'stpp', one document per video segment) after
 * sv__subs_write made the folder (ttml.c). */
int sv__ttml_write(const sv__sub_track *t, const char *lang, const char *out_dir,
                   double duration_s, double segment_s, sv__writer *w, char *errbuf,
                   size_t errlen);

/* A subtitle track as the manifests list it. */
typedef struct sv__manifest_subs {
    char lang[SV__SUBS_LANG_MAX];
    int nb_segs;
} sv__manifest_subs;

/* Subtitles written into a packaged title's manifests (subs_manifest.c,
 * pure): the master playlist with one EXT-X-MEDIA TYPE=SUBTITLES line per
 * language of `subs` and SUBTITLES="subs" on every variant, the MPD with a
 * text/vtt and an stpp AdaptationSet per language at the end of its Period
 * (as hls.c and dash.c write them); earlier subtitle lines and sets are
 * replaced, n = 0 removes them. Return a malloc'd text (NUL-terminated)
 * and its length, or NULL (not a master playlist / MPD, or out of memory). */
char *sv__subs_master_rewrite(const char *text, size_t len, const sv__manifest_subs *subs, int n,
                              size_t *out_len);
char *sv__subs_mpd_rewrite(const char *xml, size_t len, const sv__manifest_subs *subs, int n,
                           double segment_s, size_t *out_len);
/* Reads from a title's MPD the segment duration it was cut at (the setting
 * of its ingest: the roundest duration its video's segment boundaries
 * allow, or that of subtitles already there) and its video's duration.
 * 0, or SV_ERR_UNSUPPORTED naming why subtitles cannot go in (not an MPD,
 * several Periods or a timeline not from 0: a recorded live event). */
int sv__subs_mpd_timing(const char *xml, size_t len, double *segment_s, double *duration_s,
                        char *errbuf, size_t errlen);

/* ---- manifests (hls.c, dash.c) ----------------------------------------- */

typedef struct sv__manifest_rendition {
    const sv__rendition_info *info;
    const sv__segwriter *segs;
    const char *path;        /* folder relative to out_dir: "video/720p", "audio" */
} sv__manifest_rendition;

typedef struct sv__manifest {
    const sv__manifest_rendition *video;
    int nb_video;
    const sv__manifest_rendition *audio;  /* NULL when the source has none */
    double duration_s;
    double segment_s;
    const sv__media_protection *prot;   /* NULL: clear */
    const sv__tiles_info *tiles;        /* NULL or count 0: no thumbnail tiles */
    const sv__manifest_subs *subs;      /* subtitle tracks, nb_subs of them */
    int nb_subs;
} sv__manifest;

int sv__hls_write(const sv__manifest *m, const char *out_dir, char *errbuf, size_t errlen);

/* Protection in the manifests (encrypt_manifest.c): the EXT-X-KEY line of a
 * media playlist; the MPD root's xmlns:cenc/xmlns:dashif attributes and an
 * AdaptationSet's ContentProtection elements (writer: an xmlTextWriterPtr).
 * Return 0, or a negative value when writing failed. */
int sv__hls_key_line(const sv__media_protection *prot, sv__buf *b);
int sv__dash_write_namespaces(void *writer);
int sv__dash_write_protection(void *writer, const sv__media_protection *prot);
int sv__dash_write(const sv__manifest *m, const char *out_dir, char *errbuf, size_t errlen);

/* ---- parts of an ingest (parts.c) ------------------------------------- */

/* Does rung i of a plan of n rungs (heights, ascending) belong to `part`?
 * Every part computes the same answer from the same plan. */
int sv__media_part_owns(const int *heights, int n, const sv__media_part *part, int i);

/* Writes <out_dir>/part.json: the part, the renditions it wrote (their
 * info and segment records), the duration, thumbnails, thumbnail tiles
 * (part 0's, NULL: none), poster and segment_s. */
int sv__media_part_save(const char *out_dir, const sv__media_part *part,
                        const sv__media_result *res, const sv__manifest_rendition *const *r,
                        int nb, double segment_s, const sv__tiles_info *tiles,
                        const sv__manifest_subs *subs, int nb_subs, char *errbuf,
                        size_t errlen);

/* ---- error messages (errors.c) ----------------------------------------- */

/* Formats an FFmpeg error code into errbuf after a prefix. Returns `code`. */
int sv__media_averr(char *errbuf, size_t errlen, int code, int averr, const char *what);
int sv__media_err(char *errbuf, size_t errlen, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* After a platform/fs.h call that returned `code`: when it failed, writes
 * "cannot <what> <path>: <strerror(errno)>" into errbuf. Returns `code`, so
 * `return sv__media_ioerr(errbuf, errlen, sv__mkdir(p, 0), "create", p);`
 * passes success through. */
int sv__media_ioerr(char *errbuf, size_t errlen, int code, const char *what, const char *path);

#endif
