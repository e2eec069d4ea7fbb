/*
 * The handle: configuration, control registers and their side effects, the lookup and
 * timing of a translation (docs/timing.md), and the interrupt latch.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define RESET_CR0 PMMU_CR0_PG

/* ---- Configuration ------------------------------------------------------------------ */

void pmmu_config_init(pmmu_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->version = PMMU_CONFIG_VERSION;
  cfg->tlb_sets = 16;
  cfg->tlb_ways = 4;
  cfg->tlb_large = 8;
  cfg->policy = PMMU_POLICY_PLRU;
  cfg->lfsr_seed = 0xACE1;
  cfg->mem_latency = 3;
}

static bool power_of_two_in(unsigned v, unsigned max) {
  return v >= 1 && v <= max && (v & (v - 1)) == 0;
}

const char *pmmu_config_check(const pmmu_config *cfg) {
  if (!cfg) return "no configuration";
  if (cfg->version != PMMU_CONFIG_VERSION)
    return "configuration version mismatch: call pmmu_config_init() first";
  if (!power_of_two_in(cfg->tlb_sets, 1024)) return "tlb_sets must be a power of two, 1..1024";
  if (!power_of_two_in(cfg->tlb_ways, 16)) return "tlb_ways must be a power of two, 1..16";
  if (!power_of_two_in(cfg->tlb_large, 64)) return "tlb_large must be a power of two, 1..64";
  if ((unsigned)cfg->policy > PMMU_POLICY_RANDOM) return "unknown replacement policy";
  if (cfg->lfsr_seed == 0) return "lfsr_seed must not be 0";
  if (!cfg->mem.timing && cfg->mem_latency < 1) return "mem_latency must be at least 1";
  if (!cfg->mem.read || !cfg->mem.cas) return "mem.read and mem.cas callbacks are required";
  return NULL;
}

/* ---- Life cycle ---------------------------------------------------------------------- */

pmmu_error pmmu_create(const pmmu_config *cfg, pmmu_t **out) {
  if (!out) return PMMU_E_INVALID;
  *out = NULL;
  if (!cfg) return PMMU_E_INVALID;
  if (pmmu_config_check(cfg)) return PMMU_E_CONFIG;
  pmmu_t *m = calloc(1, sizeof *m);
  if (!m) return PMMU_E_NOMEM;
  m->cfg = *cfg;
  if (!tlb_init(&m->tlb, cfg)) {
    free(m);
    return PMMU_E_NOMEM;
  }
  pmmu_reset(m);
  *out = m;
  return PMMU_E_OK;
}

void pmmu_destroy(pmmu_t *m) {
  if (!m) return;
  tlb_free(&m->tlb);
  free(m);
}

void pmmu_reset(pmmu_t *m) {
  memset(&m->ctl, 0, sizeof m->ctl);
  m->ctl.cr0 = RESET_CR0;
  tlb_reset(&m->tlb);
  memset(&m->stats, 0, sizeof m->stats);
  memset(&m->irq, 0, sizeof m->irq);
  irq_timeline_reset(m);
  m->ready_cycle = 0;
  m->control_cycle = 0;
  m->last_presented = 0;
  m->last_lookup = 0;
  m->fill_window_hi = 0;
}

const pmmu_config *pmmu_get_config(const pmmu_t *m) { return &m->cfg; }

void pmmu_get_control(const pmmu_t *m, pmmu_control *out) { *out = m->ctl; }

/* The hit path counts only hits; requests and busy cycles follow (a hit and a request with
 * paging off take one cycle each, T2). Nor does a hit write last_cycle: its response cycle is
 * A + 1, last_lookup, later than any earlier response; the slow path writes its own. */
void pmmu_get_stats(const pmmu_t *m, pmmu_stats *out) {
  *out = m->stats;
  out->requests = m->stats.hits + m->stats.misses + m->stats.off;
  out->busy_cycles = m->stats.busy_cycles + m->stats.hits + m->stats.off;
  if (m->last_lookup > out->last_cycle) out->last_cycle = m->last_lookup;
}

uint64_t pmmu_ready_cycle(const pmmu_t *m) { return m->ready_cycle; }

/* ---- Flushes (x86-paging.md section 8, timing.md T6/T7) ------------------------------ */

/* A flush, like any control operation, may not precede the latest request's lookup. */
static pmmu_error check_control_cycle(const pmmu_t *m, uint64_t cycle) {
  if (cycle < m->control_cycle) return PMMU_E_ORDER;
  if (cycle < m->last_lookup) return PMMU_E_ORDER; /* (0 before the first request) */
  return PMMU_E_OK;
}

