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
