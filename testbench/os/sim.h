/*
 * `pmmu sim`: processes of the testbench OS running a generated workload or a trace on an
 * engine, and the report (docs/os.md). testbench/cli/cmd_sim.c parses the command line into
 * sim_options.
 */
#ifndef PMMU_OS_SIM_H
#define PMMU_OS_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "os.h"
#include "workload.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sim_options {
  unsigned processes;  /* long-lived processes (default 4) */
  wl_pattern workload; /* default mix */
  const char *trace;   /* a trace file instead of a generated workload */
  uint64_t accesses;   /* default 1,000,000 (a trace: at most this many; 0 = all of it) */
  uint64_t seed;       /* default 1 */
  unsigned quantum;    /* accesses per time slice, on average (default 2000) */
  bool events;         /* fork/exit, brk, mprotect, bad pointers (default: on for mix) */
  bool maps;           /* print /proc/PID/maps */
  bool progress;       /* a progress line on stderr */
  bool quiet_status;   /* no per-process blocks (tests) */
  engine_kind engine;
  engine_setup setup;
  os_config os;
  wl_params wl;
  const char *repro;      /* the command line, printed with lockstep mismatches */
  const char *mutant;     /* an RTL built with one of its deliberate bugs (docs/rtl.md), or NULL */
  const char *dump_trace; /* write the run's transaction trace here (engine.h), or NULL */
  unsigned log_mask;      /* the event log (evlog.h): the kinds printed (0: no log) */
  FILE *log_out;          /* where the event log goes (NULL: with the report) */
  const int *pagemap;     /* the PIDs whose page map follows the report */
  unsigned n_pagemap;
  bool pagemap_all; /* the page map of every process alive at the end */
  bool silent;      /* no header and no report (tools built on the run: pmmu trace) */
} sim_options;

void sim_options_init(sim_options *o);

typedef struct sim_result {
  uint64_t accesses; /* user accesses made */
  uint64_t segv;
  uint64_t mismatches;
  uint64_t data_errors, kernel_errors, check_failures;
  unsigned max_frames_used; /* the most frames in use at once (sampled after every access) */
  double seconds;
  bool stopped; /* cut short by the budget or a stop signal (tb_budget.h) */
  os_stats os;
  os_proc_stats total;
} sim_result;

/* Runs and prints the report on out (segfault lines too); errors and lockstep differences go
 * to err. Returns a tb_status (tb_status.h): TB_OK; TB_EXPECT if the OS found its own state
 * wrong (data errors, invariant violations, kernel errors); TB_MISMATCH if the engines
 * disagreed; a negative error if the engine could not be made or the trace is bad. */
int sim_run(const sim_options *o, FILE *out, FILE *err, sim_result *res);

#ifdef __cplusplus
}
#endif

#endif
