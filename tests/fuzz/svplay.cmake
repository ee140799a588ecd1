# svplay's reader of an MPD's languages (apps/svplay/mpd_langs.c: the TV
# catalog's title page).
sv_fuzz_target(fuzz_svplay_mpd_langs
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_svplay_mpd_langs.c
            ${PROJECT_SOURCE_DIR}/apps/svplay/mpd_langs.c
    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_svplay_mpd_langs
    LIBS PkgConfig::LIBXML2)
# svplay's poster decode (apps/svplay/poster_decode.c: libavcodec MJPEG and
# libswscale on what a backend serves as a poster).
sv_fuzz_target(fuzz_svplay_poster
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_svplay_poster.c
            ${PROJECT_SOURCE_DIR}/apps/svplay/poster_decode.c
    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_svplay_poster
    LIBS PkgConfig::FFMPEG PkgConfig::JANSSON)
