/*
 * faultsrv_main.c - sv-faultsrv, the fault server as a command for shell
 * tests: parse arguments, start the server (faultsrv.h), write the port file,
 * wait for SIGINT or SIGTERM, stop cleanly.
 */
#define _GNU_SOURCE /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "faultsrv.h"

static void usage(FILE *out)
{
    fputs("usage: sv-faultsrv [--root DIR] [--scenario FILE] [--listen ADDR:PORT]\n"
          "                   [--port-file FILE] [--log FILE] [--max-connections N]\n"
          "\n"
          "A fault-injecting HTTP/1.1 test server on loopback (docs/fault-server.md).\n"
          "\n"
          "  --root DIR           folder to serve (overrides the scenario's \"root\")\n"
          "  --scenario FILE      JSON scenario: rules, and optionally root and expect\n"
          "  --listen ADDR:PORT   loopback address and port (default 127.0.0.1:0;\n"
          "                       port 0 picks a free one; IPv6 as [::1]:PORT)\n"
          "  --port-file FILE     write the port there once listening (atomically)\n"
          "  --log FILE           write the request log there, one JSON object per line\n"
          "  --max-connections N  connections open at once (default 128)\n"
          "  -h, --help           this text\n"
          "\n"
          "Control endpoint: GET /_fault/log, PUT /_fault/rules, POST /_fault/reset,\n"
          "GET /_fault/check. Stops on SIGINT or SIGTERM with status 0.\n",
          out);
}

static int parse_int(const char *s, long min, long max, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

/* Splits "127.0.0.1:8080" or "[::1]:8080" into `host` and *port. */
static int parse_listen(const char *arg, char *host, size_t host_size, int *port)
{
    const char *colon;
    size_t len;

    if (arg[0] == '[') {
        const char *close = strchr(arg, ']');
        if (!close || close[1] != ':')
            return -1;
        len = (size_t)(close - arg - 1);
        arg++;
        colon = close + 1;
    } else {
        if (!(colon = strrchr(arg, ':')))
            return -1;
        len = (size_t)(colon - arg);
    }
    if (!len || len >= host_size)
        return -1;
    memcpy(host, arg, len);
    host[len] = '\0';
    return parse_int(colon + 1, 0, 65535, port);
}

static int write_port_file(const char *path, int port)
{
    char tmp[PATH_MAX];
    FILE *f;
    int ok;

    /* Write then rename, so a script polling for the file never reads half
     * a number. */
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
        return -1;
    if (!(f = fopen(tmp, "w")))
        return -1;
    ok = fprintf(f, "%d\n", port) > 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        remove(tmp);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option options[] = {
        { "root", required_argument, NULL, 'r' },
        { "scenario", required_argument, NULL, 's' },
        { "listen", required_argument, NULL, 'l' },
        { "port-file", required_argument, NULL, 'p' },
        { "log", required_argument, NULL, 'g' },
        { "max-connections", required_argument, NULL, 'm' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    sv_faultsrv_config cfg;
    sv_faultsrv *srv = NULL;
    const char *port_file = NULL;
    char host[64], err[512];
    sigset_t set;
    int opt, sig = 0;

    sv_faultsrv_default_config(&cfg);
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case 'r': cfg.root = optarg; break;
        case 's': cfg.scenario_path = optarg; break;
        case 'p': port_file = optarg; break;
        case 'g': cfg.log_path = optarg; break;
        case 'l':
            if (parse_listen(optarg, host, sizeof(host), &cfg.port) < 0) {
                fprintf(stderr, "sv-faultsrv: --listen %s: expected ADDR:PORT, such as "
                        "127.0.0.1:0 or [::1]:8080\n", optarg);
                return 2;
            }
            cfg.host = host;
            break;
        case 'm':
            if (parse_int(optarg, 1, 4096, &cfg.max_connections) < 0) {
                fprintf(stderr, "sv-faultsrv: --max-connections %s: expected 1 to 4096\n",
                        optarg);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "sv-faultsrv: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    if (!cfg.root && !cfg.scenario_path) {
        fprintf(stderr, "sv-faultsrv: give --root DIR or a --scenario with \"root\"\n");
        usage(stderr);
        return 2;
    }

    /* Block the stop signals before the server thread exists, so that it
     * inherits the mask and sigwait() below receives them. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    if (sv_faultsrv_start(&cfg, &srv, err, sizeof(err)) < 0) {
        fprintf(stderr, "sv-faultsrv: %s\n", err);
        return 1;
    }
    if (port_file && write_port_file(port_file, sv_faultsrv_port(srv)) < 0) {
        fprintf(stderr, "sv-faultsrv: %s: cannot write the port file\n", port_file);
        sv_faultsrv_stop(srv);
        return 1;
    }
    fprintf(stderr, "sv-faultsrv: serving on %s port %d\n", cfg.host, sv_faultsrv_port(srv));

    /* sigwait() only returns for a signal in `set` (or EINVAL for a bad
     * set, which cannot happen here): either way, time to stop. */
    sigwait(&set, &sig);
    fprintf(stderr, "sv-faultsrv: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    sv_faultsrv_stop(srv);
    return 0;
}
