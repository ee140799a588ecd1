# Trace readers of the ABR module (abr/trace_*.c): one target per format.
foreach(_fmt pensieve mahimahi csv)
    sv_fuzz_target(fuzz_trace_${_fmt}
                   SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_trace_${_fmt}.c
                   CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_trace_${_fmt})
endforeach()
