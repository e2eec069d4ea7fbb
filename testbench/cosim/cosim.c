/* Random worlds and request streams for `pmmu cosim` (see cosim.h). */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "cosim.h"
#include "tb_budget.h"
#include "tb_file.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

#define N_DIRS 4
#define N_TABLES 16
#define N_HOT_PDE 12
#define N_HOT_PTE 16
#define SELF_MAP_INDEX 0x3FFu
#define DIR_BASE 0x00100000u
#define TABLE_BASE 0x00200000u
/* PAE: PDPTs (32 bytes each), page directories and page tables of 8-byte entries */
#define N_PDPTS 4
#define N_PAE_DIRS 4
#define N_PAE_TABLES 16
#define PAE_SELF_MAP_INDEX 0x1FFu
#define PDPT_BASE 0x00300000u
#define PAE_DIR_BASE 0x00400000u
#define PAE_TABLE_BASE 0x00500000u

typedef struct world {
  uint64_t rng;
  engine_t *e;
  const cosim_options *opt;
  cosim_result *res;
  FILE *out;
  unsigned hot_pde[N_HOT_PDE];
  unsigned hot_pte[N_HOT_PTE];
  unsigned hot_pde_pae[N_HOT_PDE]; /* LA[31:21]: PDPTE index and PDE index */
  unsigned hot_pte_pae[N_HOT_PTE]; /* LA[20:12] */
  uint64_t now;                    /* the earliest cycle for the next operation */
  bool coherent;                   /* no page-table edit since the last full flush */
  bool failed;                     /* the seed failed: its one report is out, the run ends */
  char repro[512];                 /* the command printed with lockstep differences */
  uint32_t recent[8];              /* pages touched lately: re-touching them makes the TLB hit */
  unsigned recent_next;
  tb_error mem_error; /* a page-table write the host had no memory for (code 0: none) */
  bool stop;          /* a hang, a refused operation or mem_error: the run ends */
  /* The handler's acks (cosim_options.ack_percent): their own random stream, so that the
   * stimulus and its cycles are those of a run without acks (acks change no timing, T10) */
  uint64_t ack_rng, reset_rng, poke_rng;
  unsigned ack_percent;
  bool any_ack;
  uint64_t last_ack;
  uint64_t cycles_before; /* cycles run before the latest reset (cosim_options.reset_permille) */
  FILE *ex;               /* cosim_options.export_path: the scenario being written, or NULL */
} world;

/* ---- Randomness ---------------------------------------------------------------------- */

