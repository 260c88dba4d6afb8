/* synth_vec.h - small 3-vector helpers for the synthetic athlete (private). */
#ifndef FC_SYNTH_VEC_H
#define FC_SYNTH_VEC_H

#include <math.h>

#include "synth.h"

typedef fc_synth_vec3 v3;

static inline v3 v3make(double x, double y, double z) { return (v3){x, y, z}; }
static inline v3 v3add(v3 a, v3 b) { return (v3){a.x + b.x, a.y + b.y, a.z + b.z}; }
static inline v3 v3sub(v3 a, v3 b) { return (v3){a.x - b.x, a.y - b.y, a.z - b.z}; }
static inline v3 v3scale(v3 a, double s) { return (v3){a.x * s, a.y * s, a.z * s}; }
static inline v3 v3mad(v3 a, v3 b, double s) { return (v3){a.x + b.x * s, a.y + b.y * s, a.z + b.z * s}; }
static inline double v3dot(v3 a, v3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static inline v3 v3cross(v3 a, v3 b)
{
    return (v3){a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
static inline double v3len(v3 a) { return sqrt(v3dot(a, a)); }
static inline v3 v3norm(v3 a)
{
    double l = v3len(a);
    return l > 1e-12 ? v3scale(a, 1.0 / l) : a;
}
static inline v3 v3lerp(v3 a, v3 b, double t) { return v3mad(a, v3sub(b, a), t); }
/* Rodrigues: rotate v about unit axis k by angle a (radians, right-handed). */
static inline v3 v3rot(v3 v, v3 k, double a)
{
    double c = cos(a), s = sin(a);
    return v3add(v3add(v3scale(v, c), v3scale(v3cross(k, v), s)), v3scale(k, v3dot(k, v) * (1 - c)));
}
static inline double deg2rad(double d) { return d * (FC_SYNTH_PI / 180.0); }
static inline double rad2deg(double r) { return r * (180.0 / FC_SYNTH_PI); }
/* Angle between two vectors, degrees. */
static inline double v3angle(v3 a, v3 b)
{
    double c = v3dot(a, b) / (v3len(a) * v3len(b) + 1e-300);
    return rad2deg(acos(c > 1 ? 1 : c < -1 ? -1 : c));
}
static inline double clampd(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }
/* Smooth 0..1 ease (cosine), clamped. */
static inline double ease(double u)
{
    u = clampd(u, 0, 1);
    return 0.5 - 0.5 * cos(FC_SYNTH_PI * u);
}

#endif
