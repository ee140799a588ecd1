/*
 * SCTE-35 splice_info_section (ANSI/SCTE 35): the cue messages that mark ad
 * breaks, as DASH carries them (scheme urn:scte:scte35:2013:bin in an Event
 * or an emsg box) and HLS does (EXT-X-DATERANGE SCTE35-OUT/IN/CMD, hex).
 * A bounded bit reader: every length the section declares is checked
 * against the bytes given and against the section's own end, so hostile
 * input gets SV_ERR_PARSE and a message, never a read out of bounds.
 *
 * Only what a player reports is decoded: the command (splice_insert and
 * time_signal in full, splice_null, bandwidth_reservation and
 * private_command by type), the splice time, the break duration, and the
 * first segmentation_descriptor. Encrypted sections are refused.
 *
 * Threads: pure functions, any thread.
 */
#ifndef SV_PLAYER_SCTE35_H
#define SV_PLAYER_SCTE35_H

#include <stddef.h>
#include <stdint.h>

#include "player/manifest/parse_error.h"
#include "streamverse/player.h"

/* A section is at most 4096 bytes (section_length is 12 bits). */
#define SV_SCTE35_MAX_BYTES 4096

/* Fills *out with the command type -1 and no times: what an event without
 * SCTE-35 reports. */
void sv__scte35_none(sv_scte35_info *out);

/*
 * Reads the splice_info_section in data[0..size). Returns 0 with *out
 * filled, or SV_ERR_PARSE (err names the field, its value and the limit
 * it broke; *out is then as sv__scte35_none() leaves it). The CRC_32 must
 * match (MPEG-2 CRC, libavutil's).
 */
int sv__scte35_parse(const uint8_t *data, size_t size, sv_scte35_info *out,
                     sv__parse_error *err);

/*
 * Decodes SCTE-35 text as HLS carries it: "0x" and hex digits (the 0x is
 * optional). Returns the byte count (<= cap) or SV_ERR_PARSE for an odd
 * number of digits or a character that is not one, SV_ERR_OVERFLOW for
 * more than cap bytes.
 */
int sv__scte35_hex(const char *text, size_t len, uint8_t *out, size_t cap);

#endif
