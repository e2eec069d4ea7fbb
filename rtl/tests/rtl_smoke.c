/*
 * rtl_smoke.c: smoke test of the PMMU RTL through the C API (pmmu_rtl.h).
 *
 * A tiny physical memory in C (1 MiB, fixed latency 3, no back-pressure; an access at or
 * above 1 MiB is a bus error) serves the walker. Every expected value below is worked out
 * by hand from docs/spec/x86-paging.md and docs/timing.md (T4: with latency L and
 * no back-pressure a walk of n accesses takes 1 + n (1 + L) cycles):
 *   hit, paging off 1; 4 MiB page with A set 5 (L + 2); 4 KiB page with A set 9 (2L + 3);
 *   first read setting PDE.A and PTE.A 17 (4L + 5).
 *
 * Usage: rtl_smoke [-m MUTANT] [trace.fst] | rtl_smoke -a
 *   -m MUTANT  run the checks on a mutant build instead of 16x4x8_plru (exit 1 = killed);
 *              the replacement and mutant sections are skipped then.
 *   -a         only prove that the RTL's assertions are live (rtl/pmmu_assert.svh): drivers
 *              that break the request and memory handshakes must each trip one.
 */
#define _POSIX_C_SOURCE 200809L /* getpid, unlink */
#include "pmmu_rtl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MEM_BYTES (1u << 20)
#define MEM_LAT 3u

static int failures;

#define CHECK(cond, ...)                                     \
  do {                                                       \
    if (!(cond)) {                                           \
      failures++;                                            \
      printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
      printf(__VA_ARGS__);                                   \
      printf("\n");                                          \
    }                                                        \
  } while (0)

typedef struct req {
  uint32_t la;
  uint8_t acc, priv, ac;
} req_t;

typedef struct res {
  uint64_t a, r; /* accepted, response cycle */
  uint64_t pa;
  uint8_t fault, ec, bus_err, tlb;
} res_t;

typedef struct mem_access {
  uint64_t pa;
  uint8_t op;
  uint64_t expected, new_value;
} mem_access_t;

typedef struct tb {
  pmmu_rtl_t *h;
  pmmu_rtl_in_t in;
  pmmu_rtl_out_t out;
  uint32_t mem[MEM_BYTES / 4];
  int pend;
  uint64_t due, data;
  uint8_t err;
  unsigned nacc; /* memory accesses since the last clear */
  mem_access_t acc[16];
  /* memory timing: fixed latency MEM_LAT and always ready, or random (seeded) */
  int random_timing;
  uint32_t rng;
  unsigned lat;  /* latency of the access being accepted */
  int presented; /* a memory request is presented and not yet accepted */
  uint64_t pres_cyc;
  uint64_t walk_cost; /* sum over accesses of (1 + w + L), docs/timing.md T4 */
  /* a flush command given in cycle flush_at (UINT64_MAX: none) */
  uint64_t flush_at;
  uint8_t flush_kind;
  uint32_t flush_la;
  /* another agent writes ignored bit 9 of the entry just before the next CAS */
  int cas_interfere;
} tb_t;

static tb_t tb;

static uint32_t rnd(void) {
  uint32_t x = tb.rng ? tb.rng : 0x12345678u;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  tb.rng = x;
  return x;
}

static void mem_w32(uint32_t pa, uint32_t v) { tb.mem[pa / 4] = v; }
static uint32_t mem_r32(uint32_t pa) { return tb.mem[pa / 4]; }

/* One memory access, performed at acceptance; its response comes MEM_LAT cycles later. */
static void mem_accept(uint64_t cyc) {
  const pmmu_rtl_out_t *o = &tb.out;
  CHECK(o->mem_req_size == 4, "size %u", o->mem_req_size);
  CHECK((o->mem_req_pa & 3u) == 0, "misaligned PA %" PRIx64, o->mem_req_pa);
  if (tb.nacc < 16) {
    tb.acc[tb.nacc].pa = o->mem_req_pa;
    tb.acc[tb.nacc].op = o->mem_req_op;
    tb.acc[tb.nacc].expected = o->mem_req_expected;
    tb.acc[tb.nacc].new_value = o->mem_req_new;
  }
  tb.nacc++;
  tb.pend = 1;
  tb.lat = tb.random_timing ? 1 + rnd() % 5 : MEM_LAT;
  tb.due = cyc + tb.lat;
  tb.walk_cost += 1 + (cyc - tb.pres_cyc) + tb.lat;
  tb.presented = 0;
  if (o->mem_req_pa >= MEM_BYTES) {
    tb.err = 1;
    tb.data = 0;
    return;
  }
  tb.err = 0;
  uint32_t pa = (uint32_t)o->mem_req_pa;
  uint32_t old = mem_r32(pa);
  tb.data = old;
  if (o->mem_req_op == PMMU_RTL_MEM_CAS && tb.cas_interfere) {
    tb.cas_interfere = 0;
    old |= 1u << 9;
    mem_w32(pa, old);
    tb.data = old;
  }
  if (o->mem_req_op == PMMU_RTL_MEM_CAS && old == (uint32_t)o->mem_req_expected)
    mem_w32(pa, (uint32_t)o->mem_req_new);
}

