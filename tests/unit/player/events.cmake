# Timed events: the SCTE-35 reader, emsg boxes, DASH EventStream and HLS
# EXT-X-DATERANGE parsing, and the store that reports them at their time.
sv_unit_test(test_scte35 test_scte35.c)
sv_unit_test(test_emsg test_emsg.c)
sv_unit_test(test_dash_events test_dash_events.c)
sv_unit_test(test_hls_daterange test_hls_daterange.c)
sv_unit_test(test_timed_events test_timed_events.c)
# HLS interstitials: the DATERANGE's X- attributes and X-ASSET-LIST.
sv_unit_test(test_interstitial test_interstitial.c)
