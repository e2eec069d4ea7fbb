/*
 * Files named on the command line: the one place that opens them (the CLI's commands, the
 * trace writer, the readers of scenarios and traces; the waves code may use it too).
 *
 * Inputs: tb_input_open() says what is wrong with a path in the words a user needs ("is a
 * directory", "Permission denied"), never a bare "read error"; "-" is standard input.
 *
 * Outputs (docs/cli.md, "Files"): nothing is ever half-written or silently lost.
 *  - tb_output_check(PATH) before any work: the directory must let us create a file, and an
 *    existing PATH must be a regular file (or a symbolic link to one, which is kept: the
 *    file it names is replaced). A device (/dev/null and /dev/stdout included), a FIFO, a
 *    socket or a directory, or a symbolic link to one, is refused and never unlinked; so is
 *    any path under /dev/ or /proc/ (/dev/stdout may lead to the file standard output was
 *    sent to, which a rename would replace).
 *  - tb_output_open(PATH) writes to a temporary file beside PATH (PATH.tmp-XXXXXX, mode
 *    0666 & ~umask as fopen would give); tb_output_commit() flushes, syncs, closes and
 *    renames it to PATH (atomic: readers see the old file or the whole new one), and any
 *    failed write, flush, sync, close or rename is an error naming PATH;
 *    tb_output_abort() removes the temporary file.
 * Every function fills *err (TB_E_IO, TB_E_NOMEM) and prints nothing.
 */
#ifndef PMMU_TB_FILE_H
#define PMMU_TB_FILE_H

#include <stdbool.h>
#include <stdio.h>

#include "tb_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Every reader of input files stops after this many errors, with one line saying so (as
 * compilers do): a binary file named by mistake is a screenful, not a million lines. */
#define TB_MAX_ERRORS 20

/* Opens PATH for reading ("-": standard input). NULL with err "cannot read 'PATH': WHY". */
FILE *tb_input_open(const char *path, tb_error *err);
/* Closes an input of tb_input_open (standard input stays open). */
void tb_input_close(FILE *f);

/* 0 when PATH can be written as an output; TB_E_IO with "cannot write 'PATH': WHY". */
int tb_output_check(const char *path, tb_error *err);

/* Whether two paths name one existing file (an output that would replace an input). */
bool tb_same_file(const char *a, const char *b);

typedef struct tb_output tb_output;
/* tb_output_check, then the temporary file. NULL on failure (err filled). */
tb_output *tb_output_open(const char *path, tb_error *err);
/* The stream to write to. Writes need not be checked one by one: the commit sees ferror. */
FILE *tb_output_stream(tb_output *o);
/* The path the output will have (as given). */
const char *tb_output_path(const tb_output *o);
/* Completes the output (see above) and frees o. TB_OK, or TB_E_IO with
 * "cannot write 'PATH': WHY" (the temporary file removed; an older PATH left as it was). */
int tb_output_commit(tb_output *o, tb_error *err);
/* Gives the output up: the temporary file removed, PATH untouched; frees o (NULL: nothing). */
void tb_output_abort(tb_output *o);

#ifdef __cplusplus
}
#endif

#endif
