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

#include "engine.h"

static engine_kind g_kind = ENGINE_MODEL;
static const char *g_mutant;
static unsigned g_failures, g_checks;
static uint64_t g_resets, g_lost, g_acks;

#define CHECK(cond, ...)                          \
  do {                                            \
    g_checks++;                                   \
    if (!(cond)) {                                \
      g_failures++;                               \
      printf("FAIL %s:%d: ", __func__, __LINE__); \
      printf(__VA_ARGS__);                        \
      printf("\n");                               \
    }                                             \
  } while (0)

/* 32-bit tables: directory at 0x1000, table at 0x2000; LA4K(n) maps frame 0x100000 + n*0x1000
 * (P W U, A and D clear); PDE[2] (LA4M) a 4 MiB page at 0x01000000 (P W U PS, A clear); PDE[3]
 * not present (LA_NP + n*0x1000 fault). PAE: PDPT at 0x3000 (PDPTE[0] -> 0x4000), directory
 * at 0x4000 with PDE[2] -> table 0x5000, whose PTE[0] maps 0x00400000 to 0x200000. */
#define DIR 0x1000u
#define TABLE 0x2000u
#define LA4K(n) (0x00400000u + (uint32_t)(n)*0x1000u)
#define LA4M 0x00800000u
#define LA_NP(n) (0x00C00010u + (uint32_t)(n)*0x1000u)
#define PDPT 0x3000u
#define PAE_DIR 0x4000u
#define PAE_TABLE 0x5000u
#define PWU 0x7u

typedef struct rig {
  engine_t *e;
  uint64_t now;
} rig;

static void poke(rig *r, uint64_t pa, unsigned size, uint64_t value) {
  if (engine_mem_write(r->e, pa, size, value) != TB_OK) {
    printf("cannot write memory: %s\n", engine_error(r->e)->msg);
    exit(2);
  }
}

/* The page tables, fresh: every A and D bit clear. */
static void tables(rig *r) {
  poke(r, DIR + 4 * 1, 4, TABLE | PWU);
  for (unsigned n = 0; n < 4; n++) poke(r, TABLE + 4 * n, 4, (0x100000u + n * 0x1000u) | PWU);
  poke(r, DIR + 4 * 2, 4, 0x01000000u | 0x80u | PWU);
  poke(r, DIR + 4 * 3, 4, 0);
  poke(r, PDPT, 8, PAE_DIR | 1u);
  for (unsigned i = 1; i < 4; i++) poke(r, PDPT + 8 * i, 8, 0);
  poke(r, PAE_DIR + 8 * 2, 8, PAE_TABLE | PWU);
  poke(r, PAE_TABLE, 8, 0x200000u | PWU);
}

static void report(rig *r) {
  engine_report_pending(r->e, stdout, "pmmu_inject (see testbench/directed/inject.c)");
}

/* An operation's status: lockstep differences are reported (and counted by finish()). */
static bool ok(rig *r, int st, const char *what) {
  report(r);
  if (st == TB_OK || st == TB_MISMATCH) return true;
  printf("FAIL: %s: %s (%s)\n", what, tb_status_name(st), engine_error(r->e)->msg);
  g_failures++;
  return false;
}

/* Out of reset (cycle `c`): CR3 in c, CR4.PSE in c + 1 (32-bit paging). */
static void boot(rig *r, uint64_t c) {
  ok(r, engine_write_reg(r->e, REG_CR3, DIR, c, NULL), "CR3");
  ok(r, engine_write_reg(r->e, REG_CR4, PMMU_CR4_PSE, c + 1, NULL), "CR4");
  r->now = c + 2;
}

static rig make(void) {
  engine_setup s = {.tlb_sets = 16, .tlb_ways = 4, .tlb_large = 8, .policy = PMMU_POLICY_PLRU};
  pmem_timing_init(&s.timing);
  tb_error err;
  rig r = {.e = engine_create_mutant(g_kind, &s, g_mutant, &err)};
  if (!r.e) {
    printf("cannot make the engine: %s\n", err.msg);
    exit(2);
  }
  tables(&r);
  boot(&r, 0);
  return r;
}

