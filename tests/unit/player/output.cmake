# Outputs (output/): the audio output's master clock over a skipped
# segment's gap, on a virtual clock with a sink pulled by hand.
sv_unit_test(test_output_audio SOURCES test_output_audio.c)
# The playback rate (output_tempo.c): a tone keeps its pitch at 0.95 and
# 1.05 while the master clock moves at that speed.
sv_unit_test(test_output_tempo SOURCES test_output_tempo.c)
# The CEA-708 (DTVCC) decoder (cea708*.c): packets, services, code sets,
# windows, cues with place and style, delays, broken data.
sv_unit_test(test_cea708 SOURCES test_cea708.c)
