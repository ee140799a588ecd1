#!/bin/sh
# bench/cluster.sh - playback API throughput beyond one machine (issue 14):
# heartbeats/s and starts/s with p50/p99 latency, in one run, for
#   sqlite   one svserver with its SQLite catalog;
#   pg1      one svserver node on PostgreSQL (scripts/cluster.sh --nodes 1);
#   pg3-lb   three nodes on one PostgreSQL behind the nginx balancer;
#   pg3-dir  the same three nodes, wrk straight at each (three wrk processes,
#            their counts added and their latency quantiles merged), to
#            tell the balancer's cost from the nodes'.
# Then the ratios, and the floor of issue 14: PostgreSQL with three nodes
# >= 10,000 heartbeats/s with p99 < 20 ms, and no heartbeat lost.
#
# Load: USERS accounts (max-streams = DEVICES) each start DEVICES devices
# in turn for DURATION s (bench/cluster_start.lua: a start replaces its
# device's previous session, so the run ends with up to USERS x DEVICES
# live sessions, 10,000 by default); then heartbeats for every live session,
# round robin, each with its owner's token (bench/cluster_heartbeat.lua).
# Nodes run with rate-limit 0 (one client address sends everything: the
# per-client limit would answer 429) and heartbeat-interval 60 (no session
# expires during the run), log level warn; PostgreSQL with pg.sh's
# defaults (fsync and synchronous_commit on) unless PG_OPTS says otherwise.
#
# "No heartbeat lost": after each heartbeat run and the nodes' write-behind
# flush (1 s), the sessions table's sum of `heartbeats` over the checked
# sessions grew by exactly the number of 200 answers wrk counted for them
# (wrk stops with requests in flight, so the last second or two go to a
# separate tail set of sessions, not checked; bench/cluster_heartbeat.lua).
#
# usage: bench/cluster.sh [BUILD_DIR]   (default: ./build; or SV_BUILD_DIR)
# env:   DURATION (s per wrk run, default 10), CONNECTIONS (default 32),
#        THREADS (wrk threads, default 1; two cores: wrk competes with the
#        servers), USERS (100), DEVICES (100, at most 100), MODES (default
#        "sqlite pg1 pg3"), PG_OPTS (PostgreSQL server options), LB_WORKERS
#        (nginx worker_processes, default auto), GOAL=1 (exit 1 when the floor
#        is missed), KEEP=1 (keep the temporary folder)
set -eu

BUILD_DIR=${1:-${SV_BUILD_DIR:-build}}
SVSERVER="$BUILD_DIR/apps/svserver/svserver"
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-1}
USERS=${USERS:-100}
DEVICES=${DEVICES:-100}
MODES=${MODES:-sqlite pg1 pg3}
GOAL=${GOAL:-}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CLUSTER="$ROOT/scripts/cluster.sh"
PGSH="$ROOT/scripts/pg.sh"

die() {
    echo "bench/cluster.sh: $*" >&2
    exit 1
}
for tool in wrk ffmpeg curl sqlite3 psql nginx awk python3; do
    command -v "$tool" >/dev/null 2>&1 || die "$tool is missing; run scripts/install-deps.sh"
done
[ -x "$SVSERVER" ] || die "$SVSERVER not built"
SVSERVER=$(cd "$(dirname "$SVSERVER")" && pwd)/svserver
export SVSERVER
[ "$DEVICES" -ge 1 ] && [ "$DEVICES" -le 100 ] || die "DEVICES must be 1..100 (max-streams)"
[ "$USERS" -ge 2 ] || die "USERS must be at least 2 (user 0's sessions are the tail set)"
[ "$DURATION" -ge 5 ] || die "DURATION must be at least 5 s"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/svbc.XXXXXX")
chmod 755 "$TMP" # PostgreSQL runs as postgres when we are root
SV_PID=""
CL_DIR=""
cleanup() {
    if [ -n "$SV_PID" ]; then
        kill -TERM "$SV_PID" 2>/dev/null && wait "$SV_PID" 2>/dev/null
    fi
    [ -z "$CL_DIR" ] || sh "$CLUSTER" down "$CL_DIR" || true
    if [ -n "$KEEP" ]; then echo "kept $TMP" >&2; else rm -rf "$TMP"; fi
}
KEEP=${KEEP:-}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