static void apply_flush(pmmu_t *m, pmmu_flush_kind kind, uint32_t la, uint64_t cycle) {
  if (m->tlb.undo.armed) {
    if (cycle <= m->fill_window_hi && tlb_undo_fill(&m->tlb)) m->stats.fills_cancelled++;
    tlb_disarm(&m->tlb);
  }
  m->stats.entries_flushed += tlb_flush(&m->tlb, kind, la);
  switch (kind) {
  case PMMU_FLUSH_NONGLOBAL: m->stats.flushes_nonglobal++; break;
  case PMMU_FLUSH_ALL: m->stats.flushes_all++; break;
  case PMMU_FLUSH_PAGE: m->stats.flushes_page++; break;
  }
  m->control_cycle = cycle;
}

pmmu_error pmmu_flush(pmmu_t *m, pmmu_flush_kind kind, uint32_t la, uint64_t cycle) {
  if (!m || (unsigned)kind > PMMU_FLUSH_PAGE) return PMMU_E_INVALID;
  pmmu_error err = check_control_cycle(m, cycle);
  if (err) return err;
  apply_flush(m, kind, la, cycle);
  return PMMU_E_OK;
}

pmmu_error pmmu_invlpg(pmmu_t *m, uint32_t la, uint64_t cycle) {
  return pmmu_flush(m, PMMU_FLUSH_PAGE, la, cycle);
}

/* ---- Control registers (sections 4 and 8) ------------------------------------------- */

#define CR4_FLUSH_BITS (PMMU_CR4_PGE | PMMU_CR4_PSE | PMMU_CR4_PAE | PMMU_CR4_SMEP)

/* Control registers must be stable from a request's acceptance to its response, both
 * included (timing.md T8): a write lands in the cycle after the last response at the earliest. */
static pmmu_error check_register_cycle(const pmmu_t *m, uint64_t cycle) {
  if (any_request(m) && cycle <= m->ready_cycle) return PMMU_E_ORDER;
  return check_control_cycle(m, cycle);
}

/* Commits a register write whose new state is `next`: PDPTE load (may #GP), then flushes. */
static pmmu_error commit_control(pmmu_t *m, pmmu_control next, bool cr3_write, uint64_t cycle,
                                 pmmu_reg_result *out) {
  pmmu_reg_result res = {.done_cycle = cycle};
  const pmmu_control *cur = &m->ctl;
  pmmu_error err = check_register_cycle(m, cycle);
  if (err) return err;

  bool pae_after = pae_paging(&next);
  bool mode_change = (cur->cr0 & PMMU_CR0_PG) != (next.cr0 & PMMU_CR0_PG) ||
                     ((cur->cr4 ^ next.cr4) & CR4_FLUSH_BITS) != 0;
  bool nxe_change = ((cur->efer ^ next.efer) & PMMU_EFER_NXE) != 0;
  if (pae_after && (cr3_write || mode_change)) {
    if (!walk_load_pdptes(m, next.cr3, cycle, next.pdpte, &res.done_cycle)) {
      m->stats.gp_faults++;
      res.gp_fault = true;
      /* T11: a refused load still keeps the block busy until D (its four reads ran) */
      m->control_cycle = res.done_cycle;
      if (res.done_cycle > m->ready_cycle) m->ready_cycle = res.done_cycle;
      if (out) *out = res;
      return PMMU_E_OK;
    }
    res.pdptes_loaded = true;
  }
  m->ctl = next;
  if (mode_change || nxe_change) {
    apply_flush(m, PMMU_FLUSH_ALL, 0, cycle);
    res.flushed |= PMMU_FLUSHED_ALL;
  } else if (cr3_write) {
    apply_flush(m, PMMU_FLUSH_NONGLOBAL, 0, cycle);
    res.flushed |= PMMU_FLUSHED_NONGLOBAL;
  }
  m->control_cycle = res.done_cycle;
  if (res.done_cycle > m->ready_cycle) m->ready_cycle = res.done_cycle;
  if (out) *out = res;
  return PMMU_E_OK;
}

pmmu_error pmmu_write_cr0(pmmu_t *m, uint32_t value, uint64_t cycle, pmmu_reg_result *out) {
  if (!m) return PMMU_E_INVALID;
  pmmu_control next = m->ctl;
  next.cr0 = value;
  return commit_control(m, next, false, cycle, out);
}

pmmu_error pmmu_write_cr3(pmmu_t *m, uint32_t value, uint64_t cycle, pmmu_reg_result *out) {
  if (!m) return PMMU_E_INVALID;
  pmmu_control next = m->ctl;
  next.cr3 = value;
  return commit_control(m, next, true, cycle, out);
}

pmmu_error pmmu_write_cr4(pmmu_t *m, uint32_t value, uint64_t cycle, pmmu_reg_result *out) {
  if (!m) return PMMU_E_INVALID;
  pmmu_control next = m->ctl;
  next.cr4 = value;
  return commit_control(m, next, false, cycle, out);
}

