# Shared part of the ARM toolchain files (toolchain-aarch64.cmake,
# toolchain-armhf.cmake): Debian's cross compiler, a sysroot made by
# scripts/install-cross-deps.sh, pkg-config reading only the target's .pc
# files, and qemu-user running the target's programs (CTest's tests, through
# CMAKE_CROSSCOMPILING_EMULATOR; shell tests through SV_EMULATOR).
#
# The including file sets SV_CROSS_ARCH (Debian's name: arm64, armhf),
# SV_CROSS_TRIPLET, SV_CROSS_PROCESSOR and SV_CROSS_QEMU. The sysroot is
# -DSV_CROSS_SYSROOT=..., else $SV_CROSS_SYSROOT, else the install script's
# default place, $SV_CROSS_CACHE or ~/.cache/streamverse-cross, /<arch>/sysroot.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR ${SV_CROSS_PROCESSOR})
set(CMAKE_LIBRARY_ARCHITECTURE ${SV_CROSS_TRIPLET})

if(NOT SV_CROSS_SYSROOT)
    if(DEFINED ENV{SV_CROSS_SYSROOT})
        set(SV_CROSS_SYSROOT "$ENV{SV_CROSS_SYSROOT}")
    elseif(DEFINED ENV{SV_CROSS_CACHE})
        set(SV_CROSS_SYSROOT "$ENV{SV_CROSS_CACHE}/${SV_CROSS_ARCH}/sysroot")
    elseif(DEFINED ENV{XDG_CACHE_HOME})
        set(SV_CROSS_SYSROOT "$ENV{XDG_CACHE_HOME}/streamverse-cross/${SV_CROSS_ARCH}/sysroot")
    else()
        set(SV_CROSS_SYSROOT "$ENV{HOME}/.cache/streamverse-cross/${SV_CROSS_ARCH}/sysroot")
    endif()
endif()
if(NOT EXISTS "${SV_CROSS_SYSROOT}/.streamverse-sysroot")
    message(FATAL_ERROR "No ${SV_CROSS_ARCH} sysroot at ${SV_CROSS_SYSROOT}: "
                        "run scripts/install-cross-deps.sh ${SV_CROSS_ARCH}")
endif()
# try_compile() projects read this file again: hand them the sysroot.
set(SV_CROSS_SYSROOT "${SV_CROSS_SYSROOT}" CACHE PATH "Target sysroot" FORCE)
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES SV_CROSS_SYSROOT)

set(CMAKE_SYSROOT "${SV_CROSS_SYSROOT}")
set(CMAKE_C_COMPILER ${SV_CROSS_TRIPLET}-gcc)
set(CMAKE_AR ${SV_CROSS_TRIPLET}-ar CACHE FILEPATH "")
set(CMAKE_RANLIB ${SV_CROSS_TRIPLET}-ranlib CACHE FILEPATH "")

# Libraries and headers from the sysroot only; programs (ffmpeg, xmllint) are
# the host's.
set(CMAKE_FIND_ROOT_PATH "${SV_CROSS_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config: the target's .pc files, their paths prefixed with the sysroot.
set(ENV{PKG_CONFIG_LIBDIR}
    "${SV_CROSS_SYSROOT}/usr/lib/${SV_CROSS_TRIPLET}/pkgconfig:${SV_CROSS_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${SV_CROSS_SYSROOT}")

# The target's programs run under qemu-user with the sysroot as their root
# for absolute library paths (the dynamic loader, /lib/<triplet>/...).
find_program(SV_CROSS_QEMU_PATH ${SV_CROSS_QEMU} REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${SV_CROSS_QEMU_PATH};-L;${SV_CROSS_SYSROOT}")
