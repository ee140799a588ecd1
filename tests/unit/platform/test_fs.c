/*
 * File-system helpers (platform/fs.h) on a scratch folder: folders made
 * and refused, files written whole, atomic creation that never replaces,
 * trees removed without following symlinks, errno kept on failure.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "platform/alloc.h"
#include "platform/fs.h"
#include "streamverse/common.h"

static char root[64];

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof(root), "/tmp/sv-test-fs-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return sv__remove_tree(root) == 0 && !sv__path_exists(root) ? 0 : -1;
}

static const char *at(const char *rel)
{
    static char paths[4][512];
    static int next;
    char *p = paths[next++ % 4];

    snprintf(p, sizeof(paths[0]), "%s/%s", root, rel);
    return p;
}

/* The whole content of a file, NUL-terminated; "" when missing. */
static const char *slurp(const char *path)
{
    static char buf[256];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

    if (f)
        fclose(f);
    buf[n] = '\0';
    return buf;
}

static void folders(void **state)
{
    struct stat st;
    (void)state;

    assert_int_equal(sv__mkdirs(at("a/b/c")), 0);
    assert_int_equal(stat(at("a/b/c"), &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(sv__mkdirs(at("a/b/c")), 0);        /* again: fine */
    assert_int_equal(sv__mkdirs(""), SV_ERR_IO);

    assert_int_equal(sv__mkdir(at("a/one"), 1), 0);
    assert_int_equal(sv__mkdir(at("a/one"), 0), 0);      /* exists, may exist */
    assert_int_equal(sv__mkdir(at("a/one"), 1), SV_ERR_IO);
    assert_int_equal(errno, EEXIST);
    assert_int_equal(sv__mkdir(at("none/x"), 0), SV_ERR_IO);  /* no parent */
    assert_int_equal(errno, ENOENT);
    assert_int_equal(sv__file_write(at("a/file"), "x", 1, 0644), 0);
    assert_int_equal(sv__mkdir(at("a/file"), 0), SV_ERR_IO);  /* not a folder */
    assert_int_equal(errno, EEXIST);

    assert_int_equal(sv__fsync_dir(at("a/b")), 0);
    assert_int_equal(sv__fsync_dir(at("missing")), SV_ERR_IO);
    assert_int_equal(errno, ENOENT);
}

static void whole_files(void **state)
{
    struct stat st;
    (void)state;

    assert_int_equal(sv__file_write(at("w.txt"), "first version", 13, 0600), 0);
    assert_string_equal(slurp(at("w.txt")), "first version");
    assert_int_equal(stat(at("w.txt"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* An existing file is replaced whole (truncated, not overwritten). */
    assert_int_equal(sv__file_write(at("w.txt"), "v2", 2, 0600), 0);
    assert_string_equal(slurp(at("w.txt")), "v2");
    assert_int_equal(sv__file_write(at("no/such/dir/f"), "x", 1, 0644), SV_ERR_IO);
    assert_int_equal(errno, ENOENT);
}

static void atomic_creation_never_replaces(void **state)
{
    struct stat st;
    (void)state;

    assert_int_equal(sv__file_create_atomic(at("secret"), "s3cr3t", 6, 0600), 0);
    assert_string_equal(slurp(at("secret")), "s3cr3t");
    assert_int_equal(stat(at("secret"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(sv__file_create_atomic(at("secret"), "other", 5, 0600), SV_ERR_STATE);
    assert_string_equal(slurp(at("secret")), "s3cr3t");
    /* No temporary file is left behind either way. */
    char tmp[600];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", at("secret"), (long)getpid());
    assert_false(sv__path_exists(tmp));
    assert_int_equal(sv__file_create_atomic(at("gone/secret"), "x", 1, 0600), SV_ERR_IO);
}

static void trees_go_without_following_links(void **state)
{
    (void)state;

    assert_int_equal(sv__mkdirs(at("keep")), 0);
    assert_int_equal(sv__file_write(at("keep/precious"), "p", 1, 0644), 0);
    assert_int_equal(sv__mkdirs(at("t/x/y")), 0);
    assert_int_equal(sv__file_write(at("t/x/y/f"), "f", 1, 0644), 0);
    assert_int_equal(symlink(at("keep"), at("t/link")), 0);
    assert_int_equal(symlink(at("nowhere"), at("t/dangling")), 0);
    assert_true(sv__path_exists(at("t/dangling")));
    assert_int_equal(sv__remove_tree(at("t")), 0);
    assert_false(sv__path_exists(at("t")));
    assert_string_equal(slurp(at("keep/precious")), "p");
    assert_int_equal(sv__remove_tree(at("t")), 0);       /* missing: fine */
    assert_int_equal(sv__remove_tree(at("keep/precious")), 0);  /* a file */
    assert_false(sv__path_exists(at("keep/precious")));
}

static void full_disk_is_told_apart(void **state)
{
    (void)state;
    assert_true(sv__errno_is_full(ENOSPC));
    assert_true(sv__errno_is_full(EDQUOT));
    assert_false(sv__errno_is_full(EACCES));
    assert_false(sv__errno_is_full(0));
    assert_int_equal(sv__fs_full(at("no/such/path")), 0);  /* cannot be told */
}

static void local_paths_become_file_urls(void **state)
{
    char *real, *url, want[600], cwd[512];
    (void)state;

    assert_non_null(real = realpath(root, NULL));
    assert_int_equal(sv__file_write(at("clip.mp4"), "x", 1, 0644), 0);
    assert_int_equal(symlink("clip.mp4", at("link.mp4")), 0);
    snprintf(want, sizeof(want), "file://%s/clip.mp4", real);
    /* Relative to the working folder, and through a symbolic link. */
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(root), 0);
    url = sv__file_url(NULL, "clip.mp4");
    assert_int_equal(chdir(cwd), 0);
    assert_non_null(url);
    assert_string_equal(url, want);
    sv__free(NULL, url);
    assert_non_null(url = sv__file_url(NULL, at("link.mp4")));
    assert_string_equal(url, want);
    sv__free(NULL, url);
    errno = 0;
    assert_null(sv__file_url(NULL, at("missing.mp4")));
    assert_int_equal(errno, ENOENT);
    assert_null(sv__file_url(NULL, NULL));
    free(real);
}

static int count_entry(void *opaque, const char *name)
{
    (void)name;
    ++*(int *)opaque;
    return 0;
}

/* Reading whole files, sizes, removals and the disk use of a tree (the
 * download folders' helpers). */
static void reads_sizes_and_removals(void **state)
{
    (void)state;
    uint8_t *data = NULL;
    size_t size = 0;
    int n = 0;

    assert_int_equal(sv__mkdirs(at("r/sub")), 0);
    assert_int_equal(sv__file_write(at("r/a.txt"), "hello", 5, 0644), 0);
    assert_int_equal(sv__file_read(at("r/a.txt"), NULL, 5, &data, &size), 0);
    assert_int_equal(size, 5);
    assert_string_equal((const char *)data, "hello");
    sv__free(NULL, data);
    assert_int_equal(sv__file_read(at("r/a.txt"), NULL, 4, &data, &size), SV_ERR_OVERFLOW);
    assert_int_equal(sv__file_read(at("r/none"), NULL, 4, &data, &size), SV_ERR_NOT_FOUND);
    assert_int_equal(sv__file_read(at("r/sub"), NULL, 4, &data, &size), SV_ERR_IO);
    assert_int_equal(sv__file_size(at("r/a.txt")), 5);
    assert_int_equal(sv__file_size(at("r/sub")), -1);
    assert_int_equal(sv__dir_each(at("r"), count_entry, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(sv__dir_each(at("r/none"), count_entry, &n), SV_ERR_IO);
    assert_true(sv__tree_disk_bytes(at("r")) >= 4096);
    assert_int_equal(sv__tree_disk_bytes(at("r/none")), 0);
    assert_int_equal(sv__rmdir_empty(at("r")), SV_ERR_IO); /* not empty */
    assert_int_equal(sv__remove_file(at("r/a.txt")), 0);
    assert_int_equal(sv__remove_file(at("r/a.txt")), 0); /* missing: fine */
    assert_int_equal(sv__rmdir_empty(at("r/sub")), 0);
    assert_int_equal(sv__rmdir_empty(at("r")), 0);
    assert_false(sv__path_exists(at("r")));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(folders),
        cmocka_unit_test(whole_files),
        cmocka_unit_test(atomic_creation_never_replaces),
        cmocka_unit_test(trees_go_without_following_links),
        cmocka_unit_test(full_disk_is_told_apart),
        cmocka_unit_test(local_paths_become_file_urls),
        cmocka_unit_test(reads_sizes_and_removals),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
