/*
 * pmmu_mutant_run FILE...: the scenario files on the model engine alone, for the model
 * mutants (model/mutants/README.md). Each mutant's copy of libpmmu is linked into its own
 * copy of this program, so that the directed test of a rule runs on a model that breaks
 * that rule; the rule's ctest wants exit status 1 (an expectation failed).
 *
 * A file under a directory named golden/ is run as `pmmu run --json` runs it and its output
 * compared with its .jsonl twin (scripts/check-scenario golden): the figures no `expect` line
 * checks, the cycles of T2 and T4, are checked there.
 *
 * exit status: 0 every expectation held (and every golden output equal); 1 an expectation
 * failed or a golden output differed; 2 a file could not be loaded or the engine refused it
 * (never a kill: the test must fail for the rule's reason).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run.h"
#include "scenario.h"

/* The .jsonl twin of a golden FILE.pmmu, whole; NULL when the file is not golden. */
static char *golden_twin(const char *path, size_t *len) {
  size_t n = strlen(path);
  if (!strstr(path, "/golden/") || n < 5 || strcmp(path + n - 5, ".pmmu") != 0) return NULL;
  char twin[4096];
  snprintf(twin, sizeof twin, "%.*s.jsonl", (int)(n - 5), path);
  FILE *f = fopen(twin, "rb");
  if (!f) return NULL;
  char *buf = NULL;
  size_t cap = 0;
  FILE *mem = open_memstream(&buf, &cap);
  int c;
  while (mem && (c = fgetc(f)) != EOF) fputc(c, mem);
  fclose(f);
  if (!mem) return NULL;
  fclose(mem);
  *len = cap;
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE...\n", argv[0]);
    return 2;
  }
  int status = 0;
  for (int i = 1; i < argc; i++) {
    scenario s;
    if (scenario_load(argv[i], &s, stderr)) {
      scenario_free(&s);
      return 2;
    }
    tb_error err;
    engine_setup setup = scenario_engine_setup(&s);
    engine_t *e = engine_create(ENGINE_MODEL, &setup, &err);
    if (!e) {
      fprintf(stderr, "%s: error: %s\n", argv[i], err.msg);
      scenario_free(&s);
      return 2;
    }
    size_t want_len = 0;
    char *want = golden_twin(argv[i], &want_len);
    bool golden = want != NULL;
    char *got = NULL;
    size_t got_len = 0;
    FILE *out = want ? open_memstream(&got, &got_len) : stdout;
    if (!out) {
      fprintf(stderr, "%s: error: no memory\n", argv[i]);
      return 2;
    }
    run_options opt = {.json = want != NULL, .report = stderr, .repro = argv[i]};
    run_result res;
    int st = scenario_run(&s, e, &opt, out, &res, &err);
    if (want) {
      fclose(out);
      if (got_len != want_len || memcmp(got, want, want_len) != 0) {
        printf("%s: the JSON output differs from its .jsonl twin\n", argv[i]);
        status = 1;
      }
      free(got);
    }
    engine_destroy(e);
    scenario_free(&s);
    free(want);
    if (st < 0) {
      fprintf(stderr, "%s\n", err.msg);
      return 2;
    }
    printf("%s: %u accesses, %u expectations, %u failed\n", argv[i], res.accesses, res.expects,
           res.failed);
    if (!golden && st != 0) status = 1; /* a golden file's expectations may fail by design */
  }
  return status;
}
