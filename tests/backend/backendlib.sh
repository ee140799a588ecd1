# backendlib.sh - shared helpers for svserver's shell tests. Sourced.
#
#   . "$SV_SOURCE_DIR/tests/backend/backendlib.sh"
#   sv_start [svserver options...]    # sets SV_URL, SV_PORT; data in $SV_DATA
#   sv_launch COMMAND [ARGS...]       # the same for a server started otherwise
#
# Every test gets a private temporary folder ($SV_TMP), a server on
# 127.0.0.1 with a free port (--listen 127.0.0.1:0, the port read from the
# "listening on" line), stopped with SIGTERM on exit and required to exit 0.
#
# The catalog is SQLite ($SV_DATA/catalog.db), or, when SV_TEST_PG names a
# cluster of scripts/pg.sh (the pg_* tests, tests/pg/CMakeLists.txt), a
# PostgreSQL database made for this test alone: its URL is exported as
# SVSERVER_DB, so every svserver command of the test (the server and the
# subcommands) uses it, and it is dropped on exit. catalog_sql and
# catalog_dump reach either; skip_sqlite names a step that only means
# something with catalog.db.
set -u

: "${SV_BUILD_DIR:?run through ctest (SV_BUILD_DIR unset)}"
: "${SV_SOURCE_DIR:?run through ctest (SV_SOURCE_DIR unset)}"
SVSERVER="$SV_BUILD_DIR/apps/svserver/svserver"
RAWCLIENT="$SV_BUILD_DIR/tests/backend/sv-backend-rawclient"

for _tool in curl; do
    command -v "$_tool" >/dev/null 2>&1 ||
        { echo "FAIL: $_tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
[ -x "$SVSERVER" ] || { echo "FAIL: $SVSERVER not built" >&2; exit 1; }
[ -x "$RAWCLIENT" ] || { echo "FAIL: $RAWCLIENT not built" >&2; exit 1; }
# A cross build runs both under qemu-user (tests/support/target.sh).
. "$SV_SOURCE_DIR/tests/support/target.sh"
SVSERVER=$(target_program "$SVSERVER")
RAWCLIENT=$(target_program "$RAWCLIENT")

SV_TMP=$(mktemp -d "${TMPDIR:-/tmp}/sv-backend.XXXXXX") || exit 1
SV_DATA="$SV_TMP/data"
SV_PID=""

sv_stop() {
    [ -n "$SV_PID" ] || return 0
    kill -TERM "$SV_PID" 2>/dev/null
    _rc=0
    wait "$SV_PID" || _rc=$?
    SV_PID=""
    return $_rc
}

sv_cleanup() {
    _status=$?
    if [ -n "$SV_PID" ]; then
        _rc=0
        sv_stop || _rc=$?
        if [ "$_rc" -ne 0 ] && [ "$_status" -eq 0 ]; then
            echo "FAIL: svserver exited with status $_rc" >&2
            cat "$SV_TMP/server.err" >&2
            _status=1
        fi
    fi
    if [ -n "$SV_PG_DB" ]; then
        sh "$PGSH" dropdb "$SV_TEST_PG" "$SV_PG_DB" ||
            echo "warning: database $SV_PG_DB was not dropped" >&2
    fi
    rm -rf "$SV_TMP"
    exit "$_status"
}
SV_PG_DB=""
PGSH="$SV_SOURCE_DIR/scripts/pg.sh"
trap sv_cleanup EXIT
trap 'exit 1' HUP INT TERM

fail() {
    echo "FAIL: $*" >&2
    if [ -s "$SV_TMP/server.err" ]; then
        echo "--- svserver stderr (last 30 lines):" >&2
        tail -n 30 "$SV_TMP/server.err" >&2
    fi
    exit 1
}

if [ -n "${SV_TEST_PG:-}" ]; then
    # sv_<script>_<pid>_<random>: unique among the tests running at once
    # and the databases an interrupted run left in a long-lived cluster.
    SV_PG_DB=$(basename "$0" .sh | tr -c 'a-z0-9_\n' '_' | cut -c1-40)
    SV_PG_DB="sv_${SV_PG_DB}_$$_$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')"
    SVSERVER_DB=$(sh "$PGSH" createdb "$SV_TEST_PG" "$SV_PG_DB") ||
        fail "cannot create a database in the PostgreSQL cluster $SV_TEST_PG (SV_TEST_PG)"
    export SVSERVER_DB
    echo "pg: catalog in $SVSERVER_DB"
else
    # A developer's SVSERVER_DB must not turn the SQLite runs into PostgreSQL ones.
    unset SVSERVER_DB
fi

ok() {
    echo "ok: $*"
}

expect_eq() {
    [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
    ok "$1 = $3"
}

expect_contains() {
    case "$2" in
        *"$3"*) ok "$1 contains '$3'" ;;
        *) fail "$1: '$2' does not contain '$3'" ;;
    esac
}

