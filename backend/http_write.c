/*
 * http_write.c - the bytes of an answer: building the head (and a memory
 * body) into the connection's output, then writing it with send(2), file
 * bodies with sendfile(2) from the page cache. The lowest part of the
 * connection layer: it decides nothing about the connection (keep-alive,
 * closing, watching the socket), which http_conn.c does with its results.
 */
#define _GNU_SOURCE /* MSG_MORE */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend/http_internal.h"
#include "backend/http_util.h"
#include "streamverse/common.h"

/* Every answer carries the CORS headers a browser player needs to read
 * media and API answers from another origin (and their lengths/ranges). */
#define CORS_HEADERS                                                              \
    "Access-Control-Allow-Origin: *\r\n"                                          \
    "Access-Control-Expose-Headers: Content-Length, Content-Range, ETag, Accept-Ranges\r\n"

/* Bodies up to this size are copied into the answer instead of sendfile. */
#define SMALL_FILE (16 * 1024)

const char *sv__http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 507: return "Insufficient Storage";
    default: {
        /* The rest of the registry, as http-parser knows it ("<unknown>"
         * for what it does not). */
        const char *r = http_status_str((enum http_status)status);

        return r && r[0] != '<' ? r : "";
    }
    }
}

/* The Date header, formatted once a second per server. */
static const char *server_date(sv__http_server *srv)
{
    time_t now = time(NULL);

    if (now != srv->date_t) {
        srv->date_t = now;
        sv__http_date(now, srv->date, sizeof(srv->date));
    }
    return srv->date;
}

void sv__http_out_free(sv__http_conn *conn)
{
    sv__buf_free(&conn->out);
    conn->out_off = conn->out_head = 0;
    if (conn->file_fd >= 0)
        close(conn->file_fd);
    conn->file_fd = -1;
    conn->file_left = 0;
}

/* Appends "name: value\r\n" to the extra headers, or nothing on overflow. */
static int add_header_mem(sv__http_req *req, const char *name, size_t nlen, const char *value,
                          size_t vlen)
{
    char *p = req->extra + req->extra_len;

    /* +5: ": ", CRLF and the NUL kept after the headers. */
    if (nlen + vlen + 5 > sizeof(req->extra) - req->extra_len)
        return SV_ERR_OVERFLOW;
    memcpy(p, name, nlen);
    p += nlen;
    *p++ = ':';
    *p++ = ' ';
    memcpy(p, value, vlen);
    p += vlen;
    memcpy(p, "\r\n", 3);
    req->extra_len += nlen + vlen + 4;
    return 0;
}

int sv__http_add_header_str(sv__http_req *req, const char *name, const char *value)
{
    return add_header_mem(req, name, strlen(name), value, strlen(value));
}

int sv__http_add_header(sv__http_req *req, const char *name, const char *fmt, ...)
{
    char value[sizeof(req->extra)];
    va_list ap;
    int n;

    /* The common shapes, a constant value or "%s", need no formatting. */
    if (!strchr(fmt, '%'))
        return sv__http_add_header_str(req, name, fmt);
    va_start(ap, fmt);
    if (fmt[0] == '%' && fmt[1] == 's' && !fmt[2]) {
        n = sv__http_add_header_str(req, name, va_arg(ap, const char *));
        va_end(ap);
        return n;
    }
    n = vsnprintf(value, sizeof(value), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(value))
        return SV_ERR_OVERFLOW;
    return add_header_mem(req, name, strlen(name), value, (size_t)n);
}

/* Appends a constant string (its length known at compile time). */
#define PUT_LIT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) += sizeof(lit) - 1)

static char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);

    memcpy(p, s, n);
    return p + n;
}

/* The head is assembled with memcpy and a small itoa rather than snprintf:
 * formatting was the largest single cost of serving a file. */
static int build_head(sv__http_req *req, int status, const char *content_type, uint64_t length)
{
    sv__http_conn *conn = req->conn;
    const char *reason = sv__http_reason(status);
    const char *date = server_date(conn->srv);
    size_t ct_len = content_type ? strlen(content_type) : 0;
    size_t max;
    char *p;

    sv__http_out_free(conn);
    req->status = status;
    if (status < 100 || status > 999)
        return SV_ERR_OVERFLOW;
    /* Every piece below is bounded: constants, three digits, the reason,
     * the date, the type, at most 20 digits, the extra headers. */
    max = 256 + strlen(reason) + strlen(date) + ct_len + sizeof(CORS_HEADERS) + req->extra_len +
          sizeof(conn->srv->name);
    if (sv__buf_reserve(&conn->out, max) < 0)
        return SV_ERR_NOMEM;
    p = (char *)conn->out.data + conn->out.size;
    PUT_LIT(p, "HTTP/1.1 ");
    *p++ = (char)('0' + status / 100);
    *p++ = (char)('0' + status / 10 % 10);
    *p++ = (char)('0' + status % 10);
    *p++ = ' ';
    p = put_str(p, reason);
    PUT_LIT(p, "\r\nServer: ");
    p = put_str(p, conn->srv->name);
    PUT_LIT(p, "\r\nDate: ");
    p = put_str(p, date);
    if (content_type) {
        PUT_LIT(p, "\r\nContent-Type: ");
        memcpy(p, content_type, ct_len);
        p += ct_len;
    }
    if (length == UINT64_MAX && req->http_minor >= 1) {
        /* A streamed body of unknown length (http.h, SV__HTTP_CHUNKED). */
        PUT_LIT(p, "\r\nTransfer-Encoding: chunked");
    } else if (length == UINT64_MAX) {
        /* HTTP/1.0 has no chunks: the end of the body is the close. */
        conn->close_after = 1;
    } else {
        PUT_LIT(p, "\r\nContent-Length: ");
        p += sv__http_put_u64(p, length);
    }
    PUT_LIT(p, "\r\n" CORS_HEADERS);
    if (conn->close_after)
        PUT_LIT(p, "Connection: close\r\n");
    else if (req->http_minor == 0)
        PUT_LIT(p, "Connection: keep-alive\r\n");
    memcpy(p, req->extra, req->extra_len);
    p += req->extra_len;
    PUT_LIT(p, "\r\n");
    conn->out.size = (size_t)(p - (char *)conn->out.data);
    conn->out_head = conn->out.size;
    return 0;
}

