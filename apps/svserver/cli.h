/* svserver's command line: the subcommands of main.c, each in its own file. */
#ifndef SV_APPS_SVSERVER_CLI_H
#define SV_APPS_SVSERVER_CLI_H

#include <stddef.h>
#include <stdio.h>

#include <svserver/svserver.h>

#include "../common/cli_options.h"

/* ---- the command line (options.c) ------------------------------------------ */

/* The commands, as the option table's scope bits. */
enum { SVS_SERVE = 1, SVS_INGEST = 2, SVS_WORKER = 4, SVS_TOKEN = 8, SVS_USER_ADD = 16,
       SVS_USER_UNLOCK = 32, SVS_CHANNEL = 64 };

/* What the parser hands a command's callback: its own options, and each
 * positional argument as SVS_OPT_ARG. */
enum {
    SVS_OPT_SETTING = 256, SVS_OPT_LOG_JSON, SVS_OPT_CONFIG, SVS_OPT_VERSION, SVS_OPT_TITLE,
    SVS_OPT_GENRE, SVS_OPT_SYNOPSIS, SVS_OPT_SUBTITLES, SVS_OPT_TTL, SVS_OPT_SESSION, SVS_OPT_PREFIX,
    SVS_OPT_PASSWORD_FILE, SVS_OPT_REGION, SVS_OPT_MAX_STREAMS, SVS_OPT_ROLE, SVS_OPT_ARG,
    SVS_OPT_SRT_PORT, SVS_OPT_RTMP_PORT, SVS_OPT_CHANNEL_SETTINGS, SVS_OPT_ENCRYPT
};

/* svs_parse(): --help or --version was printed (exit 0); a usage error was
 * printed (exit 2). */
#define SVS_EXIT_0 1
#define SVS_USAGE_PRINTED (-1000)

/* A command's own option `id` with its value, or a positional argument.
 * Returns 0, or < 0 with a message in err. */
typedef int (*svs_option_fn)(void *opaque, int id, const char *value, char *err,
                             size_t errlen);

/* svserver --help. */
void svs_usage(FILE *f);

/*
 * Parses argv[1..argc) of `command` (argv[0] names it): the settings go
 * into cfg after the --config file and the environment (defaults, file,
 * environment, command line), the command's own options and positional
 * arguments to fn. Returns 0, SVS_EXIT_0, SVS_USAGE_PRINTED, or
 * SV_ERR_INVALID with a message in err. Main thread (getopt's state is
 * global); argv is permuted (options first).
 */
int svs_parse(const char *prog, unsigned command, int argc, char **argv, sv_server_config *cfg,
              svs_option_fn fn, void *opaque, char *err, size_t errlen);

/* Takes --title, --genre, --synopsis, --subtitles. Returns 0 or SV_ERR_INVALID (err). */
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
 * (argv[0] is "token"): prints a signed playback token for the title.
 * Returns the exit status (0, 2 bad usage or no token-secret). */
int svs_cmd_token(int argc, char **argv);

/* `svserver user add NAME --password-file F --region CC --max-streams N
 * [--role R] [settings]` (argv after "user", argv[0] add or unlock): adds an account, prints its
 * id; `svserver user unlock NAME [settings]` lifts a login lockout. Returns
 * the exit status (0, 1 failed or the name exists, 2 bad usage). */
int svs_cmd_user(int argc, char **argv);

/* `svserver channel add NAME [--srt-port N --rtmp-port N] [--settings JSON]
 * [settings]`, `channel list`, `channel remove NAME` (argv after "channel"):
 * live channels in the data folder's catalog. Returns the exit status (0, 1
 * failed, 2 bad usage). */
int svs_cmd_channel(int argc, char **argv);

#endif