static uint64_t next_u64(world *w) {
  uint64_t z = (w->rng += UINT64_C(0x9E3779B97F4A7C15));
  z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static unsigned below(world *w, unsigned n) { return (unsigned)(next_u64(w) % n); }
static bool chance(world *w, unsigned percent) { return below(w, 100) < percent; }
static uint32_t bits32(world *w) { return (uint32_t)next_u64(w); }

static bool engine_status(world *w, int st);

/* ---- The export (cosim_options.export_path, docs/spec/scenario-format.md) ----------------
 * Each operation is written as the scenario command that gives it to the engine in the same
 * cycle, so that `pmmu run` replays the run exactly: the same memory requests in the same
 * order draw the same timing from the memory's seed. */

static void export_reg(world *w, engine_reg reg, uint64_t value, uint64_t cycle) {
  if (w->ex)
    fprintf(w->ex, "at %" PRIu64 " %s 0x%" PRIx64 "\n", cycle, engine_reg_name(reg), value);
}

static void export_section(world *w, const char *title) {
  if (w->ex) fprintf(w->ex, "\n# ---- %s\n", title);
}

/* The request, the flush given during it (NULL: none), and what the engine answered. */
static void export_access(world *w, uint64_t index, const pmmu_request *req, const engine_flush *fl,
                          const pmmu_response *got) {
  FILE *f = w->ex;
  if (!f) return;
  fprintf(f, "at %" PRIu64 " %s 0x%08" PRIx32 " %s%s", req->cycle, pmmu_access_name(req->access),
          req->la, pmmu_priv_name(req->priv), req->ac ? " ac" : "");
  fprintf(f, "   # request %" PRIu64 ": accepted %" PRIu64 ", answered %" PRIu64 "\n", index + 1,
          got->accept_cycle, got->response_cycle);
  if (fl) {
    fprintf(f, "at %" PRIu64 " flush %s", fl->cycle,
            fl->kind == PMMU_FLUSH_PAGE  ? "page"
            : fl->kind == PMMU_FLUSH_ALL ? "all"
                                         : "nonglobal");
    if (fl->kind == PMMU_FLUSH_PAGE) fprintf(f, " 0x%08" PRIx32, fl->la);
    fputc('\n', f);
  }
  if (got->outcome == PMMU_OK) fprintf(f, "expect pa 0x%09" PRIx64 "\n", got->pa);
  else if (got->outcome == PMMU_PAGE_FAULT)
    fprintf(f, "expect fault 0x%" PRIx32 "\n", got->error_code);
  else fprintf(f, "expect bus-error 0x%09" PRIx64 "\n", got->bus_error_pa);
  if (got->tlb != PMMU_TLB_OFF)
    fprintf(f, "expect %s\n", got->tlb == PMMU_TLB_HIT ? "hit" : "miss");
}

/* The percentage of responses an ack follows in this run: the option, or by default 30 in
 * every fourth seed (3, 7, 11, ...) and none in the others. None for the model alone with a
 * transaction trace: its events are written as the model computes them, and an ack inside the
 * next walk would come before them. */
static unsigned ack_percent(const cosim_options *o) {
  if (o->engine == ENGINE_MODEL && o->dump_trace) return 0;
  if (o->ack_percent <= 100) return o->ack_percent;
  return o->seed % 4 == 3 ? 30 : 0;
}

/* After a response in cycle `resp` (the block rests in `rest` >= resp): now and then an ack,
 * in the response cycle itself (a new fault wins over it), the cycle after, or a few cycles
 * later, possibly inside the next request's walk. */
static void maybe_ack(world *w, uint64_t resp, uint64_t rest) {
  if (!w->ack_percent) return;
  uint64_t save = w->rng, pick;
  w->rng = w->ack_rng; /* the acks' own stream */
  bool ack = chance(w, w->ack_percent);
  unsigned where = below(w, 10);
  unsigned later = below(w, 8);
  w->ack_rng = w->rng;
  w->rng = save;
  if (!ack) return;
  pick = where < 4 ? resp : where < 7 ? resp + 1 : resp + 2 + later;
  if (pick < rest) pick = rest;
  if (w->any_ack && pick <= w->last_ack) pick = w->last_ack + 1;
  if (!engine_status(w, engine_ack(w->e, pick))) return;
  w->any_ack = true;
  w->last_ack = pick;
  w->res->acks++;
  if (w->ex) fprintf(w->ex, "ack %" PRIu64 "\n", pick);
  if (w->opt->trace) fprintf(w->out, "trace: ack at cycle %" PRIu64 "\n", pick);
}

/* ---- Entries ---------------------------------------------------------------------------- */

/* Random flags for any entry: every combination of the bits the PMMU reads or ignores, but
 * biased towards usable mappings (present, user, writable) so that enough translations
 * succeed to fill the TLB and exercise replacement, not only the fault paths. */
static uint32_t random_flags(world *w) {
  uint32_t f = bits32(w) & 0xF78u; /* PWT PCD A D (PS clear) G and the ignored 11:9 */
  if (chance(w, 95)) f |= PMMU_PTE_P;
  if (chance(w, 75)) f |= PMMU_PTE_US;
  if (chance(w, 75)) f |= PMMU_PTE_RW;
  return f;
}

static uint32_t random_pte(world *w) {
  return (bits32(w) & 0xFFFFF000u) | random_flags(w) |
         (chance(w, 30) ? (uint32_t)PMMU_PTE_PAT4K : 0);
}

static uint32_t table_pointer(world *w) {
  return (TABLE_BASE + below(w, N_TABLES) * 0x1000u) | random_flags(w);
}

static uint32_t large_pde(world *w) {
  uint32_t v = (bits32(w) & 0xFFC00000u) | (bits32(w) & 0x1E000u) /* PSE-36: PA[35:32] */ |
               random_flags(w) | (uint32_t)PMMU_PTE_PS;
  if (chance(w, 30)) v |= (uint32_t)PMMU_PTE_PATLG;
  if (chance(w, 6)) v |= 1u << (17 + below(w, 5)); /* a reserved bit */
  return v;
}

static uint32_t random_pde(world *w) { return chance(w, 70) ? table_pointer(w) : large_pde(w); }

/* Page-table writes: a failed one (no host memory) ends the run as an error. */
static void mem_write(world *w, uint64_t pa, unsigned size, uint64_t v) {
  if (w->ex)
    fprintf(w->ex, "mem%u 0x%09" PRIx64 " 0x%0*" PRIx64 "\n", size * 8, pa, (int)size * 2, v);
  int st = engine_mem_write(w->e, pa, size, v);
  if (st != TB_OK && !w->mem_error.code) {
    w->mem_error = *engine_error(w->e);
    w->stop = true;
  }
}
static void mem_write32(world *w, uint64_t pa, uint32_t v) { mem_write(w, pa, 4, v); }
static void mem_write64(world *w, uint64_t pa, uint64_t v) { mem_write(w, pa, 8, v); }

/* ---- PAE entries (x86-paging.md section 4) ------------------------------------------------ */

static bool pae_mode(world *w) {
  return (engine_read_reg(w->e, REG_CR0) & PMMU_CR0_PG) &&
         (engine_read_reg(w->e, REG_CR4) & PMMU_CR4_PAE);
}

/* XD now and then, a reserved bit of 62:36 rarely */
static uint64_t pae_high(world *w) {
  uint64_t v = 0;
  if (chance(w, 15)) v |= PMMU_PTE_XD;
  if (chance(w, 3)) v |= UINT64_C(1) << (36 + below(w, 27));
  return v;
}

static uint64_t pae_frame(world *w) { return next_u64(w) & UINT64_C(0xFFFFFF000); /* PA[35:12] */ }

static uint64_t pae_pte(world *w) {
  return pae_frame(w) | random_flags(w) | (chance(w, 30) ? PMMU_PTE_PAT4K : 0) | pae_high(w);
}

static uint64_t pae_table_pointer(world *w) {
  return (PAE_TABLE_BASE + below(w, N_PAE_TABLES) * 0x1000u) | random_flags(w) | pae_high(w);
}

static uint64_t pae_large_pde(world *w) {
  uint64_t v = (pae_frame(w) & UINT64_C(0xFFFE00000)) | random_flags(w) | PMMU_PTE_PS | pae_high(w);
  if (chance(w, 30)) v |= PMMU_PTE_PATLG;
  if (chance(w, 6)) v |= UINT64_C(1) << (13 + below(w, 8)); /* a reserved bit of 20:13 */
  return v;
}

static uint64_t pae_pde(world *w) {
  return chance(w, 65) ? pae_table_pointer(w) : pae_large_pde(w);
}

/* A PDPTE: a page directory, rarely not present, and (unless `clean`) now and then with a
 * reserved bit (2:1, 8:5, 63:36), which makes its load a #GP. */
static uint64_t pdpte(world *w, bool clean) {
  uint64_t v =
      (PAE_DIR_BASE + below(w, N_PAE_DIRS) * 0x1000u) | (bits32(w) & 0xE18u) /* PWT PCD 11:9 */;
  if (chance(w, 94)) v |= PMMU_PTE_P;
  if (!clean && chance(w, 3)) {
    static const unsigned rsvd[] = {1, 2, 5, 6, 7, 8, 36, 40, 50, 63};
    v |= UINT64_C(1) << rsvd[below(w, 10)];
  }
  return v;
}

static void build_pae_world(world *w) {
  for (unsigned i = 0; i < N_HOT_PDE; i++) {
    unsigned idx;
    bool taken;
    do { /* distinct, and not a self-map slot */
      idx = below(w, 2048);
      taken = (idx & 0x1FFu) == PAE_SELF_MAP_INDEX;
      for (unsigned k = 0; k < i; k++) taken |= w->hot_pde_pae[k] == idx;
    } while (taken);
    w->hot_pde_pae[i] = idx;
  }
  for (unsigned i = 0; i < N_HOT_PTE; i++) w->hot_pte_pae[i] = below(w, 512);
  w->hot_pte_pae[0] = PAE_SELF_MAP_INDEX;
  for (unsigned p = 0; p < N_PDPTS; p++)
    for (unsigned i = 0; i < 4; i++)
      mem_write64(w, PDPT_BASE + p * 0x20u + 8 * i, pdpte(w, p == 0));
  for (unsigned d = 0; d < N_PAE_DIRS; d++) {
    uint32_t dir = PAE_DIR_BASE + d * 0x1000u;
    for (unsigned i = 0; i < N_HOT_PDE; i++)
      mem_write64(w, dir + 8 * (w->hot_pde_pae[i] & 0x1FFu), pae_pde(w));
    mem_write64(w, dir + 8 * PAE_SELF_MAP_INDEX,
                dir | (random_flags(w) & ~(uint32_t)PMMU_PTE_PS) | 1u);
  }
  for (unsigned t = 0; t < N_PAE_TABLES; t++)
    for (unsigned i = 0; i < N_HOT_PTE; i++)
      mem_write64(w, PAE_TABLE_BASE + t * 0x1000u + 8 * w->hot_pte_pae[i], pae_pte(w));
}

static uint32_t random_la_pae(world *w) {
  if (chance(w, 20))
    return (w->hot_pde_pae[below(w, 6)] << 21) | (w->hot_pte_pae[1] << 12) | (bits32(w) & 0xFFFu);
  if (chance(w, 75) && w->recent[0]) return w->recent[below(w, 8)] | (bits32(w) & 0xFFFu);
  if (chance(w, 3)) return bits32(w);
  unsigned pde =
      chance(w, 6) ? (below(w, 4) << 9) | PAE_SELF_MAP_INDEX : w->hot_pde_pae[below(w, N_HOT_PDE)];
  unsigned pte = w->hot_pte_pae[below(w, N_HOT_PTE)];
  return (pde << 21) | (pte << 12) | (bits32(w) & 0xFFFu);
}

static uint32_t pdpt_cr3(world *w) {
  return PDPT_BASE + below(w, N_PDPTS) * 0x20u + (chance(w, 20) ? (bits32(w) & 0x18u) : 0);
}

static void build_world(world *w) {
  for (unsigned i = 0; i < N_HOT_PDE; i++) {
    unsigned idx;
    bool taken;
    do { /* distinct, and not the self-map slot */
      idx = below(w, 1023);
      taken = false;
      for (unsigned k = 0; k < i; k++) taken |= w->hot_pde[k] == idx;
    } while (taken);
    w->hot_pde[i] = idx;
  }
  for (unsigned i = 0; i < N_HOT_PTE; i++) w->hot_pte[i] = below(w, 1024);
  w->hot_pte[0] = SELF_MAP_INDEX; /* so that some self-map walks read one word twice */

  for (unsigned d = 0; d < N_DIRS; d++) {
    uint32_t dir = DIR_BASE + d * 0x1000u;
    for (unsigned i = 0; i < N_HOT_PDE; i++) mem_write32(w, dir + 4 * w->hot_pde[i], random_pde(w));
    /* The self-mapping PDE: the directory doubles as a page table. */
    mem_write32(w, dir + 4 * SELF_MAP_INDEX, dir | (random_flags(w) & ~(uint32_t)PMMU_PTE_PS) | 1u);
  }
  for (unsigned t = 0; t < N_TABLES; t++)
    for (unsigned i = 0; i < N_HOT_PTE; i++)
      mem_write32(w, TABLE_BASE + t * 0x1000u + 4 * w->hot_pte[i], random_pte(w));
}

static uint32_t random_la(world *w) {
  if (pae_mode(w)) return random_la_pae(w);
  /* A conflict group: six pages with one PTE index under different PDEs share a 4 KiB set
   * (and six large pages the large array), more than it has ways: evictions and
   * re-references make every replacement decision visible. */
  if (chance(w, 20))
    return (w->hot_pde[below(w, 6)] << 22) | (w->hot_pte[1] << 12) | (bits32(w) & 0xFFFu);
  if (chance(w, 75) && w->recent[0]) return w->recent[below(w, 8)] | (bits32(w) & 0xFFFu);
  if (chance(w, 3)) return bits32(w);
  unsigned pde = chance(w, 6) ? SELF_MAP_INDEX : w->hot_pde[below(w, N_HOT_PDE)];
  unsigned pte = w->hot_pte[below(w, N_HOT_PTE)];
  return (pde << 22) | (pte << 12) | (bits32(w) & 0xFFFu);
}

/* ---- Operations ------------------------------------------------------------------------- */

/* A seed stops at its first failure: one report (a check of cosim's own here, with the command
 * that reproduces the run), then the run ends. What follows a first bug is mostly its
 * consequences, and one table is what triage reads. */
static void report_failure(world *w, const char *what) {
  if (!w->failed) {
    fprintf(w->out, "cosim: %s\n", what);
    fprintf(w->out, "cosim: reproduce with: %s\n", w->repro);
    w->failed = true;
  }
  w->stop = true;
}

/* An engine operation's status: the first lockstep difference of the run is printed (its first
 * comparison only: the table of the request, interrupt or PDPTE load that differed, with the
 * command that reproduces the run) and the run ends; so does a hang, and an error (reported
 * here, with the reproducer). true when the operation's result may be used. */
static bool engine_status(world *w, int st) {
  if (st == TB_MISMATCH || st == TB_HANG) {
    if (!w->failed) engine_report_first(w->e, w->out, w->repro);
    else engine_clear_mismatches(w->e);
    w->failed = true;
    w->stop = true;
  }
  if (st < 0) {
    char what[TB_ERROR_MSG + 64];
    snprintf(what, sizeof what, "the engine refused an operation: %s", engine_error(w->e)->msg);
    report_failure(w, what);
  }
  return engine_accepted(st);
}

/* "ok pa 0x...", "#PF ec 0x... cr2 0x...", "bus error at 0x...": a response for --trace. */
static void describe_result(const pmmu_response *r, char *buf, size_t len) {
  if (r->outcome == PMMU_OK) snprintf(buf, len, "ok pa 0x%09" PRIx64, r->pa);
  else if (r->outcome == PMMU_PAGE_FAULT)
    snprintf(buf, len, "#PF ec 0x%" PRIx32 " cr2 0x%08" PRIx32, r->error_code, r->cr2);
  else snprintf(buf, len, "bus error at 0x%09" PRIx64, r->bus_error_pa);
}

static const char *flush_kind_name(pmmu_flush_kind k) {
  return k == PMMU_FLUSH_ALL ? "all" : k == PMMU_FLUSH_PAGE ? "page" : "nonglobal";
}

static bool same_result(const pmmu_response *a, const pmmu_response *b) {
  if (a->outcome != b->outcome) return false;
  if (a->outcome == PMMU_OK) return a->pa == b->pa;
  if (a->outcome == PMMU_PAGE_FAULT) return a->error_code == b->error_code && a->cr2 == b->cr2;
  return true;
}

static void count(world *w, const pmmu_response *r) {
  cosim_result *res = w->res;
  res->requests++;
  if (r->tlb == PMMU_TLB_HIT) res->hits++;
  else if (r->tlb == PMMU_TLB_MISS) res->walks++;
  else res->off++;
  if (r->outcome == PMMU_BUS_ERROR) res->bus_errors++;
  if (r->outcome != PMMU_PAGE_FAULT) return;
  if (r->fault_kind == PMMU_FAULT_NOT_PRESENT) res->faults_np++;
  else if (r->fault_kind == PMMU_FAULT_RESERVED) res->faults_rsvd++;
  else res->faults_prot++;
}

/* The control registers out of reset, in cycles 0, 1, 2 (at the start, and after each
 * injected reset). */
static void boot(world *w) {
  engine_t *e = w->e;
  export_section(w, w->opt->seed % 2 == 0 ? "boot: PAE paging with NXE, in cycles 0-2"
                                          : "boot: 32-bit paging with NXE, in cycles 0-2");
  export_reg(w, REG_EFER, PMMU_EFER_NXE, 0);
  export_reg(w, REG_CR3, w->opt->seed % 2 == 0 ? PDPT_BASE : DIR_BASE, 1);
  export_reg(w, REG_CR4, PMMU_CR4_PSE | PMMU_CR4_PGE | (w->opt->seed % 2 == 0 ? PMMU_CR4_PAE : 0u),
             2);
  export_section(w, "the stream: accesses (with the model's answers), register writes, "
                    "page-table edits, INVLPGs, flushes during walks, acks");
  if (w->opt->seed % 2 == 0) {
    /* even seeds start in PAE paging, odd ones in 32-bit paging, both with NXE on (PDPT 0
     * has no reserved bit) */
    pmmu_reg_result r = {.done_cycle = 2};
    engine_status(w, engine_write_reg(e, REG_EFER, PMMU_EFER_NXE, 0, NULL));
    engine_status(w, engine_write_reg(e, REG_CR3, PDPT_BASE, 1, NULL));
    engine_status(w,
                  engine_write_reg(e, REG_CR4, PMMU_CR4_PSE | PMMU_CR4_PGE | PMMU_CR4_PAE, 2, &r));
    w->now = r.done_cycle + 1;
  } else {
    engine_status(w, engine_write_reg(e, REG_EFER, PMMU_EFER_NXE, 0, NULL));
    engine_status(w, engine_write_reg(e, REG_CR3, DIR_BASE, 1, NULL));
    engine_status(w, engine_write_reg(e, REG_CR4, PMMU_CR4_PSE | PMMU_CR4_PGE, 2, NULL));
    w->now = 3;
  }
}

/* With cosim_options.reset_permille: now and then the request is cut by a reset in a random
 * cycle from its presentation to a few cycles after its response (engine_translate_reset):
 * every walker state is hit over a run. Then the world boots again, its TLB empty. Drawn from
 * a stream of its own. True when the request was handled so (its result is then not used). */
static bool maybe_reset(world *w, const pmmu_request *req, pmmu_response *got, int *err) {
  if (!w->opt->reset_permille) return false;
  uint64_t save = w->rng;
  w->rng = w->reset_rng;
  bool reset = below(w, 1000) < w->opt->reset_permille;
  unsigned after = below(w, 40);
  w->reset_rng = w->rng;
  w->rng = save;
  if (!reset) return false;
  bool lost = false;
  *err = engine_translate_reset(w->e, req, req->cycle + after, got, &lost);
  if (w->opt->trace)
    fprintf(w->out, "trace: reset in cycle %" PRIu64 " (request %s)\n", req->cycle + after,
            lost ? "lost" : "answered before");
  w->res->resets++;
  if (lost) w->res->resets_in_flight++;
  uint64_t end =
      got->response_cycle > req->cycle + after ? got->response_cycle : req->cycle + after;
  w->cycles_before += lost ? req->cycle + after + 1 : end + 1;
  w->any_ack = false;
  w->coherent = !engine_pokes_waiting(w->e); /* the TLB is empty (a poke may land later) */
  if (engine_accepted(*err)) boot(w);
  return true;
}

/* The entries a walk of `la` reads, as memory holds them now (x86-paging.md section 3, 4): the
 * PDE, then the PTE when the PDE points at a table. In PAE the PDPTE comes from memory at CR3,
 * as last loaded unless edited since. Returns how many (0 with paging off). */
static unsigned walk_entries(world *w, uint32_t la, uint64_t pa[2], unsigned *size) {
  uint64_t cr0 = engine_read_reg(w->e, REG_CR0), cr3 = engine_read_reg(w->e, REG_CR3);
  uint64_t cr4 = engine_read_reg(w->e, REG_CR4);
  if (!(cr0 & PMMU_CR0_PG)) return 0;
  if (cr4 & PMMU_CR4_PAE) {
    uint64_t pdpte = engine_mem_read(w->e, (cr3 & 0xFFFFFFE0u) + 8 * (la >> 30), 8);
    *size = 8;
    pa[0] = (pdpte & UINT64_C(0xFFFFFF000)) + 8 * ((la >> 21) & 0x1FFu);
    uint64_t pde = engine_mem_read(w->e, pa[0], 8);
    if (!(pde & PMMU_PTE_P) || (pde & PMMU_PTE_PS)) return 1;
    pa[1] = (pde & UINT64_C(0xFFFFFF000)) + 8 * ((la >> 12) & 0x1FFu);
    return 2;
  }
  *size = 4;
  pa[0] = (cr3 & 0xFFFFF000u) + 4 * (la >> 22);
  uint64_t pde = engine_mem_read(w->e, pa[0], 4);
  if (!(pde & PMMU_PTE_P) || ((pde & PMMU_PTE_PS) && (cr4 & PMMU_CR4_PSE))) return 1;
  pa[1] = (pde & 0xFFFFF000u) + 4 * ((la >> 12) & 0x3FFu);
  return 2;
}

/* With cosim_options.poke_permille: now and then the second master writes one of the entries
 * the request's walk reads, in a cycle from its lookup (A + 1 at the earliest) to a few dozen
 * cycles later: one bit flipped (mostly A, D, P, R/W, U/S or the frame; in PAE also XD or a
 * reserved bit of the high half), as a 32-bit write of either half or a 64-bit write of a PAE
 * entry. Drawn from a stream of its own; true when a poke was given. */
static bool maybe_poke(world *w, const pmmu_request *req) {
  if (!w->opt->poke_permille) return false;
  uint64_t save = w->rng;
  w->rng = w->poke_rng;
  bool poke = below(w, 1000) < w->opt->poke_permille;
  unsigned which = below(w, 4), after = below(w, 24), half = below(w, 3);
  unsigned bit = chance(w, 50) ? (unsigned[]){0, 1, 2, 5, 6}[below(w, 5)] : below(w, 64);
  w->poke_rng = w->rng;
  w->rng = save;
  uint64_t pa[2];
  unsigned size = 4, n = poke ? walk_entries(w, req->la, pa, &size) : 0;
  if (!n) return false;
  uint64_t at = pa[which ? n - 1 : 0]; /* mostly the leaf: its CAS comes last, so waits longest */
  if (size == 4) bit %= 32;
  uint64_t v = engine_mem_read(w->e, at, size) ^ (UINT64_C(1) << bit);
  uint64_t ready = engine_ready_cycle(w->e);
  uint64_t cycle = (req->cycle > ready ? req->cycle : ready) + 1 + after;
  unsigned wsize = size;
  if (size == 8 && half < 2) { /* one 32-bit half, the one with the bit */
    wsize = 4;
    if (bit >= 32) {
      at += 4;
      v >>= 32;
    }
    v &= 0xFFFFFFFFu;
  }
  if (!engine_status(w, engine_poke(w->e, cycle, at, wsize, v))) return false;
  if (w->ex)
    fprintf(w->ex, "poke%s %" PRIu64 " 0x%09" PRIx64 " 0x%0*" PRIx64 "\n", wsize == 8 ? "64" : "",
            cycle, at, (int)wsize * 2, v);
  if (w->opt->trace)
    fprintf(w->out, "trace: poke 0x%09" PRIx64 " = 0x%" PRIx64 " at cycle %" PRIu64 "\n", at, v,
            cycle);
  w->res->pokes++;
  w->coherent = false; /* the TLB may hold the entry as it was */
  return true;
}

static bool do_access(world *w, uint64_t index) {
  pmmu_request req = {.la = random_la(w)};
  unsigned kind = below(w, 10);
  req.access = kind < 5 ? PMMU_READ : kind < 8 ? PMMU_WRITE : PMMU_FETCH;
  unsigned priv = below(w, 20);
  req.priv = priv < 8 ? PMMU_USER : priv < 17 ? PMMU_SUPERVISOR : PMMU_IMPLICIT;
  if (req.access == PMMU_FETCH && req.priv == PMMU_IMPLICIT) req.priv = PMMU_SUPERVISOR;
  req.ac = chance(w, 30);
  req.cycle = w->now;
  w->recent[w->recent_next++ % 8] = req.la & ~0xFFFu;

  pmmu_response expect, got;
  bool coherent = w->coherent; /* as the lookup sees it, before any flush given during it */
  pmmu_t *model = engine_model(w->e);
  bool check = model && pmmu_debug_translate(model, &req, &expect, NULL) == PMMU_E_OK;
  /* a poke not landed yet may change memory under the walk: no fresh walk to compare with */
  if (maybe_poke(w, &req) || engine_pokes_waiting(w->e)) check = false;
  int err;
  uint64_t rest = 0; /* the cycle the block rests in after the request */
  engine_flush fl = {0};
  bool flushed = false;
  if (maybe_reset(w, &req, &got, &err)) {
    if (!engine_status(w, err)) return false;
    count(w, &got);
    return true;
  } else if (chance(w, 5)) {
    unsigned k = below(w, 20);
    flushed = true;
    fl = (engine_flush){.kind = k < 18   ? PMMU_FLUSH_PAGE
                                : k < 19 ? PMMU_FLUSH_NONGLOBAL
                                         : PMMU_FLUSH_ALL,
                        .la = chance(w, 50) ? req.la : random_la(w),
                        .after = below(w, 24)};
    err = engine_translate_flush(w->e, &req, &fl, &got);
    if (w->opt->trace)
      fprintf(w->out, "trace: flush %s la 0x%08" PRIx32 " at cycle %" PRIu64 "\n",
              flush_kind_name(fl.kind), fl.la, fl.cycle);
    w->res->flushes_in_flight++;
    if (fl.kind == PMMU_FLUSH_ALL) w->coherent = !engine_pokes_waiting(w->e);
    if (engine_accepted(err) && fl.cycle + 1 > w->now) w->now = fl.cycle + 1;
    if (engine_accepted(err)) rest = fl.cycle > got.response_cycle ? fl.cycle : got.response_cycle;
  } else {
    err = engine_translate(w->e, &req, &got);
  }
  if (!engine_status(w, err)) return false;
  w->res->cas_restarts += got.restarts;
  export_access(w, index, &req, flushed ? &fl : NULL, &got);
  if (rest < got.response_cycle) rest = got.response_cycle;
  maybe_ack(w, got.response_cycle, rest);
  count(w, &got);
  if (pae_mode(w)) w->res->pae_requests++;
  if (w->opt->trace) { /* numbered and described as the mismatch table's header is */
    char result[96];
    describe_result(&got, result, sizeof result);
    fprintf(w->out,
            "trace: request %" PRIu64 " (%s %s%s 0x%08" PRIx32 ", presented in cycle %" PRIu64
            "): %s, tlb %s, accepted in cycle %" PRIu64 ", response in cycle %" PRIu64 "\n",
            index, pmmu_access_name(req.access), pmmu_priv_name(req.priv), req.ac ? " ac" : "",
            req.la, req.cycle, result, pmmu_tlb_use_name(got.tlb), got.accept_cycle,
            got.response_cycle);
  }
  /* An injected bus error comes from the memory's timing draw, which a debug walk never makes. */
  if (check && got.outcome != PMMU_BUS_ERROR && (got.tlb == PMMU_TLB_MISS || coherent)) {
    w->res->self_checks++;
    if (!same_result(&expect, &got)) {
      char what[384], want[96], have[96];
      w->res->self_check_failures++;
      describe_result(&expect, want, sizeof want);
      describe_result(&got, have, sizeof have);
      snprintf(what, sizeof what,
               "request %" PRIu64 " (%s %s%s 0x%08" PRIx32 ", presented in cycle %" PRIu64
               "): result depends on the TLB (tlb %s): a walk says %s, got %s",
               index, pmmu_access_name(req.access), pmmu_priv_name(req.priv), req.ac ? " ac" : "",
               req.la, req.cycle, pmmu_tlb_use_name(got.tlb), want, have);
      report_failure(w, what);
    }
  }
  uint64_t after = got.response_cycle + (w->opt->max_gap ? below(w, w->opt->max_gap + 1) : 0);
  if (after > w->now) w->now = after;
  return true;
}

static void write_control(world *w, engine_reg reg, uint64_t value, uint64_t *cycle) {
  pmmu_reg_result r;
  if (w->opt->trace)
    fprintf(w->out, "trace: %s <- 0x%" PRIx64 " at cycle %" PRIu64 "\n", engine_reg_name(reg),
            value, *cycle);
  /* A CR3 write keeps global entries, which may not map the new address space alike (the
   * mode switches write CR3 too). */
  if (reg == REG_CR3 && (engine_read_reg(w->e, REG_CR4) & PMMU_CR4_PGE)) w->coherent = false;
  export_reg(w, reg, value, *cycle);
  if (engine_status(w, engine_write_reg(w->e, reg, value, *cycle, &r))) {
    if (r.flushed & PMMU_FLUSHED_ALL) w->coherent = !engine_pokes_waiting(w->e);
    if (r.gp_fault) w->res->gp_faults++;
    if (r.pdptes_loaded) w->res->pdpte_loads++;
    w->now = r.done_cycle + 1;
    *cycle = w->now;
  }
  w->res->control_writes++;
}

static void do_control(world *w) {
  static const uint32_t cr4_bits[] = {PMMU_CR4_PSE, PMMU_CR4_PGE, PMMU_CR4_SMEP, PMMU_CR4_SMAP};
  /* T8: not before the cycle after the last response. */
  uint64_t cycle = w->now > engine_ready_cycle(w->e) ? w->now : engine_ready_cycle(w->e) + 1;
  unsigned pick = below(w, 20);
  engine_reg reg;
  uint64_t value;
  bool paging = (engine_read_reg(w->e, REG_CR0) & PMMU_CR0_PG) != 0;
  bool pse = (engine_read_reg(w->e, REG_CR4) & PMMU_CR4_PSE) != 0;
  bool pae = (engine_read_reg(w->e, REG_CR4) & PMMU_CR4_PAE) != 0;
  unsigned mode = below(w, 20);
  if (mode < 3) {
    /* Mode switch between 32-bit and PAE paging: CR3 first when PAE goes on (the CR4 write
     * loads the PDPTEs from it), CR3 after when it goes off. */
    if (!pae) {
      write_control(w, REG_CR3, pdpt_cr3(w), &cycle);
      write_control(w, REG_CR4, engine_read_reg(w->e, REG_CR4) | PMMU_CR4_PAE, &cycle);
    } else {
      write_control(w, REG_CR4, engine_read_reg(w->e, REG_CR4) & ~(uint64_t)PMMU_CR4_PAE, &cycle);
      write_control(w, REG_CR3, DIR_BASE + below(w, N_DIRS) * 0x1000u, &cycle);
    }
    return;
  }
  bool nxe = (engine_read_reg(w->e, REG_EFER) & PMMU_EFER_NXE) != 0;
  if (mode < 5 && (!nxe || chance(w, 35))) { /* NXE mostly on: without it XD bits are reserved */
    write_control(w, REG_EFER, engine_read_reg(w->e, REG_EFER) ^ PMMU_EFER_NXE, &cycle);
    return;
  }
  if (!paging && chance(w, 50)) {
    reg = REG_CR0; /* paging stays off only briefly */
    value = engine_read_reg(w->e, REG_CR0) | PMMU_CR0_PG;
  } else if (!pse && chance(w, 50)) {
    reg = REG_CR4; /* so does PSE: without it the 4 MiB PDEs point at empty tables */
    value = engine_read_reg(w->e, REG_CR4) | PMMU_CR4_PSE;
  } else if (pick < 8) {
    reg = REG_CR3;
    value = pae ? pdpt_cr3(w)
                : DIR_BASE + below(w, N_DIRS) * 0x1000u + (chance(w, 20) ? (bits32(w) & 0x18u) : 0);
    /* Global entries survive, and x86 assumes every address space maps them alike; this
     * world's address spaces do not, so they may now be stale. */
    if (engine_read_reg(w->e, REG_CR4) & PMMU_CR4_PGE) w->coherent = false;
  } else if (pick < 11) {
    reg = REG_CR0;
    value = engine_read_reg(w->e, REG_CR0) ^ PMMU_CR0_WP;
  } else if (pick < 12 && chance(w, 25)) {
    reg = REG_CR0;
    value = engine_read_reg(w->e, REG_CR0) ^ PMMU_CR0_PG;
  } else {
    reg = REG_CR4;
    value = engine_read_reg(w->e, REG_CR4) ^ cr4_bits[below(w, 4)];
  }
  write_control(w, reg, value, &cycle);
}

/* a bit to flip in a PAE entry: mostly the low 36, now and then XD or a reserved one */
static unsigned flip_bit(world *w) {
  if (chance(w, 10)) return 36 + below(w, 27);
  if (chance(w, 10)) return 63;
  return below(w, 36);
}

static void do_edit_pae(world *w) {
  uint32_t la;
  unsigned k = below(w, 20);
  if (k < 1) {
    /* a PDPTE in memory: not seen until the next load (x86-paging.md section 4) */
    uint64_t pa = PDPT_BASE + below(w, N_PDPTS) * 0x20u + 8 * below(w, 4);
    uint64_t v = pa < PDPT_BASE + 0x20u ? pdpte(w, true) : pdpte(w, false);
    mem_write64(w, pa, v);
    if (w->opt->trace)
      fprintf(w->out, "trace: edit PDPTE at 0x%09" PRIx64 " = 0x%016" PRIx64 "\n", pa, v);
    w->res->edits++;
    return; /* the TLB is not stale: the registers still hold the old PDPTEs */
  }
  if (k < 10) {
    unsigned d = below(w, N_PAE_DIRS), i = w->hot_pde_pae[below(w, N_HOT_PDE)];
    uint64_t pa = PAE_DIR_BASE + d * 0x1000u + 8 * (i & 0x1FFu);
    uint64_t v =
        chance(w, 50) ? engine_mem_read(w->e, pa, 8) ^ (UINT64_C(1) << flip_bit(w)) : pae_pde(w);
    mem_write64(w, pa, v);
    la = (i << 21) | (w->hot_pte_pae[below(w, N_HOT_PTE)] << 12);
    if (w->opt->trace)
      fprintf(w->out, "trace: edit PAE PDE at 0x%09" PRIx64 " = 0x%016" PRIx64 "\n", pa, v);
  } else {
    unsigned t = below(w, N_PAE_TABLES), i = w->hot_pte_pae[below(w, N_HOT_PTE)];
    uint64_t pa = PAE_TABLE_BASE + t * 0x1000u + 8 * i;
    uint64_t v =
        chance(w, 50) ? engine_mem_read(w->e, pa, 8) ^ (UINT64_C(1) << flip_bit(w)) : pae_pte(w);
    mem_write64(w, pa, v);
    la = (w->hot_pde_pae[below(w, N_HOT_PDE)] << 21) | (i << 12);
    if (w->opt->trace)
      fprintf(w->out, "trace: edit PAE PTE at 0x%09" PRIx64 " = 0x%016" PRIx64 "\n", pa, v);
  }
  w->coherent = false;
  w->res->edits++;
  if (chance(w, 75)) {
    uint64_t cycle = w->now > engine_ready_cycle(w->e) ? w->now : engine_ready_cycle(w->e);
    if (w->ex) fprintf(w->ex, "at %" PRIu64 " invlpg 0x%08" PRIx32 "\n", cycle, la);
    if (engine_status(w, engine_invlpg(w->e, la, cycle))) w->now = cycle + 1;
    if (w->opt->trace)
      fprintf(w->out, "trace: invlpg 0x%08" PRIx32 " at cycle %" PRIu64 "\n", la, cycle);
  }
}

static void do_edit(world *w) {
  uint32_t la;
  if (w->ex) fputs("# a page-table edit\n", w->ex);
  if (pae_mode(w) ? chance(w, 85) : chance(w, 10)) {
    do_edit_pae(w);
    return;
  }
  if (chance(w, 50)) {
    unsigned d = below(w, N_DIRS), i = w->hot_pde[below(w, N_HOT_PDE)];
    uint64_t pa = DIR_BASE + d * 0x1000u + 4 * i;
    uint32_t v = chance(w, 50) ? (uint32_t)engine_mem_read(w->e, pa, 4) ^ (1u << below(w, 32))
                               : random_pde(w);
    mem_write32(w, pa, v);
    la = (i << 22) | (w->hot_pte[below(w, N_HOT_PTE)] << 12);
    if (w->opt->trace)
      fprintf(w->out, "trace: edit PDE at 0x%09" PRIx64 " = 0x%08" PRIx32 "\n", pa, v);
  } else {
    unsigned t = below(w, N_TABLES), i = w->hot_pte[below(w, N_HOT_PTE)];
    uint64_t pa = TABLE_BASE + t * 0x1000u + 4 * i;
    uint32_t v = chance(w, 50) ? (uint32_t)engine_mem_read(w->e, pa, 4) ^ (1u << below(w, 32))
                               : random_pte(w);
    mem_write32(w, pa, v);
    la = (w->hot_pde[below(w, N_HOT_PDE)] << 22) | (i << 12);
    if (w->opt->trace)
      fprintf(w->out, "trace: edit PTE at 0x%09" PRIx64 " = 0x%08" PRIx32 "\n", pa, v);
  }
  w->coherent = false;
  w->res->edits++;
  if (chance(w, 75)) {
    uint64_t cycle = w->now > engine_ready_cycle(w->e) ? w->now : engine_ready_cycle(w->e);
    if (w->ex) fprintf(w->ex, "at %" PRIu64 " invlpg 0x%08" PRIx32 "\n", cycle, la);
    if (engine_status(w, engine_invlpg(w->e, la, cycle))) w->now = cycle + 1;
    if (w->opt->trace)
      fprintf(w->out, "trace: invlpg 0x%08" PRIx32 " at cycle %" PRIu64 "\n", la, cycle);
  }
}

/* ---- Runs -------------------------------------------------------------------------------- */

void cosim_options_init(cosim_options *o) {
  memset(o, 0, sizeof *o);
  pmmu_config cfg;
  pmmu_config_init(&cfg);
  o->seed = 1;
  o->accesses = 10000;
  o->engine = ENGINE_MODEL;
  o->setup.tlb_sets = cfg.tlb_sets;
  o->setup.tlb_ways = cfg.tlb_ways;
  o->setup.tlb_large = cfg.tlb_large;
  o->setup.policy = cfg.policy;
  pmem_timing_init(&o->setup.timing);
  o->setup.timing.lat_min = 1;
  o->setup.timing.lat_max = 6;
  o->setup.timing.wait_max = 3;
  o->max_gap = 3;
  o->ack_percent = COSIM_ACKS_DEFAULT;
}

void cosim_command(const cosim_options *o, char *buf, size_t len) {
  const pmem_timing *t = &o->setup.timing;
  snprintf(buf, len,
           "pmmu cosim --seed %" PRIu64 " --accesses %" PRIu64 " --engine %s --sets %u --ways %u "
           "--large %u --policy %s --latency %u..%u --wait %u --bus-errors %u --gap %u",
           o->seed, o->accesses, engine_kind_name(o->engine), o->setup.tlb_sets, o->setup.tlb_ways,
           o->setup.tlb_large, pmmu_policy_name(o->setup.policy), t->lat_min, t->lat_max,
           t->wait_max, t->bus_error_permille, o->max_gap);
  if (o->mutant) {
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, " --mutant %s", o->mutant);
  }
  if (o->ack_percent <= 100) {
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, " --acks %u", o->ack_percent);
  }
  if (o->reset_permille) {
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, " --resets %u", o->reset_permille);
  }
  if (o->poke_permille) {
    size_t used = strlen(buf);
    snprintf(buf + used, len - used, " --pokes %u", o->poke_permille);
  }
}

