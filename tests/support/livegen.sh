# Shared by the live tests and their generators (sourced):
#   livegen_wait GEN_PID DIR SECONDS ERR_FILE
#       test side: waits until the generator GEN_PID has written DIR/ready,
#       failing (the caller's `fail`) when it stops first or SECONDS pass.
#   livegen_finish FFPID OUT
#       generator side, after it wrote OUT/ready: waits for its ffmpeg
#       (FFPID) and exits 0 when it ended well or was stopped (255), else
#       prints OUT/ffmpeg.err and exits 1.
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
