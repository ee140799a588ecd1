# Shared by the live tests and their generators (sourced):
#   livegen_wait GEN_PID DIR SECONDS ERR_FILE
#       test side: waits until the generator GEN_PID has written DIR/ready,
#       failing (the caller's `fail`) when it stops first or SECONDS pass.
#   livegen_finish FFPID OUT
#       generator side, after it wrote OUT/ready: waits for its ffmpeg
#       (FFPID) and exits 0 when it ended well or was stopped (255), else
#       prints OUT/ffmpeg.err and exits 1.
#   livegen_relay SRC DST START_EPOCH FREEZE_FROM [FREEZE_TO]
#       test side, in the background: copies the generator's manifest SRC to
#       DST (beside it, so its relative URLs name the same segments) every
#       0.1 s, atomically, except while FREEZE_FROM <= now - START_EPOCH <
#       FREEZE_TO (seconds; no FREEZE_TO: for good). Frozen, DST keeps its
#       last copy and the server answers it with 200 at every refresh: a live
#       manifest that stops advancing. Ends after 10 minutes at most.
livegen_wait() {
    _lg_i=0
    while [ ! -f "$2/ready" ]; do
        kill -0 "$1" 2>/dev/null || fail "the live generator stopped: $(cat "$4")"
        _lg_i=$((_lg_i + 1))
        [ "$_lg_i" -le "$(($3 * 10))" ] || fail "the live generator was not ready within $3 s"
        sleep 0.1
    done
}

livegen_finish() {
    _lg_rc=0
    wait "$1" || _lg_rc=$?
    if [ "$_lg_rc" -ne 0 ] && [ "$_lg_rc" -ne 255 ]; then
        cat "$2/ffmpeg.err" >&2
        exit 1
    fi
    exit 0
}

livegen_relay() {
    _lr_i=0
    while [ "$_lr_i" -lt 6000 ]; do
        _lr_i=$((_lr_i + 1))
        if awk -v s="$3" -v n="$(date +%s.%N)" -v f="$4" -v t="${5:-}" \
            'BEGIN { e = n - s; exit !(e < f || (t != "" && e >= t)) }'; then
            cp "$1" "$2.tmp" 2>/dev/null && mv -f "$2.tmp" "$2"
        fi
        sleep 0.1
    done
}
