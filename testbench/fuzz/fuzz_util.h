/*
 * Shared by the libFuzzer harnesses (docs/verification.md "Fuzzing"): a sink for the
 * diagnostics of the code under test (printing them would slow the fuzzer tenfold and tell it
 * nothing), and a scratch file for the readers that take a path rather than bytes.
 */
#ifndef PMMU_FUZZ_UTIL_H
#define PMMU_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Where diagnostics go: /dev/null, or standard error when PMMU_FUZZ_VERBOSE is set (to see
 * what a regression input makes the parser say). Opened once. */
static inline FILE *fuzz_sink(void) {
  static FILE *sink;
  if (!sink) sink = getenv("PMMU_FUZZ_VERBOSE") ? stderr : fopen("/dev/null", "w");
  if (!sink) {
    perror("fuzz: /dev/null");
    abort(); /* the harness cannot run at all: not an input's fault */
  }
  return sink;
}

static char fuzz_path[4096];
static inline void fuzz_remove_file(void) { unlink(fuzz_path); }

/* Writes the input to this process's scratch file (in $TMPDIR or /tmp, removed at exit) and
 * returns its path: the trace readers read files, as `pmmu sim` and `pmmu check-trace` do. */
static inline const char *fuzz_write_file(const uint8_t *data, size_t size) {
  if (!fuzz_path[0]) {
    const char *dir = getenv("TMPDIR");
    snprintf(fuzz_path, sizeof fuzz_path, "%s/pmmu-fuzz-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(fuzz_path);
    if (fd < 0) {
      perror("fuzz: mkstemp");
      abort();
    }
    close(fd);
    atexit(fuzz_remove_file);
  }
  FILE *f = fopen(fuzz_path, "wb");
  if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
    perror(fuzz_path);
    abort(); /* the scratch file could not be written: the machine's fault, not the input's */
  }
  return fuzz_path;
}

#endif
