/* pool.c - fork-join worker team (see formcheck/pool.h). */
#define _POSIX_C_SOURCE 200809L
#include "formcheck/pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "formcheck/error.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define cpu_relax() _mm_pause()
#else
#define cpu_relax() ((void)0)
#endif

struct fc_pool {
    int threads;               /* the caller included */
    pthread_t *workers;        /* threads - 1 */
    int started;               /* workers running */
    pthread_mutex_t mu;
    pthread_cond_t wake;
    /* The current loop, published by bumping gen (seq_cst). */
    fc_pool_fn fn;
    void *ctx;
    int tasks;
    atomic_int next;           /* next task to take */
    atomic_int finished;       /* workers done with the current gen */
    atomic_uint gen;           /* loop number; a change means work */
    atomic_int sleeping;       /* workers in (or entering) cond_wait */
    atomic_int quit;
};

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void take_tasks(fc_pool *p)
{
    for (int t; (t = atomic_fetch_add(&p->next, 1)) < p->tasks;)
        p->fn(p->ctx, t);
}

/* Wait until gen moves past `seen`: spin FC_POOL_SPIN_US, then sleep. */
static unsigned wait_for_work(fc_pool *p, unsigned seen)
{
    double until = now_us() + FC_POOL_SPIN_US;
    for (int i = 0;; i++) {
        unsigned g = atomic_load(&p->gen);
        if (g != seen || atomic_load(&p->quit))
            return g;
        if ((i & 63) == 63 && now_us() > until)
            break;
        cpu_relax();
    }
    pthread_mutex_lock(&p->mu);
    /* Registered as sleeping before re-reading gen: fc_pool_run bumps gen before
     * reading `sleeping`, so one of the two sees the other (both seq_cst). */
    atomic_fetch_add(&p->sleeping, 1);
    unsigned g;
    while ((g = atomic_load(&p->gen)) == seen && !atomic_load(&p->quit))
        pthread_cond_wait(&p->wake, &p->mu);
    atomic_fetch_sub(&p->sleeping, 1);
    pthread_mutex_unlock(&p->mu);
    return g;
}

static void *worker_main(void *arg)
{
    fc_pool *p = arg;
    unsigned seen = 0; /* gen at creation, whenever this thread gets to run */
    for (;;) {
        seen = wait_for_work(p, seen);
        if (atomic_load(&p->quit))
            return NULL;
        take_tasks(p);
        atomic_fetch_add(&p->finished, 1);
    }
}

int fc_pool_create(fc_pool **out, int threads)
{
    if (!out)
        return FC_EINVAL;
    *out = NULL;
    if (threads < 1 || threads > 64)
        return FC_EINVAL;
    fc_pool *p = calloc(1, sizeof *p);
    if (!p)
        return FC_ENOMEM;
    p->threads = threads;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->wake, NULL);
    int rc = 0;
    if (threads > 1 && !(p->workers = calloc((size_t)threads - 1, sizeof *p->workers))) {
        rc = FC_ENOMEM;
        goto end;
    }
    for (; p->started < threads - 1; p->started++)
        if (pthread_create(&p->workers[p->started], NULL, worker_main, p) != 0) {
            rc = FC_EIO;
            goto end;
        }
end:
    if (rc < 0) {
        fc_pool_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

int fc_pool_threads(const fc_pool *pool) { return pool ? pool->threads : 1; }

void fc_pool_run(fc_pool *pool, int tasks, fc_pool_fn fn, void *ctx)
{
    if (tasks < 1 || !fn)
        return;
    if (!pool || pool->started == 0 || tasks == 1) {
        for (int t = 0; t < tasks; t++)
            fn(ctx, t);
        return;
    }
    pool->fn = fn;
    pool->ctx = ctx;
    pool->tasks = tasks;
    atomic_store(&pool->next, 0);
    atomic_store(&pool->finished, 0);
    atomic_fetch_add(&pool->gen, 1); /* publishes the fields above */
    if (atomic_load(&pool->sleeping) > 0) {
        pthread_mutex_lock(&pool->mu);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mu);
    }
    take_tasks(pool);
    /* The workers still read fn/ctx/tasks until they count themselves finished.
     * Yield now and then: on an oversubscribed machine the worker we wait for
     * may be the thread this core should run. */
    for (int i = 1; atomic_load(&pool->finished) < pool->started; i++)
        if (i % 256)
            cpu_relax();
        else
            sched_yield();
}

void fc_pool_free(fc_pool *pool)
{
    if (!pool)
        return;
    pthread_mutex_lock(&pool->mu);
    atomic_store(&pool->quit, 1);
    pthread_cond_broadcast(&pool->wake);
    pthread_mutex_unlock(&pool->mu);
    for (int i = 0; i < pool->started; i++)
        pthread_join(pool->workers[i], NULL);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->mu);
    free(pool->workers);
    free(pool);
}
