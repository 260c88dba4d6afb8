/* cmd_report.c - `formcheck report`: placeholder until its stages land. */
#include <string.h>

#include "cli.h"

const char fc_usage_report[] = "usage: formcheck report FILE.json [--format text|json|csv|html]\n\nShow a saved report.\n(Not available yet: the report module has not landed.)\n";

int fc_cmd_report(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return fc_cli_print_usage(fc_usage_report);
    fc_cli_error("report: not available in this version yet");
    return FC_EXIT_FAIL;
}
