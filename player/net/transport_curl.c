/*
 * The libcurl transport (transport.h): one multi handle, so connections
 * (HTTP/1.1 keep-alive, HTTP/2 multiplexing) are shared by every transfer,
 * driven by curl_multi_poll() and interrupted by curl_multi_wakeup(). Every
 * easy handle lives on that one multi and on the loop thread, so libcurl's
 * connection cache is already shared per host: no CURLSH (and no locks) is
 * needed.
 *
 * A transfer is in one of three places: running inside the multi handle,
 * finished and waiting in a batch for its on_done, or freed. libcurl forbids
 * removing an easy handle from inside its own callbacks, so a cancel during
 * curl_multi_perform() only marks the transfer and the sweep after perform
 * removes it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "platform/alloc.h"
#include "player/net/transport.h"
#include "streamverse/clock.h"
#include "streamverse/version.h"

#define ERROR_BODY_MAX 1024
#define MAX_REDIRECTS 5L

typedef struct curl_transport curl_transport;

struct sv__transfer {
    curl_transport *owner;
    struct sv__transfer *prev, *next;   /* owner's list of live transfers */
    CURL *easy;
    struct curl_slist *headers;
    sv__request req;                    /* callbacks and numbers; strings not kept */
    char *url;

    long status;             /* of the response being received */
    int error_status;        /* status >= 300: body goes to err_body, not on_data */
    char err_body[ERROR_BODY_MAX + 1];
    char err_line[ERROR_BODY_MAX + 1]; /* its first line, printable, for the message */
    size_t err_body_len;
    int refused;             /* on_data returned < 0 */
    int cancelled;           /* sv__transport cancel while libcurl was running */
    int in_done;             /* on_done running: cancel is a no-op */
    int in_batch;            /* finished, waiting for on_done: cancel only marks */
    CURLcode result;
    struct sv__transfer *done_next;
    int64_t bytes;
    /* A server that ignores Range answers 200 with the whole resource: skip
     * to the range and stop after it, as if it had honoured it. */
    int64_t skip, left;
    int emulate_range;       /* 200 to a ranged request: skip/left apply */
    int range_done;          /* stopped on purpose after the range */
    int64_t cr_first, cr_last; /* Content-Range of a 206, -1 if none */
    int64_t hdr_length;      /* Content-Length header, -1 if none */
    int bad_length;          /* Content-Length and Content-Range disagree */
    double start_s, first_byte_s;
    char errbuf[CURL_ERROR_SIZE];
};

struct curl_transport {
    const sv_allocator *alloc; /* the owner's (borrowed), or NULL: the C library */
    CURLM *multi;
    const sv_clock *clock;
    char *user_agent;
    char *ca_file, *pinned_pubkey; /* NULL: the system's CAs, no pin */
    long http_version;       /* CURLOPT_HTTP_VERSION */
    sv__transfer *transfers;
    int in_perform;          /* inside curl_multi_perform(): defer removals */
};

static double now_s(const curl_transport *ct)
{
    return (double)ct->clock->now_ns(ct->clock->opaque) / 1e9;
}

/* ---- the transfer list ------------------------------------------------------ */

static void link_transfer(curl_transport *ct, sv__transfer *t)
{
    t->prev = NULL;
    t->next = ct->transfers;
    if (ct->transfers)
        ct->transfers->prev = t;
    ct->transfers = t;
}

static void unlink_transfer(curl_transport *ct, sv__transfer *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        ct->transfers = t->next;
    if (t->next)
        t->next->prev = t->prev;
    t->prev = t->next = NULL;
}

static void free_transfer(curl_transport *ct, sv__transfer *t)
{
    if (t->easy) {
        curl_multi_remove_handle(ct->multi, t->easy);
        curl_easy_cleanup(t->easy);
    }
    curl_slist_free_all(t->headers);
    sv__free(ct->alloc, t->url);
    sv__free(ct->alloc, t);
}

/* ---- libcurl callbacks ------------------------------------------------------ */