/* One cycle: drive the memory response, settle, watch the handshakes, clock edge. */
static void cycle(const req_t *r, int *accepted, res_t *got) {
  uint64_t cyc = pmmu_rtl_cycle(tb.h);
  tb.in.req_valid = r != NULL;
  if (r) {
    tb.in.req_la = r->la;
    tb.in.req_acc = r->acc;
    tb.in.req_priv = r->priv;
    tb.in.req_ac = r->ac;
  }
  if (cyc == tb.flush_at) {
    tb.in.flush_valid = 1;
    tb.in.flush_kind = tb.flush_kind;
    tb.in.flush_la = tb.flush_la;
  }
  tb.in.mem_req_ready = tb.random_timing ? (rnd() % 3 != 0) : 1;
  tb.in.mem_resp_valid = tb.pend && tb.due == cyc;
  tb.in.mem_resp_data = tb.in.mem_resp_valid ? tb.data : 0;
  tb.in.mem_resp_err = tb.in.mem_resp_valid ? tb.err : 0;
  pmmu_rtl_eval(tb.h, &tb.in, &tb.out);
  if (tb.in.mem_resp_valid) tb.pend = 0;
  if (got && tb.out.resp_valid) {
    got->r = cyc;
    got->pa = tb.out.resp_pa;
    got->fault = tb.out.resp_fault;
    got->ec = tb.out.resp_ec;
    got->bus_err = tb.out.resp_bus_err;
    got->tlb = tb.out.resp_tlb;
  }
  if (accepted) *accepted = r && tb.out.req_ready;
  if (tb.out.mem_req_valid && !tb.presented) {
    tb.presented = 1;
    tb.pres_cyc = cyc;
  }
  if (tb.out.mem_req_valid && tb.in.mem_req_ready) mem_accept(cyc);
  pmmu_rtl_tick(tb.h);
  tb.in.flush_valid = 0;
  tb.in.pf_ack = 0;
}

/* Run n requests back to back (each presented as soon as the previous is accepted). */
static void run(const req_t *reqs, unsigned n, res_t *res) {
  unsigned sent = 0, done = 0;
  memset(res, 0, n * sizeof(*res));
  for (unsigned guard = 0; done < n && guard < 1000; guard++) {
    int acc = 0;
    res_t got;
    memset(&got, 0, sizeof(got));
    got.r = UINT64_MAX;
    uint64_t cyc = pmmu_rtl_cycle(tb.h);
    cycle(sent < n ? &reqs[sent] : NULL, &acc, &got);
    if (got.r != UINT64_MAX) {
      CHECK(done < sent, "response with no accepted request in cycle %" PRIu64, cyc);
      if (done < sent) {
        uint64_t a = res[done].a;
        res[done] = got;
        res[done].a = a;
        done++;
      }
    }
    if (acc) res[sent++].a = cyc;
  }
  CHECK(done == n, "only %u of %u responses", done, n);
}

static res_t one(uint32_t la, uint8_t acc, uint8_t priv) {
  req_t r = {la, acc, priv, 0};
  res_t s;
  tb.nacc = 0;
  tb.walk_cost = 0;
  run(&r, 1, &s);
  return s;
}

static const char *acc_name(uint8_t a) { return a == 0 ? "read" : a == 1 ? "write" : "fetch"; }

static void expect_pa(const char *what, res_t s, uint64_t pa, uint8_t tlb, uint64_t cycles) {
  printf("%-44s pa=0x%09" PRIx64 " fault=%u tlb=%u cycles=%" PRIu64 "\n", what, s.pa, s.fault,
         s.tlb, s.r - s.a);
  CHECK(!s.fault && !s.bus_err, "%s: fault=%u ec=0x%x bus_err=%u", what, s.fault, s.ec, s.bus_err);
  CHECK(s.pa == pa, "%s: pa 0x%" PRIx64 " want 0x%" PRIx64, what, s.pa, pa);
  CHECK(s.tlb == tlb, "%s: tlb %u want %u", what, s.tlb, tlb);
  CHECK(s.r - s.a == cycles, "%s: cycles %" PRIu64 " want %" PRIu64, what, s.r - s.a, cycles);
}

static void expect_fault(const char *what, res_t s, uint8_t ec, uint64_t cycles) {
  printf("%-44s fault=%u ec=0x%x tlb=%u cycles=%" PRIu64 "\n", what, s.fault, s.ec, s.tlb,
         s.r - s.a);
  CHECK(s.fault && !s.bus_err, "%s: fault=%u bus_err=%u", what, s.fault, s.bus_err);
  CHECK(s.ec == ec, "%s: ec 0x%x want 0x%x", what, s.ec, ec);
  CHECK(s.tlb == PMMU_RTL_TLB_MISS, "%s: tlb %u", what, s.tlb);
  CHECK(s.r - s.a == cycles, "%s: cycles %" PRIu64 " want %" PRIu64, what, s.r - s.a, cycles);
}

/* ---- a reference of docs/tlb.md for one set of n ways (predicts hits and misses) ---- */
typedef struct ref_set {
  unsigned n, policy;
  int valid[16];
  uint32_t tag[16];
  unsigned plru[16]; /* heap bits at 1 .. n-1 */
  unsigned rank[16];
  unsigned ptr;
  uint16_t lfsr;
} ref_set_t;

static unsigned lg2(unsigned n) {
  unsigned l = 0;
  while ((1u << l) < n) l++;
  return l;
}

static void ref_init(ref_set_t *r, unsigned n, unsigned policy) {
  memset(r, 0, sizeof(*r));
  r->n = n;
  r->policy = policy;
  for (unsigned i = 0; i < n; i++) r->rank[i] = i;
  r->lfsr = 0xACE1;
}

static void ref_touch(ref_set_t *r, unsigned w) {
  if (r->policy == PMMU_RTL_PLRU) {
    unsigned l2 = lg2(r->n), node = 1;
    for (unsigned l = 0; l < l2; l++) {
      unsigned bit = (w >> (l2 - 1 - l)) & 1u;
      r->plru[node] = !bit; /* point away from w */
      node = 2 * node + bit;
    }
  } else if (r->policy == PMMU_RTL_LRU) {
    unsigned rw = r->rank[w];
    for (unsigned j = 0; j < r->n; j++)
      if (r->rank[j] < rw) r->rank[j]++;
    r->rank[w] = 0;
  }
}

static unsigned ref_victim(const ref_set_t *r) {
  switch (r->policy) {
  case PMMU_RTL_PLRU: {
    unsigned node = 1;
    while (node < r->n) node = 2 * node + r->plru[node];
    return node - r->n;
  }
  case PMMU_RTL_LRU:
    for (unsigned j = 0; j < r->n; j++)
      if (r->rank[j] == r->n - 1) return j;
    return 0;
  case PMMU_RTL_FIFO: return r->ptr;
  default: return r->lfsr & (r->n - 1);
  }
}

