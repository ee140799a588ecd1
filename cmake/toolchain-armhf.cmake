# Cross build for 32-bit ARM, hard float (Debian armhf, arm-linux-gnueabihf,
# ARMv7 with VFPv3-D16 and Thumb-2 as Debian's compiler defaults):
#   scripts/install-cross-deps.sh armhf
#   cmake -S . -B build-armhf -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-armhf.cmake
# `make test-arm` does both and runs the tests under qemu-arm-static.
set(SV_CROSS_ARCH armhf)
set(SV_CROSS_TRIPLET arm-linux-gnueabihf)
set(SV_CROSS_PROCESSOR armv7l)
set(SV_CROSS_QEMU qemu-arm-static)
include(${CMAKE_CURRENT_LIST_DIR}/toolchain-debian-cross.cmake)
