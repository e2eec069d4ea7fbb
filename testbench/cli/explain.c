/*
 * `pmmu explain`: one translation on a scenario's final state, shown step by step as a
 * textbook figure would: the control state, how the linear address splits, each entry read
 * with its flags, the rights, the verdict and the physical address. It uses the model's debug
 * translation, so it changes nothing (no A/D write, no TLB fill).
 */
#include "explain.h"

#include <inttypes.h>
#include <string.h>

#include "run.h"

static void print_control(FILE *out, const pmmu_control *c) {
  bool pae = (c->cr4 & PMMU_CR4_PAE) != 0;
  fprintf(out, "Control state\n");
  fprintf(out, "  CR0  = 0x%08" PRIx32 "   PG=%d WP=%d\n", c->cr0, !!(c->cr0 & PMMU_CR0_PG),
          !!(c->cr0 & PMMU_CR0_WP));
  fprintf(out, "  CR4  = 0x%08" PRIx32 "   PSE=%d PAE=%d PGE=%d SMEP=%d SMAP=%d\n", c->cr4,
          !!(c->cr4 & PMMU_CR4_PSE), pae, !!(c->cr4 & PMMU_CR4_PGE), !!(c->cr4 & PMMU_CR4_SMEP),
          !!(c->cr4 & PMMU_CR4_SMAP));
  if (pae) fprintf(out, "  EFER = 0x%" PRIx64 "   NXE=%d\n", c->efer, !!(c->efer & PMMU_EFER_NXE));
  if (!(c->cr0 & PMMU_CR0_PG)) {
    fprintf(out, "  paging is off: the physical address is the linear address\n\n");
    return;
  }
  if (pae)
    fprintf(out,
            "  CR3  = 0x%08" PRIx32 "   PDPTEs loaded from 0x%09" PRIx32
            "\n  mode: PAE paging (8-byte entries, 2 MiB large pages)\n\n",
            c->cr3, c->cr3 & 0xFFFFFFE0u);
  else
    fprintf(out,
            "  CR3  = 0x%08" PRIx32 "   page directory at 0x%09" PRIx32
            "\n  mode: 32-bit paging (4-byte entries; 4 MiB pages %s)\n\n",
            c->cr3, c->cr3 & 0xFFFFF000u,
            (c->cr4 & PMMU_CR4_PSE) ? "allowed: CR4.PSE=1"
                                    : "not allowed: CR4.PSE=0, PS is ignored");
}

/* How the linear address splits, once the walk has shown the page size (0: not known). */
static void print_split(FILE *out, uint32_t la, bool pae, unsigned shift) {
  fprintf(out, "Linear address 0x%08" PRIx32 "\n", la);
  if (pae) {
    fprintf(out, "  [31:30] PDPTE index      %u\n", la >> 30);
    fprintf(out, "  [29:21] directory index  0x%03x (%u)\n", (la >> 21) & 0x1FF,
            (la >> 21) & 0x1FF);
    if (shift == 21) {
      fprintf(out, "  [20:0]  page offset      0x%06x (2 MiB page)\n\n", la & 0x1FFFFF);
      return;
    }
    fprintf(out, "  [20:12] table index      0x%03x (%u)\n", (la >> 12) & 0x1FF,
            (la >> 12) & 0x1FF);
  } else {
    fprintf(out, "  [31:22] directory index  0x%03x (%u)\n", la >> 22, la >> 22);
    if (shift == 22) {
      fprintf(out, "  [21:0]  page offset      0x%06x (4 MiB page)\n\n", la & 0x3FFFFF);
      return;
    }
    fprintf(out, "  [21:12] table index      0x%03x (%u)\n", (la >> 12) & 0x3FF,
            (la >> 12) & 0x3FF);
  }
  fprintf(out, "  [11:0]  page offset      0x%03x\n\n", la & 0xFFF);
}

