#!/bin/sh
# svserver over HTTP, no ingest needed: media serving (Range, 416, ETag/304,
# Last-Modified, MIME types, HEAD, CORS and preflight), routing (404, 405),
# JSON errors (400, 415), keep-alive and pipelining, metrics counters.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

# A published-looking title folder: 20000 bytes of known content.
T="$SV_DATA/media/5"
mkdir -p "$T/video/240p" "$T/audio" "$T/thumbs"
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "%09d\n", i }' >"$T/video/240p/seg-1.m4s"
cp "$T/video/240p/seg-1.m4s" "$T/audio/seg-1.m4s"
printf '#EXTM3U\n#EXT-X-VERSION:7\n' >"$T/master.m3u8"
printf '<MPD/>\n' >"$T/manifest.mpd"
printf 'jpg' >"$T/thumbs/thumb-1.jpg"
printf 'ts' >"$T/video/240p/old.ts"
printf 'WEBVTT\n' >"$T/subs.vtt"
sv_start
sv_operator
SEG="$SV_URL/media/5/video/240p/seg-1.m4s"

# --- Range -------------------------------------------------------------------
req code -r 1000-1099 "$SEG"
expect_eq "range status" "$code" 206
expect_eq "range bytes" "$(cat "$SV_TMP/body")" "$(dd if="$T/video/240p/seg-1.m4s" bs=1 skip=1000 count=100 2>/dev/null)"
expect_eq "Content-Range" "$(header Content-Range)" "bytes 1000-1099/20000"
expect_eq "range Content-Length" "$(header Content-Length)" 100
req code -r -10 "$SEG"
expect_eq "suffix range" "$code $(cat "$SV_TMP/body" | tr -d '\n')" "206 000001999"
req code -r 19990- "$SEG"
expect_eq "open range" "$(header Content-Range)" "bytes 19990-19999/20000"
req code -r 20000-20010 "$SEG"
expect_eq "unsatisfiable range" "$code" 416
expect_eq "416 Content-Range" "$(header Content-Range)" "bytes */20000"
req code -r 0-1,5-6 "$SEG"
expect_eq "multi-range served whole" "$code $(header Content-Length)" "200 20000"
req code -H 'Range: bytes=9-2' "$SEG"
expect_eq "invalid range ignored" "$code" 200
req code "$SEG"
expect_eq "full body" "$(cksum <"$SV_TMP/body")" "$(cksum <"$T/video/240p/seg-1.m4s")"
expect_eq "Accept-Ranges" "$(header Accept-Ranges)" bytes

# --- ETag / Last-Modified ------------------------------------------------------
etag=$(header ETag)
lastmod=$(header Last-Modified)
expect_contains "ETag" "$etag" '"'
req code -H "If-None-Match: $etag" "$SEG"
expect_eq "If-None-Match" "$code" 304
expect_eq "304 has no body" "$(wc -c <"$SV_TMP/body" | tr -d ' ')" 0
req code -H 'If-None-Match: "other", '"$etag" "$SEG"
expect_eq "If-None-Match list" "$code" 304
req code -H 'If-None-Match: "other"' "$SEG"
expect_eq "If-None-Match other" "$code" 200
req code -H "If-Modified-Since: $lastmod" "$SEG"
expect_eq "If-Modified-Since" "$code" 304
req code -H "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT" "$SEG"
expect_eq "If-Modified-Since old" "$code" 200

# --- MIME types, HEAD ------------------------------------------------------------
for pair in "master.m3u8 application/vnd.apple.mpegurl" "manifest.mpd application/dash+xml" \
    "video/240p/seg-1.m4s video/mp4" "audio/seg-1.m4s audio/mp4" "thumbs/thumb-1.jpg image/jpeg" \
    "video/240p/old.ts video/mp2t" "subs.vtt text/vtt"; do
    set -- $pair
    req code "$SV_URL/media/5/$1"
    expect_eq "type of $1" "$code $(header Content-Type)" "200 $2"
done
req code -I "$SEG"
expect_eq "HEAD" "$code $(header Content-Length)" "200 20000"
# curl -I puts the head into -o; size_download counts body bytes only.
expect_eq "HEAD has no body" "$(curl -s -I -o /dev/null -w '%{size_download}' "$SEG")" 0

# --- CORS ------------------------------------------------------------------------
req code -H 'Origin: http://player.example' "$SEG"
expect_eq "CORS origin" "$(header Access-Control-Allow-Origin)" "*"
expect_contains "CORS expose" "$(header Access-Control-Expose-Headers)" "Content-Range"
req code -X OPTIONS -H 'Origin: http://player.example' -H 'Access-Control-Request-Method: GET' \
    -H 'Access-Control-Request-Headers: range' "$SEG"
