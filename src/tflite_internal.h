/* tflite_internal.h - flatbuffer accessors shared by tflite.c (reading) and
 * tflite_model.c (the TFLite schema on top). Not installed. */
#ifndef FORMCHECK_TFLITE_INTERNAL_H
#define FORMCHECK_TFLITE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The bytes being read and the sticky error state. */
typedef struct fb {
    const uint8_t *p;
    size_t n;
    const char *name; /* error prefix */
    char *err;
    size_t errsz;
    int bad;          /* an error was recorded; further reads return zeros */
    int nomem;        /* the error was an allocation failure */
} fb;

typedef struct fbt { /* a table */
    size_t pos, vt;
    uint16_t vtsize, tsize;
} fbt;

typedef struct fbv { /* a vector */
    size_t pos;      /* first element */
    uint32_t len;
    size_t elem;     /* element bytes */
} fbv;

void fb_fail(fb *f, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
uint32_t fb_u32(fb *f, size_t pos);
bool fb_table(fb *f, size_t pos, fbt *t, const char *what);
int64_t fb_int(fb *f, const fbt *t, int id, int width, int64_t def);
uint64_t fb_uint(fb *f, const fbt *t, int id, int width, uint64_t def);
bool fb_subtable(fb *f, const fbt *t, int id, fbt *sub, const char *what);
bool fb_vector_at(fb *f, size_t pos, size_t elem, fbv *v, const char *what);
bool fb_vector(fb *f, const fbt *t, int id, size_t elem, fbv *v, const char *what);
int64_t fbv_int(fb *f, const fbv *v, uint32_t i); /* 1/2-byte unsigned, 4-byte signed */
bool fbv_table(fb *f, const fbv *v, uint32_t i, fbt *t, const char *what);
char *fb_string(fb *f, const fbt *t, int id, const char *what);

struct fc_tfl_model;
/* tflite_check.c: op-by-op shape checks and DEQUANTIZE/DENSIFY folding. */
void fc_tfl_check_graph(fb *f, struct fc_tfl_model *m);

#endif
