#!/bin/sh
# libstreamverse reaches the OS through platform/ only (docs/porting.md): no
# file of abr/, drm/ or player/ includes <pthread.h>, socket or POSIX
# file-system headers or calls the OS clocks, and inside platform/ only
# thread.h, thread_posix.c and fs.c do. A port to a non-POSIX system then
# replaces those three files and nothing else of the core library.
set -u
: "${SV_SOURCE_DIR:?run through ctest (SV_SOURCE_DIR unset)}"
cd "$SV_SOURCE_DIR" || exit 1
passed=0
failed=0

# check WHAT PATTERN: no match of the extended regex PATTERN in the library's
# sources outside the files allowed to call the OS.
check() {
    hits=$(grep -rnE "$2" abr drm player platform --include='*.c' --include='*.h' |
           grep -vE '^platform/(thread\.h|thread_posix\.c|fs\.c|sdl2/)')
    if [ -n "$hits" ]; then
        echo "FAIL $1 outside platform/'s OS files:"
        echo "$hits" | head -20
        failed=$((failed + 1))
    else
        echo "ok   no $1 outside platform/'s OS files"
        passed=$((passed + 1))
    fi
}

check "threads" '#include <pthread\.h>|\bpthread_[a-z_]+\('
check "OS clocks" '\b(clock_gettime|gettimeofday|nanosleep|usleep)\(|\bCLOCK_(MONOTONIC|REALTIME)\b'
check "sockets" '#include <(sys/socket|sys/select|netinet/[a-z_]+|arpa/inet|netdb|poll|sys/un)\.h>'
check "POSIX file system" '#include <(unistd|fcntl|dirent|ftw|sys/stat|sys/statvfs|sys/mman)\.h>|\brealpath\('
check "processes and signals" '#include <(signal|spawn|sys/wait)\.h>|\b(fork|execv[pe]*|waitpid)\('
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