/* Opens the export and writes its header: how it was made, how to replay it, the TLB and the
 * memory timing (the seed cosim_run derives). */
static bool export_begin(world *w, const cosim_options *o, tb_output **ex, tb_error *err) {
  tb_error why;
  if (o->reset_permille) {
    tb_fail(err ? err : &why, TB_E_INVALID, "--export does not go with --resets");
    return false;
  }
  if (!(*ex = tb_output_open(o->export_path, err ? err : &why))) return false;
  FILE *f = w->ex = tb_output_stream(*ex);
  const pmem_timing *t = &o->setup.timing;
  fprintf(f,
          "# A random run of pmmu cosim, written as a scenario (docs/spec/scenario-format.md).\n"
          "# made by: %s\n"
          "# replay:  pmmu run --engine both %s\n"
          "# Every command carries the cycle it reached the block in (at CYCLE, ack CYCLE); the\n"
          "# expect lines are the answers of the %s engine. The TLB-independence check of cosim\n"
          "# is not part of the file.\n",
          w->repro, o->export_path, engine_kind_name(o->engine));
  export_section(w, "the TLB and the memory's timing (drawn from its seed, request by request)");
  fprintf(f, "tlb sets=%u ways=%u large=%u policy=%s\n", o->setup.tlb_sets, o->setup.tlb_ways,
          o->setup.tlb_large, pmmu_policy_name(o->setup.policy));
  fprintf(f, "memory latency=%u", t->lat_min);
  if (t->lat_max != t->lat_min) fprintf(f, "..%u", t->lat_max);
  if (t->wait_max)
    fprintf(f, " wait=%u..%u", t->wait_min <= t->wait_max ? t->wait_min : t->wait_max, t->wait_max);
  if (t->bus_error_permille) fprintf(f, " bus-errors=%u", t->bus_error_permille);
  if (t->lat_max != t->lat_min || t->wait_max || t->bus_error_permille)
    fprintf(f, " seed=0x%" PRIx64, o->seed ^ UINT64_C(0x5EED0000CAFE));
  fputc('\n', f);
  return true;
}

