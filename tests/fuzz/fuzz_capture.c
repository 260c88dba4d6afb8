/* fuzz_capture.c - libFuzzer target for the capture stage on arbitrary bytes
 * as a file: the input is written to a memfd, opened with fc_capture_open()
 * (format probed, as for a user's file) and decoded to at most FUZZ_MAX_FRAMES
 * small frames. Any bytes give frames, FC_EEOF or an error with a message;
 * never a bad read, leak, crash or hang. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "formcheck/capture.h"
#include "formcheck/error.h"
#include "formcheck/frame.h"

#define FUZZ_MAX_FRAMES 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64], err[FC_ERRBUF_SIZE] = "";
    fc_capture *cap = NULL;
    fc_frame frame = {0};
    fc_capture_opts o = fc_capture_default_opts();
    o.max_side = 32;
    o.threads = 1;

    if (memfd < 0) {
        av_log_set_level(AV_LOG_QUIET); /* as the CLI does; FFmpeg's chatter slows fuzzing */
        if ((memfd = memfd_create("fuzz_capture", 0)) < 0)
            abort();
    }
    if (ftruncate(memfd, 0) < 0 || (size && pwrite(memfd, data, size, 0) != (ssize_t)size))
        abort();
    snprintf(path, sizeof path, "/proc/self/fd/%d", memfd);
    int rc = fc_capture_open(&cap, path, &o, err, sizeof err);
    if ((rc == 0) != (cap != NULL) || (rc != 0 && !err[0]))
        abort();
    if (!cap)
        return 0;
    const fc_capture_info *info = fc_capture_get_info(cap);
    if (info->width <= 0 || info->height <= 0 || info->width > 32 || info->height > 32)
        abort();
    for (int i = 0; i < FUZZ_MAX_FRAMES && (rc = fc_capture_read(&frame, cap)) == 0; i++)
        if (frame.width != info->width || frame.height != info->height || !frame.data)
            abort();
    if (rc < 0 && rc != FC_EEOF && !fc_capture_error(cap)[0])
        abort();
    fc_capture_free(cap);
    return 0;
}
