/* fuzz_report.c - libFuzzer target for the report reader behind `formcheck report`:
 * any bytes are parsed and validated as fc_report_load() does; a report that
 * validates is rendered in every format (the renderers promise to tolerate
 * missing optional fields). Never a bad read, leak or crash; an error always
 * comes with a message. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "formcheck/error.h"
#include "formcheck/report.h"
#include "formcheck/reportview.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[FC_ERRBUF_SIZE] = "";
    cJSON *root = cJSON_ParseWithLength((const char *)data, size);
    if (!root)
        return 0;
    int rc = fc_report_validate(root, "fuzz.json", err, sizeof err);
    if (rc != 0 && (rc != FC_EREPORT || !err[0]))
        abort();
    if (rc == 0) {
        FILE *null = fopen("/dev/null", "w");
        if (!null)
            abort();
        for (int fmt = FC_REPORT_TEXT; fmt <= FC_REPORT_HTML; fmt++)
            if (fc_report_render(null, root, fmt, fmt == FC_REPORT_TEXT) < -1000)
                abort();
        fclose(null);
    }
    cJSON_Delete(root);
    return 0;
}
