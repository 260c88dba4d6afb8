/* synth_render.c - placeholder until the renderer lands (phase 2). */
#include "synth_render.h"

#include "formcheck/error.h"

void fc_synth_render_default_opts(fc_synth_render_opts *o)
{
    o->markers = 0;
    o->threads = 1;
    o->crf = 28;
    o->supersample = 2;
    o->noise = 2.0;
}

int fc_synth_render_video(const char *path, const fc_synth_scenario *sc, const fc_synth_render_opts *o,
                          fc_synth_render_stats *stats, char *err, size_t errsz)
{
    (void)sc; (void)o; (void)stats;
    return fc_set_error(err, errsz, FC_ENOTIMPL, "%s: video rendering is not built yet", path);
}

int fc_synth_render_png(const char *path, const fc_synth_scenario *sc, const fc_synth_render_opts *o,
                        int64_t frame, char *err, size_t errsz)
{
    (void)sc; (void)o; (void)frame;
    return fc_set_error(err, errsz, FC_ENOTIMPL, "%s: rendering is not built yet", path);
}
