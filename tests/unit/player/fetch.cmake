# Control loop, libcurl transport and fetcher (loop.c, transport_curl.c,
# fetcher.c, fetcher_cdn.c). test_fetcher runs real HTTP against in-process
# fault servers (tests/support) on 127.0.0.1; it takes a few seconds.
sv_unit_test(test_loop SOURCES test_loop.c)
set_tests_properties(test_loop PROPERTIES TIMEOUT 60)
sv_unit_test(test_fetcher SOURCES test_fetcher.c test_fetcher_transport.c test_fetcher_faults.c LIBS sv_faultsrv)
set_tests_properties(test_fetcher PROPERTIES TIMEOUT 90)
# Real HTTP with timers and stalls: waiting, hardly any CPU.
sv_test_cost(11 5 test_fetcher)
# The TLS and HTTP settings' checks and the segment fetch time histogram.
sv_unit_test(test_tls_settings SOURCES test_tls_settings.c)
