/*
 * formcheck/atomicfile.h - write a file so that readers see all of it or none.
 *
 * Data go to a temporary file in the target's directory ("NAME.tmp.XXXXXX");
 * commit flushes, fsyncs and renames it over the target; abort (or free
 * without commit) removes it. Used for reports, keypoints files and anything
 * else that must never be left half-written.
 *
 *     fc_atomic_file *af = NULL;
 *     char err[FC_ERRBUF_SIZE];
 *     if (fc_atomic_open(&af, "set.formcheck.json", 0, err, sizeof err) < 0) ...
 *     fputs(text, fc_atomic_stream(af));
 *     rc = fc_atomic_commit(af, err, sizeof err);   // always frees af
 *
 * Thread-safety: one thread per handle.
 */
#ifndef FORMCHECK_ATOMICFILE_H
#define FORMCHECK_ATOMICFILE_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct fc_atomic_file fc_atomic_file;

/** Flags for fc_atomic_open(). */
enum {
    FC_ATOMIC_FORCE = 1, /**< replace an existing target (else FC_EEXIST at open and at commit) */
};

/** Create the temp file for `path`. `path` "-" writes straight to stdout (commit
 *  flushes it); so does an existing `path` that is not a regular file (a device
 *  such as /dev/null or /dev/full, a FIFO), with or without FC_ATOMIC_FORCE: it
 *  is opened and written in place, as renaming over it would replace the node. Errors: FC_EEXIST (target exists, no FC_ATOMIC_FORCE), FC_EISDIR,
 *  FC_EACCES, FC_ENOENT (directory missing), FC_ENOSPC, FC_ENOMEM. */
int fc_atomic_open(fc_atomic_file **out, const char *path, int flags, char *err, size_t errsz);

/** The stream to write to. */
FILE *fc_atomic_stream(fc_atomic_file *af);

/** The temporary file's path ("-" for stdout, the target itself for a device); lets a signal handler-free caller
 *  report it. */
const char *fc_atomic_temp_path(const fc_atomic_file *af);

/** Flush, fsync, close and rename over the target. Frees `af` in all cases; on
 *  failure the temp file is removed and nothing replaces the target.
 *  Errors: FC_EIO, FC_ENOSPC, FC_EEXIST (target appeared meanwhile, no force). */
int fc_atomic_commit(fc_atomic_file *af, char *err, size_t errsz);

/** Discard: close and remove the temp file, free. NULL-safe. */
void fc_atomic_abort(fc_atomic_file *af);

#ifdef __cplusplus
}
#endif
#endif /* FORMCHECK_ATOMICFILE_H */
