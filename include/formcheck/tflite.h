/*
 * formcheck/tflite.h - a bounds-checked reader for TFLite flatbuffer models,
 * restricted to the float ops BlazePose uses (see fc_tfl_opcode).
 *
 *     fc_tfl_model *m = NULL;
 *     char err[FC_ERRBUF_SIZE];
 *     if (fc_tfl_load(&m, "models/pose_landmark_full.tflite", err, sizeof err) < 0)
 *         ...;                                   // FC_EMODEL: err names the op/tensor/offset
 *     for (int i = 0; i < m->n_ops; i++) {
 *         const fc_tfl_op *op = &m->ops[i];
 *         if (op->folded) continue;              // DEQUANTIZE/DENSIFY done at load
 *         const fc_tfl_tensor *w = &m->tensors[op->in[1]];  // e.g. conv weights, f32
 *         ...
 *     }
 *     fc_tfl_free(m);
 *
 * What the reader guarantees on success (so a consumer need not re-check):
 * - exactly one subgraph; every op is in the whitelist with supported options
 *   (padding SAME/VALID, strides >= 1, dilation 1, depth multiplier 1, fused
 *   activation NONE or RELU6); no quantized tensors;
 * - every op's tensor indices are in range, every non-constant input was written
 *   by an earlier op or is a graph input; activations are FLOAT32 with 1..6 dims,
 *   each dim >= 1 and the element count <= FC_TFL_MAX_ELEMS;
 * - per-op shapes are consistent (conv weights match the input channels, ADD
 *   operands have equal shapes, RESHAPE keeps the element count, ...);
 * - constant FLOAT16/FLOAT32 tensors are in `f32` (fp16 converted, CSR-sparse
 *   densified), INT32 constants in `i32`; DEQUANTIZE and DENSIFY ops are marked
 *   `folded` and their outputs are constants sharing their input's data.
 * Anything else, including any offset, vtable or vector outside the file, gives
 * FC_EMODEL with a message; the reader never reads outside the given bytes.
 *
 * Thread-safety: no shared state; a model is read-only after loading.
 */
#ifndef FORMCHECK_TFLITE_H
#define FORMCHECK_TFLITE_H

#include <stddef.h>
#include <stdint.h>

#include "formcheck/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define FC_TFL_MAX_RANK 6
#define FC_TFL_MAX_IO 16                 /**< max inputs/outputs of an op or the graph */
#define FC_TFL_MAX_ELEMS (1u << 26)      /**< max elements of one tensor (256 MiB of f32) */
#define FC_TFL_MAX_FILE ((size_t)1 << 30) /**< files above 1 GiB are refused */

/** TensorType values as stored in the file (subset). */
enum fc_tfl_type {
    FC_TFL_FLOAT32 = 0, FC_TFL_FLOAT16 = 1, FC_TFL_INT32 = 2, FC_TFL_UINT8 = 3,
    FC_TFL_INT64 = 4, FC_TFL_INT8 = 9,
};

/** The whitelisted BuiltinOperator codes. */
enum fc_tfl_opcode {
    FC_TFL_ADD = 0, FC_TFL_CONCATENATION = 2, FC_TFL_CONV_2D = 3, FC_TFL_DEPTHWISE_CONV_2D = 4,
    FC_TFL_DEPTH_TO_SPACE = 5, FC_TFL_DEQUANTIZE = 6, FC_TFL_LOGISTIC = 14, FC_TFL_MAX_POOL_2D = 17,
    FC_TFL_RESHAPE = 22, FC_TFL_RESIZE_BILINEAR = 23, FC_TFL_PAD = 34, FC_TFL_DENSIFY = 124,
};

enum fc_tfl_padding { FC_TFL_PAD_SAME = 0, FC_TFL_PAD_VALID = 1 };
enum fc_tfl_act { FC_TFL_ACT_NONE = 0, FC_TFL_ACT_RELU6 = 3 };

typedef struct fc_tfl_tensor {
    const char *name;            /**< NUL-terminated, owned by the model ("" if absent) */
    int rank;                    /**< 0..FC_TFL_MAX_RANK */
    int shape[FC_TFL_MAX_RANK];  /**< TFLite's order (NHWC for images) */
    int type;                    /**< enum fc_tfl_type, as stored */
    int sparse;                  /**< 1 if stored CSR-sparse (densified into f32) */
    size_t count;                /**< elements (product of shape) */
    float *f32;                  /**< constant float data, row-major in `shape`, or NULL */
    int32_t *i32;                /**< constant INT32 data, or NULL */
    int owns_data;               /**< internal: 0 when f32 is shared with another tensor */
} fc_tfl_tensor;

typedef struct fc_tfl_op {
    int code;                    /**< enum fc_tfl_opcode */
    int folded;                  /**< 1: computed at load (DEQUANTIZE, DENSIFY), skip it */
    int n_in, n_out;
    int in[FC_TFL_MAX_IO];       /**< tensor indices; -1 = optional input absent (conv bias) */
    int out[FC_TFL_MAX_IO];
    /* Options (only those of the op's type are meaningful). */
    int padding;                 /**< enum fc_tfl_padding (conv, depthwise, pool) */
    int stride_w, stride_h;      /**< conv, depthwise, pool */
    int filter_w, filter_h;      /**< pool */
    int act;                     /**< enum fc_tfl_act (conv, depthwise, add, concat, pool) */
    int axis;                    /**< concat, normalised to 0..rank-1 */
    int block_size;              /**< depth-to-space */
    int align_corners, half_pixel_centers; /**< resize */
} fc_tfl_op;

typedef struct fc_tfl_model {
    uint32_t version;            /**< schema version (3) */
    int n_tensors;
    fc_tfl_tensor *tensors;
    int n_ops;
    fc_tfl_op *ops;              /**< in execution order */
    int n_inputs, n_outputs;
    int inputs[FC_TFL_MAX_IO];   /**< graph input tensor indices */
    int outputs[FC_TFL_MAX_IO];  /**< graph output tensor indices, in the file's order */
} fc_tfl_model;

/** Read and check the model at `path`. Errors: FC_ENOENT/FC_EACCES/FC_EISDIR/FC_EIO/FC_ETOOBIG
 *  (file), FC_EMODEL (malformed or unsupported: err says what and where, prefixed by
 *  the path), FC_ENOMEM. `*out` is NULL on failure; free with fc_tfl_free(). */
int fc_tfl_load(fc_tfl_model **out, const char *path, char *err, size_t errsz);

/** Same from memory: `data`/`size` are only read during the call (nothing points
 *  into them afterwards). `name` prefixes error messages (may be NULL). */
int fc_tfl_parse(fc_tfl_model **out, const void *data, size_t size, const char *name,
                 char *err, size_t errsz);

/** NULL-safe. */
void fc_tfl_free(fc_tfl_model *m);

/** "CONV_2D" for a BuiltinOperator code; codes this reader does not name give
 *  "UNKNOWN". Static string. */
const char *fc_tfl_op_name(int code);

/** Number of ops of `code` in the model (folded ones included). */
int fc_tfl_count_ops(const fc_tfl_model *m, int code);

/** IEEE 754 binary16 bits to float (exact; subnormals, Inf and NaN kept). */
float fc_tfl_half_to_float(uint16_t h);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_TFLITE_H */
