/*
 * channels_state.c - a channel's state as the catalog stores it: "idle",
 * "live", "ended" and back (channels.h). A bottom file: it calls nothing
 * else of backend/, so both catalog back ends (catalog_*_channels.c) write
 * and read states without calling up into channels.c, which calls the
 * catalog (docs/architecture.md).
 *
 * Threads: pure functions; any thread.
 */
#include <string.h>

#include "backend/channels.h"

const char *sv__channel_state_name(int state)
{
    static const char *const names[] = {"idle", "live", "ended"};

    return state >= 0 && state < SV__CHANNEL_NB ? names[state] : "unknown";
}

int sv__channel_state_parse(const char *s)
{
    for (int i = 0; i < SV__CHANNEL_NB; i++)
        if (s && !strcmp(s, sv__channel_state_name(i)))
            return i;
    return -1;
}
