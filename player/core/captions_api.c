/*
 * captions_api.c - closed caption tracks through the public API
 * (player.h, sv_player_caption_track_count and the calls after it): the
 * ones the load's manifest declares (sv__caption_decl of period 0, copied
 * at load), then the services the video carried that it did not declare
 * (sv__captions_services), and the choice of the one decoded (at load by
 * settings.caption_track's languages, or by the host by name). And the
 * style of the text shown (subtitles.c keeps it).
 *
 * The copies are guarded by st.lock; the decoder has its own lock.
 */
#include <stdio.h>
#include <string.h>

#include "platform/abi.h"
#include "player/core/internal.h"

void sv__captions_api_load(struct sv_player *p, const sv__period *per)
{
    int pick = -1;

    if (!p->captions)
        return;
    sv__mutex_lock(&p->st.lock);
    p->nb_cap_decls = 0;
    for (size_t i = 0; i < per->nb_captions && i < SV__MAX_CAPTION_DECLS; i++) {
        const sv__caption_decl *d = &per->captions[i];
        sv__caption_track *t = &p->cap_decls[p->nb_cap_decls++];
        snprintf(t->name, sizeof(t->name), "%s", d->name);
        snprintf(t->language, sizeof(t->language), "%s", d->language);
        snprintf(t->label, sizeof(t->label), "%s", d->label);
        t->service = d->service;
    }
    sv__mutex_unlock(&p->st.lock);
    if (!p->caption_prefs.n)
        return;
    /* The first preference that a decodable declared track matches. */
    for (size_t k = 0; k < p->caption_prefs.n && pick < 0; k++)
        pick = sv__lang_pick_caption(per, &p->caption_prefs.list[k]);
    int service = pick >= 0 ? per->captions[pick].service : 0;
    SV_LOGI(&p->log, "captions", "caption track %s (%s)",
            pick >= 0 ? per->captions[pick].name : "CC1",
            pick >= 0 ? "the first of the languages asked for" : "no declared track of the languages asked for");
    sv__captions_set_service(p->captions, service);
}

void sv__captions_api_unload(struct sv_player *p)
{
    if (!p->captions)
        return;
    sv__captions_services(p->captions, 1); /* the next load's are its own */
    sv__mutex_lock(&p->st.lock);
    p->nb_cap_decls = 0;
    sv__mutex_unlock(&p->st.lock);
}

#define OTHER_608 64 /* CC2-CC4: named, not decoded */

/* The service of a track name, as sv__captions_track_parse gives it;
 * OTHER_608 for CC2-CC4; SV_ERR_INVALID for other text. */
static int service_of(const char *name)
{
    if (name && strlen(name) == 3 && (name[0] == 'C' || name[0] == 'c') &&
        (name[1] == 'C' || name[1] == 'c') && name[2] >= '2' && name[2] <= '4')
        return OTHER_608;
    if (!name || !*name)
        return SV_ERR_INVALID;
    return sv__captions_track_parse(name);
}

/* Fills `out` (at most SV__MAX_CAPTION_DECLS + 64 entries) with the list;
 * st.lock held. Returns the count. */
static int list_locked(struct sv_player *p, sv_caption_track_info *out, uint64_t carried,
                       int selected)
{
    int n = 0;
    uint64_t declared = 0;

    for (size_t i = 0; i < p->nb_cap_decls; i++) {
        const sv__caption_track *t = &p->cap_decls[i];
        sv_caption_track_info *o = &out[n++];
        memset(o, 0, sizeof(*o));
        snprintf(o->name, sizeof(o->name), "%s", t->name);
        snprintf(o->language, sizeof(o->language), "%s", t->language);
        snprintf(o->label, sizeof(o->label), "%s", t->label);
        o->declared = 1;
        if (t->service >= 0) {
            o->carried = (carried >> t->service) & 1;
            o->selected = t->service == selected;
            declared |= (uint64_t)1 << t->service;
        }
    }
    for (int s = 0; s < 64; s++) {
        if (!((carried & ~declared) >> s & 1))
            continue;
        sv_caption_track_info *o = &out[n++];
        memset(o, 0, sizeof(*o));
        snprintf(o->name, sizeof(o->name), s ? "SERVICE%d" : "CC1", s);
        o->carried = 1;
        o->selected = s == selected;
    }
    return n;
}

int sv_player_caption_track_count(sv_player *p)
{
    sv_caption_track_info list[SV__MAX_CAPTION_DECLS + 64];

    if (!p)
        return SV_ERR_INVALID;
    if (!p->captions)
        return 0;
    uint64_t carried = sv__captions_services(p->captions, 0);
    int selected = sv__captions_service(p->captions, NULL);
    sv__mutex_lock(&p->st.lock);
    int n = list_locked(p, list, carried, selected);
    sv__mutex_unlock(&p->st.lock);
    return n;
}

int sv_player_get_caption_track(sv_player *p, int index, sv_caption_track_info *host)
{
    sv_caption_track_info list[SV__MAX_CAPTION_DECLS + 64];

    if (!p || sv__struct_size(host) < SV__SIZE_TO(sv_caption_track_info, selected))
        return SV_ERR_INVALID;
    if (!p->captions)
        return SV_ERR_RANGE;
    uint64_t carried = sv__captions_services(p->captions, 0);
    int selected = sv__captions_service(p->captions, NULL);
    sv__mutex_lock(&p->st.lock);
    int n = list_locked(p, list, carried, selected);
    sv__mutex_unlock(&p->st.lock);
    if (index < 0 || index >= n)
        return SV_ERR_RANGE;
    return sv__struct_write(host, &list[index], sizeof(list[index]),
                            SV__SIZE_TO(sv_caption_track_info, selected));
}

int sv_player_select_caption_track(sv_player *p, const char *name)
{
    if (!p)
        return SV_ERR_INVALID;
    int service = service_of(name);
    if (service < 0)
        return SV_ERR_INVALID;
    if (!p->captions)
        return SV_ERR_STATE;
    if (service == OTHER_608)
        return SV_ERR_UNSUPPORTED;
    return sv__captions_set_service(p->captions, service);
}

int sv_player_get_subtitle_style(sv_player *p, struct sv_cue_style *style, size_t style_size)
{
    sv_cue_style full;

    if (!p || !style || style_size < SV__SIZE_TO(sv_cue_style, underline))
        return SV_ERR_INVALID;
    if (!sv__subs_style(p->subs, &full))
        return 0;
    memcpy(style, &full, style_size < sizeof(full) ? style_size : sizeof(full));
    return 1;
}
