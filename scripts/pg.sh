#!/bin/sh
# pg.sh - a throwaway PostgreSQL cluster on a loopback port, for the tests
# (tests/pg), the cluster scripts and the demo. Everything is in DIR: the
# data folder (DIR/data), the server's Unix socket (DIR itself, never
# /var/run/postgresql), its log (DIR/server.log), the port (DIR/port), the
# extra server options (DIR/opts) and the connection URL (DIR/url).
# The superuser is svtest, trusted without a password; the server listens on
# 127.0.0.1 only. initdb refuses to run as root, so as root the server runs
# as the postgres system user and DIR belongs to it; otherwise it runs as
# the calling user.
#
#   scripts/pg.sh start DIR [SERVER_OPTIONS]
#       Creates DIR (replacing a cluster an earlier run left there), runs
#       initdb, starts the server on a free port and waits until it answers.
#       Prints postgresql://svtest@127.0.0.1:PORT/postgres (also in DIR/url).
#       SERVER_OPTIONS go to postgres as they are, e.g. "-c fsync=off".
#   scripts/pg.sh stop DIR             stops the server (fast) and removes DIR
#   scripts/pg.sh pause DIR            stops the server (fast), keeps DIR
#   scripts/pg.sh resume DIR           starts it again on the same port
#   scripts/pg.sh createdb DIR NAME    creates database NAME, prints its URL
#   scripts/pg.sh dropdb DIR NAME      drops NAME, closing its connections
#   scripts/pg.sh url DIR [NAME]       the URL of the cluster, or of NAME
#   scripts/pg.sh psql DIR NAME [ARG...]  psql on NAME (-X, ON_ERROR_STOP)
#   scripts/pg.sh dump DIR NAME [ARG...]  pg_dump of NAME
#
# The binaries come from $PG_BINDIR, else `pg_config --bindir`, else the
# highest /usr/lib/postgresql/*/bin, else the PATH.
# Exit status: 0, 1 on a failure (with the server log's tail), 2 on bad usage.
set -u

PG_USER=svtest

usage() {
    sed -n '12,25p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

die() {
    echo "pg.sh: $*" >&2
    exit 1
}

# find_bindir - sets BIN to a folder holding initdb, pg_ctl and psql.
find_bindir() {
    # shellcheck disable=SC2046 # one folder per line, no blanks in them
    for c in "${PG_BINDIR:-}" "$(pg_config --bindir 2>/dev/null)" \
        $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k5,5nr) \
        "$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")"; do
        if [ -n "$c" ] && [ -x "$c/initdb" ] && [ -x "$c/pg_ctl" ] && [ -x "$c/psql" ]; then
            BIN=$c
            return 0
        fi
    done
    die "PostgreSQL's initdb, pg_ctl and psql were not found (PG_BINDIR, pg_config --bindir," \
        "/usr/lib/postgresql/*/bin, PATH); run scripts/install-deps.sh"
}

# The server's owner: postgres when we are root, else ourselves (RUNAS empty).
RUNAS=""
if [ "$(id -u)" -eq 0 ]; then
    RUNAS=postgres
    id "$RUNAS" >/dev/null 2>&1 ||
        die "running as root, but there is no postgres system user to run the server; run scripts/install-deps.sh"
fi

# as_owner CMD [ARG...] - runs CMD as the server's owner, from / (the
# caller's folder may be closed to that user).
as_owner() {
    if [ -z "$RUNAS" ]; then
        "$@"
    elif command -v runuser >/dev/null 2>&1; then
        (cd / && runuser -u "$RUNAS" -- "$@")
    else
        # "--": su would take options of the command (test -w) as its own.
        # shellcheck disable=SC2016 # expanded by the postgres user's sh
        (cd / && su -s /bin/sh -c 'exec "$0" "$@"' -- "$RUNAS" "$@")
    fi
}

# is_cluster DIR - does DIR hold a cluster this script made (or began)?
is_cluster() {
    [ -f "$1/opts" ] || [ -f "$1/data/PG_VERSION" ]
}

# tail_log - the last lines of the server log, to stderr.
tail_log() {
    [ -s "$dir/server.log" ] || return 0
    echo "--- $dir/server.log (last 20 lines):" >&2
    tail -n 20 "$dir/server.log" >&2
}

# server_up PORT - starts the server of $dir on PORT; 0 once it answers.
server_up() {
    # The listen address, port and socket folder go in a file the main
    # postgresql.conf includes, so a path needs no shell quoting and resume
    # finds them again.
    q=$(printf '%s' "$dir" | sed "s/'/''/g")
    printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\n" \
        "$1" "$q" >"$dir/data/pg_sh.conf" || return 1
    [ -z "$RUNAS" ] || chown "$RUNAS" "$dir/data/pg_sh.conf" || return 1
    opts=$(cat "$dir/opts") || return 1
    # shellcheck disable=SC2094 # pg_ctl and the server append to the log, as we do
    as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -s -o "$opts" start \
        >/dev/null 2>>"$dir/server.log" || return 1
    "$BIN/psql" -X -q -At -c 'SELECT 1' "postgresql://$PG_USER@127.0.0.1:$1/postgres" \
        >/dev/null 2>>"$dir/server.log"
}

# server_down MODE - stops the server of $dir if it runs.
server_down() {
    [ -f "$dir/data/postmaster.pid" ] || return 0
    as_owner "$BIN/pg_ctl" -D "$dir/data" -m "$1" -w -t 60 -s stop >/dev/null 2>>"$dir/server.log"
}