/* The page size the walk found, from its last entry read. */
static unsigned walked_shift(const pmmu_walk_trace *t, const pmmu_control *c) {
  if (t->n_steps == 0) return 0;
  const pmmu_walk_step *s = &t->steps[t->n_steps - 1];
  if (s->level == PMMU_LEVEL_PTE) return 12;
  bool large = (s->value & PMMU_PTE_P) && (s->value & PMMU_PTE_PS) &&
               ((c->cr4 & PMMU_CR4_PAE) || (c->cr4 & PMMU_CR4_PSE));
  if (s->level == PMMU_LEVEL_PDE && large) return (c->cr4 & PMMU_CR4_PAE) ? 21 : 22;
  return 0;
}

/* Where the entry read at step i points, when the walk goes on from it. */
static void print_target(FILE *out, const pmmu_walk_trace *t, unsigned i, const pmmu_response *r) {
  const pmmu_walk_step *s = &t->steps[i];
  bool last = i + 1 == t->n_steps;
  if (!(s->value & PMMU_PTE_P)) {
    fprintf(out, "    -> not present: the walk stops here\n");
  } else if (!last) {
    uint64_t base = s->value & (s->size == 8 ? UINT64_C(0xFFFFFF000) : UINT64_C(0xFFFFF000));
    fprintf(out, "    -> %s at 0x%09" PRIx64 "\n",
            s->level == PMMU_LEVEL_PDPTE ? "page directory" : "page table", base);
  } else if (r->outcome == PMMU_PAGE_FAULT && r->fault_kind == PMMU_FAULT_RESERVED) {
    fprintf(out, "    -> a reserved bit is set: the walk stops here\n");
  } else if (r->outcome == PMMU_OK || r->fault_kind == PMMU_FAULT_PROTECTION) {
    unsigned shift = r->outcome == PMMU_OK ? r->page_shift : (s->level == PMMU_LEVEL_PTE ? 12 : 22);
    const char *size = shift == 12 ? "4 KiB" : shift == 21 ? "2 MiB" : "4 MiB";
    uint64_t frame = r->outcome == PMMU_OK ? r->pa & ~((UINT64_C(1) << shift) - 1) : 0;
    if (r->outcome == PMMU_OK)
      fprintf(out, "    -> %s page at 0x%09" PRIx64 "%s\n", size, frame,
              s->level == PMMU_LEVEL_PDE ? " (PS=1: the PDE maps it)" : "");
    else
      fprintf(out, "    -> %s page%s\n", size,
              s->level == PMMU_LEVEL_PDE ? " (PS=1: the PDE maps it)" : "");
  }
}

static void print_steps(FILE *out, const pmmu_walk_trace *t, const pmmu_response *r,
                        const pmmu_control *c) {
  for (unsigned i = 0; i < t->n_steps; i++) {
    const pmmu_walk_step *s = &t->steps[i];
    char flags[96];
    if (s->level == PMMU_LEVEL_PDPTE)
      fprintf(out, "Step %u: PDPTE register %u (loaded from 0x%09" PRIx64 ")\n", i + 1,
              (unsigned)((s->entry_pa & 0x18) >> 3), s->entry_pa);
    else
      fprintf(out, "Step %u: %s at 0x%09" PRIx64 " + %u x 0x%03" PRIx64 " = 0x%09" PRIx64 "\n",
              i + 1, pmmu_level_name(s->level), s->entry_pa & ~(UINT64_C(0xFFF)), s->size,
              (s->entry_pa & 0xFFF) / s->size, s->entry_pa);
    if (s->bus_error) {
      fprintf(out, "    the memory answered with a bus error: the walk ends (not a #PF)\n");
      continue;
    }
    fprintf(out, "    value 0x%0*" PRIx64 "   %s\n", (int)s->size * 2, s->value,
            scenario_entry_flags(s->value, s->size == 8, flags, sizeof flags));
    print_target(out, t, i, r);
  }
  (void)c;
  fputc('\n', out);
}

