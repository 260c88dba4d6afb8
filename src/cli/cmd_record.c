/* cmd_record.c - `formcheck record`: placeholder until its stages land. */
#include <string.h>

#include "cli.h"

const char fc_usage_record[] = "usage: formcheck record [options]\n\nRecord a set on a webcam with live feedback, then analyse it.\n(Not available yet: the pose and analysis stages have not landed.)\n";

int fc_cmd_record(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return fc_cli_print_usage(fc_usage_record);
    fc_cli_error("record: not available in this version yet");
    return FC_EXIT_FAIL;
}
