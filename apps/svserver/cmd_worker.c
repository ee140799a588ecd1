/*
 * `svserver worker --db URL --data DIR [--workers N]`: a transcode worker
 * without the HTTP API (sv_server_worker_start): N threads claim jobs from
 * the catalog and publish into DIR/media, the media folder the API nodes
 * serve.
 *
 * SIGTERM or SIGINT: running transcodes stop within moments and their jobs
 * go back to the queue for any worker; nothing partial is published. SIGHUP
 * is ignored (restart to change settings).
 */
#include <signal.h>
#include <stdio.h>

#include <streamverse/common.h>
#include <svserver/svserver.h>

#include "cli.h"

int svs_cmd_worker(const sv_server_config *cfg, const sv_server_logger *log)
{
    sv_server_worker *w;
    char err[512];
    sigset_t set;
    int sig = 0, r;

    /* The signals are taken by sigwait below; the transcode threads (and
     * their lease keepers) inherit the mask. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    if ((r = sv_server_worker_start(cfg, log, &w, err, sizeof(err))) < 0) {
        fprintf(stderr, "svserver worker: %s\n", err);
        return r == SV_ERR_INVALID ? 2 : 1;
    }
    printf("worker %s: %d transcode thread(s)\n", sv_server_worker_name(w),
           sv_server_worker_threads(w));
    fflush(stdout);
    for (;;) {
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig != SIGHUP)
            break;
        sv_server_log(log, SV_LOG_WARN, "worker",
                      "SIGHUP: a worker reads its settings only at start; restart it");
    }
    sv_server_log(log, SV_LOG_INFO, "worker", "%s: stopping; running jobs go back to the queue",
                  sig == SIGINT ? "SIGINT" : "SIGTERM");
    sv_server_worker_stop(w);
    sv_server_log(log, SV_LOG_INFO, "worker", "stopped");
    return 0;
}
