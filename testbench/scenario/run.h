/* Running a checked scenario on an engine, printing what scenario-format.md says. */
#ifndef PMMU_SCENARIO_RUN_H
#define PMMU_SCENARIO_RUN_H

#include <stdio.h>

#include "engine.h"
#include "scenario.h"

typedef struct run_options {
  bool json;         /* JSON Lines (the contract) instead of the readable form */
  bool name_file;    /* add "file" to every JSON line (several files in one run) */
  bool quiet;        /* print nothing (pmmu explain replays a scenario silently) */
  bool tlb_state;    /* with json: a "tlb-state" line after every access (needs the model) */
  FILE *report;      /* lockstep differences, as they are found (NULL: not printed) */
  const char *repro; /* the command printed with them */
} run_options;

typedef struct run_result {
  unsigned accesses, expects, failed;
  uint64_t cycles; /* the last cycle the scenario used */
  bool stopped;    /* cut short by the budget or a stop signal (tb_budget.h) */
  /* The first failure, as data (pmmu shrink keeps a failure's kind): the line of the first
   * expectation that failed (0: none), and the first lockstep difference record, copied
   * before the records are printed or cleared (have_mismatch). */
  unsigned first_failed_line;
  char first_failed_want[96], first_failed_got[96]; /* as the expect line prints them */
  bool have_mismatch;
  engine_mismatch first_mismatch;
} run_result;

/* The engine a scenario asks for: its tlb and memory lines. */
engine_setup scenario_engine_setup(const scenario *s);

/* Runs every command in order. Cycles: an access is presented in the cycle after the previous
 * command finished; a register write or INVLPG takes one cycle (PDPTE loads longer); a timed
 * command (`at CYCLE`, flush, ack, poke: scenario-format.md, "Cycles") in its own cycle, or, when
 * that is too early, the run stops with "FILE:LINE: error: ..." in *err (TB_E_INVALID).
 * Returns TB_OK; TB_EXPECT when an expectation failed; TB_MISMATCH when the engines
 * differed (each difference printed on opt->report as it is found; the run goes on);
 * TB_HANG when the RTL gave no response (the run stops there); result->stopped when the
 * budget (tb_budget.h) ran out before a command (the run stops there); or, when the engine refused
 * an operation (a bug), a negative status with "FILE:LINE: internal error: ..." in *err (the
 * run stops there). */
int scenario_run(const scenario *s, engine_t *e, const run_options *opt, FILE *out,
                 run_result *result, tb_error *err);

/* Entry flags as "P W U A D PS G ..." (set bits only), for people. Returns buf. */
const char *scenario_entry_flags(uint64_t value, bool wide, char *buf, size_t len);

#endif
