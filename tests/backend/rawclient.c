/*
 * sv-backend-rawclient - what curl cannot send, for the backend's shell tests.
 *
 *   sv-backend-rawclient pipeline PORT N PATH
 *       N GET requests for PATH in one write; prints the status of every
 *       answer (parsed with http-parser), one per line, then "closed" or "open".
 *   sv-backend-rawclient slowhead PORT
 *       half a request head, then waits: prints the answer's status (408
 *       expected) or "closed" when the server hung up without one.
 *   sv-backend-rawclient idle PORT
 *       connects and sends nothing; prints "closed" when the server hangs up.
 *   sv-backend-rawclient bytes PORT HEX [N]
 *       sends the bytes spelled in hex (e.g. 16030100) in one write, then
 *       reads up to N answers (default 1): prints each status, then "closed"
 *       or "open". A reset by the server counts as "closed".
 *   sv-backend-rawclient hold PORT N MS
 *       opens N connections, sends nothing, keeps them MS milliseconds, then
 *       prints how many the server closed meanwhile and exits.
 *   sv-backend-rawclient json FILE PATH
 *       prints one value of a JSON file (parsed with jansson): PATH is like
 *       .items[0].title or .total; strings raw, others as JSON; "null" when
 *       absent. The machine has no jq by default.
 * Every wait is bounded (10 s); exit 1 on a client-side error.
 */
#include <arpa/inet.h>
#include <http_parser.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int statuses[256];
static int nb_statuses;

static int on_complete(http_parser *p)
{
    if (nb_statuses < 256)
        statuses[nb_statuses++] = (int)p->status_code;
    return 0;
}

static int connect_to(int port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        perror("connect");
        exit(1);
    }
    return fd;
}

/* Reads answers until `want` were parsed, the peer closed, or 10 s passed.
 * Returns 1 when the peer closed. */
static int read_answers(int fd, int want)
{
    static const http_parser_settings settings = {.on_message_complete = on_complete};
    http_parser parser;
    char buf[65536];

    http_parser_init(&parser, HTTP_RESPONSE);
    while (nb_statuses < want) {
        struct pollfd pfd = {fd, POLLIN, 0};
        ssize_t n;

        if (poll(&pfd, 1, 10000) <= 0)
            return 0;
        if ((n = read(fd, buf, sizeof(buf))) <= 0)
            return 1;
        http_parser_execute(&parser, &settings, buf, (size_t)n);
        if (HTTP_PARSER_ERRNO(&parser) != HPE_OK) {
            fprintf(stderr, "bad answer: %s\n", http_errno_name(HTTP_PARSER_ERRNO(&parser)));
            exit(1);
        }
    }
    return 0;
}

static int peer_closed(int fd, int ms)
{
    struct pollfd pfd = {fd, POLLIN, 0};
    char c;

    return poll(&pfd, 1, ms) > 0 && read(fd, &c, 1) <= 0;
}

static int hold(int port, int n, int ms)
{
    int *fds = calloc((size_t)n, sizeof(int)), closed = 0;

    for (int i = 0; i < n; i++)
        fds[i] = connect_to(port);
    poll(NULL, 0, ms);
    for (int i = 0; i < n; i++) {
        closed += peer_closed(fds[i], 0);
        close(fds[i]);
    }
    printf("%d\n", closed);
    free(fds);
    return 0;
}

static int json_get(const char *file, const char *path)
{
    json_error_t err;
    json_t *root = json_load_file(file, 0, &err), *v = root;
    const char *p = path;

    if (!root) {
        fprintf(stderr, "%s: %s\n", file, err.text);
        return 1;
    }
    while (v && *p) {
        if (*p == '.') {
            char key[128];
            size_t n = strcspn(p + 1, ".[");

            if (n >= sizeof(key))
                return 1;
            memcpy(key, p + 1, n);
            key[n] = '\0';
            v = json_object_get(v, key);
            p += 1 + n;
        } else if (*p == '[') {
            v = json_array_get(v, (size_t)strtoul(p + 1, NULL, 10));
            p = strchr(p, ']');
            if (!p)
                return 1;
            p++;
        } else {
            return 1;
        }
    }
    if (!v || json_is_null(v)) {
        printf("null\n");
    } else if (json_is_string(v)) {
        printf("%s\n", json_string_value(v));
    } else {
        char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        printf("%s\n", t ? t : "");
        free(t);
    }
    json_decref(root);
    return 0;
}

int main(int argc, char **argv)
{
    int fd, port;

    if (argc == 4 && !strcmp(argv[1], "json"))
        return json_get(argv[2], argv[3]);

    if (argc < 3) {
        fprintf(stderr, "usage: see the comment at the top of rawclient.c\n");
        return 1;
    }
    port = atoi(argv[2]);
    if (!strcmp(argv[1], "hold") && argc == 5)
        return hold(port, atoi(argv[3]), atoi(argv[4]));
    fd = connect_to(port);
    if (!strcmp(argv[1], "pipeline") && argc == 5) {
        int n = atoi(argv[3]);
        size_t len = 0;
        char *reqs = malloc((size_t)n * 300 + 1);

        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(reqs + len, 300, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                                    argv[4]);
        if (write(fd, reqs, len) != (ssize_t)len)
            return 1;
        free(reqs);
        read_answers(fd, n);
        for (int i = 0; i < nb_statuses; i++)
            printf("%d\n", statuses[i]);
        printf("%s\n", peer_closed(fd, 200) ? "closed" : "open");
    } else if (!strcmp(argv[1], "slowhead")) {
        const char *half = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";

        if (write(fd, half, strlen(half)) < 0)
            return 1;
        if (read_answers(fd, 1) && !nb_statuses)
            printf("closed\n");
        else if (nb_statuses)
            printf("%d\n", statuses[0]);
        else
            printf("timeout\n");
    } else if (!strcmp(argv[1], "bytes") && argc >= 4) {
        size_t len = strlen(argv[3]) / 2;
        unsigned char *b = malloc(len + 1);

        for (size_t i = 0; i < len; i++) {
            unsigned v;

            if (sscanf(argv[3] + 2 * i, "%2x", &v) != 1)
                return 1;
            b[i] = (unsigned char)v;
        }
        if (write(fd, b, len) != (ssize_t)len)
            return 1;
        free(b);
        if (read_answers(fd, argc >= 5 ? atoi(argv[4]) : 1)) {
            for (int i = 0; i < nb_statuses; i++)
                printf("%d\n", statuses[i]);
            printf("closed\n");
        } else {
            for (int i = 0; i < nb_statuses; i++)
                printf("%d\n", statuses[i]);
            printf("%s\n", peer_closed(fd, 200) ? "closed" : "open");
        }
    } else if (!strcmp(argv[1], "idle")) {
        printf("%s\n", peer_closed(fd, 10000) ? "closed" : "open");
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 1;
    }
    close(fd);
    return 0;
}
