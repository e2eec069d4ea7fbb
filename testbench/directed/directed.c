/*
 * Directed tests for bugs other MMUs shipped (docs/prior-art.md), run on any engine:
 *   pmmu_directed [model|rtl|both]
 * On `both` every step is also compared in lockstep, so each test checks the RTL too.
 *
 * - a flush in the same cycle as a fill, and one cycle either side (rocket-chip 2534/1527,
 *   cva6 3179);
 * - a flush in every cycle of a walk: the fill is cancelled, A/D already written stay, the
 *   evicted victim comes back, the replacement state is as before (timing.md T7);
 * - a bus error on each access of a walk: no fill, no later A/D write, no #PF;
 * - back-to-back hits on 4 KiB and 4 MiB pages, one per cycle;
 * - INVLPG anywhere inside a 4 MiB page (rocket-chip 3297).
 * Expected values follow from docs/timing.md with latency 3, worked out in the comments.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"

/* A page-table entry written outside any walk; the test cannot go on without it. */
static void poke(engine_t *e, uint64_t pa, uint32_t value) {
  if (engine_mem_write(e, pa, 4, value) != TB_OK) {
    printf("cannot write memory: %s\n", engine_error(e)->msg);
    exit(2);
  }
}

static engine_kind g_kind = ENGINE_MODEL;
static unsigned g_failures, g_checks;

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

/* A small world: directory at 0x1000, one table at 0x2000; LA 0x00400000 + n*0x1000 maps
 * frame 0x100000 + n*0x1000 (P W A, non-global, D clear); PDE[2] (LA 0x00800000) is a
 * 4 MiB page at 0x01000000 (P W A D PS). */
#define DIR 0x1000u
#define TABLE 0x2000u
#define LA4K(n) (0x00400000u + (uint32_t)(n)*0x1000u)
#define LA4M 0x00800000u

typedef struct rig {
  engine_t *e;
  uint64_t now;
} rig;

/* Geometries with an RTL variant (rtl/CMakeLists.txt): 16x4x8 and 1x4x2. */
static rig make_timed(unsigned sets, unsigned ways, unsigned pde_flags, unsigned pte_flags,
                      unsigned wait) {
  engine_setup s = {.tlb_sets = sets,
                    .tlb_ways = ways,
                    .tlb_large = sets == 1 ? 2 : 8,
                    .policy = PMMU_POLICY_PLRU};
  pmem_timing_init(&s.timing);
  s.timing.wait_min = s.timing.wait_max = wait;
  tb_error err;
  rig r = {.e = engine_create(g_kind, &s, &err)};
  if (!r.e) {
    printf("cannot make the engine: %s\n", err.msg);
    exit(2);
  }
  poke(r.e, DIR + 4 * 1, TABLE | pde_flags);
  for (unsigned n = 0; n < 16; n++) poke(r.e, TABLE + 4 * n, (0x100000u + n * 0x1000u) | pte_flags);
  poke(r.e, DIR + 4 * 2, 0x01000000u | 0xE3u);
  CHECK(engine_accepted(engine_write_reg(r.e, REG_CR3, DIR, 0, NULL)), "CR3 write refused");
  CHECK(engine_accepted(engine_write_reg(r.e, REG_CR4, PMMU_CR4_PSE, 1, NULL)),
        "CR4 write refused");
  r.now = 2;
  return r;
}

static rig make(unsigned sets, unsigned ways, unsigned pde_flags, unsigned pte_flags) {
  return make_timed(sets, ways, pde_flags, pte_flags, 0);
}

/* Lockstep differences, as they are found (done() counts them). */
static void report(rig *r) {
  engine_report_pending(r->e, stderr, "pmmu_directed (see testbench/directed/directed.c)");
}

static pmmu_response access_at(rig *r, uint32_t la, pmmu_access acc, engine_flush *flush) {
  pmmu_request q = {.la = la, .access = acc, .priv = PMMU_SUPERVISOR, .cycle = r->now};
  pmmu_response out;
  int st = flush ? engine_translate_flush(r->e, &q, flush, &out) : engine_translate(r->e, &q, &out);
  report(r);
  if (st != TB_OK && st != TB_MISMATCH) {
    printf("FAIL: the engine refused a request (%s)\n", tb_status_name(st));
    g_failures++;
    memset(&out, 0, sizeof out);
    return out;
  }
  r->now = out.response_cycle + 1;
  if (flush && flush->cycle + 1 > r->now) r->now = flush->cycle + 1;
  return out;
}

static pmmu_response access(rig *r, uint32_t la) { return access_at(r, la, PMMU_READ, NULL); }

static void done(rig *r) {
  engine_finish(r->e);
  report(r);
  CHECK(engine_mismatch_count(r->e) == 0, "%" PRIu64 " lockstep mismatches",
        engine_mismatch_count(r->e));
  CHECK(engine_rtl_errors(r->e) == 0, "%d RTL assertion failures", engine_rtl_errors(r->e));
  engine_destroy(r->e);
}

