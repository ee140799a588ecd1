/*
 * What the manifests say about a protected title (called by hls.c and
 * dash.c when sv__manifest.prot is set).
 *
 * DASH (per AdaptationSet, DASH-IF IOP): ContentProtection
 * urn:mpeg:dash:mp4protection:2011 with value cenc|cbcs and
 * cenc:default_KID, the W3C common system (urn:uuid:1077efec-...) with its
 * cenc:pssh, then the DASH-IF ClearKey system (urn:uuid:e2719d58-...) with
 * dashif:Laurl (the license service). Shaka Player reads the Laurl element in the
 * https://dashif.org/CPS namespace with a capital L; our player takes either
 * spelling.
 *
 * HLS (media playlists): EXT-X-KEY METHOD=SAMPLE-AES-CTR (cenc) or
 * SAMPLE-AES (cbcs) with KEYFORMAT the DASH-IF ClearKey system, KEYID the
 * KID and URI a data: URI holding that system's pssh (the way HLS carries
 * Widevine and PlayReady init data). The key itself never appears: clients
 * get it from the license service with a playback token.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include "backend/media/internal.h"
#include "streamverse/common.h"

#define CLEARKEY_URN "urn:uuid:e2719d58-a985-b3c9-781a-b030af78d30e"
#define W3C_COMMON_URN "urn:uuid:1077efec-c0b2-4d02-ace3-3c1e52e2fb4b"

static void kid_uuid(const uint8_t kid[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    int o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[kid[i] >> 4];
        out[o++] = hex[kid[i] & 15];
    }
    out[o] = '\0';
}

int sv__hls_key_line(const sv__media_protection *prot, sv__buf *b)
{
    char pssh[128], kid[40];
    int ret = sv__pssh_base64(sv__system_dashif_clearkey, prot->kid, pssh, sizeof(pssh));
    if (ret < 0)
        return ret;
    for (int i = 0; i < 16; i++)
        snprintf(kid + 2 * i, 3, "%02x", prot->kid[i]);
    sv__buf_printf(b, "#EXT-X-KEY:METHOD=%s,URI=\"data:text/plain;base64,%s\",KEYID=0x%s,"
                    "KEYFORMAT=\"" CLEARKEY_URN "\",KEYFORMATVERSIONS=\"1\"\n",
                    prot->scheme == SV__PROTECT_CBCS ? "SAMPLE-AES" : "SAMPLE-AES-CTR", pssh,
                    kid);
    return 0;
}

int sv__dash_write_namespaces(void *writer)
{
    xmlTextWriterPtr w = writer;
    if (xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:cenc", BAD_CAST "urn:mpeg:cenc:2013") < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "xmlns:dashif", BAD_CAST "https://dashif.org/CPS") < 0)
        return -1;
    return 0;
}

int sv__dash_write_protection(void *writer, const sv__media_protection *prot)
{
    xmlTextWriterPtr w = writer;
    char kid[37], pssh[128];
    kid_uuid(prot->kid, kid);
    if (xmlTextWriterStartElement(w, BAD_CAST "ContentProtection") < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "schemeIdUri",
                                    BAD_CAST "urn:mpeg:dash:mp4protection:2011") < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "value",
                                    BAD_CAST(prot->scheme == SV__PROTECT_CBCS ? "cbcs" : "cenc")) < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "cenc:default_KID", BAD_CAST kid) < 0 ||
        xmlTextWriterEndElement(w) < 0)
        return -1;
    /* The W3C common system's pssh is the init data browsers' ClearKey
     * CDMs accept (Chromium refuses a DASH-IF ClearKey pssh). */
    if (sv__pssh_base64(sv__system_w3c_common, prot->kid, pssh, sizeof(pssh)) < 0 ||
        xmlTextWriterStartElement(w, BAD_CAST "ContentProtection") < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "schemeIdUri", BAD_CAST W3C_COMMON_URN) < 0 ||
        xmlTextWriterWriteElement(w, BAD_CAST "cenc:pssh", BAD_CAST pssh) < 0 ||
        xmlTextWriterEndElement(w) < 0)
        return -1;
    if (xmlTextWriterStartElement(w, BAD_CAST "ContentProtection") < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "schemeIdUri", BAD_CAST CLEARKEY_URN) < 0 ||
        xmlTextWriterWriteAttribute(w, BAD_CAST "value", BAD_CAST "ClearKey1.0") < 0)
        return -1;
    if (prot->license_url && prot->license_url[0] &&
        (xmlTextWriterStartElement(w, BAD_CAST "dashif:Laurl") < 0 ||
         xmlTextWriterWriteAttribute(w, BAD_CAST "Lic_type", BAD_CAST "EME-1.0") < 0 ||
         xmlTextWriterWriteString(w, BAD_CAST prot->license_url) < 0 ||
         xmlTextWriterEndElement(w) < 0))
        return -1;
    return xmlTextWriterEndElement(w) < 0 ? -1 : 0;
}
