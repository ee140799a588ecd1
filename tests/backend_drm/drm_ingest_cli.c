/*
 * sv-drm-ingest: drives sv__media_ingest_protected() with a fixed key for
 * the backend_drm tests and bench/decrypt.sh.
 *
 *   sv-drm-ingest INPUT OUT_DIR [--drm none|cenc|cbcs --kid HEX32 --key HEX32]
 *                 [--ladder 240:300,...] [--segment S] [--threads N]
 *
 * One encoder thread per rung and one decoder thread (--threads 1, the
 * default here) make x264's output the same from run to run, so a clear
 * build and an encrypted build of one input hold the same samples: what a
 * decryptor gives back can be compared with the clear build byte for byte.
 * Exits 0 after a complete build; 1 with "error=..." on stderr otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/log.h>

#include "backend/media.h"
#include "streamverse/common.h"

static int hex16(const char *s, uint8_t out[16])
{
    if (strlen(s) != 32)
        return -1;
    for (int i = 0; i < 16; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

static int parse_ladder(const char *spec, sv__ladder *l)
{
    const char *p = spec;
    l->nb_rungs = 0;
    while (*p) {
        char *end;
        long h = strtol(p, &end, 10);
        if (end == p || *end != ':' || l->nb_rungs == SV_MEDIA_MAX_RUNGS)
            return -1;
        p = end + 1;
        long kbps = strtol(p, &end, 10);
        if (end == p || (*end != ',' && *end != '\0'))
            return -1;
        l->rungs[l->nb_rungs++] = (sv__rung){ (int)h, (int)kbps };
        p = *end == ',' ? end + 1 : end;
    }
    return l->nb_rungs > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    sv__ladder ladder;
    sv__media_protection prot;
    int have_kid = 0, have_key = 0;
    memset(&prot, 0, sizeof(prot));
    sv__ladder_default(&ladder);
    ladder.threads = 1;
    prot.license_url = "/api/v1/license";
    if (argc < 3) {
        fprintf(stderr, "usage: %s INPUT OUT_DIR [--drm none|cenc|cbcs --kid HEX --key HEX] "
                        "[--ladder H:KBPS,...] [--segment S] [--threads N]\n", argv[0]);
        return 2;
    }
    for (int i = 3; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (!strcmp(a, "--drm")) {
            prot.scheme = !strcmp(v, "cenc") ? SV__PROTECT_CENC
                        : !strcmp(v, "cbcs") ? SV__PROTECT_CBCS
                        : !strcmp(v, "none") ? SV__PROTECT_NONE : -1;
            if (prot.scheme < 0) {
                fprintf(stderr, "bad --drm %s\n", v);
                return 2;
            }
        } else if (!strcmp(a, "--kid") && hex16(v, prot.kid) == 0) {
            have_kid = 1;
        } else if (!strcmp(a, "--key") && hex16(v, prot.key) == 0) {
            have_key = 1;
        } else if (!strcmp(a, "--ladder") && parse_ladder(v, &ladder) == 0) {
            continue;
        } else if (!strcmp(a, "--segment")) {
            ladder.segment_s = atof(v);
        } else if (!strcmp(a, "--threads")) {
            ladder.threads = atoi(v);
        } else {
            fprintf(stderr, "bad option %s %s\n", a, v);
            return 2;
        }
    }
    if ((argc - 3) % 2 != 0 || (prot.scheme != SV__PROTECT_NONE && (!have_kid || !have_key))) {
        fprintf(stderr, "options come in pairs; --drm needs --kid and --key (32 hex digits)\n");
        return 2;
    }
    av_log_set_level(AV_LOG_WARNING);
    sv__media_result res;
    char err[512];
    int rc = sv__media_ingest_protected(argv[1], argv[2], &ladder, &prot, NULL, NULL, NULL, &res,
                                        err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "error=%d %s: %s\n", rc, sv_strerror(rc), err);
        return 1;
    }
    printf("duration=%.3f\nrenditions=%d\n", res.duration_s, res.nb_renditions);
    for (int i = 0; i < res.nb_renditions; i++)
        printf("rendition=%s %s segs=%d\n", res.renditions[i].kind, res.renditions[i].name,
               res.renditions[i].nb_segments);
    return 0;
}
