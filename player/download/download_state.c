/*
 * The state file of a download, download.json: what was chosen and every
 * file with its source, size and SHA-256 (internal.h). jansson reads and
 * writes it; every value read is checked before it is used, since the file
 * sits on a disk anyone with the device may edit (fuzz_download_state).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "platform/alloc.h"
#include "platform/fs.h"
#include "player/download/internal.h"

void sv__dl_state_clear(sv__dl_state *st)
{
    const sv_allocator *a = st->alloc;
    for (size_t i = 0; i < st->nb_tracks; i++) {
        sv__dl_track *t = &st->tracks[i];
        sv__free(a, t->dir);
        sv__free(a, t->language);
        sv__free(a, t->name);
        sv__free(a, t->codecs);
        sv__free(a, t->key_method);
        sv__free(a, t->key_uri);
        sv__free(a, t->key_format);
    }
    for (size_t i = 0; i < st->nb_files; i++) {
        sv__free(a, st->files[i].path);
        sv__free(a, st->files[i].url);
    }
    sv__free(a, st->tracks);
    sv__free(a, st->files);
    sv__free(a, st->url);
    *st = (sv__dl_state){ .alloc = a };
}

int sv__dl_path_safe(const char *p)
{
    /* No '"': the paths go into playlists, some inside quoted strings. */
    if (!p || !*p || *p == '/' || strchr(p, '\\') || strchr(p, '"') || strlen(p) > 200)
        return 0;
    for (const char *s = p; *s;) {
        const char *e = strchr(s, '/');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
            return 0;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] < 0x20)
                return 0;
        s += n + (e ? 1 : 0);
        if (e && !*s)
            return 0;
    }
    return 1;
}

/* ---- reading ---------------------------------------------------------- */

typedef struct reader {
    const sv_allocator *alloc;
    char *why;
    size_t cap;
    int err;
} reader;

static void bad(reader *r, const char *what)
{
    if (!r->err) {
        snprintf(r->why, r->cap, "%s", what);
        r->err = SV_ERR_PARSE;
    }
}

/* A string member copied, or NULL (with an error unless optional). */
static char *str_of(reader *r, json_t *o, const char *key, int optional)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v)) {
        if (!optional) {
            char m[96];
            snprintf(m, sizeof(m), "\"%s\" is missing", key);
            bad(r, m);
        }
        return NULL;
    }
    if (!json_is_string(v)) {
        char m[96];
        snprintf(m, sizeof(m), "\"%s\" is not a string", key);
        bad(r, m);
        return NULL;
    }
    char *s = sv__strdup(r->alloc, json_string_value(v));
    if (!s && !r->err)
        r->err = SV_ERR_NOMEM;
    return s;
}

static int64_t int_of(reader *r, json_t *o, const char *key, int64_t lo, int64_t hi)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi) {
        char m[96];
        snprintf(m, sizeof(m), "\"%s\" is not an integer in %lld..%lld", key, (long long)lo,
                 (long long)hi);
        bad(r, m);
        return lo;
    }
    return json_integer_value(v);
}

static void read_track(reader *r, json_t *o, sv__dl_track *t)
{
    const char *type = json_string_value(json_object_get(o, "type"));
    if (!json_is_object(o) || !type)
        return bad(r, "a track is not an object with a \"type\"");
    t->type = !strcmp(type, "video")   ? SV_TRACK_VIDEO
              : !strcmp(type, "audio") ? SV_TRACK_AUDIO
              : !strcmp(type, "text")  ? SV_TRACK_TEXT
                                       : (bad(r, "a track's type is not video, audio or text"),
                                         SV_TRACK_VIDEO);
    t->dir = str_of(r, o, "dir", 0);
    t->language = str_of(r, o, "language", 0);
    t->name = str_of(r, o, "name", 0);
    t->codecs = str_of(r, o, "codecs", 0);
    t->bandwidth = int_of(r, o, "bandwidth", 0, INT64_C(1) << 40);
    t->width = (int)int_of(r, o, "width", 0, 65535);
    t->height = (int)int_of(r, o, "height", 0, 65535);
    json_t *fr = json_object_get(o, "frame_rate");
    t->frame_rate = json_is_number(fr) ? json_number_value(fr) : 0;
    if (!(t->frame_rate >= 0 && t->frame_rate < 1000))
        bad(r, "a track's frame_rate is out of range");
    t->key_method = str_of(r, o, "key_method", 1);
    t->key_uri = str_of(r, o, "key_uri", 1);
    t->key_format = str_of(r, o, "key_format", 1);
    t->encrypted = json_is_true(json_object_get(o, "encrypted")) || t->key_method;
    if (t->dir && !sv__dl_path_safe(t->dir))
        bad(r, "a track's dir leaves the download folder");
}

