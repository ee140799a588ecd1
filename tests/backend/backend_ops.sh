#!/bin/sh
# Operations: the token secret svserver stores in the data folder (mode 0600,
# tokens survive a restart); SIGHUP (log level and token secret changed live,
# a download in flight not dropped, the previous secret still verifying for
# its grace, a broken config refused, restart-only settings named in the log);
# SIGTERM's drain (an upload in progress finishes, an idle keep-alive
# connection closes at once, a second SIGTERM changes nothing, an upload too
# slow for drain-timeout is cut and its file removed); start-up cleaning of
# uploads/ and staging/, including the upload of a job that gave up after
# max-attempts interruptions; two SIGTERMs right after start keep a queued
# job and its upload.
. "$SV_SOURCE_DIR/tests/backend/backendlib.sh"

need_catalog_sql

# An operator account (roles: uploads need one).
printf 'ops-password-1\n' >"$SV_TMP/pw"
"$SVSERVER" user add ops --password-file "$SV_TMP/pw" --region FR --max-streams 2 \
    --role operator --data "$SV_DATA" >/dev/null 2>"$SV_TMP/user.err" ||
    fail "user add: $(cat "$SV_TMP/user.err")"

login() {
    req code -X POST -H 'Content-Type: application/json' \
        --data '{"name":"ops","password":"ops-password-1"}' "$SV_URL/api/v1/auth/login"
    [ "$code" = 200 ] || fail "login answered $code: $(cat "$SV_TMP/body")"
    json_get .token
}

# wait_log PATTERN WHAT - waits (at most 10 s) for a line of server.err
# matching PATTERN while svserver lives: a signal is handled at the loop's
# next turn, which a loaded machine reaches late.
wait_log() {
    _i=0
    until grep -q "$1" "$SV_TMP/server.err"; do
        kill -0 "$SV_PID" 2>/dev/null || fail "svserver is gone: $2"
        _i=$((_i + 1))
        [ $_i -le 100 ] || fail "$2 within 10 s"
        sleep 0.1
    done
}

# me TOKEN - the status of an authenticated read.
me() {
    req code -H "Authorization: Bearer $1" "$SV_URL/api/v1/me/continue-watching"
    echo "$code"
}

# ---- the stored token secret ------------------------------------------------
sv_start
[ -f "$SV_DATA/token-secret" ] || fail "no token-secret file in the data folder"
expect_eq "token-secret mode" "$(stat -c %a "$SV_DATA/token-secret")" 600
grep -q "no token-secret set: made one and stored it" "$SV_TMP/server.err" ||
    fail "no log line about the stored secret"
grep -q "random secret" "$SV_TMP/server.err" && fail "still warns about a random secret"
T1=$(login)
expect_eq "user token before the restart" "$(me "$T1")" 200
sv_stop || fail "svserver exited with an error"
secret_before=$(cksum <"$SV_DATA/token-secret")
sv_start
expect_eq "same stored secret after the restart" "$(cksum <"$SV_DATA/token-secret")" \
    "$secret_before"
expect_eq "user token after the restart" "$(me "$T1")" 200
sv_stop || fail "svserver exited with an error"

# ---- SIGHUP -----------------------------------------------------------------
OLD=old-secret-0123456789
NEW=new-secret-9876543210
mkdir -p "$SV_DATA/media/1"
head -c 2500000 /dev/urandom >"$SV_DATA/media/1/big.m4s"
printf '{"log-level":"info","token-secret":"%s","media-auth":"token","login-ttl":5,"playback-token-ttl":1}\n' \
    "$OLD" >"$SV_TMP/config.json"
: >"$SV_TMP/server.err"
sv_start --config "$SV_TMP/config.json" --log-level info
mint() { "$SVSERVER" token 1 --ttl 3600 --token-secret "$1"; }
T_OLD=$(mint "$OLD")
req code "$SV_URL/media/1/big.m4s?token=$T_OLD" -r 0-99
expect_eq "media with the first secret's token" "$code" 206

# A download at 1 MB/s is under way across the reload.
curl -s --max-time 20 --limit-rate 1000k -o "$SV_TMP/got" "$SV_URL/media/1/big.m4s?token=$T_OLD" &
CURL=$!
sleep 0.5
# A user token of the first secret, made as late as can be: it lives
# login-ttl (5 s) and is checked after the reload.
U_OLD=$(login)
# The command line says info; the file's debug loses, the new secret wins;
# workers cannot change without a restart.
printf '{"log-level":"debug","token-secret":"%s","media-auth":"token","workers":5}\n' "$NEW" \
    >"$SV_TMP/config.json"
kill -HUP "$SV_PID"
wait_log "settings reloaded (log level info)" "no reload log line"
ok "SIGHUP reloaded the settings"
grep -q "reload: workers changed but is read only at start: restart" "$SV_TMP/server.err" ||
    fail "no restart-needed line for workers"
