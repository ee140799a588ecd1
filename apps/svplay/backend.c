/*
 * svplay's own calls to a Streamverse backend, outside playback: logging in
 * and reading the catalog. Playback itself (start, heartbeats, stop) is the
 * SDK's (sv_player_load_title). Blocking libcurl calls with short timeouts,
 * made from the main thread before or between plays.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "svplay.h"

#define MAX_ANSWER (4 << 20)

/* --ca-file, --pin-pubkey and --http1, for these calls as for the player's. */
static struct {
    const char *ca_file, *pin_pubkey;
    int http1;
} tls;

void svp_backend_set_tls(const char *ca_file, const char *pin_pubkey, int http1)
{
    tls.ca_file = ca_file;
    tls.pin_pubkey = pin_pubkey;
    tls.http1 = http1;
}

typedef struct answer {
    char *data;
    size_t len;
} answer;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *opaque)
{
    answer *a = opaque;
    size_t n = size * nmemb;
    char *grown;

    if (a->len + n > MAX_ANSWER || !(grown = realloc(a->data, a->len + n + 1)))
        return 0;
    memcpy(grown + a->len, ptr, n);
    a->data = grown;
    a->len += n;
    a->data[a->len] = '\0';
    return n;
}

/* "code: message" from a JSON error body, or the status alone. */
static void error_text(const answer *a, long status, char *err, size_t errlen)
{
    json_t *root = a->data ? json_loadb(a->data, a->len, 0, NULL) : NULL;
    json_t *e = json_object_get(root, "error");
    const char *code = json_string_value(json_object_get(e, "code"));
    const char *msg = json_string_value(json_object_get(e, "message"));

    if (code && msg)
        snprintf(err, errlen, "%s: %s (HTTP %ld)", code, msg, status);
    else
        snprintf(err, errlen, "HTTP %ld", status);
    json_decref(root);
}

/* One request: the body into *a, the status into *status. 0, or -1 with a
 * message in err when it could not be made (not for HTTP errors). */
static int request(const char *server, const char *method, const char *path, const char *token,
                   const char *text, answer *a, long *status, char *err, size_t errlen)
{
    CURL *h = curl_easy_init();
    struct curl_slist *hdr = NULL;
    char url[2048], auth[2048], cerr[CURL_ERROR_SIZE] = "";
    int ret = -1;

    size_t n = strlen(server);
    while (n > 0 && server[n - 1] == '/')
        n--;
    if (!h || snprintf(url, sizeof(url), "%.*s%s", (int)n, server, path) >= (int)sizeof(url)) {
        snprintf(err, errlen, "cannot prepare the request to %s", server);
        goto out;
    }
    if (token) {
        snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
        hdr = curl_slist_append(hdr, auth);
    }
    if (text)
        hdr = curl_slist_append(hdr, "Content-Type: application/json");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (text)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 15L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
                     tls.http1 ? (long)CURL_HTTP_VERSION_1_1 : (long)CURL_HTTP_VERSION_2TLS);
    if (tls.ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, tls.ca_file);
    if (tls.pin_pubkey)
        curl_easy_setopt(h, CURLOPT_PINNEDPUBLICKEY, tls.pin_pubkey);
    if (curl_easy_perform(h) != CURLE_OK) {
        snprintf(err, errlen, "%s %s: %s", method, url, cerr[0] ? cerr : "transfer failed");
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    ret = 0;
out:
    curl_slist_free_all(hdr);
    if (h)
        curl_easy_cleanup(h);
    return ret;
}

int svp_backend_call(const char *server, const char *method, const char *path,
                     const char *token, json_t *body, json_t **out, char *err, size_t errlen)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    answer a = { NULL, 0 };
    long status = 0;
    int ret = -1;

    *out = NULL;
    if (body && !text) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if (request(server, method, path, token, text, &a, &status, err, errlen) < 0)
        goto out;
    if (status >= 300) {
        error_text(&a, status, err, errlen);
        goto out;
    }
    if (!(*out = json_loadb(a.data ? a.data : "", a.len, 0, NULL))) {
        snprintf(err, errlen, "%s %s: the answer is not JSON", method, path);
        goto out;
    }
    ret = 0;
out:
    free(text);
    free(a.data);
    return ret;
}

int svp_backend_get(const char *server, const char *path, const char *token, uint8_t **data,
                    size_t *len, char *err, size_t errlen)
{
    answer a = { NULL, 0 };
    long status = 0;

    *data = NULL;
    *len = 0;
    if (request(server, "GET", path, token, NULL, &a, &status, err, errlen) < 0) {
        free(a.data);
        return -1;
    }
    if (status != 200) {
        error_text(&a, status, err, errlen);
        free(a.data);
        return -1;
    }
    *data = (uint8_t *)a.data;
    *len = a.len;
    return 0;
}

/* A password from a file (first line) or, on a terminal, typed without echo. */
static int read_password(const char *file, char *buf, size_t cap, char *err, size_t errlen)
{
    FILE *f = file ? fopen(file, "r") : NULL;
    struct termios old, quiet;
    int restore = 0;

    if (file && !f) {
        snprintf(err, errlen, "cannot read the password file %s", file);
        return -1;
    }
    if (!f) {
        if (!isatty(STDIN_FILENO)) {
            snprintf(err, errlen, "no password: give --password-file or run on a terminal");
            return -1;
        }
        fprintf(stderr, "Password: ");
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            restore = tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
        }
    }
    char *line = fgets(buf, (int)cap, f ? f : stdin);
    if (restore) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fprintf(stderr, "\n");
    }
    if (f)
        fclose(f);
    if (!line) {
        snprintf(err, errlen, "no password was given");
        return -1;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

int svp_backend_login(svp_app *app, char *err, size_t errlen)
{
    char password[512];
    json_t *ans = NULL, *body;
    const char *tok;
    int ret = -1;

    if (read_password(app->opt.password_file, password, sizeof(password), err, errlen) < 0)
        return -1;
    body = json_pack("{s:s,s:s}", "name", app->opt.user, "password", password);
    memset(password, 0, sizeof(password));
    if (!body) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (svp_backend_call(app->opt.server, "POST", "/api/v1/auth/login", NULL, body, &ans, err,
                         errlen) == 0) {
        if ((tok = json_string_value(json_object_get(ans, "token"))) &&
            (app->user_token = strdup(tok)))
            ret = 0;
        else
            snprintf(err, errlen, "the login answer has no token");
    }
    json_decref(body);
    json_decref(ans);
    return ret;
}