static size_t on_write(char *ptr, size_t size, size_t n, void *opaque)
{
    sv__transfer *t = opaque;
    size_t len = size * n;
    const uint8_t *data = (const uint8_t *)ptr;

    if (t->cancelled || t->refused || t->range_done)
        return 0;
    if (!t->status) {
        /* The first body bytes of the final response (libcurl skips the
         * bodies of redirects it follows). file:// has no status. */
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
        /* A 3xx that reaches here was not followed (no Location): an error
         * like a 4xx, never content. */
        t->error_status = t->status >= 300;
        if (t->status == 200 && (t->req.offset > 0 || t->req.length >= 0)) {
            t->emulate_range = 1;
            t->skip = t->req.offset;
            t->left = t->req.length;
        }
    }
    if (t->error_status) {
        size_t room = ERROR_BODY_MAX - t->err_body_len;
        size_t take = len < room ? len : room;
        memcpy(t->err_body + t->err_body_len, data, take);
        t->err_body_len += take;
        t->err_body[t->err_body_len] = '\0';
        return len;
    }
    if (t->skip > 0) {
        size_t s = (int64_t)len < t->skip ? len : (size_t)t->skip;
        t->skip -= (int64_t)s;
        data += s;
        len -= s;
    }
    if (t->left >= 0 && (int64_t)len > t->left)
        len = (size_t)t->left;
    if (len > 0) {
        if (!t->first_byte_s)
            t->first_byte_s = now_s(t->owner);
        if (t->req.on_data && t->req.on_data(t->req.opaque, data, len) < 0) {
            t->refused = 1;
            return 0;
        }
        t->bytes += (int64_t)len;
        if (t->left > 0)
            t->left -= (int64_t)len;
    }
    if (t->left == 0) {
        t->range_done = 1;
        return 0;    /* the server's extra bytes are not wanted */
    }
    return size * n;
}

/* Parses "<name>:<value>" when `line` is that header; 1 if it is. */
static int header_value(const char *line, size_t len, const char *name, char *out,
                        size_t size)
{
    size_t n = strlen(name);

    if (len <= n || line[n] != ':' || strncasecmp(line, name, n) || len - n >= size)
        return 0;
    memcpy(out, line + n + 1, len - n - 1);
    out[len - n - 1] = '\0';
    return 1;
}

/*
 * Checks each response's Content-Length against its Content-Range (libcurl
 * passes every header line of every response here, redirects included).
 * A 206 whose lengths disagree is refused before its body: reading the
 * announced length would leave the rest of the body on the connection,
 * where libcurl would take it for the start of the next response.
 */
static size_t on_header(char *ptr, size_t size, size_t n, void *opaque)
{
    sv__transfer *t = opaque;
    size_t len = size * n;
    char v[128];
    long long a, b;

    if (len >= 5 && !memcmp(ptr, "HTTP/", 5)) {
        t->cr_first = t->cr_last = t->hdr_length = -1;
    } else if (header_value(ptr, len, "content-range", v, sizeof(v))) {
        if (sscanf(v, " bytes %lld-%lld/", &a, &b) == 2 && a >= 0 && b >= a) {
            t->cr_first = a;
            t->cr_last = b;
        }
    } else if (header_value(ptr, len, "content-length", v, sizeof(v))) {
        if (sscanf(v, " %lld", &a) == 1 && a >= 0)
            t->hdr_length = a;
    } else if ((len == 2 && ptr[0] == '\r') || (len == 1 && ptr[0] == '\n')) {
        long status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status == 206 && t->cr_first >= 0 && t->hdr_length >= 0 &&
            t->hdr_length != t->cr_last - t->cr_first + 1) {
            t->bad_length = 1;
            return 0;
        }
    }
    return len;
}

/* ---- results ---------------------------------------------------------------- */

static int map_curl_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return SV_ERR_TIMEOUT;
    case CURLE_OUT_OF_MEMORY:
        return SV_ERR_NOMEM;
    case CURLE_URL_MALFORMAT:
        return SV_ERR_INVALID;
    case CURLE_FILE_COULDNT_READ_FILE:
    case CURLE_REMOTE_FILE_NOT_FOUND:
        return SV_ERR_NOT_FOUND;
    case CURLE_RANGE_ERROR:
    case CURLE_BAD_DOWNLOAD_RESUME:
        return SV_ERR_RANGE;
    case CURLE_TOO_MANY_REDIRECTS:
        return SV_ERR_HTTP;
    default:
        /* Connect, DNS, TLS, reset, partial file, HTTP/2 stream errors. */
        return SV_ERR_NETWORK;
    }
}

static int map_status(long status)
{
    if (status == 401 || status == 403)
        return SV_ERR_FORBIDDEN;
    if (status == 404 || status == 410)
        return SV_ERR_NOT_FOUND;
    return SV_ERR_HTTP;
}