static int hex_n(const char *s, size_t n)
{
    if (!s || strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static void read_file(reader *r, json_t *o, sv__dl_file *f, size_t nb_tracks, size_t nb_files)
{
    if (!json_is_object(o))
        return bad(r, "a file is not an object");
    f->track = (int)int_of(r, o, "track", 0, nb_tracks ? (int64_t)nb_tracks - 1 : -1);
    f->path = str_of(r, o, "path", 0);
    f->url = str_of(r, o, "url", 0);
    f->offset = int_of(r, o, "offset", 0, INT64_MAX);
    f->length = int_of(r, o, "length", -1, INT64_MAX);
    f->is_init = json_is_true(json_object_get(o, "is_init"));
    f->init = (int)int_of(r, o, "init", -1, (int64_t)nb_files - 1);
    /* AES-128 (optional: a state file written before them has none). */
    f->is_key = json_is_true(json_object_get(o, "is_key"));
    f->key = json_object_get(o, "key") ? (int)int_of(r, o, "key", -1, (int64_t)nb_files - 1)
                                       : -1;
    const char *iv = json_string_value(json_object_get(o, "iv"));
    if (f->key >= 0 && !(iv && hex_n(iv, 32)))
        bad(r, "an encrypted segment has no \"iv\" of 32 hex digits");
    else if (f->key >= 0)
        memcpy(f->iv, iv, 33);
    json_t *d = json_object_get(o, "duration");
    f->duration = json_is_number(d) ? json_number_value(d) : -1;
    if (!(f->duration >= 0 && f->duration < 86400))
        bad(r, "a file's duration is out of range");
    f->disc = int_of(r, o, "disc", 0, INT64_MAX);
    f->done = json_is_true(json_object_get(o, "done"));
    f->size = int_of(r, o, "size", -1, INT64_C(1) << 40);
    const char *h = json_string_value(json_object_get(o, "sha256"));
    if (f->done && (!hex_n(h, 64) || f->size < 0))
        bad(r, "a finished file has no size or no sha256 of 64 hex digits");
    if (h && hex_n(h, 64))
        memcpy(f->sha256, h, 65);
    if (f->path && !sv__dl_path_safe(f->path))
        bad(r, "a file's path leaves the download folder");
}

static void read_lists(reader *r, sv__dl_state *st, json_t *tracks, json_t *files)
{
    size_t nt = json_array_size(tracks), nf = json_array_size(files);
    if (!json_is_array(tracks) || !json_is_array(files) || nt > 16 || nf > 1000000)
        return bad(r, "\"tracks\" or \"files\" is not an array of a sensible length");
    if ((nt && !(st->tracks = sv__calloc(r->alloc, nt, sizeof(*st->tracks)))) ||
        (nf && !(st->files = sv__calloc(r->alloc, nf, sizeof(*st->files))))) {
        r->err = SV_ERR_NOMEM;
        return;
    }
    for (size_t i = 0; i < nt && !r->err; i++, st->nb_tracks++)
        read_track(r, json_array_get(tracks, i), &st->tracks[i]);
    for (size_t i = 0; i < nf && !r->err; i++, st->nb_files++)
        read_file(r, json_array_get(files, i), &st->files[i], nt, nf);
    for (size_t i = 0; i < st->nb_files && !r->err; i++) {
        const sv__dl_file *f = &st->files[i];
        if (f->init >= 0 && (!st->files[f->init].is_init || f->is_init))
            bad(r, "a segment's init is not an init file");
        if (f->is_key && (f->is_init || f->init >= 0 || f->key >= 0))
            bad(r, "a key file is also an init file or a segment");
        if (f->key >= 0 && (!st->files[f->key].is_key || f->is_init))
            bad(r, "a segment's key is not a key file");
    }
}

int sv__dl_state_parse(sv__dl_state *st, const char *text, size_t len, char *why, size_t cap)
{
    reader r = { .alloc = st->alloc, .why = why, .cap = cap };
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

    *st = (sv__dl_state){ .alloc = r.alloc };
    if (!root) {
        snprintf(why, cap, "not JSON: %s (line %d)", jerr.text, jerr.line);
        return SV_ERR_PARSE;
    }
    if (!json_is_object(root))
        bad(&r, "not a JSON object");
    else if (int_of(&r, root, "version", 1, 1000) != SV__DL_STATE_VERSION && !r.err)
        bad(&r, "a state file version this library does not know");
    if (!r.err) {
        st->url = str_of(&r, root, "url", 0);
        st->complete = json_is_true(json_object_get(root, "complete"));
        read_lists(&r, st, json_object_get(root, "tracks"), json_object_get(root, "files"));
    }
    json_decref(root);
    if (r.err)
        sv__dl_state_clear(st);
    return r.err;
}

/* ---- writing ---------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *track_json(const sv__dl_track *t)
{
    static const char *const types[] = { "video", "audio", "text" };
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:i, s:i, s:f, s:o, s:o, s:o, s:b}", "type",
                     types[t->type <= SV_TRACK_TEXT ? t->type : 0], "dir", t->dir, "language",
                     t->language, "name", t->name, "codecs", t->codecs, "bandwidth",
                     (json_int_t)t->bandwidth, "width", t->width, "height", t->height,
                     "frame_rate", t->frame_rate, "key_method", str_or_null(t->key_method),
                     "key_uri", str_or_null(t->key_uri), "key_format",
                     str_or_null(t->key_format), "encrypted", t->encrypted);
}

static json_t *file_json(const sv__dl_file *f)
{
    json_t *o = json_pack("{s:i, s:s, s:s, s:I, s:I, s:b, s:i, s:f, s:I, s:b, s:I, s:s}", "track",
                          f->track, "path", f->path, "url", f->url, "offset",
                          (json_int_t)f->offset, "length", (json_int_t)f->length, "is_init",
                          f->is_init, "init", f->init, "duration", f->duration, "disc",
                          (json_int_t)f->disc, "done", f->done, "size",
                          (json_int_t)(f->done ? f->size : -1), "sha256",
                          f->done ? f->sha256 : "");
    /* AES-128 members only where they mean something: a clear download's
     * state file stays as earlier versions of this library wrote it. */
    if (o && f->is_key && json_object_set_new(o, "is_key", json_true()) < 0)
        goto fail;
    if (o && f->key >= 0 && (json_object_set_new(o, "key", json_integer(f->key)) < 0 ||
                             json_object_set_new(o, "iv", json_string(f->iv)) < 0))
        goto fail;
    return o;
fail:
    json_decref(o);
    return NULL;
}

char *sv__dl_state_format(const sv__dl_state *st)
{
    json_t *tracks = json_array(), *files = json_array(), *root = NULL;
    char *out = NULL;
    int failed = !tracks || !files;

    for (size_t i = 0; i < st->nb_tracks && !failed; i++)
        failed = json_array_append_new(tracks, track_json(&st->tracks[i])) < 0;
    for (size_t i = 0; i < st->nb_files && !failed; i++)
        failed = json_array_append_new(files, file_json(&st->files[i])) < 0;
    if (!failed)
        root = json_pack("{s:i, s:s, s:b, s:O, s:O}", "version", SV__DL_STATE_VERSION, "url",
                         st->url ? st->url : "", "complete", st->complete, "tracks", tracks,
                         "files", files);
    /* json_dumpb into our own memory: json_dumps would allocate with
     * jansson's allocator, not the download's. */
    size_t n = root ? json_dumpb(root, NULL, 0, JSON_COMPACT) : 0;
    if (n && (out = sv__malloc(st->alloc, n + 1))) {
        json_dumpb(root, out, n, JSON_COMPACT);
        out[n] = '\0';
    }
    json_decref(root);
    json_decref(tracks);
    json_decref(files);
    return out;
}

int sv__dl_state_save(const sv__dl_state *st, const char *dir)
{
    char *text = sv__dl_state_format(st);
    char *tmp = sv__asprintf(st->alloc, "%s/" SV__DL_STATE_FILE ".tmp", dir);
    char *path = sv__asprintf(st->alloc, "%s/" SV__DL_STATE_FILE, dir);
    int ret = SV_ERR_NOMEM;

    if (!text || !tmp || !path)
        goto done;
    ret = sv__file_write(tmp, text, strlen(text), 0644);
    if (ret == 0 && rename(tmp, path) != 0)
        ret = SV_ERR_IO;
    if (ret == 0)
        ret = sv__fsync_dir(dir);
    if (ret < 0) {
        int e = errno;
        remove(tmp);
        errno = e;
    }
done:
    sv__free(st->alloc, text);
    sv__free(st->alloc, tmp);
    sv__free(st->alloc, path);
    return ret;
}

int sv__dl_state_load(sv__dl_state *st, const char *dir, char *why, size_t cap)
{
    char *path = sv__asprintf(st->alloc, "%s/" SV__DL_STATE_FILE, dir);
    char *text = NULL;
    int ret = SV_ERR_NOMEM;
    FILE *fp = NULL;
    long n;

    *st = (sv__dl_state){ .alloc = st->alloc };
    if (!path)
        goto done;
    if (!(fp = fopen(path, "rb"))) {
        ret = errno == ENOENT ? SV_ERR_NOT_FOUND : SV_ERR_IO;
        snprintf(why, cap, "%s: %s", path, strerror(errno));
        goto done;
    }
    ret = SV_ERR_IO;
    if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0 ||
        n > 256L * 1024 * 1024) {
        snprintf(why, cap, "%s: cannot be read whole", path);
        goto done;
    }
    ret = SV_ERR_NOMEM;
    if (!(text = sv__malloc(st->alloc, (size_t)n + 1)))
        goto done;
    ret = SV_ERR_IO;
    if (fread(text, 1, (size_t)n, fp) != (size_t)n) {
        snprintf(why, cap, "%s: read error", path);
        goto done;
    }
    ret = sv__dl_state_parse(st, text, (size_t)n, why, cap);
done:
    if (fp)
        fclose(fp);
    sv__free(st->alloc, text);
    sv__free(st->alloc, path);
    return ret;
}
