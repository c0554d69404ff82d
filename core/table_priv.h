/* Internal layout of mlp_table, shared by table.c (building, access) and
 * table_io.c (the file format).  Not SDK API. */
#ifndef MLPIPE_CORE_TABLE_PRIV_H
#define MLPIPE_CORE_TABLE_PRIV_H

#include <stdatomic.h>
#include <stdint.h>

#include <mlpipe/names.h>
#include <mlpipe/table.h>

/* The pages of a mapped table file that freed tables have given back, not
 * yet returned to the kernel.  One madvise per table costs a TLB
 * shootdown on every core: a reader going column by column through a
 * wide file paid more for those than for its counting.  So the whole map
 * is given back at once when enough has been released, which bounds what
 * stays resident just as well. */
typedef struct mlpi_release {
    atomic_size_t pending;
    void *map;
    size_t size;
} mlpi_release;
#define MLPI_RELEASE_BATCH ((size_t)8 << 20)

typedef struct mlpi_col {
    mlp_column pub;
    char *name;        /* owned copy (or NULL when pub.name points into a map) */
    void *owned[4];    /* buffers to free with mlp_free(); NULL when mapped */
    const void *encoded;  /* opening: numeric values still to decode */
    int encoding;
    const double *dict;   /* a dictionary-coded column's values (mapped) */
    size_t n_dict;
    /* A numeric column whose maker knows it as a byte per row and a
     * dictionary (owned[2], owned[3]): the writer stores that instead of
     * finding it again.  Missing rows hold 0. */
    const uint8_t *coded;
    const double *coded_dict;
    size_t n_coded;
} mlpi_col;

struct mlp_table {
    size_t n_rows;
    size_t n_cols, cap_cols;
    mlpi_col *cols;
    /* Columns by name, so that finding each of 100,000 columns is not
     * 10^10 comparisons; NULL for small tables (searched in order) and
     * when memory ran out (the search gives the same answers). */
    mlp_names *index;
    void *map;         /* the mmap of an opened file, or NULL */
    size_t map_len;
    /* A row group read from a mapped file someone else owns: the pages
     * to give back (madvise) when the table is freed, so reading a large
     * file group by group keeps little of it resident. */
    void *advise;
    size_t advise_len;
    mlpi_release *release;  /* the file's, when it outlives the table */
};

/* The file format's fixed parts (table_io.c, table_groups.c). */
#define MLPI_MAGIC "MLPTABLE"
#define HEADER_SIZE 128
#define ALIGN 64
#define ENDIAN_PROBE 0x01020304u
#define MLPI_GROUPED_MAJOR 2

typedef struct file_header {
    char magic[8];
    uint16_t major, minor;
    uint32_t endian;
    uint64_t n_rows;
    uint32_t n_cols, reserved0;
    uint64_t dir_offset, dir_size;
    uint64_t file_size;
    uint64_t dir_hash;
    uint8_t reserved[56];
    uint64_t header_hash;   /* XXH3-64 of the 120 bytes before it */
} file_header;

_Static_assert(sizeof(file_header) == HEADER_SIZE, "header size");

/* Writes t as one table image at fd's position (offsets from the image's
 * start); *len gets its size, a multiple of ALIGN. */
int mlpi_table_write_image(int fd, const mlp_table *t, const char *path,
                           uint64_t *len, mlp_error *err);
/* Checks the header and directory hash of the image at base; with
 * dir_checked, the directory was hashed before (a file read column by
 * column hashes it once, not once per column) and only the header is. */
int mlpi_table_check_header(const char *base, size_t size, const char *path,
                            int dir_checked, mlp_error *err);
/* Checks and reads the image at base (size bytes): every column, or only
 * column want_col (SIZE_MAX: all).  Columns point into base. */
/* What parsing an image decodes (`decode`): dictionary-coded columns
 * always; then none of the other packed forms, all of them, or all but the
 * integers a byte or two hold (which readers count in place). */
enum { MLPI_DECODE_NONE = 0, MLPI_DECODE_ALL = 1, MLPI_DECODE_WIDE = 2 };
int mlpi_table_parse_image(const char *base, size_t size, const char *path,
                           int decode, int dir_checked, size_t want_col,
                           mlp_table **out, mlp_error *err);
/* The form the writer would store numeric column c in, and its values so
 * encoded (owned, mlp_free), or MLP_PACK_F64 and NULL. */
int mlpi_table_pack(const mlp_column *c, mlp_packing *packing, void **buf);
/* Files of several row groups (table_groups.c). */
int mlpi_table_is_grouped(const void *map, size_t size);
/* Reads every group of the mapped file into one table; takes the map. */
int mlpi_table_open_groups(void *map, size_t size, const char *path,
                           mlp_table **out, mlp_error *err);

int mlpi_table_push(mlp_table *t, const char *name, mlp_error *err,
                    mlpi_col **out);
/* mlp_table_adopt_numeric(), and the values as codes[r] indexing dict
 * (k values, 1 <= k <= 256; every code of a present row below k, and
 * dict[codes[r]] the bits of values[r]): taken over, freed with the
 * table (also on failure). */
int mlpi_table_adopt_coded(mlp_table *t, const char *name, double *values,
                           uint8_t *missing, uint8_t *codes, double *dict, size_t k,
                           mlp_error *err);

#endif
