/*
 * Requests while the block is busy (docs/verification.md, "Requests while busy"):
 *   pmmu_busy [model|rtl|both] [MUTANT]
 * A request presented in every cycle relative to each thing that keeps the block busy or
 * changes what a lookup sees, before, during, on the last cycle and after it, with the cycles
 * and results worked by hand from docs/timing.md (latency 3, no back-pressure) and, on
 * `both`, the accept cycle and everything else compared with the RTL's:
 * - a PDPTE load (T11): presented from the load's command cycle c to past D, accepted in
 *   max(presented, D); and a load refused with #GP(0) for a bad PDPTE at each index, after
 *   which no register changed (32-bit paging goes on as before);
 * - a CR3 write (T8, x86-paging.md section 8): the request in the write's cycle and after
 *   it misses; a global page survives;
 * - an INVLPG (T6) given in every cycle around a hit's lookup: the lookup in the INVLPG's
 *   cycle still hits, the one after misses;
 * - a flush command during a walk (T7), in every cycle from its acceptance to past its
 *   response, of another page (INVLPG) and non-global: the fill is cancelled exactly when the
 *   flush comes in A + 1 .. R, which the next access tells (hit or miss).
 * With MUTANT (engine both or rtl), the RTL built with that bug: the run must fail (exit 1).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rig.h"

#define LOAD_CYCLES 16u      /* T11: four PDPTE reads, 4 (1 + L) with L = 3 */
#define WALK_A_CYCLES 17u    /* a 4 KiB walk with both A-bit CASes: 4 accesses */
#define PAE_PAGE 0x00400000u /* the PAE tables' one page, at 0x200000 */
#define G_BIT 0x100u

/* ---- PDPTE loads ------------------------------------------------------------------------ */

/* CR3 = PDPT, then CR4.PAE on in c (a PDPTE load of LOAD_CYCLES cycles: D = c + 16) with a
 * request for `la` presented in c + k, while the load runs; the load's result in *res. */
static pmmu_request load_with_request(rig *r, uint32_t la, unsigned k, pmmu_reg_result *res) {
  rig_ok(r, engine_write_reg(r->e, REG_CR3, PDPT, r->now, NULL), "CR3");
  uint64_t c = r->now + 1;
  pmmu_request q = {.la = la, .access = PMMU_READ, .priv = PMMU_SUPERVISOR, .cycle = c + k};
  engine_present_during_load(r->e, &q);
  memset(res, 0, sizeof *res);
  rig_ok(r, engine_write_reg(r->e, REG_CR4, PMMU_CR4_PSE | PMMU_CR4_PAE, c, res), "CR4");
  return q;
}

/* CR4.PAE turned on in c (CR3 = PDPT written before): a load of 16 cycles; a request
 * presented in c + k. */
static void request_during_load(unsigned k) {
  rig r = rig_make();
  uint64_t d = r.now + 1 + LOAD_CYCLES;
  pmmu_reg_result res;
  pmmu_request q = load_with_request(&r, PAE_PAGE, k, &res);
  CHECK(!res.gp_fault && res.done_cycle == d, "load: #GP %d D %" PRIu64 ", want D %" PRIu64,
        res.gp_fault, res.done_cycle, d);
  pmmu_response out;
  memset(&out, 0, sizeof out);
  if (rig_ok(&r, engine_translate(r.e, &q, &out), "request during the load")) {
    uint64_t want_a = q.cycle > d ? q.cycle : d;
    CHECK(out.outcome == PMMU_OK && out.pa == 0x200000u && out.accept_cycle == want_a &&
              out.cycles == WALK_A_CYCLES,
          "presented c + %u: outcome %d pa 0x%" PRIx64 " A %" PRIu64 " (want %" PRIu64
          ") cycles %u",
          k, out.outcome, out.pa, out.accept_cycle, want_a, out.cycles);
    r.now = out.response_cycle + 1;
  }
  rig_access(&r, PAE_PAGE, PMMU_READ, PMMU_SUPERVISOR); /* a hit: the walk's fill is there */
  rig_finish(&r);
}

