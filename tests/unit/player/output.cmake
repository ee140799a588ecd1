# Outputs (output/): the audio output's master clock over a skipped
# segment's gap, on a virtual clock with a sink pulled by hand.
sv_unit_test(test_output_audio SOURCES test_output_audio.c)
