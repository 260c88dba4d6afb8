/* fuzz_keypoints.c - libFuzzer target for the keypoints reader: every line of
 * the input through fc_keypoints_parse(), then the whole input as a file through
 * fc_keypoints_load() (a memfd, so no disk traffic). Parsed frames must be
 * sane (landmark count within the topology) and re-format; errors carry a
 * message; never a bad read, leak or crash. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "formcheck/error.h"
#include "formcheck/keypoints.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;

static void parse_lines(const char *s, size_t size)
{
    static char buf[FC_KEYPOINTS_MAX_LINE];
    size_t at = 0;
    while (at < size) {
        const char *nl = memchr(s + at, '\n', size - at);
        size_t len = nl ? (size_t)(nl - (s + at)) : size - at;
        char err[FC_ERRBUF_SIZE] = "";
        fc_pose_result r;
        int rc = fc_keypoints_parse(&r, s + at, len, err, sizeof err);
        if (rc != 0 && (rc != FC_EKEYPOINTS || !err[0]))
            abort();
        if (rc == 0 && fc_keypoints_format(buf, sizeof buf, &r) <= 0)
            abort();
        at += len + 1;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[FC_ERRBUF_SIZE] = "";
    fc_pose_result *series = NULL;
    size_t n = 0;

    parse_lines((const char *)data, size);
    if (memfd < 0 && (memfd = memfd_create("fuzz_keypoints", 0)) < 0)
        abort();
    if (ftruncate(memfd, 0) < 0 || (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    int rc = fc_keypoints_load(&series, &n, path, err, sizeof err);
    if (rc == 0 ? (n && !series) : (series || !err[0]))
        abort();
    free(series);
    return 0;
}
