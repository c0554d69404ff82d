/* Internal: a file a command writes where the user said (`report -o`):
 * written in full under a fresh temporary name beside it and renamed into
 * place, so the old file stays whole until the new one is complete and a
 * symlink planted at a guessable name is never followed. */
#ifndef MLPIPE_CORE_OUTFILE_H
#define MLPIPE_CORE_OUTFILE_H

#include <stdio.h>

#include <mlpipe/error.h>

typedef struct mlpi_outfile {
    char path[4096];       /* where it goes */
    char tmp[4096];        /* the temporary file while it is written */
    FILE *f;
} mlpi_outfile;

/* Refuses a target that exists and is not a regular file (a device, a
 * symlink, a directory) and one of mlpipe's own files in `root` (the
 * store and its lock, anything under artifacts/, logs/, .tmp/),
 * then creates the temporary file (mode: the old file's, else 0666 less
 * the umask). */
int mlpi_outfile_open(mlpi_outfile *o, const char *path, const char *root,
                      mlp_error *err);
/* Flushes, syncs and renames into place; on any failure removes the
 * temporary file and leaves the old one as it was. */
int mlpi_outfile_commit(mlpi_outfile *o, mlp_error *err);
/* Removes the temporary file (after an error or an interruption). */
void mlpi_outfile_abandon(mlpi_outfile *o);

#endif
