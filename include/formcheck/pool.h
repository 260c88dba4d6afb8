/* pool.h - a fixed team of threads for the fork-join loops of one network.
 *
 *   fc_pool *pool = NULL;
 *   if (fc_pool_create(&pool, 2) < 0) ...;      // the caller + 1 worker thread
 *   fc_pool_run(pool, 64, body, &ctx);          // body(&ctx, 0..63), each task once
 *   fc_pool_free(pool);
 *
 * Why not cv::parallel_for_: OpenCV 4.6 on Debian runs it on oneTBB, whose
 * workers keep spinning after each of the ~80 layer loops of a forward pass;
 * on two cores shared with the decoding thread that spinning is CPU the
 * decoder needs (measured: a two-thread forward burned ~15% more CPU than
 * one thread). Here a worker spins only FC_POOL_SPIN_US after a loop (about
 * the gap between two layers), then sleeps on a condition variable.
 *
 * fc_pool_run hands out tasks by an atomic counter: the caller takes tasks
 * too, and returns when every task has finished. One fc_pool_run at a time per
 * pool (the layers of one forward pass run in order); not reentrant: a task
 * must not call fc_pool_run on the same pool. */
#ifndef FORMCHECK_POOL_H
#define FORMCHECK_POOL_H

#ifdef __cplusplus
extern "C" {
#endif

/* How long an idle worker spins for the next loop before sleeping, microseconds. */
#define FC_POOL_SPIN_US 50

typedef struct fc_pool fc_pool;

/* One task of a loop: ctx as given to fc_pool_run, task in [0, tasks). */
typedef void (*fc_pool_fn)(void *ctx, int task);

/* A team of `threads` (the caller counts as one: 1 starts no thread), 1..64.
 * Returns 0, FC_EINVAL or FC_ENOMEM / FC_EIO (a thread could not start; any
 * started ones are stopped again). */
int fc_pool_create(fc_pool **out, int threads);

/* Threads in the team, the caller included; 1 for NULL. */
int fc_pool_threads(const fc_pool *pool);

/* Run fn(ctx, t) for t in [0, tasks) on the team and the caller; returns when all
 * have returned. A NULL pool runs them on the caller. Does nothing for tasks < 1. */
void fc_pool_run(fc_pool *pool, int tasks, fc_pool_fn fn, void *ctx);

/* Stop and join the workers. NULL-safe. Must not race a running fc_pool_run. */
void fc_pool_free(fc_pool *pool);

#ifdef __cplusplus
}
#endif

#endif
