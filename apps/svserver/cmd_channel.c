/*
 * `svserver channel add NAME [--srt-port N --rtmp-port N] [--settings JSON]
 * [--encrypt cenc|cbcs]`:
 * makes a live channel in the data folder's catalog and prints its secret
 * stream key and the SRT and RTMP URLs a standard encoder publishes to.
 * `svserver channel list` prints every channel (name, state, ports, URLs);
 * `svserver channel remove NAME` removes one. All can run beside a server
 * on the same data folder (docs/live.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <streamverse/common.h>
#include <svserver/svserver.h>

#include "cli.h"

#define USAGE "usage: svserver channel add NAME [--srt-port N --rtmp-port N] " \
              "[--settings JSON] [--encrypt cenc|cbcs] [--data DIR] [settings]\n" \
              "       svserver channel list [--data DIR] [settings]\n" \
              "       svserver channel remove NAME [--data DIR] [settings]"

typedef struct channel_args {
    const char *name;
    long srt_port, rtmp_port;
    const char *settings;
    const char *encrypt;
} channel_args;

static int take(void *opaque, int id, const char *v, char *err, size_t errlen)
{
    channel_args *a = opaque;
    long *port = id == SVS_OPT_SRT_PORT ? &a->srt_port : &a->rtmp_port;
    char *end;

    switch (id) {
    case SVS_OPT_ARG:
        if (a->name) {
            snprintf(err, errlen, "unexpected argument '%s'", v);
            return SV_ERR_INVALID;
        }
        a->name = v;
        return 0;
    case SVS_OPT_SRT_PORT:
    case SVS_OPT_RTMP_PORT:
        *port = strtol(v, &end, 10);
        if (end == v || *end || *port < 1 || *port > 65535) {
            snprintf(err, errlen, "--%s must be 1..65535, not '%s'",
                     id == SVS_OPT_SRT_PORT ? "srt-port" : "rtmp-port", v);
            return SV_ERR_INVALID;
        }
        return 0;
    case SVS_OPT_CHANNEL_SETTINGS:
        a->settings = v;
        return 0;
    case SVS_OPT_ENCRYPT:
        a->encrypt = v;
        return 0;
    default:
        snprintf(err, errlen, "unexpected option");
        return SV_ERR_INVALID;
    }
}

static void print_one(void *opaque, const sv_server_channel_info *ch)
{
    (void)opaque;
    printf("%s\t%s\tsrt %d\trtmp %d\t%s\t%s\t%s\t%s\n", ch->name, ch->state, ch->srt_port,
           ch->rtmp_port, ch->srt_url, ch->rtmp_url, ch->hls, ch->dash);
}

int svs_cmd_channel(int argc, char **argv)
{
    channel_args a = {0};
    sv_server_channel_args add = {0};
    sv_server_channel_info info;
    sv_server_config *cfg = NULL;
    const char *verb = argc >= 1 ? argv[0] : "";
    char prog[64], err[512];
    int ret = 2, r;

    if (strcmp(verb, "add") && strcmp(verb, "list") && strcmp(verb, "remove")) {
        fprintf(stderr, "%s\n", USAGE);
        return 2;
    }
    if (sv_server_config_create(&cfg) < 0) {
        fprintf(stderr, "svserver: out of memory\n");
        return 1;
    }
    snprintf(prog, sizeof(prog), "svserver channel %s", verb);
    r = svs_parse(prog, SVS_CHANNEL, argc, argv, cfg, take, &a, err, sizeof(err));
    if (r == SVS_EXIT_0 || r == SVS_USAGE_PRINTED) {
        ret = r == SVS_EXIT_0 ? 0 : 2;
        goto out;
    }
    if (r < 0)
        goto bad;
    if (!strcmp(verb, "list")) {
        if (a.name || a.srt_port || a.rtmp_port || a.settings || a.encrypt) {
            snprintf(err, sizeof(err), "channel list takes no name or channel option");
            goto bad;
        }
        r = sv_server_channel_list(cfg, print_one, NULL, err, sizeof(err));
    } else if (!a.name) {
        snprintf(err, sizeof(err), "channel %s needs a NAME", verb);
        goto bad;
    } else if (!strcmp(verb, "remove")) {
        r = sv_server_channel_remove(cfg, a.name, err, sizeof(err));
        if (r == 0)
            printf("%s: removed\n", a.name);
    } else {
        add.name = a.name;
        add.srt_port = (int)a.srt_port;
        add.rtmp_port = (int)a.rtmp_port;
        add.settings = a.settings;
        add.encrypt = a.encrypt;
        r = sv_server_channel_add(cfg, &add, &info, err, sizeof(err));
        if (r == SV_ERR_INVALID)
            goto bad;
        if (r == 0)
            printf("channel %s\nkey %s\nsrt %s\nrtmp %s\nhls %s\ndash %s\n", info.name,
                   info.key, info.srt_url, info.rtmp_url, info.hls, info.dash);
    }
    if (r < 0) {
        fprintf(stderr, "svserver: %s\n", err);
        ret = 1;
        goto out;
    }
    ret = 0;
    goto out;

bad:
    fprintf(stderr, "svserver: %s\n%s\n", err, USAGE);
out:
    sv_server_config_destroy(cfg);
    return ret;
}
