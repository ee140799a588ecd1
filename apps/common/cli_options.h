/*
 * apps/common/cli_options.h - the command-line style the three apps share
 * (svplay, svserver, svtrace): getopt_long over one option table per app.
 * This is the apps' own small API, not part of libstreamverse; each app
 * compiles cli_options.c into itself.
 *
 * A table row describes a setting once: its name, the name of its value,
 * its help text and its default. The struct option array getopt_long needs
 * and the option lines of --help are both made from the table, so the
 * usage text cannot miss an option the parser takes, or the other way
 * round; the docs are checked against --help (tests/unit/api/
 * check_cli_docs.sh).
 *
 * Usage errors (an unknown option, a missing or unexpected value) are
 * printed as "PROG: MESSAGE" plus a pointer to --help, and the caller exits
 * 2. Not thread-safe (getopt's state is global); parse on the main thread.
 */
#ifndef SV_APPS_CLI_OPTIONS_H
#define SV_APPS_CLI_OPTIONS_H

#include <getopt.h>
#include <stdio.h>

/* One option. A table ends with a row whose name is NULL. */
typedef struct cli_opt {
    const char *name;     /* long name without "--" */
    char letter;          /* a short form ("-h"), 0: none */
    const char *arg;      /* the value's name in --help ("FILE"); NULL: a flag */
    int id;               /* what cli_next() returns for it: a value >= 256, or `letter` */
    unsigned scope;       /* the (sub)commands that take it, a bit mask; 0: every one */
    const char *help;     /* what it does; wrapped at CLI_HELP_WIDTH, '\n' breaks a line */
    const char *def;      /* the default, printed as "(default DEF)"; NULL: none */
    const char *section;  /* a heading --help prints before this row; NULL: none */
} cli_opt;

#define CLI_MAX_OPTS 96
#define CLI_END -1        /* cli_next(): no option left */
#define CLI_ERROR -2      /* cli_next(): a usage error, already printed */
#define CLI_HELP_COLUMN 24   /* where --help's descriptions start */
#define CLI_HELP_WIDTH 79    /* and where they wrap */

typedef struct cli_parser {
    const char *prog;     /* "svtrace run": the messages' prefix */
    const cli_opt *opts;
    unsigned scope;
    int argc;
    char **argv;
    struct option longopts[CLI_MAX_OPTS + 1];
    const cli_opt *rows[CLI_MAX_OPTS];  /* the row of each longopts entry */
    char shorts[2 * CLI_MAX_OPTS + 2];
    const cli_opt *row;   /* the row of the option cli_next() returned last */
} cli_parser;

/*
 * Prepares parsing argv[1..argc) with the rows of `opts` whose scope
 * includes `scope` (0: every row). Positional arguments may come anywhere;
 * cli_next() moves them to the end, from argv[cli_optind()] on. The parser
 * borrows prog, opts and argv. Returns 0, or -1 when the table is too big
 * (a programming error, printed).
 */
int cli_init(cli_parser *p, const char *prog, const cli_opt *opts, unsigned scope, int argc,
             char **argv);

/* The next option: its id with *value set (NULL for a flag) and p->row
 * its table row, CLI_END, or CLI_ERROR (message printed: the caller exits
 * 2). */
int cli_next(cli_parser *p, const char **value);

/* Index in argv of the first positional argument, after CLI_END. */
int cli_optind(void);

/* The option lines of --help for the rows in `scope` (0: all), headings
 * included. */
void cli_print_options(FILE *f, const cli_opt *opts, unsigned scope);

/* Prints "PROG: MESSAGE" and "Try 'PROG --help' ..." on stderr; returns
 * CLI_ERROR. */
int cli_usage_error(const char *prog, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
