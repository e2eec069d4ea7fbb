/*
 * The page walker and the permission check, from docs/spec/x86-paging.md sections 3-7.
 *
 * One walk reads the entries top-down, stops at the first not-present or reserved-bit entry,
 * judges rights only on a complete translation, and then sets A (and D) top-down with one
 * compare-and-swap per entry that needs it; a failed compare-and-swap restarts the walk.
 * Every memory access goes through walk_io, which also keeps the cycle count of T4.
 */
#include "internal.h"

#include <string.h>

/* ---- Permission check (section 5) and error code (section 6) ------------------------- */

bool paging_enabled(const pmmu_control *ctl) { return (ctl->cr0 & PMMU_CR0_PG) != 0; }

bool pae_paging(const pmmu_control *ctl) {
  return paging_enabled(ctl) && (ctl->cr4 & PMMU_CR4_PAE) != 0;
}

static bool nx_enabled(const pmmu_control *ctl) {
  return pae_paging(ctl) && (ctl->efer & PMMU_EFER_NXE) != 0;
}

const char *pmmu_rights_denial(const pmmu_control *ctl, bool u, bool w, bool x,
                               const pmmu_request *req) {
  bool user = req->priv == PMMU_USER;
  bool write = req->access == PMMU_WRITE;
  bool fetch = req->access == PMMU_FETCH;
  bool wp = (ctl->cr0 & PMMU_CR0_WP) != 0;
  bool smep = (ctl->cr4 & PMMU_CR4_SMEP) != 0;
  bool smap = (ctl->cr4 & PMMU_CR4_SMAP) != 0;

  if (user && !u) return "a user access to a supervisor page (U=0)";
  if (write && !w && user) return "a user write to a read-only page (W=0)";
  if (write && !w && wp) return "a supervisor write to a read-only page with CR0.WP=1";
  if (fetch && !x) return "a fetch from a no-execute page (XD)";
  if (fetch && !user && u && smep) return "a supervisor fetch from a user page with CR4.SMEP=1";
  if (!fetch && !user && u && smap && req->priv == PMMU_IMPLICIT)
    return "an implicit supervisor access to a user page with CR4.SMAP=1";
  if (!fetch && !user && u && smap && !req->ac)
    return "a supervisor data access to a user page with CR4.SMAP=1 and EFLAGS.AC=0";
  return NULL;
}

bool perm_allows(const pmmu_control *ctl, rights r, const pmmu_request *req) {
  return pmmu_rights_denial(ctl, r.u, r.w, r.x, req) == NULL;
}

uint32_t perm_error_code(const pmmu_control *ctl, const pmmu_request *req, pmmu_fault_kind kind) {
  uint32_t ec = 0;
  if (kind != PMMU_FAULT_NOT_PRESENT) ec |= PMMU_EC_P;
  if (req->access == PMMU_WRITE) ec |= PMMU_EC_WR;
  if (req->priv == PMMU_USER) ec |= PMMU_EC_US;
  if (kind == PMMU_FAULT_RESERVED) ec |= PMMU_EC_RSVD;
  if (req->access == PMMU_FETCH && ((ctl->cr4 & PMMU_CR4_SMEP) || nx_enabled(ctl)))
    ec |= PMMU_EC_ID;
  return ec;
}

/* ---- Memory access with timing (T4) -------------------------------------------------- */

/* The walk's small steps are inlined into it: as calls they cost as much as the walk's own
 * work (docs/performance.md). */
#if defined(__GNUC__) || defined(__clang__)
#define WALK_INLINE static inline __attribute__((always_inline))
#else
#define WALK_INLINE static inline
#endif

typedef struct walk_io {
  const pmmu_t *m;
  pmmu_stats *stats; /* the handle's counters; NULL for a debug walk */
  bool debug;
  bool pae, nx, pse;     /* the paging mode, worked out once per walk (sections 2 and 3) */
  uint64_t next_present; /* the cycle the next access is presented */
  unsigned accesses;
  bool bus_error;
  uint64_t bus_error_pa;
} walk_io;

