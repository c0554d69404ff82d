/* store_sql DB SQL [die]: runs SQL on a metadata store through the
 * checksumming VFS, so a test can put a store into a state mlpipe itself
 * would write (a newer schema version, a record pointing somewhere)
 * without that counting as damage.  Rows print '|'-separated.
 * die: run SQL inside a transaction with a one-page cache, so that changed
 * pages reach the file before the commit, then die by SIGKILL: what a
 * writer killed mid-commit leaves (a hot journal). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sqlite3.h>

#include "cksumvfs.h"

static int row(void *u, int n, char **v, char **names)
{
    (void)u;
    (void)names;
    for (int i = 0; i < n; i++)
        printf("%s%s", i ? "|" : "", v[i] ? v[i] : "");
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    sqlite3 *db;
    char *msg = NULL;
    int rc;

    if (argc != 3 && !(argc == 4 && strcmp(argv[3], "die") == 0)) {
        fprintf(stderr, "usage: store_sql DB SQL [die]\n");
        return 2;
    }
    if (mlpi_cksum_register(NULL) != MLP_OK ||
        sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE,
                        MLPI_CKSUM_VFS) != SQLITE_OK) {
        fprintf(stderr, "store_sql: cannot open %s\n", argv[1]);
        return 1;
    }
    sqlite3_busy_timeout(db, 10000);
    if (argc == 4) {
        if (sqlite3_exec(db, "PRAGMA cache_size=1; BEGIN IMMEDIATE", NULL, NULL,
                         NULL) == SQLITE_OK &&
            sqlite3_exec(db, argv[2], NULL, NULL, NULL) == SQLITE_OK)
            raise(SIGKILL);
        fprintf(stderr, "store_sql: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    rc = sqlite3_exec(db, argv[2], row, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "store_sql: %s\n", msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : 1;
}
