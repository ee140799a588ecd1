/*
 * sv_server_channel_add(), _list() and _remove(): live channels from the
 * command line, on the data folder's catalog (beside a running server,
 * which picks the change up with its next look at the table).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/catalog.h"
#include "backend/channels.h"
#include "backend/config.h"
#include "backend/svserver_internal.h"
#include "platform/fs.h"
#include "streamverse/common.h"
#include "svserver/svserver.h"

static int open_catalog(const sv__config *cfg, sv__catalog **cat, char *err, size_t errlen)
{
    if (sv__mkdirs(cfg->data_dir) < 0) {
        sv__svserver_err(err, errlen, "cannot create the data folder %s", cfg->data_dir);
        return SV_ERR_IO;
    }
    if (sv__catalog_connect(cfg->db, cfg->data_dir, cat, err, errlen) < 0)
        return SV_ERR_IO;
    return 0;
}

static void info_of(const sv__config *cfg, const sv__channel *ch, sv_server_channel_info *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "%s", ch->name);
    snprintf(out->key, sizeof(out->key), "%s", ch->key);
    out->srt_port = ch->srt_port;
    out->rtmp_port = ch->rtmp_port;
    snprintf(out->state, sizeof(out->state), "%s", sv__channel_state_name(ch->state));
    sv__channel_urls(ch, cfg->listen_host, out->srt_url, sizeof(out->srt_url), out->rtmp_url,
                     sizeof(out->rtmp_url));
    snprintf(out->hls, sizeof(out->hls), "/live/%s/master.m3u8", ch->name);
    snprintf(out->dash, sizeof(out->dash), "/live/%s/manifest.mpd", ch->name);
    snprintf(out->settings, sizeof(out->settings), "%s", ch->settings);
}

int sv_server_channel_add(const sv_server_config *scfg, const sv_server_channel_args *a,
                          sv_server_channel_info *out, char *err, size_t errlen)
{
    const sv__config *cfg = (const sv__config *)scfg;
    sv__channel_settings set;
    sv__catalog *cat = NULL;
    sv__channel ch;
    int ret;

    sv__svserver_err_clear(err, errlen);
    if (!cfg || !a || !out || !sv__channel_name_valid(a->name)) {
        sv__svserver_err(err, errlen, "a channel name is 1 to %d characters of a-z, 0-9, _ "
                         "and -", SV__CHANNEL_NAME_MAX);
        return SV_ERR_INVALID;
    }
    if (a->srt_port < 0 || a->srt_port > 65535 || a->rtmp_port < 0 || a->rtmp_port > 65535 ||
        (!a->srt_port != !a->rtmp_port)) {
        sv__svserver_err(err, errlen, "--srt-port and --rtmp-port: give both (1..65535) or "
                         "neither");
        return SV_ERR_INVALID;
    }
    memset(&ch, 0, sizeof(ch));
    if ((ret = sv__channel_settings_parse(a->settings, &set, err, errlen)) < 0)
        return SV_ERR_INVALID;
    if (a->encrypt) {
        if (strcmp(a->encrypt, "none") && strcmp(a->encrypt, "cenc") &&
            strcmp(a->encrypt, "cbcs")) {
            sv__svserver_err(err, errlen, "--encrypt must be cenc, cbcs or none, not '%.20s'",
                             a->encrypt);
            return SV_ERR_INVALID;
        }
        snprintf(set.encrypt, sizeof(set.encrypt), "%s", a->encrypt);
    }
    if (strcmp(set.encrypt, "none") && !cfg->has_master_key) {
        sv__svserver_err(err, errlen, "encrypt %s needs the master-key setting (the content "
                         "keys are kept wrapped under it)", set.encrypt);
        return SV_ERR_INVALID;
    }
    if ((ret = sv__channel_settings_format(&set, ch.settings, sizeof(ch.settings))) < 0)
        return SV_ERR_INVALID;
    snprintf(ch.name, sizeof(ch.name), "%s", a->name);
    ch.srt_port = a->srt_port;
    ch.rtmp_port = a->rtmp_port;
    if (sv__channel_new_key(ch.key) < 0) {
        sv__svserver_err(err, errlen, "cannot make a random stream key");
        return SV_ERR_INTERNAL;
    }
    if ((ret = open_catalog(cfg, &cat, err, errlen)) < 0)
        return ret;
    ret = sv__catalog_channel_add(cat, &ch, SV__CHANNEL_PORT_BASE);
    if (ret == SV_ERR_STATE)
        sv__svserver_err(err, errlen, "channel '%s' or one of its ports exists already",
                         a->name);
    else if (ret == SV_ERR_OVERFLOW)
        sv__svserver_err(err, errlen, "no room for another channel (at most %d, ports below "
                         "65536)", SV__CHANNEL_MAX);
    else if (ret < 0)
        sv__svserver_err(err, errlen, "cannot add the channel: %s", sv__catalog_errmsg(cat));
    else
        info_of(cfg, &ch, out);
    sv__catalog_close(cat);
    return ret;
}

int sv_server_channel_list(const sv_server_config *scfg,
                           void (*fn)(void *opaque, const sv_server_channel_info *ch),
                           void *opaque, char *err, size_t errlen)
{
    const sv__config *cfg = (const sv__config *)scfg;
    sv__channel *list = calloc(SV__CHANNEL_MAX, sizeof(*list));
    sv_server_channel_info info;
    sv__catalog *cat = NULL;
    int n;

    sv__svserver_err_clear(err, errlen);
    if (!list) {
        sv__svserver_err(err, errlen, "out of memory");
        return SV_ERR_NOMEM;
    }
    if ((n = open_catalog(cfg, &cat, err, errlen)) < 0) {
        free(list);
        return n;
    }
    if ((n = sv__catalog_channels(cat, list, SV__CHANNEL_MAX)) < 0)
        sv__svserver_err(err, errlen, "cannot list the channels: %s", sv__catalog_errmsg(cat));
    for (int i = 0; i < n; i++) {
        info_of(cfg, &list[i], &info);
        fn(opaque, &info);
    }
    sv__catalog_close(cat);
    free(list);
    return n;
}

int sv_server_channel_remove(const sv_server_config *scfg, const char *name, char *err,
                             size_t errlen)
{
    const sv__config *cfg = (const sv__config *)scfg;
    sv__catalog *cat = NULL;
    int ret;

    sv__svserver_err_clear(err, errlen);
    if ((ret = open_catalog(cfg, &cat, err, errlen)) < 0)
        return ret;
    ret = sv__catalog_channel_remove(cat, name ? name : "");
    if (ret == SV_ERR_NOT_FOUND)
        sv__svserver_err(err, errlen, "no channel '%s'", name ? name : "");
    else if (ret < 0)
        sv__svserver_err(err, errlen, "cannot remove the channel: %s", sv__catalog_errmsg(cat));
    sv__catalog_close(cat);
    return ret;
}