/* The cycles of one access (T4): present, accept, response. */
typedef struct txn_cycles {
  uint64_t present, accept, response;
} txn_cycles;

WALK_INLINE txn_cycles access_timing(walk_io *io, pmmu_mem_op op, uint64_t pa, unsigned size) {
  const pmmu_config *cfg = &io->m->cfg;
  txn_cycles c = {.present = io->next_present};
  if (cfg->mem.timing) {
    cfg->mem.timing(cfg->mem.ctx, op, pa, size, c.present, &c.accept, &c.response);
    /* A timing callback that breaks its contract must not send cycles backwards. */
    if (c.accept < c.present) c.accept = c.present;
    if (c.response <= c.accept) c.response = c.accept + 1;
  } else {
    c.accept = c.present;
    c.response = c.present + cfg->mem_latency;
  }
  io->next_present = c.response + 1;
  return c;
}

/* One memory transaction. Returns false on a bus error (recorded in io). The pmmu_mem_txn
 * record is made only for an observer: building it for nobody was a fifth of a walk. */
WALK_INLINE bool mem_txn(walk_io *io, pmmu_mem_op op, uint64_t pa, unsigned size, uint64_t expected,
                         uint64_t desired, uint64_t *data) {
  const pmmu_mem_ops *mem = &io->m->cfg.mem;
  txn_cycles c = {0, 0, 0};
  if (!io->debug) c = access_timing(io, op, pa, size);
  uint64_t value = 0;
  bool ok = op == PMMU_MEM_READ ? mem->read(mem->ctx, pa, size, &value)
                                : mem->cas(mem->ctx, pa, size, expected, desired, &value);
  if (!ok) value = 0;
  if (!io->debug) {
    io->accesses++;
    if (op == PMMU_MEM_READ) io->stats->mem_reads++;
    else io->stats->ad_writes++;
    if (mem->observe) {
      pmmu_mem_txn txn = {.op = op,
                          .pa = pa,
                          .size = size,
                          .expected = expected,
                          .desired = desired,
                          .data = value,
                          .bus_error = !ok,
                          .present_cycle = c.present,
                          .accept_cycle = c.accept,
                          .response_cycle = c.response};
      mem->observe(mem->ctx, &txn);
    }
  }
  *data = value;
  if (!ok) {
    io->bus_error = true;
    io->bus_error_pa = pa;
  }
  return ok;
}

/* ---- The walk ----------------------------------------------------------------------- */

/* Section 5 on the rights the walk combined. A walk of pmmu_translate reads it from the TLB's
 * permission table, which translate_slow has brought up to date (tlb_judge) before any walk;
 * a debug walk, which may come after a register write with no translation since, asks
 * pmmu_rights_denial() itself. D plays no part here: the walk sets it. */
WALK_INLINE bool walk_allows(const pmmu_t *m, bool debug, rights r, const pmmu_request *req) {
  if (debug) return perm_allows(&m->ctl, r, req);
  unsigned bits = (r.u ? TLB_R_U : 0u) | (r.w ? TLB_R_W : 0u) | (r.x ? TLB_R_X : 0u) | TLB_R_D;
  return (m->tlb.allow[tlb_kind(req)] >> bits) & 1u;
}

/* An entry the translation used, for the A/D updates. */
typedef struct used_entry {
  uint64_t pa;
  unsigned size;
  uint64_t value;
  bool leaf;
} used_entry;

typedef struct walk_state {
  pmmu_outcome outcome;
  pmmu_fault_kind fault;
  pmmu_level level;
  used_entry used[2];
  unsigned n_used;
  uint64_t pa;
  unsigned shift;
  rights r;
} walk_state;

#define BITS(hi, lo) ((((UINT64_C(1) << ((hi) - (lo) + 1)) - 1)) << (lo))