static pmmu_response access(rig *r, uint32_t la, pmmu_access acc, pmmu_priv priv) {
  pmmu_request q = {.la = la, .access = acc, .priv = priv, .cycle = r->now};
  pmmu_response out;
  memset(&out, 0, sizeof out);
  if (!ok(r, engine_translate(r->e, &q, &out), "request")) return out;
  r->now = out.response_cycle + 1;
  return out;
}

static void ack(rig *r, uint64_t cycle) {
  if (ok(r, engine_ack(r->e, cycle), "ack")) g_acks++;
}

static void finish(rig *r) {
  ok(r, engine_finish(r->e), "finish");
  CHECK(engine_mismatch_count(r->e) == 0, "%" PRIu64 " lockstep mismatches",
        engine_mismatch_count(r->e));
  CHECK(engine_rtl_errors(r->e) == 0, "%d RTL assertion failures", engine_rtl_errors(r->e));
  engine_destroy(r->e);
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
  rig r = make();
  /* 1. A not-present PDE: one read, R = A + 5; the line and the latch from R + 1. An ack in
   * R + 2 lowers the line from R + 3 (not R + 4); CR2 stays. */
  pmmu_response f1 = access(&r, LA_NP(0), PMMU_READ, PMMU_SUPERVISOR);
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
  pmmu_response f2 = access(&r, LA_NP(1), PMMU_WRITE, PMMU_USER);
  uint64_t r2 = f2.response_cycle;
  pmmu_response f3 = access(&r, LA_NP(2), PMMU_READ, PMMU_USER);
  uint64_t r3 = f3.response_cycle;
  expect_irq(&r, r2 + 1, true, LA_NP(1), PMMU_EC_WR | PMMU_EC_US);
  expect_irq(&r, r3, true, LA_NP(1), PMMU_EC_WR | PMMU_EC_US);
  expect_irq(&r, r3 + 1, true, LA_NP(2), PMMU_EC_US);
  /* 3. An ack in the response cycle of a new fault: the fault wins, the line stays high. */
  pmmu_response f4 = access(&r, LA_NP(3), PMMU_FETCH, PMMU_USER);
  uint64_t r4 = f4.response_cycle;
  ack(&r, r4);
  expect_irq(&r, r4 + 1, true, LA_NP(3), PMMU_EC_US);
  expect_irq(&r, r4 + 4, true, LA_NP(3), PMMU_EC_US);
  /* 4. ... and in the cycle after it: low from R + 2. */
  pmmu_response f5 = access(&r, LA_NP(4), PMMU_WRITE, PMMU_SUPERVISOR);
  uint64_t r5 = f5.response_cycle;
  ack(&r, r5 + 1);
  expect_irq(&r, r5 + 1, true, LA_NP(4), PMMU_EC_WR);
  expect_irq(&r, r5 + 2, false, LA_NP(4), PMMU_EC_WR);
  /* 5. An ack inside the next walk lowers the earlier fault's line only: a fault, then a
   * request presented at R + 1 whose walk (a 4 KiB page, A clear: 4 accesses, 17 cycles) an
   * ack in R + 4 falls inside; then a fault at once after it. */
  r.now = r5 + 3;
  pmmu_response f6 = access(&r, LA_NP(5), PMMU_READ, PMMU_SUPERVISOR);
  uint64_t r6 = f6.response_cycle;
  ack(&r, r6 + 4);
  pmmu_response w = access(&r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR);
  CHECK(w.outcome == PMMU_OK && w.cycles == 17 && w.accept_cycle == r6 + 1,
        "walk: outcome %d cycles %u A %" PRIu64, w.outcome, w.cycles, w.accept_cycle);
  expect_irq(&r, r6 + 4, true, LA_NP(5), 0);
  expect_irq(&r, r6 + 5, false, LA_NP(5), 0);
  expect_irq(&r, w.response_cycle + 1, false, LA_NP(5), 0);
  /* 6. An ack with the line low changes nothing; the next fault raises it again. */
  ack(&r, r.now);
  pmmu_response f7 = access(&r, LA_NP(6), PMMU_READ, PMMU_USER);
  expect_irq(&r, f7.response_cycle + 1, true, LA_NP(6), PMMU_EC_US);
  /* run on past the last cycles, so that lockstep compares them */
  r.now = f7.response_cycle + 6;
  access(&r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR);
  finish(&r);
}

