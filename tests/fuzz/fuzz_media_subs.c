/*
 * Fuzz target: the reader of subtitle files uploaded with a title
 * (backend/media/subs_parse.c, SRT and WebVTT) on arbitrary bytes. A file it
 * takes must give cues that end no earlier than they start, under 100 hours,
 * whose text is NUL-terminated, holds no "-->" (it would read as a timing
 * line in the WebVTT written from it) and no blank line (it would end the
 * cue), and whose settings (WebVTT) hold no line break.
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "backend/media/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sv__sub_track t;
    char err[256];

    if (sv__subs_parse((const char *)data, size, "fuzz", &t, err, sizeof(err)) < 0) {
        if (!err[0])
            abort();   /* every refusal says why */
        return 0;
    }
    if (t.nb_cues < 1 || t.nb_cues > SV__SUBS_MAX_CUES)
        abort();
    for (int i = 0; i < t.nb_cues; i++) {
        const sv__sub_cue *c = &t.cues[i];
        size_t n = strlen(c->text);
        if (c->start_ms < 0 || c->end_ms < c->start_ms || c->end_ms >= 100LL * 3600 * 1000 ||
            memmem(c->text, n, "-->", 3) || memmem(c->text, n, "\n\n", 2) ||
            (n && (c->text[0] == '\n' || c->text[n - 1] == '\n')) || strchr(c->text, '\r') ||
            (c->settings && strpbrk(c->settings, "\r\n")))
            abort();
    }
    sv__subs_free(&t);
    return 0;
}