/* Reserved bits of a present entry (sections 3 and 4). */
WALK_INLINE uint64_t reserved_mask(const walk_io *io, pmmu_level level, bool large) {
  if (!io->pae) return large ? BITS(21, 17) : 0;
  uint64_t mask = BITS(62, PMMU_MAXPHYADDR);
  if (!io->nx) mask |= PMMU_PTE_XD;
  if (level == PMMU_LEVEL_PDE && large) mask |= BITS(20, 13);
  return mask;
}

WALK_INLINE void record_step(pmmu_walk_trace *trace, pmmu_level level, uint64_t pa, unsigned size,
                             uint64_t value, bool bus_error) {
  if (!trace || trace->n_steps >= 3) return;
  trace->steps[trace->n_steps++] = (pmmu_walk_step){
      .level = level, .entry_pa = pa, .size = size, .value = value, .bus_error = bus_error};
}

WALK_INLINE bool stop(walk_state *ws, pmmu_fault_kind fault, pmmu_level level) {
  ws->outcome = PMMU_PAGE_FAULT;
  ws->fault = fault;
  ws->level = level;
  return false;
}

/* Reads one entry and checks P and the reserved bits. False: the walk ended. */
WALK_INLINE bool read_entry(walk_io *io, walk_state *ws, pmmu_walk_trace *trace, pmmu_level level,
                            uint64_t pa, uint64_t *value) {
  unsigned size = io->pae ? 8 : 4;
  bool ok = mem_txn(io, PMMU_MEM_READ, pa, size, 0, 0, value);
  record_step(trace, level, pa, size, *value, !ok);
  if (!ok) {
    ws->outcome = PMMU_BUS_ERROR;
    return false;
  }
  if (!(*value & PMMU_PTE_P)) return stop(ws, PMMU_FAULT_NOT_PRESENT, level);
  bool large = level == PMMU_LEVEL_PDE && (*value & PMMU_PTE_PS) && (io->pae || io->pse);
  if (*value & reserved_mask(io, level, large)) return stop(ws, PMMU_FAULT_RESERVED, level);
  ws->used[ws->n_used++] = (used_entry){.pa = pa, .size = size, .value = *value};
  return true;
}

WALK_INLINE void combine_rights(walk_state *ws, const walk_io *io) {
  ws->r = (rights){true, true, true};
  for (unsigned i = 0; i < ws->n_used; i++) {
    uint64_t v = ws->used[i].value;
    ws->r.u = ws->r.u && (v & PMMU_PTE_US);
    ws->r.w = ws->r.w && (v & PMMU_PTE_RW);
    if (io->nx && (v & PMMU_PTE_XD)) ws->r.x = false;
  }
}

/* The PDE's address, and in PAE the PDPTE register check. False: the walk ended. */
WALK_INLINE bool pde_address(const walk_io *io, walk_state *ws, pmmu_walk_trace *trace, uint32_t la,
                             uint64_t *pde_pa) {
  const pmmu_control *ctl = &io->m->ctl;
  if (!io->pae) {
    *pde_pa = (uint64_t)(ctl->cr3 & 0xFFFFF000u) | ((la >> 22) << 2);
    return true;
  }
  unsigned index = la >> 30;
  uint64_t pdpte = ctl->pdpte[index];
  record_step(trace, PMMU_LEVEL_PDPTE, (uint64_t)(ctl->cr3 & 0xFFFFFFE0u) + 8u * index, 8, pdpte,
              false);
  if (!(pdpte & PMMU_PTE_P)) return stop(ws, PMMU_FAULT_NOT_PRESENT, PMMU_LEVEL_PDPTE);
  *pde_pa = (pdpte & BITS(35, 12)) | (((la >> 21) & 0x1FFu) << 3);
  return true;
}

