/*
 * faultsrv_log.c - the request log: one JSON object per finished request,
 * kept in memory (for /_fault/log and the expectation check) and mirrored to
 * a file as JSON lines. The caller serialises access (the server lock).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultsrv_internal.h"

const char *sv__fault_end_name(sv__fault_end end)
{
    switch (end) {
    case SV__FAULT_END_COMPLETE:      return "complete";
    case SV__FAULT_END_RESET:         return "reset";
    case SV__FAULT_END_TRUNCATED:     return "truncated";
    case SV__FAULT_END_STALLED:       return "stalled";
    case SV__FAULT_END_CLIENT_CLOSED: return "client-closed";
    case SV__FAULT_END_ABORTED:       return "aborted";
    }
    return "unknown";
}

/*
 * A JSON string for request text, which need not be UTF-8: jansson refuses
 * invalid UTF-8, so such bytes are logged as '?' rather than dropping the
 * whole field.
 */
static json_t *text(const char *s)
{
    json_t *j;
    char *copy;
    size_t i;

    if (!s)
        return json_null();
    if ((j = json_string(s)))
        return j;
    if (!(copy = strdup(s)))
        return NULL;
    for (i = 0; copy[i]; i++)
        if ((unsigned char)copy[i] >= 0x80)
            copy[i] = '?';
    j = json_string(copy);
    free(copy);
    return j;
}

int sv__fault_log_open(sv__fault_log *log, const char *path, char *err, size_t err_size)
{
    memset(log, 0, sizeof(*log));
    if (path && !(log->file = fopen(path, "w"))) {
        sv__fault_set_err(err, err_size, "%s: cannot open the log file for writing", path);
        return SV_ERR_IO;
    }
    return 0;
}

static void drop_entries(sv__fault_log *log)
{
    size_t i;

    for (i = 0; i < log->n; i++)
        json_decref(log->v[i]);
    log->n = 0;
    log->dropped = 0;
}

void sv__fault_log_close(sv__fault_log *log)
{
    /* The file stays as it is: it is the record a test reads afterwards. */
    drop_entries(log);
    free(log->v);
    log->v = NULL;
    log->cap = 0;
    if (log->file)
        fclose(log->file);
    log->file = NULL;
}

int sv__fault_log_append(sv__fault_log *log, const sv__fault_record *rec)
{
    json_t *e;
    char *line;

    /* "o?" steals each reference; a string that could not be made (out of
     * memory) is logged as null rather than losing the whole entry. */
    e = json_pack("{s:I, s:I, s:I, s:o?, s:o?, s:o?, s:o?, s:i, s:I, s:o?, s:s}",
                  "t_ms", (json_int_t)rec->t_ms,
                  "dur_ms", (json_int_t)rec->dur_ms,
                  "conn", (json_int_t)rec->conn,
                  "method", text(rec->method),
                  "path", text(rec->path),
                  "query", text(rec->query),
                  "range", text(rec->range),
                  "status", rec->status,
                  "bytes", (json_int_t)rec->bytes,
                  "rule", text(rec->rule),
                  "end", sv__fault_end_name(rec->end));
    if (!e)
        return SV_ERR_NOMEM;

    if (log->file && (line = json_dumps(e, JSON_COMPACT))) {
        fprintf(log->file, "%s\n", line);
        fflush(log->file);
        free(line);
    }

    if (log->n == SV__FAULT_MAX_LOG) {
        json_decref(log->v[0]);
        memmove(log->v, log->v + 1, (log->n - 1) * sizeof(*log->v));
        log->n--;
        log->dropped++;
    }
    if (log->n == log->cap) {
        size_t cap = log->cap ? log->cap * 2 : 64;
        json_t **v = realloc(log->v, cap * sizeof(*v));
        if (!v) {
            json_decref(e);
            return SV_ERR_NOMEM;
        }
        log->v = v;
        log->cap = cap;
    }
    log->v[log->n++] = e;
    return 0;
}

char *sv__fault_log_dump(const sv__fault_log *log)
{
    char **lines;
    char *out = NULL;
    size_t i, total = 0, pos = 0;

    if (!(lines = calloc(log->n + 1, sizeof(*lines))))
        return NULL;
    for (i = 0; i < log->n; i++) {
        if (!(lines[i] = json_dumps(log->v[i], JSON_COMPACT)))
            goto fail;
        total += strlen(lines[i]) + 1;
    }
    if (!(out = malloc(total + 1)))
        goto fail;
    for (i = 0; i < log->n; i++) {
        size_t len = strlen(lines[i]);
        memcpy(out + pos, lines[i], len);
        pos += len;
        out[pos++] = '\n';
    }
    out[pos] = '\0';

fail:
    for (i = 0; i < log->n; i++)
        free(lines[i]);
    free(lines);
    return out;
}

void sv__fault_log_clear(sv__fault_log *log)
{
    drop_entries(log);
    if (log->file) {
        /* Keep the file a mirror of the memory log. */
        fflush(log->file);
        if (ftruncate(fileno(log->file), 0) == 0)
            rewind(log->file);
    }
}

int sv__fault_log_check(const sv__fault_log *log, const json_t *expect,
                        char *err, size_t err_size)
{
    size_t i, n_expect;

    if (!expect) {
        sv__fault_set_err(err, err_size, "the scenario has no \"expect\" list");
        return SV_ERR_NOT_FOUND;
    }
    if (log->dropped) {
        sv__fault_set_err(err, err_size, "the log dropped %zu old entries; cannot compare", log->dropped);
        return SV_ERR_STATE;
    }
    n_expect = json_array_size(expect);
    for (i = 0; i < n_expect || i < log->n; i++) {
        const json_t *want = json_array_get(expect, i);
        const char *key;
        json_t *val;
        char *got_s, *want_s;

        if (i >= log->n) {
            sv__fault_set_err(err, err_size, "request %zu: expected, but only %zu requests were logged",
                    i, log->n);
            return SV_ERR_STATE;
        }
        if (i >= n_expect) {
            got_s = json_dumps(log->v[i], JSON_COMPACT);
            sv__fault_set_err(err, err_size, "request %zu: not expected: %s", i, got_s ? got_s : "?");
            free(got_s);
            return SV_ERR_STATE;
        }
        json_object_foreach((json_t *)want, key, val) {
            json_t *got = json_object_get(log->v[i], key);
            if (got && json_equal(got, val))
                continue;
            got_s = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;
            want_s = json_dumps(val, JSON_ENCODE_ANY);
            sv__fault_set_err(err, err_size, "request %zu: %s is %s, expected %s", i, key,
                    got_s ? got_s : "missing", want_s ? want_s : "?");
            free(got_s);
            free(want_s);
            return SV_ERR_STATE;
        }
    }
    return 0;
}
