#!/bin/sh
# Roles on every write route (docs/http-api.md, "Roles"): each refuses no
# token (401), a bad token (401) and a viewer's token (403), and takes an
# operator's (admin routes: an admin's); player read routes stay open; the
# writes land in the audit log with who, what, when and from where; an
# admin changes a role through the API.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

SECRET="auth-roles-secret-0123456789"
sv_start --token-secret "$SECRET" --rate-limit 0
sv_user vic viewer
sv_user op operator
sv_user boss admin
VIEWER=$(sv_token vic)
OPERATOR=$(sv_token op)
ADMIN=$(sv_token boss)
[ -n "$VIEWER" ] && [ -n "$OPERATOR" ] && [ -n "$ADMIN" ] || fail "cannot log the three users in"
# A well-formed token signed with another secret (an operator's, forged).
FORGED=$(printf '%s' "$OPERATOR" | sed 's/\.[^.]*$/.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/')

# call TOKEN METHOD PATH [JSON] - the status of one request ("-": no token).
call() {
    _t=$1 _m=$2 _p=$3
    shift 3
    set -- -X "$_m" "$@"
    [ "$_t" = - ] || set -- -H "Authorization: Bearer $_t" "$@"
    case "$_p" in
        /api/v1/titles\?*) set -- -H 'Content-Type: video/mp4' --data-binary 'x' "$@" ;;
        *) [ "$_m" = GET ] || [ "$_m" = DELETE ] ||
               set -- -H 'Content-Type: application/json' --data-binary "$BODY" "$@" ;;
    esac
    req _status "$@" "$SV_URL$_p"
    echo "$_status"
}

# route NEED METHOD PATH JSON - NEED: operator or admin.
route() {
    BODY=$4
    expect_eq "$2 $3 without a token" "$(call - "$2" "$3")" 401
    expect_eq "$2 $3 with a forged token" "$(call "$FORGED" "$2" "$3")" 401
    expect_eq "$2 $3 with a viewer's token" "$(call "$VIEWER" "$2" "$3")" 403
    _op=$(call "$OPERATOR" "$2" "$3")
    if [ "$1" = admin ]; then
        expect_eq "$2 $3 with an operator's token" "$_op" 403
        _ad=$(call "$ADMIN" "$2" "$3")
        case "$_ad" in 401 | 403) fail "$2 $3 refused an admin: $_ad" ;; esac
        ok "$2 $3 with an admin's token: $_ad"
    else
        case "$_op" in 401 | 403) fail "$2 $3 refused an operator: $_op" ;; esac
        ok "$2 $3 with an operator's token: $_op"
        _ad=$(call "$ADMIN" "$2" "$3")
        case "$_ad" in 401 | 403) fail "$2 $3 refused an admin: $_ad" ;; esac
    fi
}

# Every write route of backend/api.c's table, and the operator reads.
route operator POST "/api/v1/titles?title=Clip" ''
route operator PATCH /api/v1/titles/1 '{"title":"x"}'
route operator PUT /api/v1/titles/1/regions '{"regions":["FR"]}'
route operator PUT /api/v1/steering '{"priority":["edge1"]}'
route operator GET /metrics ''
route admin GET /api/v1/users ''
route admin POST /api/v1/users '{"name":"x","password":"short","region":"FR"}'
route admin PATCH /api/v1/users/nobody '{"role":"viewer"}'
route admin DELETE /api/v1/users/nobody/lockout ''
route admin GET /api/v1/audit ''

# What players use stays open.
expect_eq "titles list, anonymous" "$(call - GET /api/v1/titles)" 200
expect_eq "title get, anonymous (the upload above made it)" "$(call - GET /api/v1/titles/1)" 200
expect_eq "steering get, anonymous" "$(call - GET /api/v1/steering)" 200
expect_eq "healthz, anonymous" "$(call - GET /healthz)" 200
req code -X OPTIONS "$SV_URL/api/v1/steering"
expect_eq "CORS preflight of a write route, anonymous" "$code" 204

# An admin makes an account and changes a role; the new role is in the
# next token.
BODY='{"name":"newop","password":"pw-newop-secret","region":"DE","max_streams":1,"role":"viewer"}'
expect_eq "admin adds a viewer" "$(call "$ADMIN" POST /api/v1/users)" 201
expect_eq "the same name again" "$(call "$ADMIN" POST /api/v1/users)" 409
BODY='{"role":"operator"}'
expect_eq "admin makes it an operator" "$(call "$ADMIN" PATCH /api/v1/users/newop)" 200
NEWOP=$(sv_token newop)
BODY='{"priority":["edge1"]}'
case "$(call "$NEWOP" PUT /api/v1/steering)" in 401 | 403) fail "the new operator is refused" ;; esac
ok "the new operator's token is taken"
call "$ADMIN" GET /api/v1/users >/dev/null
expect_contains "users list" "$(cat "$SV_TMP/body")" '"name":"newop","region":"DE","max_streams":1,"role":"operator"'

# The audit log: who, what, when, from where, with the outcome; refusals of
# authenticated users too; newest first.
call "$ADMIN" GET "/api/v1/audit?limit=500" >/dev/null
audit=$(cat "$SV_TMP/body")
expect_contains "audit: the operator's PATCH" "$audit" \
    '"actor":"op","actor_id":2,"role":"operator","action":"PATCH title_patch","target":"/api/v1/titles/1","peer":"127.0.0.1","status":200'
expect_contains "audit: the viewer's refused steering" "$audit" \
    '"actor":"vic","actor_id":1,"role":"viewer","action":"PUT steering_put","target":"/api/v1/steering","peer":"127.0.0.1","status":403'
expect_contains "audit: the role change" "$audit" '"action":"PATCH user_patch","target":"/api/v1/users/newop"'
expect_contains "audit: the command line's user add" "$audit" '"action":"user_add","target":"boss","peer":"cli"'
expect_contains "audit: a timestamp" "$audit" '"at":"20'
expect_eq "audit: bad limit" "$(call "$ADMIN" GET "/api/v1/audit?limit=0")" 400
# Anonymous refusals are not logged (a flood would fill the log).
case "$audit" in *'"actor":"-","actor_id":null,"role":"anonymous","action":"PUT'*) fail "anonymous refusal audited" ;; esac
ok "anonymous refusals stay out of the audit log"
# Append-only: the catalog refuses to rewrite history.
if [ -n "$SV_PG_DB" ] || command -v sqlite3 >/dev/null 2>&1; then
    catalog_sql "DELETE FROM audit" 2>"$SV_TMP/sql.err" && fail "audit rows deleted"
    expect_contains "the audit table's answer to DELETE" "$(cat "$SV_TMP/sql.err")" "append-only"
fi
