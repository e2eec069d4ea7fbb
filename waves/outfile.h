/*
 * Checked output files for the waves (docs/waves.md, "Files"): the file a user names is
 * checked before the run, written under a temporary name in its own directory, and given its
 * name only when it is complete. A path that exists and is not a regular file (a device, a
 * FIFO, a directory, a symlink to one) is refused, never unlinked or replaced.
 *
 * A small API on purpose: the rest of pmmu's outputs have a helper of the same shape
 * (testbench/cli, issue 17), and these three calls map onto it one for one.
 * Every function returns 0, or -1 with one sentence in why[] ("FILE: ...").
 */
#ifndef PMMU_WAVES_OUTFILE_H
#define PMMU_WAVES_OUTFILE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OUTFILE_WHY (3 * 4096 + 512) /* three paths and a sentence */

/* Before the run: `path` may be written (absent, or a regular file) and a file can be created
 * in its directory (tried, then removed). */
int outfile_check(const char *path, char why[OUTFILE_WHY]);
/* A new empty file in path's directory, ".NAME.XXXXXX" (mkstemp), its name in tmp[len]. */
int outfile_temp(const char *path, char *tmp, size_t len, char why[OUTFILE_WHY]);
/* Gives tmp the name `path` (rename: atomic), unless path has become a non-regular file. */
int outfile_commit(const char *tmp, const char *path, char why[OUTFILE_WHY]);

#ifdef __cplusplus
}
#endif

#endif