ok "restart-only setting named in the log"
grep -q "token-secret rotated" "$SV_TMP/server.err" || fail "no rotation log line"
expect_eq "user token of the old secret after the rotation" "$(me "$U_OLD")" 200
req code -H "Authorization: Bearer $U_OLD" "$SV_URL/metrics"
expect_eq "operator route with the old secret's token after the rotation" "$code" 200
req code "$SV_URL/media/1/big.m4s?token=$T_OLD" -r 0-99
expect_eq "media token of the old secret after the rotation" "$code" 206
req code "$SV_URL/media/1/big.m4s?token=$(mint "$NEW")" -r 0-99
expect_eq "media token of the new secret" "$code" 206
wait $CURL || fail "the download across SIGHUP failed"
expect_eq "download across SIGHUP complete" "$(cksum <"$SV_TMP/got")" \
    "$(cksum <"$SV_DATA/media/1/big.m4s")"

# The old secret verified for the old login-ttl (5 s: room for a loaded
# machine between the login and the checks above), then no more.
sleep 5.2
req code "$SV_URL/media/1/big.m4s?token=$T_OLD" -r 0-99
expect_eq "media token of the old secret after the grace" "$code" 403
req code "$SV_URL/media/1/big.m4s?token=$(mint "$NEW")" -r 0-99
expect_eq "media token of the new secret after the grace" "$code" 206

# A broken config is refused; the running settings stay.
printf '{"log-level": ' >"$SV_TMP/config.json"
kill -HUP "$SV_PID"
wait_log "SIGHUP: the new settings are refused" "no log line for the refused config"
req code "$SV_URL/media/1/big.m4s?token=$(mint "$NEW")" -r 0-99
expect_eq "still serving with the new secret after a refused reload" "$code" 206
# The log level: info from the command line; the environment cannot beat it.
grep -q '"access"\| access: ' "$SV_TMP/server.err" && fail "access lines at level info"
sv_stop || fail "svserver exited with an error"

# Log level live: start at info, reload to debug (no command-line level).
printf '{"log-level":"info"}\n' >"$SV_TMP/config.json"
: >"$SV_TMP/server.err"
sv_launch "$SVSERVER" --listen 127.0.0.1:0 --data "$SV_DATA" --config "$SV_TMP/config.json"
curl -s -o /dev/null "$SV_URL/healthz"
grep -q 'access: GET /healthz' "$SV_TMP/server.err" && fail "access line at level info"
printf '{"log-level":"debug"}\n' >"$SV_TMP/config.json"
kill -HUP "$SV_PID"
# The reload runs on the loop at its next turn; a loaded machine may take a
# while to get there.
i=0
until curl -s -o /dev/null "$SV_URL/healthz" && sleep 0.1 &&
    grep -q 'access: GET /healthz' "$SV_TMP/server.err"; do
    i=$((i + 1))
    [ $i -le 150 ] || fail "no access line within 15 s of the reload to debug"
    sleep 0.1 # also when curl failed at once: the bound is in seconds
done
ok "log level raised to debug by SIGHUP"
sv_stop || fail "svserver exited with an error"

# ---- SIGTERM drain ----------------------------------------------------------
head -c 3000000 /dev/urandom >"$SV_TMP/upload.bin"
: >"$SV_TMP/server.err"
sv_start --drain-timeout 10 --workers 1
TOKEN=$(login)
"$RAWCLIENT" idle "$SV_PORT" >"$SV_TMP/idle" &
IDLE=$!
curl -s --max-time 20 --limit-rate 1000k -o "$SV_TMP/upload.json" -w '%{http_code}' \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: video/mp4' \
    --data-binary @"$SV_TMP/upload.bin" "$SV_URL/api/v1/titles?title=Drain" >"$SV_TMP/upload.code" &
UP=$!
sleep 1
t0=$(date +%s.%N)
kill -TERM "$SV_PID"
wait $IDLE
t1=$(date +%s.%N)
expect_eq "idle keep-alive connection at SIGTERM" "$(cat "$SV_TMP/idle")" closed
expect_ge "idle connection closed within 1 s (1 - seconds taken)" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", 1 - (b - a) }')" 0
code=$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$SV_URL/healthz") || true
expect_eq "new connections during the drain" "$code" 000
# A second SIGTERM while the upload still has about 2 s to go changes
# nothing: libuv puts a signal's default action (terminate) back when its
# last watcher stops, so svserver keeps watching until it has stopped.
kill -TERM "$SV_PID" || fail "svserver was gone before the second SIGTERM"
wait $UP || fail "the upload in progress failed"
expect_eq "upload in progress at SIGTERM" "$(cat "$SV_TMP/upload.code")" 202
rc=0
wait "$SV_PID" || rc=$?
SV_PID=""
expect_eq "exit status after the drain and a second SIGTERM" "$rc" 0
grep -q "SIGTERM again: already stopping" "$SV_TMP/server.err" ||
    fail "no log line for the second SIGTERM"
ok "the second SIGTERM was logged and ignored"

# An upload slower than drain-timeout is cut, and its partial file removed.
: >"$SV_TMP/server.err"
sv_start --drain-timeout 1 --workers 1
TOKEN=$(login)
curl -s --max-time 20 --limit-rate 200k -o /dev/null -w '%{http_code}' \
    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: video/mp4' \
    --data-binary @"$SV_TMP/upload.bin" "$SV_URL/api/v1/titles?title=Slow" >"$SV_TMP/upload.code" &