/* Reads PDE and PTE (or the large PDE). True when the translation is complete. */
WALK_INLINE bool descend(walk_io *io, walk_state *ws, pmmu_walk_trace *trace, uint32_t la) {
  bool pae = io->pae;
  uint64_t pde_pa, pde, pte;
  if (!pde_address(io, ws, trace, la, &pde_pa)) return false;
  if (!read_entry(io, ws, trace, PMMU_LEVEL_PDE, pde_pa, &pde)) return false;

  if ((pde & PMMU_PTE_PS) && (pae || io->pse)) {
    ws->used[0].leaf = true;
    if (pae) {
      ws->shift = 21;
      ws->pa = (pde & BITS(35, 21)) | (la & 0x1FFFFFu);
    } else {
      ws->shift = 22;
      ws->pa = (((pde >> 13) & 0xFu) << 32) | (pde & 0xFFC00000u) | (la & 0x3FFFFFu);
    }
    return true;
  }
  uint64_t pte_pa = pae ? (pde & BITS(35, 12)) | (((la >> 12) & 0x1FFu) << 3)
                        : (pde & 0xFFFFF000u) | (((la >> 12) & 0x3FFu) << 2);
  if (!read_entry(io, ws, trace, PMMU_LEVEL_PTE, pte_pa, &pte)) return false;
  ws->used[1].leaf = true;
  ws->shift = 12;
  ws->pa = (pte & (pae ? BITS(35, 12) : 0xFFFFF000u)) | (la & 0xFFFu);
  return true;
}

/* Sets A (and D) top-down. Returns false if a CAS found memory changed (restart) or
 * answered with a bus error (ws->outcome says which). */
WALK_INLINE bool update_accessed_dirty(walk_io *io, walk_state *ws, bool write) {
  for (unsigned i = 0; i < ws->n_used; i++) {
    used_entry *e = &ws->used[i];
    uint64_t want = e->value | PMMU_PTE_A | (e->leaf && write ? PMMU_PTE_D : 0);
    if (want == e->value) continue;
    uint64_t old;
    if (!mem_txn(io, PMMU_MEM_CAS, e->pa, e->size, e->value, want, &old)) {
      ws->outcome = PMMU_BUS_ERROR;
      return false;
    }
    if (old != e->value) return false;
    e->value = want;
  }
  return true;
}

WALK_INLINE unsigned leaf_attr(const used_entry *leaf, unsigned shift) {
  uint64_t v = leaf->value;
  uint64_t pat = shift == 12 ? PMMU_PTE_PAT4K : PMMU_PTE_PATLG;
  return ((v & PMMU_PTE_PWT) ? 1u : 0u) | ((v & PMMU_PTE_PCD) ? 2u : 0u) | ((v & pat) ? 4u : 0u);
}

WALK_INLINE void make_fill(const pmmu_t *m, const walk_state *ws, uint32_t la,
                           pmmu_tlb_entry *fill) {
  const used_entry *leaf = &ws->used[ws->n_used - 1];
  /* every field written, so no memset first: only tlb_fill reads it, field by field */
  fill->valid = true;
  fill->page_shift = ws->shift;
  fill->vpn = la >> ws->shift;
  fill->frame_pa = ws->pa & ~((UINT64_C(1) << ws->shift) - 1);
  fill->u = ws->r.u;
  fill->w = ws->r.w;
  fill->x = ws->r.x;
  fill->d = (leaf->value & PMMU_PTE_D) != 0;
  fill->g = (leaf->value & PMMU_PTE_G) && (m->ctl.cr4 & PMMU_CR4_PGE);
  fill->attr = leaf_attr(leaf, ws->shift);
}

