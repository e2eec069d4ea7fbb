/*
 * The page-fault interrupt cycle by cycle (docs/timing.md T10): a #PF response in cycle R
 * raises the line and latches CR2 and the error code from R + 1; an ack in cycle a lowers the
 * line from a + 1, unless a #PF response comes in that same cycle a (the new fault wins).
 *
 * pmmu_translate() computes a whole request at once, so the model knows a fault's response
 * cycle before a cycle-by-cycle user (the lockstep checker, a SystemVerilog scoreboard) has
 * reached it, and an ack may be given for a cycle inside a request the model has already
 * answered. So the state of a cycle is not kept but computed from the latest faults and acks:
 *   the line in cycle c   = some fault has R <= c - 1, and no ack a has R* < a <= c - 1,
 *                           R* being the latest such R;
 *   CR2, error code in c  = those of the fault R* (0 before any: what reset leaves).
 * This file is apart from the translation path on purpose: recording a fault is one store.
 */
#include <string.h>

#include "internal.h"

void irq_timeline_reset(pmmu_t *m) { memset(&m->irq_tl, 0, sizeof m->irq_tl); }

void irq_record_fault(pmmu_t *m, uint64_t cycle, uint32_t cr2, uint32_t error_code) {
  irq_timeline *t = &m->irq_tl;
  unsigned i = t->n_faults++ % PMMU_IRQ_FAULTS;
  t->fault[i].cycle = cycle;
  t->fault[i].cr2 = cr2;
  t->fault[i].error_code = error_code;
}

pmmu_error pmmu_ack_interrupt_at(pmmu_t *m, uint64_t cycle) {
  if (!m) return PMMU_E_INVALID;
  irq_timeline *t = &m->irq_tl;
  if (t->n_acks && cycle < t->ack[(t->n_acks - 1) % PMMU_IRQ_ACKS]) return PMMU_E_ORDER;
  t->ack[t->n_acks++ % PMMU_IRQ_ACKS] = cycle;
  /* pmmu_get_interrupt() tells the state after every request given so far: an ack after the
   * latest fault's response cycle lowers it; one in that cycle or before does not (T10). */
  if (!t->n_faults || cycle > t->fault[(t->n_faults - 1) % PMMU_IRQ_FAULTS].cycle)
    m->irq.pending = false;
  return PMMU_E_OK;
}

pmmu_error pmmu_interrupt_at(const pmmu_t *m, uint64_t cycle, pmmu_interrupt_state *out) {
  if (!m || !out) return PMMU_E_INVALID;
  const irq_timeline *t = &m->irq_tl;
  pmmu_interrupt_state s = {0};
  unsigned nf = t->n_faults < PMMU_IRQ_FAULTS ? t->n_faults : PMMU_IRQ_FAULTS;
  for (unsigned k = 1; k <= nf; k++) { /* newest first: the latest fault answered before c */
    unsigned i = (t->n_faults - k) % PMMU_IRQ_FAULTS;
    if (t->fault[i].cycle + 1 > cycle) continue;
    uint64_t r = t->fault[i].cycle;
    s.cr2 = t->fault[i].cr2;
    s.error_code = t->fault[i].error_code;
    s.pending = true;
    unsigned na = t->n_acks < PMMU_IRQ_ACKS ? t->n_acks : PMMU_IRQ_ACKS;
    for (unsigned j = 1; j <= na && s.pending; j++) {
      uint64_t a = t->ack[(t->n_acks - j) % PMMU_IRQ_ACKS];
      if (a <= r) break; /* acks are in cycle order: the rest are older still */
      if (a + 1 <= cycle) s.pending = false;
    }
    break;
  }
  *out = s;
  return PMMU_E_OK;
}