UP=$!
sleep 0.5
[ -n "$(ls "$SV_DATA/uploads")" ] || fail "no upload file while uploading"
t0=$(date +%s.%N)
kill -TERM "$SV_PID"
rc=0
wait "$SV_PID" || rc=$?
t1=$(date +%s.%N)
SV_PID=""
wait $UP
expect_eq "exit status after a cut drain" "$rc" 0
expect_ge "drain cut after drain-timeout (3 - seconds taken)" \
    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", 3 - (b - a) }')" 0
grep -q "drain timeout: closing 1 connection" "$SV_TMP/server.err" || fail "no drain timeout line"
expect_eq "uploads/ after the cut upload" "$(ls "$SV_DATA/uploads")" ""

# ---- start-up cleaning ------------------------------------------------------
# A job that was interrupted max-attempts times (its process is gone) fails
# at start and its upload goes; an upload no job reads goes; a queued job's
# upload stays; staging folders of dead processes go.
catalog_sql "INSERT INTO titles (id, title, created) VALUES (900, 'Gave up', 0), (901, 'Queued', 0);
    INSERT INTO jobs (id, title_id, state, attempts, input, input_owned, worker_pid, created)
      VALUES (900, 900, 'running', 2, '$SV_DATA/uploads/upload-gaveup', 1, 999999999, 0);" ||
    fail "cannot prepare the catalog"
echo x >"$SV_DATA/uploads/upload-gaveup"
echo x >"$SV_DATA/uploads/upload-orphan"
mkdir -p "$SV_DATA/staging/900.999999999/video" "$SV_DATA/staging/stray"
: >"$SV_TMP/server.err"
# No workers run the queued job below before the check: the clip is not a
# video, it would fail and remove its input. So the job is made after start.
sv_start --max-attempts 2 --workers 1
req code "$SV_URL/api/v1/jobs/900"
expect_eq "job after max-attempts interruptions" "$(json_get .state)" failed
[ ! -e "$SV_DATA/uploads/upload-gaveup" ] || fail "the given-up job's upload is still there"
ok "the given-up job's upload was removed"
[ ! -e "$SV_DATA/uploads/upload-orphan" ] || fail "the orphaned upload is still there"
ok "the orphaned upload was removed"
expect_eq "staging after start" "$(ls "$SV_DATA/staging")" ""
grep -q "removing orphaned upload .*upload-orphan" "$SV_TMP/server.err" || fail "no log line"
sv_stop || fail "svserver exited with an error"

# A queued job's upload survives the start-up cleaning.
echo x >"$SV_DATA/uploads/upload-queued"
catalog_sql "INSERT INTO jobs (id, title_id, state, input, input_owned, created)
      VALUES (901, 901, 'queued', '$SV_DATA/uploads/upload-queued', 1, 0);" ||
    fail "cannot queue a job"
: >"$SV_TMP/server.err"
# Under another name for the same folder: files are matched by inode.
ln -s "$SV_DATA" "$SV_TMP/data-link"
sv_launch "$SVSERVER" --listen 127.0.0.1:0 --data "$SV_TMP/data-link" --workers 1
grep -q "removing orphaned upload .*upload-queued" "$SV_TMP/server.err" &&
    fail "the queued job's upload was removed"
ok "a queued job's upload is kept"
sv_stop || fail "svserver exited with an error"

# ---- SIGTERM twice right after start, a job queued ---------------------------
# A real clip (several seconds of work at --preset medium): whether the
# worker has claimed the job or not when the signals land, svserver exits 0
# and the job is queued with its upload for the next start.
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=480x270:rate=25 -t 12 -c:v libx264 \
    -preset ultrafast -pix_fmt yuv420p -f mp4 "$SV_DATA/uploads/upload-twice" ||
    fail "ffmpeg could not make the clip"
catalog_sql "INSERT INTO titles (id, title, created) VALUES (902, 'Twice', 0);
    INSERT INTO jobs (id, title_id, state, input, input_owned, created)
      VALUES (902, 902, 'queued', '$SV_DATA/uploads/upload-twice', 1, 0);" ||
    fail "cannot queue a job"
: >"$SV_TMP/server.err"
sv_start --workers 1 --ladder 144:150,240:300,270:400 --segment-seconds 2 --preset medium
kill -TERM "$SV_PID"
sleep 0.05
kill -TERM "$SV_PID" 2>/dev/null || echo "note: svserver had stopped before the second SIGTERM"
rc=0
wait "$SV_PID" || rc=$?
SV_PID=""
expect_eq "exit status after two SIGTERMs at start" "$rc" 0
expect_eq "the job after two SIGTERMs at start" \
    "$(catalog_sql "SELECT state FROM jobs WHERE id = 902")" queued
[ -f "$SV_DATA/uploads/upload-twice" ] || fail "the queued job's upload is gone"
ok "the queued job's upload is kept"
