/*
 * A main() for fuzz targets built without libFuzzer: it feeds every file of
 * each argument (a file or a folder, not recursive) to LLVMFuzzerTestOneInput
 * once. CTest uses it to replay each target's seed corpus in every build, so a
 * corpus input that crashes fails `make test` even where clang is absent.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long len;
    int ret = -1;

    if (!f) {
        fprintf(stderr, "fuzz: cannot open %s\n", path);
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
        goto fail;
    /* Copy into an exact-size heap buffer so ASan catches reads past the end. */
    buf = malloc(len ? (size_t)len : 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
        goto fail;
    LLVMFuzzerTestOneInput(buf, (size_t)len);
    ret = 0;
fail:
    if (ret)
        fprintf(stderr, "fuzz: cannot read %s\n", path);
    free(buf);
    fclose(f);
    return ret;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs the files of a folder in name order, so failures are reproducible. */
static int run_dir(const char *dir, unsigned *count)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0, cap = 0;
    int ret = 0;

    if (!d) {
        fprintf(stderr, "fuzz: cannot open folder %s\n", dir);
        return -1;
    }
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **tmp = realloc(names, ncap * sizeof(*names));
            if (!tmp) {
                ret = -1;
                goto done;
            }
            names = tmp;
            cap = ncap;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if (!(names[n] = malloc(len))) {
            ret = -1;
            goto done;
        }
        snprintf(names[n++], len, "%s/%s", dir, e->d_name);
    }
    if (n)
        qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n && ret == 0; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            ret = run_file(names[i]);
            (*count)++;
        }
    }
done:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return ret;
}

int main(int argc, char **argv)
{
    unsigned count = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "fuzz: %s does not exist\n", argv[i]);
            return 1;
        }
        int ret = S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) : run_file(argv[i]);
        if (!S_ISDIR(st.st_mode))
            count++;
        if (ret)
            return 1;
    }
    if (count == 0) {
        fprintf(stderr, "fuzz: no input files\n");
        return 1;
    }
    printf("fuzz: %u inputs ran without a crash\n", count);
    return 0;
}
