/*
 * svplay: plays an HLS or DASH presentation or a media file, in an SDL2
 * window or headless. See docs/svplay.md and `svplay --help`.
 */
#include <stdlib.h>
#include <string.h>

#include "svplay.h"

int main(int argc, char **argv)
{
    svp_app app;
    int ret;

    memset(&app, 0, sizeof(app));
    atomic_init(&app.frames_presented, 0);
    atomic_init(&app.first_frame_ns, 0);
    ret = svp_parse_options(&app.opt, argc, argv);
    if (ret > 0)
        return SVP_EXIT_OK;
    if (ret < 0)
        return SVP_EXIT_USAGE;
    svp_backend_set_tls(app.opt.ca_file, app.opt.pin_pubkey, app.opt.http1);
    if (app.opt.download_dir || app.opt.list_downloads || app.opt.delete_download) {
        ret = svp_run_download(&app);
        free(app.user_token);
        return ret;
    }
    if (svp_stats_create(&app.stats) < 0) {
        fprintf(stderr, "svplay: error: out of memory\n");
        return SVP_EXIT_ERROR;
    }
    app.exit_code = SVP_EXIT_OK;
    ret = app.opt.headless ? svp_run_headless(&app) : svp_run_window(&app);
    svp_stats_destroy(app.stats);
    return ret;
}