/* The error body's first line, printable, for the message. */
static void first_line(char *s)
{
    for (char *p = s; *p; p++) {
        if (*p == '\r' || *p == '\n') {
            *p = '\0';
            return;
        }
        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
            *p = '?';
    }
}

/* 1 when `rc` says the server's identity was refused or could not be
 * checked: retrying the same server cannot help. */
static int is_tls_refusal(CURLcode rc)
{
    return rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
           rc == CURLE_SSL_CACERT_BADFILE;
}

/* The host of `url` (libcurl's URL parser), or "?" when it has none. */
static void url_host(const char *url, char *out, size_t cap)
{
    CURLU *u = curl_url();
    char *host = NULL;

    snprintf(out, cap, "?");
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host)
        snprintf(out, cap, "%s", host);
    curl_free(host);
    curl_url_cleanup(u);
}

/* The message of a TLS refusal, naming the host and the setting involved. */
static void tls_message(const sv__transfer *t, CURLcode rc, const char *url, char *out,
                        size_t cap)
{
    char host[64];
    const char *why = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);

    url_host(url, host, sizeof(host));
    if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
        snprintf(out, cap, "TLS: the public key of %s does not match the pinned key "
                 "(tls_pinned_pubkey)", host);
    else if (rc == CURLE_SSL_CACERT_BADFILE)
        snprintf(out, cap, "TLS: cannot load the CA file %.100s (tls_ca_file)",
                 t->owner->ca_file ? t->owner->ca_file : "of the system");
    else
        snprintf(out, cap, "TLS: the certificate of %s is not trusted%s: %.80s", host,
                 t->owner->ca_file ? " by tls_ca_file" : "", why);
}

/* CURLINFO_HTTP_VERSION as 10, 11, 20 or 30; 0 for none. */
static int http_version_of(CURL *e)
{
    long v = 0;

    curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &v);
    switch (v) {
    case CURL_HTTP_VERSION_1_0: return 10;
    case CURL_HTTP_VERSION_1_1: return 11;
    case CURL_HTTP_VERSION_2_0: return 20;
    case CURL_HTTP_VERSION_3: return 30;
    default: return 0;
    }
}

static void fill_result(sv__transfer *t, CURLcode rc, sv__transfer_result *r)
{
    curl_off_t cl = -1;
    char *ct = NULL, *eff = NULL;
    long connects = 0;

    memset(r, 0, sizeof(*r));
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(t->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl);
    curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ct);
    curl_easy_getinfo(t->easy, CURLINFO_EFFECTIVE_URL, &eff);
    r->bytes = t->bytes;
    r->content_length = cl;
    r->start_s = t->start_s;
    r->first_byte_s = t->first_byte_s;
    r->end_s = now_s(t->owner);
    r->content_type = ct;
    r->effective_url = eff ? eff : t->url;
    r->http_version = http_version_of(t->easy);
    if (curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects) == CURLE_OK)
        r->connections = (int)connects;

    if (t->refused) {
        r->error = SV_ERR_CANCELLED;
        snprintf(r->message, sizeof(r->message), "transfer aborted by its receiver");
    } else if (t->bad_length) {
        r->error = SV_ERR_NETWORK;
        snprintf(r->message, sizeof(r->message),
                 "206 with Content-Length %lld for Content-Range %lld-%lld",
                 (long long)t->hdr_length, (long long)t->cr_first, (long long)t->cr_last);
    } else if (r->status >= 300) {
        memcpy(t->err_line, t->err_body, t->err_body_len + 1);
        first_line(t->err_line);
        r->error = map_status(r->status);
        r->error_body = t->err_body;
        snprintf(r->message, sizeof(r->message), "HTTP %ld%s%.120s", r->status,
                 t->err_line[0] ? ": " : "", t->err_line);
    } else if (is_tls_refusal(rc)) {
        r->error = SV_ERR_NETWORK;
        r->tls_error = 1;
        tls_message(t, rc, r->effective_url, r->message, sizeof(r->message));
    } else if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && t->range_done)) {
        r->error = map_curl_error(rc);
        snprintf(r->message, sizeof(r->message), "%.180s",
                 t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
    } else if (!t->req.head_only && !t->range_done && cl >= 0 &&
               (r->status == 200 || r->status == 206) && !t->emulate_range &&
               cl != t->bytes) {
        /* libcurl flags a short body itself (CURLE_PARTIAL_FILE); this
         * catches what slips through. */
        r->error = SV_ERR_NETWORK;
        snprintf(r->message, sizeof(r->message),
                 "body has %lld bytes, Content-Length announced %lld",
                 (long long)t->bytes, (long long)cl);
    } else if (t->emulate_range && (t->skip > 0 || t->left > 0)) {
        /* The server ignored Range and its whole body ended before the
         * requested range did. */
        r->error = SV_ERR_RANGE;
        snprintf(r->message, sizeof(r->message),
                 "resource ends before the requested range");
    }
}