expect_eq "preflight" "$code" 204
expect_contains "preflight methods" "$(header Access-Control-Allow-Methods)" "GET, HEAD"
expect_contains "preflight headers" "$(header Access-Control-Allow-Headers)" "Range"
req code -X OPTIONS "$SV_URL/api/v1/titles/3"
expect_contains "preflight PATCH" "$(header Access-Control-Allow-Methods)" "PATCH"

# --- routes and JSON errors --------------------------------------------------------
req code "$SV_URL/no/such/route"
expect_eq "unknown route" "$code $(json_get .error.code)" "404 not_found"
req code "$SV_URL/media/5/nope.m4s"
expect_eq "missing file" "$code" 404
req code "$SV_URL/media/5/video"
expect_eq "a folder" "$code" 404
req code -X DELETE "$SV_URL/api/v1/titles"
expect_eq "wrong method" "$code" 405
expect_contains "Allow" "$(header Allow)" "GET, HEAD, POST"
req code "$SV_URL/api/v1/titles/77"
expect_eq "unknown title" "$code $(json_get .error.code)" "404 not_found"
req code "$SV_URL/api/v1/titles/abc"
expect_eq "bad title id" "$code" 404
req code "$SV_URL/api/v1/jobs/77"
expect_eq "unknown job" "$code" 404
req code "$SV_URL/api/v1/titles?limit=0"
expect_eq "bad limit" "$code $(json_get .error.code)" "400 bad_request"
req code "$SV_URL/api/v1/titles?q=%zz"
expect_eq "bad escape in query" "$code" 400
req code -X PATCH -H "$OP_AUTH" -H 'Content-Type: application/json' --data-binary '{"title": ' \
    "$SV_URL/api/v1/titles/1"
expect_eq "bad JSON" "$code $(json_get .error.code)" "400 bad_request"
expect_contains "bad JSON message" "$(json_get .error.message)" "invalid JSON"
req code -X PATCH -H "$OP_AUTH" -H 'Content-Type: application/json' --data-binary '{"colour": "red"}' \
    "$SV_URL/api/v1/titles/1"
expect_eq "unknown field" "$code" 400
req code -X PATCH -H "$OP_AUTH" -H 'Content-Type: text/plain' --data-binary '{}' "$SV_URL/api/v1/titles/1"
expect_eq "PATCH not JSON" "$code $(json_get .error.code)" "415 unsupported_media_type"
req code -X PATCH -H "$OP_AUTH" -H 'Content-Type: application/json' --data-binary '{"title":"x"}' \
    "$SV_URL/api/v1/titles/1"
expect_eq "PATCH unknown title" "$code" 404
req code "$SV_URL/api/v1/titles"
expect_eq "empty catalog" "$code $(json_get .total) $(json_get .items)" "200 0 []"
req code "$SV_URL/healthz"
expect_eq "healthz" "$code $(json_get .status)" "200 ok"

# --- keep-alive and pipelining ---------------------------------------------------------
curl -sv --max-time 10 -o /dev/null -o /dev/null "$SV_URL/healthz" "$SEG" 2>"$SV_TMP/kv" ||
    fail "keep-alive requests"
expect_contains "keep-alive" "$(cat "$SV_TMP/kv")" "Re-using existing connection"
out=$("$RAWCLIENT" pipeline "$SV_PORT" 5 /media/5/master.m3u8 | tr '\n' ' ')
expect_eq "pipelined answers" "$out" "200 200 200 200 200 open "
out=$("$RAWCLIENT" pipeline "$SV_PORT" 3 /media/5/../x | tr '\n' ' ')
expect_eq "pipelined refusals keep the connection" "$out" "404 404 404 open "

# --- metrics ----------------------------------------------------------------------------
before=$(metric 'svserver_http_requests_total{route="media",status="206"}')
bytes_before=$(metric 'svserver_http_sent_bytes_total{route="media"}')
curl -s -o /dev/null -r 0-99 "$SEG"
curl -s -o /dev/null -r 0-99 "$SEG"
after=$(metric 'svserver_http_requests_total{route="media",status="206"}')
bytes_after=$(metric 'svserver_http_sent_bytes_total{route="media"}')
expect_eq "206 counter moved" "$((after - before))" 2
expect_eq "bytes counter moved" "$((bytes_after - bytes_before))" 200
expect_ge "404 counted" "$(metric 'svserver_http_requests_total{route="none",status="404"}')" 3
req code -H "$OP_AUTH" "$SV_URL/metrics"
expect_contains "metrics type" "$(header Content-Type)" "text/plain; version=0.0.4"
expect_contains "jobs gauge" "$(cat "$SV_TMP/body")" 'svserver_jobs{state="done"} 0'
expect_contains "transcode counter" "$(cat "$SV_TMP/body")" 'svserver_transcode_seconds_total'

sv_stop || fail "svserver did not exit 0 on SIGTERM"
grep -q 'access: GET /media/5/video/240p/seg-1.m4s 206' "$SV_TMP/server.err" ||
    fail "no access log line"
ok "clean exit"
