/*
 * The TLB section of `pmmu explain`: the walk above reads memory, but the next access looks
 * in the TLB first. After a page-table edit without INVLPG the TLB may hold an entry that no
 * longer agrees with memory (a stale entry), and then the walk alone would tell the student
 * something the hardware does not do. This part finds the entry a lookup would use
 * (pmmu_tlb_lookup, docs/tlb.md), compares it with what a walk of memory would cache now,
 * and says which one the next access uses (the lookup rule of docs/timing.md T3: a hit
 * whose cached rights deny the access, or a write to an entry with D=0, is dropped and
 * walked again) and what would remove the entry (x86-paging.md section 8).
 */
#include <inttypes.h>
#include <string.h>

#include "explain.h"

/* What a fill from a walk of memory would hold now for the page of `la`. The walk is a
 * supervisor read with EFLAGS.AC=1, which no rights rule denies (x86-paging.md section 5),
 * so it succeeds exactly when memory maps the page; the rights come from its entries. */
static bool memory_entry(const pmmu_t *m, const explain_facts *f, pmmu_tlb_entry *out) {
  pmmu_request probe = {.la = f->req.la, .access = PMMU_READ, .priv = PMMU_SUPERVISOR, .ac = true};
  pmmu_response r;
  pmmu_walk_trace t;
  if (pmmu_debug_translate(m, &probe, &r, &t) || r.outcome != PMMU_OK) return false;
  bool nx = f->pae && (f->ctl.efer & PMMU_EFER_NXE);
  memset(out, 0, sizeof *out);
  out->valid = true;
  out->page_shift = r.page_shift;
  out->vpn = f->req.la >> r.page_shift;
  out->frame_pa = r.pa & ~((UINT64_C(1) << r.page_shift) - 1);
  out->u = out->w = out->x = true;
  for (unsigned i = 0; i < t.n_steps; i++) {
    uint64_t v = t.steps[i].value;
    if (t.steps[i].level == PMMU_LEVEL_PDPTE) continue;
    out->u = out->u && (v & PMMU_PTE_US);
    out->w = out->w && (v & PMMU_PTE_RW);
    if (nx && (v & PMMU_PTE_XD)) out->x = false;
  }
  uint64_t leaf = t.steps[t.n_steps - 1].value;
  out->d = (leaf & PMMU_PTE_D) != 0;
  out->g = (leaf & PMMU_PTE_G) && (f->ctl.cr4 & PMMU_CR4_PGE);
  out->attr = r.attr;
  return true;
}

static unsigned compare(const pmmu_tlb_entry *c, const pmmu_tlb_entry *m) {
  unsigned d = 0;
  if (c->page_shift != m->page_shift) d |= EXPLAIN_DIFF_SIZE;
  if (c->frame_pa != m->frame_pa) d |= EXPLAIN_DIFF_FRAME;
  if (c->u != m->u) d |= EXPLAIN_DIFF_U;
  if (c->w != m->w) d |= EXPLAIN_DIFF_W;
  if (c->x != m->x) d |= EXPLAIN_DIFF_X;
  if (c->d != m->d) d |= EXPLAIN_DIFF_D;
  if (c->g != m->g) d |= EXPLAIN_DIFF_G;
  return d;
}

void explain_tlb_collect(const pmmu_t *m, explain_facts *f) {
  explain_tlb_view *v = &f->tlb;
  v->memory_maps = memory_entry(m, f, &v->memory);
  v->cached = pmmu_tlb_lookup(m, f->req.la, &v->slot);
  if (!v->cached) return;
  const pmmu_tlb_entry *e = &v->slot.entry;
  v->differs = v->memory_maps ? compare(e, &v->memory) : EXPLAIN_DIFF_MAPPED;
  /* The lookup of timing.md T3, with the model's own rights rule. */
  v->why = pmmu_rights_denial(&f->ctl, e->u, e->w, e->x, &f->req);
  if (!v->why && f->req.access == PMMU_WRITE && !e->d)
    v->why = "a write to an entry whose D=0 (the walk must set D in memory)";
  v->used = v->why == NULL;
  if (v->used) v->hit_pa = e->frame_pa | (f->req.la & ((UINT64_C(1) << e->page_shift) - 1));
}

static const char *size_name(unsigned shift) {
  return shift == 12 ? "4 KiB" : shift == 21 ? "2 MiB" : "4 MiB";
}

/* One row of the side-by-side table; `mem` NULL when memory maps the page no more. */
static void row(FILE *out, const char *name, const char *cached, const char *mem, bool differs) {
  if (differs) fprintf(out, "    %-9s %-16s %-16s <- differs\n", name, cached, mem ? mem : "-");
  else fprintf(out, "    %-9s %-16s %s\n", name, cached, mem ? mem : "-");
}

