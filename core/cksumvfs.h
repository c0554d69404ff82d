/* Internal: page checksums for the metadata store.
 *
 * A SQLite VFS that wraps the default one.  A database whose header asks
 * for 8 reserved bytes per page (SQLITE_FCNTL_RESERVE_BYTES, set when the
 * store is created) gets, in those bytes, an XXH3-64 hash of the rest of
 * the page on every write of the main database file, and every page read
 * back is checked against it: a mismatch is SQLITE_IOERR_DATA, never data.
 * Journals pass through unchanged (their pages carry the checksums of the
 * database pages they save).  The store uses the rollback journal, so
 * every page reaches the database file through this VFS.
 */
#ifndef MLPIPE_CORE_CKSUMVFS_H
#define MLPIPE_CORE_CKSUMVFS_H

#include <stdint.h>

#include <mlpipe/error.h>

#define MLPI_CKSUM_VFS "mlpipe-cksum"
#define MLPI_CKSUM_RESERVE 8

/* A file-control opcode of this VFS: pArg is an mlpi_cksum_state that
 * receives whether the open database is checksummed and where the last
 * mismatch was found. */
#define MLPI_FCNTL_CKSUM_STATE 0x6d6c7031

typedef struct mlpi_cksum_state {
    int checksummed;          /* the header asks for 8 reserved bytes */
    int page_size;
    int64_t fault_offset;     /* -1: none seen */
} mlpi_cksum_state;

/* Registers the VFS (once; thread-safe). */
int mlpi_cksum_register(mlp_error *err);

/* Reads a database file directly and checks every page's checksum.
 * MLP_ECORRUPT names the first page that fails, or says the file has no
 * checksums at all. */
int mlpi_cksum_scan(const char *path, mlp_error *err);

#endif
