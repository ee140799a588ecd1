/*
 * Inside the MPD parser: libxml2 reads the MPD into a tree, except the
 * long lists a manifest of many segments is made of. The S children of a
 * SegmentTimeline and the SegmentURL children of a SegmentList are read as
 * they stream past (a SAX2 hook in front of libxml2's own tree builder)
 * into compact arrays hung on their parent's node->_private, so a million
 * of them cost 24 to 32 bytes each instead of a tree node, an attribute
 * node and a text node each (about 500 bytes). Consecutive S entries that
 * continue one another (same d, no t or the t they would reach) become one
 * entry with a larger r, which sv__dash_walk() expands the same way.
 * Only dash_parse.c (and dash_events.c, for the Period's events) uses it.
 */
#ifndef SV_PLAYER_DASH_XML_H
#define SV_PLAYER_DASH_XML_H

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "player/manifest/dash.h"

/* What a SegmentTimeline's or SegmentList's node->_private points to. */
typedef struct sv__dash_items {
    sv__dash_s *s;               /* SegmentTimeline: its entries, merged */
    size_t nb_s, cap_s;
    size_t nb_s_read;            /* S elements read, before merging */
    sv__dash_segment_url *urls;  /* SegmentList: its SegmentURLs */
    size_t nb_urls, cap_urls;
    int64_t end;                 /* the time the last S entry ends at... */
    int end_known;               /* ...when it is known (r >= 0, t known) */
} sv__dash_items;

/* S and SegmentURL elements in one SegmentTimeline or SegmentList: as many
 * segments as a representation may list (player/model/model_dash.c). */
#define SV__DASH_MAX_ITEMS 1000000

/* Parses a byte range "first-last" (NULL: none): 1 and *r set, 0 for
 * NULL, -1 when malformed. */
int sv__dash_parse_range(const char *s, sv__dash_range *r);

/*
 * Parses `size` bytes of `text` (from `url`) with parser px and the
 * options given, the lists above in arena `a`. Returns the document (free with xmlFreeDoc),
 * or NULL with err filled in: an XML error (libxml2's line and message) or
 * a bad S / SegmentURL (element, attribute, value); *code is then
 * SV_ERR_PARSE or SV_ERR_NOMEM.
 */
xmlDocPtr sv__dash_xml_read(xmlParserCtxtPtr px, const char *text, size_t size, const char *url,
                            int options, sv__arena *a, sv__parse_error *err, int *code);

/*
 * Reads the EventStream and InbandEventStream elements of Period `n` into
 * p->events and p->inband (dash_events.c). A malformed Event or
 * EventStream is left out and counted in *w with why; only SV_ERR_NOMEM
 * fails the parse.
 */
int sv__dash_parse_events(sv__arena *a, const xmlNode *n, sv__dash_period *p,
                          sv__timed_warnings *w);

#endif
