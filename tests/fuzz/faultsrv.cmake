# The fault server's scenario parser (tests/support/faultsrv_rules.c).
sv_fuzz_target(fuzz_faultsrv_scenario
    SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_faultsrv_scenario.c
    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fuzz_faultsrv_scenario
    LIBS sv_faultsrv)
