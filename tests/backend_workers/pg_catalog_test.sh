#!/bin/sh
# Runs a catalog test binary (argv) against a database of its own in the
# PostgreSQL cluster SV_TEST_PG (scripts/pg.sh, the fixture sv_pg of
# tests/pg), passing the database's URL as its last argument; drops the
# database afterwards.
set -u
: "${SV_TEST_PG:?run through ctest (the sv_pg fixture sets SV_TEST_PG)}"
PGSH="$SV_SOURCE_DIR/scripts/pg.sh"
db="sv_catalog_$$_$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')"
url=$(sh "$PGSH" createdb "$SV_TEST_PG" "$db") ||
    { echo "FAIL: cannot create a database in $SV_TEST_PG" >&2; exit 1; }
rc=0
"$@" "$url" || rc=$?
sh "$PGSH" dropdb "$SV_TEST_PG" "$db" || echo "warning: database $db was not dropped" >&2
exit $rc