/* an access: 1 on a hit (touch), 0 on a miss (fill) */
static int ref_access(ref_set_t *r, uint32_t tag) {
  for (unsigned w = 0; w < r->n; w++) {
    if (r->valid[w] && r->tag[w] == tag) {
      ref_touch(r, w);
      return 1;
    }
  }
  unsigned w = r->n;
  for (unsigned i = 0; i < r->n && w == r->n; i++)
    if (!r->valid[i]) w = i;
  if (w == r->n) {
    w = ref_victim(r);
    if (r->policy == PMMU_RTL_RANDOM) {
      unsigned s0 = r->lfsr;
      unsigned bit = (s0 ^ (s0 >> 2) ^ (s0 >> 3) ^ (s0 >> 5)) & 1u;
      r->lfsr = (uint16_t)((s0 >> 1) | (bit << 15));
    }
  }
  r->valid[w] = 1;
  r->tag[w] = tag;
  ref_touch(r, w);
  if (r->policy == PMMU_RTL_FIFO) r->ptr = (w + 1) % r->n;
  return 0;
}

static void ref_invalidate(ref_set_t *r, uint32_t tag) {
  for (unsigned w = 0; w < r->n; w++)
    if (r->valid[w] && r->tag[w] == tag) r->valid[w] = 0;
}

/* Replacement on a 1x4x2 variant: 7 4 KiB pages and 3 4 MiB pages accessed at random,
 * with an occasional INVLPG; every access must hit or miss as the reference says. */
