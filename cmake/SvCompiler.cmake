# Compiler flags shared by every target: warnings, sanitizers, fuzzing.

set(SV_WARNING_FLAGS
    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wformat=2 -Wvla -Wpointer-arith -Wundef -Wno-unused-parameter)
if(SV_WERROR)
    list(APPEND SV_WARNING_FLAGS -Werror)
endif()
add_compile_options(${SV_WARNING_FLAGS})

# POSIX 2008 everywhere (clock_gettime, pthreads, strdup); files that need more
# define _GNU_SOURCE themselves before their first include.
add_compile_definitions(_POSIX_C_SOURCE=200809L)
# 64-bit file offsets and inode numbers on 32-bit targets (armhf): without it
# fseeko/stat stop at 2 GiB and readdir() fails with EOVERFLOW on file systems
# with 64-bit inode numbers or directory offsets (as under a 64-bit kernel).
# No public header uses off_t, so the library's ABI does not depend on it.
# time_t stays the platform's own (32-bit on Debian bookworm's armhf), because
# the libraries we link take time_t in their APIs: see docs/porting.md.
add_compile_definitions(_FILE_OFFSET_BITS=64)

if(SV_SANITIZE)
    set(_sv_san -fsanitize=address,undefined -fno-sanitize-recover=undefined
                -fno-omit-frame-pointer)
    add_compile_options(${_sv_san})
    add_link_options(${_sv_san})
endif()

if(SV_FUZZ)
    if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
        message(FATAL_ERROR "SV_FUZZ needs clang: configure with CC=clang")
    endif()
    # Every object is instrumented for coverage; only the fuzz binaries link
    # libFuzzer's main (tests/fuzz/CMakeLists.txt).
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
    add_link_options(-fsanitize=address,undefined)
endif()

# sv_module(NAME SOURCES...) declares a library module: an OBJECT library whose
# objects go into libstreamverse, compiled as part of the library (exports on).
function(sv_module name)
    add_library(${name} OBJECT ${ARGN})
    target_include_directories(${name}
        PUBLIC ${PROJECT_SOURCE_DIR}/include
        PRIVATE ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
    target_compile_definitions(${name} PRIVATE SV_BUILDING_LIBRARY)
endfunction()
