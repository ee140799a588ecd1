#!/bin/sh
# Paths that would leave the root are 404, however they are spelled; a
# symlink pointing out of the root is refused as well.
. "$SV_SOURCE_DIR/tests/fault/faultlib.sh"
fs_make_root
ln -s "$FS_TMP/secret.txt" "$FS_ROOT/link.txt"
fs_start

fs_curl code -o /dev/null -w '%{http_code}' "$FS_URL/sub/inside.txt"
expect_eq "a file inside the root" "$code" 200

# --path-as-is stops curl from resolving the dots itself.
for path in /../secret.txt /sub/../../secret.txt /%2e%2e/secret.txt /%2E%2E/secret.txt \
            /sub/%2e%2e/%2e%2e/secret.txt /sub/..%2f..%2fsecret.txt /./sub/inside.txt \
            /link.txt /%00secret.txt; do
    fs_curl out --path-as-is -o "$FS_TMP/body" -w '%{http_code}' "$FS_URL$path"
    expect_eq "status of $path" "$out" 404
    if grep -q secret "$FS_TMP/body"; then
        fail "$path leaked the file outside the root"
    fi
done