expect_ge() {
    awk -v a="$2" -v b="$3" 'BEGIN { exit !(a + 0 >= b + 0) }' ||
        fail "$1: got $2, expected at least $3"
    ok "$1 = $2 >= $3"
}

# skip_sqlite WHAT - says that a step which only means something with the
# SQLite catalog (catalog.db on the data disk) did not run.
skip_sqlite() {
    echo "skip (sqlite only): $*"
}

# need_catalog_sql - fails unless catalog_sql and catalog_dump can run.
need_catalog_sql() {
    [ -n "$SV_PG_DB" ] || command -v sqlite3 >/dev/null 2>&1 ||
        fail "sqlite3 is missing; run scripts/install-deps.sh"
}

# catalog_sql SQL - runs SQL on this test's catalog, beside a running server
# or not, and prints the rows with '|' between columns: sqlite3 on
# catalog.db (waiting up to 5 s for the server's write lock), or psql on
# the PostgreSQL database. After rows inserted with explicit ids, the next
# id is max(id) + 1 in both: SQLite does that itself, PostgreSQL's
# sequences are moved on to max(id) here.
catalog_sql() {
    if [ -n "$SV_PG_DB" ]; then
        sh "$PGSH" psql "$SV_TEST_PG" "$SV_PG_DB" -q -At -c "$1" -c "$SV_PG_SYNC_IDS"
    else
        sqlite3 -cmd ".timeout 5000" "$SV_DATA/catalog.db" "$1"
    fi
}
# shellcheck disable=SC2016 # SQL with PostgreSQL's $$ quotes, nothing to expand
SV_PG_SYNC_IDS='DO $$DECLARE r record; m bigint; l bigint; BEGIN
  FOR r IN SELECT c.relname AS tbl, a.attname AS col,
                  pg_get_serial_sequence(format($f$%I.%I$f$, n.nspname, c.relname), a.attname) AS seq
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
           WHERE c.relkind = $f$r$f$ AND n.nspname = current_schema() LOOP
    CONTINUE WHEN r.seq IS NULL;
    EXECUTE format($f$SELECT max(%I) FROM %I$f$, r.col, r.tbl) INTO m;
    SELECT last_value INTO l FROM pg_sequences
      WHERE format($f$%I.%I$f$, schemaname, sequencename) = r.seq;
    IF m IS NOT NULL AND (l IS NULL OR m > l) THEN PERFORM setval(r.seq, m); END IF;
  END LOOP; END$$'

# catalog_dump - the whole catalog as SQL text: sqlite3's .dump, or pg_dump.
catalog_dump() {
    if [ -n "$SV_PG_DB" ]; then
        sh "$PGSH" dump "$SV_TEST_PG" "$SV_PG_DB"
    else
        sqlite3 "$SV_DATA/catalog.db" .dump
    fi
}

# sv_start [options...] - starts svserver on a free loopback port with the
# data folder $SV_DATA; waits (at most 10 s) for its "listening on" line.
sv_start() {
    rm -f "$SV_TMP/op-token" # a new server may sign with another secret
    sv_launch "$SVSERVER" --listen 127.0.0.1:0 --data "$SV_DATA" --log-level debug "$@"
}

# sv_launch COMMAND [ARGS...] - sv_start for a server started another way:
# COMMAND is svserver with all its arguments, or a wrapper that execs it
# (e.g. `sh -c 'ulimit -n 64 && exec "$@"' sh "$SVSERVER" ...`). Its stdout
# goes to $SV_TMP/server.out, its stderr is added to $SV_TMP/server.err;
# waits (at most 10 s) for its "listening on" line, sets SV_PID, SV_URL and
# SV_PORT. server.out is emptied before the start: the previous server's
# line would otherwise pass the wait at once, with that server's port,
# before this one listens or handles SIGTERM.
sv_launch() {
    : >"$SV_TMP/server.out"
    "$@" >"$SV_TMP/server.out" 2>>"$SV_TMP/server.err" &
    SV_PID=$!
    _i=0
    while ! grep -q '^listening on' "$SV_TMP/server.out" 2>/dev/null; do
        _i=$((_i + 1))
        if ! kill -0 "$SV_PID" 2>/dev/null; then
            wait "$SV_PID"
            SV_PID=""
            fail "svserver exited during start-up"
        fi
        [ "$_i" -le 200 ] || fail "svserver did not listen within 10 s"
        sleep 0.05
    done
    SV_URL=$(sed -n 's/^listening on //p' "$SV_TMP/server.out")
    SV_PORT=${SV_URL##*:}
}

# req OUTVAR [curl args...] - the status code of one request, body in
# $SV_TMP/body, headers in $SV_TMP/headers.
req() {
    _var=$1
    shift
    rm -f "$SV_TMP/body" "$SV_TMP/headers"
    _code=$(curl -s --max-time 10 -o "$SV_TMP/body" -D "$SV_TMP/headers" -w '%{http_code}' "$@") ||
        true
    [ -f "$SV_TMP/body" ] || : >"$SV_TMP/body"
    [ -f "$SV_TMP/headers" ] || : >"$SV_TMP/headers"
    eval "$_var=\$_code"
}

# header NAME - a header of the last req (case-insensitive), without CR.
header() {
    awk -v n="$1" 'BEGIN { n = tolower(n) } {
        sub(/\r$/, ""); i = index($0, ":");
        if (i && tolower(substr($0, 1, i - 1)) == n) { v = substr($0, i + 1); sub(/^ */, "", v); print v }
    }' "$SV_TMP/headers" | tail -n 1
}

