/* The testbench OS (docs/os.md): the kernel's requests to the PMMU through the engine - user
 * and supervisor translations with their counters, INVLPG, CR3 writes. */
#include "os_internal.h"

#include <inttypes.h>

/* ---- The PMMU ------------------------------------------------------------------------------ */

static uint64_t at(os_t *os) {
  uint64_t r = engine_ready_cycle(os->e);
  return r > os->now ? r : os->now;
}

bool kern_translate(os_t *os, proc *p, uint32_t la, pmmu_access acc, pmmu_priv priv,
                    pmmu_response *r) {
  pmmu_request q = {.la = la, .access = acc, .priv = priv, .cycle = at(os)};
  /* TB_MISMATCH: the halves of a lockstep differed; *r is the model's response and the run
   * goes on with it (sim reports the records after the access). A hang or an error has no
   * response to go on with. */
  int st = engine_translate(os->e, &q, r);
  if (st != TB_OK && st != TB_MISMATCH) {
    char what[TB_ERROR_MSG + 64];
    snprintf(what, sizeof what, "the engine gave no response for 0x%08" PRIx32 " (%s)", la,
             engine_error(os->e)->msg);
    kern_fatal(os, what);
    return false;
  }
  os->now = r->response_cycle + 1;
  os->st.requests++;
  os->st.pmmu_cycles += r->cycles;
  if (r->tlb == PMMU_TLB_HIT) os->st.hits++;
  else if (r->tlb == PMMU_TLB_MISS) os->st.walks++;
  if (p) {
    p->st.pmmu_cycles += r->cycles;
    if (r->tlb == PMMU_TLB_HIT) p->st.tlb_hits++;
    else if (r->tlb == PMMU_TLB_MISS) p->st.walks++;
  }
  if (r->outcome == PMMU_PAGE_FAULT) {
    if (r->error_code & PMMU_EC_RSVD) os->st.pf_reserved++;
    else if (r->error_code & PMMU_EC_P) os->st.pf_protection++;
    else os->st.pf_not_present++;
  } else if (r->outcome == PMMU_BUS_ERROR) {
    os->st.bus_errors++;
  }
  return true;
}

/* A kernel access (supervisor) to the kernel area, checked against the expected value. */
void kern_access(os_t *os, bool write, uint32_t kva, uint32_t value) {
  pmmu_response r;
  os->st.kernel_accesses++;
  if (!kern_translate(os, NULL, kva, write ? PMMU_WRITE : PMMU_READ, PMMU_SUPERVISOR, &r)) return;
  if (r.outcome != PMMU_OK || r.pa != OS_KERNEL_PA + (kva - OS_KERNEL_START)) {
    char what[128];
    snprintf(what, sizeof what,
             "kernel oops: supervisor %s of 0x%08" PRIx32 " did not translate to the kernel frame",
             write ? "write" : "read", kva);
    kern_fatal(os, what);
    return;
  }
  if (write) {
    wr32(os, r.pa, value);
  } else if (rd32(os, r.pa) != value) {
    char what[128];
    snprintf(what, sizeof what,
             "kernel data at 0x%08" PRIx32 " reads 0x%08" PRIx32 ", expected 0x%08" PRIx32, kva,
             rd32(os, r.pa), value);
    kern_fatal(os, what);
  }
}

bool kern_interrupt(os_t *os, pmmu_interrupt_state *irq) {
  if (engine_interrupt(os->e, os->now, irq) == TB_OK) return true;
  kern_fatal(os, "the engine cannot show the #PF interrupt");
  return false;
}

/* In the cycle the handler ends; the next request may be presented in it too. */
void kern_ack(os_t *os) {
  if (engine_ack(os->e, os->now) != TB_OK) kern_fatal(os, "the engine refused the #PF ack");
}

void kern_invlpg(os_t *os, uint32_t va) {
  if (os->cfg.bug == OS_BUG_NO_INVLPG) return;
  uint64_t c = at(os);
  if (!engine_accepted(engine_invlpg(os->e, va, c))) kern_fatal(os, "the engine refused an INVLPG");
  os->now = c + 1;
  os->st.invlpgs++;
}

/* INVLPG va if it belongs to the running address space (the others' entries went with the
 * last CR3 write). */
void kern_flush_page(os_t *os, const proc *p, uint32_t va) {
  if (os->current >= 0 && os->procs[os->current] == p) kern_invlpg(os, va);
}

void kern_write_cr3(os_t *os, uint32_t dir) {
  pmmu_reg_result res;
  uint64_t c = at(os);
  if (!engine_accepted(engine_write_reg(os->e, REG_CR3, dir, c, &res)))
    kern_fatal(os, "the engine refused a CR3 write");
  else os->now = res.done_cycle + 1;
}
