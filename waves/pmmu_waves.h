/*
 * pmmu_waves: the waveform options of `pmmu run`, `pmmu cosim` and `pmmu sim` (docs/waves.md).
 *
 *   --waves FILE          dump the RTL to FILE: FST, or VCD when FILE ends in .vcd (dumped
 *                         as FST, converted with fst2vcd when the dump closes); a GTKWave save
 *                         file FILE.gtkw (w.fst.gtkw) is written next to it; with
 *                         --engine both the dump also holds the model group (model.c)
 *   --waves-from N        first cycle dumped (default 0)
 *   --waves-to N          last cycle dumped (default: the end)
 *   --waves-on-failure N  dump nothing; when a lockstep check fails, run the same
 *                         (deterministic) command again with the window [D-N, R+1] around
 *                         the divergence D (R: the cycle the failure was seen in), into FILE
 *                         (default pmmu-failure.fst)
 *
 *   --waves-flush N       write the dump out every N cycles (bounds what SIGKILL loses)
 *
 * The RTL is traced through the process-wide automatic dumps of the C shim
 * (pmmu_rtl_waves_auto in rtl/sim/pmmu_rtl.h). Signals do not close dumps: the command's
 * handler only records the signal (testbench/common/tb_budget.h), its run loop stops, and
 * waves_stop() finishes the dump before the signal is raised again. A lockstep mismatch seen while dumping is marked in the
 * save file (marker A: request accepted, B: divergence) and one command that opens it is
 * printed on stderr.
 */
#ifndef PMMU_WAVES_H
#define PMMU_WAVES_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "outfile.h"
#include "pmmu/pmmu.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct waves_options {
  const char *path;    /* --waves FILE, or NULL */
  uint64_t from, to;   /* --waves-from / --waves-to (to = UINT64_MAX: the end) */
  unsigned on_failure; /* --waves-on-failure N (0: off) */
  uint64_t flush;      /* --waves-flush N: flush the dump every N cycles (0: at the end) */
} waves_options;

/* The option lines for a command's help text. */
extern const char waves_help[];

void waves_options_init(waves_options *o);

/* true when any waves option was given. */
bool waves_enabled(const waves_options *o);
/* Whether this pmmu can dump waves: built with the RTL, and the RTL with tracing. */
bool waves_available(void);

/* The file for one of several runs of a command: FILE with ".TAG" before its extension
 * (a.fst, "seed3" -> a.seed3.fst). */
void waves_path_for(const char *path, const char *tag, char *buf, size_t len);

/* ---- One run ---------------------------------------------------------------------------- */

/* Before anything runs: the dump and its save file can be written (outfile.h: absent or a
 * regular file, in a directory where a file can be created). 0, or -1 with the sentence. */
int waves_check_path(const waves_options *o, char *why, size_t len);
/* Dumps the RTL of the engines created from now on to `path`, cycles from..to, through a
 * temporary file next to it. Returns 0, or -1 (message on err) when this pmmu has no RTL or
 * no tracing, or the temporary file cannot be made. */
int waves_start(const char *path, uint64_t from, uint64_t to, FILE *err);
/* For a process that is dying (abort() in a signal handler): renames the dump being written
 * FILE.partial and says so on stderr, with async-signal-safe calls only. */
void waves_abandon(void);
/* Flush every dump every `every` cycles (0: only at its end); pmmu_rtl_waves_flush. */
void waves_set_flush(uint64_t every);
/* Stops dumping (the engine must be destroyed first: that closes its dump; or a signal ended
 * the run: this closes it) and tells, on msg, where the dump is, its cycles and the command
 * that opens it at the first failure, if any. Returns 0; -1 when the dump or its save file
 * could not be completed (said on msg: the dump is FILE.partial, never FILE). */
int waves_stop(FILE *msg);

/* A stream that passes everything on to `through` (NULL: nowhere) and notices lockstep
 * mismatch reports (the tables of engine_report_mismatches, cosim's own failures): give it as the report
 * stream. Its first failure is the one marked and, with --waves-on-failure, re-run. */
FILE *waves_watch(FILE *through);
/* A failure was noticed since the last waves_watch_reset(), and its cycles. */
bool waves_failed(void);
void waves_watch_reset(void);

/* The model's results of a lockstep run (engine_model_tap's shape: install it with
 * engine_set_model_tap while a dump is made): the dump gets a model group beside the RTL's
 * ports (docs/waves.md, "The model group"). */
void waves_model_request(void *ctx, const pmmu_request *req, const pmmu_response *resp,
                         const pmmu_mem_txn *txns, unsigned n);

/* --waves-on-failure: the window around the failure just noticed. */
void waves_failure_window(const waves_options *o, uint64_t *from, uint64_t *to);
/* The dump file of --waves-on-failure (o->path or the default). */
const char *waves_failure_path(const waves_options *o);

#ifdef __cplusplus
}
#endif

#endif
