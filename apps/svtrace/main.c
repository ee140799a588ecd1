/*
 * svtrace - replay network traces against the ABR rules the player runs.
 *
 *   svtrace run   --trace T --video V --abr RULE [--json F] [--csv F] [--svg F]
 *   svtrace batch --traces DIR --video V --abr LIST [--json F] [--csv F] [--md F]
 *                 [--svg F] [--jobs N]
 *   svtrace emulate --trace T [--abr RULE] [--json F] [--csv F] [--svg F] URL
 *   svtrace rules
 *
 * Exit status: 0 success, 1 bad input or failed run, 2 bad command line.
 */
#include <string.h>

#include "svtrace.h"

static const char usage[] =
    "usage: svtrace COMMAND [options]\n"
    "\n"
    "Replays bandwidth traces against Streamverse's ABR rules (the very code\n"
    "the player runs) in a chunk-level simulator of the Pensieve setup.\n"
    "\n"
    "commands:\n"
    "  run     one rule over one trace: JSON summary, CSV timeline, SVG plot\n"
    "  batch   rules over a folder of traces: tables (Markdown, CSV, JSON), QoE CDF\n"
    "  emulate the real player core over one trace against a real HLS/DASH URL,\n"
    "          headless on a virtual clock: the same outputs as run\n"
    "  rules   list the rules and their parameters\n"
    "\n"
    "'svtrace COMMAND --help' describes a command's options.\n"
    "Formats: docs/trace-formats.md; rules: docs/abr.md.\n";

static int cmd_rules(void)
{
    for (size_t i = 0; i < sv_abr_rule_count(); i++) {
        const sv_abr_rule *r = sv_abr_rule_at(i);
        printf("%s%s\n    %s\n", sv_abr_rule_name(r), r == sv_abr_rule_default() ? " (default)" : "",
               sv_abr_rule_description(r));
        for (size_t k = 0; k < sv_abr_rule_param_count(r); k++) {
            sv_abr_param_info pi;
            sv_abr_rule_param_info(r, k, &pi);
            printf("    --param %s=%g  (%g..%g) %s\n", pi.name, pi.default_value, pi.min_value,
                   pi.max_value, pi.help);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "run") == 0)
        return svt_cmd_run(argc - 1, argv + 1);
    if (strcmp(cmd, "batch") == 0)
        return svt_cmd_batch(argc - 1, argv + 1);
    if (strcmp(cmd, "emulate") == 0)
        return svt_cmd_emulate(argc - 1, argv + 1);
    if (strcmp(cmd, "rules") == 0)
        return cmd_rules();
    fprintf(stderr, "svtrace: unknown command '%s'\n\n%s", cmd, usage);
    return 2;
}
