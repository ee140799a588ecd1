/*
 * Downloads (streamverse/download.h) against a file:// HLS presentation
 * made here (an fMP4 rung of four segments, an audio rendition), through
 * the real libcurl transport: the files stored equal the source's, the
 * local playlists name them, progress counts up to 100 %, the state file
 * round-trips and refuses paths that leave the folder, a resumed download
 * fetches only what is missing, a segment that is not whole fails with its
 * path, the quota fails with SV_ERR_OVERFLOW and is resumable, cancel and
 * delete remove only the download's files, list sums the storage.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "player/download/internal.h"
#include "streamverse/download.h"

typedef struct fixture {
    char root[256], src[300], url[400];
} fixture;

static void put(const char *dir, const char *name, const void *data, size_t n)
{
    char p[600];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* An ISO-BMFF box of `size` bytes: a 'free' box of pattern `fill`. */
static void put_box(const char *dir, const char *name, size_t size, int fill)
{
    unsigned char *b = malloc(size);
    assert_non_null(b);
    memset(b, fill, size);
    b[0] = (unsigned char)(size >> 24), b[1] = (unsigned char)(size >> 16);
    b[2] = (unsigned char)(size >> 8), b[3] = (unsigned char)size;
    memcpy(b + 4, "free", 4);
    put(dir, name, b, size);
    free(b);
}

static const char master[] =
    "#EXTM3U\n#EXT-X-VERSION:7\n"
    "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"English\",LANGUAGE=\"en\",DEFAULT=YES,"
    "URI=\"a.m3u8\"\n"
    "#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"s\",NAME=\"Deutsch\",LANGUAGE=\"de\","
    "URI=\"s.m3u8\"\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=320x180,CODECS=\"avc1.42c00d,mp4a.40.2\","
    "AUDIO=\"a\",SUBTITLES=\"s\"\nlow.m3u8\n"
    "#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS=\"avc1.64001e,mp4a.40.2\","
    "AUDIO=\"a\",SUBTITLES=\"s\"\nhigh.m3u8\n";