/* A read of LA4K(0) with A already set: PDE read, PTE read: R = A + 9 (latency 3). The
 * lookup is in A + 1, so a flush `after` cycles later is in A + 1 + after: R is after = 8.
 * A flush of another page at R - 1, R cancels the fill; at R + 1 it does not. */
static void flush_vs_fill(void) {
  for (int kind = 0; kind < 4; kind++) {
    for (unsigned after = 7; after <= 9; after++) {
      rig r = make(16, 4, 0x23, 0x23);
      engine_flush f = {.kind = kind == 3 ? PMMU_FLUSH_PAGE : (pmmu_flush_kind)kind,
                        .la = kind == 3 ? LA4K(5) : LA4K(0),
                        .after = after};
      pmmu_response w = access_at(&r, LA4K(0), PMMU_READ, &f);
      CHECK(w.outcome == PMMU_OK && w.cycles == 9, "walk: outcome %d cycles %u", w.outcome,
            w.cycles);
      bool in_window = f.cycle <= w.response_cycle;
      bool removes_it = kind != 3; /* every kind but "another page" removes the entry anyway */
      pmmu_response again = access(&r, LA4K(0));
      bool want_hit = !in_window && !removes_it;
      CHECK((again.tlb == PMMU_TLB_HIT) == want_hit,
            "flush kind %d at R%+d: next access %s, want %s", kind,
            (int)((int64_t)f.cycle - (int64_t)w.response_cycle), pmmu_tlb_use_name(again.tlb),
            want_hit ? "hit" : "miss");
      done(&r);
    }
  }
}

/* A first read (A clear in PDE and PTE): 4 accesses, 17 cycles. One set of 4 ways, already
 * full with LA4K(1..4) filled in that order (plru victim: way 0, LA4K(1)). A flush of an
 * unrelated page in each cycle of the walk: the fill is cancelled, LA4K(1) still hits, and
 * the A bits the walk wrote stay in memory. */
static void flush_in_every_walk_cycle(void) {
  for (unsigned after = 0; after <= 17; after++) {
    rig r = make(1, 4, 0x23, 0x23);
    for (unsigned n = 1; n <= 4; n++) access(&r, LA4K(n));
    poke(r.e, DIR + 4, TABLE | 0x03u);           /* PDE: A clear */
    poke(r.e, TABLE + 4 * 5, 0x105000u | 0x03u); /* PTE[5]: A clear */
    engine_flush f = {.kind = PMMU_FLUSH_PAGE, .la = LA4K(9), .after = after};
    pmmu_response w = access_at(&r, LA4K(5), PMMU_READ, &f);
    CHECK(w.outcome == PMMU_OK && w.cycles == 17 && w.pa == 0x105000u, "walk: %d %u 0x%" PRIx64,
          w.outcome, w.cycles, w.pa);
    CHECK(engine_mem_read(r.e, TABLE + 4 * 5, 4) == (0x105000u | 0x23u), "PTE A not kept");
    CHECK(engine_mem_read(r.e, DIR + 4, 4) == (TABLE | 0x23u), "PDE A not kept");
    bool cancelled = f.cycle <= w.response_cycle;
    pmmu_response victim = access(&r, LA4K(1));
    CHECK((victim.tlb == PMMU_TLB_HIT) == cancelled, "after %u: evicted page %s", after,
          pmmu_tlb_use_name(victim.tlb));
    done(&r);
  }
}

/* A first write: PDE read, PTE read, PDE CAS, PTE CAS. A bus error on access k: the walk
 * ends with a bus error in cycle 1 + 4 (k + 1) after acceptance, nothing is cached, and only
 * the CAS before it took effect. */
static void bus_error_on_each_access(void) {
  for (unsigned k = 0; k < 4; k++) {
    rig r = make(16, 4, 0x03, 0x03);
    engine_inject_bus_error(r.e, k);
    pmmu_response w = access_at(&r, LA4K(0), PMMU_WRITE, NULL);
    CHECK(w.outcome == PMMU_BUS_ERROR, "k=%u: outcome %d", k, w.outcome);
    CHECK(w.cycles == 1 + 4 * (k + 1), "k=%u: cycles %u, want %u", k, w.cycles, 1 + 4 * (k + 1));
    uint32_t pde = (uint32_t)engine_mem_read(r.e, DIR + 4, 4),
             pte = (uint32_t)engine_mem_read(r.e, TABLE, 4);
    CHECK(pde == (TABLE | (k == 3 ? 0x23u : 0x03u)), "k=%u: PDE 0x%08x", k, pde);
    CHECK(pte == (0x100000u | 0x03u), "k=%u: PTE 0x%08x", k, pte);
    pmmu_response again = access(&r, LA4K(0));
    CHECK(again.tlb == PMMU_TLB_MISS && again.outcome == PMMU_OK, "k=%u: nothing may be cached", k);
    done(&r);
  }
}

