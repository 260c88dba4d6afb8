/* fuzz_tflite.c - libFuzzer target for the TFLite reader: any bytes must give a
 * model or FC_EMODEL/FC_ENOMEM with a message, never a bad read, leak or crash.
 * Built with -DFC_FUZZ=ON (clang); replay_main.c replays the corpus on every build. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "formcheck/tflite.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[FC_ERRBUF_SIZE];
    fc_tfl_model *m = NULL;
    int rc = fc_tfl_parse(&m, data, size, "fuzz", err, sizeof err);
    if ((rc == 0) != (m != NULL) || (rc != 0 && rc != FC_EMODEL && rc != FC_ENOMEM) || (rc != 0 && !err[0]))
        abort();
    if (m) {
        /* Touch what a consumer would read, so bad pointers surface here. */
        volatile float sink = 0;
        for (int i = 0; i < m->n_tensors; i++)
            if (m->tensors[i].f32 && m->tensors[i].count)
                sink += m->tensors[i].f32[m->tensors[i].count - 1];
        (void)sink;
    }
    fc_tfl_free(m);
    return 0;
}