# db_name NAME - NAME if it is a plain lower-case SQL identifier.
db_name() {
    case "$1" in
    '' | [!a-z_]* | *[!a-z0-9_]*) die "database name '$1': use a-z, 0-9 and _ (not first)" ;;
    esac
    [ ${#1} -le 63 ] || die "database name '$1' is longer than 63 characters"
}

# cluster_url [NAME] - the URL of the running cluster in $dir.
cluster_url() {
    [ -s "$dir/port" ] || die "$dir holds no cluster (run scripts/pg.sh start $dir)"
    echo "postgresql://$PG_USER@127.0.0.1:$(cat "$dir/port")/${1:-postgres}"
}

# sql STATEMENT - one statement on the cluster's postgres database.
sql() {
    "$BIN/psql" -X -q -v ON_ERROR_STOP=1 -d "$(cluster_url)" -c "$1" >/dev/null ||
        die "$1: failed (is the cluster in $dir running?)"
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
shift 2
case "$dir" in /*) ;; *) dir="$(pwd)/$dir" ;; esac

case "$cmd" in
start)
    find_bindir
    if [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
        is_cluster "$dir" || die "$dir exists and holds no pg.sh cluster: not touching it"
        # Left by an interrupted run: its server may still be up.
        echo "pg.sh: replacing the cluster left in $dir" >&2
        server_down immediate || true
        rm -rf "$dir" || die "cannot remove $dir"
    fi
    # A Unix socket path has at most 107 bytes: DIR/.s.PGSQL.PORT.
    [ ${#dir} -le 92 ] || die "$dir is too long for the server's Unix socket; use a shorter DIR"
    mkdir -p "$dir" || die "cannot create $dir"
    chmod 0755 "$dir" || die "cannot set the mode of $dir"
    dir=$(cd "$dir" && pwd)
    if [ -n "$RUNAS" ]; then
        chown "$RUNAS:$(id -gn "$RUNAS")" "$dir" || die "cannot give $dir to $RUNAS"
        as_owner test -w "$dir" || {
            rmdir "$dir"
            die "$RUNAS cannot write to $dir: its parent folders must be searchable by it (o+x)"
        }
    fi
    printf '%s\n' "$*" >"$dir/opts" || die "cannot write $dir/opts"
    # C.UTF-8 rather than C so that pg_trgm sees non-ASCII letters as letters.
    locale="--no-locale"
    if locale -a 2>/dev/null | grep -qi '^c\.utf-*8$'; then
        locale="--locale=C.UTF-8"
    fi
    # --no-sync: the cluster is thrown away; the server itself keeps fsync.
    as_owner "$BIN/initdb" -D "$dir/data" -U "$PG_USER" -A trust -E UTF8 "$locale" \
        --lc-messages=C --no-sync >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; die "initdb failed in $dir/data"; }
    echo "include_if_exists = 'pg_sh.conf'" >>"$dir/data/postgresql.conf" ||
        die "cannot write $dir/data/postgresql.conf"
    tries=0
    while :; do
        # A random port below Linux's ephemeral range (32768-60999), so
        # outgoing connections do not take it; a taken one is retried.
        port=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 12000 + 20000))
        : >"$dir/server.log"
        [ -z "$RUNAS" ] || chown "$RUNAS" "$dir/server.log"
        server_up "$port" && break
        server_down immediate || true
        tries=$((tries + 1))
        if ! grep -q 'could not bind\|could not create any TCP/IP sockets' "$dir/server.log" ||
            [ $tries -ge 20 ]; then
            tail_log
            die "the server did not start in $dir"
        fi
    done
    echo "$port" >"$dir/port"
    cluster_url >"$dir/url"
    cat "$dir/url"
    ;;
stop)
    [ -d "$dir" ] || exit 0
    is_cluster "$dir" || die "$dir holds no pg.sh cluster: not removing it"
    if [ -f "$dir/data/postmaster.pid" ]; then
        find_bindir
        if ! server_down fast; then
            tail_log
            server_down immediate || die "cannot stop the server in $dir"
        fi
    fi
    rm -rf "$dir" || die "cannot remove $dir"
    ;;
pause)
    find_bindir
    is_cluster "$dir" || die "$dir holds no pg.sh cluster"
    [ -f "$dir/data/postmaster.pid" ] || die "the server in $dir is not running"
    server_down fast || { tail_log; die "cannot stop the server in $dir"; }
    ;;
resume)
    find_bindir
    [ -s "$dir/port" ] || die "$dir holds no pg.sh cluster"
    [ ! -f "$dir/data/postmaster.pid" ] || die "the server in $dir is already running"
    port=$(cat "$dir/port")
    server_up "$port" || { tail_log; die "the server in $dir did not start again on port $port"; }
    ;;
createdb | dropdb)
    [ $# -eq 1 ] || usage
    find_bindir
    db_name "$1"
    if [ "$cmd" = createdb ]; then
        sql "CREATE DATABASE $1"
        cluster_url "$1"
    else
        # FORCE: a server killed by a test may leave a connection behind.
        sql "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
    fi
    ;;
url)
    [ $# -le 1 ] || usage
    [ $# -eq 0 ] || db_name "$1"
    cluster_url "${1:-}"
    ;;
psql | dump)
    [ $# -ge 1 ] || usage
    find_bindir
    db_name "$1"
    url=$(cluster_url "$1")
    shift
    if [ "$cmd" = psql ]; then
        exec "$BIN/psql" -X -v ON_ERROR_STOP=1 -d "$url" "$@"
    fi
    [ -x "$BIN/pg_dump" ] || die "$BIN/pg_dump is missing; run scripts/install-deps.sh"
    exec "$BIN/pg_dump" -d "$url" "$@"
    ;;
*)
    usage
    ;;
esac