/* Hits on a 4 KiB and a 4 MiB page, presented back to back: accepted one per cycle. */
static void back_to_back_hits(void) {
  rig r = make(16, 4, 0x23, 0x63);
  access(&r, LA4K(0));
  access(&r, LA4M + 0x1234);
  pmmu_request q = {.priv = PMMU_SUPERVISOR, .cycle = r.now};
  uint64_t first = 0;
  for (unsigned i = 0; i < 8; i++) {
    pmmu_response out;
    q.la = (i & 1) ? LA4M + 0x300000u + i : LA4K(0) + i;
    q.access = i % 3 == 2 ? PMMU_WRITE : PMMU_READ;
    CHECK(engine_accepted(engine_translate(r.e, &q, &out)), "request %u refused", i);
    if (i == 0) first = out.accept_cycle;
    CHECK(out.tlb == PMMU_TLB_HIT && out.cycles == 1 && out.accept_cycle == first + i,
          "hit %u: %s, %u cycles, accepted in %" PRIu64, i, pmmu_tlb_use_name(out.tlb), out.cycles,
          out.accept_cycle);
  }
  done(&r);
}

/* INVLPG of any address inside a 4 MiB page removes the page. */
static void invlpg_inside_large_page(void) {
  static const uint32_t offsets[] = {0, 0x1000, 0x12345, 0x200000, 0x3FF000, 0x3FFFFF};
  for (unsigned i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
    rig r = make(16, 4, 0x23, 0x23);
    access(&r, LA4M);
    CHECK(access(&r, LA4M + 0x2000).tlb == PMMU_TLB_HIT, "4 MiB page not cached");
    CHECK(engine_accepted(engine_invlpg(r.e, LA4M + offsets[i], r.now++)), "INVLPG refused");
    pmmu_response again = access(&r, LA4M + 0x2000);
    CHECK(again.tlb == PMMU_TLB_MISS, "INVLPG at +0x%x left the page cached", offsets[i]);
    done(&r);
  }
}

/* The lookup happens once, in A + 1, even when the memory holds the walk's first request
 * back (found by lockstep: the RTL looked up again in every back-pressure cycle, and with
 * overlapping entries dropped the 4 MiB entry after the stale 4 KiB one). Every memory
 * request waits 2 cycles here: each access costs 1 + 2 + 3, a 2-read walk 13 cycles. */
static void lookup_once_under_backpressure(void) {
  rig r = make_timed(16, 4, 0x27, 0x25, 2); /* PTEs: P U A, read-only, D clear */
  CHECK(engine_accepted(engine_write_reg(r.e, REG_CR4, PMMU_CR4_PSE, r.now++, NULL)),
        "CR4 write refused");
  CHECK(access(&r, LA4K(0)).tlb == PMMU_TLB_MISS, "first access walks");
  poke(r.e, DIR + 4, 0x00c00000u | 0xA7u);       /* PDE[1] -> 4 MiB, P W U A PS */
  pmmu_response large = access(&r, LA4K(0x112)); /* fills a 4 MiB entry */
  CHECK(large.pa == 0x00d12000u && large.cycles == 1 + 6, "4 MiB walk: pa 0x%" PRIx64 " cycles %u",
        large.pa, large.cycles);
  CHECK(access(&r, LA4K(0)).pa == 0x100000u, "the stale 4 KiB entry must win");
  pmmu_response w = access_at(&r, LA4K(0), PMMU_WRITE, NULL); /* drops the 4 KiB entry */
  CHECK(w.tlb == PMMU_TLB_MISS && w.pa == 0x00c00000u, "write: %s pa 0x%" PRIx64,
        pmmu_tlb_use_name(w.tlb), w.pa);
  pmmu_response after = access(&r, LA4K(0x113));
  CHECK(after.tlb == PMMU_TLB_HIT, "the 4 MiB entry was dropped too: %s",
        pmmu_tlb_use_name(after.tlb));
  done(&r);
}

int main(int argc, char **argv) {
  if (argc > 1 && !engine_kind_parse(argv[1], &g_kind)) {
    fprintf(stderr, "usage: pmmu_directed [model|rtl|both]\n");
    return 2;
  }
  flush_vs_fill();
  flush_in_every_walk_cycle();
  bus_error_on_each_access();
  back_to_back_hits();
  invlpg_inside_large_page();
  lookup_once_under_backpressure();
  printf("directed (%s): %u checks\n%u passed, %u failed\n", engine_kind_name(g_kind), g_checks,
         g_checks - g_failures, g_failures);
  return g_failures ? 1 : 0;
}
