/*
 * http_answer.c - the application's way to answer a request (http.h):
 * build the answer's bytes (http_write.c), then hand the connection the
 * answer to send (http_conn.c). A connection whose answer cannot be built
 * (out of memory, an unreadable file) is closed: a client must never get
 * half an answer it would take for a whole one.
 */
#include "backend/http_internal.h"

static void deliver(sv__http_req *req, int built)
{
    if (built < 0)
        sv__http_conn_close(req->conn);
    else
        sv__http_conn_dispatch(req->conn);
}

void sv__http_send(sv__http_req *req, int status, const char *content_type, const void *body,
                   size_t len)
{
    deliver(req, sv__http_build(req, status, content_type, body, len));
}

void sv__http_send_file(sv__http_req *req, int status, const char *content_type, int fd,
                        uint64_t offset, uint64_t len)
{
    deliver(req, sv__http_build_file(req, status, content_type, fd, offset, len));
}

void sv__http_send_error(sv__http_req *req, int status, const char *code, const char *message)
{
    deliver(req, sv__http_build_error(req, status, code, message));
}

void sv__http_reject(sv__http_req *req, int status, const char *code, const char *message)
{
    deliver(req, sv__http_build_reject(req, status, code, message));
}
