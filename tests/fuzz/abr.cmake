# Trace readers of the ABR module (abr/trace_*.c): one target per format, all
# from fuzz_trace.c with the format forced by a definition.
foreach(_fmt pensieve mahimahi csv)
    sv_fuzz_target(fuzz_trace_${_fmt}
                   SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_trace.c
                   CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_trace_${_fmt})
    string(TOUPPER ${_fmt} _FMT)
    target_compile_definitions(fuzz_trace_${_fmt} PRIVATE SV_FUZZ_TRACE_FORMAT=SV_TRACE_${_FMT})
endforeach()
