/* series.c - the compact pose series (see formcheck/series.h). */
#include "formcheck/series.h"

#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"

#define NREST (FC_NUM_LANDMARKS - FC_BODY_N)

struct fc_series {
    fc_body *b;
    fc_landmark (*rest)[NREST]; /* keep_image: the other image landmarks, in id order */
    size_t n, cap;
    int keep_image;
    size_t with_person;
    double pose_ms;
    fc_clean_tally *tally;
};

int fc_series_create(fc_series **out, const fc_clean_opts *clean, int keep_image)
{
    fc_series *s;
    int rc;

    if (!out)
        return FC_EINVAL;
    *out = NULL;
    if (!(s = calloc(1, sizeof *s)))
        return FC_ENOMEM;
    s->keep_image = keep_image != 0;
    if ((rc = fc_clean_tally_create(&s->tally, clean)) < 0) {
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

/* Grows by an eighth (at least 4096 frames): amortised, at most 12.5% unused. */
static int grow(fc_series *s)
{
    size_t cap = s->cap + (s->cap / 8 > 4096 ? s->cap / 8 : 4096);
    fc_body *b = realloc(s->b, cap * sizeof *b);
    if (!b)
        return FC_ENOMEM;
    s->b = b;
    if (s->keep_image) {
        fc_landmark(*r)[NREST] = realloc(s->rest, cap * sizeof *r);
        if (!r)
            return FC_ENOMEM;
        s->rest = r;
    }
    s->cap = cap;
    return 0;
}

int fc_series_push(fc_series *s, const fc_pose_result *r)
{
    int rc;

    if (!s || !r)
        return FC_EINVAL;
    if (s->n == s->cap && (rc = grow(s)) < 0)
        return rc;
    if ((rc = fc_clean_tally_add(s->tally, r)) < 0)
        return rc;
    fc_body_from_pose(&s->b[s->n], r);
    if (s->keep_image)
        for (int id = 0, k = 0; id < FC_NUM_LANDMARKS; id++)
            if (fc_body_slot(id) < 0)
                s->rest[s->n][k++] = r->lm[id];
    s->with_person += r->found != 0;
    s->pose_ms += r->ms;
    s->n++;
    return 0;
}

size_t fc_series_count(const fc_series *s)
{
    return s ? s->n : 0;
}

const fc_body *fc_series_bodies(const fc_series *s)
{
    return s ? s->b : NULL;
}

size_t fc_series_frames_with_person(const fc_series *s)
{
    return s ? s->with_person : 0;
}

double fc_series_pose_ms(const fc_series *s)
{
    return s ? s->pose_ms : 0;
}

fc_body *fc_series_edit(fc_series *s)
{
    return s ? s->b : NULL;
}

const fc_clean_tally *fc_series_tally(const fc_series *s)
{
    return s ? s->tally : NULL;
}

int fc_series_pose(fc_pose_result *out, const fc_series *s, size_t i)
{
    if (!out || !s || i >= s->n)
        return FC_EINVAL;
    const fc_body *b = &s->b[i];
    memset(out, 0, sizeof *out);
    out->frame = b->frame;
    out->t_s = b->t_s;
    out->width = b->width;
    out->height = b->height;
    out->found = b->found;
    for (int id = 0, k = 0; id < FC_NUM_LANDMARKS; id++) {
        int slot = fc_body_slot(id);
        if (slot >= 0) {
            out->lm[id] = b->lm[slot];
            out->world[id] = b->world[slot];
        } else if (s->keep_image) {
            out->lm[id] = s->rest[i][k++];
        }
    }
    return 0;
}

void fc_series_free(fc_series *s)
{
    if (!s)
        return;
    free(s->b);
    free(s->rest);
    fc_clean_tally_free(s->tally);
    free(s);
}