static void media(const char *dir, const char *name, const char *prefix)
{
    char text[1024], *p = text;
    p += sprintf(p, "#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n"
                    "#EXT-X-MAP:URI=\"%s-init.mp4\"\n", prefix);
    for (int i = 1; i <= 4; i++)
        p += sprintf(p, "#EXTINF:2.0,\n%s-%d.m4s\n", prefix, i);
    p += sprintf(p, "#EXT-X-ENDLIST\n");
    put(dir, name, text, strlen(text));
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    strcpy(fx->root, "/tmp/sv-test-download.XXXXXX");
    assert_non_null(mkdtemp(fx->root));
    snprintf(fx->src, sizeof(fx->src), "%s/src", fx->root);
    assert_int_equal(mkdir(fx->src, 0755), 0);
    put(fx->src, "master.m3u8", master, strlen(master));
    media(fx->src, "low.m3u8", "low");
    media(fx->src, "high.m3u8", "high");
    media(fx->src, "a.m3u8", "a");
    const char *names[] = { "low", "high", "a" };
    for (int k = 0; k < 3; k++) {
        char n[64];
        snprintf(n, sizeof(n), "%s-init.mp4", names[k]);
        put_box(fx->src, n, 100, 'i');
        for (int i = 1; i <= 4; i++) {
            snprintf(n, sizeof(n), "%s-%d.m4s", names[k], i);
            put_box(fx->src, n, (size_t)(k == 1 ? 20000 : 5000) + (size_t)i, 'a' + i);
        }
    }
    static const char subs[] = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\ns-1.vtt\n"
                               "#EXTINF:4.0,\ns-2.vtt\n#EXT-X-ENDLIST\n";
    static const char cue[] = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHallo\n";
    put(fx->src, "s.m3u8", subs, strlen(subs));
    put(fx->src, "s-1.vtt", cue, strlen(cue));
    put(fx->src, "s-2.vtt", cue, strlen(cue));
    snprintf(fx->url, sizeof(fx->url), "file://%s/master.m3u8", fx->src);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

typedef struct counts {
    int calls, last_state;
    double last_percent;
    int64_t last_files;
} counts;

static void on_progress(void *opaque, const sv_download_progress *p)
{
    counts *c = opaque;
    c->calls++;
    c->last_state = p->state;
    c->last_percent = p->percent;
    c->last_files = p->files_done;
}

static int run_download(fixture *fx, const char *name, int64_t quota, counts *c,
                        sv_download_progress *out)
{
    char dir[400];
    sv_download_settings s;
    sv_download *dl = NULL;
    snprintf(dir, sizeof(dir), "%s/%s", fx->root, name);
    sv_download_default_settings(&s);
    s.dir = dir;
    s.url = fx->url;
    s.max_height = 200;
    s.quota_bytes = quota;
    s.on_progress = on_progress;
    s.progress_opaque = c;
    s.log_level = SV_LOG_ERROR;
    int ret = sv_download_create(&dl, &s);
    if (ret < 0)
        return ret;
    if (sv_download_get_progress(dl, out) == 0 && out->state == SV_DOWNLOAD_COMPLETE) {
        sv_download_destroy(dl);
        return SV_DOWNLOAD_COMPLETE;
    }
    assert_int_equal(sv_download_start(dl), 0);
    ret = sv_download_wait(dl, 20000);
    assert_int_equal(sv_download_get_progress(dl, out), 0);
    assert_int_equal(sv_download_start(dl) == SV_ERR_STATE, ret == SV_DOWNLOAD_COMPLETE);
    sv_download_destroy(dl);
    return ret;
}

static int same_file(const char *a, const char *b)
{
    char cmd[1400];
    snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
    return system(cmd) == 0;
}

static void test_download_whole(void **state)
{
    fixture *fx = *state;
    counts c = { 0 };
    sv_download_progress p = SV_DOWNLOAD_PROGRESS_INIT;
    char a[600], b[600];

    assert_int_equal(run_download(fx, "d1", 0, &c, &p), SV_DOWNLOAD_COMPLETE);
    assert_int_equal(p.files_total, 10); /* 2 inits + 8 segments */
    assert_int_equal(p.files_done, 10);
    assert_int_equal(p.bytes_done, 2 * 100 + 4 * 5000 + 10 + 4 * 5000 + 10);
    assert_int_equal(p.bytes_expected, p.bytes_done);
    assert_true(p.storage_bytes >= p.bytes_done);
    assert_true(c.calls >= 11);
    assert_int_equal(c.last_state, SV_DOWNLOAD_COMPLETE);
    assert_true(c.last_percent == 100.0);
    /* The low rung (max_height 200) and the audio, byte for byte. */
    snprintf(a, sizeof(a), "%s/d1/video/seg-00003.m4s", fx->root);
    snprintf(b, sizeof(b), "%s/low-3.m4s", fx->src);
    assert_true(same_file(a, b));
    snprintf(a, sizeof(a), "%s/d1/audio/init-0.mp4", fx->root);
    snprintf(b, sizeof(b), "%s/a-init.mp4", fx->src);
    assert_true(same_file(a, b));

    sv_download_info info = SV_DOWNLOAD_INFO_INIT;
    snprintf(a, sizeof(a), "%s/d1", fx->root);
    assert_int_equal(sv_download_info_read(a, &info), 0);
    assert_int_equal(info.complete, 1);
    assert_int_equal(info.height, 180);
    assert_string_equal(info.audio_language, "en");
    snprintf(b, sizeof(b), "%s/d1/master.m3u8", fx->root);
    assert_string_equal(info.manifest, b);
    FILE *f = fopen(b, "r");
    char text[2048] = "";
    assert_non_null(f);
    assert_true(fread(text, 1, sizeof(text) - 1, f) > 0);
    fclose(f);
    assert_non_null(strstr(text, "LANGUAGE=\"en\""));
    assert_non_null(strstr(text, "RESOLUTION=320x180"));
    assert_non_null(strstr(text, "\nvideo/index.m3u8\n"));
    /* Opening it again: complete at once, nothing fetched. */
    c = (counts){ 0 };
    assert_int_equal(run_download(fx, "d1", 0, &c, &p), SV_DOWNLOAD_COMPLETE);
    assert_int_equal(c.calls, 0);
}

static void test_download_resume_and_check(void **state)
{
    fixture *fx = *state;
    counts c = { 0 };
    sv_download_progress p = SV_DOWNLOAD_PROGRESS_INIT;
    char path[600];

    /* A quota smaller than the title: SV_ERR_OVERFLOW, resumable. */
    assert_int_equal(run_download(fx, "d2", 12000, &c, &p), SV_DOWNLOAD_FAILED);
    assert_int_equal(p.error, SV_ERR_OVERFLOW);
    assert_non_null(strstr(p.message, "quota of 12000 bytes"));
    assert_true(p.files_done >= 2 && p.files_done < 10);
    snprintf(path, sizeof(path), "%s/d2/master.m3u8", fx->root);
    assert_int_not_equal(access(path, F_OK), 0);
    int64_t before = p.files_done;
    /* A source segment cut short: the resumed download fails naming it. */
    snprintf(path, sizeof(path), "%s/a-4.m4s", fx->src);
    assert_int_equal(truncate(path, 3000), 0);
    c = (counts){ 0 };
    assert_int_equal(run_download(fx, "d2", 0, &c, &p), SV_DOWNLOAD_FAILED);
    assert_int_equal(p.error, SV_ERR_PARSE);
    assert_non_null(strstr(p.message, "d2/audio/seg-00004.m4s"));
    assert_true(p.files_done >= before);
    /* Mended: it completes, fetching only what was missing. */
    put_box(fx->src, "a-4.m4s", 5004, 'a' + 4);
    c = (counts){ 0 };
    assert_int_equal(run_download(fx, "d2", 0, &c, &p), SV_DOWNLOAD_COMPLETE);
    assert_int_equal(p.files_done, 10);
    assert_true(c.calls <= 2 + 1);

    assert_int_equal(run_download(fx, "d1", 0, &c, &p), SV_DOWNLOAD_COMPLETE);
    int64_t storage = 0;
    sv_download_info list[4] = { SV_DOWNLOAD_INFO_INIT, SV_DOWNLOAD_INFO_INIT,
                                 SV_DOWNLOAD_INFO_INIT, SV_DOWNLOAD_INFO_INIT };
    assert_int_equal(sv_download_list(fx->root, list, 4, &storage), 2);
    assert_non_null(strstr(list[0].dir, "/d1"));
    assert_true(storage >= list[0].storage_bytes + list[1].storage_bytes);

    /* Delete removes the download's files only. */
    snprintf(path, sizeof(path), "%s/d2", fx->root);
    put(path, "mine.txt", "x", 1);
    assert_int_equal(sv_download_delete(path), 0);
    snprintf(path, sizeof(path), "%s/d2/mine.txt", fx->root);
    assert_int_equal(access(path, F_OK), 0);
    snprintf(path, sizeof(path), "%s/d2/video", fx->root);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof(path), "%s/d2", fx->root);
    assert_int_equal(sv_download_delete(path), SV_ERR_NOT_FOUND);
}

