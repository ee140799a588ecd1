/*
 * http_write.c - building answers and sending them: the head (and a memory
 * body) with send(2), file bodies with sendfile(2) from the page cache.
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
    default: return "";
    }
}

void sv__http_conn_free_output(sv__http_conn *conn)
{
    free(conn->out);
    conn->out = NULL;
    conn->out_len = conn->out_off = conn->out_cap = 0;
    if (conn->file_fd >= 0)
        close(conn->file_fd);
    conn->file_fd = -1;
    conn->file_left = 0;
}

static int out_reserve(sv__http_conn *conn, size_t more)
{
    size_t cap = conn->out_cap ? conn->out_cap : 512;
    char *o;

    if (conn->out_len + more <= conn->out_cap)
        return 0;
    while (cap < conn->out_len + more)
        cap *= 2;
    if (!(o = realloc(conn->out, cap)))
        return SV_ERR_NOMEM;
    conn->out = o;
    conn->out_cap = cap;
    return 0;
}

static int out_append(sv__http_conn *conn, const void *p, size_t len)
{
    if (out_reserve(conn, len) < 0)
        return SV_ERR_NOMEM;
    memcpy(conn->out + conn->out_len, p, len);
    conn->out_len += len;
    return 0;
}

int sv__http_add_header(sv__http_req *req, const char *name, const char *fmt, ...)
{
    size_t room = sizeof(req->extra) - req->extra_len;
    va_list ap;
    int n, m;

    n = snprintf(req->extra + req->extra_len, room, "%s: ", name);
    if (n < 0 || (size_t)n >= room)
        goto overflow;
    va_start(ap, fmt);
    m = vsnprintf(req->extra + req->extra_len + n, room - (size_t)n, fmt, ap);
    va_end(ap);
    if (m < 0 || (size_t)(n + m + 2) >= room)
        goto overflow;
    memcpy(req->extra + req->extra_len + n + m, "\r\n", 3);
    req->extra_len += (size_t)(n + m + 2);
    return 0;

overflow:
    req->extra[req->extra_len] = '\0';
    return SV_ERR_OVERFLOW;
}

static int build_head(sv__http_req *req, int status, const char *content_type, uint64_t length)
{
    sv__http_conn *conn = req->conn;
    char head[512];
    int n;

    sv__http_conn_free_output(conn);
    req->status = status;
    n = snprintf(head, sizeof(head),
                 "HTTP/1.1 %d %s\r\nServer: svserver\r\nDate: %s\r\n%s%s%sContent-Length: %llu\r\n"
                 CORS_HEADERS "%s",
                 status, sv__http_reason(status), sv__http_server_date(conn->srv),
                 content_type ? "Content-Type: " : "", content_type ? content_type : "",
                 content_type ? "\r\n" : "", (unsigned long long)length,
                 conn->close_after ? "Connection: close\r\n"
                 : req->http_minor == 0 ? "Connection: keep-alive\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof(head))
        return SV_ERR_OVERFLOW;
    if (out_append(conn, head, (size_t)n) < 0 || out_append(conn, req->extra, req->extra_len) < 0 ||
        out_append(conn, "\r\n", 2) < 0)
        return SV_ERR_NOMEM;
    return 0;
}

/* Sends now unless the parser is running (then process_input sends it when
 * http_parser_execute returned). */
static void dispatch(sv__http_conn *conn)
{
    if (conn->in_parser)
        return;
    conn->state = SV__CONN_WRITING;
    if (sv__http_conn_flush(conn) == 1)
        sv__http_conn_response_done(conn);
}

static int body_allowed(const sv__http_req *req, int status)
{
    return req->method != HTTP_HEAD && status != 204 && status != 304;
}

void sv__http_send(sv__http_req *req, int status, const char *content_type, const void *body,
                   size_t len)
{
    sv__http_conn *conn = req->conn;

    if (build_head(req, status, status == 304 ? NULL : content_type, status == 304 ? 0 : len) < 0) {
        sv__http_conn_close(conn);
        return;
    }
    if (body_allowed(req, status) && len) {
        if (out_append(conn, body, len) < 0) {
            sv__http_conn_close(conn);
            return;
        }
        req->bytes_sent = len;
    }
    dispatch(conn);
}

void sv__http_send_file(sv__http_req *req, int status, const char *content_type, int fd,
                        uint64_t offset, uint64_t len)
{
    sv__http_conn *conn = req->conn;

    if (build_head(req, status, content_type, len) < 0) {
        close(fd);
        sv__http_conn_close(conn);
        return;
    }
    if (body_allowed(req, status) && len && len <= SMALL_FILE) {
        /* Small files (playlists, manifests) go out with the head in one
         * send(): copying a few KiB costs less than a splice through the
         * page cache, and the answer leaves in one segment. */
        ssize_t n;

        if (out_reserve(conn, (size_t)len) < 0 ||
            (n = pread(fd, conn->out + conn->out_len, (size_t)len, (off_t)offset)) != (ssize_t)len) {
            close(fd);
            sv__http_conn_close(conn);
            return;
        }
        conn->out_len += (size_t)len;
        req->bytes_sent = len;
        close(fd);
    } else if (body_allowed(req, status) && len) {
        conn->file_fd = fd;
        conn->file_off = offset;
        conn->file_left = len;
        req->bytes_sent = len;
    } else {
        close(fd);
    }
    dispatch(conn);
}

void sv__http_send_error(sv__http_req *req, int status, const char *code, const char *message)
{
    json_t *j = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

    if (text) {
        size_t len = strlen(text);

        text[len] = '\n'; /* json_dumps leaves room: the NUL becomes the newline */
        sv__http_send(req, status, "application/json", text, len + 1);
    } else {
        sv__http_send(req, status, "application/json", "{}\n", 3);
    }
    free(text);
    json_decref(j);
}

void sv__http_reject(sv__http_req *req, int status, const char *code, const char *message)
{
    sv__http_conn *conn = req->conn;

    conn->close_after = 1;
    conn->reject_status = status;
    sv__http_send_error(req, status, code, message);
}

static int wait_writable(sv__http_conn *conn)
{
    sv__http_conn_watch(conn, UV_WRITABLE);
    sv__http_conn_arm_idle(conn);
    return 0;
}

int sv__http_conn_flush(sv__http_conn *conn)
{
    while (conn->out_off < conn->out_len) {
        ssize_t n = send(conn->fd, conn->out + conn->out_off, conn->out_len - conn->out_off,
                         MSG_NOSIGNAL | (conn->file_left ? MSG_MORE : 0));

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return wait_writable(conn);
        if (n <= 0)
            goto fail;
        conn->out_off += (size_t)n;
    }
    while (conn->file_left > 0) {
        off_t off = (off_t)conn->file_off;
        size_t chunk = conn->file_left > (1u << 30) ? (1u << 30) : (size_t)conn->file_left;
        ssize_t n = sendfile(conn->fd, conn->file_fd, &off, chunk);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return wait_writable(conn);
        if (n <= 0) /* 0: the file shrank under us; the length is promised */
            goto fail;
        conn->file_off += (uint64_t)n;
        conn->file_left -= (uint64_t)n;
    }
    return 1;

fail:
    sv__http_conn_close(conn);
    return -1;
}
