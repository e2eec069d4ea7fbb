/*
 * Injection in lockstep (docs/verification.md, "Injection"):
 *   pmmu_inject [model|rtl|both] [MUTANT]
 * - interrupt acks (timing.md T10): a fault, an ack some cycles later; a second fault before
 *   the ack (CR2 and the error code overwritten); an ack in the response cycle of a new fault
 *   (the fault wins) and in the cycle after; an ack inside a later walk. The interrupt outputs
 *   are checked against T10 worked by hand (engine_interrupt: the model's prediction) and, on
 *   `both`, compared with the RTL's in every cycle;
 * - reset (hardware-interface.md, "Clock and reset") in every cycle of a walk of each kind (a
 *   4 KiB walk with both A-bit compare-and-swaps, a write's D-bit compare-and-swap, a 4 MiB
 *   page, a not-present fault and its interrupt, a PAE walk), of a PDPTE load, with an INVLPG
 *   and in the cycles around a response: then the engines go on from reset (CR3 and CR4
 *   written again, the tables as the cut walk left them) and must agree on every access.
 * With MUTANT (engine both or rtl), the RTL built with that bug: the run must fail (exit 1).
 * Expected values follow from docs/timing.md with latency 3, no back-pressure.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig.h"

static uint64_t g_resets, g_lost, g_acks;

static void ack(rig *r, uint64_t cycle) {
  if (rig_ok(r, engine_ack(r->e, cycle), "ack")) g_acks++;
}

/* The interrupt outputs in `cycle` as T10 has them. */
static void expect_irq(rig *r, uint64_t cycle, bool line, uint32_t cr2, uint32_t ec) {
  pmmu_interrupt_state s;
  if (engine_interrupt(r->e, cycle, &s) != TB_OK) {
    CHECK(false, "no interrupt state for cycle %" PRIu64, cycle);
    return;
  }
  CHECK(s.pending == line && s.cr2 == cr2 && s.error_code == ec,
        "cycle %" PRIu64 ": line %d CR2 0x%08" PRIx32 " ec 0x%" PRIx32 ", want %d 0x%08" PRIx32
        " 0x%" PRIx32,
        cycle, s.pending, s.cr2, s.error_code, line, cr2, ec);
}

/* ---- Acks ---------------------------------------------------------------------------------- */

static void acks(void) {
  rig r = rig_make();
  /* 1. A not-present PDE: one read, R = A + 5; the line and the latch from R + 1. An ack in
   * R + 2 lowers the line from R + 3 (not R + 4); CR2 stays. */
  pmmu_response f1 = rig_access(&r, LA_NP(0), PMMU_READ, PMMU_SUPERVISOR);
  CHECK(f1.outcome == PMMU_PAGE_FAULT && f1.cycles == 5, "fault 1: outcome %d cycles %u",
        f1.outcome, f1.cycles);
  uint64_t r1 = f1.response_cycle;
  expect_irq(&r, r1, false, 0, 0);
  expect_irq(&r, r1 + 1, true, LA_NP(0), 0);
  ack(&r, r1 + 2);
  expect_irq(&r, r1 + 2, true, LA_NP(0), 0);
  expect_irq(&r, r1 + 3, false, LA_NP(0), 0);
  /* 2. Two faults, no ack between: the second overwrites CR2 and the error code. */
  r.now = r1 + 5;
  pmmu_response f2 = rig_access(&r, LA_NP(1), PMMU_WRITE, PMMU_USER);
  uint64_t r2 = f2.response_cycle;
  pmmu_response f3 = rig_access(&r, LA_NP(2), PMMU_READ, PMMU_USER);
  uint64_t r3 = f3.response_cycle;
  expect_irq(&r, r2 + 1, true, LA_NP(1), PMMU_EC_WR | PMMU_EC_US);
  expect_irq(&r, r3, true, LA_NP(1), PMMU_EC_WR | PMMU_EC_US);
  expect_irq(&r, r3 + 1, true, LA_NP(2), PMMU_EC_US);
  /* 3. An ack in the response cycle of a new fault: the fault wins, the line stays high. */
  pmmu_response f4 = rig_access(&r, LA_NP(3), PMMU_FETCH, PMMU_USER);
  uint64_t r4 = f4.response_cycle;
  ack(&r, r4);
  expect_irq(&r, r4 + 1, true, LA_NP(3), PMMU_EC_US);
  expect_irq(&r, r4 + 4, true, LA_NP(3), PMMU_EC_US);
  /* 4. ... and in the cycle after it: low from R + 2. */
  pmmu_response f5 = rig_access(&r, LA_NP(4), PMMU_WRITE, PMMU_SUPERVISOR);
  uint64_t r5 = f5.response_cycle;
  ack(&r, r5 + 1);
  expect_irq(&r, r5 + 1, true, LA_NP(4), PMMU_EC_WR);
  expect_irq(&r, r5 + 2, false, LA_NP(4), PMMU_EC_WR);
  /* 5. An ack inside the next walk lowers the earlier fault's line only: a fault, then a
   * request presented at R + 1 whose walk (a 4 KiB page, A clear: 4 accesses, 17 cycles) an
   * ack in R + 4 falls inside; then a fault at once after it. */
  r.now = r5 + 3;
  pmmu_response f6 = rig_access(&r, LA_NP(5), PMMU_READ, PMMU_SUPERVISOR);
  uint64_t r6 = f6.response_cycle;
  ack(&r, r6 + 4);
  pmmu_response w = rig_access(&r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR);
  CHECK(w.outcome == PMMU_OK && w.cycles == 17 && w.accept_cycle == r6 + 1,
        "walk: outcome %d cycles %u A %" PRIu64, w.outcome, w.cycles, w.accept_cycle);
  expect_irq(&r, r6 + 4, true, LA_NP(5), 0);
  expect_irq(&r, r6 + 5, false, LA_NP(5), 0);
  expect_irq(&r, w.response_cycle + 1, false, LA_NP(5), 0);
  /* 6. An ack with the line low changes nothing; the next fault raises it again. */
  ack(&r, r.now);
  pmmu_response f7 = rig_access(&r, LA_NP(6), PMMU_READ, PMMU_USER);
  expect_irq(&r, f7.response_cycle + 1, true, LA_NP(6), PMMU_EC_US);
  /* run on past the last cycles, so that lockstep compares them */
  r.now = f7.response_cycle + 6;
  rig_access(&r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR);
  rig_finish(&r);
}

