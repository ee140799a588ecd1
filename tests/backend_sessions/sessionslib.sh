# sessionslib.sh - helpers for the playback session tests. Sourced after
# tests/backend/backendlib.sh.
#
#   make_title TITLE [DRM] ingests a 4 s 240p lavfi clip with `svserver
#                          ingest` into $SV_DATA (before sv_start), encrypted
#                          with DRM (cenc, cbcs; needs SVSERVER_MASTER_KEY)
#                          when given; prints its id
#   add_user NAME REGION N adds an account (password "pw-NAME-secret")
#   login NAME             sets TOKEN (user JWT)
#   api OUTVAR METHOD PATH [JSON]  a JSON request with the bearer TOKEN
#   sign TITLE SESSION EXPIRES     a playback token (JWT) made here with openssl

SECRET="sessions-test-secret-0123456789"
EDGE_SECRET="edge-test-secret-0123456789"
command -v ffmpeg >/dev/null 2>&1 || fail "ffmpeg is missing; run scripts/install-deps.sh"

make_title() {
    [ -f "$SV_TMP/clip.mp4" ] ||
        ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=320x240:rate=25 \
            -f lavfi -i sine=frequency=440:sample_rate=48000 -t 4 -c:v libx264 \
            -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest "$SV_TMP/clip.mp4" ||
        fail "ffmpeg could not make the clip"
    "$SVSERVER" ingest "$SV_TMP/clip.mp4" --title "$1" --data "$SV_DATA" --ladder 240:300 \
        --segment-seconds 2 --preset ultrafast --log-level warn ${2:+--drm "$2"} >"$SV_TMP/ingest.out" \
        2>"$SV_TMP/ingest.err" || { cat "$SV_TMP/ingest.err" >&2; fail "svserver ingest failed"; }
    tail -n 1 "$SV_TMP/ingest.out"
}

add_user() {
    echo "pw-$1-secret" >"$SV_TMP/pw-$1"
    "$SVSERVER" user add "$1" --password-file "$SV_TMP/pw-$1" --region "$2" --max-streams "$3" \
        --data "$SV_DATA" >"$SV_TMP/user.out" 2>"$SV_TMP/user.err" ||
        { cat "$SV_TMP/user.err" >&2; fail "svserver user add $1 failed"; }
}

login() {
    req _code -X POST -H 'Content-Type: application/json' \
        -d "{\"name\":\"$1\",\"password\":\"pw-$1-secret\"}" "$SV_URL/api/v1/auth/login"
    [ "$_code" = 200 ] || fail "login of $1: $_code $(cat "$SV_TMP/body")"
    TOKEN=$(json_get .token)
}

api() {
    _v=$1
    _m=$2
    _p=$3
    if [ $# -ge 4 ]; then
        req "$_v" -X "$_m" -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" \
            -d "$4" "$SV_URL$_p"
    else
        req "$_v" -X "$_m" -H "Authorization: Bearer $TOKEN" "$SV_URL$_p"
    fi
}

# start TITLE DEVICE -> code in $code; SID, MQ (media query) from the body
start() {
    api code POST /api/v1/playback/start "{\"title_id\":$1,\"device_id\":\"$2\"}"
    if [ "$code" = 201 ]; then
        SID=$(json_get .session_id)
        MQ=$(json_get .media_query)
    fi
}

# num PATH - a number of the last JSON body with one decimal.
num() {
    printf '%.1f' "$(json_get "$1")"
}

error_code() {
    json_get .error.code
}

# sign TITLE SESSION EXPIRES: a playback token made with openssl (a JWT,
# HS256: backend/jws.h), so the server's verification is checked against an
# independent signer.
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
JWT_HEADER=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
sign() {
    _p=$(printf '{"title":%s,"session":"%s","prefix":"/media/%s/","exp":%s}' "$1" "$2" "$1" "$3" |
        b64url)
    printf '%s.%s.%s' "$JWT_HEADER" "$_p" \
        "$(printf %s "$JWT_HEADER.$_p" | openssl dgst -sha256 -hmac "$SECRET" -binary | b64url)"
}

# tamper TOKEN: the token with the fifth character of its claims changed (its
# 6 bits all count), so the MAC no longer matches.
tamper() {
    _h=${1%%.*}
    _r=${1#*.}
    _c=$(printf %s "$_r" | cut -c5)
    [ "$_c" = A ] && _n=B || _n=A
    printf '%s.%s%s%s' "$_h" "$(printf %s "$_r" | cut -c1-4)" "$_n" "$(printf %s "$_r" | cut -c6-)"
}
