# Manifest parsers of the player.
sv_fuzz_target(fuzz_hls SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_hls.c
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_hls)
sv_fuzz_target(fuzz_dash SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_dash.c
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_dash)
sv_fuzz_target(fuzz_webvtt SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_webvtt.c
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_webvtt)
sv_fuzz_target(fuzz_ttml SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_ttml.c
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_ttml)
# A key frame from an init segment and an I-frame entry (seek thumbnails of an
# I-frame track, player/output/thumbs_keyframe.c).
sv_fuzz_target(fuzz_keyframe SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_keyframe.c
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_keyframe)
# The preload cache's URL keys (the CMCD argument left out).
sv_fuzz_target(fuzz_pcache_key SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_pcache_key.c
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_pcache_key)
# The CEA-708 (DTVCC) caption decoder (player/output/cea708*.c) on cc_data
# triplets frame by frame.
sv_fuzz_target(fuzz_cea708 SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_cea708.c
               CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_cea708)
