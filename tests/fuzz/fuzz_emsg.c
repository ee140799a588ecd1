/* Fuzz target: emsg boxes (player/manifest/emsg.h) in arbitrary segment
 * bytes: the top-level walk and each box's two layouts, then the payload
 * read as SCTE-35 as the receive stage does when the scheme says so. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "player/manifest/emsg.h"
#include "player/manifest/timed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int each(void *opaque, const sv__emsg *e, const sv__parse_error *err)
{
    sv__arena *a = opaque;
    if (!e) {
        if (!err->message[0])
            __builtin_trap(); /* a malformed box always says why */
        return 0;
    }
    /* Touch what the player reads. */
    volatile size_t sum = strlen(e->scheme) + strlen(e->value) + e->data_size;
    for (size_t i = 0; i < e->data_size; i++)
        sum += e->data[i];
    (void)sum;
    char why[200];
    sv__timed_desc d = { .scheme = e->scheme, .value = e->value, .id = "", .attributes = "" };
    (void)sv__timed_set_payload(&d, a, e->data, e->data_size, why, sizeof(why));
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sv__arena *a = sv__arena_create(NULL);
    if (!a)
        return 0;
    (void)sv__emsg_each(data, size, each, a);
    sv__arena_destroy(a);
    return 0;
}
