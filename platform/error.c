#include "streamverse/common.h"

static const char *const messages[] = {
    [0]                    = "success",
    [-SV_ERR_INVALID]      = "invalid argument",
    [-SV_ERR_NOMEM]        = "out of memory",
    [-SV_ERR_IO]           = "input/output error",
    [-SV_ERR_AGAIN]        = "resource temporarily unavailable",
    [-SV_ERR_EOF]          = "end of stream",
    [-SV_ERR_TIMEOUT]      = "timed out",
    [-SV_ERR_UNSUPPORTED]  = "not supported",
    [-SV_ERR_PARSE]        = "malformed input",
    [-SV_ERR_NETWORK]      = "network error",
    [-SV_ERR_HTTP]         = "HTTP error status",
    [-SV_ERR_NOT_FOUND]    = "not found",
    [-SV_ERR_STATE]        = "not valid in the current state",
    [-SV_ERR_DRM]          = "DRM error",
    [-SV_ERR_NO_KEY]       = "decryption key not available",
    [-SV_ERR_DECODE]       = "decoding failed",
    [-SV_ERR_RANGE]        = "value out of range",
    [-SV_ERR_CANCELLED]    = "operation cancelled",
    [-SV_ERR_FORBIDDEN]    = "access refused",
    [-SV_ERR_OVERFLOW]     = "limit reached",
    [-SV_ERR_INTERNAL]     = "internal error",
};

SV_API const char *sv_strerror(int err)
{
    if (err > 0)
        err = 0; /* non-negative results are successes (counts) */
    /* Compare before negating: -INT_MIN would overflow. */
    if (err > -(int)(sizeof(messages) / sizeof(messages[0])) && messages[-err])
        return messages[-err];
    return "unknown error";
}
