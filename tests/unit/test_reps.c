/* test_reps.c - the rep state machine on hand-built depth signals: counts,
 * times, jitter, pauses, setup bends, gaps, walking. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formcheck/error.h"
#include "formcheck/reps.h"

#define FPS 30.0
#define PI 3.14159265358979323846

/* Reps of amplitude amp[i] (0 = none), each 1 s down, pause[i], 1 s up, 1 s apart. */
static size_t build(double *d, double *t, size_t cap, int nreps, const double *amp, const double *pause,
                    double jitter)
{
    size_t n = 0;
    unsigned seed = 7;
    double time = 0;
    for (int r = -1; r <= nreps; r++) {
        double len = r < 0 || r == nreps ? 1.5 : 2.0 + pause[r] + 1.0;
        for (double x = 0; x < len && n < cap; x += 1.0 / FPS, n++, time += 1.0 / FPS) {
            double u = 0;
            if (r >= 0 && r < nreps && x < 2.0 + pause[r])
                u = x < 1.0 ? 0.5 - 0.5 * cos(PI * x) : x < 1.0 + pause[r] ? 1.0 : 0.5 + 0.5 * cos(PI * (x - 1.0 - pause[r]));
            seed = seed * 1103515245u + 12345u;
            d[n] = (r >= 0 && r < nreps ? amp[r] : 0) * u + jitter * (((seed >> 8) % 2001) / 1000.0 - 1.0);
            t[n] = time;
        }
    }
    return n;
}

static void test_counts_and_times(void **state)
{
    (void)state;
    double d[2000], t[2000];
    double amp[] = {0.4, 0.45, 0.05, 0.4}, pause[] = {0.2, 3.0, 0.0, 0.0};
    fc_rep reps[8];
    size_t nr = 0, n = build(d, t, 2000, 4, amp, pause, 0.0);
    fc_reps_opts o = fc_reps_default_opts();

    assert_int_equal(fc_reps_detect(reps, 8, &nr, d, NULL, t, n, &o), 0);
    assert_int_equal(nr, 3); /* the 0.05 bend is not a rep */
    assert_true(fabs(reps[0].start_s - 1.5) < 0.2);
    assert_true(fabs(reps[0].bottom_s - 2.6) < 0.1);
    assert_true(fabs(reps[0].amplitude - 0.4) < 0.01);
    assert_true(reps[1].pause_s > 2.8); /* the long pause stays one rep */
    assert_true(fabs(reps[1].bottom_s - (1.5 + 3.2 + 1.0 + 1.5)) < 0.1);
    assert_true(reps[2].start_s > reps[1].end_s);
}

static void test_jitter_no_double_count(void **state)
{
    (void)state;
    double d[2000], t[2000];
    double amp[] = {0.35, 0.35, 0.35, 0.35, 0.35}, pause[] = {0.5, 0.5, 2.0, 0.5, 0.5};
    fc_rep reps[8];
    size_t nr = 0, n = build(d, t, 2000, 5, amp, pause, 0.02); /* ~ +-5 deg of knee angle */
    fc_reps_opts o = fc_reps_default_opts();

    assert_int_equal(fc_reps_detect(reps, 8, &nr, d, NULL, t, n, &o), 0);
    assert_int_equal(nr, 5);
}

static void test_gaps_and_walking(void **state)
{
    (void)state;
    double d[2000], t[2000], x[2000];
    double amp[] = {0.4, 0.4, 0.4}, pause[] = {0.2, 0.2, 0.2};
    fc_rep reps[8];
    size_t nr = 0, n = build(d, t, 2000, 3, amp, pause, 0.0);
    fc_reps_opts o = fc_reps_default_opts();

    /* A short gap (0.2 s) inside rep 1 keeps it; a long one (1 s) in rep 3 drops it. */
    for (size_t i = 0; i < n; i++) {
        if ((t[i] > 2.0 && t[i] < 2.2) || (t[i] > 8.4 && t[i] < 9.4))
            d[i] = NAN;
        x[i] = 0.0;
    }
    assert_int_equal(fc_reps_detect(reps, 8, &nr, d, NULL, t, n, &o), 0);
    assert_int_equal(nr, 2);
    /* Hips travelling 1 leg sideways through rep 2: walking, not a rep. */
    for (size_t i = 0; i < n; i++)
        x[i] = t[i] < 5.5 ? 0.0 : t[i] > 7.5 ? 1.0 : (t[i] - 5.5) / 2.0;
    assert_int_equal(fc_reps_detect(reps, 8, &nr, d, x, t, n, &o), 0);
    assert_int_equal(nr, 1);
    /* cap limits what is stored. */
    assert_int_equal(fc_reps_detect(reps, 1, &nr, d, NULL, t, n, &o), 0);
    assert_int_equal(nr, 1);
    o.enter = 0.01; /* enter must exceed exit */
    assert_int_equal(fc_reps_detect(reps, 8, &nr, d, NULL, t, n, &o), FC_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_and_times),
        cmocka_unit_test(test_jitter_no_double_count),
        cmocka_unit_test(test_gaps_and_walking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