/* A present PDPTE at `index` with a reserved bit (bit 1; x86-paging.md section 4): the load
 * is refused with #GP(0) in D and nothing changes, a request presented during it included.
 * The request tells the modes apart: LA 0x4000 under 32-bit paging with CR3 = 0x3000 reads
 * the PDPT's first word as its PDE (present: table 0x4000, whose word 4 is 0x5007) and maps
 * 0x5000; under PAE its PDE (0x4000) is not present. */
#define LA_TELLS 0x00004000u

static void bad_pdpte(unsigned index, unsigned k) {
  rig r = rig_make();
  rig_poke(&r, PDPT + 8 * index, 8, (index ? 0x6000u : PAE_DIR) | 0x3u);
  uint64_t d = r.now + 1 + LOAD_CYCLES;
  pmmu_reg_result res;
  pmmu_request q = load_with_request(&r, LA_TELLS, k, &res);
  CHECK(res.gp_fault && res.done_cycle == d, "PDPTE %u: #GP %d D %" PRIu64, index, res.gp_fault,
        res.done_cycle);
  CHECK(engine_read_reg(r.e, REG_CR4) == PMMU_CR4_PSE && engine_read_reg(r.e, REG_CR3) == PDPT,
        "PDPTE %u: CR4 0x%" PRIx64 " CR3 0x%" PRIx64 " after #GP", index,
        engine_read_reg(r.e, REG_CR4), engine_read_reg(r.e, REG_CR3));
  pmmu_response out;
  memset(&out, 0, sizeof out);
  if (rig_ok(&r, engine_translate(r.e, &q, &out), "request during the refused load")) {
    /* still 32-bit paging: a walk, accepted in D */
    CHECK(out.outcome == PMMU_OK && out.pa == 0x5000u && out.accept_cycle == d &&
              out.tlb == PMMU_TLB_MISS,
          "PDPTE %u: outcome %d pa 0x%" PRIx64 " A %" PRIu64 " tlb %d", index, out.outcome, out.pa,
          out.accept_cycle, out.tlb);
    r.now = out.response_cycle + 1;
  }
  rig_finish(&r);
}

/* ---- Control-register writes and flush commands ----------------------------------------- */

/* A global 4 KiB page (LA4K(2), PGE on) and a non-global one (LA4K(0)) cached; CR3 written in
 * c (the cycle after the last response at the earliest, T8); a request in c + k. */
static void request_after_cr3(unsigned k) {
  rig r = rig_make();
  rig_poke(&r, TABLE + 4 * 2, 4, 0x102000u | PWU | G_BIT);
  rig_ok(&r, engine_write_reg(r.e, REG_CR4, PMMU_CR4_PSE | PMMU_CR4_PGE, r.now, NULL), "CR4");
  r.now++;
  rig_access(&r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR);
  rig_access(&r, LA4K(2), PMMU_READ, PMMU_SUPERVISOR);
  uint64_t c = r.now;
  rig_ok(&r, engine_write_reg(r.e, REG_CR3, DIR, c, NULL), "CR3");
  r.now = c + k;
  pmmu_response g = rig_access(&r, LA4K(2), PMMU_READ, PMMU_SUPERVISOR);
  pmmu_response n = rig_access(&r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR);
  CHECK(g.tlb == PMMU_TLB_HIT && g.accept_cycle == c + k, "CR3 + %u: global tlb %d A %" PRIu64, k,
        g.tlb, g.accept_cycle);
  CHECK(n.tlb == PMMU_TLB_MISS, "CR3 + %u: non-global tlb %d", k, n.tlb);
  rig_finish(&r);
}

/* LA4K(0) cached; a request for it presented in p = i + k - 3 and an INVLPG of it in cycle
 * i: a hit (R = A + 1 = p + 1) while its lookup p + 1 <= i (T6: the lookup in the flush's
 * cycle sees the old contents), a miss after. */