NODE_OPTS="--rate-limit 0 --heartbeat-interval 60 --workers 0"
INGEST_OPTS="--ladder 240:300 --segment-seconds 2 --preset ultrafast --log-level error"

ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 -t 2 -c:v libx264 \
    -preset ultrafast -pix_fmt yuv420p "$TMP/clip.mp4"
echo "bench-password" >"$TMP/pw"

# users ARGS... - USERS accounts bu0.. (max-streams DEVICES), two at a time
# (each hashes its password).
users() {
    i=0
    while [ "$i" -lt "$USERS" ]; do
        "$SVSERVER" user add "bu$i" --password-file "$TMP/pw" --region FR --max-streams "$DEVICES" \
            "$@" >/dev/null 2>>"$TMP/users.err" &
        a=$!
        j=$((i + 1))
        if [ "$j" -lt "$USERS" ]; then
            "$SVSERVER" user add "bu$j" --password-file "$TMP/pw" --region FR \
                --max-streams "$DEVICES" "$@" >/dev/null 2>>"$TMP/users.err" ||
                { cat "$TMP/users.err" >&2; die "user add bu$j failed"; }
        fi
        wait "$a" || { cat "$TMP/users.err" >&2; die "user add bu$i failed"; }
        i=$((i + 2))
    done
}

