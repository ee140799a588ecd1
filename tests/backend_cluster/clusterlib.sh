# clusterlib.sh - shared by the scripts/cluster.sh suites (cluster_smoke.sh,
# cluster_play.sh). Sourced; needs SV_BUILD_DIR and SV_SOURCE_DIR (ctest).
#
# Checks the tools, makes $TMP (open to the postgres and nobody users, which
# PostgreSQL and nginx's workers run as when we are root) with the cluster
# folder $CL inside, and on exit takes the cluster down (whatever state a
# failure left it in) and removes $TMP. CLUSTER_CLEANUP, when set, is run
# first (eval'd). fail prints the last lines of the nodes', workers' and
# balancer's logs and of any $TMP/*.err.
set -u
: "${SV_BUILD_DIR:?run through ctest (SV_BUILD_DIR unset)}"
: "${SV_SOURCE_DIR:?run through ctest (SV_SOURCE_DIR unset)}"
SVSERVER="$SV_BUILD_DIR/apps/svserver/svserver"
CLUSTER="$SV_SOURCE_DIR/scripts/cluster.sh"
PGSH="$SV_SOURCE_DIR/scripts/pg.sh"

for tool in curl ffmpeg nginx psql; do
    command -v "$tool" >/dev/null 2>&1 ||
        { echo "FAIL: $tool is missing; run scripts/install-deps.sh" >&2; exit 1; }
done
[ -x "$SVSERVER" ] || { echo "FAIL: $SVSERVER not built" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/sv-cluster.XXXXXX") || exit 1
chmod 755 "$TMP"
CL="$TMP/c"
CLUSTER_CLEANUP=""
cluster_cleanup() {
    _st=$?
    [ -z "$CLUSTER_CLEANUP" ] || eval "$CLUSTER_CLEANUP"
    [ ! -d "$CL" ] || sh "$CLUSTER" down "$CL" >/dev/null 2>&1
    rm -rf "$TMP"
    exit "$_st"
}
trap cluster_cleanup EXIT
trap 'exit 1' HUP INT TERM

fail() {
    echo "FAIL: $*" >&2
    for f in "$TMP"/*.err "$CL"/logs/*.log "$CL/lb/error.log"; do
        [ -s "$f" ] || continue
        echo "--- $f (last 15 lines):" >&2
        tail -n 15 "$f" >&2
    done
    exit 1
}
ok() {
    echo "ok: $*"
}
expect_eq() {
    [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
    ok "$1 = $3"
}
