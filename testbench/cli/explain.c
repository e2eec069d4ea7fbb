/*
 * `pmmu explain`: one translation on a scenario's final state, shown step by step as a
 * textbook figure would: the control state, how the linear address splits, each entry read
 * with its flags, the rights, the verdict and the physical address. It uses the model's debug
 * translation, so it changes nothing (no A/D write, no TLB fill); the TLB section that ends
 * it is explain_tlb.c.
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

static void print_steps(FILE *out, const pmmu_walk_trace *t, const pmmu_response *r) {
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
  fputc('\n', out);
}

const char *explain_priv_words(pmmu_priv p) {
  return p == PMMU_USER ? "user" : p == PMMU_IMPLICIT ? "implicit supervisor" : "supervisor";
}

/* "write by user with EFLAGS.AC=1 -> denied: ...": the Access line and the rule for a leaf. */
static const char *access_verdict(const explain_facts *f, char *buf, size_t len) {
  snprintf(buf, len, "%s by %s%s -> %s%s", pmmu_access_name(f->req.access),
           explain_priv_words(f->req.priv), f->req.ac ? " with EFLAGS.AC=1" : "",
           f->denial ? "denied: " : "allowed", f->denial ? f->denial : "");
  return buf;
}

static void print_rights(FILE *out, const explain_facts *f) {
  bool nx = f->pae && (f->ctl.efer & PMMU_EFER_NXE);
  char verdict[200];
  fprintf(out, "Rights, combined over the entries (AND of U/S, AND of R/W%s): U=%d W=%d X=%d\n",
          nx ? ", NOT OR of XD" : "", f->u, f->w, f->x);
  fprintf(out, "Access: %s\n", access_verdict(f, verdict, sizeof verdict));
}

const char *explain_rule(const explain_facts *f, char *buf, size_t len) {
  const pmmu_response *r = &f->resp;
  const pmmu_walk_step *last = f->trace.n_steps ? &f->trace.steps[f->trace.n_steps - 1] : NULL;
  if (!f->paging) snprintf(buf, len, "paging is off: the physical address is the linear address");
  else if (f->reached_leaf) access_verdict(f, buf, len);
  else if (r->outcome == PMMU_BUS_ERROR)
    snprintf(buf, len, "the memory answered with a bus error: the walk ends (not a #PF)");
  else if (r->fault_kind == PMMU_FAULT_RESERVED && last)
    snprintf(buf, len, "the %s has a reserved bit set: the walk stops here",
             pmmu_level_name(last->level));
  else if (last)
    snprintf(buf, len, "the %s is not present: the walk stops here", pmmu_level_name(last->level));
  else snprintf(buf, len, "no entry was read");
  return buf;
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
}

/* The combined rights of the entries the walk read (x86-paging.md section 5). */
static void combine_rights(explain_facts *f) {
  bool nx = f->pae && (f->ctl.efer & PMMU_EFER_NXE);
  f->u = f->w = f->x = true;
  for (unsigned i = 0; i < f->trace.n_steps; i++) {
    const pmmu_walk_step *s = &f->trace.steps[i];
    if (s->level == PMMU_LEVEL_PDPTE) continue;
    f->u = f->u && (s->value & PMMU_PTE_US);
    f->w = f->w && (s->value & PMMU_PTE_RW);
    if (nx && (s->value & PMMU_PTE_XD)) f->x = false;
  }
}

int explain_collect(const pmmu_t *m, const pmmu_request *req, explain_facts *f) {
  memset(f, 0, sizeof *f);
  f->req = *req;
  pmmu_get_control(m, &f->ctl);
  int err = pmmu_debug_translate(m, req, &f->resp, &f->trace);
  if (err) return err;
  f->paging = f->resp.tlb != PMMU_TLB_OFF;
  f->pae = (f->ctl.cr4 & PMMU_CR4_PAE) != 0;
  if (!f->paging) return 0;
  f->shift = walked_shift(&f->trace, &f->ctl);
  f->reached_leaf = f->resp.outcome == PMMU_OK || f->resp.fault_kind == PMMU_FAULT_PROTECTION;
  if (f->reached_leaf) {
    combine_rights(f);
    f->denial = pmmu_rights_denial(&f->ctl, f->u, f->w, f->x, req);
  }
  explain_tlb_collect(m, f);
  return 0;
}

static void print_text(FILE *out, const explain_facts *f, const char *source) {
  fprintf(out, "%s of 0x%08" PRIx32 " (%s%s), on the final state of %s\n\n",
          pmmu_access_name(f->req.access), f->req.la, pmmu_priv_name(f->req.priv),
          f->req.ac ? ", ac" : "", source);
  print_control(out, &f->ctl);
  if (!f->paging) {
    fprintf(out, "Physical address = 0x%09" PRIx64 "\n", f->resp.pa);
    return;
  }
  print_split(out, f->req.la, f->pae, f->shift);
  print_steps(out, &f->trace, &f->resp);
  if (f->reached_leaf) print_rights(out, f);
  print_verdict(out, &f->resp, &f->req, &f->trace);
  explain_print_tlb(out, f);
}

int explain_translation(pmmu_t *m, const pmmu_request *req, const char *source, bool json,
                        FILE *out) {
  explain_facts f;
  int err = explain_collect(m, req, &f);
  if (err) return err;
  if (json) explain_print_json(out, &f);
  else print_text(out, &f, source);
  return 0;
}