# logins URL - a token per account, in order, into $TMP/tokens.
logins() {
    : >"$TMP/tokens"
    i=0
    while [ "$i" -lt "$USERS" ]; do
        t=$(curl -s --max-time 30 -H 'Content-Type: application/json' \
            -d "{\"name\":\"bu$i\",\"password\":\"bench-password\"}" "$1/api/v1/auth/login" |
            sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
        [ -n "$t" ] || die "login of bu$i at $1 failed"
        echo "$t" >>"$TMP/tokens"
        i=$((i + 1))
    done
}

# sql QUERY - rows with ' ' between columns, from this mode's catalog.
sql() {
    if [ "$DB" = sqlite ]; then
        sqlite3 -cmd ".timeout 5000" -separator ' ' "$SQLITE_DATA/catalog.db" "$1"
    else
        sh "$PGSH" psql "$PG_DIR" streamverse -q -At -F ' ' -c "$1"
    fi
}

# wrk_run NAME SCRIPT URL... - one wrk (THREADS threads) for one URL, or one
# wrk per URL (one thread, CONNECTIONS shared out) at once; leaves
# $TMP/NAME.<k>.out (the script's done()) and sets RPS, P50, P99 (ms),
# REQS, SOCKERR, STATUSERR and the script's counters summed (SUM_<key>).
wrk_run() {
    name=$1
    script=$2
    shift 2
    n=$#
    k=0
    pids=""
    for url in "$@"; do
        if [ "$n" -eq 1 ]; then thr=$THREADS; c=$CONNECTIONS; else thr=1; c=$(((CONNECTIONS + n - 1) / n)); fi
        [ "$c" -ge "$thr" ] || c=$thr
        SV_PART=$k SV_PARTS=$n SV_THREADS=$thr SV_OUT="$TMP/$name.$k.out" \
            wrk -t "$thr" -c "$c" -d "${DURATION}s" --timeout 5s -s "$HERE/$script" "$url" \
            >"$TMP/$name.$k.txt" 2>"$TMP/$name.$k.err" &
        pids="$pids $!"
        k=$((k + 1))
    done
    for p in $pids; do wait "$p" || die "wrk failed ($name): $(cat "$TMP/$name".*.err)"; done
    for f in "$TMP/$name".*.err; do
        [ -s "$f" ] && head -n 3 "$f" >&2
    done
    # Sums, the longest duration, and the latency quantiles merged: each
    # file's 1000 quantiles weigh its requests / 1000.
    eval "$(awk '
        $1 == "q" { next }
        $1 == "duration_us" { if ($2 > dur) dur = $2; next }
        { s[$1] += $2 }
        END {
            printf "REQS=%d SOCKERR=%d STATUSERR=%d RPS=%.0f\n", s["requests"],
                s["socket_errors"], s["status_errors"], dur ? s["requests"] / (dur / 1e6) : 0
            for (k in s) if (k !~ /^(requests|socket_errors|status_errors)$/) printf "SUM_%s=%d\n", k, s[k]
        }' "$TMP/$name".*.out)"
    for f in "$TMP/$name".*.out; do
        awk -v r="$(awk '$1 == "requests" { print $2 }' "$f")" '$1 == "q" { print $2, r / 1000 }' "$f"
    done | sort -n | awk '{ v[NR] = $1; w[NR] = $2; tot += $2 }
        END {
            c = 0; p50 = ""; p99 = ""
            for (i = 1; i <= NR; i++) {
                c += w[i]
                if (p50 == "" && c >= 0.50 * tot) p50 = v[i]
                if (p99 == "" && c >= 0.99 * tot) p99 = v[i]
            }
            printf "P50=%.2f P99=%.2f\n", p50 / 1000, p99 / 1000
        }' >"$TMP/$name.pct"
    eval "$(cat "$TMP/$name.pct")"
}

# starts NAME URL... - the starts run; then every (user, device) without a
# live session started (untimed), and the live sessions into $TMP/sessions
# ("id user-index").
starts() {
    _n=$1
    shift
    wrk_run "$_n" cluster_start.lua "$@"
    ST_FIRST=$1
    ST_RPS=$RPS ST_P50=$P50 ST_P99=$P99 ST_BAD=$SUM_bad ST_ERR=$SOCKERR
    sleep 2 # the nodes' write-behind tick
    # A run slower than USERS x DEVICES starts leaves devices without a
    # session: start those (not timed), so every mode heartbeats the same
    # number of sessions.
    sql "SELECT substr(u.name, 3), s.device_id FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.ended IS NULL" >"$TMP/live"
    python3 - "$ST_FIRST" "$SV_TITLE" "$USERS" "$DEVICES" "$TMP/tokens" "$TMP/live" <<'PY' ||
import http.client, sys, threading
from urllib.parse import urlsplit
url, title, users, devices, tokens, live = sys.argv[1:7]
u = urlsplit(url)
tok = open(tokens).read().split()
have = set(tuple(l.split()) for l in open(live) if l.strip())
todo = [(i, d) for i in range(int(users)) for d in range(int(devices))
        if (str(i), "d%d" % d) not in have]
errors = []
def work(k):
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    for i, d in todo[k::8]:
        c.request("POST", "/api/v1/playback/start",
                  '{"title_id":%s,"device_id":"d%d"}' % (title, d),
                  {"Content-Type": "application/json", "Authorization": "Bearer " + tok[i]})
        r = c.getresponse()
        r.read()
        if r.status != 201:
            errors.append(r.status)
ts = [threading.Thread(target=work, args=(k,)) for k in range(8)]
[t.start() for t in ts]
[t.join() for t in ts]
if errors:
    sys.exit("fill: %d starts refused, e.g. %s" % (len(errors), errors[:3]))
PY
        die "the sessions could not be filled up"
    sleep 2
    sql "SELECT s.id, substr(u.name, 3) FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.ended IS NULL ORDER BY s.id" >"$TMP/sessions"
    NSESS=$(wc -l <"$TMP/sessions")
    [ "$NSESS" -eq $((USERS * DEVICES)) ] ||
        die "$NSESS live sessions after the starts run and the fill, not $((USERS * DEVICES))"
}

# main_sum - "count sum" of heartbeats over the live sessions but the tail
# user's (bu0).
main_sum() {
    sql "SELECT count(*), COALESCE(SUM(s.heartbeats), 0) FROM sessions s JOIN users u
         ON u.id = s.user_id WHERE s.ended IS NULL AND u.name <> 'bu0'"
}

# heartbeats NAME URL... - the heartbeat run and the "no heartbeat lost" check.
heartbeats() {
    before=$(main_sum)
    export SV_MAIN_FOR=$((DURATION - 2))
    _n=$1
    shift
    wrk_run "$_n" cluster_heartbeat.lua "$@"
    HB_RPS=$RPS HB_P50=$P50 HB_P99=$P99 HB_ERR=$SOCKERR HB_BAD=$SUM_bad
    sleep 3 # a write-behind tick (1 s) on every node, with margin
    after=$(main_sum)
    n0=${before% *} s0=${before#* } n1=${after% *} s1=${after#* }
    HB_DB=$((s1 - s0))
    HB_WRK=$SUM_ok_main
    HB_INFLIGHT=$((SUM_sent_main - SUM_ans_main))
    if [ "$n0" -eq "$n1" ] && [ "$HB_DB" -eq "$HB_WRK" ] && [ "$HB_INFLIGHT" -eq 0 ]; then
        HB_LOST="none ($HB_WRK = $HB_DB)"
    else
        HB_LOST="MISMATCH: wrk 200s $HB_WRK, catalog +$HB_DB, in flight $HB_INFLIGHT, sessions $n0 -> $n1"
        LOSS=1
    fi
}

LOSS=0
: >"$TMP/table"
# row NAME - one line of the table from the last starts and heartbeats.
row() {
    printf '%-30s %9s %7s %8s   %9s %7s %8s   %6s  %s\n' "$1" "$ST_RPS" "$ST_P50" "$ST_P99" \
        "$HB_RPS" "$HB_P50" "$HB_P99" "$NSESS" "$HB_LOST" >>"$TMP/table"
    eval "R_${2}_ST=$ST_RPS R_${2}_HB=$HB_RPS R_${2}_HB99=$HB_P99"
    [ "$ST_BAD$ST_ERR$HB_BAD$HB_ERR" = "0000" ] ||
        echo "  ($1: starts non-201 $ST_BAD, socket errors $ST_ERR; heartbeats non-200 $HB_BAD, socket errors $HB_ERR)" >>"$TMP/table"
}

# pg_cluster NAME NODES - scripts/cluster.sh up with the bench's settings,
# one title and the accounts; sources its env.
pg_cluster() {
    CL_DIR="$TMP/$1"
    # shellcheck disable=SC2086 # options
    sh "$CLUSTER" up "$CL_DIR" --nodes "$2" --workers 0 --log-level warn -- $NODE_OPTS \
        >/dev/null 2>"$TMP/$1.up" || { cat "$TMP/$1.up" >&2; die "cluster up failed"; }
    # shellcheck disable=SC1091
    . "$CL_DIR/env"
    DB=pg
    PG_DIR=$SV_PG_DIR
    # shellcheck disable=SC2086
    TITLE=$("$SVSERVER" ingest "$TMP/clip.mp4" --title Bench --config "$SV_CONFIG" $INGEST_OPTS \
        2>"$TMP/ingest.err" | tail -n 1)
    [ -n "$TITLE" ] || { cat "$TMP/ingest.err" >&2; die "ingest failed"; }
    users --config "$SV_CONFIG"
    logins "$SV_NODE_1_URL"
    export SV_TITLE="$TITLE"
}

pg_down() {
    sh "$CLUSTER" down "$CL_DIR" || die "cluster down failed"
    CL_DIR=""
}

export SV_TOKENS="$TMP/tokens" SV_SESSIONS="$TMP/sessions" SV_DEVICES="$DEVICES" SV_TAIL_USER=0
export SV_WRK_LIB="$HERE/cluster_wrk.lua"
echo "bench/cluster.sh: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t$THREADS" \
    "-c$CONNECTIONS -d${DURATION}s; $USERS accounts x $DEVICES devices; nodes: $NODE_OPTS"

for mode in $MODES; do
    case "$mode" in
    sqlite)
        echo "- sqlite: one node..."
        DB=sqlite
        SQLITE_DATA="$TMP/sqlite"
        # shellcheck disable=SC2086
        TITLE=$("$SVSERVER" ingest "$TMP/clip.mp4" --title Bench --data "$SQLITE_DATA" $INGEST_OPTS \
            2>"$TMP/ingest.err" | tail -n 1)
        [ -n "$TITLE" ] || { cat "$TMP/ingest.err" >&2; die "ingest failed"; }
        export SV_TITLE="$TITLE"
        users --data "$SQLITE_DATA"
        # shellcheck disable=SC2086
        SVSERVER_TOKEN_SECRET=bench-token-secret-0123456789 "$SVSERVER" --listen 127.0.0.1:0 \
            --data "$SQLITE_DATA" --log-level warn $NODE_OPTS >"$TMP/sqlite.out" 2>"$TMP/sqlite.err" &
        SV_PID=$!
        i=0
        until grep -q '^listening on' "$TMP/sqlite.out" 2>/dev/null; do
            i=$((i + 1))
            [ $i -le 200 ] || { cat "$TMP/sqlite.err" >&2; die "svserver did not start"; }
            sleep 0.05
        done
        url=$(sed -n 's/^listening on //p' "$TMP/sqlite.out")
        logins "$url"
        starts sqlite-st "$url"
        heartbeats sqlite-hb "$url"
        row "sqlite, 1 node" sqlite
        kill -TERM "$SV_PID" && wait "$SV_PID" || true
        SV_PID=""
        ;;
    pg1)
        echo "- postgresql: one node..."
        pg_cluster pg1 1
        starts pg1-st "$SV_NODE_1_URL"
        heartbeats pg1-hb "$SV_NODE_1_URL"
        row "postgresql, 1 node" pg1
        pg_down
        ;;
    pg3)
        echo "- postgresql: three nodes, through the balancer, then directly..."
        pg_cluster pg3 3
        starts pg3lb-st "$SV_LB_URL"
        heartbeats pg3lb-hb "$SV_LB_URL"
        row "postgresql, 3 nodes, nginx" pg3lb
        # shellcheck disable=SC2086 # three URLs
        starts pg3dir-st $SV_NODE_URLS
        # shellcheck disable=SC2086
        heartbeats pg3dir-hb $SV_NODE_URLS
        row "postgresql, 3 nodes, direct" pg3dir
        pg_down
        ;;
    *) die "unknown mode $mode (sqlite, pg1, pg3)" ;;
    esac
