/*
 * sv-drm-decrypt-bench: CENC decryption throughput of drm/ (the player's
 * path: sv__cenc_parse_fragment + sv__cenc_decrypt_fragment through the
 * built-in ClearKey CDM) over a set of segments held in memory.
 *
 *   sv-drm-decrypt-bench KIDHEX KEYHEX SECONDS INIT SEG...
 *
 * Every round restores the encrypted bytes (outside the timed part), then
 * parses and decrypts every segment. Prints key=value lines: segment bytes,
 * AES bytes (the bytes the cipher really processes: protected ranges in
 * whole blocks, for cbcs only the crypt blocks of the pattern), seconds,
 * and MB/s of each (MB = 10^6 bytes, like `openssl speed`).
 * bench/decrypt.sh compares aes_mbps with OpenSSL's own figure.
 *
 * Time is the thread's CPU time (user + system), because `openssl speed`
 * divides by CPU (user) time too: on a shared machine wall time would charge
 * us for other processes' slices and OpenSSL not. Wall-clock figures are
 * printed as well (*_wall).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drm/cenc.h"
#include "platform/hex.h"
#include "platform/thread.h"
#include "streamverse/cdm.h"
#include "streamverse/common.h"

static uint8_t *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    uint8_t *d = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (d = malloc((size_t)n)) && fread(d, 1, (size_t)n, f) != (size_t)n) {
        free(d);
        d = NULL;
    }
    *size = d ? (size_t)n : 0;
    fclose(f);
    return d;
}

static int64_t cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return -1;
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Bytes AES processes in one protected range of `len` bytes. */
static uint64_t aes_bytes(uint64_t len, int ctr, int crypt, int skip)
{
    if (ctr && skip == 0)
        return len;
    uint64_t blocks = len / 16;
    if (skip == 0)
        return blocks * 16;
    uint64_t period = (uint64_t)crypt + (uint64_t)skip, full = blocks / period;
    uint64_t rest = blocks % period;
    return 16 * (full * (uint64_t)crypt + (rest < (uint64_t)crypt ? rest : (uint64_t)crypt));
}

int main(int argc, char **argv)
{
    uint8_t kid[16], key[16];
    sv__cenc_init init;
    sv_cdm *cdm = NULL;
    if (argc < 6 || sv__hex_decode(argv[1], kid, 16) < 0 || sv__hex_decode(argv[2], key, 16) < 0) {
        fprintf(stderr, "usage: %s KIDHEX KEYHEX SECONDS INIT SEG...\n", argv[0]);
        return 2;
    }
    double seconds = atof(argv[3]);
    size_t init_size, nb = (size_t)argc - 5;
    uint8_t *init_data = slurp(argv[4], &init_size);
    uint8_t **orig = calloc(nb, sizeof(*orig)), **work = calloc(nb, sizeof(*work));
    size_t *sizes = calloc(nb, sizeof(*sizes));
    if (!init_data || !orig || !work || !sizes || sv__cenc_parse_init(init_data, init_size, &init) < 0) {
        fprintf(stderr, "cannot read the init segment %s\n", argv[4]);
        return 1;
    }
    uint64_t seg_bytes = 0, aes_total = 0;
    for (size_t i = 0; i < nb; i++) {
        sv__cenc_fragment f = { 0 };
        if (!(orig[i] = slurp(argv[5 + i], &sizes[i])) || !(work[i] = malloc(sizes[i])) ||
            sv__cenc_parse_fragment(&init, orig[i], sizes[i], &f) < 0) {
            fprintf(stderr, "cannot read the segment %s\n", argv[5 + i]);
            return 1;
        }
        seg_bytes += sizes[i];
        for (size_t s = 0; s < f.nb_samples; s++) {
            const sv__cenc_sample *cs = &f.samples[s];
            int ctr = cs->scheme == SV_SCHEME_CENC || cs->scheme == SV_SCHEME_CENS;
            if (!cs->is_protected)
                continue;
            if (cs->nb_subsamples == 0)
                aes_total += aes_bytes(cs->size, ctr, cs->crypt_byte_block, cs->skip_byte_block);
            for (size_t k = 0; k < cs->nb_subsamples; k++)
                aes_total += aes_bytes(f.subsamples[cs->first_subsample + k].protected_bytes, ctr,
                                       cs->crypt_byte_block, cs->skip_byte_block);
        }
        sv__cenc_fragment_reset(&f);
    }
    if (sv_cdm_clearkey_create(&cdm) < 0 || sv_cdm_clearkey_add_key(cdm, kid, key) < 0) {
        fprintf(stderr, "cannot set up the ClearKey CDM\n");
        return 1;
    }
    if (cpu_ns() < 0) {
        fprintf(stderr, "no thread CPU clock\n");
        return 1;
    }
    int64_t spent = 0, wall = 0;
    int rounds = 0;
    while (spent < (int64_t)(seconds * 1e9) || rounds < 1) {
        for (size_t i = 0; i < nb; i++)
            memcpy(work[i], orig[i], sizes[i]);
        int64_t t0 = cpu_ns(), w0 = sv__monotonic_ns();
        for (size_t i = 0; i < nb; i++) {
            sv__cenc_fragment f = { 0 };
            int ret = sv__cenc_parse_fragment(&init, work[i], sizes[i], &f);
            if (ret == 0)
                ret = sv__cenc_decrypt_fragment(&f, work[i], sizes[i], cdm);
            sv__cenc_fragment_reset(&f);
            if (ret < 0) {
                fprintf(stderr, "decryption failed: %s\n", sv_strerror(ret));
                return 1;
            }
        }
        wall += sv__monotonic_ns() - w0;
        spent += cpu_ns() - t0;
        rounds++;
    }
    double s = (double)spent / 1e9, sw = (double)wall / 1e9;
    printf("segments=%zu\nrounds=%d\nseg_bytes=%llu\naes_bytes=%llu\nseconds=%.3f\n"
           "seconds_wall=%.3f\nseg_mbps=%.1f\naes_mbps=%.1f\naes_mbps_wall=%.1f\n", nb, rounds,
           (unsigned long long)seg_bytes, (unsigned long long)aes_total, s, sw,
           (double)seg_bytes * rounds / s / 1e6, (double)aes_total * rounds / s / 1e6,
           (double)aes_total * rounds / sw / 1e6);
    cdm->destroy(cdm);
    for (size_t i = 0; i < nb; i++) {
        free(orig[i]);
        free(work[i]);
    }
    free(orig);
    free(work);
    free(sizes);
    free(init_data);
    return 0;
}
