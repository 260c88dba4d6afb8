/* fuzz_profile.c - libFuzzer target for the threshold-profile reader: any bytes
 * give a validated profile or FC_EPROFILE with a message, for the default level
 * and a named one; never a bad read, leak or crash. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "formcheck/error.h"
#include "formcheck/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one(const uint8_t *data, size_t size, const char *level)
{
    char err[FC_ERRBUF_SIZE] = "";
    fc_profile p;
    int rc = fc_profile_parse(&p, (const char *)data, size, "fuzz.json", level, err, sizeof err);
    if (rc != 0 && (rc != FC_EPROFILE || !err[0]))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size, NULL);
    one(data, size, "strict");
    return 0;
}
