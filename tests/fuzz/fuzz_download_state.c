/*
 * Fuzz target: the state file of a download (player/download/
 * download_state.c), which sits on a disk anyone holding the device may
 * edit. Whatever parses must hold only safe relative paths and indexes in
 * range, and must survive a write and a second read unchanged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "platform/alloc.h"
#include "player/download/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sv__dl_state st = { 0 }, again = { 0 };
    char why[256];

    if (sv__dl_state_parse(&st, (const char *)data, size, why, sizeof(why)) < 0)
        return 0;
    for (size_t i = 0; i < st.nb_files; i++) {
        const sv__dl_file *f = &st.files[i];
        if (!sv__dl_path_safe(f->path) || f->track < 0 || (size_t)f->track >= st.nb_tracks ||
            f->init >= (int)st.nb_files || f->key >= (int)st.nb_files ||
            (f->key >= 0 && !st.files[f->key].is_key))
            abort();
    }
    for (size_t i = 0; i < st.nb_tracks; i++)
        if (!sv__dl_path_safe(st.tracks[i].dir))
            abort();
    char *text = sv__dl_state_format(&st);
    if (text) {
        if (sv__dl_state_parse(&again, text, strlen(text), why, sizeof(why)) < 0 ||
            again.nb_files != st.nb_files || again.nb_tracks != st.nb_tracks)
            abort();
        sv__dl_state_clear(&again);
        sv__free(NULL, text);
    }
    sv__dl_state_clear(&st);
    return 0;
}
