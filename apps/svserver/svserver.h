/* svserver's command line: shared between main.c and cmd_ingest.c. */
#ifndef SV_APPS_SVSERVER_H
#define SV_APPS_SVSERVER_H

#include "backend/api_params.h"
#include "backend/config.h"

typedef struct sv__ingest_args {
    const char *file;
    const char *title;
    const char *synopsis;
    const char *genres[SV__MAX_GENRES];
    int nb_genres;
} sv__ingest_args;

/* Takes --title, --genre, --synopsis. Returns 0 or SV_ERR_INVALID (err). */
int sv__ingest_args_add(sv__ingest_args *a, const char *name, const char *value, char *err,
                        size_t errlen);

/* `svserver ingest`: returns the process exit status (0 ready, 1 failed,
 * 2 bad usage). Prints the title id as the last stdout line on success. */
int sv__cmd_ingest(const sv__config *cfg, const sv__logger *log, const sv__ingest_args *a);

/* `svserver worker [settings]`: transcode threads (workers, at least 1)
 * claiming jobs from the catalog until SIGTERM/SIGINT. Returns the exit
 * status (0 stopped, 1 failed, 2 bad usage or no catalog). */
int sv__cmd_worker(const sv__config *cfg, const sv__logger *log);

/* `svserver token TITLE_ID [--ttl S] [--session ID] [--prefix P] [settings]`
 * (argv after "token"): prints a signed playback token for the title.
 * Returns the exit status (0, 2 bad usage or no token-secret). */
int sv__cmd_token(int argc, char **argv);

/* `svserver user add NAME --password-file F --region CC --max-streams N
 * [--role R] [settings]` (argv after "user"): adds an account, prints its
 * id; `svserver user unlock NAME [settings]` lifts a login lockout. Returns
 * the exit status (0, 1 failed or the name exists, 2 bad usage). */
int sv__cmd_user(int argc, char **argv);

#endif