/* ---- transport operations --------------------------------------------------- */

static int setup_easy(curl_transport *ct, sv__transfer *t, const sv__request *req)
{
    CURL *e = t->easy;
    char range[64];
    int ok = 1;

#define SET(opt, val) ok &= curl_easy_setopt(e, opt, val) == CURLE_OK
    SET(CURLOPT_URL, t->url);
    SET(CURLOPT_PRIVATE, t);
    SET(CURLOPT_WRITEFUNCTION, on_write);
    SET(CURLOPT_WRITEDATA, t);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, t);
    SET(CURLOPT_ERRORBUFFER, t->errbuf);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_USERAGENT, ct->user_agent);
    SET(CURLOPT_PROTOCOLS_STR, "http,https,file");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 1L);
    SET(CURLOPT_MAXREDIRS, MAX_REDIRECTS);
    SET(CURLOPT_HTTP_VERSION, ct->http_version);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    if (ct->ca_file)
        SET(CURLOPT_CAINFO, ct->ca_file);
    if (ct->pinned_pubkey)
        SET(CURLOPT_PINNEDPUBLICKEY, ct->pinned_pubkey);
    if (req->fresh_connection) {
        SET(CURLOPT_FRESH_CONNECT, 1L);
        SET(CURLOPT_FORBID_REUSE, 1L);
    } else if (ct->http_version != CURL_HTTP_VERSION_1_1 && !strncasecmp(t->url, "https://", 8)) {
        /* Requests that start together towards a host whose connection is
         * still being set up (the audio and video playlists of a master on
         * another host, both streams' segments after a connection closed)
         * would each open a connection of their own. They wait for it
         * instead and go on it as HTTP/2 streams (or open their own once
         * ALPN said HTTP/1.1). */
        SET(CURLOPT_PIPEWAIT, 1L);
    }
    if (req->connect_timeout_s > 0)
        SET(CURLOPT_CONNECTTIMEOUT_MS, (long)(req->connect_timeout_s * 1000 + 0.5));
    if (req->timeout_s > 0)
        SET(CURLOPT_TIMEOUT_MS, (long)(req->timeout_s * 1000 + 0.5));
    if (req->low_speed_bytes_per_s > 0 && req->low_speed_time_s > 0) {
        /* libcurl counts the window in whole seconds. */
        long secs = (long)(req->low_speed_time_s + 0.999);
        SET(CURLOPT_LOW_SPEED_LIMIT, (long)(req->low_speed_bytes_per_s + 0.5));
        SET(CURLOPT_LOW_SPEED_TIME, secs < 1 ? 1L : secs);
    }
    if (req->offset > 0 || req->length >= 0) {
        if (req->length >= 0)
            snprintf(range, sizeof(range), "%lld-%lld", (long long)req->offset,
                     (long long)(req->offset + req->length - 1));
        else
            snprintf(range, sizeof(range), "%lld-", (long long)req->offset);
        SET(CURLOPT_RANGE, range);
    }
    if (req->head_only)
        SET(CURLOPT_NOBODY, 1L);
    if (req->body) {
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
        SET(CURLOPT_COPYPOSTFIELDS, req->body_len ? (const char *)req->body : "");
    }
    if (t->headers)
        SET(CURLOPT_HTTPHEADER, t->headers);
#undef SET
    return ok ? 0 : SV_ERR_INTERNAL;
}

static int append_header(struct curl_slist **list, const char *line)
{
    struct curl_slist *l = curl_slist_append(*list, line);
    if (!l)
        return SV_ERR_NOMEM;
    *list = l;
    return 0;
}

