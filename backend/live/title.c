/*
 * title.c - an event's catalog title and content key, made when the event
 * starts: the title lets sessions, media tokens, heartbeats and licenses
 * work while the event is live (the catalog reads the title as live while
 * its channel is, catalog_internal.h) and becomes the VOD title at the end
 * (vod.c). On an encrypted channel the title has a content key like any
 * protected title (keys.h: one key per title, so one key per event): it
 * must exist before the first init segment is written, so the publisher's
 * pipeline makes both on its own thread, with a catalog handle of its own,
 * and announces them to the loop with the start.
 *
 * A publisher that continues an event (a reconnect within end_after_s, or
 * after a restart) keeps its title and key: the loop keeps the event's
 * title in ch->event_title until the event ends. Without the catalog a
 * clear event starts anyway (its title comes at its end); an encrypted one
 * is refused.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "backend/keys.h"
#include "backend/live/internal.h"
#include "backend/media/internal.h"
#include "streamverse/common.h"

int sv__live_title_create(sv__live_channel *ch, sv__catalog *cat, int64_t ast_ms, int64_t *id)
{
    char name[300], when[32];
    time_t t = (time_t)(ast_ms / 1000);
    struct tm tm;
    int ret;

    gmtime_r(&t, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
    snprintf(name, sizeof(name), "%s (live, %s)", ch->row.name, when);
    if ((ret = sv__catalog_title_create(cat, name, "Recorded from a live channel", NULL, 0,
                                        id)) < 0 ||
        (ret = sv__catalog_title_set_drm(cat, *id, ch->set.encrypt)) < 0) {
        SV_LOGE(ch->log, "live", "channel %s: cannot make the event's title (%s): %s",
                ch->row.name, sv_strerror(ret), sv__catalog_errmsg(cat));
        return ret;
    }
    return 0;
}

int sv__live_event_title(sv__live_channel *ch, sv__live_start *st, sv__media_protection *prot,
                         char *err, size_t errlen)
{
    const sv__live_shared *env = ch->env;
    int encrypt = strcmp(ch->set.encrypt, "none") != 0;
    sv__catalog *cat = NULL;
    char why[256];
    int64_t id, had;
    int ret;

    memset(prot, 0, sizeof(*prot));
    sv__mutex_lock(&ch->lock);
    id = had = ch->event_title;
    sv__mutex_unlock(&ch->lock);
    if (id && !encrypt) {
        st->title_id = id; /* a clear event going on: nothing to read */
        return 0;
    }
    if ((ret = sv__catalog_connect(env->db, env->data_dir, &cat, why, sizeof(why))) < 0) {
        sv__media_err(err, errlen, ret, "cannot open the catalog: %s", why);
        goto out;
    }
    if (!id && (ret = sv__live_title_create(ch, cat, st->pdt0_ms, &id)) < 0) {
        sv__media_err(err, errlen, ret, "cannot make the event's title");
        goto out;
    }
    if (encrypt && (ret = sv__keys_media_protection(cat, env->master_key, id, prot, why,
                                                    sizeof(why))) < 0) {
        sv__media_err(err, errlen, ret, "the event cannot be encrypted: %s", why);
        goto out;
    }
    sv__mutex_lock(&ch->lock);
    ch->event_title = id;
    sv__mutex_unlock(&ch->lock);
    st->title_id = id;
    st->scheme = prot->scheme;
    memcpy(st->kid, prot->kid, sizeof(st->kid));
    st->prot = prot->scheme != SV__PROTECT_NONE ? prot : NULL;
    ret = 0;
out:
    if (ret < 0)
        OPENSSL_cleanse(prot, sizeof(*prot));
    sv__catalog_close(cat);
    if (ret < 0 && !encrypt) {
        /* A clear event can go on without its title for now (the catalog
         * is down): it gets one when it ends (vod.c). An encrypted one
         * cannot: no key, no output. */
        SV_LOGW(ch->log, "live", "channel %s: %s; the publisher goes on (%s)", ch->row.name,
                err, had ? "the event keeps its title" : "no sessions on the event until it "
                "ends");
        st->title_id = had;
        return 0;
    }
    return ret;
}
