# drm: CENC boxes (init, fragment, init rewrite, decryption) and ClearKey JSON.
sv_fuzz_target(fuzz_cenc_boxes SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_cenc_boxes.c
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_cenc_boxes)
sv_fuzz_target(fuzz_clearkey_license SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_clearkey_license.c
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_clearkey_license)
# Offline licenses: the EdDSA JWS and its claims.
sv_fuzz_target(fuzz_offline_license SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_offline_license.c
               CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_offline_license)
