# Cross build for 64-bit ARM (Debian arm64, aarch64-linux-gnu):
#   scripts/install-cross-deps.sh arm64
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake
# `make test-arm` does both and runs the tests under qemu-aarch64-static.
set(SV_CROSS_ARCH arm64)
set(SV_CROSS_TRIPLET aarch64-linux-gnu)
set(SV_CROSS_PROCESSOR aarch64)
set(SV_CROSS_QEMU qemu-aarch64-static)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-debian-cross.cmake)
