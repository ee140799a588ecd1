#!/bin/sh
# Paths that try to leave the media tree get 404, whatever the spelling:
# raw "..", "%2e%2e", "%2f", absolute paths, backslashes, NUL, and symlinks
# that point out of the tree. A symlink that stays inside still works.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

mkdir -p "$SV_DATA/media/1/video" "$SV_DATA/media/2"
printf 'inside\n' >"$SV_DATA/media/1/video/seg-1.m4s"
printf 'secret\n' >"$SV_DATA/secret.txt"
printf 'secret\n' >"$SV_TMP/outside.txt"
ln -s "$SV_TMP/outside.txt" "$SV_DATA/media/1/escape.m4s"
ln -s ../../secret.txt "$SV_DATA/media/1/relative-escape.m4s"
ln -s "$SV_TMP" "$SV_DATA/media/1/dirlink"
ln -s video/seg-1.m4s "$SV_DATA/media/1/inside.m4s"
sv_start

req code "$SV_URL/media/1/video/seg-1.m4s"
expect_eq "a plain file" "$code" 200

for p in \
    "/media/../secret.txt" \
    "/media/1/../../secret.txt" \
    "/media/1/video/../../../secret.txt" \
    "/media/%2e%2e/secret.txt" \
    "/media/%2E%2E/secret.txt" \
    "/media/1/%2e%2e/%2e%2e/secret.txt" \
    "/media/.%2e/secret.txt" \
    "/media/..%2fsecret.txt" \
    "/media/%2e%2e%2fsecret.txt" \
    "/media/1%2fvideo%2fseg-1.m4s" \
    "/media//etc/passwd" \
    "/media/%2fetc%2fpasswd" \
    "/media/1/..%5c..%5csecret.txt" \
    "/media/1/video/seg-1.m4s%00.jpg" \
    "/media/1/escape.m4s" \
    "/media/1/relative-escape.m4s" \
    "/media/1/dirlink/outside.txt" \
    "/media/./1/video/seg-1.m4s"; do
    req code --path-as-is "$SV_URL$p"
    expect_eq "GET $p" "$code" 404
    if grep -q secret "$SV_TMP/body"; then
        fail "$p leaked the file"
    fi
done
req code --path-as-is "$SV_URL/media/%zz"
expect_eq "malformed escape" "$code" 400

req code "$SV_URL/media/1/inside.m4s"
expect_eq "symlink inside the tree" "$code $(cat "$SV_TMP/body")" "200 inside"
