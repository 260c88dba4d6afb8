/* cmd_version.c - `formcheck version`. */
#include <cjson/cJSON.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <string.h>

#include "cli.h"
#include "formcheck/version.h"

int fc_cmd_version(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return fc_cli_print_usage(fc_usage_version);
        return fc_cli_usage_error("version", "unexpected argument '%s'", argv[i]);
    }
    printf("formcheck %s\n", FC_VERSION_STRING);
    printf("libavformat %s, libavcodec %s, cJSON %s\n", AV_STRINGIFY(LIBAVFORMAT_VERSION),
           AV_STRINGIFY(LIBAVCODEC_VERSION), cJSON_Version());
    return fc_cli_finish(FC_EXIT_OK);
}