static void test_replacement(pmmu_rtl_policy_t policy) {
  const uint32_t P = 0x1, RW = 0x2, US = 0x4, A = 0x20, D = 0x40, PS = 0x80;
  int have = 0;
  for (unsigned i = 0; i < pmmu_rtl_variant_count(); i++) {
    const pmmu_rtl_variant_t *v = pmmu_rtl_variant(i);
    have |= !v->mutant && v->sets == 1 && v->ways == 4 && v->large == 2 && v->policy == policy;
  }
  if (!have) {
    printf("replacement %-6s 1x4x2: skipped (variant not compiled)\n",
           pmmu_rtl_policy_name(policy));
    return;
  }
  memset(&tb, 0, sizeof(tb));
  tb.flush_at = UINT64_MAX;
  tb.h = pmmu_rtl_new(1, 4, 2, policy);
  CHECK(tb.h != NULL, "no 1x4x2 %s variant", pmmu_rtl_policy_name(policy));
  if (!tb.h) return;
  mem_w32(0x1004, 0x00002000 | P | RW | US | A);
  for (uint32_t i = 0; i < 7; i++)
    mem_w32(0x2000 + 4 * i, (0x00100000 + 0x1000 * i) | P | RW | US | A | D);
  for (uint32_t j = 0; j < 3; j++)
    mem_w32(0x1000 + 4 * (8 + j), ((0x10 + j) << 22) | PS | P | RW | US | A | D);
  tb.in.cr0_pg = 1;
  tb.in.cr3 = 0x1000;
  tb.in.cr4_pse = 1;
  tb.rng = 0x9e3779b9u + (uint32_t)policy;
  ref_set_t r4, rl;
  ref_init(&r4, 4, policy);
  ref_init(&rl, 2, policy);
  unsigned hits = 0, misses = 0, bad = 0;
  for (unsigned k = 0; k < 400; k++) {
    unsigned pg = rnd() % 10;
    uint32_t la = pg < 7 ? 0x00400000 + 0x1000 * pg + (rnd() & 0xffc) : (8 + pg - 7) << 22;
    if (k % 37 == 36) {
      /* INVLPG of a random one of the pages */
      tb.in.flush_valid = 1;
      tb.in.flush_kind = PMMU_RTL_FLUSH_PAGE;
      tb.in.flush_la = la;
      cycle(NULL, NULL, NULL);
      if (pg < 7) ref_invalidate(&r4, la >> 12);
      else ref_invalidate(&rl, la >> 22);
      continue;
    }
    int hit = pg < 7 ? ref_access(&r4, la >> 12) : ref_access(&rl, la >> 22);
    res_t s = one(la, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
    uint64_t pa = pg < 7 ? (0x00100000 + 0x1000 * pg) | (la & 0xfff)
                         : ((uint64_t)(0x10 + pg - 7) << 22) | (la & 0x3fffff);
    uint64_t cyc = hit ? 1 : (pg < 7 ? 9 : 5);
    if (s.fault || s.pa != pa || s.tlb != (hit ? PMMU_RTL_TLB_HIT : PMMU_RTL_TLB_MISS) ||
        s.r - s.a != cyc) {
      if (bad++ < 5)
        printf("FAIL replacement %s access %u la 0x%08x: tlb %u want %s, cycles %" PRIu64
               " want %" PRIu64 ", pa 0x%" PRIx64 "\n",
               pmmu_rtl_policy_name(policy), k, la, s.tlb, hit ? "hit" : "miss", s.r - s.a, cyc,
               s.pa);
    }
    hit ? hits++ : misses++;
  }
  failures += bad != 0;
  printf("replacement %-6s 1x4x2: %u hits %u misses, %u mismatches\n", pmmu_rtl_policy_name(policy),
         hits, misses, bad);
  CHECK(pmmu_rtl_errors(tb.h) == 0, "RTL assertion failures");
  pmmu_rtl_free(tb.h);
  tb.h = NULL;
}

/* A broken driver must trip an RTL assertion (the assertions are compiled in and fire): each
 * case starts from a fresh block, breaks one handshake rule and counts the failures. The
 * block is dumped as pmmu dumps it (pmmu_rtl_waves_auto): after the assertion the run goes
 * on, and the dump must read back complete, to the last cycle (issue 17: an RTL assertion
 * failure leaves a readable FST). */
static int assert_case(const char *what, int which) {
  char fst[256];
  const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
  snprintf(fst, sizeof fst, "%s/pmmu-rtl-assert-%ld-%d.fst", tmpdir, (long)getpid(), which);
  if (pmmu_rtl_trace_available()) pmmu_rtl_waves_auto(fst, 0, UINT64_MAX);
  pmmu_rtl_t *h = pmmu_rtl_new(16, 4, 8, PMMU_RTL_PLRU);
  if (!h) return 0;
  pmmu_rtl_in_t in;
  memset(&in, 0, sizeof in);
  in.cr0_pg = 1;
  in.cr3 = 0x1000;
  printf("-- %s (an %%Error line from the RTL is expected below)\n", what);
  fflush(stdout);
  switch (which) {
  case 0: /* MemRespOnlyOutstanding: a memory response with no access outstanding */
    in.mem_resp_valid = 1;
    pmmu_rtl_eval(h, &in, NULL);
    pmmu_rtl_tick(h);
    break;
  case 1: { /* ReqStable: a waiting request changes before it is accepted */
    in.req_valid = 1;
    in.req_la = 0x00400000;
    pmmu_rtl_out_t out;
    pmmu_rtl_eval(h, &in, &out);
    pmmu_rtl_tick(h); /* accepted: the walk starts, the memory never becomes ready */
    for (int i = 0; i < 3; i++) {
      in.req_la += 0x1000; /* the next request changes while req_ready_o is 0 */
      pmmu_rtl_eval(h, &in, &out);
      pmmu_rtl_tick(h);
    }
    break;
  }
  default: /* LoadOnlyWithoutRequest, MemPortOneOwner: a PDPTE load commanded in the
              * lookup cycle of a miss, when the walker presents its PDE read (T11) */
    in.req_valid = 1;
    in.req_la = 0x00400000;
    pmmu_rtl_eval(h, &in, NULL);
    pmmu_rtl_tick(h);
    in.req_valid = 0;
    in.flush_valid = 1;
    in.flush_kind = PMMU_RTL_FLUSH_LOAD_PDPTE;
    pmmu_rtl_eval(h, &in, NULL);
    pmmu_rtl_tick(h);
    break;
  }
  int n = pmmu_rtl_errors(h);
  for (int i = 0; i < 5; i++) pmmu_rtl_tick(h); /* the run goes on after an assertion */
  uint64_t last = pmmu_rtl_cycle(h), end = 0;
  pmmu_rtl_free(h); /* closes the dump */
  if (pmmu_rtl_trace_available()) {
    pmmu_rtl_waves_auto(NULL, 0, 0);
    CHECK(pmmu_rtl_fst_check(fst, &end) == 0, "%s: the dump does not read back", what);
    CHECK(end == pmmu_rtl_cycle_time(last) + 9, "%s: the dump ends at %llu ns, not in cycle %llu",
          what, (unsigned long long)end, (unsigned long long)last);
    printf("-- %s: the dump reads back, to cycle %llu\n", what, (unsigned long long)last);
    unlink(fst);
  }
  printf("-- %s: %d assertion failure(s)\n", what, n);
  return n;
}

static int assertions_fire(void) {
  CHECK(assert_case("memory response without a request", 0) > 0, "no assertion fired");
  CHECK(assert_case("request changed while not ready", 1) > 0, "no assertion fired");
  CHECK(assert_case("PDPTE load during a walk", 2) > 0, "no assertion fired");
  printf(failures ? "rtl_smoke -a: FAILED\n"
                  : "rtl_smoke -a: every broken driver tripped an assertion\n");
  return failures ? 1 : 0;
}

int main(int argc, char **argv) {
  if (argc == 2 && !strcmp(argv[1], "-a")) return assertions_fire();

  /* no such variant: NULL with a message */
  pmmu_rtl_t *none = pmmu_rtl_new(3, 3, 3, PMMU_RTL_PLRU);
  CHECK(none == NULL, "pmmu_rtl_new(3,3,3) should fail");

  const char *mutant = NULL, *trace = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-m") && i + 1 < argc) mutant = argv[++i];
    else trace = argv[i];
  }
  tb.flush_at = UINT64_MAX;
  /* a dump is asked for before the block is made, so that it is made of a traced model
   * (pmmu_rtl.h, pmmu_rtl_trace_open), and for this block only */
  if (trace && pmmu_rtl_trace_available()) pmmu_rtl_waves_auto(trace, 0, UINT64_MAX);
  tb.h = mutant ? pmmu_rtl_new_mutant(mutant) : pmmu_rtl_new(16, 4, 8, PMMU_RTL_PLRU);
  if (trace && pmmu_rtl_trace_available()) pmmu_rtl_waves_auto(NULL, 0, 0);
  if (!tb.h) {
    printf("FAIL: no %s variant\n", mutant ? mutant : "16x4x8_plru");
    return 2;
  }
  if (trace && !pmmu_rtl_trace_available() && pmmu_rtl_trace_open(tb.h, trace) != 0) failures++;

  /* Page tables. CR3 = 0x1000: PDE for LA at 0x1000 + 4 * LA[31:22]. */
  const uint32_t P = 0x1, RW = 0x2, US = 0x4, A = 0x20, D = 0x40, PS = 0x80;
  mem_w32(0x1004, 0x00002000 | P | RW | US | A);     /* LA 0x004xxxxx -> PT 0x2000 */
  mem_w32(0x2000, 0x00801000 | P | RW | US | A | D); /*   0x00400xxx -> 0x801xxx, dirty */
  mem_w32(0x2004, 0x00803000 | P | A);               /*   0x00401xxx -> 0x803xxx, sup, RO */
  mem_w32(0x1008, 0x00003000 | P | RW | US);         /* LA 0x008xxxxx -> PT 0x3000, A=0 */
  mem_w32(0x3000, 0x00902000 | P | RW | US);         /*   0x00800xxx -> 0x902xxx, A=0 */
  /* 4 MiB page, PSE-36: PA[35:32] = PDE[16:13] = 5, PA[31:22] = PDE[31:22] = 0x007 */
  mem_w32(0x100c, 0x01c00000 | (5u << 13) | PS | P | RW | A);
  /* 4 MiB page with reserved bit 17 set */
  mem_w32(0x1010, 0x00400000 | (1u << 17) | PS | P | RW | A);
  /* 0x1014: LA 0x014xxxxx not present (0) */
  /* LA 0x018xxxxx -> page table at 0x0ff00000, beyond memory: bus error on the PTE read */
  mem_w32(0x1018, 0x0ff00000 | P | RW | A);

  tb.in.cr0_pg = 1;
  tb.in.cr3 = 0x1000;
  pmmu_rtl_eval(tb.h, &tb.in, &tb.out);
  res_t s;

  /* 1. 4 KiB page, A already set: PDE read, PTE read: 2L + 3 = 9 */
  s = one(0x00400123, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
  expect_pa("read 0x00400123 (4 KiB, A set)", s, 0x801123, PMMU_RTL_TLB_MISS, 9);
  CHECK(tb.nacc == 2, "accesses %u want 2", tb.nacc);
  CHECK(tb.acc[0].pa == 0x1004 && tb.acc[0].op == PMMU_RTL_MEM_READ, "m1 0x%" PRIx64, tb.acc[0].pa);
  CHECK(tb.acc[1].pa == 0x2000 && tb.acc[1].op == PMMU_RTL_MEM_READ, "m2 0x%" PRIx64, tb.acc[1].pa);

  /* 2. the same page again: a hit in 1 cycle, no memory access */
  s = one(0x00400abc, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_USER);
  expect_pa("read 0x00400abc (hit)", s, 0x801abc, PMMU_RTL_TLB_HIT, 1);
  CHECK(tb.nacc == 0, "accesses %u want 0", tb.nacc);

  /* 3. back-to-back hits: accepted in consecutive cycles, each answered 1 cycle later */
  {
    req_t r[4] = {
        {0x00400000, 0, 1, 0}, {0x00400ffc, 2, 0, 0}, {0x00400123, 1, 1, 0}, {0x00400010, 0, 2, 0}};
    res_t q[4];
    tb.nacc = 0;
    run(r, 4, q);
    for (unsigned i = 0; i < 4; i++) {
      char what[64];
      snprintf(what, sizeof(what), "pipelined hit %u (%s 0x%08x)", i, acc_name(r[i].acc), r[i].la);
      expect_pa(what, q[i], 0x801000 | (r[i].la & 0xfff), PMMU_RTL_TLB_HIT, 1);
      if (i > 0)
        CHECK(q[i].a == q[i - 1].a + 1, "hit %u accepted in %" PRIu64 " after %" PRIu64, i, q[i].a,
              q[i - 1].a);
    }
    CHECK(tb.nacc == 0, "accesses %u want 0", tb.nacc);
  }

  /* 4. first read of a page: PDE.A and PTE.A set by two CAS: 4L + 5 = 17 */
  s = one(0x00800456, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_USER);
  expect_pa("read 0x00800456 (first read, sets both A)", s, 0x902456, PMMU_RTL_TLB_MISS, 17);
  CHECK(tb.nacc == 4, "accesses %u want 4", tb.nacc);
  CHECK(tb.acc[2].op == PMMU_RTL_MEM_CAS && tb.acc[2].pa == 0x1008 &&
            tb.acc[2].expected == 0x3007 && tb.acc[2].new_value == 0x3027,
        "CAS PDE pa 0x%" PRIx64 " exp 0x%" PRIx64 " new 0x%" PRIx64, tb.acc[2].pa,
        tb.acc[2].expected, tb.acc[2].new_value);
  CHECK(tb.acc[3].op == PMMU_RTL_MEM_CAS && tb.acc[3].pa == 0x3000 &&
            tb.acc[3].expected == 0x902007 && tb.acc[3].new_value == 0x902027,
        "CAS PTE pa 0x%" PRIx64 " exp 0x%" PRIx64 " new 0x%" PRIx64, tb.acc[3].pa,
        tb.acc[3].expected, tb.acc[3].new_value);
  CHECK(mem_r32(0x1008) == 0x3027, "PDE 0x%08x want 0x3027", mem_r32(0x1008));
  CHECK(mem_r32(0x3000) == 0x902027, "PTE 0x%08x want 0x902027 (no D on a read)", mem_r32(0x3000));

  /* 5. a write to that page: the cached D is 0, so a miss: 2 reads + CAS PTE.D: 13 */
  s = one(0x00800004, PMMU_RTL_ACC_WRITE, PMMU_RTL_PRIV_USER);
  expect_pa("write 0x00800004 (clean entry: walks, sets D)", s, 0x902004, PMMU_RTL_TLB_MISS, 13);
  CHECK(mem_r32(0x3000) == 0x902067, "PTE 0x%08x want 0x902067", mem_r32(0x3000));
  s = one(0x00800008, PMMU_RTL_ACC_WRITE, PMMU_RTL_PRIV_USER);
  expect_pa("write 0x00800008 (now a hit)", s, 0x902008, PMMU_RTL_TLB_HIT, 1);

  /* 6. 4 MiB page (PSE, PSE-36), A set: one PDE read: L + 2 = 5 */
  tb.in.cr4_pse = 1;
  s = one(0x00c12345, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
  expect_pa("read 0x00c12345 (4 MiB, PSE-36)", s, 0x501c12345ull, PMMU_RTL_TLB_MISS, 5);
  s = one(0x00fffffc, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
  expect_pa("read 0x00fffffc (4 MiB hit)", s, 0x501fffffcull, PMMU_RTL_TLB_HIT, 1);
  /* a write: D = 0 in the entry -> walk, CAS of the PDE with D: 1 + 2 (1 + L) = 9 */
  s = one(0x00c00000, PMMU_RTL_ACC_WRITE, PMMU_RTL_PRIV_SUP);
  expect_pa("write 0x00c00000 (4 MiB, sets D)", s, 0x501c00000ull, PMMU_RTL_TLB_MISS, 9);
  CHECK(mem_r32(0x100c) == (0x01c00000 | (5u << 13) | PS | P | RW | A | D), "4 MiB PDE 0x%08x",
        mem_r32(0x100c));
  /* INVLPG of an address inside the large page removes it */
  tb.in.flush_valid = 1;
  tb.in.flush_kind = PMMU_RTL_FLUSH_PAGE;
  tb.in.flush_la = 0x00dff000;
  cycle(NULL, NULL, NULL);
  s = one(0x00c00004, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
  expect_pa("read 0x00c00004 after INVLPG 0x00dff000", s, 0x501c00004ull, PMMU_RTL_TLB_MISS, 5);

  /* 7. reserved bit 17 in a 4 MiB PDE: #PF P|RSVD = 0x9, after the PDE read: 5 */
  s = one(0x01000000, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
  expect_fault("read 0x01000000 (4 MiB PDE, bit 17 set)", s, 0x9, 5);
  pmmu_rtl_eval(tb.h, &tb.in, &tb.out);
  tb.in.pf_ack = 1;
  cycle(NULL, NULL, NULL);

  /* 8. not-present PDE, user read: #PF ec = U/S = 0x4, L + 2 = 5; then IRQ, CR2, ack */
  s = one(0x01400abc, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_USER);
  expect_fault("read 0x01400abc (PDE not present, user)", s, 0x4, 5);
  CHECK(tb.nacc == 1, "accesses %u want 1", tb.nacc);
  {
    /* we are in cycle R + 1 now */
    uint64_t r1 = pmmu_rtl_cycle(tb.h);
    CHECK(r1 == s.r + 1, "cycle %" PRIu64 " want R + 1 = %" PRIu64, r1, s.r + 1);
    pmmu_rtl_eval(tb.h, &tb.in, &tb.out);
    printf("%-44s irq=%u cr2=0x%08x ec=0x%x\n", "  interrupt at R + 1", tb.out.pf_irq,
           tb.out.pf_cr2, tb.out.pf_ec);
    CHECK(tb.out.pf_irq == 1, "irq not raised at R + 1");
    CHECK(tb.out.pf_cr2 == 0x01400abc, "CR2 0x%08x", tb.out.pf_cr2);
    CHECK(tb.out.pf_ec == 0x4, "latched ec 0x%x", tb.out.pf_ec);
    /* a hit does not change CR2 */
    s = one(0x00400123, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
    expect_pa("read 0x00400123 (hit, irq pending)", s, 0x801123, PMMU_RTL_TLB_HIT, 1);
    pmmu_rtl_eval(tb.h, &tb.in, &tb.out);
    CHECK(tb.out.pf_irq == 1 && tb.out.pf_cr2 == 0x01400abc, "irq %u CR2 0x%08x", tb.out.pf_irq,
          tb.out.pf_cr2);
    /* ack in cycle c: low from c + 1 */
    tb.in.pf_ack = 1;
    cycle(NULL, NULL, NULL);
    pmmu_rtl_eval(tb.h, &tb.in, &tb.out);
    CHECK(tb.out.pf_irq == 0, "irq still high after ack");
    CHECK(tb.out.pf_cr2 == 0x01400abc, "CR2 after ack 0x%08x", tb.out.pf_cr2);
    printf("%-44s irq=%u\n", "  after ack", tb.out.pf_irq);
  }

  /* 9. protection faults on 0x00401xxx (PDE U/S=1 R/W=1, PTE U/S=0 R/W=0, A=1, D=0) */
  s = one(0x00401010, PMMU_RTL_ACC_WRITE, PMMU_RTL_PRIV_USER);
  expect_fault("user write 0x00401010 (sup, RO page)", s, 0x7, 9);
  CHECK(tb.nacc == 2, "a faulting walk made %u accesses, want 2 (no CAS)", tb.nacc);
  CHECK(mem_r32(0x2004) == (0x00803000 | P | A), "PTE written by a faulting walk: 0x%08x",
        mem_r32(0x2004));
  s = one(0x00401010, PMMU_RTL_ACC_FETCH, PMMU_RTL_PRIV_USER);
  expect_fault("user fetch 0x00401010 (sup page)", s, 0x5, 9);
  tb.in.cr4_smep = 1;
  s = one(0x00401010, PMMU_RTL_ACC_FETCH, PMMU_RTL_PRIV_USER);
  expect_fault("user fetch 0x00401010 with SMEP (I/D)", s, 0x15, 9);
  tb.in.cr4_smep = 0;
  /* WP = 0: a supervisor write to the read-only page succeeds and sets D: 13 */
  s = one(0x00401010, PMMU_RTL_ACC_WRITE, PMMU_RTL_PRIV_SUP);
  expect_pa("sup write 0x00401010, WP=0 (sets D)", s, 0x803010, PMMU_RTL_TLB_MISS, 13);
  CHECK(mem_r32(0x2004) == (0x00803000 | P | A | D), "PTE 0x%08x", mem_r32(0x2004));
  /* WP = 1: the cached entry denies it -> dropped, walked, faults: P|W/R = 0x3, 9 */
  tb.in.cr0_wp = 1;
  s = one(0x00401010, PMMU_RTL_ACC_WRITE, PMMU_RTL_PRIV_SUP);
  expect_fault("sup write 0x00401010, WP=1", s, 0x3, 9);
  tb.in.cr0_wp = 0;
  /* SMAP: supervisor read of a user page with AC = 0 faults (0x1), with AC = 1 not */
  tb.in.cr4_smap = 1;
  s = one(0x00400123, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
  expect_fault("sup read 0x00400123, SMAP, AC=0", s, 0x1, 9);
  {
    req_t r = {0x00400123, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP, 1};
    run(&r, 1, &s);
    expect_pa("sup read 0x00400123, SMAP, AC=1", s, 0x801123, PMMU_RTL_TLB_MISS, 9);
    r.priv = PMMU_RTL_PRIV_IMPLICIT;
    run(&r, 1, &s);
    expect_fault("implicit read 0x00400123, SMAP, AC=1", s, 0x1, 9);
  }
  tb.in.cr4_smap = 0;

  /* 10. bus error on the PTE read: a distinct result, not a #PF: 9 */
  s = one(0x01800000, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
  printf("%-44s bus_err=%u fault=%u cycles=%" PRIu64 "\n", "read 0x01800000 (PTE bus error)",
         s.bus_err, s.fault, s.r - s.a);
  CHECK(s.bus_err && !s.fault && s.r - s.a == 9, "bus_err %u fault %u cycles %" PRIu64, s.bus_err,
        s.fault, s.r - s.a);

  /* 11. paging off: PA = LA, 1 cycle, no TLB */
  tb.in.cr0_pg = 0;
  s = one(0xfedcba98, PMMU_RTL_ACC_WRITE, PMMU_RTL_PRIV_USER);
  expect_pa("paging off 0xfedcba98", s, 0xfedcba98, PMMU_RTL_TLB_OFF, 1);
  tb.in.cr0_pg = 1;

  /* 12. a CR3 write (non-global flush) empties the TLB: the first page walks again */
  s = one(0x00400123, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
  expect_pa("read 0x00400123 (fills again)", s, 0x801123, PMMU_RTL_TLB_MISS, 9);
  s = one(0x00400123, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
  expect_pa("read 0x00400123 (hit)", s, 0x801123, PMMU_RTL_TLB_HIT, 1);
  tb.in.flush_valid = 1;
  tb.in.flush_kind = PMMU_RTL_FLUSH_NONGLOBAL;
  cycle(NULL, NULL, NULL);
  s = one(0x00400123, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
  expect_pa("read 0x00400123 after CR3 write", s, 0x801123, PMMU_RTL_TLB_MISS, 9);

  /* T1 + T5: a request waiting behind a walk is accepted in the walk's response cycle R
     * and looked up in R + 1, where it sees the fill: a hit answered in R + 1 */
  tb.in.flush_valid = 1;
  tb.in.flush_kind = PMMU_RTL_FLUSH_ALL;
  cycle(NULL, NULL, NULL);
  {
    req_t r[2] = {{0x00400123, 0, 1, 0}, {0x00400456, 0, 0, 0}};
    res_t q[2];
    tb.nacc = 0;
    run(r, 2, q);
    expect_pa("walk, then a request queued behind it: 1st", q[0], 0x801123, PMMU_RTL_TLB_MISS, 9);
    expect_pa("  2nd (accepted in R, hits the fill)", q[1], 0x801456, PMMU_RTL_TLB_HIT, 1);
    CHECK(q[1].a == q[0].r, "2nd accepted in %" PRIu64 ", R = %" PRIu64, q[1].a, q[0].r);
  }

  /* 13. T7: a flush in any cycle from A + 1 to R cancels the walk's fill; in A it does
     * not. The walk of 0x00400123 (A set) is 9 cycles: R = A + 9. */
  for (unsigned k = 0; k <= 10; k++) {
    tb.in.flush_valid = 1;
    tb.in.flush_kind = PMMU_RTL_FLUSH_ALL;
    cycle(NULL, NULL, NULL);
    tb.flush_at = pmmu_rtl_cycle(tb.h) + k; /* the request is accepted in this cycle */
    tb.flush_kind = PMMU_RTL_FLUSH_PAGE;
    tb.flush_la = 0x7fc00000; /* an unrelated page: only the cancellation matters */
    s = one(0x00400123, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
    tb.flush_at = UINT64_MAX;
    CHECK(!s.fault && s.pa == 0x801123 && s.r - s.a == 9, "T7 k=%u walk", k);
    res_t t = one(0x00400123, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
    int want_hit = (k == 0 || k == 10); /* flush in A, or in R + 1 (after the fill) */
    CHECK(t.tlb == (want_hit ? PMMU_RTL_TLB_HIT : PMMU_RTL_TLB_MISS),
          "T7: flush in A + %u: next access tlb %u, want %s", k, t.tlb, want_hit ? "hit" : "miss");
  }
  printf("%-44s checked flush in A .. R + 1\n", "T7 fill cancellation");

  /* 14. a CAS that finds memory changed restarts the walk from the PDE: 0x00800456 with
     * PDE.A and PTE.A clear: PDE, PTE, CAS PDE (fails), PDE, PTE, CAS PDE, CAS PTE = 7
     * accesses, 1 + 7 (1 + L) = 29 cycles */
  mem_w32(0x1008, 0x00003000 | P | RW | US);
  mem_w32(0x3000, 0x00902000 | P | RW | US);
  tb.in.flush_valid = 1;
  tb.in.flush_kind = PMMU_RTL_FLUSH_ALL;
  cycle(NULL, NULL, NULL);
  tb.cas_interfere = 1;
  s = one(0x00800456, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
  expect_pa("read 0x00800456, first CAS fails (restart)", s, 0x902456, PMMU_RTL_TLB_MISS, 29);
  CHECK(tb.nacc == 7, "accesses %u want 7", tb.nacc);
  CHECK(mem_r32(0x1008) == (0x00003000 | P | RW | US | A | (1u << 9)), "PDE 0x%08x",
        mem_r32(0x1008));
  CHECK(mem_r32(0x3000) == (0x00902000 | P | RW | US | A), "PTE 0x%08x", mem_r32(0x3000));

  /* 15. random memory back-pressure and latency (1..5): every response comes exactly
     * 1 + sum(1 + w + L) cycles after acceptance; walks with and without A/D updates */
  tb.random_timing = 1;
  tb.rng = 0xdecafbadu;
  {
    unsigned bad = 0, walks = 0;
    for (unsigned k = 0; k < 300; k++) {
      unsigned op = rnd() % 4;
      if (op == 0) {
        mem_w32(0x1008, 0x00003000 | P | RW | US | ((rnd() & 1) ? A : 0));
        mem_w32(0x3000, 0x00902000 | P | RW | US | ((rnd() & 1) ? A | D : 0));
        tb.in.flush_valid = 1;
        tb.in.flush_kind = PMMU_RTL_FLUSH_ALL;
        cycle(NULL, NULL, NULL);
      }
      uint8_t acc = (rnd() & 1) ? PMMU_RTL_ACC_WRITE : PMMU_RTL_ACC_READ;
      uint32_t la = (rnd() & 1) ? 0x00800000 | (rnd() & 0xffc) : 0x00c00000 | (rnd() & 0x3ffffc);
      s = one(la, acc, PMMU_RTL_PRIV_SUP);
      uint64_t pa = la < 0x00c00000 ? 0x902000 | (la & 0xfff) : 0x501c00000ull | (la & 0x3fffff);
      walks += s.tlb == PMMU_RTL_TLB_MISS;
      if (s.fault || s.bus_err || s.pa != pa || s.r - s.a != 1 + tb.walk_cost) {
        if (bad++ < 5)
          printf("FAIL random timing %u la 0x%08x: pa 0x%" PRIx64 " fault %u cycles %" PRIu64
                 " want %" PRIu64 "\n",
                 k, la, s.pa, s.fault, s.r - s.a, 1 + tb.walk_cost);
      }
    }
    failures += bad != 0;
    printf("%-44s 300 accesses, %u walks, %u mismatches\n", "random memory timing", walks, bad);
    CHECK((mem_r32(0x3000) & A) != 0, "PTE.A not set");
  }
  tb.random_timing = 0;

  /* 16. a fault on a page whose A bits are clear writes nothing (no A on a fault) */
  mem_w32(0x2008, 0x00804000 | P); /* LA 0x00402xxx: supervisor page, A = 0 */
  s = one(0x00402000, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_USER);
  expect_fault("user read 0x00402000 (sup page, A = 0)", s, 0x5, 9);
  CHECK(tb.nacc == 2 && mem_r32(0x2008) == (0x00804000 | P),
        "faulting walk: %u accesses, PTE 0x%08x", tb.nacc, mem_r32(0x2008));

  /* 17. plru on a full set of the 16x4x8 TLB: five pages of set 0 (LA[15:12] = 0).
     * Fills take ways 0..3; hits on ways 2 then 0 leave b1 = 1, b3 = 1: the victim is
     * way 3 (page 3). Then page 2 still hits and page 3 misses. */
  tb.in.flush_valid = 1;
  tb.in.flush_kind = PMMU_RTL_FLUSH_ALL;
  cycle(NULL, NULL, NULL);
  for (uint32_t n = 0; n < 5; n++)
    mem_w32(0x2000 + 64 * n, (0x00a00000 + 0x1000 * n) | P | RW | US | A | D);
  {
    static const unsigned seq[] = {0, 1, 2, 3, 2, 0, 4, 2, 3};
    static const int hit[] = {0, 0, 0, 0, 1, 1, 0, 1, 0};
    for (unsigned i = 0; i < 9; i++) {
      uint32_t la = 0x00400000 + 0x10000 * seq[i];
      char what[64];
      snprintf(what, sizeof(what), "plru set 0: page %u (%s)", seq[i], hit[i] ? "hit" : "miss");
      s = one(la, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
      expect_pa(what, s, 0x00a00000 + 0x1000 * seq[i],
                hit[i] ? PMMU_RTL_TLB_HIT : PMMU_RTL_TLB_MISS, hit[i] ? 1 : 9);
    }
  }

  int errs = pmmu_rtl_errors(tb.h);
  CHECK(errs == 0, "%d RTL assertion failures", errs);

  /* the assertions are live and non-fatal: a memory response with no access outstanding
     * is a protocol error that the walker's assertion reports (on stdout) */
  if (!mutant) {
    printf("%-44s (an assertion message is expected next)\n", "spurious memory response");
    fflush(stdout);
    tb.pend = 1;
    tb.due = pmmu_rtl_cycle(tb.h);
    cycle(NULL, NULL, NULL);
    CHECK(pmmu_rtl_errors(tb.h) > errs, "the spurious response was not reported");
  }
  pmmu_rtl_free(tb.h);

  if (mutant) {
    printf("rtl_smoke -m %s: %d failed checks (%s)\n", mutant, failures,
           failures ? "mutant killed" : "mutant SURVIVED");
    return failures ? 1 : 0;
  }

  /* 18. replacement policies on the 1x4x2 variants against a reference of docs/tlb.md */
  test_replacement(PMMU_RTL_PLRU);
  test_replacement(PMMU_RTL_LRU);
  test_replacement(PMMU_RTL_FIFO);
  test_replacement(PMMU_RTL_RANDOM);

  /* 19. a mutant build, when compiled: the same walk costs one more cycle */
  int have_mutant = 0;
  for (unsigned i = 0; i < pmmu_rtl_variant_count(); i++)
    if (pmmu_rtl_variant(i)->mutant && !strcmp(pmmu_rtl_variant(i)->mutant, "WALK_EXTRA_CYCLE"))
      have_mutant = 1;
  if (have_mutant) {
    memset(&tb, 0, sizeof(tb));
    tb.flush_at = UINT64_MAX;
    tb.h = pmmu_rtl_new_mutant("WALK_EXTRA_CYCLE");
    CHECK(tb.h != NULL, "mutant not created");
    if (tb.h) {
      mem_w32(0x1004, 0x00002000 | P | RW | US | A);
      mem_w32(0x2000, 0x00801000 | P | RW | US | A);
      tb.in.cr0_pg = 1;
      tb.in.cr3 = 0x1000;
      s = one(0x00400123, PMMU_RTL_ACC_READ, PMMU_RTL_PRIV_SUP);
      printf("%-44s cycles=%" PRIu64 " (the good RTL: 9)\n", "mutant WALK_EXTRA_CYCLE", s.r - s.a);
      CHECK(s.r - s.a == 10, "mutant cycles %" PRIu64, s.r - s.a);
      pmmu_rtl_free(tb.h);
    }
  }

  if (failures) {
    printf("rtl_smoke: %d FAILED\n", failures);
    return 1;
  }
  printf("rtl_smoke: all checks passed\n");
  return 0;
}
