/* String statistics, exact while the distinct values fit their budget,
 * sketched beyond (see strstats.h). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mlpipe/hash.h>
#include <mlpipe/json.h>

#include "strstats.h"

#define NUM(obj, key, v) cJSON_AddItemToObject((obj), (key), mlp_json_number(v))

/* Per distinct value beyond its bytes, at worst: the entry and its slots
 * just after they doubled. */
#define ENTRY_OVERHEAD 96
#define ARENA_BLOCK (1u << 20)
#define HLL_BITS 14
#define HLL_M (1u << HLL_BITS)
/* Labels kept by the frequent-items summary when values are not cut
 * (max_value_bytes 0), so that one huge value cannot take the memory. */
#define SKETCH_LABEL_MAX 65536
/* The frequent-items summary never holds more values than this, however
 * many are to be listed (top_k, rank_histogram_buckets). */
#define SKETCH_ENTRIES_MAX ((size_t)1 << 20)

typedef struct value_count {
    uint64_t hash;
    const char *s;
    size_t len;      /* the value's length (the label may be shorter) */
    double count;    /* weighted */
    int cut;         /* the label is cut short (summary only) */
} value_count;

/* Open addressing over indexes into `ents`; -1 is a free slot. */
typedef struct counts {
    value_count *ents;
    size_t n, cap;
    int64_t *slots;
    size_t n_slots;
} counts;

typedef struct arena_block {
    struct arena_block *next;
    size_t used;
    char data[];
} arena_block;

struct str_acc {
    const stats_opts *o;
    double present, missing, wpresent, wmissing, total_len;
    counts exact;          /* values point into the arena */
    arena_block *arena;
    size_t bytes;          /* what the exact counts take */
    size_t exact_distinct; /* distinct values when the sketches took over */
    int sketched;
    counts top;            /* frequent items: labels are malloc'ed */
    size_t top_max;        /* entries before a purge */
    double offset;         /* what purges took from every count */
    uint8_t *hll;
};

static double weight_of(const stats_opts *o, size_t row)
{
    return o->weights ? o->weights[row] : 1.0;
}

static int counts_init(counts *t, size_t cap)
{
    t->n = 0;
    t->cap = cap;
    t->n_slots = 16;
    while (t->n_slots < cap * 2)
        t->n_slots *= 2;
    t->ents = malloc(cap * sizeof *t->ents);
    t->slots = malloc(t->n_slots * sizeof *t->slots);
    if (t->ents == NULL || t->slots == NULL)
        return -1;
    memset(t->slots, 0xff, t->n_slots * sizeof *t->slots);
    return 0;
}

