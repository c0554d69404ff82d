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
    mlp_task_fn fn, ordered;
    void *arg;
    atomic_size_t next;
    pthread_mutex_t lock;
    pthread_cond_t turn_changed;
    size_t turn;            /* the next index whose ordered step may run */
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
        if (s->p->ordered == NULL)
            continue;
        /* Every index below i went to a worker before this one, so each
         * of them reaches its turn: waiting here cannot deadlock. */
        pthread_mutex_lock(&s->p->lock);
        while (s->p->turn != i)
            pthread_cond_wait(&s->p->turn_changed, &s->p->lock);
        pthread_mutex_unlock(&s->p->lock);
        s->p->ordered(s->p->arg, i, s->worker);
        pthread_mutex_lock(&s->p->lock);
        s->p->turn = i + 1;
        pthread_cond_broadcast(&s->p->turn_changed);
        pthread_mutex_unlock(&s->p->lock);
    }
    return NULL;
}

static int run_pool(size_t n, int threads, mlp_task_fn fn,
                    mlp_task_fn ordered, void *arg)
{
    pool p;
    pthread_t tid[MAX_WORKERS];
    seat seats[MAX_WORKERS];
    int started = 0;

    p.n = n;
    p.fn = fn;
    p.ordered = ordered;
    p.arg = arg;
    p.turn = 0;
    atomic_init(&p.next, 0);
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.turn_changed, NULL);
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
    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.turn_changed);
    return started + 1;
}

int mlp_parallel_for(size_t n, int threads, mlp_task_fn fn, void *arg)
{
    return run_pool(n, threads, fn, NULL, arg);
}

int mlp_parallel_for_ordered(size_t n, int threads, mlp_task_fn fn,
                             mlp_task_fn ordered, void *arg)
{
    return run_pool(n, threads, fn, ordered, arg);
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
