/*
 * formcheck/fileio.h - read a whole (bounded) file into memory.
 *
 * The readers of reports, profiles and models refuse oversized inputs before
 * parsing and name the file in every error; this is that shared first step.
 *
 *     char *text = NULL; size_t len = 0;
 *     rc = fc_file_read_all(&text, &len, "set.formcheck.json", 64 << 20, err, sizeof err);
 *     if (rc < 0) ...          // "set.formcheck.json: 80000000 bytes, more than the 67108864 allowed"
 *     ... parse text[0..len) (NUL-terminated) ...
 *     free(text);
 *
 * Thread-safety: no shared state.
 */
#ifndef FORMCHECK_FILEIO_H
#define FORMCHECK_FILEIO_H

#include <stddef.h>

#include "formcheck/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Read `path` into a malloc'd buffer with a terminating NUL (not counted in `*len`).
 *  Errors (message names `path`): FC_ENOENT/FC_EACCES/FC_EIO (errno), FC_EISDIR,
 *  FC_ETOOBIG (larger than `max_bytes`: checked before reading), FC_ENOMEM.
 *  On error `*out` is NULL. */
int fc_file_read_all(char **out, size_t *len, const char *path, long long max_bytes, char *err, size_t errsz);

struct cJSON;

/** Parse `text[0..len)` as exactly one JSON value; whitespace may surround it.
 *  Returns the tree (caller frees with cJSON_Delete) or NULL. On NULL, `*bad_at`
 *  (if given) is the byte offset where parsing stopped.
 *  Stricter than cJSON_ParseWithLength, which accepts "5<garbage>" as the number 5:
 *  anything after the value is an error. Reads no global error state, so it is
 *  safe to call from several threads at once. */
struct cJSON *fc_json_parse_all(const char *text, size_t len, size_t *bad_at);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_FILEIO_H */
