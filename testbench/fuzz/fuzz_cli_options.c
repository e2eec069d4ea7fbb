/*
 * libFuzzer harness: the option parser of every `pmmu` command (testbench/cli/options.c,
 * library pmmu_cli_options). The input is an argument vector, its words separated by NUL
 * bytes (the corpus in corpus/cli_options/seeds holds the command lines of the CLI tests);
 * it is parsed against a table with one option of every type. What must hold for every input:
 * no sanitizer report, no exit or abort, the status is 0 or 2, and after 0 every number is
 * inside its stated range, a range's bounds are in order, and the operands fit.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fileno, dup */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool choose_color(const char *word, void *dest) {
  static const char *const words[] = {"red", "green", "blue"};
  for (int i = 0; i < 3; i++)
    if (strcmp(word, words[i]) == 0) {
      *(int *)dest = i;
      return true;
    }
  return false;
}

#define MAX_ARGS 64

static void check(bool ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "fuzz: %s\n", what);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* argv: "pmmu-fuzz", then the NUL-separated words (a copy: the parser may keep pointers) */
  char *text = malloc(size + 1);
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  char *argv[MAX_ARGS + 2];
  int argc = 0;
  argv[argc++] = "pmmu-fuzz";
  for (size_t i = 0; i <= size && argc <= MAX_ARGS; i += strlen(text + i) + 1)
    argv[argc++] = text + i;
  argv[argc] = NULL;

  bool flag = false, help = false, given_seed = false;
  unsigned count = 7, lo = 1, hi = 1;
  uint64_t seed = 1;
  const char *file = NULL;
  int color = -1;
  const cli_option opts[] = {
      {.name = "--quiet", .type = CLI_FLAG, .dest = &flag},
      {.name = "--help", .type = CLI_HELP, .dest = &help},
      {.name = "--count", .type = CLI_UNSIGNED, .dest = &count, .min = 1, .max = 1000},
      {.name = "--seed",
       .type = CLI_U64,
       .dest = &seed,
       .min = 0,
       .max = UINT64_MAX,
       .given = &given_seed},
      {.name = "--latency", .type = CLI_RANGE, .dest = &lo, .dest2 = &hi, .min = 1, .max = 64},
      {.name = "--out", .type = CLI_STRING, .dest = &file, .what = "a file name"},
      {.name = "--color",
       .type = CLI_CHOICE,
       .dest = &color,
       .choose = choose_color,
       .what = "red, green or blue"},
      {.name = NULL},
  };
  char *operands[3];
  cli_command cmd = {.prog = "pmmu fuzz",
                     .help = "pmmu fuzz --help",
                     .opts = {opts},
                     .operands = operands,
                     .max_operands = 3};
  unsigned n = 0;

  /* the parser prints its usage errors on standard error: silenced unless PMMU_FUZZ_VERBOSE */
  int saved = -1;
  if (fuzz_sink() != stderr) {
    fflush(stderr);
    saved = dup(2);
    dup2(fileno(fuzz_sink()), 2);
  }
  int st = cli_parse(&cmd, argc, argv, &n);
  if (saved >= 0) {
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
  }

  check(st == 0 || st == 2, "status neither 0 nor 2");
  if (st == 0) {
    check(count >= 1 && count <= 1000, "--count out of its range");
    check(lo >= 1 && hi <= 64 && lo <= hi, "--latency out of its range or reversed");
    check(n <= 3, "more operands than allowed");
    for (unsigned i = 0; i < n; i++) check(operands[i] != NULL, "an operand is NULL");
    check(color >= -1 && color <= 2, "--color not one of its words");
  }
  /* the number parser alone, on every word: a number it accepts prints back as itself */
  for (int i = 1; i < argc; i++) {
    uint64_t v;
    if (cli_parse_u64(argv[i], &v)) {
      const char *s = argv[i];
      bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
      char *end;
      unsigned long long ref = strtoull(s, &end, hex ? 16 : 10);
      check(*s >= '0' && *s <= '9', "a number that does not start with a digit");
      check(*end == '\0' && ref == v, "a number read otherwise than strtoull reads it");
    }
  }
  free(text);
  return 0;
}
