/* The shrinker on synthetic predicates (shrink.h): what it keeps, what it simplifies, that it
 * is deterministic, that a stop keeps a failing candidate. */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shrink.h"

static int failures;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      failures++;                                                              \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                            \
      fputc('\n', stderr);                                                     \
    }                                                                          \
  } while (0)

/* The synthetic failure: lines 3, 17 and 42 are all there, in that order; line 17's second
 * token is a number with bit 4 set; line 42 keeps its token "needed". A line "poison" makes it
 * pass (as a command that hides a bug would). */
typedef struct pred {
  unsigned calls, stop_after;
} pred;

static bool has_token(const char *text, const char *word) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", text);
  for (char *t = strtok(buf, " \t"); t; t = strtok(NULL, " \t"))
    if (strcmp(t, word) == 0) return true;
  return false;
}

static int fails(void *ctx, const shrink_line *l, size_t n) {
  pred *p = ctx;
  p->calls++;
  if (p->stop_after && p->calls > p->stop_after) return -5;
  unsigned want[] = {3, 17, 42}, k = 0;
  for (size_t i = 0; i < n; i++) {
    if (strstr(l[i].text, "poison")) return 0;
    if (k < 3 && l[i].id == want[k]) {
      if (l[i].id == 17) {
        const char *sp = strchr(l[i].text, ' ');
        if (!sp || !(strtoull(sp + 1, NULL, 0) & 0x10)) return 0;
      }
      if (l[i].id == 42 && !has_token(l[i].text, "needed")) return 0;
      k++;
    }
  }
  return k == 3;
}

static int always(void *ctx, const shrink_line *l, size_t n) {
  (void)ctx;
  (void)l;
  (void)n;
  return 1;
}

static void make_input(shrink_line *in, char texts[][64], size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (i == 17) snprintf(texts[i], 64, "set 0xff 12 extra");
    else if (i == 42) snprintf(texts[i], 64, "cmd needed 0x1000 optional");
    else snprintf(texts[i], 64, "line%zu %zu", i, i * 7);
    in[i] = (shrink_line){.id = (unsigned)i, .text = texts[i]};
  }
}

int main(void) {
  enum { N = 100 };
  shrink_line in[N];
  char texts[N][64];
  make_input(in, texts, N);

  /* lines and values */
  pred p = {0};
  shrink_config cfg = {.test = fails, .ctx = &p};
  shrink_result r;
  CHECK(shrink_run(&cfg, in, N, &r) == 0, "shrink_run failed");
  CHECK(r.n == 3, "%zu lines left, want 3", r.n);
  if (r.n == 3) {
    CHECK(r.lines[0].id == 3 && r.lines[1].id == 17 && r.lines[2].id == 42, "wrong lines kept");
    CHECK(strcmp(r.lines[0].text, "line3") == 0, "line 3 is '%s', want 'line3'", r.lines[0].text);
    CHECK(strcmp(r.lines[1].text, "set 0x10") == 0, "line 17 is '%s', want 'set 0x10'",
          r.lines[1].text);
    CHECK(strcmp(r.lines[2].text, "cmd needed") == 0, "line 42 is '%s', want 'cmd needed'",
          r.lines[2].text);
  }
  CHECK(fails(&p, r.lines, r.n) == 1, "the result does not fail");
  CHECK(r.cached > 0, "no candidate came from the cache");
  CHECK(p.calls == r.tests + 1, "%u calls for %" PRIu64 " tests", p.calls, r.tests);
  uint64_t tests = r.tests;
  shrink_result_free(&r);

  /* deterministic: the same run asks the same number of questions */
  pred p2 = {0};
  cfg.ctx = &p2;
  CHECK(shrink_run(&cfg, in, N, &r) == 0 && r.tests == tests,
        "second run: %" PRIu64 " tests, first %" PRIu64, r.tests, tests);
  shrink_result_free(&r);

  /* a poison line between the needed ones stays out; lines alone (no values) */
  snprintf(texts[20], 64, "poison");
  pred p3 = {0};
  shrink_config lines_only = {.test = fails, .ctx = &p3, .no_values = true};
  CHECK(shrink_run(&lines_only, in, N, &r) == 0 && r.n == 3, "with poison: %zu lines", r.n);
  if (r.n == 3)
    CHECK(strcmp(r.lines[1].text, "set 0xff 12 extra") == 0, "values changed with no_values: '%s'",
          r.lines[1].text);
  shrink_result_free(&r);
  snprintf(texts[20], 64, "line20 140");

  /* a stop: the test's verdict comes back, the result still fails */
  for (unsigned stop = 1; stop < tests; stop += 13) {
    pred p4 = {.stop_after = stop};
    cfg.ctx = &p4;
    int st = shrink_run(&cfg, in, N, &r);
    CHECK(st == -5, "stop after %u: status %d", stop, st);
    pred check = {0};
    CHECK(fails(&check, r.lines, r.n) == 1, "stop after %u: the result does not fail", stop);
    shrink_result_free(&r);
  }

  /* already minimal in lines: nothing goes but what the values allow */
  pred p5 = {0};
  cfg.ctx = &p5;
  shrink_line three[3] = {in[3], in[17], in[42]};
  CHECK(shrink_run(&cfg, three, 3, &r) == 0 && r.n == 3, "the needed three: %zu", r.n);
  shrink_result_free(&r);

  /* a failure that needs nothing: the empty candidate */
  shrink_config anything = {.test = always, .ctx = NULL};
  CHECK(shrink_run(&anything, in, N, &r) == 0 && r.n == 0, "always failing: %zu lines", r.n);
  shrink_result_free(&r);

  if (failures) {
    fprintf(stderr, "shrink_tests: %d checks failed\n", failures);
    return 1;
  }
  printf("shrink_tests: all checks passed\n");
  return 0;
}
