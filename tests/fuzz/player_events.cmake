# Timed events: emsg boxes, SCTE-35 sections, EXT-X-DATERANGE tags (the
# DASH EventStream goes through fuzz_dash, which has seeds with Events).
sv_fuzz_target(fuzz_emsg SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_emsg.c
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_emsg)
sv_fuzz_target(fuzz_scte35 SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_scte35.c
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_scte35)
sv_fuzz_target(fuzz_daterange SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_daterange.c
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_daterange)
# HLS interstitials: the DATERANGE's X- attributes and the X-ASSET-LIST JSON.
sv_fuzz_target(fuzz_asset_list SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_asset_list.c
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_asset_list)
