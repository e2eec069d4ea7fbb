/*
 * libFuzzer harness: the access-trace reader of `pmmu sim --trace` and `pmmu trace`
 * (testbench/os/workload.c: native `PID R|W|X 0xADDR` lines and Valgrind lackey lines), and a
 * trace it accepts run by the testbench OS on the model engine, as `pmmu sim --trace` does.
 * What must hold for every input: no sanitizer report, no exit or abort, the reader returns 0
 * or 2, every record it accepted is an operation it knows, and the OS never finds its own
 * state wrong (sim_run's TB_EXPECT: data, kernel or invariant errors) running it.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fileno, dup */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "sim.h"
#include "workload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *sink = fuzz_sink();
  const char *path = fuzz_write_file(data, size);
  os_config layout;
  os_config_init(&layout);
  trace t;
  int st = trace_load(path, &layout, 0, &t, sink);
  if (st != 0 && st != 2) {
    fprintf(stderr, "fuzz: trace_load returned %d\n", st);
    abort();
  }
  if (st != 0) return 0;
  for (size_t i = 0; i < t.n; i++)
    if (t.v[i].op > TR_EXIT) {
      fprintf(stderr, "fuzz: record %zu has operation %u\n", i, t.v[i].op);
      abort();
    }
  trace_free(&t);

  sim_options o;
  sim_options_init(&o);
  o.trace = path;
  o.accesses = 0; /* all of it: bounded by the input's length */
  o.engine = ENGINE_MODEL;
  o.silent = true;
  o.quiet_status = true;
  o.os.frames = 64; /* few frames: swapping and reclaim early */
  /* A swap area that an input of -max_len=8192 cannot fill (a line touches at most two pages,
   * and takes at least 7 bytes), and that os_check, run after every fault, walks in little
   * time (the default's 65536 slots made the harness five times slower). */
  o.os.swap_slots = 8192;
  o.os.check_every = 1;
  o.os.log = sink;
  o.repro = "fuzz";
  sim_result res;
  st = sim_run(&o, sink, sink, &res);
  if (st == TB_EXPECT || st == TB_MISMATCH || st == TB_HANG) {
    fprintf(stderr, "fuzz: sim_run returned %d (%llu data, %llu kernel, %llu check errors)\n", st,
            (unsigned long long)res.data_errors, (unsigned long long)res.kernel_errors,
            (unsigned long long)res.check_failures);
    abort();
  }
  return 0;
}