done

echo
printf '%-30s %9s %7s %8s   %9s %7s %8s   %6s  %s\n' "" "starts/s" "p50 ms" "p99 ms" \
    "hb/s" "p50 ms" "p99 ms" "live" "heartbeats lost"
cat "$TMP/table"

# ratio A B - A / B with two decimals, or "-" when either is missing.
ratio() {
    awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'
}
echo
echo "ratios (starts/s, heartbeats/s):"
for pair in "pg1 sqlite" "pg3lb sqlite" "pg3dir sqlite" "pg3lb pg1" "pg3dir pg1" "pg3lb pg3dir"; do
    a=${pair% *} b=${pair#* }
    eval "ast=\${R_${a}_ST:-} bst=\${R_${b}_ST:-} ahb=\${R_${a}_HB:-} bhb=\${R_${b}_HB:-}"
    [ -n "$ast" ] && [ -n "$bst" ] || continue
    printf '  %-14s starts %5s   heartbeats %5s\n' "$a/$b" "$(ratio "$ast" "$bst")" "$(ratio "$ahb" "$bhb")"
done

met=""
for m in pg3lb pg3dir; do
    eval "hb=\${R_${m}_HB:-} p99=\${R_${m}_HB99:-}"
    [ -n "$hb" ] || continue
    if awk -v r="$hb" -v p="$p99" 'BEGIN { exit !(r >= 10000 && p < 20) }'; then
        met="$met $m"
    fi
done
echo
if [ -n "${R_pg3lb_HB:-}${R_pg3dir_HB:-}" ]; then
    if [ -n "$met" ] && [ "$LOSS" -eq 0 ]; then
        echo "floor (postgresql, 3 nodes: >= 10000 heartbeats/s, p99 < 20 ms, none lost): met by$met"
    else
        echo "floor (postgresql, 3 nodes: >= 10000 heartbeats/s, p99 < 20 ms, none lost): missed"
        [ -z "$GOAL" ] || exit 1
    fi
fi
[ "$LOSS" -eq 0 ] || { echo "heartbeats were lost (table)"; exit 1; }
