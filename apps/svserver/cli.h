/* svserver's command line: the subcommands of main.c, each in its own file. */
#ifndef SV_APPS_SVSERVER_CLI_H
#define SV_APPS_SVSERVER_CLI_H

#include <stddef.h>

#include <svserver/svserver.h>

/* Takes --title, --genre, --synopsis. Returns 0 or SV_ERR_INVALID (err). */
int svs_ingest_args_add(sv_server_ingest_args *a, const char *name, const char *value,
                        char *err, size_t errlen);

/* `svserver ingest`: returns the process exit status (0 ready, 1 failed,
 * 2 bad usage). Prints the title id as the last stdout line on success. */
int svs_cmd_ingest(const sv_server_config *cfg, const sv_server_logger *log,
                   const sv_server_ingest_args *a);

/* `svserver worker [settings]`: transcode threads (workers, at least 1)
 * claiming jobs from the catalog until SIGTERM/SIGINT. Returns the exit
 * status (0 stopped, 1 failed, 2 bad usage or no catalog). */
int svs_cmd_worker(const sv_server_config *cfg, const sv_server_logger *log);

/* `svserver token TITLE_ID [--ttl S] [--session ID] [--prefix P] [settings]`
 * (argv after "token"): prints a signed playback token for the title.
 * Returns the exit status (0, 2 bad usage or no token-secret). */
int svs_cmd_token(int argc, char **argv);

/* `svserver user add NAME --password-file F --region CC --max-streams N
 * [--role R] [settings]` (argv after "user"): adds an account, prints its
 * id; `svserver user unlock NAME [settings]` lifts a login lockout. Returns
 * the exit status (0, 1 failed or the name exists, 2 bad usage). */
int svs_cmd_user(int argc, char **argv);

#endif
