#!/bin/sh
# cluster.sh - svserver beyond one machine, on one machine: a throwaway
# PostgreSQL catalog (scripts/pg.sh), N stateless API nodes, M transcode
# workers and an nginx balancer in front of the nodes, all on loopback, all
# under one folder. For the tests, the benchmark (bench/cluster.sh), the
# docs and `make demo-cluster`. docs/deploy.md, "Beyond one machine".
#
#   scripts/cluster.sh up DIR [--nodes N] [--workers M] [--edges K]
#                      [--log-level LEVEL] [-- NODE_OPTIONS...]
#       N API nodes (default 3): svserver --workers 0 on free loopback ports;
#       M worker processes (default 2): svserver worker, when the svserver
#       at hand has that subcommand (else a note, and none); K CDN edges
#       (default 0; scripts/edges.sh) in front of the balancer for /media/;
#       the balancer (backend/deploy/nginx-lb.conf.in). LEVEL: the nodes'
#       and workers' log level (default info; debug logs one access line
#       per request). NODE_OPTIONS go to the API nodes only. Settings for
#       every svserver process come from the environment (SVSERVER_LADDER,
#       SVSERVER_PRESET, ...), which the config file does not override.
#       Prints the balancer's URL; DIR/env holds the rest for scripts.
#   scripts/cluster.sh down DIR
#       Stops everything (SIGTERM, SIGKILL after STOP_TIMEOUT s, default 20)
#       and removes DIR.
#   scripts/cluster.sh status DIR
#       One line per process (alive or not, its /healthz answer); exit 1
#       when anything is down.
#
# DIR: pg/ (the PostgreSQL cluster; DIR/pg must stay under 92 bytes),
# data/ (the shared media folder of every node and worker), svserver.json
# (mode 0600: db, token-secret, master-key, trusted-proxies, workers 0,
# data; generated secrets, the same for every process), logs/node-K.log,
# logs/worker-K.log, run/*.pid, lb/ (nginx: nginx.conf, upstream.conf,
# access.log, error.log, nginx.pid), edges/ and env:
#   SV_LB_URL SV_LB_PID SV_DB_URL SV_PG_DIR SV_DATA SV_CONFIG SV_SVSERVER
#   SV_NODES SV_NODE_URLS SV_NODE_PIDS SV_NODE_<K>_URL/_PID/_LOG
#   SV_WORKERS SV_WORKER_PIDS SV_CDNS SV_EDGE_SECRET
# Other svserver commands reach the cluster with --config "$SV_CONFIG"
# (svserver user add NAME ... --config "$SV_CONFIG").
#
# Environment: SVSERVER (the binary; default SV_BUILD_DIR/apps/svserver/
# svserver, SV_BUILD_DIR defaulting to build), PG_OPTS (PostgreSQL server
# options, e.g. "-c max_connections=200"), LB_WORKERS (nginx
# worker_processes, default auto), WORKER_THREADS (transcode threads per
# worker, default 1), NGINX.
# As root, PostgreSQL runs as the postgres user and nginx's workers as
# nobody: DIR's parent folders must be searchable by others (o+x).
# Exit status: 0; 1 on a failure (what was started is stopped again, the
# failing log shown); 2 on bad usage.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
PGSH="$here/pg.sh"
EDGESH="$here/edges.sh"
LB_TEMPLATE="$root/backend/deploy/nginx-lb.conf.in"
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
STOP_TIMEOUT=${STOP_TIMEOUT:-20}

