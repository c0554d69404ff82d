/* mlp_parallel_for: a shared counter hands out task indices; no queue,
 * since every task is known before the call. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include <mlpipe/parallel.h>

#define MAX_WORKERS 64

typedef struct pool {
    size_t n;
    mlp_task_fn fn;
    void *arg;
    atomic_size_t next;
} pool;

typedef struct seat {
    pool *p;
    int worker;
} seat;

static void *work(void *a)
{
    seat *s = a;

    for (;;) {
        size_t i = atomic_fetch_add(&s->p->next, 1);
        if (i >= s->p->n)
            break;
        s->p->fn(s->p->arg, i, s->worker);
    }
    return NULL;
}

int mlp_parallel_for(size_t n, int threads, mlp_task_fn fn, void *arg)
{
    pool p;
    pthread_t tid[MAX_WORKERS];
    seat seats[MAX_WORKERS];
    int started = 0;

    p.n = n;
    p.fn = fn;
    p.arg = arg;
    atomic_init(&p.next, 0);
    if (threads > MAX_WORKERS)
        threads = MAX_WORKERS;
    if ((size_t)threads > n)
        threads = (int)n;
    for (int k = 1; k < threads; k++) {
        seats[k].p = &p;
        seats[k].worker = started + 1;
        if (pthread_create(&tid[started + 1], NULL, work, &seats[k]) != 0)
            break;
        started++;
    }
    seats[0].p = &p;
    seats[0].worker = 0;
    work(&seats[0]);
    for (int k = 1; k <= started; k++)
        pthread_join(tid[k], NULL);
    return started + 1;
}

int mlp_cpu_count(void)
{
    cpu_set_t set;
    long n;

    /* The affinity mask, not the machine: a container or taskset may give
     * this process fewer processors than the machine has. */
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
    n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}
