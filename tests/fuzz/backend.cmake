# svserver (backend/): request-target, query, Range and header handling, and
# the JSON request bodies.
if(TARGET sv_backend)
    sv_fuzz_target(fuzz_backend_request
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_backend_request.c
        CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_backend_request
        LIBS sv_backend)
    sv_fuzz_target(fuzz_backend_json
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_backend_json.c
        CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_backend_json
        LIBS sv_backend)
endif()
