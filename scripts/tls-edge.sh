#!/bin/sh
# tls-edge.sh - nginx terminating TLS in front of svserver
# (backend/deploy/nginx-tls.conf), and a test CA, for development and tests.
# nginx runs as the calling user with everything under DIR.
#
#   scripts/tls-edge.sh testca DIR
#       Makes a throw-away CA (DIR/ca.pem) and a server certificate it signed
#       for localhost and 127.0.0.1 (DIR/server.pem, DIR/server.key; P-256,
#       valid 2 days). For tests only: the CA key stays in DIR.
#   scripts/tls-edge.sh start DIR ORIGIN_URL CERT KEY [PORT]
#       Starts nginx on 127.0.0.1:PORT (a free one when not given) proxying to
#       ORIGIN_URL (http://127.0.0.1:PORT of svserver). Prints
#       https://127.0.0.1:PORT.
#   scripts/tls-edge.sh stop DIR
#
# Exit status: 0, 1 on a failure (nginx's error log is shown), 2 on bad usage.
set -u

here=$(cd "$(dirname "$0")" && pwd)
template="$here/../backend/deploy/nginx-tls.conf"
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

usage() {
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

die() {
    echo "tls-edge.sh: $*" >&2
    exit 1
}

# start_one DIR PORT ORIGIN_HOSTPORT CERT KEY -> 0 when nginx runs
start_one() {
    sed -e "s|@PREFIX@|$1|g" -e "s|@LISTEN@|127.0.0.1:$2|g" -e "s|@ORIGIN_HOSTPORT@|$3|g" \
        -e "s|@CERT@|$4|g" -e "s|@KEY@|$5|g" "$template" >"$1/nginx.conf" || return 1
    rm -f "$1/nginx.pid"
    "$NGINX" -e "$1/error.log" -p "$1" -c "$1/nginx.conf" 2>>"$1/error.log" || return 1
    i=0
    while [ ! -s "$1/nginx.pid" ]; do
        i=$((i + 1))
        [ $i -le 50 ] || return 1
        sleep 0.05
    done
    echo "$2" >"$1/port"
}

cmd=${1:-}
[ $# -ge 2 ] || usage
dir=$2

case "$cmd" in
testca)
    command -v openssl >/dev/null 2>&1 || die "openssl is missing; run scripts/install-deps.sh"
    mkdir -p "$dir" || die "cannot create $dir"
    cd "$dir" || exit 1
    ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
    # shellcheck disable=SC2086
    openssl req -x509 $ec -keyout ca.key -out ca.pem -days 2 -subj "/CN=Streamverse test CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || die "cannot make the CA"
    # shellcheck disable=SC2086
    openssl req $ec -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null ||
        die "cannot make the server key"
    printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
        "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
        -extfile server.ext -out server.pem 2>/dev/null || die "cannot sign the server certificate"
    chmod 600 ca.key server.key
    rm -f server.csr server.ext ca.srl
    ;;
start)
    [ $# -ge 5 ] || usage
    origin=$3
    cert=$4
    key=$5
    [ -x "$NGINX" ] || die "nginx is missing; run scripts/install-deps.sh (nginx-light)"
    "$NGINX" -V 2>&1 | grep -q -- --with-http_ssl_module || die "this nginx lacks the ssl module"
    case "$origin" in
    http://*) hostport=${origin#http://}; hostport=${hostport%%/*} ;;
    *) die "ORIGIN_URL must be http://HOST:PORT" ;;
    esac
    [ -r "$cert" ] && [ -r "$key" ] || die "cannot read $cert or $key"
    mkdir -p "$dir/tmp" || die "cannot create $dir"
    dir=$(cd "$dir" && pwd)
    cert=$(cd "$(dirname "$cert")" && pwd)/$(basename "$cert")
    key=$(cd "$(dirname "$key")" && pwd)/$(basename "$key")
    if [ $# -ge 6 ]; then
        start_one "$dir" "$6" "$hostport" "$cert" "$key" ||
            { cat "$dir/error.log" >&2; die "nginx did not start on port $6"; }
        port=$6
    else
        tries=0
        while :; do
            # A random port in 20000-31999, under the ephemeral range (as
            # edges.sh); taken ones fail to bind and are retried.
            port=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 12000 + 20000 ))
            start_one "$dir" "$port" "$hostport" "$cert" "$key" && break
            tries=$((tries + 1))
            [ $tries -lt 20 ] || { cat "$dir/error.log" >&2; die "nginx did not start"; }
        done
    fi
    echo "https://127.0.0.1:$port"
    ;;
stop)
    pidf="$dir/nginx.pid"
    [ -s "$pidf" ] || exit 0
    pid=$(cat "$pidf")
    kill -TERM "$pid" 2>/dev/null || exit 0
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
        i=$((i + 1))
        sleep 0.05
    done
    rm -f "$pidf"
    ;;
*)
    usage
    ;;
esac
