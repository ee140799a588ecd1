# svplay's reader of an MPD's languages (apps/svplay/mpd_langs.c: the TV
# catalog's title page).
sv_fuzz_target(fuzz_svplay_mpd_langs
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_svplay_mpd_langs.c
            ${PROJECT_SOURCE_DIR}/apps/svplay/mpd_langs.c
    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_svplay_mpd_langs
    LIBS PkgConfig::LIBXML2)
