/* cmd_analyze.c - `formcheck analyze`: placeholder until its stages land. */
#include <string.h>

#include "cli.h"

const char fc_usage_analyze[] = "usage: formcheck analyze VIDEO... [options]\n\nAnalyse videos of a squat or lunge set: reps, form checks, a JSON report per video.\n(Not available yet: the pose and analysis stages have not landed.)\n";

int fc_cmd_analyze(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return fc_cli_print_usage(fc_usage_analyze);
    fc_cli_error("analyze: not available in this version yet");
    return FC_EXIT_FAIL;
}
