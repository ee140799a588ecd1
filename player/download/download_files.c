/*
 * The files of a download: a fetched segment is checked (player/media's
 * segment check: fMP4 box by box, MPEG-TS in whole packets), hashed
 * (SHA-256, OpenSSL EVP) and written so that its name only ever holds the
 * whole file: NAME.part, fsync, rename, fsync of the folder.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "drm/cenc.h"
#include "drm/internal.h"
#include "platform/alloc.h"
#include "platform/fs.h"
#include "platform/hex.h"
#include "player/download/internal.h"
#include "player/media/media.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int is_fmp4_name(const char *p)
{
    return ends_with(p, ".mp4") || ends_with(p, ".m4s") || ends_with(p, ".m4a") ||
           ends_with(p, ".m4v") || ends_with(p, ".cmfv") || ends_with(p, ".cmfa");
}

int sv__dl_check_body(const char *path, const uint8_t *data, size_t size, char *why, size_t cap)
{
    if (ends_with(path, ".key")) {
        if (size == 16)
            return 0;
        snprintf(why, cap, "the AES-128 key is %zu bytes, not 16", size);
        return SV_ERR_PARSE;
    }
    if (is_fmp4_name(path)) {
        /* The segment check lets bytes that are no boxes at all pass (it
         * cannot tell a format it does not know); an .mp4/.m4s here must
         * start with a box header. */
        if (size < 8 || sv__rb32(data) < 8) {
            snprintf(why, cap, "not an ISO-BMFF file (%zu bytes)", size);
            return SV_ERR_PARSE;
        }
    }
    if (ends_with(path, ".ts") && (size == 0 || data[0] != 0x47)) {
        snprintf(why, cap, "not MPEG-TS (no sync byte)");
        return SV_ERR_PARSE;
    }
    return sv__segment_check(data, size, why, cap);
}

int sv__dl_check_aes(const char *dir, const char *key_path, const char *iv_hex,
                     const char *path, const uint8_t *data, size_t size,
                     const sv_allocator *alloc, char *why, size_t cap)
{
    char kp[4200];
    uint8_t *key = NULL, *clear = NULL, iv[16];
    size_t key_size = 0, n = 0;
    int ret;

    snprintf(kp, sizeof(kp), "%s/%s", dir, key_path);
    if ((ret = sv__file_read(kp, alloc, 64, &key, &key_size)) < 0 || key_size != 16) {
        snprintf(why, cap, "its AES-128 key %s cannot be read (%s)", kp,
                 ret < 0 ? strerror(errno) : "not 16 bytes");
        ret = SV_ERR_IO;
        goto done;
    }
    ret = SV_ERR_NOMEM;
    if (!iv_hex || sv__hex_decode(iv_hex, iv, 16) < 0) {
        snprintf(why, cap, "its AES-128 IV is not 32 hex digits");
        ret = SV_ERR_PARSE;
        goto done;
    }
    if (size && !(clear = sv__malloc(alloc, size)))
        goto done;
    if (size)
        memcpy(clear, data, size);
    if (sv__hls_aes128_decrypt(key, iv, clear, size, &n) < 0) {
        snprintf(why, cap, "AES-128 decryption with %s fails (%zu bytes: a wrong key, or "
                 "not a whole encrypted segment)", key_path, size);
        ret = SV_ERR_DRM;
        goto done;
    }
    ret = sv__dl_check_body(path, clear, n, why, cap);
done:
    if (key)
        memset(key, 0, key_size);
    sv__free(alloc, key);
    sv__free(alloc, clear);
    return ret;
}

void sv__dl_sha256_hex(const uint8_t *data, size_t size, char out[65])
{
    unsigned char md[32];
    unsigned int n = 0;

    if (!EVP_Digest(data, size, md, &n, EVP_sha256(), NULL) || n != 32)
        memset(md, 0, sizeof(md));
    sv__hex_encode(md, sizeof(md), out);
}

static void io_message(char *msg, size_t cap, const char *what, const char *path, int e)
{
    if (sv__errno_is_full(e))
        snprintf(msg, cap, "%s %s: the disk is full (%s)", what, path, strerror(e));
    else
        snprintf(msg, cap, "%s %s: %s", what, path, strerror(e));
}

/* mkdir -p of the folder holding `path`. */
static int make_parent(const char *path)
{
    char tmp[4096];
    const char *slash = strrchr(path, '/');
    if (!slash || (size_t)(slash - path) >= sizeof(tmp))
        return 0;
    memcpy(tmp, path, (size_t)(slash - path));
    tmp[slash - path] = '\0';
    return sv__mkdirs(tmp);
}

int sv__dl_write_file(const char *dir, const char *rel, const uint8_t *data, size_t size,
                      int mode, char *msg, size_t cap)
{
    char path[4096], part[4200], folder[4096];
    int e;

    if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, rel) >= sizeof(path)) {
        snprintf(msg, cap, "path too long: %s/%s", dir, rel);
        return SV_ERR_IO;
    }
    snprintf(part, sizeof(part), "%s.part", path);
    if (make_parent(path) < 0) {
        io_message(msg, cap, "cannot make the folder of", path, errno);
        return SV_ERR_IO;
    }
    remove(part); /* a leftover would keep its permissions */
    if (sv__file_write(part, data, size, (unsigned)mode) < 0) {
        e = errno;
        io_message(msg, cap, "cannot write", part, e);
        goto fail;
    }
    if (rename(part, path) != 0) {
        e = errno;
        io_message(msg, cap, "cannot rename", part, e);
        goto fail;
    }
    snprintf(folder, sizeof(folder), "%s", path);
    *strrchr(folder, '/') = '\0';
    if (sv__fsync_dir(folder) < 0) {
        e = errno;
        io_message(msg, cap, "cannot sync the folder", folder, e);
        goto fail;
    }
    return 0;
fail:
    remove(part);
    errno = e;
    return SV_ERR_IO;
}

int sv__dl_file_intact(const char *dir, const sv__dl_file *f, const sv_allocator *alloc)
{
    char path[4096], hex[65];
    uint8_t *data = NULL;
    size_t size = 0;

    snprintf(path, sizeof(path), "%s/%s", dir, f->path);
    if (!f->done || f->size < 0 || sv__file_size(path) != f->size ||
        sv__file_read(path, alloc, (size_t)f->size, &data, &size) < 0)
        return 0;
    sv__dl_sha256_hex(data, size, hex);
    sv__free(alloc, data);
    return strcmp(hex, f->sha256) == 0;
}

int64_t sv__dl_storage(const char *dir)
{
    return sv__tree_disk_bytes(dir);
}
