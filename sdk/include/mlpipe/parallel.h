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

/* Processors this process may run on (at least 1). */
int mlp_cpu_count(void);

#ifdef __cplusplus
}
#endif
#endif
