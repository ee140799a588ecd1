/*
 * job_staging.c - the pieces every job file shares: the worker's name, the
 * staging folders a claim owns (named, cleaned, moved into place), the
 * upload dropped once a job ends, and progress reports to the catalog.
 * Worker threads only.
 */
#define _DEFAULT_SOURCE /* DT_DIR, gethostname */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/fs.h"
#include "backend/jobs_internal.h"
#include "streamverse/common.h"
/* This machine's name as it goes into worker names and staging folders:
 * letters, digits, '.', '-' and '_' only (never '@', ':' or '/'). */
static void host_name(char *out, size_t cap)
{
    char h[256];

    if (gethostname(h, sizeof(h)) < 0)
        snprintf(h, sizeof(h), "localhost");
    h[sizeof(h) - 1] = '\0';
    for (char *p = h; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_'))
            *p = '_';
    snprintf(out, cap, "%.64s", h[0] ? h : "localhost");
}

void sv__job_worker_name(char *out, size_t cap)
{
    char host[80];

    host_name(host, sizeof(host));
    snprintf(out, cap, "%s:%d", host, (int)getpid());
}

/* ---- staging folders and inputs --------------------------------------------- */

/* One folder per claim (jobs_internal.h): two workers on one shared data
 * folder, or a worker that lost its claim and the one that took the job
 * over, never write into the same folder. */
void sv__job_staging(const sv__job_env *env, const sv__job_info *job, const char *prefix,
                     char *out, size_t cap)
{
    snprintf(out, cap, "%s/staging/%lld.%s%d@%s", env->data_dir, (long long)job->title_id, prefix,
             job->attempts, job->worker);
}

/* Does staging entry `name` (of the title, after "<title>.") belong to `set`? */
static int in_set(const char *rest, int set, int part)
{
    char p[16];

    switch (set) {
    case SV__STAGING_WHOLE:
        return rest[0] >= '0' && rest[0] <= '9';
    case SV__STAGING_PART:
        snprintf(p, sizeof(p), "p%d.", part);
        return !strncmp(rest, p, strlen(p));
    default:
        return 1;
    }
}

void sv__job_clean_staging(const sv__job_env *env, int64_t title_id, int set, int part)
{
    char dir[1536], path[2048], prefix[32];
    struct dirent *e;
    DIR *d;

    snprintf(dir, sizeof(dir), "%s/staging", env->data_dir);
    snprintf(prefix, sizeof(prefix), "%lld.", (long long)title_id);
    if (!(d = opendir(dir)))
        return;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) != 0 ||
            !in_set(e->d_name + strlen(prefix), set, part))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        SV_LOGI(env->log, "job", "removing the staging folder of an earlier claim: %s", path);
        sv__remove_tree(path);
    }
    closedir(d);
}

void sv__job_drop_input(const sv__job_info *job)
{
    if (job->input_owned)
        unlink(job->input);
}

/* A folder already at `final` was put there by a worker that lost its
 * claim between its rename and its commit (the catalog never used it): it
 * is replaced. */
int sv__job_move_into_place(const char *staging, const char *final)
{
    if (rename(staging, final) == 0)
        return 0;
    if (errno != ENOTEMPTY && errno != EEXIST)
        return SV_ERR_IO;
    if (sv__remove_tree(final) < 0 || rename(staging, final) < 0)
        return SV_ERR_IO;
    return 0;
}

void sv__job_on_progress(void *opaque, double percent, const char *stage)
{
    sv__job_progress_ctx *p = opaque;

    if (!stage)
        stage = "";
    if (percent - p->last_percent >= 1.0 || strcmp(stage, p->last_stage) != 0) {
        p->last_percent = percent;
        snprintf(p->last_stage, sizeof(p->last_stage), "%s", stage);
        if (sv__catalog_job_progress(p->cat, p->job, percent, stage) == SV_ERR_STATE)
            sv__keeper_mark_lost(p->keeper);
    }
    if (p->cb)
        p->cb(p->opaque, percent, stage);
}

/* Is staging entry `name` left by a process of this machine that is gone
 * (or is this one, from an earlier life with the same pid)? Names are
 * <title>.[p<k>.]<attempt>@<host>:<pid>, or <title>.<pid> from older
 * svservers; anything else is no job's and goes too. Folders of other
 * machines are left to whoever takes their job over, and finished parts
 * (<title>.p<k>.done) to the job's assembly. */
static int staging_stale(const char *name, const char *host)
{
    const char *at = strchr(name, '@'), *colon, *dot;
    size_t n = strlen(name);
    long pid;

    if (n > 5 && !strcmp(name + n - 5, ".done"))
        return 0;
    if (at) {
        colon = strrchr(at, ':');
        if (!colon || (size_t)(colon - at - 1) != strlen(host) ||
            strncmp(at + 1, host, strlen(host)) != 0)
            return 0;
        pid = strtol(colon + 1, NULL, 10);
    } else {
        dot = strrchr(name, '.');
        pid = dot ? strtol(dot + 1, NULL, 10) : 0;
    }
    return pid <= 0 || pid == (long)getpid() || (kill((pid_t)pid, 0) < 0 && errno == ESRCH);
}

void sv__job_clean_stale(const sv__job_env *env)
{
    char dir[1536], path[2048], host[80];
    struct dirent *e;
    DIR *d;

    host_name(host, sizeof(host));
    snprintf(dir, sizeof(dir), "%s/staging", env->data_dir);
    if (!(d = opendir(dir)))
        return;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            !staging_stale(e->d_name, host))
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        SV_LOGI(env->log, "job", "removing stale staging folder %s", path);
        sv__remove_tree(path);
    }
    closedir(d);
}
