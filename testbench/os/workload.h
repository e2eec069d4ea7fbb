/*
 * Access streams for the testbench OS (docs/os.md): generators (sequential, strided, uniform
 * random, working set with tunable temporal and spatial locality, phase changes) and traces
 * (the native `PID R|W|X 0xADDR` format and Valgrind lackey --trace-mem=yes output).
 */
#ifndef PMMU_OS_WORKLOAD_H
#define PMMU_OS_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "os.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum wl_pattern { WL_MIX, WL_SEQ, WL_STRIDE, WL_RANDOM, WL_WS, WL_PHASES } wl_pattern;

/* "mix", "seq", "stride", "random", "ws", "phases". */
bool wl_pattern_parse(const char *name, wl_pattern *out);
const char *wl_pattern_name(wl_pattern p);

typedef struct wl_params {
  unsigned stride;    /* bytes between accesses of `stride` (default 4160: a page and a line) */
  unsigned ws_pages;  /* working-set size in pages (default 48) */
  unsigned temporal;  /* % of accesses to a page of the working set (default 90) */
  unsigned spatial;   /* % of accesses next to the previous one, same page (default 60) */
  unsigned phase_len; /* accesses per phase of `phases` (default 50000) */
  unsigned fetch_pct; /* % instruction fetches (default 30) */
  unsigned stack_pct; /* % stack accesses (default 10) */
  unsigned write_pct; /* % of data accesses that write (default 30) */
} wl_params;

void wl_params_init(wl_params *p);

#define WL_MAX_HOT 1024

typedef struct wl_gen {
  wl_pattern pattern; /* never WL_MIX: the mix gives each process one of the others */
  wl_params prm;
  uint64_t rng;
  uint32_t ip;               /* offset in the text */
  uint32_t lib_ip, lib_left; /* a call into the library: fetches left */
  uint32_t cursor;           /* seq, stride: offset in the heap */
  uint32_t hot[WL_MAX_HOT];  /* ws, phases: page indexes in the heap */
  unsigned nhot;
  uint32_t last_page, last_off;
  uint64_t n;
  uint64_t phase_at; /* phases: the access the current phase began at */
  bool data_ro;      /* the data area is read-only now (mprotect): do not write it */
} wl_gen;

typedef struct wl_access {
  os_access_kind kind;
  uint32_t va;
} wl_access;

void wl_init(wl_gen *g, wl_pattern pattern, const wl_params *prm, uint64_t seed);
/* The next access of process pid, inside its areas as they are now. */
void wl_next(wl_gen *g, const os_t *os, int pid, wl_access *out);
/* Random numbers for the driver (SplitMix64 on the generator's state). */
uint64_t wl_rand(wl_gen *g);
unsigned wl_below(wl_gen *g, unsigned n);

/* ---- Traces ----------------------------------------------------------------------------- */

typedef enum trace_op { TR_R, TR_W, TR_X, TR_FORK, TR_EXIT } trace_op;

typedef struct trace_rec {
  uint32_t pid; /* as the trace names it */
  uint8_t op;   /* trace_op */
  uint32_t arg; /* the address, or the child's PID for TR_FORK */
  uint32_t line;
} trace_rec;

typedef struct trace {
  trace_rec *v;
  size_t n, cap;
  bool lackey; /* at least one lackey line */
} trace;

/*
 * Reads a whole trace (every line is checked before anything runs): native lines
 * `PID R|W|X 0xADDR`, `PID fork CHILD`, `PID exit`, and lackey lines `I  addr,size`,
 * ` L addr,size`, ` S addr,size`, ` M addr,size` (PID 1; addresses folded into the layout
 * of the testbench OS, accesses split at page boundaries, M = a read then a write).
 * Stops after `max` accesses (0: all). Every error is found before anything runs: malformed
 * lines, NUL bytes, over-long lines, and what the processes do (a fork of a PID alive, too
 * many processes); after TB_MAX_ERRORS errors the reader gives up. "-" is standard input.
 * Returns 0, or 2 with `FILE:LINE: error: WHAT` on err.
 */
#define TRACE_MAX_PROCS (OS_MAX_PROCS * 4) /* processes a trace may make in all (sim.c) */
#define TRACE_MAX_LINE 4096                /* bytes in one line */
#define TRACE_MAX_LINE_TEXT "4096"
int trace_load(const char *path, const os_config *layout, uint64_t max, trace *out, FILE *err);
/* The same on an open stream (a fuzzer's fmemopen buffer); `path` names it in messages. */
int trace_read(FILE *f, const char *path, const os_config *layout, uint64_t max, trace *out,
               FILE *err);
void trace_free(trace *t);

/* One read of a trace without holding it: `visit` (NULL: none) gets each record as soon as its
 * line is checked; a non-zero answer stops the read and is returned. A line with an error
 * prints `FILE:LINE: error: WHAT`, and no record after it is visited (a trace with errors
 * never runs); the result is then 2. The processes are not checked here. */
typedef int (*trace_visit_fn)(void *ctx, const trace_rec *rec);
typedef struct trace_info {
  uint64_t records; /* records read (at most `max`) */
  bool lackey;      /* at least one lackey line */
} trace_info;
int trace_scan(FILE *f, const char *path, const os_config *layout, uint64_t max,
               trace_visit_fn visit, void *ctx, trace_info *info, FILE *err);

/* A trace checked whole (lines and processes, as trace_load) but not held in memory: a file
 * is read again to run (trace_each); standard input or a pipe, which cannot be, is held. */
typedef struct trace_stream {
  FILE *f;
  const char *path; /* as messages name it */
  os_config layout;
  uint64_t max;
  uint64_t records;    /* accesses, forks and exits the run will see */
  unsigned procs_made; /* processes the run will make (exec and fork) */
  bool is_held;
  trace held; /* the records, when is_held */
} trace_stream;
int trace_open(const char *path, const os_config *layout, uint64_t max, trace_stream *ts,
               FILE *err);
/* Every record in order to `visit`; its non-zero answer stops and is returned; 2 with a
 * message when the file cannot be read again or changed since trace_open. */
int trace_each(trace_stream *ts, trace_visit_fn visit, void *ctx, FILE *err);
void trace_close(trace_stream *ts);
/* Folds a 64-bit lackey address into the layout (docs/os.md). */
uint32_t trace_fold_lackey(const os_config *layout, bool fetch, uint64_t addr);

#ifdef __cplusplus
}
#endif

#endif
