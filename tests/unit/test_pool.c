/* test_pool.c - fc_pool: every task runs exactly once per loop, on several
 * threads, across many back-to-back loops (workers spinning) and loops after
 * a pause (workers asleep); a NULL pool and a 1-thread pool run inline;
 * argument errors. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "formcheck/error.h"
#include "formcheck/pool.h"

#define MAX_TASKS 257

typedef struct counts {
    atomic_int hits[MAX_TASKS];
    atomic_int on_caller;
    pthread_t caller;
} counts;

static void count_task(void *ctx, int t)
{
    counts *c = ctx;
    atomic_fetch_add(&c->hits[t], 1);
    if (pthread_equal(pthread_self(), c->caller))
        atomic_fetch_add(&c->on_caller, 1);
    /* A little work, so that the workers get a share. */
    volatile double x = t;
    for (int i = 0; i < 1000; i++)
        x = x * 0.999 + 1.0;
}

static void check_loop(fc_pool *pool, int tasks, counts *c)
{
    memset(c, 0, sizeof *c);
    c->caller = pthread_self();
    fc_pool_run(pool, tasks, count_task, c);
    for (int t = 0; t < MAX_TASKS; t++)
        assert_int_equal(atomic_load(&c->hits[t]), t < tasks ? 1 : 0);
}

static void test_every_task_once(void **state)
{
    (void)state;
    static counts c;
    for (int threads = 1; threads <= 4; threads++) {
        fc_pool *pool = NULL;
        assert_int_equal(fc_pool_create(&pool, threads), 0);
        assert_int_equal(fc_pool_threads(pool), threads);
        int off_caller = 0;
        for (int it = 0; it < 200; it++) {
            int tasks = 1 + (it * 37) % MAX_TASKS;
            check_loop(pool, tasks, &c);
            off_caller += tasks - atomic_load(&c.on_caller);
            if (threads == 1)
                assert_int_equal(atomic_load(&c.on_caller), tasks);
        }
        if (threads > 1)
            assert_true(off_caller > 0); /* the workers did take tasks */
        /* After a pause the workers sleep; the next loop still runs every task once. */
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
        check_loop(pool, MAX_TASKS, &c);
        fc_pool_free(pool);
    }
}

static void test_inline_and_errors(void **state)
{
    (void)state;
    static counts c;
    check_loop(NULL, 5, &c);
    assert_int_equal(atomic_load(&c.on_caller), 5);
    fc_pool_run(NULL, 0, count_task, &c);
    fc_pool_run(NULL, 3, NULL, &c);
    assert_int_equal(fc_pool_threads(NULL), 1);
    fc_pool *pool = (fc_pool *)&c;
    assert_int_equal(fc_pool_create(&pool, 0), FC_EINVAL);
    assert_null(pool);
    assert_int_equal(fc_pool_create(&pool, 65), FC_EINVAL);
    assert_int_equal(fc_pool_create(NULL, 2), FC_EINVAL);
    fc_pool_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_task_once),
        cmocka_unit_test(test_inline_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