static int build_headers(sv__transfer *t, const sv__request *req)
{
    char line[256];
    int ret = 0;

    if (req->extra_header && (ret = append_header(&t->headers, req->extra_header)) < 0)
        return ret;
    if (req->body) {
        /* No "Expect: 100-continue" round trip for large bodies. */
        if ((ret = append_header(&t->headers, "Expect:")) < 0)
            return ret;
        if (req->body_type) {
            if (snprintf(line, sizeof(line), "Content-Type: %s", req->body_type) >=
                (int)sizeof(line))
                return SV_ERR_INVALID;
            ret = append_header(&t->headers, line);
        }
    }
    return ret;
}

static int curl_submit(void *priv, const sv__request *req, sv__transfer **out)
{
    curl_transport *ct = priv;
    sv__transfer *t = NULL;
    int ret = SV_ERR_NOMEM;

    if (!req || !req->url || !out || req->offset < 0 || req->length < -1 || req->length == 0 ||
        (req->body && req->head_only))
        return SV_ERR_INVALID;
    if (req->extra_header && strpbrk(req->extra_header, "\r\n"))
        return SV_ERR_INVALID;
    /* Schemes are checked here, so that CURLE_UNSUPPORTED_PROTOCOL later
     * can only mean a server reply libcurl could not read. */
    if (strncasecmp(req->url, "http://", 7) && strncasecmp(req->url, "https://", 8) &&
        strncasecmp(req->url, "file://", 7))
        return SV_ERR_UNSUPPORTED;
    if (!(t = sv__calloc(ct->alloc, 1, sizeof(*t))))
        goto fail;
    t->owner = ct;
    t->req = *req;
    t->req.url = t->req.extra_header = t->req.body_type = NULL;
    t->req.body = NULL;
    t->left = -1;
    t->cr_first = t->cr_last = t->hdr_length = -1;
    if (!(t->url = sv__strdup(ct->alloc, req->url)) || !(t->easy = curl_easy_init()))
        goto fail;
    if ((ret = build_headers(t, req)) < 0 || (ret = setup_easy(ct, t, req)) < 0)
        goto fail;
    t->start_s = now_s(ct);
    if (curl_multi_add_handle(ct->multi, t->easy) != CURLM_OK) {
        ret = SV_ERR_INTERNAL;
        goto fail;
    }
    link_transfer(ct, t);
    *out = t;
    return 0;

fail:
    if (t) {
        if (t->easy)
            curl_easy_cleanup(t->easy);
        t->easy = NULL;
        free_transfer(ct, t);
    }
    return ret;
}

static void curl_cancel(void *priv, sv__transfer *t)
{
    curl_transport *ct = priv;

    if (!t || t->in_done || t->cancelled)
        return;
    t->cancelled = 1;
    if (ct->in_perform || t->in_batch)
        return;     /* the sweep after curl_multi_perform(), or the batch, frees it */
    unlink_transfer(ct, t);
    free_transfer(ct, t);
}

/* Frees the transfers cancelled while libcurl was running. */
static void sweep_cancelled(curl_transport *ct)
{
    sv__transfer *t = ct->transfers;
    while (t) {
        sv__transfer *next = t->next;
        if (t->cancelled) {
            unlink_transfer(ct, t);
            free_transfer(ct, t);
        }
        t = next;
    }
}

static int perform(curl_transport *ct)
{
    int running;
    CURLMcode mc;

    ct->in_perform = 1;
    mc = curl_multi_perform(ct->multi, &running);
    ct->in_perform = 0;
    sweep_cancelled(ct);
    return mc == CURLM_OK ? 0 : SV_ERR_INTERNAL;
}

/*
 * Collects every finished transfer first, then calls their on_done one by
 * one: a callback may cancel another finished transfer (its on_done is then
 * skipped) or submit new ones.
 */
static int finish_done(curl_transport *ct)
{
    sv__transfer *head = NULL, **tail = &head;
    CURLMsg *msg;
    int left, count = 0;

    while ((msg = curl_multi_info_read(ct->multi, &left))) {
        sv__transfer *t = NULL;
        if (msg->msg != CURLMSG_DONE)
            continue;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
        if (!t)
            continue;
        t->result = msg->data.result;
        curl_multi_remove_handle(ct->multi, t->easy);
        unlink_transfer(ct, t);
        t->done_next = NULL;
        t->in_batch = 1;
        *tail = t;
        tail = &t->done_next;
    }
    while (head) {
        sv__transfer *t = head;
        sv__transfer_result r;
        head = t->done_next;
        if (!t->cancelled) {
            fill_result(t, t->result, &r);
            t->in_done = 1;
            if (t->req.on_done)
                t->req.on_done(t->req.opaque, &r);
            count++;
        }
        free_transfer(ct, t);
    }
    return count;
}

