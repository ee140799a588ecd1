#!/bin/sh
# edges.sh - run N nginx CDN edges (backend/deploy/nginx-edge.conf) on
# loopback ports in front of an svserver origin, for development and tests.
# Each edge runs as the calling user with its own prefix under DIR
# (DIR/edgeK: nginx.conf, logs, temp files, cache, pid).
#
#   scripts/edges.sh start DIR ORIGIN_URL EDGE_SECRET N [PORT...]
#       Starts edge1..edgeN in front of ORIGIN_URL (http://127.0.0.1:PORT).
#       Ports: the ones given, else free ones picked at random (retried when
#       taken). Prints the cdns setting for svserver on stdout:
#       edge1=http://127.0.0.1:P1,edge2=http://127.0.0.1:P2,...
#   scripts/edges.sh stop DIR [ID...]
#       Stops the named edges (edge2 ...), or all of DIR's edges.
#   scripts/edges.sh list DIR
#       Prints "ID URL PID" per running edge.
#
# Exit status: 0, 1 on a failure (nginx's error log is shown), 2 on bad usage.
set -u

here=$(cd "$(dirname "$0")" && pwd)
template="$here/../backend/deploy/nginx-edge.conf"
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

usage() {
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

die() {
    echo "edges.sh: $*" >&2
    exit 1
}

# start_one DIR ID PORT ORIGIN_HOSTPORT SECRET -> 0 when nginx runs
start_one() {
    d="$1/$2"
    mkdir -p "$d/tmp" "$d/cache" || return 1
    sed -e "s|@PREFIX@|$d|g" -e "s|@EDGE_ID@|$2|g" -e "s|@LISTEN@|127.0.0.1:$3|g" \
        -e "s|@ORIGIN_HOSTPORT@|$4|g" -e "s|@EDGE_SECRET@|$5|g" "$template" >"$d/nginx.conf" ||
        return 1
    rm -f "$d/nginx.pid"
    # -e: the early error log (before nginx.conf is read) goes to our folder.
    "$NGINX" -e "$d/error.log" -p "$d" -c "$d/nginx.conf" 2>>"$d/error.log" || return 1
    i=0
    while [ ! -s "$d/nginx.pid" ]; do
        i=$((i + 1))
        [ $i -le 50 ] || return 1
        sleep 0.05
    done
    echo "$3" >"$d/port"
}

cmd=${1:-}
[ $# -ge 2 ] || usage
dir=$2

case "$cmd" in
start)
    [ $# -ge 5 ] || usage
    origin=$3
    secret=$4
    n=$5
    shift 5
    [ -x "$NGINX" ] || die "nginx is missing; run scripts/install-deps.sh (nginx-light)"
    [ -f "$template" ] || die "no $template"
    case "$origin" in
    http://*) hostport=${origin#http://}; hostport=${hostport%%/*} ;;
    *) die "ORIGIN_URL must be http://HOST:PORT" ;;
    esac
    case "$n" in ''|*[!0-9]*) die "N must be a number" ;; esac
    case "$secret" in *[\|\"\'\;\$\{\}\ ]*|'') die "EDGE_SECRET must not hold blanks, quotes, | ; \$ or braces" ;; esac
    "$NGINX" -V 2>&1 | grep -q -- --with-http_secure_link_module ||
        die "this nginx lacks the secure_link module"
    mkdir -p "$dir" || die "cannot create $dir"
    dir=$(cd "$dir" && pwd)
    list=""
    k=1
    while [ "$k" -le "$n" ]; do
        id="edge$k"
        if [ $# -gt 0 ]; then
            port=$1
            shift
            start_one "$dir" "$id" "$port" "$hostport" "$secret" ||
                { cat "$dir/$id/error.log" >&2; die "$id did not start on port $port"; }
        else
            tries=0
            while :; do
                # A random port in 20000-31999, under Linux's ephemeral range
                # (32768 up), so that the port of an edge a test killed is not
                # handed to another test's listener on port 0 meanwhile; taken
                # ones fail to bind and are retried.
                port=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 12000 + 20000 ))
                start_one "$dir" "$id" "$port" "$hostport" "$secret" && break
                tries=$((tries + 1))
                [ $tries -lt 20 ] || { cat "$dir/$id/error.log" >&2; die "$id did not start"; }
            done
        fi
        list="$list${list:+,}$id=http://127.0.0.1:$port"
        k=$((k + 1))
    done
    echo "$list"
    ;;
stop)
    shift 2
    [ -d "$dir" ] || exit 0
    ids=${*:-$(cd "$dir" && ls -d edge* 2>/dev/null)}
    for id in $ids; do
        pidf="$dir/$id/nginx.pid"
        [ -s "$pidf" ] || continue
        pid=$(cat "$pidf")
        # The master quits at once with TERM; wait so the port is free.
        kill -TERM "$pid" 2>/dev/null || continue
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
            i=$((i + 1))
            sleep 0.05
        done
        rm -f "$pidf"
    done
    ;;
list)
    for d in "$dir"/edge*; do
        [ -s "$d/nginx.pid" ] || continue
        echo "$(basename "$d") http://127.0.0.1:$(cat "$d/port") $(cat "$d/nginx.pid")"
    done
    ;;
*)
    usage
    ;;
esac