/* ---- Reset in every cycle ------------------------------------------------------------------ */

/* After a reset: boot again and run accesses that read what the cut walk left in memory (the
 * A and D bits its compare-and-swaps set or not), in both halves, and fault once. */
static void go_on(rig *r) {
  rig_boot(r, 0);
  rig_access(r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR);
  rig_access(r, LA4K(0), PMMU_WRITE, PMMU_SUPERVISOR);
  rig_access(r, LA4K(1), PMMU_WRITE, PMMU_USER);
  rig_access(r, LA4M, PMMU_READ, PMMU_USER);
  rig_access(r, LA_NP(0), PMMU_READ, PMMU_USER);
  rig_access(r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR); /* a hit, and the fault's R + 1 passes */
}

typedef enum walk_kind { W_4K_READ, W_4K_WRITE_D, W_4M, W_NOT_PRESENT, W_PAE, W_KINDS } walk_kind;

static const char *const walk_names[] = {"4 KiB read (A CAS x2)", "4 KiB write (D CAS)",
                                         "4 MiB read (A CAS)", "not-present fault",
                                         "PAE 4 KiB read (A CAS x2)"};

/* One walk of `kind` with reset `after` cycles after it is presented; false once the reset
 * comes after the response by more than two cycles (every cycle of the walk is done). */
static bool reset_in_walk(walk_kind kind, unsigned after) {
  rig r = rig_make();
  if (kind == W_4K_WRITE_D) rig_access(&r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR); /* A set, D not */
  if (kind == W_PAE) {
    pmmu_reg_result res;
    rig_ok(&r, engine_write_reg(r.e, REG_CR3, PDPT, r.now, &res), "CR3");
    rig_ok(&r, engine_write_reg(r.e, REG_CR4, PMMU_CR4_PSE | PMMU_CR4_PAE, r.now + 1, &res), "CR4");
    r.now = res.done_cycle + 1;
  }
  pmmu_request q = {.la = kind == W_4M            ? LA4M
                          : kind == W_NOT_PRESENT ? LA_NP(0)
                                                  : LA4K(0),
                    .access = kind == W_4K_WRITE_D ? PMMU_WRITE : PMMU_READ,
                    .priv = PMMU_USER,
                    .cycle = r.now};
  pmmu_response out;
  bool lost = false;
  int st = engine_translate_reset(r.e, &q, q.cycle + after, &out, &lost);
  bool more =
      rig_ok(&r, st, "request with a reset") && (lost || out.response_cycle + 2 > q.cycle + after);
  g_resets++;
  if (lost) g_lost++;
  go_on(&r);
  rig_finish(&r);
  return more;
}

/* A PDPTE load (CR4.PAE on, CR3 = PDPT: four reads, 16 cycles) with reset in every cycle. */
static bool reset_in_load(unsigned after) {
  rig r = rig_make();
  rig_ok(&r, engine_write_reg(r.e, REG_CR3, PDPT, r.now, NULL), "CR3");
  pmmu_reg_result res;
  bool lost = false;
  uint64_t c = r.now + 1;
  int st =
      engine_write_reg_reset(r.e, REG_CR4, PMMU_CR4_PSE | PMMU_CR4_PAE, c, c + after, &res, &lost);
  bool more = rig_ok(&r, st, "PDPTE load with a reset") && (lost || res.done_cycle + 2 > c + after);
  g_resets++;
  if (lost) g_lost++;
  go_on(&r);
  rig_finish(&r);
  return more;
}

/* An INVLPG (a flush command) and the reset in the same cycle, and a reset one cycle after. */
static void reset_with_flush(unsigned later) {
  rig r = rig_make();
  rig_access(&r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR);
  rig_ok(&r, engine_invlpg(r.e, LA4K(0), r.now), "INVLPG");
  rig_ok(&r, engine_reset(r.e, r.now + later), "reset");
  g_resets++;
  go_on(&r);
  rig_finish(&r);
}

/* Reset in the cycles after a fault: the line rises in R + 1 and reset clears it. */
static void resets(void) {
  unsigned before = rig_failures;
  for (walk_kind k = 0; k < W_KINDS; k++) {
    unsigned n = 0;
    while (reset_in_walk(k, n)) n++;
    printf("reset in each of %u cycles of a %s\n", n + 1, walk_names[k]);
  }
  unsigned n = 0;
  while (reset_in_load(n)) n++;
  printf("reset in each of %u cycles of a PDPTE load\n", n + 1);
  reset_with_flush(0);
  reset_with_flush(1);
  CHECK(rig_failures == before, "resets");
}

int main(int argc, char **argv) {
  if (!rig_args(argc, argv)) {
    fprintf(stderr, "usage: pmmu_inject [model|rtl|both] [MUTANT]\n");
    return 2;
  }
  acks();
  resets();
  printf("%u checks, %u failed; %" PRIu64 " acks, %" PRIu64 " resets (%" PRIu64
         " cut an operation short)\n",
         rig_checks, rig_failures, g_acks, g_resets, g_lost);
  return rig_failures ? 1 : 0;
}