static void print_side_by_side(FILE *out, const explain_tlb_view *v) {
  const pmmu_tlb_entry *c = &v->slot.entry, *m = v->memory_maps ? &v->memory : NULL;
  char cf[24], mf[24], cr[16], mr[16];
  fprintf(out, "    %-9s %-16s %s\n", "", "cached entry",
          m ? "memory now (a walk)" : "memory now: no mapping (the walk fails)");
  row(out, "page", size_name(c->page_shift), m ? size_name(m->page_shift) : NULL,
      v->differs & EXPLAIN_DIFF_SIZE);
  snprintf(cf, sizeof cf, "0x%09" PRIx64, c->frame_pa);
  if (m) snprintf(mf, sizeof mf, "0x%09" PRIx64, m->frame_pa);
  row(out, "frame", cf, m ? mf : NULL, v->differs & EXPLAIN_DIFF_FRAME);
  snprintf(cr, sizeof cr, "U=%d W=%d X=%d", c->u, c->w, c->x);
  if (m) snprintf(mr, sizeof mr, "U=%d W=%d X=%d", m->u, m->w, m->x);
  row(out, "rights", cr, m ? mr : NULL,
      v->differs & (EXPLAIN_DIFF_U | EXPLAIN_DIFF_W | EXPLAIN_DIFF_X));
  row(out, "dirty", c->d ? "D=1" : "D=0", m ? (m->d ? "D=1" : "D=0") : NULL,
      v->differs & EXPLAIN_DIFF_D);
  row(out, "global", c->g ? "G=1" : "G=0", m ? (m->g ? "G=1" : "G=0") : NULL,
      v->differs & EXPLAIN_DIFF_G);
}

static void print_next(FILE *out, const explain_facts *f) {
  const explain_tlb_view *v = &f->tlb;
  fprintf(out, "  next %s by %s%s: ", pmmu_access_name(f->req.access),
          explain_priv_words(f->req.priv), f->req.ac ? " with EFLAGS.AC=1" : "");
  if (v->used) {
    fprintf(out, "a TLB hit, 1 cycle and no walk: the cached rights allow it%s.\n",
            f->req.access == PMMU_WRITE ? " and D=1" : "");
    fprintf(out, "    It uses the cached entry: PA = 0x%09" PRIx64, v->hit_pa);
    if (!v->differs) fprintf(out, ", as the walk above.\n");
    else if (f->resp.outcome == PMMU_OK && f->resp.pa != v->hit_pa)
      fprintf(out, ", not the walk's 0x%09" PRIx64 ".\n", f->resp.pa);
    else if (f->resp.outcome == PMMU_PAGE_FAULT)
      fprintf(out, ", although the walk above faults (#PF 0x%" PRIx32 ").\n", f->resp.error_code);
    else fprintf(out, ".\n");
    return;
  }
  fprintf(out, "the lookup drops the entry: %s.\n", v->why);
  fprintf(out, "    A denied hit is not a fault by itself: the page is walked again from memory\n"
               "    (docs/timing.md T3), so the result is the walk's above.\n");
}

static void print_flushes(FILE *out, const explain_facts *f) {
  const pmmu_tlb_slot *s = &f->tlb.slot;
  uint32_t page = s->entry.vpn << s->entry.page_shift;
  fprintf(out, "  removed by: INVLPG of any address in the page (invlpg 0x%08" PRIx32 ");\n", page);
  if (s->entry.g)
    fprintf(out, "    not by a CR3 write: the entry is global (G=1 with CR4.PGE=1);\n");
  else fprintf(out, "    a CR3 write (even of the same value);\n");
  fprintf(out, "    a change of CR0.PG, CR4.PGE, CR4.PSE, CR4.PAE, CR4.SMEP or EFER.NXE;\n");
  if (s->large)
    fprintf(out, "    or a fill of the large array that takes entry %u as its victim.\n", s->way);
  else fprintf(out, "    or a fill into set %u that takes way %u as its victim.\n", s->set, s->way);
}

void explain_print_tlb(FILE *out, const explain_facts *f) {
  const explain_tlb_view *v = &f->tlb;
  const pmmu_tlb_slot *s = &v->slot;
  fprintf(out, "\nTLB (the next access looks here before it walks)\n");
  if (!v->cached) {
    fprintf(out, "  no entry maps this page: the next access walks, as above%s.\n",
            f->resp.outcome == PMMU_OK ? ", and caches the result" : "");
    return;
  }
  uint32_t page = s->entry.vpn << s->entry.page_shift;
  if (s->large)
    fprintf(out, "  cached: large-page array, entry %u: %s page 0x%08" PRIx32 "\n", s->way,
            size_name(s->entry.page_shift), page);
  else
    fprintf(out, "  cached: 4 KiB array, set %u, way %u: page 0x%08" PRIx32 "\n", s->set, s->way,
            page);
  const pmmu_tlb_entry *e = &s->entry;
  if (v->differs) {
    print_side_by_side(out, v);
    fprintf(out,
            "  The entry is stale: the page tables changed after it was cached, and no\n"
            "  INVLPG (or other flush) removed it. The TLB is not kept coherent with memory.\n");
  } else {
    fprintf(out,
            "    frame 0x%09" PRIx64 ", U=%d W=%d X=%d D=%d G=%d: the same as memory (the walk)\n",
            e->frame_pa, e->u, e->w, e->x, e->d, e->g);
  }
  print_next(out, f);
  print_flushes(out, f);
}
