/*
 * streamverse/timed.h - the timed metadata a player reports (API 2.4):
 * DASH EventStream Events and 'emsg' boxes, HLS EXT-X-DATERANGE tags, and
 * their SCTE-35 payloads read, as SV_EVENT_TIMED_METADATA hands them to the
 * host (player.h, which includes this header; docs/sdk.md, "Timed events").
 *
 * Ownership: the player owns every struct and string here, valid until the
 * next sv_player_wait_event() call on the same player.
 */
#ifndef STREAMVERSE_TIMED_H
#define STREAMVERSE_TIMED_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* (API 2.4) Where a timed event came from. */
typedef enum sv_timed_source {
    SV_TIMED_DASH_EVENT_STREAM = 1, /* an Event of a Period's EventStream */
    SV_TIMED_DASH_EMSG = 2,         /* an 'emsg' box (version 0 or 1) of an fMP4 segment */
    SV_TIMED_HLS_DATERANGE = 3      /* an EXT-X-DATERANGE tag of a media playlist */
} sv_timed_source;

/*
 * (API 2.4) What an SCTE-35 splice_info_section (ANSI/SCTE 35) says, read
 * from a timed event's payload: DASH scheme urn:scte:scte35:2013:bin (Event
 * content or emsg message_data, binary or base64) and HLS SCTE35-OUT, -IN
 * and -CMD (hex). command is -1 when the event carries no SCTE-35. An
 * event whose SCTE-35 section is malformed (a length past its end, a wrong
 * CRC_32, an encrypted packet) is left out: the player logs why and counts
 * it in sv_player_stats.timed_events_malformed.
 */
typedef struct sv_scte35_info {
    int command;            /* splice_command_type: 0 splice_null, 5 splice_insert,
                               6 time_signal, 7 bandwidth_reservation, 0xff private;
                               -1 none */
    int out_of_network;     /* 1: a break starts (splice_insert out_of_network, or a
                               segmentation type that starts a break, ad, placement
                               opportunity); 0: it ends; -1: the section does not say */
    int cancel;             /* the splice (or segmentation) event is cancelled */
    int immediate;          /* splice_insert splice_immediate_flag */
    uint32_t event_id;      /* splice_event_id, else the first segmentation
                               descriptor's segmentation_event_id; 0 none */
    double pts_s;           /* splice time: pts_time + pts_adjustment, 90 kHz units
                               modulo 2^33, in seconds; -1 when none is given */
    double duration_s;      /* break_duration, else segmentation_duration; -1 none */
    int auto_return;        /* break_duration's auto_return */
    int segmentation_type;  /* the first segmentation_descriptor's
                               segmentation_type_id; -1 none */
} sv_scte35_info;

/*
 * (API 2.4) A timed event: metadata the presentation places at a media
 * time. Owned by the player, valid until the next sv_player_wait_event();
 * grows at the end (read a later field only when sv_version_api() says the
 * library has it).
 *
 * Each event is reported once, when the position (the frame on screen, or
 * the audio heard in an audio-only load) reaches start_s: at the frame that
 * covers start_s, so within one frame (with the next frame shown when that
 * one is dropped as late). A load or seek that lands inside an
 * event's span [start_s, start_s + duration_s) reports it once at once;
 * events wholly before the load's start or a seek's target are not
 * reported. A seek back before an event arms it again; an event that
 * arrives after its time (a late segment or playlist) is reported at once.
 * The thread that reports it is the render thread (the host's own with
 * host_renders), or the control thread without video. Events are the same
 * when scheme, value and id are (DASH's rule for emsg, applied to every
 * source): copies in other representations, segments or manifest reloads
 * are reported once.
 */
typedef struct sv_timed_event {
    sv_timed_source source;
    const char *scheme;     /* DASH schemeIdUri; HLS: the CLASS ("" when none) */
    const char *value;      /* DASH @value ("" none); HLS: "SCTE35-OUT", "SCTE35-IN",
                               "SCTE35-CMD" for the part of a DATERANGE that carries
                               one (each its own event), "" otherwise */
    const char *id;         /* DASH Event@id / emsg id in decimal; HLS ID */
    double start_s;         /* on the presentation timeline, like the position */
    double duration_s;      /* -1 when unknown; HLS: DURATION, END-DATE - START-DATE,
                               the next START-DATE of its CLASS (END-ON-NEXT), else
                               PLANNED-DURATION */
    const uint8_t *payload; /* DASH messageData, Event content (base64 decoded when
                               the EventStream says contentEncoding="base64") or emsg
                               message_data; HLS: the SCTE35-* bytes, hex decoded */
    size_t payload_size;    /* bytes (at most 4096: larger payloads are cut;
                               payload_cut says so) */
    int payload_cut;
    /* HLS: the tag's attribute list as written (X- attributes among them),
     * "" for DASH; cut at 1023 bytes. */
    const char *attributes;
    sv_scte35_info scte35;  /* the payload read as SCTE-35, when it is */
    double reported_at_s;   /* the position when it was reported: the start of the
                               frame shown (audio only: the audio clock) */
} sv_timed_event;

#ifdef __cplusplus
}
#endif

#endif
