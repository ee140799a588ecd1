/*
 * Checks the form of a pin list (tls_pin.h). Base64 is only classified
 * here, never decoded: libcurl compares the pins itself.
 */
#include <stdio.h>
#include <string.h>

#include "player/net/tls_pin.h"
#include "streamverse/common.h"

#define PREFIX "sha256//"
#define HASH_B64_LEN 44 /* 32 bytes: 43 characters and one '=' */

static int is_b64(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/';
}

int sv__tls_pins_check(const char *pins, char *err, size_t cap)
{
    size_t prefix = strlen(PREFIX);
    int entry = 1;

    if (!pins || !*pins) {
        snprintf(err, cap, "empty pin list (expected sha256//<base64>)");
        return SV_ERR_INVALID;
    }
    for (const char *p = pins;; entry++) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int ok = len == prefix + HASH_B64_LEN && !strncmp(p, PREFIX, prefix) &&
                 p[len - 1] == '=';
        for (size_t i = prefix; ok && i < len - 1; i++)
            ok = is_b64(p[i]);
        if (!ok) {
            snprintf(err, cap,
                     "pin %d \"%.*s\" is not sha256// and the 44-character base64 of a "
                     "SHA-256 hash", entry, len > 60 ? 60 : (int)len, p);
            return SV_ERR_INVALID;
        }
        if (!end)
            return 0;
        p = end + 1;
    }
}
