#!/bin/sh
# A full disk: the data folder on a small tmpfs filled to the last page.
# Every write route (upload, title edit, regions, playback start and stop)
# answers 507 insufficient_storage with a JSON error, never a 500; reads
# (titles, a master playlist, /healthz) keep working; once space is freed
# the same writes succeed again. Runs in its own mount namespace (as root,
# or as a user through a user namespace), so the mount goes with the test.
# With the catalog in PostgreSQL (SV_TEST_PG) only the files are on the full
# disk: uploads are refused the same way, catalog writes are stored.
if [ -z "${SV_DISKFULL_NS:-}" ]; then
    SV_DISKFULL_NS=1
    export SV_DISKFULL_NS
    if [ "$(id -u)" = 0 ]; then
        exec unshare --mount --propagation private sh "$0" "$@"
    fi
    exec unshare --map-root-user --mount sh "$0" "$@"
fi
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

need_catalog_sql
mkdir -p "$SV_DATA"
mount -t tmpfs -o size=6m tmpfs "$SV_DATA" || fail "cannot mount a tmpfs (needs root or user namespaces)"
trap '_s=$?; [ -z "$SV_PID" ] || sv_stop; umount -l "$SV_DATA"; (exit $_s); sv_cleanup' EXIT

printf 'ops-password-1\n' >"$SV_TMP/pw"
"$SVSERVER" user add ops --password-file "$SV_TMP/pw" --region FR --max-streams 4 \
    --role operator --data "$SV_DATA" >/dev/null 2>"$SV_TMP/user.err" ||
    fail "user add: $(cat "$SV_TMP/user.err")"
catalog_sql "INSERT INTO titles (id, title, status, created)
    VALUES (1, 'Full Disk', 'ready', 0);" || fail "cannot add a title"
mkdir -p "$SV_DATA/media/1"
printf '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=300000\nv/playlist.m3u8\n' >"$SV_DATA/media/1/master.m3u8"

sv_start --workers 1
req code -X POST -H 'Content-Type: application/json' \
    --data '{"name":"ops","password":"ops-password-1"}' "$SV_URL/api/v1/auth/login"
expect_eq "login" "$code" 200
AUTH="Authorization: Bearer $(json_get .token)"
JSON='Content-Type: application/json'
# start DEVICE - a playback start of title 1 (a new device: no session replaced).
start() {
    req code -X POST -H "$AUTH" -H "$JSON" --data "{\"title_id\":1,\"device_id\":\"$1\"}" \
        "$SV_URL/api/v1/playback/start"
}
start d1
expect_eq "playback start with space" "$code" 201
SESSION=$(json_get .session_id)

# Fill the disk: the catalog's WAL is emptied first, so the next catalog
# write has to grow it (an existing WAL would take a few writes in place).
if [ -z "$SV_PG_DB" ]; then
    sqlite3 "$SV_DATA/catalog.db" "PRAGMA busy_timeout = 5000; PRAGMA wal_checkpoint(TRUNCATE);" \
        >/dev/null || fail "cannot checkpoint the catalog"
else
    skip_sqlite "emptying catalog.db's WAL before the disk fills"
fi
dd if=/dev/zero of="$SV_DATA/filler" bs=4k 2>/dev/null
dd if=/dev/zero of="$SV_DATA/filler2" bs=512 2>/dev/null
ok "disk full: $(df -k "$SV_DATA" | awk 'NR == 2 { print $4 }') KiB left"

# expect_507 WHAT - the last request was refused for lack of space.
expect_507() {
    expect_eq "$1 on a full disk" "$code" 507
    expect_eq "$1 error code" "$(json_get .error.code)" insufficient_storage
    expect_eq "$1 content type" "$(header Content-Type)" application/json
}
# expect_catalog_write WHAT CODE - the last request only wrote to the
# catalog: refused like a file when the catalog is catalog.db on the full
# disk, stored (CODE) when it is in PostgreSQL.
expect_catalog_write() {
    if [ -z "$SV_PG_DB" ]; then
        expect_507 "$1"
    else
        skip_sqlite "$1 refused with 507"
        expect_eq "$1 on a full disk, catalog in PostgreSQL" "$code" "$2"
    fi
}

head -c 200000 /dev/urandom >"$SV_TMP/clip.bin"
req code -X POST -H "$AUTH" -H 'Content-Type: video/mp4' --data-binary @"$SV_TMP/clip.bin" \
    "$SV_URL/api/v1/titles?title=Upload"
expect_507 "upload"
req code -X PATCH -H "$AUTH" -H "$JSON" --data '{"title":"Renamed"}' "$SV_URL/api/v1/titles/1"
expect_catalog_write "title edit" 200
req code -X PUT -H "$AUTH" -H "$JSON" --data '{"regions":["FR"]}' \
    "$SV_URL/api/v1/titles/1/regions"
expect_catalog_write "regions" 200
start d2
expect_catalog_write "playback start" 201
req code -X POST -H "$AUTH" -H "$JSON" --data "{\"session_id\":\"$SESSION\",\"position_s\":5}" \
    "$SV_URL/api/v1/playback/stop"
expect_catalog_write "playback stop" 200
[ -z "$(ls "$SV_DATA/uploads")" ] || fail "the refused upload left a file"
ok "no upload file left behind"

# Reads and health are unaffected.
req code "$SV_URL/healthz"
expect_eq "healthz on a full disk" "$code" 200
req code "$SV_URL/api/v1/titles"
if [ -z "$SV_PG_DB" ]; then
    expect_eq "titles list on a full disk" "$code $(json_get .items[0].title)" "200 Full Disk"
else
    expect_eq "titles list on a full disk" "$code $(json_get .items[0].title)" "200 Renamed"
fi
req code "$SV_URL/media/1/master.m3u8"
expect_eq "master playlist on a full disk" "$code" 200
if [ -z "$SV_PG_DB" ]; then
    grep -q "the data folder's disk is full" "$SV_TMP/server.err" || fail "no log line for the full disk"
else
    skip_sqlite "the log line of a catalog write refused on a full disk"
fi

# Space again: the same writes succeed.
rm -f "$SV_DATA/filler" "$SV_DATA/filler2"
req code -X PATCH -H "$AUTH" -H "$JSON" --data '{"title":"Renamed"}' "$SV_URL/api/v1/titles/1"
expect_eq "title edit with space again" "$code" 200
req code -X PUT -H "$AUTH" -H "$JSON" --data '{"regions":[]}' "$SV_URL/api/v1/titles/1/regions"
expect_eq "regions with space again" "$code" 200
start d3
expect_eq "playback start with space again" "$code" 201
