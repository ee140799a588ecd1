#!/bin/sh
# Request limits and timeouts: oversized headers (431), oversized bodies
# (413), a request head that trickles in (408), idle keep-alive connections
# closed, and an upload of the wrong type (415).
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

sv_start --max-header-bytes 4096 --max-body-kb 1 --header-timeout 0.5 --idle-timeout 1 \
    --max-upload-mb 1
sv_operator

big=$(awk 'BEGIN { for (i = 0; i < 6000; i++) printf "a" }')
req code -H "X-Big: $big" "$SV_URL/healthz"
expect_eq "oversized header" "$code $(json_get .error.code)" "431 header_too_large"
many=""
i=0
while [ $i -lt 100 ]; do many="$many -H X-H$i:$(printf '%060d' $i)"; i=$((i + 1)); done
req code $many "$SV_URL/healthz"
expect_eq "too many headers" "$code" 431
long=$(awk 'BEGIN { for (i = 0; i < 5000; i++) printf "x" }')
req code "$SV_URL/api/v1/titles?q=$long"
expect_eq "oversized request line" "$code" 431
req code "$SV_URL/healthz"
expect_eq "still serving" "$code" 200

awk 'BEGIN { for (i = 0; i < 2048; i++) printf "x" }' >"$SV_TMP/2k"
req code -X PATCH -H "$OP_AUTH" -H 'Content-Type: application/json' --data-binary @"$SV_TMP/2k" \
    "$SV_URL/api/v1/titles/1"
expect_eq "oversized JSON body" "$code $(json_get .error.code)" "413 payload_too_large"
req code -X PATCH -H "$OP_AUTH" -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
    --data-binary @"$SV_TMP/2k" "$SV_URL/api/v1/titles/1"
expect_eq "oversized chunked body" "$code" 413

if [ "$(curl -s "$SV_URL/healthz" | "$RAWCLIENT" json /dev/stdin .ingest)" = true ]; then
    head -c 1100000 /dev/zero >"$SV_TMP/1m"
    req code -X POST -H "$OP_AUTH" -H 'Content-Type: video/mp4' --data-binary @"$SV_TMP/1m" \
        "$SV_URL/api/v1/titles?title=Big"
    expect_eq "oversized upload" "$code" 413
    req code -X POST -H "$OP_AUTH" -H 'Content-Type: text/plain' --data-binary 'hello' \
        "$SV_URL/api/v1/titles?title=Text"
    expect_eq "upload of the wrong type" "$code" 415
    req code -X POST -H "$OP_AUTH" -H 'Content-Type: video/mp4' --data-binary 'x' "$SV_URL/api/v1/titles"
    expect_eq "upload without a title" "$code $(json_get .error.code)" "400 bad_request"
    [ -z "$(ls "$SV_DATA/uploads")" ] || fail "refused uploads left files: $(ls "$SV_DATA/uploads")"
    ok "no upload files left behind"
fi

expect_eq "slow request head" "$("$RAWCLIENT" slowhead "$SV_PORT")" 408
expect_eq "idle connection" "$("$RAWCLIENT" idle "$SV_PORT")" closed
req code "$SV_URL/healthz"
expect_eq "still serving" "$code" 200
