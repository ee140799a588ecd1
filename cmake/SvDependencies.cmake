# Every third-party dependency, found with pkg-config (scripts/install-deps.sh
# installs the Debian packages). Each becomes an imported target PkgConfig::X.

find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

pkg_check_modules(FFMPEG REQUIRED IMPORTED_TARGET
    libavformat>=59 libavcodec>=59 libavutil>=57 libswscale>=6 libswresample>=4)
# libavfilter: the backend's per-title probe (psnr, ssim filters) and the
# player's playback rate with the pitch kept (atempo, player/output/output_tempo.c).
pkg_check_modules(AVFILTER REQUIRED IMPORTED_TARGET libavfilter>=8)
# GStreamer's codec parsers: only the backend's packager, which must find
# HEVC slice headers and AV1 tiles (CENC subsamples) and read the AV1
# sequence header (codec strings). libavcodec keeps its parsers private.
pkg_check_modules(GSTCODECPARSERS REQUIRED IMPORTED_TARGET gstreamer-codecparsers-1.0>=1.22)
pkg_check_modules(SDL2 REQUIRED IMPORTED_TARGET sdl2>=2.0.20)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl>=7.80)
pkg_check_modules(LIBXML2 REQUIRED IMPORTED_TARGET libxml-2.0>=2.9)
pkg_check_modules(OPENSSL REQUIRED IMPORTED_TARGET libcrypto>=3.0 libssl>=3.0)
pkg_check_modules(LIBUV REQUIRED IMPORTED_TARGET libuv>=1.44)
pkg_check_modules(JANSSON REQUIRED IMPORTED_TARGET jansson>=2.13)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3>=3.35)
pkg_check_modules(LIBPQ REQUIRED IMPORTED_TARGET libpq>=13)
if(SV_BUILD_TESTS)
    pkg_check_modules(CMOCKA REQUIRED IMPORTED_TARGET cmocka>=1.1)
endif()

# http-parser ships no pkg-config file in Debian; it is the one dependency
# found by path. Used by the test HTTP server under tests/support/.
find_path(HTTP_PARSER_INCLUDE_DIR http_parser.h REQUIRED)
find_library(HTTP_PARSER_LIBRARY http_parser REQUIRED)
add_library(sv_http_parser INTERFACE)
target_include_directories(sv_http_parser INTERFACE ${HTTP_PARSER_INCLUDE_DIR})
target_link_libraries(sv_http_parser INTERFACE ${HTTP_PARSER_LIBRARY})

find_library(MATH_LIBRARY m REQUIRED)

# The pkg-config modules libstreamverse links privately, for streamverse.pc.
# Grows as modules start using more libraries.
set(SV_PKGCONFIG_MODULES "libcrypto libcurl libxml-2.0 jansson libavformat libavcodec libavutil libswscale libswresample libavfilter")
