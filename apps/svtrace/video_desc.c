/*
 * video_desc.c - a video description's memory and its simulator setup
 * (video_desc.h).
 */
#include <stdlib.h>
#include <string.h>

#include "video_desc.h"

void svt_video_free(svt_video *v)
{
    free(v->bitrates);
    free(v->sizes);
    free(v->index_bytes);
    free(v->init_bytes);
    memset(v, 0, sizeof(*v));
}

void svt_video_sim_config(const svt_video *v, sv_abr_sim_config *cfg)
{
    if (!v->player_start)
        return;
    cfg->start_index = 0;
    cfg->startup_bytes = v->manifest_bytes;
    cfg->index_bytes = v->index_bytes;
    cfg->init_bytes = v->init_bytes;
}
