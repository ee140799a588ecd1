# svserver (backend/): request-target, query, Range and header handling, the
# JSON request bodies and the signed tokens.
if(TARGET sv_backend)
    sv_fuzz_target(fuzz_backend_request
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_backend_request.c
        CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_backend_request
        LIBS sv_backend)
    sv_fuzz_target(fuzz_backend_json
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_backend_json.c
        CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_backend_json
        LIBS sv_backend)
    # User and playback tokens (backend/jws.h): arbitrary claims behind a
    # valid MAC, and arbitrary tokens.
    sv_fuzz_target(fuzz_backend_token
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_backend_token.c
        CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_backend_token
        LIBS sv_backend)
endif()

# Ad breaks into manifests (backend/breaks_dash.c, breaks_manifest.c): a
# title's MPD and an asset's, split into Periods; the input as a playlist.
if(TARGET sv_backend)
    sv_fuzz_target(fuzz_backend_breaks
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_backend_breaks.c
        CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_backend_breaks
        LIBS sv_backend)
endif()

# The real entry point: bytes on a connection through the connection layer,
# the router and the API handlers of a whole server (temporary data folder).
if(TARGET sv_backend)
    sv_fuzz_target(fuzz_backend_conn
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_backend_conn.c
        CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_backend_conn
        LIBS sv_backend)
endif()

# Live channels (backend/live/): the blocking reload query, media file
# names, and the live index and its playlists and MPD from arbitrary events.
if(TARGET sv_backend AND SV_BACKEND_HAVE_MEDIA)
    sv_fuzz_target(fuzz_backend_live
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_backend_live.c
        CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_backend_live
        LIBS sv_backend)
endif()

# The packager's reading of HEVC/AV1 tracks before it encrypts them: the
# init's sample entry, codec strings, the layouts over GStreamer's parsers,
# and drm/'s subsample rules over their ranges.
if(TARGET sv_media)
    sv_fuzz_target(fuzz_media_layout
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_media_layout.c
        CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_media_layout
        LIBS sv_media)
endif()

# Subtitle files uploaded with a title (SRT and WebVTT): what the reader
# takes must make well-formed WebVTT cues.
if(TARGET sv_media)
    sv_fuzz_target(fuzz_media_subs
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_media_subs.c
        CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_media_subs
        LIBS sv_media)
endif()

# Subtitles put into a packaged title (PUT /api/v1/titles/{id}/subtitles):
# the segment duration read back from its MPD and the master and MPD
# rewrites, on arbitrary manifests.
if(TARGET sv_media)
    sv_fuzz_target(fuzz_media_subs_manifest
        SOURCES ${CMAKE_CURRENT_LIST_DIR}/fuzz_media_subs_manifest.c
        CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/fuzz_media_subs_manifest
        LIBS sv_media)
endif()