static void print_rights(FILE *out, const pmmu_walk_trace *t, const pmmu_control *c,
                         const pmmu_request *req) {
  bool u = true, w = true, x = true;
  bool nx = (c->cr4 & PMMU_CR4_PAE) && (c->efer & PMMU_EFER_NXE);
  for (unsigned i = 0; i < t->n_steps; i++) {
    if (t->steps[i].level == PMMU_LEVEL_PDPTE) continue;
    u = u && (t->steps[i].value & PMMU_PTE_US);
    w = w && (t->steps[i].value & PMMU_PTE_RW);
    if (nx && (t->steps[i].value & PMMU_PTE_XD)) x = false;
  }
  fprintf(out, "Rights, combined over the entries (AND of U/S, AND of R/W%s): U=%d W=%d X=%d\n",
          nx ? ", NOT OR of XD" : "", u, w, x);
  const char *why = pmmu_rights_denial(c, u, w, x, req);
  fprintf(out, "Access: %s by %s%s -> %s%s\n", pmmu_access_name(req->access),
          req->priv == PMMU_USER       ? "user"
          : req->priv == PMMU_IMPLICIT ? "implicit supervisor"
                                       : "supervisor",
          req->ac ? " with EFLAGS.AC=1" : "", why ? "denied: " : "allowed", why ? why : "");
}

static void print_verdict(FILE *out, const pmmu_response *r, const pmmu_request *req,
                          const pmmu_walk_trace *t) {
  char ec[96];
  if (r->outcome == PMMU_OK) {
    uint64_t mask = (UINT64_C(1) << r->page_shift) - 1;
    fprintf(out, "Physical address = 0x%09" PRIx64 " + 0x%0*" PRIx64 " = 0x%09" PRIx64 "\n",
            r->pa & ~mask, (int)(r->page_shift + 3) / 4, req->la & mask, r->pa);
    bool a_missing = false, d_missing = false;
    for (unsigned i = 0; i < t->n_steps; i++) {
      if (t->steps[i].level == PMMU_LEVEL_PDPTE) continue;
      a_missing |= !(t->steps[i].value & PMMU_PTE_A);
    }
    d_missing = req->access == PMMU_WRITE && !(t->steps[t->n_steps - 1].value & PMMU_PTE_D);
    if (a_missing || d_missing)
      fprintf(out, "A real access would also set%s%s in memory (compare-and-swap, top-down).\n",
              a_missing ? " A" : "", d_missing ? (a_missing ? " and D" : " D") : "");
  } else if (r->outcome == PMMU_PAGE_FAULT) {
    fprintf(out, "Result: #PF (vector 14), error code 0x%" PRIx32 " (%s), CR2 = 0x%08" PRIx32 "\n",
            r->error_code, pmmu_ec_describe(r->error_code, ec, sizeof ec), r->cr2);
    fprintf(out, "A faulting walk writes no A or D bit and caches nothing.\n");
  } else {
    fprintf(out, "Result: bus error at 0x%09" PRIx64 " (not a #PF)\n", r->bus_error_pa);
  }
  fprintf(out, "TLB: %s\n",
          t->tlb_has_page ? "an entry maps this page now" : "no entry maps this page now");
}

int explain_translation(pmmu_t *m, const pmmu_request *req, const char *source, FILE *out) {
  pmmu_control c;
  pmmu_response r;
  pmmu_walk_trace t;
  pmmu_get_control(m, &c);
  int err = pmmu_debug_translate(m, req, &r, &t);
  if (err) return err;
  fprintf(out, "%s of 0x%08" PRIx32 " (%s%s), on the final state of %s\n\n",
          pmmu_access_name(req->access), req->la, pmmu_priv_name(req->priv), req->ac ? ", ac" : "",
          source);
  print_control(out, &c);
  if (r.tlb == PMMU_TLB_OFF) {
    fprintf(out, "Physical address = 0x%09" PRIx64 "\n", r.pa);
    return 0;
  }
  print_split(out, req->la, (c.cr4 & PMMU_CR4_PAE) != 0, walked_shift(&t, &c));
  print_steps(out, &t, &r, &c);
  if (r.outcome == PMMU_OK || r.fault_kind == PMMU_FAULT_PROTECTION) print_rights(out, &t, &c, req);
  print_verdict(out, &r, req, &t);
  return 0;
}