/* The walk itself, inlined twice by walk_translate (below). */
WALK_INLINE void walk_run(const pmmu_t *m, pmmu_stats *stats, const pmmu_request *req,
                          uint64_t first_cycle, pmmu_response *out, pmmu_tlb_entry *fill,
                          pmmu_walk_trace *trace) {
  bool debug = stats == NULL;
  walk_io io = {.m = m,
                .stats = stats,
                .debug = debug,
                /* pae_paging() and nx_enabled() without their calls: a walk is often */
                .pae = (m->ctl.cr0 & PMMU_CR0_PG) && (m->ctl.cr4 & PMMU_CR4_PAE),
                .nx = (m->ctl.cr0 & PMMU_CR0_PG) && (m->ctl.cr4 & PMMU_CR4_PAE) &&
                      (m->ctl.efer & PMMU_EFER_NXE),
                .pse = (m->ctl.cr4 & PMMU_CR4_PSE) != 0,
                .next_present = first_cycle};
  walk_state ws;
  unsigned restarts = 0;
  for (;;) {
    /* Only what a walk reads before writing it: read_entry writes each used entry whole,
     * descend the leaf's pa and shift, combine_rights the rights, stop() the fault fields.
     * Clearing all of it was a twentieth of a walk. */
    ws.n_used = 0;
    ws.outcome = PMMU_OK;
    if (trace) trace->n_steps = 0;
    if (!descend(&io, &ws, trace, req->la)) break;
    combine_rights(&ws, &io);
    if (!walk_allows(m, debug, ws.r, req)) {
      stop(&ws, PMMU_FAULT_PROTECTION,
           ws.used[ws.n_used - 1].leaf ? PMMU_LEVEL_PTE : PMMU_LEVEL_PDE);
      break;
    }
    if (debug || update_accessed_dirty(&io, &ws, req->access == PMMU_WRITE)) break;
    if (ws.outcome == PMMU_BUS_ERROR) break;
    restarts++;
  }

  out->outcome = ws.outcome;
  out->mem_accesses = io.accesses;
  out->restarts = restarts;
  out->response_cycle = debug ? 0 : (io.accesses ? io.next_present : first_cycle);
  if (ws.outcome == PMMU_OK) {
    out->pa = ws.pa;
    out->page_shift = ws.shift;
    out->attr = leaf_attr(&ws.used[ws.n_used - 1], ws.shift);
    make_fill(m, &ws, req->la, fill);
  } else if (ws.outcome == PMMU_PAGE_FAULT) {
    out->fault_kind = ws.fault;
    out->fault_level = ws.level;
    out->error_code = perm_error_code(&m->ctl, req, ws.fault);
    out->cr2 = req->la;
  } else {
    out->bus_error_pa = io.bus_error_pa;
  }
}

/* One source, three compiled copies: pmmu_translate's walk in PAE and in 32-bit paging, each
 * with no trace and not a debug walk, so that the branches on these and the frame they need
 * go (the compiler knows in each copy what walk_run works out again), and the debug walk. */
void walk_translate(const pmmu_t *m, pmmu_stats *stats, const pmmu_request *req,
                    uint64_t first_cycle, pmmu_response *out, pmmu_tlb_entry *fill,
                    pmmu_walk_trace *trace) {
  bool pae = (m->ctl.cr0 & PMMU_CR0_PG) && (m->ctl.cr4 & PMMU_CR4_PAE);
  if (stats && !trace && pae) walk_run(m, stats, req, first_cycle, out, fill, NULL);
  else if (stats && !trace) walk_run(m, stats, req, first_cycle, out, fill, NULL);
  else walk_run(m, stats, req, first_cycle, out, fill, trace);
}

/* ---- PAE PDPTE registers (section 4) ------------------------------------------------- */

bool walk_load_pdptes(pmmu_t *m, uint32_t cr3, uint64_t cycle, uint64_t pdpte[4], uint64_t *done) {
  walk_io io = {.m = m, .stats = &m->stats, .next_present = cycle};
  uint64_t loaded[4];
  bool ok = true;
  for (unsigned i = 0; i < 4; i++) {
    uint64_t pa = (uint64_t)(cr3 & 0xFFFFFFE0u) + 8u * i;
    if (!mem_txn(&io, PMMU_MEM_READ, pa, 8, 0, 0, &loaded[i])) ok = false;
    if ((loaded[i] & PMMU_PTE_P) && (loaded[i] & (BITS(2, 1) | BITS(8, 5) | BITS(63, 36))))
      ok = false;
  }
  *done = io.next_present;
  if (ok) memcpy(pdpte, loaded, sizeof loaded);
  return ok;
}
