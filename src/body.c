/* body.c - the landmarks the analyser reads (see formcheck/body.h). */
#include "formcheck/body.h"

#include <string.h>

int fc_body_slot(int id)
{
    if (id == FC_LM_LEFT_SHOULDER || id == FC_LM_RIGHT_SHOULDER || (id >= FC_LM_LEFT_HIP && id < FC_NUM_LANDMARKS))
        return FC_B(id);
    return -1;
}

int fc_body_landmark(int slot)
{
    if (slot < 0 || slot >= FC_BODY_N)
        return -1;
    return slot < 2 ? FC_LM_LEFT_SHOULDER + slot : FC_LM_LEFT_HIP + slot - 2;
}

void fc_body_from_pose(fc_body *out, const fc_pose_result *r)
{
    memset(out, 0, sizeof *out);
    out->frame = r->frame;
    out->t_s = r->t_s;
    out->width = r->width;
    out->height = r->height;
    out->found = r->found;
    for (int k = 0; k < FC_BODY_N; k++) {
        int id = fc_body_landmark(k);
        out->lm[k] = r->lm[id];
        out->world[k] = r->world[id];
    }
}