static void counts_free(counts *t)
{
    free(t->ents);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static void counts_reindex(counts *t)
{
    memset(t->slots, 0xff, t->n_slots * sizeof *t->slots);
    for (size_t j = 0; j < t->n; j++) {
        size_t q = (size_t)t->ents[j].hash & (t->n_slots - 1);
        while (t->slots[q] >= 0)
            q = (q + 1) & (t->n_slots - 1);
        t->slots[q] = (int64_t)j;
    }
}

/* The slot of (hash, s, len): its entry, or the free slot where it would
 * go.  by_hash: the summary tells values apart by their hash alone. */
static size_t counts_find(const counts *t, uint64_t h, const char *s,
                          size_t len, int by_hash)
{
    size_t k;

    for (k = (size_t)h & (t->n_slots - 1); t->slots[k] >= 0;
         k = (k + 1) & (t->n_slots - 1)) {
        const value_count *v = &t->ents[t->slots[k]];
        if (v->hash == h && (by_hash || (v->len == len && memcmp(v->s, s, len) == 0)))
            break;
    }
    return k;
}

/* Room for one more entry; the slots stay at most half full. */
static int counts_grow(counts *t)
{
    if (t->n == t->cap) {
        value_count *ne = realloc(t->ents, t->cap * 2 * sizeof *ne);
        if (ne == NULL)
            return -1;
        t->ents = ne;
        t->cap *= 2;
    }
    if ((t->n + 1) * 2 > t->n_slots) {
        int64_t *ns = malloc(t->n_slots * 2 * sizeof *ns);
        if (ns == NULL)
            return -1;
        free(t->slots);
        t->slots = ns;
        t->n_slots *= 2;
        counts_reindex(t);
    }
    return 0;
}

static const char *arena_copy(str_acc *a, const char *s, size_t len)
{
    arena_block *b = a->arena;

    if (b == NULL || ARENA_BLOCK - b->used < len) {
        size_t size = len > ARENA_BLOCK ? len : ARENA_BLOCK;
        b = malloc(sizeof *b + size);
        if (b == NULL)
            return NULL;
        b->next = a->arena;
        b->used = 0;
        a->arena = b;
    }
    char *p = b->data + b->used;
    memcpy(p, s, len);
    b->used += len;
    return p;
}

static void arena_free(str_acc *a)
{
    while (a->arena != NULL) {
        arena_block *next = a->arena->next;
        free(a->arena);
        a->arena = next;
    }
}

str_acc *str_acc_new(const stats_opts *o)
{
    str_acc *a = calloc(1, sizeof *a);

    if (a == NULL)
        return NULL;
    a->o = o;
    if (counts_init(&a->exact, 256) != 0) {
        str_acc_free(a);
        return NULL;
    }
    /* Enough entries that every listed value (top-k, rank histogram) is
     * one a purge leaves alone unless it is rare. */
    size_t want = o->top_k > o->rank_buckets ? o->top_k : o->rank_buckets;
    a->top_max = 8192;
    while (a->top_max < SKETCH_ENTRIES_MAX && a->top_max / 8 < want)
        a->top_max *= 2;
    return a;
}

static void free_labels(counts *t)
{
    for (size_t j = 0; j < t->n; j++)
        free((char *)t->ents[j].s);
}

void str_acc_free(str_acc *a)
{
    if (a == NULL)
        return;
    counts_free(&a->exact);
    arena_free(a);
    free_labels(&a->top);
    counts_free(&a->top);
    free(a->hll);
    free(a);
}

static void hll_add(uint8_t *reg, uint64_t h)
{
    size_t j = (size_t)(h >> (64 - HLL_BITS));
    uint64_t rest = (h << HLL_BITS) | (1ull << (HLL_BITS - 1));
    uint8_t rank = (uint8_t)(__builtin_clzll(rest) + 1);

    if (rank > reg[j])
        reg[j] = rank;
}

/* Ertl's improved raw estimator ("New cardinality estimation algorithms
 * for HyperLogLog sketches", 2017): from the histogram of register
 * values, without the bias of the classic estimate between 2.5 m and 5 m
 * that empirical correction tables otherwise patch. */
#define HLL_Q (64 - HLL_BITS)

static double hll_sigma(double x)
{
    double y = 1, z = x, prev;

    if (x == 1)
        return INFINITY;
    do {
        x *= x;
        prev = z;
        z += x * y;
        y += y;
    } while (z != prev);
    return z;
}

static double hll_tau(double x)
{
    double y = 1, z = 1 - x, prev;

    if (x == 0 || x == 1)
        return 0;
    do {
        x = sqrt(x);
        prev = z;
        y *= 0.5;
        z -= (1 - x) * (1 - x) * y;
    } while (z != prev);
    return z / 3;
}

static double hll_estimate(const uint8_t *reg)
{
    double m = HLL_M, c[HLL_Q + 2] = { 0 };

    for (size_t j = 0; j < HLL_M; j++)
        c[reg[j]] += 1;
    double z = m * hll_tau(1 - c[HLL_Q + 1] / m);
    for (int k = HLL_Q; k >= 1; k--)
        z = 0.5 * (z + c[k]);
    z += m * hll_sigma(c[0] / m);
    return floor(m * m / (2 * log(2) * z) + 0.5);
}

static int cmp_desc(const void *pa, const void *pb)
{
    double x = *(const double *)pa, y = *(const double *)pb;
    return (x < y) - (x > y);
}

/* Misra-Gries, batched: subtract the median count from every entry and
 * drop those left at zero or below; the median goes to `offset`, the most
 * any count can have lost. */
static int purge(str_acc *a)
{
    counts *t = &a->top;
    double *c = malloc(t->n * sizeof *c), med;
    size_t kept = 0;

    if (c == NULL)
        return -1;
    for (size_t j = 0; j < t->n; j++)
        c[j] = t->ents[j].count;
    qsort(c, t->n, sizeof *c, cmp_desc);
    med = c[t->n / 2];
    free(c);
    for (size_t j = 0; j < t->n; j++) {
        value_count v = t->ents[j];
        v.count -= med;
        if (v.count > 0)
            t->ents[kept++] = v;
        else
            free((char *)v.s);
    }
    t->n = kept;
    a->offset += med;
    counts_reindex(t);
    return 0;
}

static int top_add(str_acc *a, uint64_t h, const char *s, size_t len, double w)
{
    counts *t = &a->top;
    size_t k = counts_find(t, h, s, len, 1);

    if (t->slots[k] >= 0) {
        t->ents[t->slots[k]].count += w;
        return 0;
    }
    size_t cap = a->o->max_value_bytes ? a->o->max_value_bytes : SKETCH_LABEL_MAX;
    size_t keep = len;
    int cut = 0;
    if (keep > cap) {
        keep = cap;
        while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
            keep--;  /* not inside a UTF-8 sequence */
        cut = 1;
    }
    char *label = malloc(keep + 1);
    if (label == NULL)
        return -1;
    memcpy(label, s, keep);
    label[keep] = '\0';
    t->ents[t->n] = (value_count){ h, label, keep, w, cut };
    t->slots[k] = (int64_t)t->n++;
    if (t->n == a->top_max)
        return purge(a);
    return 0;
}

/* The exact counts have outgrown their budget: they seed the sketches,
 * in first-appearance order, and are freed. */
static int start_sketches(str_acc *a)
{
    a->hll = calloc(HLL_M, 1);
    if (a->hll == NULL || counts_init(&a->top, a->top_max) != 0)
        return -1;
    a->sketched = 1;
    a->exact_distinct = a->exact.n;
    for (size_t j = 0; j < a->exact.n; j++) {
        const value_count *v = &a->exact.ents[j];
        hll_add(a->hll, v->hash);
        if (top_add(a, v->hash, v->s, v->len, v->count) != 0)
            return -1;
    }
    counts_free(&a->exact);
    arena_free(a);
    return 0;
}

/* One present value. */
static int add_value(str_acc *a, const char *s, size_t len, uint64_t h, double w)
{
    if (a->sketched) {
        hll_add(a->hll, h);
        return top_add(a, h, s, len, w);
    }
    counts *t = &a->exact;
    size_t k = counts_find(t, h, s, len, 0);
    if (t->slots[k] >= 0) {
        t->ents[t->slots[k]].count += w;
        return 0;
    }
    const char *copy = arena_copy(a, s, len);
    if (copy == NULL)
        return -1;
    size_t n_slots = t->n_slots;
    if (counts_grow(t) != 0)
        return -1;
    if (t->n_slots != n_slots)
        k = counts_find(t, h, s, len, 0);
    t->ents[t->n] = (value_count){ h, copy, len, w, 0 };
    t->slots[k] = (int64_t)t->n++;
    a->bytes += len + ENTRY_OVERHEAD;
    if (a->bytes > a->o->exact_unique_bytes)
        return start_sketches(a);
    return 0;
}

int str_acc_add(str_acc *a, const mlp_column *c, size_t row0)
{
    const stats_opts *o = a->o;
    int cat = c->type == MLP_COL_CATEGORICAL;
    uint64_t *lh = NULL;  /* a level's hash, computed once per piece */
    uint8_t *lk = NULL;

    if (cat && c->n_levels > 0) {
        lh = malloc(c->n_levels * sizeof *lh);
        lk = calloc(c->n_levels, 1);
        if (lh == NULL || lk == NULL) {
            free(lh);
            free(lk);
            return -1;
        }
    }
    for (size_t i = 0; i < c->n_rows; i++) {
        double w = weight_of(o, row0 + i);
        const char *s;
        size_t len;
        uint64_t h;
        if (cat ? c->codes[i] < 0 : mlp_column_is_missing(c, i)) {
            a->missing += 1;
            a->wmissing += w;
            continue;
        }
        if (cat) {
            size_t code = (size_t)c->codes[i];
            s = mlp_column_level(c, code, &len);
            if (!lk[code]) {
                lh[code] = mlp_hash64(s, len, 0);
                lk[code] = 1;
            }
            h = lh[code];
        } else {
            s = mlp_column_string(c, i, &len);
            h = mlp_hash64(s, len, 0);
        }
        a->present += 1;
        a->wpresent += w;
        a->total_len += (double)len;
        if (add_value(a, s, len, h, w) != 0) {
            free(lh);
            free(lk);
            return -1;
        }
    }
    free(lh);
    free(lk);
    return 0;
}

static int cmp_counts(const void *pa, const void *pb)
{
    const value_count *a = pa, *b = pb;
    size_t n = a->len < b->len ? a->len : b->len;
    int c;

    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    c = memcmp(a->s, b->s, n);
    if (c != 0)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

/* A value as a string of at most `cap` bytes, cut at a character
 * boundary; *cut says whether it was.  Owned; NULL on exhaustion. */
static char *capped(const char *s, size_t len, size_t cap, int *cut)
{
    char *v;

    if (cap > 0 && len > cap) {
        len = cap;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
        *cut = 1;
    }
    v = malloc(len + 1);
    if (v != NULL) {
        memcpy(v, s, len);
        v[len] = '\0';
    }
    return v;
}

/* Appends value e to arr: as a top value ({value, frequency}) when rank
 * is SIZE_MAX, else as rank histogram bucket `rank`.  *cut is set when
 * its text was cut short.  Returns 0, or -1 on exhaustion. */
static int listed(cJSON *arr, const value_count *e, size_t rank, size_t cap,
                  int *cut)
{
    cJSON *o = cJSON_CreateObject();
    char *v = capped(e->s, e->len, cap, cut);

    if (o == NULL || v == NULL) {
        cJSON_Delete(o);
        free(v);
        return -1;
    }
    *cut |= e->cut;
    if (rank == SIZE_MAX) {
        cJSON_AddStringToObject(o, "value", v);
        NUM(o, "frequency", e->count);
    } else {
        NUM(o, "low_rank", (double)rank);
        NUM(o, "high_rank", (double)rank);
        cJSON_AddStringToObject(o, "label", v);
        NUM(o, "sample_count", e->count);
    }
    free(v);
    cJSON_AddItemToArray(arr, o);
    return 0;
}

int str_acc_finish(str_acc *a, cJSON *feat)
{
    const stats_opts *o = a->o;
    counts *t = a->sketched ? &a->top : &a->exact;
    double unique = (double)t->n;
    int cut = 0;
    cJSON *ss, *top, *rank, *common;

    if (a->sketched) {
        unique = hll_estimate(a->hll);
        /* Never fewer than were told apart exactly. */
        if (unique < (double)a->exact_distinct)
            unique = (double)a->exact_distinct;
    }
    if (t->n > 1)
        qsort(t->ents, t->n, sizeof *t->ents, cmp_counts);
    cJSON_AddStringToObject(feat, "type", "STRING");
    common = stats_common_json(a->present, a->missing, a->wpresent, a->wmissing,
                               1, o->weights != NULL);
    if (common == NULL)
        return -1;
    cJSON_AddItemToObject(feat, "common", common);
    ss = cJSON_AddObjectToObject(feat, "string_stats");
    if (ss == NULL)
        return -1;
    NUM(ss, "unique", unique);
    top = cJSON_AddArrayToObject(ss, "top_values");
    for (size_t k = 0; k < t->n && k < o->top_k; k++)
        if (listed(top, &t->ents[k], SIZE_MAX, o->max_value_bytes, &cut) != 0)
            return -1;
    NUM(ss, "avg_length", a->present > 0 ? a->total_len / a->present : 0);
    rank = cJSON_AddArrayToObject(ss, "rank_histogram");
    for (size_t k = 0; k < t->n && k < o->rank_buckets; k++)
        if (listed(rank, &t->ents[k], k, o->max_value_bytes, &cut) != 0)
            return -1;
    /* Values longer than the cap are stored cut short: say so, and where. */
    if (cut)
        NUM(ss, "values_cut_at_bytes", (double)(o->max_value_bytes ? o->max_value_bytes
                                                : SKETCH_LABEL_MAX));
    /* Sketched counts: how far off they may be. */
    if (a->sketched) {
        cJSON_AddBoolToObject(ss, "counts_exact", 0);
        NUM(ss, "frequency_error", a->offset);
        NUM(ss, "unique_relative_error", 1.04 / sqrt((double)HLL_M));
    }
    return 0;
}