int sv__http_build_head(sv__http_req *req, int status, const char *content_type,
                        uint64_t length)
{
    return build_head(req, status, content_type, length);
}

static int body_allowed(const sv__http_req *req, int status)
{
    return req->method != HTTP_HEAD && status != 204 && status != 304;
}

int sv__http_build(sv__http_req *req, int status, const char *content_type, const void *body,
                   size_t len)
{
    sv__http_conn *conn = req->conn;
    int r;

    r = build_head(req, status, status == 304 ? NULL : content_type, status == 304 ? 0 : len);
    if (r < 0)
        return r;
    if (body_allowed(req, status) && len) {
        sv__buf_append(&conn->out, body, len);
        if (conn->out.err)
            return conn->out.err;
        req->bytes_sent = len;
    }
    return 0;
}

int sv__http_build_file(sv__http_req *req, int status, const char *content_type, int fd,
                        uint64_t offset, uint64_t len)
{
    sv__http_conn *conn = req->conn;
    int r;

    if ((r = build_head(req, status, content_type, len)) < 0)
        goto done;
    if (body_allowed(req, status) && len && len <= SMALL_FILE) {
        /* Small files (playlists, manifests) go out with the head in one
         * send(): copying a few KiB costs less than a splice through the
         * page cache, and the answer leaves in one segment. */
        if ((r = sv__buf_reserve(&conn->out, (size_t)len)) < 0)
            goto done;
        if (pread(fd, conn->out.data + conn->out.size, (size_t)len, (off_t)offset) !=
            (ssize_t)len) {
            r = SV_ERR_IO;
            goto done;
        }
        conn->out.size += (size_t)len;
        req->bytes_sent = len;
    } else if (body_allowed(req, status) && len) {
        conn->file_fd = fd;
        conn->file_off = offset;
        conn->file_left = len;
        req->bytes_sent = len;
        return 0;
    }
done:
    close(fd);
    return r;
}

int sv__http_build_error(sv__http_req *req, int status, const char *code, const char *message)
{
    json_t *j = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    int r;

    if (text) {
        size_t len = strlen(text);

        text[len] = '\n'; /* json_dumps leaves room: the NUL becomes the newline */
        r = sv__http_build(req, status, "application/json", text, len + 1);
    } else {
        r = sv__http_build(req, status, "application/json", "{}\n", 3);
    }
    free(text);
    json_decref(j);
    return r;
}

int sv__http_build_reject(sv__http_req *req, int status, const char *code, const char *message)
{
    sv__http_conn *conn = req->conn;

    conn->close_after = 1;
    conn->reject_status = status;
    return sv__http_build_error(req, status, code, message);
}

int sv__http_out_flush(sv__http_conn *conn)
{
    while (conn->out_off < conn->out.size) {
        size_t before = conn->out_off;
        ssize_t n = send(conn->fd, conn->out.data + conn->out_off, conn->out.size - conn->out_off,
                         MSG_NOSIGNAL | (conn->file_left ? MSG_MORE : 0));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0)
            return -1;
        conn->out_off += (size_t)n;
        /* Body bytes: what went out past the head. */
        if (conn->out_off > conn->out_head)
            conn->req.bytes_written +=
                conn->out_off - (before > conn->out_head ? before : conn->out_head);
    }
    while (conn->file_left > 0) {
        off_t off = (off_t)conn->file_off;
        size_t chunk = conn->file_left > (1u << 30) ? (1u << 30) : (size_t)conn->file_left;
        ssize_t n = sendfile(conn->fd, conn->file_fd, &off, chunk);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return 0;
        if (n <= 0) /* 0: the file shrank under us; the length is promised */
            return -1;
        conn->file_off += (uint64_t)n;
        conn->file_left -= (uint64_t)n;
        conn->req.bytes_written += (uint64_t)n;
    }
    return 1;
}