/* A state file edited to be wrong: `from` in the good one replaced by `to`,
 * refused with a reason that says `why`. */
typedef struct bad_edit {
    const char *from, *to, *why;
} bad_edit;

/* Each edit of `good` is refused (SV_ERR_PARSE, no file kept) and says why. */
static void expect_refused(const char *good, const bad_edit *bad, size_t n)
{
    sv__dl_state st = { 0 };
    char why[256];
    for (size_t i = 0; i < n; i++) {
        char buf[2048];
        const char *at = strstr(good, bad[i].from);
        assert_non_null(at);
        snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - good), good, bad[i].to,
                 at + strlen(bad[i].from));
        assert_int_equal(sv__dl_state_parse(&st, buf, strlen(buf), why, sizeof(why)),
                         SV_ERR_PARSE);
        if (!strstr(why, bad[i].why))
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, why, bad[i].why);
        assert_int_equal(st.nb_files, 0);
    }
}

/* subtitle_languages "de": the WebVTT rendition comes along, and the master
 * playlist names it. */
static void test_download_subtitles(void **state)
{
    fixture *fx = *state;
    char dir[400], path[600], text[2048] = "";
    sv_download_settings s;
    sv_download *dl = NULL;

    snprintf(dir, sizeof(dir), "%s/subs", fx->root);
    sv_download_default_settings(&s);
    s.dir = dir;
    s.url = fx->url;
    s.subtitle_languages = "de";
    s.log_level = SV_LOG_ERROR;
    assert_int_equal(sv_download_create(&dl, &s), 0);
    assert_int_equal(sv_download_start(dl), 0);
    assert_int_equal(sv_download_wait(dl, 20000), SV_DOWNLOAD_COMPLETE);
    sv_download_progress p = SV_DOWNLOAD_PROGRESS_INIT;
    assert_int_equal(sv_download_get_progress(dl, &p), 0);
    assert_int_equal(p.files_total, 12); /* 2 inits, 8 segments, 2 cues */
    sv_download_destroy(dl);
    snprintf(path, sizeof(path), "%s/subs/seg-00002.vtt", dir);
    snprintf(text, sizeof(text), "%s/s-2.vtt", fx->src);
    assert_true(same_file(path, text));
    snprintf(path, sizeof(path), "%s/master.m3u8", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_true(fread(text, 1, sizeof(text) - 1, f) > 0);
    fclose(f);
    assert_non_null(strstr(text, "TYPE=SUBTITLES,GROUP-ID=\"subs\",NAME=\"Deutsch\",LANGUAGE=\"de\""));
    assert_non_null(strstr(text, "SUBTITLES=\"subs\""));
    /* The highest rung (no limit given). */
    assert_non_null(strstr(text, "RESOLUTION=640x360"));
}

static void test_download_refusals(void **state)
{
    fixture *fx = *state;
    sv_download_settings s;
    sv_download *dl = NULL;
    char dir[400], other[500];

    sv_download_default_settings(&s);
    assert_int_equal(sv_download_create(&dl, &s), SV_ERR_INVALID); /* no dir */
    snprintf(dir, sizeof(dir), "%s/d3", fx->root);
    s.dir = dir;
    s.log_level = SV_LOG_ERROR;
    assert_int_equal(sv_download_create(&dl, &s), SV_ERR_INVALID); /* no url */
    s.url = fx->url;
    s.audio_languages = "en,,fr";
    assert_int_equal(sv_download_create(&dl, &s), SV_ERR_INVALID);
    s.audio_languages = NULL;
    assert_int_equal(sv_download_create(&dl, &s), 0);
    assert_int_equal(sv_download_pause(dl), SV_ERR_STATE);
    assert_int_equal(sv_download_start(dl), 0);
    assert_int_equal(sv_download_wait(dl, 20000), SV_DOWNLOAD_COMPLETE);
    sv_download_destroy(dl);
    /* Another URL into the same folder. */
    snprintf(other, sizeof(other), "file://%s/low.m3u8", fx->src);
    s.url = other;
    assert_int_equal(sv_download_create(&dl, &s), SV_ERR_STATE);
    /* Cancel removes everything. */
    s.url = NULL;
    assert_int_equal(sv_download_create(&dl, &s), 0);
    assert_int_equal(sv_download_cancel(dl), 0);
    sv_download_destroy(dl);
    assert_int_not_equal(access(dir, F_OK), 0);
}

static void test_state_file(void **state)
{
    (void)state;
    sv__dl_state st = { 0 };
    char why[256];
    const char *good =
        "{\"version\":1,\"url\":\"http://127.0.0.1/m.m3u8\",\"complete\":false,"
        "\"tracks\":[{\"type\":\"video\",\"dir\":\"video\",\"language\":\"\",\"name\":\"\","
        "\"codecs\":\"avc1\",\"bandwidth\":1,\"width\":2,\"height\":3,\"frame_rate\":25}],"
        "\"files\":[{\"track\":0,\"path\":\"video/init-0.mp4\",\"url\":\"u\",\"offset\":0,"
        "\"length\":-1,\"is_init\":true,\"init\":-1,\"duration\":0,\"disc\":0,\"done\":false,"
        "\"size\":-1,\"sha256\":\"\"},"
        "{\"track\":0,\"path\":\"video/seg-1.m4s\",\"url\":\"u\",\"offset\":0,"
        "\"length\":-1,\"is_init\":false,\"init\":0,\"duration\":2,\"disc\":0,\"done\":false,"
        "\"size\":-1,\"sha256\":\"\"}]}";
    assert_int_equal(sv__dl_state_parse(&st, good, strlen(good), why, sizeof(why)), 0);
    assert_int_equal(st.nb_files, 2);
    char *text = sv__dl_state_format(&st);
    assert_non_null(text);
    sv__dl_state_clear(&st);
    assert_int_equal(sv__dl_state_parse(&st, text, strlen(text), why, sizeof(why)), 0);
    assert_int_equal(st.files[1].init, 0);
    sv__dl_state_clear(&st);
    free(text);

    static const bad_edit bad[] = {
        { "video/seg-1.m4s", "../seg-1.m4s", "leaves the download folder" },
        { "video/seg-1.m4s", "/etc/passwd", "leaves the download folder" },
        { "\"init\":0", "\"init\":1", "not an init file" },
        { "\"init\":0", "\"init\":7", "\"init\" is not an integer" },
        { "\"track\":0,\"path\":\"video/seg", "\"track\":3,\"path\":\"video/seg", "\"track\"" },
        { "\"version\":1", "\"version\":2", "version" },
        { "\"dir\":\"video\"", "\"dir\":\"..\"", "leaves the download folder" },
        { "\"done\":false,\"size\":-1,\"sha256\":\"\"}]", "\"done\":true,\"size\":5,\"sha256\":\"ab\"}]",
          "no size or no sha256" },
    };
    expect_refused(good, bad, sizeof(bad) / sizeof(bad[0]));
    assert_int_equal(sv__dl_state_parse(&st, "{", 1, why, sizeof(why)), SV_ERR_PARSE);
    assert_non_null(strstr(why, "not JSON"));
}

/* The AES-128 members of the state file: a key file, segments naming it
 * with their IV; round-trips, and refuses what does not fit together. */
static void test_state_file_keys(void **state)
{
    (void)state;
    sv__dl_state st = { 0 };
    char why[256];
    const char *good =
        "{\"version\":1,\"url\":\"http://127.0.0.1/m.m3u8\",\"complete\":false,"
        "\"tracks\":[{\"type\":\"video\",\"dir\":\"video\",\"language\":\"\",\"name\":\"\","
        "\"codecs\":\"\",\"bandwidth\":1,\"width\":2,\"height\":3,\"frame_rate\":25}],"
        "\"files\":[{\"track\":0,\"path\":\"keys/key-0.key\",\"url\":\"k\",\"offset\":0,"
        "\"length\":-1,\"is_init\":false,\"init\":-1,\"duration\":0,\"disc\":0,\"done\":false,"
        "\"size\":-1,\"sha256\":\"\",\"is_key\":true},"
        "{\"track\":0,\"path\":\"video/seg-00001.ts\",\"url\":\"u\",\"offset\":0,"
        "\"length\":-1,\"is_init\":false,\"init\":-1,\"duration\":2,\"disc\":0,\"done\":false,"
        "\"size\":-1,\"sha256\":\"\",\"key\":0,\"iv\":\"00000000000000000000000000000007\"}]}";
    assert_int_equal(sv__dl_state_parse(&st, good, strlen(good), why, sizeof(why)), 0);
    assert_true(st.files[0].is_key);
    assert_int_equal(st.files[0].key, -1);
    assert_int_equal(st.files[1].key, 0);
    assert_string_equal(st.files[1].iv, "00000000000000000000000000000007");
    char *text = sv__dl_state_format(&st);
    assert_non_null(text);
    sv__dl_state_clear(&st);
    assert_int_equal(sv__dl_state_parse(&st, text, strlen(text), why, sizeof(why)), 0);
    assert_true(st.files[0].is_key);
    assert_int_equal(st.files[1].key, 0);
    assert_string_equal(st.files[1].iv, "00000000000000000000000000000007");
    sv__dl_state_clear(&st);
    free(text);

    static const bad_edit bad[] = {
        { "\"key\":0,", "\"key\":1,", "not a key file" },
        { "\"key\":0,", "\"key\":2,", "\"key\" is not an integer" },
        { "\"iv\":\"00000000000000000000000000000007\"", "\"iv\":\"7\"", "no \"iv\" of 32 hex" },
        { ",\"iv\":\"00000000000000000000000000000007\"", "", "no \"iv\" of 32 hex" },
        { "\"is_init\":false,\"init\":-1,\"duration\":0", "\"is_init\":true,\"init\":-1,\"duration\":0",
          "a key file is also an init file" },
        { "keys/key-0.key", "../key-0.key", "leaves the download folder" },
    };
    expect_refused(good, bad, sizeof(bad) / sizeof(bad[0]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_state_file),
        cmocka_unit_test(test_state_file_keys),
        cmocka_unit_test_setup_teardown(test_download_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_download_resume_and_check, setup, teardown),
        cmocka_unit_test_setup_teardown(test_download_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_download_subtitles, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