/* ---- Reset in every cycle ------------------------------------------------------------------ */

/* After a reset: boot again and run accesses that read what the cut walk left in memory (the
 * A and D bits its compare-and-swaps set or not), in both halves, and fault once. */
static void go_on(rig *r) {
  boot(r, 0);
  access(r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR);
  access(r, LA4K(0), PMMU_WRITE, PMMU_SUPERVISOR);
  access(r, LA4K(1), PMMU_WRITE, PMMU_USER);
  access(r, LA4M, PMMU_READ, PMMU_USER);
  access(r, LA_NP(0), PMMU_READ, PMMU_USER);
  access(r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR); /* a hit, and the fault's R + 1 passes */
}

typedef enum walk_kind { W_4K_READ, W_4K_WRITE_D, W_4M, W_NOT_PRESENT, W_PAE, W_KINDS } walk_kind;

static const char *const walk_names[] = {"4 KiB read (A CAS x2)", "4 KiB write (D CAS)",
                                         "4 MiB read (A CAS)", "not-present fault",
                                         "PAE 4 KiB read (A CAS x2)"};

/* One walk of `kind` with reset `after` cycles after it is presented; false once the reset
 * comes after the response by more than two cycles (every cycle of the walk is done). */
static bool reset_in_walk(walk_kind kind, unsigned after) {
  rig r = make();
  if (kind == W_4K_WRITE_D) access(&r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR); /* A set, D not */
  if (kind == W_PAE) {
    pmmu_reg_result res;
    ok(&r, engine_write_reg(r.e, REG_CR3, PDPT, r.now, &res), "CR3");
    ok(&r, engine_write_reg(r.e, REG_CR4, PMMU_CR4_PSE | PMMU_CR4_PAE, r.now + 1, &res), "CR4");
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
      ok(&r, st, "request with a reset") && (lost || out.response_cycle + 2 > q.cycle + after);
  g_resets++;
  if (lost) g_lost++;
  go_on(&r);
  finish(&r);
  return more;
}

/* A PDPTE load (CR4.PAE on, CR3 = PDPT: four reads, 16 cycles) with reset in every cycle. */
static bool reset_in_load(unsigned after) {
  rig r = make();
  ok(&r, engine_write_reg(r.e, REG_CR3, PDPT, r.now, NULL), "CR3");
  pmmu_reg_result res;
  bool lost = false;
  uint64_t c = r.now + 1;
  int st =
      engine_write_reg_reset(r.e, REG_CR4, PMMU_CR4_PSE | PMMU_CR4_PAE, c, c + after, &res, &lost);
  bool more = ok(&r, st, "PDPTE load with a reset") && (lost || res.done_cycle + 2 > c + after);
  g_resets++;
  if (lost) g_lost++;
  go_on(&r);
  finish(&r);
  return more;
}

/* An INVLPG (a flush command) and the reset in the same cycle, and a reset one cycle after. */
static void reset_with_flush(unsigned later) {
  rig r = make();
  access(&r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR);
  ok(&r, engine_invlpg(r.e, LA4K(0), r.now), "INVLPG");
  ok(&r, engine_reset(r.e, r.now + later), "reset");
  g_resets++;
  go_on(&r);
  finish(&r);
}

/* Reset in the cycles after a fault: the line rises in R + 1 and reset clears it. */
static void resets(void) {
  unsigned before = g_failures;
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
  CHECK(g_failures == before, "resets");
}

int main(int argc, char **argv) {
  if (argc > 1 && !engine_kind_parse(argv[1], &g_kind)) {
    fprintf(stderr, "usage: pmmu_inject [model|rtl|both] [MUTANT]\n");
    return 2;
  }
  if (argc > 2) g_mutant = argv[2];
  acks();
  resets();
  printf("%u checks, %u failed; %" PRIu64 " acks, %" PRIu64 " resets (%" PRIu64
         " cut an operation short)\n",
         g_checks, g_failures, g_acks, g_resets, g_lost);
  return g_failures ? 1 : 0;
}
