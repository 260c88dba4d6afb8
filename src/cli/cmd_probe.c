/* cmd_probe.c - `formcheck probe`: placeholder until the capture stage lands. */
#include <string.h>

#include "cli.h"

const char fc_usage_probe[] = "usage: formcheck probe [--json] FILE...\n";

int fc_cmd_probe(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return fc_cli_print_usage(fc_usage_probe);
    fc_cli_error("probe: not available in this version yet");
    return FC_EXIT_FAIL;
}