usage() {
    sed -n '8,25p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

die() {
    echo "cluster.sh: $*" >&2
    exit 1
}

# log_tail FILE - the last lines of FILE, to stderr.
log_tail() {
    [ -s "$1" ] || return 0
    echo "--- $1 (last 20 lines):" >&2
    tail -n 20 "$1" >&2
}

# find_svserver - sets SVSERVER to an absolute path of the binary.
find_svserver() {
    SVSERVER=${SVSERVER:-${SV_BUILD_DIR:-$root/build}/apps/svserver/svserver}
    case "$SVSERVER" in /*) ;; *) SVSERVER="$(pwd)/$SVSERVER" ;; esac
    [ -x "$SVSERVER" ] || die "$SVSERVER is not built (make build, or set SVSERVER / SV_BUILD_DIR)"
}

# secret BYTES - BYTES random bytes in base64url without padding.
secret() {
    head -c "$1" /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '='
}

# is_ours PID WORD - is PID alive and its command line holding WORD (so a
# pid file never makes us signal a process that merely reused the number)?
is_ours() {
    [ -n "$1" ] && [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF -- "$2"
}

# stop_pids TIMEOUT PID... - SIGTERM to each of our processes, SIGKILL to
# those still alive after TIMEOUT seconds; returns once all are gone.
stop_pids() {
    _t=$1
    shift
    _live=""
    for _p in "$@"; do
        kill -TERM "$_p" 2>/dev/null && _live="$_live $_p"
    done
    _i=0
    while [ -n "$_live" ]; do
        _still=""
        for _p in $_live; do
            # A zombie (our own child, not yet reaped) counts as gone.
            if kill -0 "$_p" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$_p/status" 2>/dev/null; then
                _still="$_still $_p"
            fi
        done
        _live=$_still
        [ -n "$_live" ] || break
        _i=$((_i + 1))
        if [ "$_i" -gt $((_t * 10)) ]; then
            echo "cluster.sh: still running after ${_t} s, killing:$_live" >&2
            for _p in $_live; do kill -KILL "$_p" 2>/dev/null; done
            _t=$((_t + 5)) # then the KILL is waited for
        fi
        sleep 0.1
    done
}

# read_pid FILE - the pid in FILE, or nothing.
read_pid() {
    [ -s "$1" ] && head -n 1 "$1" | tr -dc '0-9'
}

# --- down ----------------------------------------------------------------------
down() {
    d=$1
    [ -d "$d" ] || return 0
    [ -f "$d/.sv-cluster" ] || die "$d is not a cluster of this script (no .sv-cluster): not touching it"
    # The balancer first, so no request reaches a node that is stopping.
    lbpid=$(read_pid "$d/lb/nginx.pid")
    if is_ours "$lbpid" nginx; then
        stop_pids 10 "$lbpid"
    fi
    if [ -d "$d/edges" ]; then
        sh "$EDGESH" stop "$d/edges" || echo "cluster.sh: stopping the edges failed" >&2
    fi
    # Nodes and workers together: each drains (drain-timeout, 10 s by
    # default) or hands its running jobs back to the queue.
    pids=""
    for f in "$d"/run/node-*.pid "$d"/run/worker-*.pid; do
        [ -f "$f" ] || continue
        p=$(read_pid "$f")
        is_ours "$p" "$d/svserver.json" && pids="$pids $p"
    done
    # shellcheck disable=SC2086 # a list of numbers
    [ -z "$pids" ] || stop_pids "$STOP_TIMEOUT" $pids
    if [ -d "$d/pg" ]; then
        sh "$PGSH" stop "$d/pg" || echo "cluster.sh: stopping PostgreSQL failed" >&2
    fi
    rm -rf "$d" || die "cannot remove $d"
}

# --- up ------------------------------------------------------------------------
# A failure during up stops what was started and removes DIR.
up_failed() {
    echo "cluster.sh: up failed; stopping what was started" >&2
    STOP_TIMEOUT=5
    (down "$dir") || true
    exit 1
}

# wait_listening LOG PID NAME - waits (15 s at most) for svserver's
# "listening on URL" line in LOG; sets URL.
wait_listening() {
    _i=0
    URL=""
    while :; do
        URL=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$1" 2>/dev/null | head -n 1)
        [ -z "$URL" ] || return 0
        if ! kill -0 "$2" 2>/dev/null; then
            log_tail "$1"
            echo "cluster.sh: $3 exited during start-up" >&2
            return 1
        fi
        _i=$((_i + 1))
        if [ "$_i" -gt 150 ]; then
            log_tail "$1"
            echo "cluster.sh: $3 did not listen within 15 s" >&2
            return 1
        fi
        sleep 0.1
    done
}

# lb_start - nginx on a random free loopback port, with the upstream list
# in $dir/lb/upstream.conf; sets LB_PORT, LB_PID.
lb_start() {
    lb="$dir/lb"
    mkdir -p "$lb/tmp" || return 1
    tries=0
    while :; do
        # Below Linux's ephemeral range (32768-60999), where the nodes'
        # ports (port 0) and outgoing connections come from.
        LB_PORT=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 12000 + 20000))
        sed -e "s|@PREFIX@|$lb|g" -e "s|@LISTEN@|127.0.0.1:$LB_PORT|g" \
            -e "s|@WORKERS@|${LB_WORKERS:-auto}|g" "$LB_TEMPLATE" >"$lb/nginx.conf" || return 1
        rm -f "$lb/nginx.pid"
        # -e: the early error log (before nginx.conf is read) goes to our folder.
        if "$NGINX" -e "$lb/error.log" -p "$lb" -c "$lb/nginx.conf" 2>>"$lb/error.log"; then
            _i=0
            while [ ! -s "$lb/nginx.pid" ] && [ $_i -lt 50 ]; do
                _i=$((_i + 1))
                sleep 0.05
            done
            LB_PID=$(read_pid "$lb/nginx.pid")
            [ -n "$LB_PID" ] && return 0
        fi
        tries=$((tries + 1))
        if ! grep -q 'Address already in use' "$lb/error.log" || [ $tries -ge 20 ]; then
            log_tail "$lb/error.log"
            echo "cluster.sh: nginx did not start" >&2
            return 1
        fi
    done
}

up() {
    nodes=3
    workers=2
    edges=0
    level=info
    while [ $# -gt 0 ]; do
        case "$1" in
        --nodes) [ $# -ge 2 ] || usage; nodes=$2; shift 2 ;;
        --workers) [ $# -ge 2 ] || usage; workers=$2; shift 2 ;;
        --edges) [ $# -ge 2 ] || usage; edges=$2; shift 2 ;;
        --log-level) [ $# -ge 2 ] || usage; level=$2; shift 2 ;;
        --) shift; break ;;
        *) echo "cluster.sh: unknown option $1" >&2; usage ;;
        esac
    done
    for v in "$nodes" "$workers" "$edges"; do
        case "$v" in '' | *[!0-9]*) echo "cluster.sh: counts are numbers: $v" >&2; usage ;; esac
    done
    [ "$nodes" -ge 1 ] && [ "$nodes" -le 32 ] || { echo "cluster.sh: --nodes 1..32" >&2; usage; }
    [ "$workers" -le 16 ] && [ "$edges" -le 8 ] || { echo "cluster.sh: --workers 0..16, --edges 0..8" >&2; usage; }

    find_svserver
    [ -x "$NGINX" ] || die "nginx is missing; run scripts/install-deps.sh (nginx-light)"
    [ -f "$LB_TEMPLATE" ] || die "no $LB_TEMPLATE"
    command -v curl >/dev/null 2>&1 || die "curl is missing; run scripts/install-deps.sh"
    if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
        die "$dir exists and is not empty (a cluster that is up? scripts/cluster.sh down $dir)"
    fi
    mkdir -p "$dir" || die "cannot create $dir"
    dir=$(cd "$dir" && pwd)
    [ ${#dir} -le 89 ] || { rmdir "$dir"; die "$dir is too long for PostgreSQL's socket (DIR/pg, 92 bytes); use a shorter DIR"; }
    : >"$dir/.sv-cluster"
    trap up_failed EXIT
    trap 'exit 1' HUP INT TERM
    # PostgreSQL (as root: the postgres user) and nginx's workers (nobody)
    # go through DIR.
    chmod 0755 "$dir" || exit 1
    mkdir -p "$dir/logs" "$dir/run" "$dir/data" || exit 1

    # shellcheck disable=SC2086 # PG_OPTS are several words
    sh "$PGSH" start "$dir/pg" ${PG_OPTS:-} >/dev/null || exit 1
    db=$(sh "$PGSH" createdb "$dir/pg" streamverse) || exit 1

    # The balancer first: its port is the edges' origin. Its node list is
    # filled once the nodes listen.
    mkdir -p "$dir/lb" || exit 1
    echo "server 127.0.0.1:1 down;" >"$dir/lb/upstream.conf" || exit 1
    lb_start || exit 1
    lb_url="http://127.0.0.1:$LB_PORT"

    cdns=""
    edge_secret=""
    if [ "$edges" -gt 0 ]; then
        edge_secret=$(secret 24)
        cdns=$(sh "$EDGESH" start "$dir/edges" "$lb_url" "$edge_secret" "$edges") || exit 1
    fi

    # One config for every process: secrets stay out of ps (the command
    # line) and out of the environment of unrelated children.
    umask 077
    {
        printf '{"db":"%s","data":"%s","workers":0,"trusted-proxies":"127.0.0.1",\n' "$db" "$dir/data"
        printf ' "token-secret":"%s",\n "master-key":"%s"' "$(secret 32)" \
            "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')"
        [ -z "$edge_secret" ] || printf ',\n "edge-secret":"%s","cdns":"%s"' "$edge_secret" "$cdns"
        printf '}\n'
    } >"$dir/svserver.json" || exit 1
    umask 022
    cfg="$dir/svserver.json"

    # API nodes: free ports (port 0), read from their "listening on" line.
    k=1
    node_urls=""
    node_pids=""
    : >"$dir/lb/upstream.conf.new"
    while [ "$k" -le "$nodes" ]; do
        log="$dir/logs/node-$k.log"
        "$SVSERVER" --config "$cfg" --listen 127.0.0.1:0 --log-level "$level" "$@" \
            </dev/null >>"$log" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/run/node-$k.pid"
        wait_listening "$log" "$pid" "node $k" || exit 1
        eval "node_${k}_url=\$URL node_${k}_pid=\$pid"
        node_urls="$node_urls${node_urls:+ }$URL"
        node_pids="$node_pids${node_pids:+ }$pid"
        echo "server ${URL#http://} max_fails=1 fail_timeout=5s;" >>"$dir/lb/upstream.conf.new"
        k=$((k + 1))
    done

    # Transcode workers, if this svserver has them.
    worker_pids=""
    worker_note=""
    if [ "$workers" -gt 0 ]; then
        if "$SVSERVER" --help 2>&1 | grep -q '^ *svserver worker'; then
            k=1
            while [ "$k" -le "$workers" ]; do
                log="$dir/logs/worker-$k.log"
                "$SVSERVER" worker --config "$cfg" --workers "${WORKER_THREADS:-1}" \
                    --log-level "$level" </dev/null >>"$log" 2>&1 &
                pid=$!
                echo "$pid" >"$dir/run/worker-$k.pid"
                worker_pids="$worker_pids${worker_pids:+ }$pid"
                k=$((k + 1))
            done
            sleep 0.5
            k=1
            for pid in $worker_pids; do
                kill -0 "$pid" 2>/dev/null ||
                    { log_tail "$dir/logs/worker-$k.log"; echo "cluster.sh: worker $k exited" >&2; exit 1; }
                k=$((k + 1))
            done
        else
            workers=0
            worker_note="note: $SVSERVER has no 'worker' subcommand: no transcode workers (uploads stay queued; ingest with svserver ingest --config $cfg)"
            echo "cluster.sh: $worker_note" >&2
        fi
    fi

    # The nodes into the balancer; it answers once its new workers run.
    mv "$dir/lb/upstream.conf.new" "$dir/lb/upstream.conf" || exit 1
    "$NGINX" -e "$dir/lb/error.log" -p "$dir/lb" -c "$dir/lb/nginx.conf" -t >"$dir/lb/test.log" 2>&1 ||
        { log_tail "$dir/lb/test.log"; exit 1; }
    kill -HUP "$LB_PID" || exit 1
    i=0
    until [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$lb_url/healthz")" = 200 ]; do
        i=$((i + 1))
        [ $i -le 100 ] || { log_tail "$dir/lb/error.log"; echo "cluster.sh: no /healthz through the balancer within 10 s" >&2; exit 1; }
        sleep 0.1
    done

    {
        echo "# scripts/cluster.sh up $dir: source this file"
        echo "SV_CLUSTER_DIR='$dir'"
        echo "SV_LB_URL='$lb_url'"
        echo "SV_LB_PID='$LB_PID'"
        echo "SV_LB_LOG='$dir/lb/access.log'"
        echo "SV_DB_URL='$db'"
        echo "SV_PG_DIR='$dir/pg'"
        echo "SV_DATA='$dir/data'"
        echo "SV_CONFIG='$cfg'"
        echo "SV_SVSERVER='$SVSERVER'"
        echo "SV_NODES='$nodes'"
        echo "SV_NODE_URLS='$node_urls'"
        echo "SV_NODE_PIDS='$node_pids'"
        k=1
        while [ "$k" -le "$nodes" ]; do
            eval "echo \"SV_NODE_${k}_URL='\$node_${k}_url'\""
            eval "echo \"SV_NODE_${k}_PID='\$node_${k}_pid'\""
            echo "SV_NODE_${k}_LOG='$dir/logs/node-$k.log'"
            k=$((k + 1))
        done
        echo "SV_WORKERS='$workers'"
        echo "SV_WORKER_PIDS='$worker_pids'"
        echo "SV_CDNS='$cdns'"
        echo "SV_EDGE_SECRET='$edge_secret'"
        echo "export SV_CLUSTER_DIR SV_LB_URL SV_DB_URL SV_DATA SV_CONFIG SV_NODE_URLS"
    } >"$dir/env" || exit 1

    trap - EXIT
    echo "cluster up in $dir:" >&2
    echo "  PostgreSQL $db" >&2
    echo "  $nodes API node(s): $node_urls (logs $dir/logs/node-K.log)" >&2
    echo "  $workers worker(s)${worker_pids:+: pids $worker_pids}" >&2
    [ -z "$worker_note" ] || echo "  $worker_note" >&2
    [ -z "$cdns" ] || echo "  edges in front of the balancer: $cdns" >&2
    echo "  balancer $lb_url (nginx pid $LB_PID, $dir/lb/access.log)" >&2
    echo "  settings: $dir/env (source it), svserver --config $cfg" >&2
    echo "$lb_url"
}

# --- status --------------------------------------------------------------------
# probe NAME PID WORD [URL] - one status line; sets bad=1 when not alive.
probe() {
    if is_ours "$2" "$3"; then
        st="alive"
        if [ -n "${4:-}" ]; then
            st="$st, /healthz $(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$4/healthz")"
        fi
    else
        st="DOWN"
        bad=1
    fi
    printf '%-10s pid %-7s %-26s %s\n' "$1" "${2:--}" "${4:-}" "$st"
}

status() {
    [ -f "$dir/env" ] || die "$dir holds no cluster that is up (no $dir/env)"
    # shellcheck disable=SC1091 # written by up
    . "$dir/env"
    bad=0
    pgpid=$(read_pid "$SV_PG_DIR/data/postmaster.pid")
    probe postgresql "$pgpid" postgres
    k=1
    while [ "$k" -le "$SV_NODES" ]; do
        eval "probe node-$k \"\$SV_NODE_${k}_PID\" \"$SV_CONFIG\" \"\$SV_NODE_${k}_URL\""
        k=$((k + 1))
    done
    k=1
    for p in $SV_WORKER_PIDS; do
        probe "worker-$k" "$p" "$SV_CONFIG"
        k=$((k + 1))
    done
    if [ -d "$SV_CLUSTER_DIR/edges" ]; then
        for e in "$SV_CLUSTER_DIR"/edges/edge*; do
            probe "${e##*/}" "$(read_pid "$e/nginx.pid")" nginx
        done
    fi
    probe balancer "$SV_LB_PID" nginx "$SV_LB_URL"
    return $bad
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
shift 2
case "$dir" in /*) ;; *) dir="$(pwd)/$dir" ;; esac

case "$cmd" in
up) up "$@" ;;
down) [ $# -eq 0 ] || usage; down "$dir" ;;
status) [ $# -eq 0 ] || usage; status ;;
*) usage ;;
esac