static int curl_poll(void *priv, int64_t timeout_ns)
{
    curl_transport *ct = priv;
    int ret;

    if ((ret = perform(ct)) < 0)
        return ret;
    if (finish_done(ct) > 0)
        return 0;    /* let the loop see what the callbacks queued */
    int timeout_ms = timeout_ns <= 0 ? 0
                   : timeout_ns >= 3600000000000LL ? 3600000
                   : (int)((timeout_ns + 999999) / 1000000);
    if (curl_multi_poll(ct->multi, NULL, 0, timeout_ms, NULL) != CURLM_OK)
        return SV_ERR_INTERNAL;
    if ((ret = perform(ct)) < 0)
        return ret;
    finish_done(ct);
    return 0;
}

static void curl_wakeup(void *priv)
{
    curl_transport *ct = priv;
    curl_multi_wakeup(ct->multi);
}

static void curl_destroy(void *priv)
{
    curl_transport *ct = priv;

    if (!ct)
        return;
    while (ct->transfers) {
        sv__transfer *t = ct->transfers;
        unlink_transfer(ct, t);
        free_transfer(ct, t);
    }
    if (ct->multi)
        curl_multi_cleanup(ct->multi);
    sv__free(ct->alloc, ct->user_agent);
    sv__free(ct->alloc, ct->ca_file);
    sv__free(ct->alloc, ct->pinned_pubkey);
    sv__free(ct->alloc, ct);
    curl_global_cleanup();
}

static const sv__transport_ops curl_ops = {
    .name = "curl",
    .submit = curl_submit,
    .cancel = curl_cancel,
    .poll = curl_poll,
    .wakeup = curl_wakeup,
    .destroy = curl_destroy,
};

int sv__transport_curl_create(sv__transport **out, const struct sv_clock *clock,
                              const sv__curl_options *opts)
{
    curl_transport *ct = NULL;
    sv__transport *t = NULL;
    char ua[64];
    int ret = SV_ERR_NOMEM;

    if (!out || !clock || !clock->now_ns)
        return SV_ERR_INVALID;
    /* Reference-counted by libcurl; thread-safe since 7.84. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return SV_ERR_INTERNAL;
    const sv_allocator *alloc = opts ? opts->alloc : NULL;
    if (!(ct = sv__calloc(alloc, 1, sizeof(*ct))) || !(t = sv__calloc(alloc, 1, sizeof(*t))))
        goto fail;
    ct->alloc = alloc;
    sv__allocator_copy(&t->alloc, alloc);
    ct->clock = clock;
    snprintf(ua, sizeof(ua), "Streamverse/%s", sv_version());
    if (!(ct->user_agent = sv__strdup(ct->alloc, opts && opts->user_agent ? opts->user_agent : ua)))
        goto fail;
    if (opts && opts->ca_file && !(ct->ca_file = sv__strdup(ct->alloc, opts->ca_file)))
        goto fail;
    if (opts && opts->pinned_pubkey &&
        !(ct->pinned_pubkey = sv__strdup(ct->alloc, opts->pinned_pubkey)))
        goto fail;
    ct->http_version = !opts || opts->http_version == SV__HTTP_AUTO ? CURL_HTTP_VERSION_2TLS
                     : opts->http_version == SV__HTTP_1_1         ? CURL_HTTP_VERSION_1_1
                                                                   : CURL_HTTP_VERSION_2_0;
    if (!(ct->multi = curl_multi_init())) {
        ret = SV_ERR_INTERNAL;
        goto fail;
    }
    curl_multi_setopt(ct->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    if (opts && opts->max_host_connections > 0)
        curl_multi_setopt(ct->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                          (long)opts->max_host_connections);
    t->ops = &curl_ops;
    t->priv = ct;
    *out = t;
    return 0;

fail:
    sv__free(alloc, t);
    if (ct) {
        sv__free(alloc, ct->user_agent);
        sv__free(alloc, ct->ca_file);
        sv__free(alloc, ct->pinned_pubkey);
        sv__free(alloc, ct);
    }
    curl_global_cleanup();
    return ret;
}

void sv__transport_destroy(sv__transport *t)
{
    if (!t)
        return;
    sv_allocator alloc = t->alloc;
    t->ops->destroy(t->priv);
    sv__free(&alloc, t);
}
