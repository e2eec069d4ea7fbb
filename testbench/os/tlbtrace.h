/*
 * `pmmu trace`: a trace (the native format or Valgrind lackey's, as `pmmu sim --trace` reads
 * it) run through the testbench OS on the C model, with the TLB's view of every user access:
 * hit or miss, the walks and page faults, the set's contents after the access and the entry
 * it evicted, in the style of CS:APP's Cache Lab `csim -v` (docs/trace.md).
 */
#ifndef PMMU_OS_TLBTRACE_H
#define PMMU_OS_TLBTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pmmu/pmmu.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tlbtrace_options {
  const char *trace; /* the file ("-": standard input) */
  unsigned sets, ways, large;
  pmmu_policy policy;
  unsigned frames; /* user frames of the OS (default 1024) */
  bool verbose;    /* one line per access */
} tlbtrace_options;

/* The model's default geometry (16 x 4 + 8, plru) and 1024 frames. */
void tlbtrace_options_init(tlbtrace_options *o);

/* What the last line counts (docs/trace.md): */
typedef struct tlbtrace_counts {
  uint64_t accesses; /* user accesses of the trace = hits + misses */
  uint64_t hits;     /* accesses whose first lookup hit the TLB */
  uint64_t misses;   /* accesses whose first lookup missed (an entry dropped included) */
  uint64_t walks;    /* page walks for those accesses, the retries after a fault included */
  uint64_t faults;   /* #PF raised by those walks */
} tlbtrace_counts;

/* Runs the trace; prints the -v lines and always the last line `hits:X misses:Y walks:Z
 * faults:W` on out, errors (a bad trace line) on err. Returns a tb_status (tb_status.h). */
int tlbtrace_run(const tlbtrace_options *o, FILE *out, FILE *err, tlbtrace_counts *counts);

#ifdef __cplusplus
}
#endif

#endif
