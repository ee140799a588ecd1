/*
 * The apps' command-line style (cli_options.h): getopt_long and the --help
 * option lines, both from one table.
 */
#include <stdarg.h>
#include <string.h>

#include "cli_options.h"

static int in_scope(const cli_opt *o, unsigned scope)
{
    return !scope || !o->scope || (o->scope & scope);
}

int cli_init(cli_parser *p, const char *prog, const cli_opt *opts, unsigned scope, int argc,
             char **argv)
{
    size_t n = 0, s = 0;

    memset(p, 0, sizeof(*p));
    p->prog = prog;
    p->opts = opts;
    p->scope = scope;
    p->argc = argc;
    p->argv = argv;
    /* ':' first: a missing value is told apart from an unknown option;
     * '+' is not used: options and positional arguments may mix. */
    p->shorts[s++] = ':';
    for (const cli_opt *o = opts; o->name; o++) {
        if (!in_scope(o, scope))
            continue;
        if (n == CLI_MAX_OPTS) {
            fprintf(stderr, "%s: too many options for the parser\n", prog);
            return -1;
        }
        p->longopts[n] = (struct option){ o->name, o->arg ? required_argument : no_argument,
                                          NULL, o->id };
        p->rows[n++] = o;
        if (o->letter) {
            p->shorts[s++] = o->letter;
            if (o->arg)
                p->shorts[s++] = ':';
        }
    }
    p->shorts[s] = '\0';
    /* 0 makes glibc start over, so a process may parse twice (a reload). */
    optind = 0;
    opterr = 0;
    return 0;
}

int cli_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
    return CLI_ERROR;
}

/* The option argv[optind - 1] named, without a "=value" tail. */
static const char *bad_option(const cli_parser *p, char *buf, size_t size)
{
    int i = optind - 1;
    const char *a = i > 0 && i < p->argc ? p->argv[i] : "?";
    const char *eq = strchr(a, '=');
    size_t len = eq && !strncmp(a, "--", 2) ? (size_t)(eq - a) : strlen(a);

    if (len >= size)
        len = size - 1;
    memcpy(buf, a, len);
    buf[len] = '\0';
    return buf;
}

/* A short option ("-x") rather than a long one went wrong. */
static int was_short(const cli_parser *p)
{
    int i = optind - 1;
    return optopt > 0 && optopt < 256 && i > 0 && i < p->argc && strncmp(p->argv[i], "--", 2);
}

int cli_next(cli_parser *p, const char **value)
{
    char buf[128];
    int index = -1;
    int c = getopt_long(p->argc, p->argv, p->shorts, p->longopts, &index);

    *value = optarg;
    p->row = NULL;
    if (index >= 0 && index < CLI_MAX_OPTS)
        p->row = p->rows[index];
    for (size_t i = 0; !p->row && c > 0 && i < CLI_MAX_OPTS && p->rows[i]; i++)
        if (p->rows[i]->letter && p->rows[i]->letter == c)
            p->row = p->rows[i];
    if (c == -1)
        return CLI_END;
    if (c == ':') {
        if (was_short(p))
            return cli_usage_error(p->prog, "option '-%c' needs a value", optopt);
        return cli_usage_error(p->prog, "option '%s' needs a value",
                               bad_option(p, buf, sizeof(buf)));
    }
    if (c == '?') {
        if (was_short(p))
            return cli_usage_error(p->prog, "unknown option '-%c'", optopt);
        const char *a = bad_option(p, buf, sizeof(buf));
        /* "--flag=value": a known flag given a value. */
        for (size_t i = 0; i < CLI_MAX_OPTS && p->rows[i]; i++)
            if (!p->rows[i]->arg && !strncmp(a, "--", 2) && !strcmp(p->rows[i]->name, a + 2))
                return cli_usage_error(p->prog, "option '%s' takes no value", a);
        return cli_usage_error(p->prog, "unknown option '%s'", a);
    }
    return c;
}

int cli_optind(void)
{
    return optind;
}

/* "  -h, --name ARG" */
static int print_names(FILE *f, const cli_opt *o)
{
    int w = fprintf(f, "  ");
    if (o->letter)
        w += fprintf(f, "-%c, ", o->letter);
    w += fprintf(f, "--%s", o->name);
    if (o->arg)
        w += fprintf(f, " %s", o->arg);
    return w;
}

/* Prints `text` from column `col`, wrapped at CLI_HELP_WIDTH on blanks;
 * each line after the first starts at CLI_HELP_COLUMN. '\n' breaks a line
 * where the text wants it. */
static void print_wrapped(FILE *f, const char *text, int col)
{
    const char *p = text;
    while (*p) {
        if (*p == '\n' || *p == ' ') {
            /* The next word, and whether it fits on this line. */
            const char *w = p + 1;
            size_t len = strcspn(w, " \n");
            if (*p == '\n' || (col + 1 + (int)len > CLI_HELP_WIDTH && col > CLI_HELP_COLUMN)) {
                fprintf(f, "\n%*s", CLI_HELP_COLUMN, "");
                col = CLI_HELP_COLUMN;
            } else {
                fputc(' ', f);
                col++;
            }
            p++;
            continue;
        }
        size_t len = strcspn(p, " \n");
        fwrite(p, 1, len, f);
        col += (int)len;
        p += len;
    }
}

void cli_print_options(FILE *f, const cli_opt *opts, unsigned scope)
{
    int first = 1;
    char text[1024];

    for (const cli_opt *o = opts; o->name; o++) {
        if (!in_scope(o, scope))
            continue;
        if (o->section)
            fprintf(f, "%s%s\n", first ? "" : "\n", o->section);
        first = 0;
        int w = print_names(f, o);
        if (w > CLI_HELP_COLUMN - 2) {
            fputc('\n', f);
            w = 0;
        }
        fprintf(f, "%*s", CLI_HELP_COLUMN - w, "");
        if (o->def)
            snprintf(text, sizeof(text), "%s (default %s)", o->help, o->def);
        else
            snprintf(text, sizeof(text), "%s", o->help);
        print_wrapped(f, text, CLI_HELP_COLUMN);
        fputc('\n', f);
    }
}
