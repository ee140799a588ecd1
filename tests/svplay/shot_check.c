/*
 * shot_check RGB24_FILE WIDTH HEIGHT: checks that a screen grab shows
 * ffmpeg's testsrc2 pattern: its six vertical colour bars (red, green,
 * yellow, blue, magenta, cyan), left to right, along one row, and that the
 * grab is not blank. Exit 0 if so, 1 with the reason otherwise.
 */
#include <stdio.h>
#include <stdlib.h>

#define NB 6
static const int bars[NB][3] = {
    {255, 0, 0}, {0, 255, 0}, {255, 255, 0}, {0, 0, 255}, {255, 0, 255}, {0, 255, 255}};
static const char *const names[NB] = {"red", "green", "yellow", "blue", "magenta", "cyan"};

static int classify(const unsigned char *p)
{
    for (int i = 0; i < NB; i++) {
        int ok = 1;
        for (int c = 0; c < 3; c++)
            ok &= abs(p[c] - bars[i][c]) <= 48;
        if (ok)
            return i;
    }
    return -1;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: shot_check RGB24_FILE WIDTH HEIGHT\n");
        return 2;
    }
    long w = atol(argv[2]), h = atol(argv[3]);
    if (w <= 0 || h <= 0 || w > 8192 || h > 8192)
        return 2;
    size_t size = (size_t)w * (size_t)h * 3;
    unsigned char *px = malloc(size);
    FILE *f = fopen(argv[1], "rb");
    if (!px || !f || fread(px, 1, size, f) != size) {
        fprintf(stderr, "shot_check: cannot read %s\n", argv[1]);
        return 1;
    }
    fclose(f);

    long nonblack = 0, counts[NB] = {0};
    for (size_t i = 0; i < size; i += 3) {
        nonblack += px[i] > 32 || px[i + 1] > 32 || px[i + 2] > 32;
        int k = classify(px + i);
        if (k >= 0)
            counts[k]++;
    }
    printf("non-black pixels: %ld of %ld\n", nonblack, w * h);
    for (int i = 0; i < NB; i++)
        printf("%s: %ld\n", names[i], counts[i]);
    if (nonblack < w * h / 100) {
        printf("FAIL: the grab is blank\n");
        return 1;
    }
    /* A row crossing all six bars in order, each at least 8 pixels wide. */
    for (long y = 0; y < h; y++) {
        int next = 0;
        long run = 0;
        int cur = -1;
        for (long x = 0; x < w && next < NB; x++) {
            int k = classify(px + ((size_t)y * (size_t)w + (size_t)x) * 3);
            run = k == cur ? run + 1 : 1;
            cur = k;
            if (k == next && run >= 8)
                next++;
        }
        if (next == NB) {
            printf("testsrc2 bars in order on row %ld\n", y);
            free(px);
            return 0;
        }
    }
    printf("FAIL: no row shows the six testsrc2 bars in order\n");
    free(px);
    return 1;
}
