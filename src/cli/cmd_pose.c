/* cmd_pose.c - `formcheck pose`: placeholder until its stages land. */
#include <string.h>

#include "cli.h"

const char fc_usage_pose[] = "usage: formcheck pose [--model lite|full|heavy] [--mode image|video] [-o OUT.jsonl] INPUT...\n\nRun the pose model alone on images or videos; one JSON object per frame.\n(Not available yet: the pose module has not landed.)\n";

int fc_cmd_pose(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return fc_cli_print_usage(fc_usage_pose);
    fc_cli_error("pose: not available in this version yet");
    return FC_EXIT_FAIL;
}
