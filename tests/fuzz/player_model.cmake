# Presentation model: the sidx parser (DASH SegmentBase indexes).
sv_fuzz_target(fuzz_sidx SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_sidx.c
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/sidx)
# The model builders on top of the HLS/DASH parsers: create, media loads,
# live refresh and sidx, all fed the same input.
sv_fuzz_target(fuzz_model SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_model.c
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_model)
# Downloads: the state file a download keeps on disk (download.json).
sv_fuzz_target(fuzz_download_state SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_download_state.c
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_download_state)
# Downloads: the planner on any manifest (Periods matched and lined up,
# AES-128 keys), and the local playlists it writes.
sv_fuzz_target(fuzz_download_plan SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_download_plan.c
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_download_plan)
