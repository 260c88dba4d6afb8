/* gen_corpus.c - writes the seed corpus for fuzz_tflite from the test builder:
 * the synthetic model (dense, sparse), one defect per file, and truncations.
 *   gen_corpus OUTDIR    (the committed files: tests/fuzz/corpora/tflite/)
 * Seeds are named *.tfl-seed, not *.tflite: they are tiny synthetic graphs made
 * here, not model weights (model files are fetched, never committed). */
#include <stdio.h>

#include "../unit/tflite_builder.h"

static tb_buf g;

static int put(const char *dir, const char *name, size_t n)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(g.b, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "gen_corpus: %s: write failed\n", path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    int rc = 0;
    tb_knobs k;
    size_t n;
    char name[64];
    if (argc != 2) {
        fprintf(stderr, "usage: gen_corpus OUTDIR\n");
        return 2;
    }
    k = tb_default_knobs();
    rc |= put(argv[1], "valid_dense.tfl-seed", tb_model(&g, &k));
    k.sparse = 1;
    n = tb_model(&g, &k);
    rc |= put(argv[1], "valid_sparse.tfl-seed", n);
    for (int i = 1; i <= 4; i++) {
        snprintf(name, sizeof name, "cut_%d_of_5.tfl-seed", i);
        n = tb_model(&g, &k);
        rc |= put(argv[1], name, n * (size_t)i / 5);
    }
    n = tb_model_all_ops(&g);
    rc |= put(argv[1], "all_ops.tfl-seed", n);
    rc |= put(argv[1], "all_ops_cut.tfl-seed", n * 2 / 3);
    k = tb_default_knobs();
    k.op_code = 18;
    rc |= put(argv[1], "op_mul.tfl-seed", tb_model(&g, &k));
    k = tb_default_knobs();
    k.op_code = 4; /* DEPTHWISE with conv options: wrong union type */
    rc |= put(argv[1], "op_depthwise.tfl-seed", tb_model(&g, &k));
    k = tb_default_knobs();
    k.dilation = 2;
    rc |= put(argv[1], "dilation.tfl-seed", tb_model(&g, &k));
    k = tb_default_knobs();
    k.act = 4;
    rc |= put(argv[1], "act_tanh.tfl-seed", tb_model(&g, &k));
    k = tb_default_knobs();
    k.quantized = 1;
    rc |= put(argv[1], "quantized.tfl-seed", tb_model(&g, &k));
    k = tb_default_knobs();
    k.subgraphs = 2;
    rc |= put(argv[1], "two_subgraphs.tfl-seed", tb_model(&g, &k));
    k = tb_default_knobs();
    k.conv_filter = 99;
    rc |= put(argv[1], "tensor_out_of_range.tfl-seed", tb_model(&g, &k));
    k = tb_default_knobs();
    k.conv_input = 5;
    rc |= put(argv[1], "read_before_write.tfl-seed", tb_model(&g, &k));
    return rc;
}
