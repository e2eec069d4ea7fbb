/*
 * Functional coverage of the testbench (docs/coverage.md): which kinds of translation, fault,
 * A/D update, flush, replacement and memory timing a run exercised, counted in named bins.
 *
 * A coverage object is an engine observer (engine.h, engine_setup.observer): `pmmu run`,
 * `pmmu cosim` and `pmmu sim` hand it to every engine they make with --coverage FILE.json,
 * in every engine mode, and write the bins at the end. The file is mergeable: `pmmu coverage`
 * adds the counts of several files (a regression's runs, its shards) and prints the table
 * with the holes listed.
 *
 * A bin's name is its coverpoint or cross and the value of each of its dimensions, e.g.
 * "translate/tlb=hit/size=4k/mode=pae/access=write". The universe of bins (every bin that
 * can exist, and for the impossible ones the reason) is coverage_universe(); the counts
 * of a run are only the bins it hit.
 */
#ifndef PMMU_COVERAGE_H
#define PMMU_COVERAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine.h"
#include "tb_status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct coverage coverage;

/* NULL when memory runs out. */
coverage *coverage_create(void);
void coverage_destroy(coverage *c);

/* The observer to put in engine_setup.observer; it lives as long as c. */
const engine_observer *coverage_observer(coverage *c);

/* Counts `n` more hits of the bin NAME (a bin of the universe or not: unknown names are kept
 * and reported as such). false when memory runs out. */
bool coverage_add(coverage *c, const char *name, uint64_t n);
/* The count of a bin (0: not hit). */
uint64_t coverage_count(const coverage *c, const char *name);
/* Every bin counted, sorted by name, in *out (free it; the names belong to c): false when
 * memory runs out. */
typedef struct coverage_entry {
  const char *name;
  uint64_t count;
} coverage_entry;
bool coverage_sorted(const coverage *c, coverage_entry **out, size_t *n);

/* Writes the counts as JSON (docs/coverage.md, "The file"), through tb_file.h: TB_OK or
 * TB_E_IO / TB_E_NOMEM with the message in *err. */
int coverage_write(const coverage *c, const char *path, tb_error *err);
/* Reads a file written by coverage_write and adds its counts to c. TB_OK, or TB_E_IO /
 * TB_E_INVALID after messages "PATH:LINE: error: WHAT" on `errs` (c unchanged). */
int coverage_merge_file(coverage *c, const char *path, FILE *errs);

/* ---- The universe ------------------------------------------------------------------------- */

typedef struct coverage_bin {
  const char *name;
  const char *group;      /* the coverpoint or cross: the part before the first '/' */
  const char *impossible; /* NULL, or why no run can hit it */
  bool matters;           /* a hole here is a gap in the verification (docs/coverage.md) */
} coverage_bin;

/* Calls fn for every bin of the universe in the table's order: the fixed bins, then the
 * replacement victims of every TLB geometry and policy c recorded. */
void coverage_universe(const coverage *c, void (*fn)(void *ctx, const coverage_bin *bin),
                       void *ctx);

/* The table (one row per group: possible, hit, holes, impossible), the holes (with `holes`:
 * each listed, those that matter marked), impossible bins that were hit and unknown bins.
 * Fills the totals when the pointers are not NULL. */
typedef struct coverage_totals {
  uint64_t possible, hit, holes, holes_that_matter, impossible, impossible_hit, unknown;
} coverage_totals;
/* out NULL: the totals only. */
void coverage_print(const coverage *c, FILE *out, bool holes, coverage_totals *totals);

#ifdef __cplusplus
}
#endif

#endif
