/* Internal: a pipeline root — where it is, who may write it, and which
 * paths inside it the core may create or delete.
 *
 * Everything the store records is relative to the root ("artifacts/NODE/
 * DIR/PORT"), so a root means the same thing from any working directory
 * and after it is moved.  Deletes go through mlpi_root_remove, which
 * refuses anything that does not resolve (symlinks included) to a path
 * inside the root's artifacts/ or .tmp/ directories.
 */
#ifndef MLPIPE_CORE_ROOTDIR_H
#define MLPIPE_CORE_ROOTDIR_H

#include <stddef.h>

#include <mlpipe/error.h>

/* The absolute, symlink-free path of an existing root directory, into buf.
 * MLP_ENOTFOUND when it does not exist. */
int mlpi_root_resolve(const char *root, char *buf, size_t size, mlp_error *err);

/* Where root (relative to the working directory, or absolute) is or
 * would be once created: its existing part resolved, the rest appended. */
int mlpi_root_would_be(const char *root, char *buf, size_t size);

/* Refuses a root that is "/" or lies inside another root's artifacts/,
 * .tmp/ or logs/, whose recovery and clean-up would destroy it. */
int mlpi_root_check_place(const char *root_abs, mlp_error *err);

/* The exclusive lock that one writer (`mlpipe run`, `verify --repair`)
 * holds on a root.  It is a flock on the root directory itself, so no file
 * can be deleted to defeat it; ROOT/.lock only tells others the holder's
 * pid.  wait: block until the holder is done (saying once who it is, on
 * stderr); otherwise fail at once with MLP_ESTATE naming the holder.
 * *fd is closed by mlpi_root_unlock. */
int mlpi_root_lock(const char *root_abs, int wait, int *fd, mlp_error *err);
void mlpi_root_unlock(int fd);

/* Joins a stored location to the root.  A location must be relative, free
 * of "." and ".." components and begin with "artifacts/"; anything else is
 * MLP_ECORRUPT (the store holds a location it never writes). */
int mlpi_root_path(const char *root_abs, const char *loc, char *buf,
                   size_t size, mlp_error *err);

/* Creates path (absolute, inside root_abs) and its missing parents below
 * the root, refusing any component that is a symbolic link or not a
 * directory: nothing mlpipe writes may land outside the root. */
int mlpi_root_mkdir(const char *root_abs, const char *path, mlp_error *err);

/* Removes path (absolute) recursively, only when it resolves to a place
 * strictly inside ROOT/artifacts or ROOT/.tmp; otherwise MLP_EPERM and
 * nothing is touched.  A missing path is not an error. */
int mlpi_root_remove(const char *root_abs, const char *path, mlp_error *err);

/* After removing an output directory: removes its execution's directory
 * too when nothing but the execution file is left in it. */
void mlpi_root_prune(const char *root_abs, const char *output_dir);

/* A name for an execution's directories that no other execution, in this
 * store or in any earlier or later copy of it, has: "ID-RRRRRRRR" with
 * 32 random bits.  buf needs 40 bytes. */
void mlpi_root_exec_dir(long long exec_id, char *buf, size_t size);

/* Longest node name: it becomes a directory name (NAME_MAX) with room to
 * spare for the root and the other components of a location. */
#define MLPI_NODE_NAME_MAX 128
/* Longest root path as a script gives it: what a root holds
 * (artifacts/NODE/DIR/PORT/files) must still fit in PATH_MAX. */
#define MLPI_ROOT_PATH_MAX 2048

#endif