# json_get PATH - one value of the last JSON body (.items[0].title, .total).
json_get() {
    "$RAWCLIENT" json "$SV_TMP/body" "$1"
}

# sv_user NAME ROLE - adds an account (password "pw-NAME-secret", region
# FR) with `svserver user add`; works beside a running server.
sv_user() {
    echo "pw-$1-secret" >"$SV_TMP/pw-$1"
    "$SVSERVER" user add "$1" --password-file "$SV_TMP/pw-$1" --region FR --max-streams 4 \
        --role "$2" --data "$SV_DATA" >/dev/null 2>"$SV_TMP/user.err" ||
        { cat "$SV_TMP/user.err" >&2; fail "svserver user add $1 failed"; }
}

# sv_token NAME - logs NAME in (password "pw-NAME-secret"), prints its token.
sv_token() {
    curl -s --max-time 10 -H 'Content-Type: application/json' \
        -d "{\"name\":\"$1\",\"password\":\"pw-$1-secret\"}" "$SV_URL/api/v1/auth/login" |
        sed -n 's/.*"token":"\([^"]*\)".*/\1/p'
}

# sv_operator - writes need an operator (docs/http-api.md, "Roles"): adds the
# account "sv-operator" once and sets OP_TOKEN and OP_AUTH (a curl header
# argument) for uploads, title edits, regions, steering and /metrics. Call
# after sv_start.
sv_operator() {
    [ -s "$SV_TMP/op-token" ] || {
        [ -f "$SV_TMP/pw-sv-operator" ] || sv_user sv-operator operator
        sv_token sv-operator >"$SV_TMP/op-token"
    }
    OP_TOKEN=$(cat "$SV_TMP/op-token")
    [ -n "$OP_TOKEN" ] || fail "cannot log the operator in"
    OP_AUTH="Authorization: Bearer $OP_TOKEN"
}

# metric NAME_WITH_LABELS - the value of one series from /metrics (0 if absent).
metric() {
    sv_operator
    curl -s --max-time 5 -H "$OP_AUTH" "$SV_URL/metrics" |
        awk -v s="$1" '$1 == s { v = $2 } END { print v + 0 }'
}

# sv_ad_clips - $SV_TMP/title.mp4 (6 s of the test card and a 440 Hz tone)
# and $SV_TMP/ad.mp4 (2 s of colour bars and an 880 Hz tone), 320x240 at
# 25 fps: the title and the ad of the ad-break tests.
sv_ad_clips() {
    ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -f lavfi -i sine=r=48000 \
        -t 6 -c:v libx264 -preset ultrafast -c:a aac -pix_fmt yuv420p "$SV_TMP/title.mp4" ||
        fail "ffmpeg could not make the title"
    ffmpeg -nostdin -v error -f lavfi -i smptebars=size=320x240:rate=25 \
        -f lavfi -i sine=r=48000:frequency=880 -t 2 -c:v libx264 -preset ultrafast -c:a aac \
        -pix_fmt yuv420p "$SV_TMP/ad.mp4" || fail "ffmpeg could not make the ad"
}

# sv_ad_setup - the interstitial tests' start: sv_ad_clips ingested as "The
# film" ($id, its media folder $dir) and "The ad" ($ad), svserver started,
# and an admin's header in $ADMIN.
sv_ad_setup() {
    sv_ad_clips
    id=$(sv_ingest "$SV_TMP/title.mp4" "The film")
    ad=$(sv_ingest "$SV_TMP/ad.mp4" "The ad")
    dir="$SV_DATA/media/$id"
    sv_start
    sv_user sv-admin admin
    ADMIN="Authorization: Bearer $(sv_token sv-admin)"
}

# sv_ingest FILE NAME [OPTIONS...] - `svserver ingest` into $SV_DATA with
# 2 s segments (ultrafast), before sv_start; prints the title's id.
sv_ingest() {
    _f=$1 _n=$2
    shift 2
    "$SVSERVER" ingest "$_f" --title "$_n" --segment-seconds 2 --preset ultrafast \
        --data "$SV_DATA" --log-level warn "$@" >"$SV_TMP/ingest.out" 2>"$SV_TMP/ingest.err" ||
        { cat "$SV_TMP/ingest.err" >&2; fail "svserver ingest $_f failed"; }
    tail -n 1 "$SV_TMP/ingest.out"
}
