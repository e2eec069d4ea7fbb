/*
 * libFuzzer harness: the `.pmmu` scenario parser and runner (testbench/scenario/). The input
 * is a scenario's text; one that parses is run on the model engine, readable and JSON output
 * both (to a sink), as `pmmu run` does. What must hold for every input: no sanitizer report,
 * no exit or abort, and a run of a scenario that parsed cleanly never reports an internal
 * error (every bad value is the parser's to reject, with FILE:LINE). The run is bounded: a
 * scenario has at most one access per line, and each access finishes in a bounded number of
 * cycles (the model's walk has at most 4 levels, the latency at most what `memory` allows).
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fileno, dup */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "fuzz_util.h"
#include "run.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *sink = fuzz_sink();
  scenario s;
  unsigned errors = scenario_parse("fuzz.pmmu", (const char *)data, size, &s, sink);
  if (errors == 0) {
    for (int json = 0; json < 2; json++) {
      engine_setup setup = scenario_engine_setup(&s);
      tb_error err;
      engine_t *e = engine_create(ENGINE_MODEL, &setup, &err);
      if (!e) {
        /* the parser accepted a geometry or timing the engine refuses: the parser's bug */
        fprintf(stderr, "fuzz: parsed scenario, engine refused: %s\n", err.msg);
        abort();
      }
      run_options opt = {
          .json = json != 0, .tlb_state = json != 0, .report = sink, .repro = "fuzz"};
      run_result res;
      int st = scenario_run(&s, e, &opt, sink, &res, &err);
      if (st == TB_E_INPUT) { /* a timed command found too early while running: bad input (run.c) */
        engine_destroy(e);
        break;
      }
      if (st < 0) {
        fprintf(stderr, "fuzz: parsed scenario, internal error: %s\n", err.msg);
        abort();
      }
      if (res.accesses != s.n_accesses) {
        fprintf(stderr, "fuzz: %u accesses run, %u in the scenario\n", res.accesses, s.n_accesses);
        abort();
      }
      engine_destroy(e);
    }
  }
  scenario_free(&s);
  return 0;
}
