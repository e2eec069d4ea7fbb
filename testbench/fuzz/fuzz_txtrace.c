/*
 * libFuzzer harness: the transaction-trace reader and checker of `pmmu check-trace`
 * (testbench/txtrace/txtrace_read.c, txtrace_check.c). The input is a trace file; one that
 * loads is replayed on the model as check-trace does. What must hold for every input: no
 * sanitizer report, no exit or abort, the reader's status is one it documents, and a trace it
 * accepted has its events in cycle order and ends with the end event.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fileno, dup */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_util.h"
#include "txtrace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  FILE *sink = fuzz_sink();
  const char *path = fuzz_write_file(data, size);
  txtrace t;
  tb_error err;
  int st = txtrace_load(path, &t, sink, &err);
  if (st != TB_OK && st != TB_E_INPUT && st != TB_E_NOMEM) {
    fprintf(stderr, "fuzz: txtrace_load returned %d (%s)\n", st, err.msg);
    abort();
  }
  if (st == TB_OK) {
    if (t.n == 0 || t.ev[t.n - 1].kind != TXE_END) {
      fprintf(stderr, "fuzz: an accepted trace without its end event\n");
      abort();
    }
    for (size_t i = 1; i < t.n; i++)
      if (t.ev[i].cycle < t.ev[i - 1].cycle) {
        fprintf(stderr, "fuzz: an accepted trace goes back in time at event %zu\n", i);
        abort();
      }
    txtrace_counts k;
    st = txtrace_check(&t, path, sink, &k, &err);
    if (st != TB_OK && st != TB_MISMATCH && st != TB_E_CONFIG && st != TB_E_INPUT &&
        st != TB_E_NOMEM) {
      fprintf(stderr, "fuzz: txtrace_check returned %d (%s)\n", st, err.msg);
      abort();
    }
    txtrace_free(&t);
  }
  return 0;
}