int cosim_run(const cosim_options *o, FILE *out, cosim_result *res, tb_error *err) {
  memset(res, 0, sizeof *res);
  engine_setup setup = o->setup;
  setup.timing.seed = o->seed ^ UINT64_C(0x5EED0000CAFE);
  engine_t *e = engine_create_mutant(o->engine, &setup, o->mutant, err);
  if (!e) return err ? err->code : TB_E_INVALID;
  if (o->recorder) engine_set_recorder(e, o->recorder);
  if (o->port_log && engine_set_port_log(e, o->port_log) != TB_OK) {
    int code = tb_fail(err, engine_error(e)->code, "%s", engine_error(e)->msg);
    engine_destroy(e);
    return code;
  }
  world w = {.rng = o->seed, .e = e, .opt = o, .res = res, .out = out, .coherent = true};
  w.ack_rng = o->seed ^ UINT64_C(0xAC4AC4AC4AC4AC4A);
  w.ack_percent = ack_percent(o);
  w.reset_rng = o->seed ^ UINT64_C(0x2E5E72E5E72E5E7);
  w.poke_rng = o->seed ^ UINT64_C(0x90CE90CE90CE90CE);
  cosim_command(o, w.repro, sizeof w.repro);
  if (o->dump_trace && engine_trace_open(e, o->dump_trace, w.repro) != TB_OK) {
    int code = tb_fail(err, engine_error(e)->code, "%s", engine_error(e)->msg);
    engine_destroy(e);
    return code;
  }
  tb_output *ex = NULL;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  if (o->export_path && !export_begin(&w, o, &ex, err)) {
    engine_destroy(e);
    return err ? err->code : TB_E_IO;
  }
  export_section(&w, "the 32-bit world: page directories at 0x00100000, page tables at 0x00200000");
  build_world(&w);
  export_section(&w, "the PAE world: PDPTs at 0x00300000, page directories at 0x00400000, page "
                     "tables at 0x00500000");
  build_pae_world(&w);
  boot(&w);
  for (uint64_t i = 0; i < o->accesses && !w.stop;) {
    if (tb_budget_spent(w.now)) { /* --max-cycles, --timeout, a stop signal */
      res->stopped = true;
      break;
    }
    /* Per mille: control writes are rare enough (CR3 writes flush) for sets to fill up and
     * replacement to matter between them. */
    unsigned pick = below(&w, 1000);
    if (pick < 15) {
      do_control(&w);
    } else if (pick < 45) {
      do_edit(&w);
    } else {
      if (!do_access(&w, i + 1)) break; /* request i + 1, as the engine numbers them */
      i++;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  res->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  res->cycles = w.cycles_before + w.now;
  /* the interrupt of the last response (T10: compared in R + 1), unless the seed failed before */
  if (!w.failed && engine_finish(e) == TB_MISMATCH) {
    engine_report_first(e, out, w.repro);
    w.failed = true;
  }
  engine_clear_mismatches(e);
  /* a trace is kept when the run went to its end, mismatches and hangs included */
  if (engine_trace_close(e, w.mem_error.code == TB_OK) != TB_OK && w.mem_error.code == TB_OK)
    w.mem_error = *engine_error(e);
  res->mismatches = engine_mismatch_count(e);
  res->rtl_errors = (uint64_t)engine_rtl_errors(e);
  engine_destroy(e);
  if (ex) {
    tb_error why;
    fprintf(w.ex, "\n# ---- end: %" PRIu64 " requests; the run ended in cycle %" PRIu64 "\n",
            res->requests, res->cycles);
    if (tb_output_commit(ex, &why) != TB_OK && !w.mem_error.code) w.mem_error = why;
  }
  if (w.mem_error.code) {
    if (err) *err = w.mem_error;
    return w.mem_error.code;
  }
  return (res->mismatches || res->rtl_errors || res->self_check_failures || w.failed) ? TB_MISMATCH
                                                                                      : TB_OK;
}

void cosim_print_summary(const cosim_options *o, const cosim_result *r, FILE *out) {
  double pct = r->requests ? 100.0 * (double)r->hits / (double)r->requests : 0.0;
  fprintf(out, "cosim: seed %" PRIu64 ", engine %s, TLB %ux%u+%u %s\n", o->seed,
          engine_kind_name(o->engine), o->setup.tlb_sets, o->setup.tlb_ways, o->setup.tlb_large,
          pmmu_policy_name(o->setup.policy));
  fprintf(out,
          "  requests %" PRIu64 ": hits %" PRIu64 " (%.1f%%), walks %" PRIu64
          ", paging off %" PRIu64 "\n",
          r->requests, r->hits, pct, r->walks, r->off);
  fprintf(out,
          "  faults: not-present %" PRIu64 ", protection %" PRIu64 ", reserved %" PRIu64
          "; bus errors %" PRIu64 "\n",
          r->faults_np, r->faults_prot, r->faults_rsvd, r->bus_errors);
  fprintf(out,
          "  flushes during requests %" PRIu64 ", page-table edits %" PRIu64
          ", control writes %" PRIu64 " (#GP %" PRIu64 ")\n",
          r->flushes_in_flight, r->edits, r->control_writes, r->gp_faults);
  fprintf(out, "  PAE: requests %" PRIu64 ", PDPTE loads %" PRIu64 "\n", r->pae_requests,
          r->pdpte_loads);
  if (r->acks) fprintf(out, "  interrupt acks %" PRIu64 "\n", r->acks);
  if (r->pokes)
    fprintf(out, "  second-master pokes %" PRIu64 ", CAS restarts %" PRIu64 "\n", r->pokes,
            r->cas_restarts);
  if (r->resets)
    fprintf(out, "  resets %" PRIu64 " (%" PRIu64 " cut a request short)\n", r->resets,
            r->resets_in_flight);
  fprintf(out,
          "  TLB-independence checks %" PRIu64 " (%" PRIu64 " failed); lockstep mismatches %" PRIu64
          "; RTL assertion failures %" PRIu64 "\n",
          r->self_checks, r->self_check_failures, r->mismatches, r->rtl_errors);
  fprintf(out, "  cycles simulated %" PRIu64 " in %.3f s (%.2f M cycles/s)\n", r->cycles,
          r->seconds, r->seconds > 0 ? (double)r->cycles / r->seconds / 1e6 : 0.0);
}
