/*
 * Transports move bytes for the fetcher: libcurl in production
 * (transport_curl.c), a trace-shaped link on a virtual clock in replay. A
 * transport knows nothing of CDNs, retries or ABR; it runs one request and
 * says how it went.
 *
 * Threads: every function except wakeup runs on the control loop thread, and
 * callbacks are called from poll() on that thread.
 */
#ifndef SV_PLAYER_TRANSPORT_H
#define SV_PLAYER_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "streamverse/common.h"

typedef struct sv__transfer sv__transfer;
/* Also declared by loop.h; C11 allows the identical repeat. */
typedef struct sv__transport sv__transport;

/* How a transfer ended. */
typedef struct sv__transfer_result {
    int error;               /* 0, SV_ERR_NETWORK (connect/reset/DNS, truncated body,
                                bad Content-Length), SV_ERR_HTTP (status >= 400;
                                SV_ERR_FORBIDDEN for 401/403, SV_ERR_NOT_FOUND for
                                404/410), SV_ERR_TIMEOUT (timeout or below the speed
                                floor), SV_ERR_CANCELLED (on_data refused) */
    long status;             /* HTTP status, 0 when none was received */
    int64_t bytes;           /* body bytes delivered to on_data */
    int64_t content_length;  /* announced length, -1 if none */
    double start_s;          /* loop clock when the request was submitted */
    double first_byte_s;     /* when the first body byte arrived (0 if none) */
    double end_s;            /* when it ended */
    const char *content_type; /* valid during on_done only; NULL if none */
    const char *effective_url; /* after redirects; valid during on_done only */
    const char *error_body;  /* status >= 300: the body's first bytes (up to 1 KiB,
                                NUL-terminated, raw), else NULL; valid during on_done */
    int http_version;        /* of the response: 10, 11, 20 or 30 (HTTP/1.0 ... /3);
                                0 when none came (file://, no connection) */
    int connections;         /* connections this transfer opened (0: it reused one) */
    int tls_error;           /* the server's certificate or key was refused (not
                                trusted, wrong name, pin mismatch) or the CA file could
                                not be read: the same server will not do better */
    char message[200];       /* human-readable reason when error != 0 */
} sv__transfer_result;

typedef struct sv__request {
    const char *url;         /* copied by submit */
    int64_t offset, length;  /* byte range; length -1: to the end; offset 0, length -1: all */
    int head_only;           /* HEAD instead of GET */
    double timeout_s;        /* whole-transfer timeout, 0: none */
    double connect_timeout_s;
    double low_speed_bytes_per_s, low_speed_time_s; /* 0: no speed floor */
    const char *extra_header; /* one "Name: value" line, or NULL; copied */
    /* Non-zero: a new connection, not kept afterwards (a retry: the pooled
     * connection may hold the rest of a body whose Content-Length lied). */
    int fresh_connection;
    const uint8_t *body;     /* POST this body when non-NULL (copied) */
    size_t body_len;
    const char *body_type;   /* its Content-Type, e.g. "application/json"; copied */
    /* Body bytes as they arrive. Returns 0, or < 0 to abort the transfer
     * (it then ends with SV_ERR_CANCELLED). */
    int (*on_data)(void *opaque, const uint8_t *data, size_t len);
    /* Called exactly once unless the transfer was cancelled. */
    void (*on_done)(void *opaque, const sv__transfer_result *result);
    void *opaque;
} sv__request;

typedef struct sv__transport_ops {
    const char *name;
    /* Starts a request; on success *out identifies it until on_done or cancel. */
    int (*submit)(void *priv, const sv__request *req, sv__transfer **out);
    /* Stops a transfer; its on_done is not called. */
    void (*cancel)(void *priv, sv__transfer *t);
    /* Runs transfers and their callbacks, waiting at most timeout_ns (of the
     * transport's clock) for activity or a wakeup. Returns 0 or < 0 on a fatal
     * transport error. */
    int (*poll)(void *priv, int64_t timeout_ns);
    /* Makes a poll() in progress return early; a wakeup that arrives while
     * no poll() runs makes the next one return at once (the loop relies on
     * this so a post is never missed). Any thread. */
    void (*wakeup)(void *priv);
    void (*destroy)(void *priv);
} sv__transport_ops;

struct sv__transport {
    const sv__transport_ops *ops;
    void *priv;
    sv_allocator alloc;      /* this struct's own (zero: the C library) */
};

/* HTTP versions the libcurl transport asks for (sv_http_version's values). */
enum { SV__HTTP_AUTO = 0, SV__HTTP_1_1 = 1, SV__HTTP_2 = 2 };

/* Options for the libcurl transport. */
typedef struct sv__curl_options {
    const sv_allocator *alloc; /* every allocation of the transport; NULL: the C library */
    const char *user_agent;  /* copied; NULL: "Streamverse/<version>" */
    int max_host_connections; /* 0: libcurl's default */
    /* TLS: a PEM file of the CAs to trust instead of the system's, and the
     * server public keys to accept ("sha256//<base64>", several joined by
     * ';'), or NULL. Copied. */
    const char *ca_file;
    const char *pinned_pubkey;
    /* SV__HTTP_AUTO: HTTP/2 over TLS when ALPN offers it, HTTP/1.1 otherwise;
     * SV__HTTP_1_1: HTTP/1.1 only; SV__HTTP_2: HTTP/2 over TLS, and an
     * h2c upgrade offered on cleartext http://. */
    int http_version;
} sv__curl_options;

/* Creates the libcurl transport (HTTP/1.1 keep-alive, HTTP/2 where offered,
 * file:// URLs). Every transfer runs on one multi handle with multiplexing
 * on, so the requests to one host share its connections: one HTTP/2
 * connection carries them all (transfers started while that connection
 * is still being set up wait for it, CURLOPT_PIPEWAIT, rather than opening
 * more), HTTP/1.1 keeps a pool of keep-alive connections. `clock` is the loop's clock (borrowed), used for the
 * timestamps in results; poll() waits in real time, so pair it with a clock
 * that moves in real time. Returns 0, SV_ERR_NOMEM or SV_ERR_INTERNAL. Free
 * with sv__transport_destroy (t->ops->destroy(t->priv), then t itself).
 *
 * Behaviour of its transfers:
 *  - schemes http, https and file (others: submit fails with
 *    SV_ERR_UNSUPPORTED); redirects followed up to 5, to http(s) only;
 *  - the body of a response >= 400 never reaches on_data: its first line
 *    (at most a few hundred bytes) ends up in result->message, "HTTP 404: ...";
 *  - a short body, a body longer or shorter than Content-Length where it can
 *    be seen, or a 206 whose Content-Length disagrees with its Content-Range
 *    is SV_ERR_NETWORK; a server that ignores Range (200) still gives
 *    on_data exactly the requested range;
 *  - the speed floor uses whole seconds (low_speed_time_s rounds up, >= 1);
 *  - a TLS refusal (certificate not trusted or for another name, public key
 *    not the pinned one, CA file unreadable) is SV_ERR_NETWORK with
 *    tls_error set and a message naming the host ("TLS: the public key of
 *    127.0.0.1 does not match the pinned key").
 * submit() also fails with SV_ERR_INVALID for a bad range (length 0 or < -1,
 * offset < 0), a body with head_only, or a header with CR/LF. */
struct sv_clock;
int sv__transport_curl_create(sv__transport **out, const struct sv_clock *clock,
                              const sv__curl_options *opts);
void sv__transport_destroy(sv__transport *t);

#endif
