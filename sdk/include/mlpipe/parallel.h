/* Running independent tasks on several threads.
 *
 * For plugins whose work splits into numbered pieces (chunks of a file,
 * columns of a table): mlp_parallel_for() hands the indices out in
 * increasing order to up to `threads` threads, the calling thread among
 * them, and returns when every task has run.  Tasks must not call the
 * mlp_ctx functions (the context belongs to the calling thread); they
 * record what they found in their own slot of the caller's arrays, and the
 * caller reports after the call returns.
 */
#ifndef MLPIPE_PARALLEL_H
#define MLPIPE_PARALLEL_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* fn(arg, i, worker): task i on worker `worker` (0 = the calling thread,
 * below the number returned), so a task may use per-worker scratch. */
typedef void (*mlp_task_fn)(void *arg, size_t i, int worker);

/* Runs fn for i in [0, n) on min(threads, n) threads (at least one: when
 * no thread can be started, the calling thread runs every task).  Returns
 * the number of workers that may have been used. */
int mlp_parallel_for(size_t n, int threads, mlp_task_fn fn, void *arg);

/* The same, and after task i, ordered(arg, i, worker) on the same thread,
 * for one i at a time and in increasing i: work that must see the results
 * in order (merging them, writing them out) runs while later tasks go on,
 * and at most `threads` finished tasks wait for their turn.  An ordered
 * step may call what one thread at a time may call (mlp_ctx_progress,
 * mlp_ctx_log): the steps never overlap. */
int mlp_parallel_for_ordered(size_t n, int threads, mlp_task_fn fn,
                             mlp_task_fn ordered, void *arg);

/* Processors this process may run on (at least 1). */
int mlp_cpu_count(void);

#ifdef __cplusplus
}
#endif
#endif