pmmu_error pmmu_write_efer(pmmu_t *m, uint64_t value, uint64_t cycle, pmmu_reg_result *out) {
  if (!m) return PMMU_E_INVALID;
  pmmu_control next = m->ctl;
  next.efer = value;
  return commit_control(m, next, false, cycle, out);
}

/* ---- Translation --------------------------------------------------------------------- */

static bool request_valid(const pmmu_request *req) {
  unsigned access = (unsigned)req->access, priv = (unsigned)req->priv;
  /* Every pair of known values but an implicit fetch, as one bit test: bit access * 4 + priv
   * of 0x377 is set for access 0..2, priv 0..2, except access 2 (fetch) with priv 2. */
  return (access | priv) < 4u && ((0x377u >> (access * 4u + priv)) & 1u) != 0;
}

static void count_outcome(pmmu_t *m, const pmmu_response *out) {
  if (out->outcome == PMMU_BUS_ERROR) {
    m->stats.bus_errors++;
    return;
  }
  if (out->outcome != PMMU_PAGE_FAULT) return;
  switch (out->fault_kind) {
  case PMMU_FAULT_NOT_PRESENT: m->stats.faults_not_present++; break;
  case PMMU_FAULT_RESERVED: m->stats.faults_reserved++; break;
  default: m->stats.faults_protection++; break;
  }
}

static void walk_and_fill(pmmu_t *m, const pmmu_request *req, pmmu_response *out) {
  pmmu_tlb_entry fill;
  out->tlb = PMMU_TLB_MISS;
  m->stats.misses++;
  m->stats.walks++;
  walk_translate(m, &m->stats, req, out->accept_cycle + 1, out, &fill, NULL);
  m->stats.cas_restarts += out->restarts;
  m->stats.walks += out->restarts;
  if (out->outcome == PMMU_OK) {
    tlb_fill(&m->tlb, &fill);
    m->fill_window_hi = out->response_cycle;
    m->stats.fills++;
  }
}

/* T2: a hit answers in the cycle after its acceptance. `shift` is e->shift (a constant 12 on
 * the 4 KiB path). Field by field: a compound literal
 * becomes a `rep stos` that costs more than the whole lookup. Every field is written, as on
 * every other path. */
static inline void serve_hit(pmmu_t *m, const tlb_entry *e, const pmmu_request *req,
                             pmmu_response *out, uint64_t accept, unsigned shift) {
  out->outcome = PMMU_OK;
  out->pa = e->frame_pa | (req->la & ((UINT32_C(1) << shift) - 1));
  out->page_shift = shift;
  out->attr = e->attr;
  out->error_code = 0;
  out->cr2 = 0;
  out->fault_kind = PMMU_FAULT_NONE;
  out->fault_level = PMMU_LEVEL_PDPTE;
  out->bus_error_pa = 0;
  out->tlb = PMMU_TLB_HIT;
  out->dropped_entry = false;
  out->accept_cycle = accept;
  out->response_cycle = accept + 1;
  out->cycles = 1;
  out->mem_accesses = 0;
  out->restarts = 0;
  m->stats.hits++; /* the only counter a hit changes: pmmu_get_stats derives the rest */
  m->ready_cycle = accept + 1;
}

/* Kept out of pmmu_translate so that its hit path needs no stack frame. */
#if defined(__GNUC__) || defined(__clang__)
#define PMMU_NOINLINE __attribute__((noinline))
#else
#define PMMU_NOINLINE
#endif

/* Everything tlb_find_fast leaves (`fast` says what it found, `match` is its entry): paging
 * off, the general lookup (large pages, lru, a permission table to rebuild), a walk (after
 * dropping an entry that maps the LA but may not serve, T3), and faults. */
