/* Internal: the per-node memory limit.
 *
 * A node's child process gets RLIMIT_DATA set to what it already has
 * mapped plus its limit: the private memory it may add (heap, anonymous
 * mappings, thread stacks).  Mapped input files and resident size do not
 * count; a cgroup would count resident pages, but needs a delegated
 * hierarchy most hosts do not give, while a resource limit needs nothing.
 *
 * Over the limit an allocation fails rather than the machine swapping.
 * To tell "over its limit" from any other failure, libmlpipe wraps the
 * malloc family (forwarding to glibc's): a refused allocation in a process
 * with a limit leaves a marker file the runner reads after the node ended,
 * whether the component then reported an error or crashed on the NULL.
 * Under AddressSanitizer its allocator replaces ours and reserves its
 * memory up front, so limits are neither enforced nor detected there.
 */
#ifndef MLPIPE_CORE_MEMLIMIT_H
#define MLPIPE_CORE_MEMLIMIT_H

#include <stddef.h>
#include <stdint.h>

#include <mlpipe/error.h>

/* Parses a size: a whole number of bytes, or a number with a binary unit
 * K, M, G or T (optionally followed by "iB" or "B"), case-insensitive:
 * "512M", "1.5G", "4GiB".  MLP_OK with *bytes > 0, or MLP_EINVAL. */
int mlpi_size_parse(const char *s, uint64_t *bytes);
/* "4 GiB", "1536 MiB", "1000 bytes": the largest unit that is exact. */
void mlpi_size_format(uint64_t bytes, char *buf, size_t size);

/* In a node's child: limits what it may add to limit bytes and arms the
 * marker (created at marker_path on the first refused allocation). */
int mlpi_memlimit_apply(uint64_t limit, const char *marker_path,
                        mlp_error *err);

#endif
