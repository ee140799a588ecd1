# Sourced by the shell tests that run programs built for the target (POSIX sh).
# In a native build nothing changes. In a cross build (cmake/toolchain-*.cmake,
# make test-arm) ctest sets SV_EMULATOR to qemu-user and its arguments, and
# target_program writes a small wrapper that runs the program under it, so a
# test calls "$prog" the same way in both builds.

# target_program PATH: prints PATH itself, or the wrapper that emulates it.
target_program() {
    if [ -z "${SV_EMULATOR:-}" ]; then
        echo "$1"
        return 0
    fi
    # Only the target's own programs (ELF files): a script such as
    # tests/player/refplayer.sh runs on the host as it is.
    if [ ! -x "$1" ] || [ "$(head -c 4 "$1" | tail -c 3)" != "ELF" ]; then
        echo "$1"
        return 0
    fi
    _tp_dir="${SV_BUILD_DIR:?SV_BUILD_DIR is not set (run through ctest)}/emulated"
    mkdir -p "$_tp_dir" || return 1
    _tp_wrapper="$_tp_dir/$(basename "$1")"
    # Tests run in parallel: write aside, then rename into place.
    printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$SV_EMULATOR" "$1" >"$_tp_wrapper.$$" &&
        chmod +x "$_tp_wrapper.$$" && mv -f "$_tp_wrapper.$$" "$_tp_wrapper" || return 1
    echo "$_tp_wrapper"
}