PMMU_NOINLINE static pmmu_error translate_slow(pmmu_t *m, const pmmu_request *req,
                                               pmmu_response *out, uint64_t accept, tlb_fast fast,
                                               tlb_entry *match) {
  if (fast == TLB_FAST_GENERAL) tlb_judge(&m->tlb, &m->ctl); /* the next hit may be fast */
  if (fast != TLB_FAST_DENIED && !(fast == TLB_FAST_NO_4K && !m->tlb.large_live) &&
      (m->ctl.cr0 & PMMU_CR0_PG)) {
    const tlb_entry *e = fast == TLB_FAST_NO_4K ? tlb_use_large(&m->tlb, &m->ctl, req, &match)
                                                : tlb_use(&m->tlb, &m->ctl, req, &match);
    if (e) {
      serve_hit(m, e, req, out, accept, e->shift);
      return PMMU_E_OK;
    }
  }

  /* A copy of a zero response, not memset: GCC makes an 88-byte memset a `rep stos`, whose
   * start-up costs more than this whole path's arithmetic. */
  static const pmmu_response zero_response;
  *out = zero_response;
  out->accept_cycle = accept;
  if (!(m->ctl.cr0 & PMMU_CR0_PG)) {
    out->outcome = PMMU_OK;
    out->tlb = PMMU_TLB_OFF;
    out->pa = req->la;
    out->page_shift = 12;
    out->response_cycle = accept + 1;
    m->stats.off++;
  } else {
    if (match) {
      tlb_drop(match);
      out->dropped_entry = true;
      m->stats.dropped++;
    }
    walk_and_fill(m, req, out);
    m->stats.busy_cycles += out->response_cycle - accept; /* hits and off count apart */
  }

  out->cycles = (uint32_t)(out->response_cycle - accept);
  count_outcome(m, out);
  if (out->outcome == PMMU_PAGE_FAULT) {
    m->irq.pending = true;
    m->irq.cr2 = out->cr2;
    m->irq.error_code = out->error_code;
    irq_record_fault(m, out->response_cycle, out->cr2, out->error_code);
  }
  m->ready_cycle = out->response_cycle;
  m->stats.last_cycle = out->response_cycle;
  return PMMU_E_OK;
}

pmmu_error pmmu_translate(pmmu_t *m, const pmmu_request *req, pmmu_response *out) {
  if (!m || !req || !out || !request_valid(req)) return PMMU_E_INVALID;
  /* T3: a hit whose cached rights (and D, for a write) allow the access. Looked up before the
   * order checks, as it changes nothing (see tlb_find_fast). */
  tlb_found f = {NULL, NULL, 0};
  tlb_fast fast = tlb_find_fast(&m->tlb, &m->ctl, req, &f);

  /* (last_presented is 0 until the first request, which any cycle may follow) */
  if (req->cycle < m->last_presented) return PMMU_E_ORDER;
  uint64_t accept = req->cycle > m->ready_cycle ? req->cycle : m->ready_cycle;
  if (accept < m->control_cycle) return PMMU_E_ORDER;
  m->last_presented = req->cycle;

  tlb_disarm(&m->tlb); /* the previous walk's window closed before this lookup */
  m->last_lookup = accept + 1;

  if (fast == TLB_FAST_HIT) {
    tlb_touch_fast(&m->tlb, &f);
    serve_hit(m, f.e, req, out, accept, 12);
    return PMMU_E_OK;
  }
  return translate_slow(m, req, out, accept, fast, f.e);
}

pmmu_error pmmu_debug_translate(const pmmu_t *m, const pmmu_request *req, pmmu_response *out,
                                pmmu_walk_trace *trace) {
  if (!m || !req || !out || !request_valid(req)) return PMMU_E_INVALID;
  memset(out, 0, sizeof *out);
  if (trace) memset(trace, 0, sizeof *trace);
  if (!paging_enabled(&m->ctl)) {
    out->outcome = PMMU_OK;
    out->tlb = PMMU_TLB_OFF;
    out->pa = req->la;
    out->page_shift = 12;
    return PMMU_E_OK;
  }
  tlb_pos pos;
  if (trace) trace->tlb_has_page = tlb_locate(&m->tlb, req->la, &pos);
  pmmu_tlb_entry unused;
  walk_translate(m, NULL, req, 0, out, &unused, trace);
  out->tlb = PMMU_TLB_MISS;
  return PMMU_E_OK;
}

/* ---- Interrupt and inspection -------------------------------------------------------- */

void pmmu_get_interrupt(const pmmu_t *m, pmmu_interrupt_state *out) { *out = m->irq; }

void pmmu_ack_interrupt(pmmu_t *m) { m->irq.pending = false; }

pmmu_error pmmu_tlb_read(const pmmu_t *m, bool large, unsigned set, unsigned way,
                         pmmu_tlb_entry *out) {
  if (!m || !out) return PMMU_E_INVALID;
  const tlb_array *a = large ? &m->tlb.large : &m->tlb.small;
  if (large) set = 0;
  if (set >= a->sets || way >= a->ways) return PMMU_E_INVALID;
  tlb_read(&m->tlb, large, set, way, out);
  return PMMU_E_OK;
}

bool pmmu_tlb_lookup(const pmmu_t *m, uint32_t la, pmmu_tlb_slot *out) {
  tlb_pos pos;
  /* tlb_locate is the lookup of pmmu_translate itself (tlb_use), read-only. */
  if (!tlb_locate(&m->tlb, la, &pos)) return false;
  out->large = pos.large;
  out->set = pos.set;
  out->way = pos.way;
  tlb_read(&m->tlb, pos.large, pos.set, pos.way, &out->entry);
  return true;
}
