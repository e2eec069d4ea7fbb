/* The model's handle and the pieces shared between its source files. Internal. */
#ifndef PMMU_INTERNAL_H
#define PMMU_INTERNAL_H

#include "pmmu/pmmu.h"
#include "tlb.h"

/* The interrupt line, CR2 and the error code cycle by cycle (timing.md T10; irq.c): the
 * latest #PF responses and acks, newest last, from which any recent cycle is computed. */
#define PMMU_IRQ_FAULTS 4
#define PMMU_IRQ_ACKS 16
typedef struct irq_timeline {
  struct {
    uint64_t cycle; /* R */
    uint32_t cr2, error_code;
  } fault[PMMU_IRQ_FAULTS];
  uint64_t ack[PMMU_IRQ_ACKS];
  unsigned n_faults, n_acks; /* how many of each were ever recorded (ring index = n % size) */
} irq_timeline;

struct pmmu {
  pmmu_config cfg;
  pmmu_control ctl;
  tlb tlb;
  pmmu_stats stats;
  pmmu_interrupt_state irq;
  irq_timeline irq_tl;
  uint64_t ready_cycle;    /* T1: the next request is accepted no earlier than this */
  uint64_t control_cycle;  /* the latest cycle a control operation was given */
  uint64_t last_presented; /* requests are presented in cycle order */
  uint64_t last_lookup;    /* A + 1 of the latest request (a hit's R); 0 before the first */
  uint64_t fill_window_hi; /* R of the latest walk that filled (T7 window is [A+1, R]) */
};

/* Has the block seen a request since reset? (A + 1 is never 0.) */
static inline bool any_request(const pmmu_t *m) { return m->last_lookup != 0; }

/* The rights that a complete translation combined (x86-paging.md section 5). */
typedef struct rights {
  bool u, w, x;
} rights;

/* Is the access allowed under the current control state? (section 5) */
bool perm_allows(const pmmu_control *ctl, rights r, const pmmu_request *req);

/* The #PF error code for a fault of this kind on this access (section 6). */
uint32_t perm_error_code(const pmmu_control *ctl, const pmmu_request *req, pmmu_fault_kind kind);

bool paging_enabled(const pmmu_control *ctl);
bool pae_paging(const pmmu_control *ctl);

/*
 * Walks the page tables for req. first_cycle is the cycle the first memory access is
 * presented (A + 1). The walk counts its memory accesses in *stats; with stats NULL it is a
 * debug walk, which reads memory only, with no timing, no CAS and no counting, and so needs
 * the handle only to read it. On PMMU_OK, *fill is the TLB entry to cache. Fills out's
 * outcome, pa, attr, page_shift, fault fields, mem_accesses, restarts, and response_cycle.
 */
void walk_translate(const pmmu_t *m, pmmu_stats *stats, const pmmu_request *req,
                    uint64_t first_cycle, pmmu_response *out, pmmu_tlb_entry *fill,
                    pmmu_walk_trace *trace);

/* Loads the four PAE PDPTE registers from cr3 (section 4) through the memory port,
 * starting at `cycle`. Returns false (#GP) if a present PDPTE has a reserved bit; the
 * registers are then left alone. *done is the cycle after the last response. */
bool walk_load_pdptes(pmmu_t *m, uint32_t cr3, uint64_t cycle, uint64_t pdpte[4], uint64_t *done);

/* irq.c: a #PF answered in cycle `cycle` (T10), and the timeline back to reset. */
void irq_record_fault(pmmu_t *m, uint64_t cycle, uint32_t cr2, uint32_t error_code);
void irq_timeline_reset(pmmu_t *m);

#endif