static void request_around_invlpg(unsigned k) {
  rig r = rig_make();
  rig_access(&r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR);
  uint64_t i = r.now + 4, p = i + k - 3;
  pmmu_request q = {.la = LA4K(0), .access = PMMU_READ, .priv = PMMU_SUPERVISOR, .cycle = p};
  pmmu_response out;
  memset(&out, 0, sizeof out);
  bool before = p < i; /* the request is answered before or in i: give it first */
  if (!before) rig_ok(&r, engine_invlpg(r.e, LA4K(0), i), "INVLPG");
  rig_ok(&r, engine_translate(r.e, &q, &out), "request");
  if (before) rig_ok(&r, engine_invlpg(r.e, LA4K(0), i), "INVLPG");
  bool want_hit = p + 1 <= i;
  CHECK(out.accept_cycle == p && out.tlb == (want_hit ? PMMU_TLB_HIT : PMMU_TLB_MISS),
        "INVLPG in %" PRIu64 ", request in %" PRIu64 ": A %" PRIu64 " tlb %d", i, p,
        out.accept_cycle, out.tlb);
  r.now = (out.response_cycle > i ? out.response_cycle : i) + 1;
  pmmu_response next = rig_access(&r, LA4K(0), PMMU_READ, PMMU_SUPERVISOR);
  CHECK(next.tlb == (want_hit ? PMMU_TLB_MISS : PMMU_TLB_HIT), "after: tlb %d", next.tlb);
  rig_finish(&r);
}

/* A walk of LA4K(1) (A and D clear: 17 cycles) with a flush command `after` cycles after its
 * lookup cycle A + 1: an INVLPG of another page, or a non-global flush with the walked page
 * global. Either leaves the walked page cached if it came after R; in A + 1 .. R it cancels
 * the fill (T7). */
static void flush_during_walk(pmmu_flush_kind kind, unsigned after) {
  rig r = rig_make();
  if (kind == PMMU_FLUSH_NONGLOBAL) {
    rig_poke(&r, TABLE + 4 * 1, 4, 0x101000u | PWU | G_BIT);
    rig_ok(&r, engine_write_reg(r.e, REG_CR4, PMMU_CR4_PSE | PMMU_CR4_PGE, r.now, NULL), "CR4");
    r.now++;
  }
  pmmu_request q = {.la = LA4K(1), .access = PMMU_READ, .priv = PMMU_USER, .cycle = r.now};
  engine_flush fl = {.kind = kind, .la = LA4K(3), .after = after};
  pmmu_response out;
  memset(&out, 0, sizeof out);
  if (!rig_ok(&r, engine_translate_flush(r.e, &q, &fl, &out), "walk with a flush")) {
    rig_finish(&r);
    return;
  }
  bool cancelled = fl.cycle <= out.response_cycle;
  CHECK(out.cycles == WALK_A_CYCLES && fl.cycle == out.accept_cycle + 1 + after,
        "walk: cycles %u flush in %" PRIu64, out.cycles, fl.cycle);
  r.now = (fl.cycle > out.response_cycle ? fl.cycle : out.response_cycle) + 1;
  pmmu_response next = rig_access(&r, LA4K(1), PMMU_READ, PMMU_USER);
  CHECK(next.tlb == (cancelled ? PMMU_TLB_MISS : PMMU_TLB_HIT),
        "flush %d in A + 1 + %u (R = A + %u): next tlb %d", kind, after, out.cycles, next.tlb);
  rig_finish(&r);
}

int main(int argc, char **argv) {
  if (!rig_args(argc, argv)) {
    fprintf(stderr, "usage: pmmu_busy [model|rtl|both] [MUTANT]\n");
    return 2;
  }
  unsigned cases = 0;
  for (unsigned k = 0; k <= LOAD_CYCLES + 2; k++, cases++) request_during_load(k);
  for (unsigned index = 0; index < 4; index++)
    for (unsigned k = 0; k <= LOAD_CYCLES + 1; k += LOAD_CYCLES / 2 + 1, cases++)
      bad_pdpte(index, k);
  for (unsigned k = 0; k < 3; k++, cases++) request_after_cr3(k);
  for (unsigned k = 0; k < 7; k++, cases++) request_around_invlpg(k);
  for (unsigned after = 0; after <= WALK_A_CYCLES + 1; after++, cases += 2) {
    flush_during_walk(PMMU_FLUSH_PAGE, after);
    flush_during_walk(PMMU_FLUSH_NONGLOBAL, after);
  }
  printf("%u cases, %u checks, %u failed\n", cases, rig_checks, rig_failures);
  return rig_failures ? 1 : 0;
}
