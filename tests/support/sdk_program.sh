# sdk_program.sh - sourced by the tests that build a C program against the
# public API (tests/player/playlib.sh, tests/backend/backend_interstitials_hls.sh).

# sv_build_sdk_program OUT LIBDIR ERRFILE SOURCE... - builds the sources as
# a host of the public API only: strict C11 warnings as errors, include/
# alone, libstreamverse from LIBDIR found at run time by rpath. Returns
# the compiler's status; its messages go to ERRFILE.
sv_build_sdk_program() {
    _out=$1 _lib=$2 _err=$3
    shift 3
    "${CC:-cc}" -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wshadow -Wstrict-prototypes \
        -Wmissing-prototypes -Wformat=2 -Wvla -Werror -I"$SV_SOURCE_DIR/include" \
        -o "$_out" "$@" -L"$_lib" -Wl,-rpath,"$_lib" -lstreamverse -lpthread -lm 2>"$_err"
}
