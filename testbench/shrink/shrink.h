/*
 * Delta debugging of a failing input made of lines (pmmu shrink; docs/verification.md,
 * "Shrinking"). The input is a list of lines; a test says whether a candidate (some of the
 * lines, in their order, maybe with simpler values) still fails the same way. The shrinker
 * knows nothing of what the lines mean, so every command of the scenario language, present
 * or future, shrinks alike: a candidate the parser rejects is simply one that does not fail.
 *
 *  1. ddmin (Zeller and Hildebrandt, "Simplifying and Isolating Failure-Inducing Input",
 *     IEEE TSE 2002) over the lines: subsets, then complements, at ever finer granularity,
 *     until the result is 1-minimal (no single line can go).
 *  2. Values: in each line, a token that is not the first may go (optional words such as
 *     `user`, `ac`); a number (decimal, 0x hexadecimal, or the value of KEY=NUMBER) becomes 0,
 *     else loses its set bits one at a time from the highest (fewer bits set, smaller
 *     addresses; a value the parser refuses, such as a misaligned address, is not failing).
 *  3. Again from 1 while anything changed (a simpler value may free a line).
 *
 * Deterministic: the same input and test give the same result. Every candidate's verdict is
 * cached (by a 64-bit hash of its lines), so that no candidate runs twice.
 */
#ifndef PMMU_SHRINK_H
#define PMMU_SHRINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One line: `id` stays with it through every change of its text (a test may follow a line,
 * such as the expectation that fails, by its id). */
typedef struct shrink_line {
  unsigned id;
  const char *text;
} shrink_line;

/* The test of a candidate: 1 when it still fails the same way, 0 when not, a negative value to
 * stop shrinking at once (the budget ran out, an infrastructure error): shrink_run returns it,
 * with the smallest failing candidate found so far as its result. */
typedef int (*shrink_test)(void *ctx, const shrink_line *lines, size_t n);

typedef struct shrink_config {
  shrink_test test;
  void *ctx;
  unsigned max_rounds; /* rounds of steps 1-2 (0: until nothing changes) */
  bool no_values;      /* skip step 2 */
} shrink_config;

typedef struct shrink_result {
  shrink_line *lines; /* the smallest failing candidate (texts owned by the result) */
  size_t n;
  uint64_t tests;  /* candidates run (the test called) */
  uint64_t cached; /* candidates answered from the cache */
  unsigned rounds;
  struct shrink_cache *cache; /* the verdicts so far (internal) */
} shrink_result;

/* Shrinks `in` (n lines, which must fail: the test is not asked about it). 0 when done, a
 * negative test verdict when the test stopped it, SHRINK_E_NOMEM; *out holds the smallest
 * failing candidate in every case but SHRINK_E_NOMEM (then it is empty). */
#define SHRINK_E_NOMEM (-1000)
int shrink_run(const shrink_config *cfg, const shrink_line *in, size_t n, shrink_result *out);
void shrink_result_free(shrink_result *r);

/* Steps 1 and 2 alone, on a result in place (for tests and callers with their own loop). The
 * same returns; *changed tells whether anything went. */
int shrink_ddmin(const shrink_config *cfg, shrink_result *r, bool *changed);
int shrink_values(const shrink_config *cfg, shrink_result *r, bool *changed);

#endif
